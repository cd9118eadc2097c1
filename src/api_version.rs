//! Compute (DiskRP) api-versions: the default, and the minimums each feature needs.

use crate::error::{Error, Result};

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

/// The stable DiskRP api-versions that know incremental snapshots, oldest first.
pub const KNOWN_API_VERSIONS: [&str; 17] = [
    "2019-03-01",
    "2019-07-01",
    "2019-11-01",
    "2020-05-01",
    "2020-06-30",
    "2020-12-01",
    "2021-04-01",
    "2021-08-01",
    "2021-12-01",
    "2022-03-02",
    "2022-07-02",
    "2023-01-02",
    "2023-04-02",
    "2023-10-02",
    "2024-03-02",
    "2025-01-02",
    "2026-03-02",
];

/// Checks the shape `YYYY-MM-DD` with an optional `-preview` suffix and returns the date part.
pub fn parse_api_version(field: &str, version: &str) -> Result<String> {
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
    Ok(date.to_string())
}

/// Whether `version` (already shape-checked) is at least `minimum`.
pub fn at_least(version: &str, minimum: &str) -> bool {
    let date = version.strip_suffix("-preview").unwrap_or(version);
    date >= minimum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_ordering() {
        assert!(parse_api_version("v", "2025-01-02").is_ok());
        assert!(parse_api_version("v", "2026-05-01-preview").is_ok());
        for bad in ["2025-1-02", "latest", "", "2025-01-02&x=1", "2025/01/02"] {
            assert!(parse_api_version("v", bad).is_err(), "{bad}");
        }
        assert!(at_least("2025-01-02", MIN_COPY_START));
        assert!(!at_least("2020-12-01", MIN_COPY_START));
        assert!(KNOWN_API_VERSIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(KNOWN_API_VERSIONS.contains(&DEFAULT_API_VERSION));
    }
}
