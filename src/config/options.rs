//! [`SnapshotOptions`]: read from JSON key by key, and the rules each option breaks on its own.

use crate::error::{Result, Violation};
use crate::models::{
    CreateOption, DataAccessAuthMode, EncryptionType, NetworkAccessPolicy, ProvisionedBandwidthCopySpeed,
    PublicNetworkAccess, SnapshotSkuName, Tags,
};
use crate::rules::{
    check_resource_group, check_resource_name, check_tags, error_of, merge, parse_options, Reader, Violations,
};

/// Options of [`build_snapshot_config`]; every field is optional. JSON names are camelCase.
#[derive(Debug, Clone, Default)]
pub struct SnapshotOptions {
    /// Snapshot name; default `<disk>-snap-<yyyyMMdd>-<HHmmss>` (copies: `<source>-<region>`).
    pub name: Option<String>,
    /// Resource group of the new snapshot; default the source's.
    pub resource_group: Option<String>,
    /// Region; default the disk's (`Copy`); required for `CopyStart` (the target region).
    pub location: Option<String>,
    /// Default true. A full snapshot (false) is allowed for `Copy` from a disk that supports it.
    pub incremental: Option<bool>,
    /// `Copy` (default for a disk source) or `CopyStart` (default for a snapshot source).
    pub create_option: Option<CreateOption>,
    /// Snapshot sku; default none (ARM stores incremental snapshots on standard storage).
    pub sku: Option<SnapshotSkuName>,
    /// Tags of the snapshot.
    pub tags: Option<Tags>,
    /// Export policy; default the disk's.
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Disk access id for `AllowPrivate`; default the disk's.
    pub disk_access_id: Option<String>,
    /// Public network access; default the disk's.
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Data access auth mode; default the disk's.
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
    /// Encryption at rest; default none (ARM's default for the snapshot).
    pub encryption: Option<EncryptionOptions>,
    /// Instant access window in minutes (60–300).
    pub instant_access_duration_minutes: Option<i64>,
    /// `CopyStart` speed (`None` | `Enhanced`).
    pub provisioned_bandwidth_copy_speed: Option<ProvisionedBandwidthCopySpeed>,
    /// Compute api-version the body is meant for; default [`crate::api_version::DEFAULT_API_VERSION`].
    pub api_version: Option<String>,
}

/// `encryption` option.
#[derive(Debug, Clone, Default)]
pub struct EncryptionOptions {
    /// Disk encryption set id.
    pub disk_encryption_set_id: Option<String>,
    /// Encryption type (JSON `type`).
    pub encryption_type: Option<EncryptionType>,
}

/// The keys of snapshot options, in the order they are read.
const OPTION_KEYS: &[&str] = &[
    "apiVersion",
    "name",
    "resourceGroup",
    "location",
    "incremental",
    "createOption",
    "sku",
    "tags",
    "networkAccessPolicy",
    "diskAccessId",
    "publicNetworkAccess",
    "dataAccessAuthMode",
    "encryption",
    "instantAccessDurationMinutes",
    "provisionedBandwidthCopySpeed",
];

/// The values of the network options, for messages.
const POLICIES: &str = "AllowAll, AllowPrivate or DenyAll";
const ENABLED: &str = "Enabled or Disabled";
const AUTH_MODES: &str = "AzureActiveDirectory or None";

/// The keys of `encryption`.
const ENCRYPTION_KEYS: &[&str] = &["diskEncryptionSetId", "type"];

impl SnapshotOptions {
    /// Reads options from JSON text (`null` or empty means none). Each key is read with its own
    /// type check and unknown keys are refused (a typo such as `networkAccesPolicy` is an error,
    /// not silently ignored). When any is refused, the error carries every such violation and
    /// every rule the readable fields break on their own (name, resource group, tags, instant
    /// access); the rules that need the source are checked by [`build_snapshot_config`].
    pub fn from_json_text(text: &str) -> Result<SnapshotOptions> {
        let (options, refused) = SnapshotOptions::read(text)?;
        if refused.is_empty() {
            return Ok(options);
        }
        Err(own_error(&options, refused))
    }

