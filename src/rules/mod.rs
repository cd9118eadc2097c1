//! The validation rules of snapshot options (`config`) and template options (`template`), each
//! written once and named once.
//!
//! Options cross the boundary as JSON text. [`parse_options`] parses it into a generic value, and
//! a [`Reader`] takes each known key with its own type check: a wrong type is one violation
//! (`options.tags`, `tags.type`, "tags must be an object of string values, got a number") and
//! every other field is still read and checked. Unknown keys are violations too, with a
//! suggestion when a known key is close. The checks report every rule a value breaks, and
//! characters in messages are shown readably ([`describe_chars`]).
//!
//! By concern: [`options`] (reading), [`immutability`] (a policy's days), [`names`], [`tags`], [`region`], [`sku`], [`version`]
//! (api-version), [`text`] (users' text in messages); here the collection of violations, and
//! [`ALL_RULES`], every rule name the validators can report.

pub(crate) mod immutability;
pub(crate) mod names;
pub(crate) mod options;
pub(crate) mod region;
pub(crate) mod sku;
pub(crate) mod tags;
pub(crate) mod text;
pub(crate) mod version;

pub(crate) use immutability::read_immutability_days;
pub use immutability::MAX_IMMUTABILITY_DAYS;
pub(crate) use names::{check_resource_group, check_resource_name};
pub(crate) use options::{kind, parse_options, Reader};
pub(crate) use region::{check_location, is_expression, same_region};
pub(crate) use sku::check_sku;
pub(crate) use tags::check_tags;
pub(crate) use text::{describe_chars, quoted};
// For the wasm shell (its client options and transport errors).
pub(crate) use version::{read_api_version, require_incremental, require_version};
#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub(crate) use {options::closest, text::describe_char};

use crate::error::{Error, Violation};

/// At most this many violations per field for lists (tags, unknown keys, ...).
pub(crate) const MAX_PER_FIELD: usize = 20;

/// Every rule name snapshot, template and retention validation can report (`Violation::rule`), grouped
/// by the option they are about. A rule not listed here fails a debug assertion when reported.
pub const ALL_RULES: &[&str] = &[
    // Options as a whole.
    "options.type",
    "options.json",
    "options.unknown",
    // apiVersion.
    "apiVersion.type",
    "apiVersion.format",
    "apiVersion.incremental",
    "apiVersion.copyStart",
    "apiVersion.property",
    // The source of a snapshot.
    "source.id",
    "source.type",
    // Names.
    "name.type",
    "name.length",
    "name.chars",
    "name.start",
    "name.end",
    "resourceGroup.type",
    "resourceGroup.length",
    "resourceGroup.chars",
    "resourceGroup.end",
    // Region and create option.
    "location.type",
    "location.format",
    "location.required",
    "createOption.type",
    "createOption.supported",
    "copy.incrementalFromDisk",
    "copy.sameRegion",
    "copyStart.sourceSnapshot",
    "copyStart.sourceIncremental",
    "copyStart.incremental",
    "copyStart.location",
    "copyStart.otherRegion",
    "copySpeed.type",
    "copySpeed.copyStartOnly",
    // Incremental and sku.
    "incremental.type",
    "incremental.requiredForSku",
    "incremental.required",
    "sku.type",
    "sku.incremental",
    "sku.name",
    // Tags.
    "tags.type",
    "tags.count",
    "tags.nameLength",
    "tags.nameChars",
    "tags.valueLength",
    // Network access.
    "networkAccessPolicy.type",
    "networkAccessPolicy.value",
    "diskAccessId.type",
    "diskAccessId.required",
    "diskAccessId.format",
    "diskAccessId.policy",
    "publicNetworkAccess.type",
    "publicNetworkAccess.value",
    "dataAccessAuthMode.type",
    "dataAccessAuthMode.value",
    // Encryption and instant access.
    "encryption.shape",
    "encryption.desId",
    "encryption.desRequired",
    "encryption.type",
    "encryption.unknown",
    "instantAccess.type",
    "instantAccess.range",
    // Templates: disks, layout, naming, outputs.
    "disk.id",
    "disk.shape",
    "disks.type",
    "disks.both",
    "disks.empty",
    "disks.unique",
    "disks.subscription",
    "layout.type",
    "layout.value",
    "layout.perDiskNeedsDisks",
    "snapshotName.shape",
    "snapshotName.parameterName",
    "snapshotName.expression",
    "snapshotName.fixedNeedsOneDisk",
    "snapshotName.expressionPerDisk",
    "snapshotName.expressionNeedsCopyIndex",
    "outputs.type",
    // Retention: the policy and the options of planRetention.
    "policy.type",
    "policy.json",
    "policy.unknown",
    "policy.empty",
    "keepCount.type",
    "keepCount.range",
    "keepWithin.type",
    "keepWithin.format",
    "lockTag.type",
    "lockTag.empty",
    "includeOrphans.type",
    "disks.item",
    // Immutability: the days of setImmutabilityPolicy and lockImmutabilityPolicy.
    "days.required",
    "days.type",
    "days.range",
    // Restore: a disk from a snapshot (Copy) or a blob (Import).
    "name.required",
    "source.unknown",
    "source.pending",
    "restore.sameRegion",
    "diskSize.type",
    "diskSize.range",
    "diskSize.smaller",
    "sectorSize.sku",
    "zones.type",
    "zones.count",
    "zones.value",
    "zones.zrs",
    "sourceUri.type",
    "sourceUri.required",
    "sourceUri.https",
    "sourceUri.blob",
    "storageAccountId.type",
    "storageAccountId.required",
    "storageAccountId.format",
];

