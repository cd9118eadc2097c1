//! The api-version option (`apiVersion.*`).

use super::Violations;
use crate::api_version::{parse_api_version, ApiVersion, MIN_INCREMENTAL};

const FIELD: &str = "options.apiVersion";

/// `options.apiVersion` as a checked [`ApiVersion`]: the default when absent, and also when it
/// is not of the shape `YYYY-MM-DD[-preview]` (`apiVersion.format`).
pub(crate) fn read_api_version(asked: Option<&str>, v: &mut Violations) -> ApiVersion {
    match asked.map(|a| parse_api_version(FIELD, a)) {
        None => ApiVersion::default(),
        Some(Ok(version)) => version,
        Some(Err(e)) => {
            v.add(FIELD, "apiVersion.format", e.message);
            ApiVersion::default()
        }
    }
}

/// An incremental snapshot needs [`MIN_INCREMENTAL`] or later (`apiVersion.incremental`).
pub(crate) fn require_incremental(version: &ApiVersion, v: &mut Violations) {
    require_version(version, MIN_INCREMENTAL, "apiVersion.incremental", "incremental snapshots", v);
}

/// `what` needs api-version `minimum` or later (`rule`, at `options.apiVersion`).
pub(crate) fn require_version(version: &ApiVersion, minimum: &str, rule: &'static str, what: &str, v: &mut Violations) {
    if !version.at_least(minimum) {
        v.add(FIELD, rule, format!("{what} needs api-version {minimum} or later"));
    }
}
