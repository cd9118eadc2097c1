//! Snapshot request bodies: the `New-AzSnapshotConfig -Incremental` equivalent, validated.
//!
//! [`build_snapshot_config`] turns a source (a disk for `Copy`, an incremental snapshot for a
//! cross-region `CopyStart`) and [`SnapshotOptions`] into a [`SnapshotConfig`]: the target
//! snapshot's id and name, the api-version, and the exact PUT body. Every rule that can be checked
//! offline is checked first, and all broken rules are reported together
//! ([`crate::Error::violations`]), each with its field and a stable rule name.
//!
//! Defaults are what a user of the documented flow expects: `incremental: true`,
//! `createOption: Copy`, `sourceResourceId` = the disk's id, the disk's location (and edge zone),
//! a readable unique name from the disk name and the UTC time passed in, and the disk's network
//! access settings (`networkAccessPolicy`, `diskAccessId`, `publicNetworkAccess`,
//! `dataAccessAuthMode`) carried over. Nothing read-only is ever put in the body.

use crate::api_version::{self, at_least, parse_api_version};
use crate::error::{Error, Result, Violation};
use crate::models::{
    CreateOption, DataAccessAuthMode, DiskSkuName, EncryptionType, NetworkAccessPolicy, ProvisionedBandwidthCopySpeed,
    PublicNetworkAccess, SnapshotSkuName, Tags,
};
use crate::resource_id::{ResourceId, SNAPSHOTS};
use crate::rules::{
    self, check_resource_group, check_resource_name, error_of, merge, parse_options, quoted, Reader, Violations,
};
use crate::time::utc_parts;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;

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
    /// Compute api-version the body is meant for; default [`api_version::DEFAULT_API_VERSION`].
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
        let mut v = Violations::default();
        check_own_fields(&options, &mut v);
        Err(error_of(merge(refused, v.0)))
    }

    /// Reads what can be read: the options with every refused key left out, and the
    /// violations (wrong types, unknown keys). An error only when the text is not an object.
    pub(crate) fn read(text: &str) -> Result<(SnapshotOptions, Vec<Violation>)> {
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
        let network_access_policy = r.choice(
            "networkAccessPolicy",
            "networkAccessPolicy.type",
            "AllowAll, AllowPrivate or DenyAll",
            NetworkAccessPolicy::parse,
        );
        let disk_access_id = r.string("diskAccessId", "diskAccessId.type");
        let public_network_access = r.choice(
            "publicNetworkAccess",
            "publicNetworkAccess.type",
            "Enabled or Disabled",
            PublicNetworkAccess::parse,
        );
        let data_access_auth_mode = r.choice(
            "dataAccessAuthMode",
            "dataAccessAuthMode.type",
            "AzureActiveDirectory or None",
            DataAccessAuthMode::parse,
        );
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
            network_access_policy,
            disk_access_id,
            public_network_access,
            data_access_auth_mode,
            encryption,
            instant_access_duration_minutes,
            provisioned_bandwidth_copy_speed,
            api_version,
        };
        Ok((options, r.finish("options.unknown", "option")))
    }
}

/// The rules each of these options breaks on its own, whatever the source: instant access
/// range, tags, resource group and snapshot name.
fn check_own_fields(options: &SnapshotOptions, v: &mut Violations) {
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
        rules::check_tags(tags, "options", v);
    }
    if let Some(rg) = &options.resource_group {
        check_resource_group(rg, "options.resourceGroup", v);
    }
    if let Some(n) = &options.name {
        check_resource_name(
            n,
            "options.name",
            "a snapshot name",
            ["name.length", "name.chars", "name.start", "name.end"],
            v,
        );
    }
}

/// What [`build_snapshot_config`] produces: where to PUT and what.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotConfig {
    /// ARM id of the snapshot to create.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its resource group.
    pub resource_group: String,
    /// The api-version the body was validated for.
    pub api_version: String,
    /// The exact PUT body.
    pub body: SnapshotRequestBody,
}

