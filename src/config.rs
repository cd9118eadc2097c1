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
    CreateOption, CreationData, DataAccessAuthMode, Disk, Encryption, EncryptionType,
    NetworkAccessPolicy, ProvisionedBandwidthCopySpeed, PublicNetworkAccess, Snapshot,
    SnapshotProperties, SnapshotSku, SnapshotSkuName, Tags,
};
use crate::resource_id::{
    check_disk_or_snapshot_name, check_resource_group_name, ResourceId, SNAPSHOTS,
};
use crate::time::utc_parts;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of [`build_snapshot_config`]; every field is optional. JSON names are camelCase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EncryptionOptions {
    /// Disk encryption set id.
    pub disk_encryption_set_id: Option<String>,
    /// Encryption type.
    #[serde(rename = "type")]
    pub encryption_type: Option<EncryptionType>,
}

impl SnapshotOptions {
    /// Reads options from JSON (`null` means none). Unknown keys are refused, so a typo such
    /// as `networkAccesPolicy` is an error rather than silently ignored.
    pub fn from_json(value: &Value) -> Result<SnapshotOptions> {
        if value.is_null() {
            return Ok(SnapshotOptions::default());
        }
        SnapshotOptions::deserialize(value).map_err(|e| {
            let msg = e.to_string();
            let field = unknown_field_name(&msg)
                .map(|f| format!("options.{f}"))
                .unwrap_or_else(|| "options".into());
            Error::invalid_argument(field, format!("invalid snapshot options: {msg}"))
        })
    }
}

/// serde's "unknown field `x`" message → `x`.
pub(crate) fn unknown_field_name(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("unknown field `")?;
    rest.split('`').next()
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
    pub body: Snapshot,
}

/// The source of a new snapshot: a disk, or a snapshot to copy to another region.
#[derive(Debug, Clone)]
pub enum SnapshotSource {
    /// A managed disk (`createOption: Copy`).
    Disk(Disk),
    /// An existing snapshot (`createOption: CopyStart` to another region, or a full `Copy`).
    Snapshot(Snapshot),
}

impl SnapshotSource {
    /// Reads a disk or snapshot object; which one is told by `type`, else by the id.
    pub fn from_json(value: &Value) -> Result<SnapshotSource> {
        let Some(obj) = value.as_object() else {
            return Err(Error::invalid_argument(
                "source",
                "expected a disk or snapshot object as ARM returns it",
            ));
        };
        let id = obj.get("id").and_then(Value::as_str);
        let ty = obj.get("type").and_then(Value::as_str);
        let is_snapshot = match ty {
            Some(t) => t.eq_ignore_ascii_case(SNAPSHOTS),
            None => id
                .and_then(|i| ResourceId::parse(i).ok())
                .is_some_and(|i| i.is_snapshot()),
        };
        if is_snapshot {
            Snapshot::deserialize(value)
                .map(SnapshotSource::Snapshot)
                .map_err(|e| {
                    Error::invalid_json(
                        "source",
                        format!("the snapshot object does not match ARM's shape: {e}"),
                    )
                })
        } else {
            Disk::deserialize(value)
                .map(SnapshotSource::Disk)
                .map_err(|e| {
                    Error::invalid_json(
                        "disk",
                        format!("the disk object does not match ARM's shape: {e}"),
                    )
                })
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            SnapshotSource::Disk(d) => d.id.as_deref(),
            SnapshotSource::Snapshot(s) => s.id.as_deref(),
        }
    }

    fn location(&self) -> Option<&str> {
        match self {
            SnapshotSource::Disk(d) => d.location.as_deref(),
            SnapshotSource::Snapshot(s) => s.location.as_deref(),
        }
    }

    fn field(&self) -> &'static str {
        match self {
            SnapshotSource::Disk(_) => "disk",
            SnapshotSource::Snapshot(_) => "source",
        }
    }
}

/// Collects violations; `check` records one when a condition fails.
#[derive(Default)]
struct Violations(Vec<Violation>);

impl Violations {
    fn add(&mut self, field: &str, rule: &'static str, message: impl Into<String>) {
        self.0.push(Violation {
            field: field.to_string(),
            rule,
            message: message.into(),
        });
    }
}