    /// Reads what can be read: the options with every refused key left out, and the
    /// violations (wrong types, unknown keys). An error only when the text is not an object.
    pub(super) fn read(text: &str) -> Result<(SnapshotOptions, Vec<Violation>)> {
        let Some(map) = parse_options(text, "snapshot options")? else {
            return Ok((SnapshotOptions::default(), Vec::new()));
        };
        let mut r = Reader::new(&map, "options", OPTION_KEYS);
        let api_version = r.string("apiVersion", "apiVersion.type");
        let name = r.string("name", "name.type");
        let resource_group = r.string("resourceGroup", "resourceGroup.type");
        let location = r.string("location", "location.type");
        let incremental = r.boolean("incremental", "incremental.type");
        let create_option = r.choice("createOption", "createOption.type", "Copy or CopyStart", CreateOption::parse);
        let sku = r.choice("sku", "sku.type", "Standard_LRS, Standard_ZRS or Premium_LRS", SnapshotSkuName::parse);
        let tags = r.tags("tags", "tags.type");
        let policy = r.choice("networkAccessPolicy", "networkAccessPolicy.type", POLICIES, NetworkAccessPolicy::parse);
        let disk_access_id = r.string("diskAccessId", "diskAccessId.type");
        let public = r.choice("publicNetworkAccess", "publicNetworkAccess.type", ENABLED, PublicNetworkAccess::parse);
        let auth = r.choice("dataAccessAuthMode", "dataAccessAuthMode.type", AUTH_MODES, DataAccessAuthMode::parse);
        let encryption = r
            .object("encryption", "encryption.shape", "an object with diskEncryptionSetId and type")
            .map(|map| {
                let mut e = Reader::new(map, "options.encryption", ENCRYPTION_KEYS);
                let options = EncryptionOptions {
                    disk_encryption_set_id: e.string("diskEncryptionSetId", "encryption.desId"),
                    encryption_type: e.choice(
                        "type",
                        "encryption.type",
                        "EncryptionAtRestWithPlatformKey, EncryptionAtRestWithCustomerKey or EncryptionAtRestWithPlatformAndCustomerKeys",
                        EncryptionType::parse,
                    ),
                };
                r.v.0.extend(e.finish("encryption.unknown", "encryption option"));
                options
            });
        let instant_access_duration_minutes = r.integer("instantAccessDurationMinutes", "instantAccess.type");
        let provisioned_bandwidth_copy_speed = r.choice(
            "provisionedBandwidthCopySpeed",
            "copySpeed.type",
            "None or Enhanced",
            ProvisionedBandwidthCopySpeed::parse,
        );
        let options = SnapshotOptions {
            name,
            resource_group,
            location,
            incremental,
            create_option,
            sku,
            tags,
            network_access_policy: policy,
            disk_access_id,
            public_network_access: public,
            data_access_auth_mode: auth,
            encryption,
            instant_access_duration_minutes,
            provisioned_bandwidth_copy_speed,
            api_version,
        };
        Ok((options, r.finish("options.unknown", "option")))
    }
}

/// The error of options some of whose keys were `refused`: those violations, then the rules the
/// readable options break on their own.
pub(super) fn own_error(options: &SnapshotOptions, refused: Vec<Violation>) -> crate::error::Error {
    let mut v = Violations::default();
    check_own_fields(options, &mut v);
    error_of(merge(refused, v.0))
}

/// The rules each of these options breaks on its own, whatever the source: instant access
/// range, tags, resource group and snapshot name.
pub(super) fn check_own_fields(options: &SnapshotOptions, v: &mut Violations) {
    if let Some(m) = options.instant_access_duration_minutes {
        if !(60..=300).contains(&m) {
            v.add(
                "options.instantAccessDurationMinutes",
                "instantAccess.range",
                format!("instantAccessDurationMinutes must be between 60 and 300 (got {m})"),
            );
        }
    }
    if let Some(tags) = &options.tags {
        check_tags(tags, "options", v);
    }
    if let Some(rg) = &options.resource_group {
        check_resource_group(rg, "options.resourceGroup", v);
    }
    if let Some(n) = &options.name {
        check_resource_name(n, "options.name", "a snapshot name", v);
    }
}