/// The PUT body of a new snapshot: only writable properties, in ARM's names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRequestBody {
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Sku.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<SkuBody>,
    /// The source disk's edge zone, carried over verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_location: Option<Box<RawValue>>,
    /// Properties.
    pub properties: PropertiesBody,
}

/// `sku` of the body.
#[derive(Debug, Clone, Serialize)]
pub struct SkuBody {
    /// Sku name.
    pub name: SnapshotSkuName,
}

/// `properties` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertiesBody {
    /// How to create it.
    pub creation_data: CreationBody,
    /// Incremental or full.
    pub incremental: bool,
    /// Encryption at rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionBody>,
    /// Export policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Disk access id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_access_id: Option<String>,
    /// Public network access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Data access auth mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
}

/// `properties.creationData` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationBody {
    /// `Copy` or `CopyStart`.
    pub create_option: CreateOption,
    /// The source disk or snapshot.
    pub source_resource_id: String,
    /// Instant access window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant_access_duration_minutes: Option<i64>,
    /// CopyStart speed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_bandwidth_copy_speed: Option<ProvisionedBandwidthCopySpeed>,
}

/// `properties.encryption` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionBody {
    /// Disk encryption set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,
    /// Type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<EncryptionType>,
}

/// Which kind of resource a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A managed disk (`createOption: Copy`).
    Disk,
    /// A snapshot (`createOption: CopyStart` to another region).
    Snapshot,
}

/// The source of a new snapshot: the few facts of a disk or snapshot the config needs.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    /// Disk or snapshot.
    pub kind: SourceKind,
    /// ARM id.
    pub id: Option<String>,
    /// Region.
    pub location: Option<String>,
    /// Edge zone, verbatim.
    pub extended_location: Option<Box<RawValue>>,
    /// A disk's sku name.
    pub disk_sku: Option<DiskSkuName>,
    /// A snapshot's `properties.incremental`.
    pub incremental: bool,
    /// `properties.networkAccessPolicy`.
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// `properties.diskAccessId`.
    pub disk_access_id: Option<String>,
    /// `properties.publicNetworkAccess`.
    pub public_network_access: Option<PublicNetworkAccess>,
    /// `properties.dataAccessAuthMode`.
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceKeys<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    location: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    extended_location: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sku: Option<SkuKeys<'a>>,
    #[serde(borrow, default)]
    properties: Option<SourcePropsKeys<'a>>,
}

#[derive(Deserialize)]
struct SkuKeys<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourcePropsKeys<'a> {
    #[serde(default)]
    incremental: Option<bool>,
    #[serde(borrow, default)]
    network_access_policy: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    disk_access_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    public_network_access: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data_access_auth_mode: Option<Cow<'a, str>>,
}

