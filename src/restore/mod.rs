//! Restore: the validated PUT body of a managed disk made from an incremental snapshot
//! (`createOption: Copy`) or from a page blob that differential copy wrote (`createOption:
//! Import`).
//!
//! [`build_disk_config`] takes a [`RestoreSource`] and [`RestoreOptions`] and returns a
//! [`DiskConfig`]: the target `Microsoft.Compute/disks` id, name, resource group, api-version and
//! the exact PUT body. Every rule that can be checked offline is checked first and all broken
//! rules come together ([`crate::Error::violations`]), each with its field and a stable rule name
//! listed in [`crate::rules::ALL_RULES`].
//!
//! - A snapshot source is the object ARM returned (its id, region, `diskSizeGB` and
//!   `creationData.logicalSectorSize` are read), or its id alone (then `options.location` is
//!   required and the size is not known offline). The disk goes to the snapshot's subscription,
//!   in `options.resourceGroup` or the snapshot's group, in the snapshot's region.
//! - A blob source is `{ sourceUri, storageAccountId }`: an https blob URL and the
//!   `Microsoft.Storage/storageAccounts` id that holds it. The disk goes to that account's
//!   subscription, in `options.resourceGroup` or the account's group; `options.location` is
//!   required. A SAS signature in `sourceUri` is never shown in an error: URLs are shown without
//!   their query and every message is scrubbed of `sig=`.
//!
//! Modules: `source` (reading the source), `options` (reading [`RestoreOptions`]), `build` (the
//! rules and the body). The template of the same disk is `crate::template::build_restore_template`.

mod build;
mod options;
mod source;

pub use build::DiskConfig;
pub use options::RestoreOptions;
pub use source::RestoreSource;

use crate::error::{Result, Violation};

/// The most disks ARM creates from one snapshot at a time (a 6th is refused until one finishes).
pub const MAX_CONCURRENT_RESTORES: usize = 5;

/// Builds and validates the PUT of a disk restored from `source`.
pub fn build_disk_config(source: &RestoreSource, options: &RestoreOptions) -> Result<DiskConfig> {
    build::build_checked(source, options, Vec::new())
}

/// [`build_disk_config`] after reading found `refused` (reported first).
pub fn build_disk_config_with(
    source: &RestoreSource,
    options: &RestoreOptions,
    refused: Vec<Violation>,
) -> Result<DiskConfig> {
    build::build_checked(source, options, refused)
}

/// The `sig` values of a blob URL's query (percent-decoded and as written), to scrub from errors.
pub fn signatures_of(url: &str) -> Vec<String> {
    let query = url.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default()).unwrap_or_default();
    let mut out = Vec::new();
    for pair in query.split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            if k.eq_ignore_ascii_case("sig") && !v.is_empty() {
                out.push(v.to_string());
                out.push(crate::blob::sas::percent_decode(v));
            }
        }
    }
    out
}

/// `buildDiskConfig` on JSON: `source` is the JSON text of a snapshot object, a blob source
/// object or a snapshot id string; the config comes back as JSON text.
pub fn build_disk_config_json(source: &str, options: &str) -> Result<String> {
    Ok(build_disk_config_value(source, options)?.to_string())
}

/// [`build_disk_config_json`] as a JSON value.
pub fn build_disk_config_value(source: &str, options: &str) -> Result<serde_json::Value> {
    Ok(config_of_json(source, options)?.to_value())
}

/// The [`DiskConfig`] of JSON source and options (the options' own violations first).
pub fn config_of_json(source: &str, options: &str) -> Result<DiskConfig> {
    let (options, mut refused) = RestoreOptions::read(options)?;
    let source = RestoreSource::from_json_text(source, &mut refused)?;
    build::build_checked(&source, &options, refused)
}