/// Builds and validates the request for a new snapshot of `source` at time `now_ms`
/// (milliseconds since the Unix epoch, used for the default name only).
pub fn build_snapshot_config(
    source: &SnapshotSource,
    options: &SnapshotOptions,
    now_ms: i64,
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
    let source_id = match source.id() {
        None => {
            v.add(
                &format!("{src_field}.id"),
                "source.id",
                "the source has no id; pass the object ARM returned",
            );
            None
        }
        Some(raw) => match ResourceId::parse(raw) {
            Ok(id) if id.is_disk() || id.is_snapshot() => Some(id),
            Ok(_) => {
                v.add(
                    &format!("{src_field}.id"),
                    "source.type",
                    "the source must be a Microsoft.Compute disk or snapshot",
                );
                None
            }
            Err(e) => {
                v.add(&format!("{src_field}.id"), "source.id", e.message);
                None
            }
        },
    };

    let create_option = options.create_option.clone().unwrap_or(match source {
        SnapshotSource::Disk(_) => CreateOption::Copy,
        SnapshotSource::Snapshot(_) => CreateOption::CopyStart,
    });
    let incremental = options.incremental.unwrap_or(true);
    if !at_least(&api_version, api_version::MIN_INCREMENTAL) && incremental {
        v.add(
            "options.apiVersion",
            "apiVersion.incremental",
            format!(
                "incremental snapshots need api-version {} or later",
                api_version::MIN_INCREMENTAL
            ),
        );
    }

    let source_location = source.location();
    let mut location = options
        .location
        .clone()
        .or_else(|| source_location.map(str::to_string));
    match &create_option {
        CreateOption::Copy => {
            if let (SnapshotSource::Snapshot(_), true) = (source, incremental) {
                v.add("options.incremental", "copy.incrementalFromDisk", "an incremental snapshot is taken of a disk; to copy a snapshot to another region use createOption CopyStart");
            }
            if let (Some(want), Some(have)) = (&options.location, source_location) {
                if !same_region(want, have) {
                    v.add("options.location", "copy.sameRegion", format!("a Copy snapshot is created in the source's region ({have}); use CopyStart to copy an incremental snapshot to {want}"));
                }
            }
        }
        CreateOption::CopyStart => {
            match source {
                SnapshotSource::Disk(_) => v.add(src_field, "copyStart.sourceSnapshot", "CopyStart copies an incremental snapshot, not a disk (ARM answers InvalidParameter)"),
                SnapshotSource::Snapshot(s) => {
                    if !s.is_incremental() {
                        v.add("source.properties.incremental", "copyStart.sourceIncremental", "only incremental snapshots can be copied across regions");
                    }
                }
            }
            if !incremental {
                v.add(
                    "options.incremental",
                    "copyStart.incremental",
                    "a CopyStart copy is incremental",
                );
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
                    format!(
                        "CopyStart needs api-version {} or later",
                        api_version::MIN_COPY_START
                    ),
                );
            }
        }
        other => v.add(
            "options.createOption",
            "createOption.supported",
            format!(
                "createOption {other} does not make a snapshot of a disk; use Copy or CopyStart"
            ),
        ),
    }
    if options.provisioned_bandwidth_copy_speed.is_some()
        && create_option != CreateOption::CopyStart
    {
        v.add(
            "options.provisionedBandwidthCopySpeed",
            "copySpeed.copyStartOnly",
            "provisionedBandwidthCopySpeed applies to CopyStart only",
        );
    }

    match &location {
        Some(l) if !is_region_name(l) => v.add(
            "options.location",
            "location.format",
            format!("{l:?} is not an Azure region name such as westeurope"),
        ),
        None if create_option != CreateOption::CopyStart => v.add(
            &format!("{src_field}.location"),
            "location.required",
            "the source has no location; pass options.location",
        ),
        _ => {}
    }

    if let SnapshotSource::Disk(d) = source {
        if !incremental && d.sku_name().is_some_and(|s| s.has_background_copy()) {
            v.add(
                "options.incremental",
                "incremental.requiredForSku",
                "Premium SSD v2 and Ultra disks only support incremental snapshots",
            );
        }
    }

    if let Some(sku) = &options.sku {
        match sku {
            SnapshotSkuName::PremiumLrs if incremental => v.add("options.sku", "sku.incremental", "incremental snapshots are always stored on standard storage; Premium_LRS makes no sense for them (use Standard_ZRS or Standard_LRS, or leave it out)"),
            SnapshotSkuName::Other(s) => v.add("options.sku", "sku.name", format!("unknown snapshot sku {s:?}; use Standard_LRS, Standard_ZRS or Premium_LRS")),
            _ => {}
        }
    }

    // Network settings: options win, else the disk's are carried over.
    let disk_props = match source {
        SnapshotSource::Disk(d) => d.properties.as_ref().map(|p| {
            (
                p.network_access_policy.clone(),
                p.disk_access_id.clone(),
                p.public_network_access.clone(),
                p.data_access_auth_mode.clone(),
            )
        }),
        SnapshotSource::Snapshot(s) => s.properties.as_ref().map(|p| {
            (
                p.network_access_policy.clone(),
                p.disk_access_id.clone(),
                p.public_network_access.clone(),
                p.data_access_auth_mode.clone(),
            )
        }),
    };
    let (d_nap, d_access, d_pna, d_daam) = disk_props.unwrap_or_default();
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
            format!("unknown policy {p:?}; use AllowAll, AllowPrivate or DenyAll"),
        );
    }
    if network_access_policy == Some(NetworkAccessPolicy::AllowPrivate) && disk_access_id.is_none()
    {
        v.add(
            "options.diskAccessId",
            "diskAccessId.required",
            "networkAccessPolicy AllowPrivate needs a diskAccessId",
        );
    }
    if let Some(a) = &disk_access_id {
        if !ResourceId::parse(a).is_ok_and(|i| i.is_type("Microsoft.Compute/diskAccesses")) {
            v.add(
                "options.diskAccessId",
                "diskAccessId.format",
                "diskAccessId must be a Microsoft.Compute/diskAccesses resource id",
            );
        }
        if network_access_policy.is_some()
            && network_access_policy != Some(NetworkAccessPolicy::AllowPrivate)
        {
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
            format!("unknown value {p:?}; use Enabled or Disabled"),
        );
    }
    if let Some(DataAccessAuthMode::Other(p)) = &data_access_auth_mode {
        v.add(
            "options.dataAccessAuthMode",
            "dataAccessAuthMode.value",
            format!("unknown value {p:?}; use AzureActiveDirectory or None"),
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
        (
            options.data_access_auth_mode.is_some(),
            "options.dataAccessAuthMode",
            api_version::MIN_DATA_ACCESS_AUTH_MODE,
        ),
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
                v.add("options.encryption.diskEncryptionSetId", "encryption.desId", "diskEncryptionSetId must be a Microsoft.Compute/diskEncryptionSets resource id");
            }
        }
        match &e.encryption_type {
            Some(EncryptionType::CustomerKey | EncryptionType::PlatformAndCustomerKeys) if e.disk_encryption_set_id.is_none() => {
                v.add("options.encryption.diskEncryptionSetId", "encryption.desRequired", "customer-managed keys need a diskEncryptionSetId");
            }
            Some(EncryptionType::Other(t)) => v.add("options.encryption.type", "encryption.type", format!("unknown encryption type {t:?}")),
            _ => {}
        }
        Encryption { disk_encryption_set_id: e.disk_encryption_set_id.clone(), encryption_type: e.encryption_type.clone(), extra: Default::default() }
    });

    if let Some(m) = options.instant_access_duration_minutes {
        if !(60..=300).contains(&m) {
            v.add(
                "options.instantAccessDurationMinutes",
                "instantAccess.range",
                "instantAccessDurationMinutes must be between 60 and 300",
            );
        }
    }
    if let Some(tags) = &options.tags {
        check_tags(tags, &mut v);
    }

    let resource_group = options.resource_group.clone().or_else(|| {
        source_id
            .as_ref()
            .and_then(|i| i.resource_group_name().map(str::to_string))
    });
    if let Some(rg) = &options.resource_group {
        if let Err(msg) = check_resource_group_name(rg) {
            v.add("options.resourceGroup", "resourceGroup.name", msg);
        }
    }
    let name = match &options.name {
        Some(n) => {
            if let Err(msg) = check_disk_or_snapshot_name(n) {
                v.add("options.name", "name.rules", msg);
            }
            n.clone()
        }
        None => {
            let base = source_id
                .as_ref()
                .and_then(|i| i.name())
                .unwrap_or("snapshot");
            match (&create_option, &location) {
                (CreateOption::CopyStart, Some(l)) => default_copy_name(base, l),
                _ => default_snapshot_name(base, now_ms),
            }
        }
    };

    let target = match (&source_id, &resource_group) {
        (Some(sid), Some(rg)) => {
            ResourceId::compute(sid.subscription_id(), rg, "snapshots", &name).ok()
        }
        _ => None,
    };
    Error::from_violations(v.0)?;
    let (Some(source_id), Some(target)) = (source_id, target) else {
        return Err(Error::invalid_argument(
            src_field,
            "the source id or target name is not usable",
        ));
    };

    let extended_location = match source {
        SnapshotSource::Disk(d) if create_option == CreateOption::Copy => {
            d.extended_location.clone()
        }
        _ => None,
    };
    let body = Snapshot {
        location,
        tags: options.tags.clone(),
        sku: options.sku.clone().map(|name| SnapshotSku {
            name: Some(name),
            tier: None,
            extra: Default::default(),
        }),
        extended_location,
        properties: Some(SnapshotProperties {
            creation_data: Some(CreationData {
                create_option: Some(create_option),
                source_resource_id: Some(source_id.to_string()),
                instant_access_duration_minutes: options.instant_access_duration_minutes,
                provisioned_bandwidth_copy_speed: options.provisioned_bandwidth_copy_speed.clone(),
                ..CreationData::default()
            }),
            incremental: Some(incremental),
            encryption,
            network_access_policy,
            disk_access_id,
            public_network_access,
            data_access_auth_mode,
            ..SnapshotProperties::default()
        }),
        ..Snapshot::default()
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
    let suffix = format!(
        "-snap-{:04}{:02}{:02}-{:02}{:02}{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    format!("{}{suffix}", shorten(disk_name, 80 - suffix.len()))
}

/// `<source>-<region>` for a cross-region copy, shortened to fit.
pub fn default_copy_name(source_name: &str, region: &str) -> String {
    let region: String = region
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
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

/// `West Europe` and `westeurope` are the same region.
pub fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// ARM's tag rules: at most 50, names ≤ 512 without `<>%&\?/`, values ≤ 256.
fn check_tags(tags: &Tags, v: &mut Violations) {
    if tags.len() > 50 {
        v.add("options.tags", "tags.count", "at most 50 tags per resource");
    }
    for (k, val) in tags {
        let field = format!("options.tags.{k}");
        if k.is_empty() || k.chars().count() > 512 {
            v.add(
                &field,
                "tags.nameLength",
                "tag names are 1 to 512 characters",
            );
        }
        if k.chars()
            .any(|c| matches!(c, '<' | '>' | '%' | '&' | '\\' | '?' | '/') || c.is_control())
        {
            v.add(
                &field,
                "tags.nameChars",
                "tag names may not contain < > % & \\ ? /",
            );
        }
        if val.chars().count() > 256 {
            v.add(
                &field,
                "tags.valueLength",
                "tag values are at most 256 characters",
            );
        }
    }
}

/// `buildSnapshotConfig` on JSON: source and options as JSON values, the config as JSON text.
pub fn build_snapshot_config_json(source: &Value, options: &Value, now_ms: i64) -> Result<String> {
    let options = SnapshotOptions::from_json(options)?;
    let source = SnapshotSource::from_json(source)?;
    let config = build_snapshot_config(&source, &options, now_ms)?;
    serde_json::to_string(&config)
        .map_err(|e| Error::invalid_argument("options", format!("cannot write the config: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DISK: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1";
    const NOW: i64 = 1_764_047_255_000; // 2025-11-25T05:07:35Z

    fn disk() -> Value {
        json!({ "id": DISK, "name": "disk1", "type": "Microsoft.Compute/disks", "location": "westus",
                "sku": { "name": "Premium_LRS", "tier": "Premium" },
                "properties": { "uniqueId": "u1", "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled",
                                "creationData": { "createOption": "Empty" }, "diskSizeGB": 200 } })
    }

    fn config(source: Value, options: Value) -> Result<Value> {
        build_snapshot_config_json(&source, &options, NOW)
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
        assert!(c["id"]
            .as_str()
            .unwrap()
            .ends_with("/snapshots/disk1-snap-20251125-050735"));
    }

    #[test]
    fn all_violations_are_reported_at_once() {
        let err = config(disk(), json!({ "name": "bad name", "sku": "Premium_LRS", "location": "eastus", "instantAccessDurationMinutes": 5 })).unwrap_err();
        let rules: Vec<&str> = err.violations.iter().map(|v| v.rule).collect();
        assert_eq!(
            rules,
            [
                "copy.sameRegion",
                "sku.incremental",
                "instantAccess.range",
                "name.rules"
            ]
        );
        assert_eq!(err.field.as_deref(), Some("options.location"));
    }

    #[test]
    fn copy_start_rules() {
        let snap = json!({ "id": DISK.replace("disks/disk1", "snapshots/s1"), "type": "Microsoft.Compute/snapshots", "location": "westus",
                           "properties": { "incremental": true, "creationData": { "createOption": "Copy", "sourceResourceId": DISK } } });
        let c = config(snap.clone(), json!({ "location": "eastus" })).unwrap();
        assert_eq!(c["name"], "s1-eastus");
        assert_eq!(
            c["body"]["properties"]["creationData"]["createOption"],
            "CopyStart"
        );
        let same = config(snap.clone(), json!({ "location": "West US" })).unwrap_err();
        assert_eq!(same.violations[0].rule, "copyStart.otherRegion");
        let old = config(
            snap,
            json!({ "location": "eastus", "apiVersion": "2020-12-01" }),
        )
        .unwrap_err();
        assert_eq!(old.violations[0].rule, "apiVersion.copyStart");
        let from_disk = config(
            disk(),
            json!({ "createOption": "CopyStart", "location": "eastus" }),
        )
        .unwrap_err();
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