impl SnapshotSource {
    /// Reads a disk or snapshot object from JSON text; which one is told by `type`, else by the id.
    pub fn from_json_text(text: &str) -> Result<SnapshotSource> {
        if !text.trim_start().starts_with('{') {
            return Err(Error::invalid_argument("disk", "expected a disk (or snapshot) object as ARM returns it"));
        }
        let keys: SourceKeys = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("disk", format!("the source object does not match ARM's shape: {e}")))?;
        let is_snapshot = match keys.resource_type.as_deref() {
            Some(t) => t.eq_ignore_ascii_case(SNAPSHOTS),
            None => keys.id.as_deref().and_then(|i| ResourceId::parse(i).ok()).is_some_and(|i| i.is_snapshot()),
        };
        let props = keys.properties;
        let text_of = |v: &Option<Cow<str>>| v.as_deref().map(str::to_string);
        Ok(SnapshotSource {
            kind: if is_snapshot { SourceKind::Snapshot } else { SourceKind::Disk },
            id: text_of(&keys.id),
            location: text_of(&keys.location),
            extended_location: keys.extended_location.map(|r| r.to_owned()),
            disk_sku: keys.sku.and_then(|s| s.name).map(|n| DiskSkuName::parse(&n)),
            incremental: props.as_ref().and_then(|p| p.incremental) == Some(true),
            network_access_policy: props
                .as_ref()
                .and_then(|p| p.network_access_policy.as_deref())
                .map(NetworkAccessPolicy::parse),
            disk_access_id: props.as_ref().and_then(|p| p.disk_access_id.as_deref()).map(str::to_string),
            public_network_access: props
                .as_ref()
                .and_then(|p| p.public_network_access.as_deref())
                .map(PublicNetworkAccess::parse),
            data_access_auth_mode: props
                .as_ref()
                .and_then(|p| p.data_access_auth_mode.as_deref())
                .map(DataAccessAuthMode::parse),
        })
    }

    fn field(&self) -> &'static str {
        match self.kind {
            SourceKind::Disk => "disk",
            SourceKind::Snapshot => "source",
        }
    }
}

/// Builds and validates the request for a new snapshot of `source` at time `now_ms`
/// (milliseconds since the Unix epoch, used for the default name only).
pub fn build_snapshot_config(
    source: &SnapshotSource,
    options: &SnapshotOptions,
    now_ms: i64,
) -> Result<SnapshotConfig> {
    build_checked(source, options, now_ms, Vec::new())
}

