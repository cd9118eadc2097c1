//! Compute (DiskRP) api-versions: the default, the minimums each feature needs, and
//! [`ApiVersion`], an api-version whose shape was checked once.

use crate::error::{Error, Result};
use std::fmt;
use std::ops::Deref;

/// The api-version sent unless the caller picks another: what `az` 2.8x and
/// `@azure/arm-compute` 24.x send for disks and snapshots.
pub const DEFAULT_API_VERSION: &str = "2025-01-02";
/// The first api-version with `incremental` snapshots.
pub const MIN_INCREMENTAL: &str = "2019-03-01";
/// The first api-version whose schema has `createOption: CopyStart`.
pub const MIN_COPY_START: &str = "2021-04-01";
/// The first api-version with `dataAccessAuthMode`.
pub const MIN_DATA_ACCESS_AUTH_MODE: &str = "2021-12-01";
/// The first api-version with `publicNetworkAccess`.
pub const MIN_PUBLIC_NETWORK_ACCESS: &str = "2021-04-01";
/// The first api-version with `networkAccessPolicy` and `diskAccessId`.
pub const MIN_NETWORK_ACCESS_POLICY: &str = "2020-05-01";
/// api-version for `GET /subscriptions`.
pub const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";
/// api-version for resource groups.
pub const RESOURCE_GROUPS_API_VERSION: &str = "2021-04-01";

/// An api-version of the shape `YYYY-MM-DD` with an optional `-preview` suffix, checked once by
/// [`parse_api_version`]; it reads (and serializes) as the text it was given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ApiVersion(String);

impl ApiVersion {
    /// The text, e.g. `2025-01-02`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this version is at least `minimum` (a `YYYY-MM-DD` date; `-preview` is ignored).
    pub fn at_least(&self, minimum: &str) -> bool {
        self.0.strip_suffix("-preview").unwrap_or(&self.0) >= minimum
    }
}

impl Default for ApiVersion {
    /// [`DEFAULT_API_VERSION`].
    fn default() -> Self {
        ApiVersion(DEFAULT_API_VERSION.to_string())
    }
}

impl Deref for ApiVersion {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the shape `YYYY-MM-DD` with an optional `-preview` suffix; the error names `field`.
pub fn parse_api_version(field: &str, version: &str) -> Result<ApiVersion> {
    let date = version.strip_suffix("-preview").unwrap_or(version);
    let b = date.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(Error::invalid_argument(
            field,
            format!("api-version {version:?} is not of the form YYYY-MM-DD[-preview]"),
        ));
    }
    Ok(ApiVersion(version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_ordering() {
        assert_eq!(parse_api_version("v", "2025-01-02").unwrap().as_str(), "2025-01-02");
        assert!(parse_api_version("v", "2026-05-01-preview").unwrap().at_least("2026-05-01"));
        for bad in ["2025-1-02", "latest", "", "2025-01-02&x=1", "2025/01/02"] {
            assert!(parse_api_version("v", bad).is_err(), "{bad}");
        }
        assert!(ApiVersion::default().at_least(MIN_COPY_START));
        assert!(!parse_api_version("v", "2020-12-01").unwrap().at_least(MIN_COPY_START));
        assert_eq!(parse_api_version("v", DEFAULT_API_VERSION).unwrap(), ApiVersion::default());
    }
}