/// Violations collected by a validator.
#[derive(Default)]
pub(crate) struct Violations(pub(crate) Vec<Violation>);

impl Violations {
    /// Records one broken rule.
    pub(crate) fn add(&mut self, field: impl Into<String>, rule: &'static str, message: impl Into<String>) {
        debug_assert!(ALL_RULES.contains(&rule), "rule {rule} is not in rules::ALL_RULES");
        self.0.push(Violation { field: field.into(), rule, message: message.into() });
    }
}

/// The error carrying `violations` (which must not be empty).
pub(crate) fn error_of(violations: Vec<Violation>) -> Error {
    match Error::from_violations(violations) {
        Err(e) => e,
        Ok(()) => Error::invalid_argument("options", "invalid options"),
    }
}

/// Appends the violations of `later` to `first`, leaving out those about a field `first`
/// already refused (or a field inside it): a field refused for its type was read as absent,
/// and what its absence implies is not the user's mistake.
pub(crate) fn merge(mut first: Vec<Violation>, later: Vec<Violation>) -> Vec<Violation> {
    let refused: Vec<String> = first.iter().map(|v| v.field.clone()).collect();
    let covered =
        |f: &str| refused.iter().any(|r| f == r || (f.starts_with(r.as_str()) && f[r.len()..].starts_with(['.', '['])));
    first.extend(later.into_iter().filter(|v| !covered(&v.field)));
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_listed_once() {
        for (i, rule) in ALL_RULES.iter().enumerate() {
            assert!(!ALL_RULES[..i].contains(rule), "{rule} is listed twice");
            assert!(rule.split_once('.').is_some_and(|(a, b)| !a.is_empty() && !b.contains('.')), "{rule}");
        }
    }

    #[test]
    fn expressions_are_bracketed_but_not_escaped() {
        assert!(is_expression("[a]") && !is_expression("[[a]") && !is_expression("a"));
    }

    #[test]
    fn merge_leaves_out_what_a_refused_field_implies() {
        let v = |f: &str| Violation { field: f.into(), rule: "r", message: String::new() };
        let merged = merge(vec![v("options.tags")], vec![v("options.tags.a"), v("options.tagsX"), v("options.name")]);
        let fields: Vec<&str> = merged.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["options.tags", "options.tagsX", "options.name"]);
    }
}