/// [`build_snapshot_config`] after reading found `refused` (reported first; nothing is said
/// about a refused field beyond its own violation).
fn build_checked(
    source: &SnapshotSource,
    options: &SnapshotOptions,
    now_ms: i64,
    refused: Vec<Violation>,
) -> Result<SnapshotConfig> {
    let mut v = Violations::default();
    let api_version = match &options.api_version {
        None => api_version::DEFAULT_API_VERSION.to_string(),
        Some(a) => match parse_api_version("options.apiVersion", a) {
            Ok(_) => a.clone(),
            Err(e) => {
                v.add("options.apiVersion", "apiVersion.format", e.message);
                api_version::DEFAULT_API_VERSION.to_string()
            }
        },
    };
    let src_field = source.field();

    // The source id decides subscription and default resource group.
    let source_id = match source.id.as_deref() {
        None => {
            v.add(format!("{src_field}.id"), "source.id", "the source has no id; pass the object ARM returned");
            None
        }
        Some(raw) => match ResourceId::parse(raw) {
            Ok(id) if id.is_disk() || id.is_snapshot() => Some(id),
            Ok(_) => {
                v.add(
                    format!("{src_field}.id"),
                    "source.type",
                    "the source must be a Microsoft.Compute disk or snapshot",
                );
                None
            }
            Err(e) => {
                v.add(format!("{src_field}.id"), "source.id", e.message);
                None
            }
        },
    };

    let create_option = options.create_option.clone().unwrap_or(match source.kind {
        SourceKind::Disk => CreateOption::Copy,
        SourceKind::Snapshot => CreateOption::CopyStart,
    });
    let incremental = options.incremental.unwrap_or(true);
    if !at_least(&api_version, api_version::MIN_INCREMENTAL) && incremental {
        v.add(
            "options.apiVersion",
            "apiVersion.incremental",
            format!("incremental snapshots need api-version {} or later", api_version::MIN_INCREMENTAL),
        );
    }

    let source_location = source.location.as_deref();
    let mut location = options.location.clone().or_else(|| source_location.map(str::to_string));
    match &create_option {
        CreateOption::Copy => {
            if source.kind == SourceKind::Snapshot && incremental {
                v.add("options.incremental", "copy.incrementalFromDisk", "an incremental snapshot is taken of a disk; to copy a snapshot to another region use createOption CopyStart");
            }
            if let (Some(want), Some(have)) = (&options.location, source_location) {
                if !same_region(want, have) {
                    v.add("options.location", "copy.sameRegion", format!("a Copy snapshot is created in the source's region ({have}); use CopyStart to copy an incremental snapshot to {want}"));
                }
            }
        }
        CreateOption::CopyStart => {
            match source.kind {
                SourceKind::Disk => v.add(
                    src_field,
                    "copyStart.sourceSnapshot",
                    "CopyStart copies an incremental snapshot, not a disk (ARM answers InvalidParameter)",
                ),
                SourceKind::Snapshot if !source.incremental => {
                    v.add(
                        "source.properties.incremental",
                        "copyStart.sourceIncremental",
                        "only incremental snapshots can be copied across regions",
                    );
                }
                SourceKind::Snapshot => {}
            }
            if !incremental {
                v.add("options.incremental", "copyStart.incremental", "a CopyStart copy is incremental");
            }
            match (&options.location, source_location) {
                (None, _) => {
                    v.add(
                        "options.location",
                        "copyStart.location",
                        "CopyStart needs the target region in options.location",
                    );
                    location = None;
                }
                (Some(want), Some(have)) if same_region(want, have) => {
                    v.add("options.location", "copyStart.otherRegion", format!("the target region must differ from the source's ({have}); within a region take a new incremental snapshot instead"));
                }
                _ => {}
            }
            if !at_least(&api_version, api_version::MIN_COPY_START) {
                v.add(
                    "options.apiVersion",
                    "apiVersion.copyStart",
                    format!("CopyStart needs api-version {} or later", api_version::MIN_COPY_START),
                );
            }
        }
        other => v.add(
            "options.createOption",
            "createOption.supported",
            format!("createOption {other} does not make a snapshot of a disk; use Copy or CopyStart"),
        ),
    }
    if options.provisioned_bandwidth_copy_speed.is_some() && create_option != CreateOption::CopyStart {
        v.add(
            "options.provisionedBandwidthCopySpeed",
            "copySpeed.copyStartOnly",
            "provisionedBandwidthCopySpeed applies to CopyStart only",
        );
    }

    match &location {
        Some(l) if !is_region_name(l) => v.add("options.location", "location.format", location_message(l)),
        None if create_option != CreateOption::CopyStart => v.add(
            format!("{src_field}.location"),
            "location.required",
            "the source has no location; pass options.location",
        ),
        _ => {}
    }

    if source.kind == SourceKind::Disk
        && !incremental
        && source.disk_sku.as_ref().is_some_and(DiskSkuName::has_background_copy)
    {
        v.add(
            "options.incremental",
            "incremental.requiredForSku",
            "Premium SSD v2 and Ultra disks only support incremental snapshots",
        );
    }

    if let Some(sku) = &options.sku {
        match sku {
            SnapshotSkuName::PremiumLrs if incremental => v.add("options.sku", "sku.incremental", "incremental snapshots are always stored on standard storage; Premium_LRS makes no sense for them (use Standard_ZRS or Standard_LRS, or leave it out)"),
            SnapshotSkuName::Other(s) => v.add("options.sku", "sku.name", format!("unknown snapshot sku {}; use Standard_LRS, Standard_ZRS or Premium_LRS", quoted(s))),
            _ => {}
        }
    }

    // Network settings: options win, else the disk's are carried over.
    let (d_nap, d_access, d_pna, d_daam) = (
        source.network_access_policy.clone(),
        source.disk_access_id.clone(),
        source.public_network_access.clone(),
        source.data_access_auth_mode.clone(),
    );
    let network_access_policy = options
        .network_access_policy
        .clone()
        .or(d_nap)
        .filter(|p| !matches!(p, NetworkAccessPolicy::Other(s) if s == "0"));
    let disk_access_id = options.disk_access_id.clone().or(d_access);
    let public_network_access = options.public_network_access.clone().or(d_pna);
    let data_access_auth_mode = options.data_access_auth_mode.clone().or(d_daam);
    if let Some(NetworkAccessPolicy::Other(p)) = &options.network_access_policy {
        v.add(
            "options.networkAccessPolicy",
            "networkAccessPolicy.value",
            format!("unknown policy {}; use AllowAll, AllowPrivate or DenyAll", quoted(p)),
        );
    }
    if network_access_policy == Some(NetworkAccessPolicy::AllowPrivate) && disk_access_id.is_none() {
        v.add("options.diskAccessId", "diskAccessId.required", "networkAccessPolicy AllowPrivate needs a diskAccessId");
    }
    if let Some(a) = &disk_access_id {
        if !ResourceId::parse(a).is_ok_and(|i| i.is_type("Microsoft.Compute/diskAccesses")) {
            v.add(
                "options.diskAccessId",
                "diskAccessId.format",
                "diskAccessId must be a Microsoft.Compute/diskAccesses resource id",
            );
        }
        if network_access_policy.is_some() && network_access_policy != Some(NetworkAccessPolicy::AllowPrivate) {
            v.add(
                "options.diskAccessId",
                "diskAccessId.policy",
                "diskAccessId is used only with networkAccessPolicy AllowPrivate",
            );
        }
    }
    if let Some(PublicNetworkAccess::Other(p)) = &public_network_access {
        v.add(
            "options.publicNetworkAccess",
            "publicNetworkAccess.value",
            format!("unknown value {}; use Enabled or Disabled", quoted(p)),
        );
    }
    if let Some(DataAccessAuthMode::Other(p)) = &data_access_auth_mode {
        v.add(
            "options.dataAccessAuthMode",
            "dataAccessAuthMode.value",
            format!("unknown value {}; use AzureActiveDirectory or None", quoted(p)),
        );
    }
    let min_versions = [
        (
            options.network_access_policy.is_some() || options.disk_access_id.is_some(),
            "options.networkAccessPolicy",
            api_version::MIN_NETWORK_ACCESS_POLICY,
        ),
        (
            options.public_network_access.is_some(),
            "options.publicNetworkAccess",
            api_version::MIN_PUBLIC_NETWORK_ACCESS,
        ),
        (options.data_access_auth_mode.is_some(), "options.dataAccessAuthMode", api_version::MIN_DATA_ACCESS_AUTH_MODE),
    ];
    for (asked, field, min) in min_versions {
        if asked && !at_least(&api_version, min) {
            v.add(
                field,
                "apiVersion.property",
                format!("this property needs api-version {min} or later (asked for {api_version})"),
            );
        }
    }

    let encryption = options.encryption.as_ref().map(|e| {
        if let Some(des) = &e.disk_encryption_set_id {
            if !ResourceId::parse(des).is_ok_and(|i| i.is_type("Microsoft.Compute/diskEncryptionSets")) {
                v.add(
                    "options.encryption.diskEncryptionSetId",
                    "encryption.desId",
                    "diskEncryptionSetId must be a Microsoft.Compute/diskEncryptionSets resource id",
                );
            }
        }
        match &e.encryption_type {
            Some(EncryptionType::CustomerKey | EncryptionType::PlatformAndCustomerKeys)
                if e.disk_encryption_set_id.is_none() =>
            {
                v.add(
                    "options.encryption.diskEncryptionSetId",
                    "encryption.desRequired",
                    "customer-managed keys need a diskEncryptionSetId",
                );
            }
            Some(EncryptionType::Other(t)) => {
                v.add("options.encryption.type", "encryption.type", format!("unknown encryption type {}", quoted(t)))
            }
            _ => {}
        }
        EncryptionBody {
            disk_encryption_set_id: e.disk_encryption_set_id.clone(),
            encryption_type: e.encryption_type.clone(),
        }
    });

    check_own_fields(options, &mut v);

    let resource_group = options
        .resource_group
        .clone()
        .or_else(|| source_id.as_ref().and_then(|i| i.resource_group_name().map(str::to_string)));
    let name = match &options.name {
        Some(n) => n.clone(),
        None => {
            let base = source_id.as_ref().and_then(|i| i.name()).unwrap_or("snapshot");
            match (&create_option, &location) {
                (CreateOption::CopyStart, Some(l)) => default_copy_name(base, l),
                _ => default_snapshot_name(base, now_ms),
            }
        }
    };

    let target = match (&source_id, &resource_group) {
        (Some(sid), Some(rg)) => ResourceId::compute(sid.subscription_id(), rg, "snapshots", &name).ok(),
        _ => None,
    };
    Error::from_violations(merge(refused, v.0))?;
    let (Some(source_id), Some(target)) = (source_id, target) else {
        return Err(Error::invalid_argument(src_field, "the source id or target name is not usable"));
    };

    let extended_location = match create_option {
        CreateOption::Copy => source.extended_location.clone(),
        _ => None,
    };
    let body = SnapshotRequestBody {
        location,
        tags: options.tags.clone(),
        sku: options.sku.clone().map(|name| SkuBody { name }),
        extended_location,
        properties: PropertiesBody {
            creation_data: CreationBody {
                create_option,
                source_resource_id: source_id.to_string(),
                instant_access_duration_minutes: options.instant_access_duration_minutes,
                provisioned_bandwidth_copy_speed: options.provisioned_bandwidth_copy_speed.clone(),
            },
            incremental,
            encryption,
            network_access_policy,
            disk_access_id,
            public_network_access,
            data_access_auth_mode,
        },
    };
    Ok(SnapshotConfig {
        id: target.to_string(),
        name,
        resource_group: target.resource_group_name().unwrap_or_default().to_string(),
        api_version,
        body,
    })
}

/// `<disk>-snap-<yyyyMMdd>-<HHmmss>`, the disk part shortened so the whole fits 80 characters.
pub fn default_snapshot_name(disk_name: &str, now_ms: i64) -> String {
    let t = utc_parts(now_ms);
    let suffix = format!("-snap-{:04}{:02}{:02}-{:02}{:02}{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
    format!("{}{suffix}", shorten(disk_name, 80 - suffix.len()))
}

/// `<source>-<region>` for a cross-region copy, shortened to fit.
pub fn default_copy_name(source_name: &str, region: &str) -> String {
    let region: String = region.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let suffix = format!("-{}", shorten(&region, 40));
    format!("{}{suffix}", shorten(source_name, 80 - suffix.len()))
}

fn shorten(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // A name must not end with '.' or '-' before the suffix is added; the suffix always follows.
    &s[..end]
}

/// Region names as ARM takes them: `westeurope`, also display names such as `West Europe`.
fn is_region_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

/// Why `l` is not a region name, showing the characters that do not belong in one.
fn location_message(l: &str) -> String {
    let bad = rules::describe_chars(l.chars().filter(|c| !(c.is_ascii_alphanumeric() || *c == ' ')));
    if bad.is_empty() {
        format!("{} is not an Azure region name such as westeurope", quoted(l))
    } else {
        format!(
            "{} is not an Azure region name such as westeurope (letters, digits and spaces); found {bad}",
            quoted(l)
        )
    }
}

/// `West Europe` and `westeurope` are the same region.
pub fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    norm(a) == norm(b)
}

/// `buildSnapshotConfig` on JSON: source and options as JSON values, the config as JSON text.
pub fn build_snapshot_config_json(source: &str, options: &str, now_ms: i64) -> Result<String> {
    let (options, refused) = SnapshotOptions::read(options)?;
    let source = match SnapshotSource::from_json_text(source) {
        Ok(s) => s,
        Err(e) if refused.is_empty() => return Err(e),
        Err(_) => {
            // The options' own problems first, as when they were read on their own.
            let mut v = Violations::default();
            check_own_fields(&options, &mut v);
            return Err(error_of(merge(refused, v.0)));
        }
    };
    let config = build_checked(&source, &options, now_ms, refused)?;
    serde_json::to_string(&config)
        .map_err(|e| Error::invalid_argument("options", format!("cannot write the config: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource_id::check_disk_or_snapshot_name;
    use serde_json::{json, Value};

    const DISK: &str =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1";
    const NOW: i64 = 1_764_047_255_000; // 2025-11-25T05:07:35Z

    fn disk() -> Value {
        json!({ "id": DISK, "name": "disk1", "type": "Microsoft.Compute/disks", "location": "westus",
                "sku": { "name": "Premium_LRS", "tier": "Premium" },
                "properties": { "uniqueId": "u1", "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled",
                                "creationData": { "createOption": "Empty" }, "diskSizeGB": 200 } })
    }

    fn config(source: Value, options: Value) -> Result<Value> {
        build_snapshot_config_json(&source.to_string(), &options.to_string(), NOW)
            .map(|t| serde_json::from_str(&t).unwrap())
    }

    #[test]
    fn defaults_match_the_documented_flow() {
        let c = config(disk(), Value::Null).unwrap();
        assert_eq!(c["name"], "disk1-snap-20251125-050735");
        assert_eq!(c["apiVersion"], "2025-01-02");
        assert_eq!(
            c["body"],
            json!({ "location": "westus", "properties": {
                "creationData": { "createOption": "Copy", "sourceResourceId": DISK },
                "incremental": true, "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled" } })
        );
        assert!(c["id"].as_str().unwrap().ends_with("/snapshots/disk1-snap-20251125-050735"));
    }

    #[test]
    fn all_violations_are_reported_at_once() {
        let err = config(disk(), json!({ "name": "bad name", "sku": "Premium_LRS", "location": "eastus", "instantAccessDurationMinutes": 5 })).unwrap_err();
        let rules: Vec<&str> = err.violations.iter().map(|v| v.rule).collect();
        assert_eq!(rules, ["copy.sameRegion", "sku.incremental", "instantAccess.range", "name.chars"]);
        assert_eq!(err.field.as_deref(), Some("options.location"));
    }

    #[test]
    fn copy_start_rules() {
        let snap = json!({ "id": DISK.replace("disks/disk1", "snapshots/s1"), "type": "Microsoft.Compute/snapshots", "location": "westus",
                           "properties": { "incremental": true, "creationData": { "createOption": "Copy", "sourceResourceId": DISK } } });
        let c = config(snap.clone(), json!({ "location": "eastus" })).unwrap();
        assert_eq!(c["name"], "s1-eastus");
        assert_eq!(c["body"]["properties"]["creationData"]["createOption"], "CopyStart");
        let same = config(snap.clone(), json!({ "location": "West US" })).unwrap_err();
        assert_eq!(same.violations[0].rule, "copyStart.otherRegion");
        let old = config(snap, json!({ "location": "eastus", "apiVersion": "2020-12-01" })).unwrap_err();
        assert_eq!(old.violations[0].rule, "apiVersion.copyStart");
        let from_disk = config(disk(), json!({ "createOption": "CopyStart", "location": "eastus" })).unwrap_err();
        assert_eq!(from_disk.violations[0].rule, "copyStart.sourceSnapshot");
    }

    #[test]
    fn unknown_options_are_refused_by_name() {
        let err = config(disk(), json!({ "networkAccesPolicy": "DenyAll" })).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("options.networkAccesPolicy"));
    }

    #[test]
    fn default_names_fit_the_rules() {
        let long = "d".repeat(80);
        let n = default_snapshot_name(&long, NOW);
        assert_eq!(n.len(), 80);
        assert!(check_disk_or_snapshot_name(&n).is_ok());
        assert!(check_disk_or_snapshot_name(&default_copy_name(&long, "West Europe")).is_ok());
    }
}
