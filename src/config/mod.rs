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
//!
//! Modules: `options` (reading [`SnapshotOptions`]), `source` ([`SnapshotSource`]), `build` (the
//! validation and the body, in named steps), `body` (the [`SnapshotConfig`] types), `names`
//! (default names). The rules shared with templates live in `crate::rules`.

mod body;
mod build;
mod names;
mod options;
mod source;

pub use crate::rules::region::same_region;
pub use body::{CreationBody, EncryptionBody, PropertiesBody, SkuBody, SnapshotConfig, SnapshotRequestBody};
pub use names::{default_copy_name, default_snapshot_name};
pub use options::{EncryptionOptions, SnapshotOptions};
pub use source::{SnapshotSource, SourceKind};

use crate::error::Result;

use build::build_checked;

/// Builds and validates the request for a new snapshot of `source` at time `now_ms`
/// (milliseconds since the Unix epoch, used for the default name only).
pub fn build_snapshot_config(
    source: &SnapshotSource,
    options: &SnapshotOptions,
    now_ms: i64,
) -> Result<SnapshotConfig> {
    build_checked(source, options, now_ms, Vec::new())
}

/// `buildSnapshotConfig` on JSON: source and options as JSON values, the config as JSON text.
pub fn build_snapshot_config_json(source: &str, options: &str, now_ms: i64) -> Result<String> {
    build_json(SnapshotSource::from_json_text(source), options, now_ms)
}

/// `buildSnapshotConfig(diskId, options)`: a disk known by its id only; `options.location` is
/// required (the disk's region is not in its id) and the disk's network settings are not carried over.
pub fn build_snapshot_config_from_disk_id_json(disk_id: &str, options: &str, now_ms: i64) -> Result<String> {
    build_json(SnapshotSource::from_disk_id(disk_id), options, now_ms)
}

fn build_json(source: Result<SnapshotSource>, options: &str, now_ms: i64) -> Result<String> {
    let (options, refused) = SnapshotOptions::read(options)?;
    let source = match source {
        Ok(s) => s,
        Err(e) if refused.is_empty() => return Err(e),
        // The options' own problems first, as when they were read on their own.
        Err(_) => return Err(options::own_error(&options, refused)),
    };
    let config = build_checked(&source, &options, now_ms, refused)?;
    Ok(config.to_json())
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
    fn the_hand_written_config_is_what_serde_writes() {
        use crate::models::*;
        let mut tags = Tags::new();
        tags.insert("b\"q".into(), "v\u{1}é".into());
        tags.insert("a".into(), "".into());
        let full = SnapshotConfig {
            id: DISK.into(),
            name: "n".into(),
            resource_group: "rg".into(),
            api_version: Default::default(),
            body: SnapshotRequestBody {
                location: Some("westus".into()),
                tags: Some(tags),
                sku: Some(SkuBody { name: SnapshotSkuName::parse("Standard_ZRS") }),
                extended_location: Some("{ \"name\" : \"z\",\"type\":\"EdgeZone\" }".into()),
                properties: PropertiesBody {
                    creation_data: CreationBody {
                        create_option: CreateOption::CopyStart,
                        source_resource_id: DISK.into(),
                        instant_access_duration_minutes: Some(-60),
                        provisioned_bandwidth_copy_speed: Some(ProvisionedBandwidthCopySpeed::parse("Enhanced")),
                    },
                    incremental: true,
                    encryption: Some(EncryptionBody {
                        disk_encryption_set_id: Some("des".into()),
                        encryption_type: Some(EncryptionType::parse("x")),
                    }),
                    network_access_policy: Some(NetworkAccessPolicy::parse("DenyAll")),
                    disk_access_id: Some("da".into()),
                    public_network_access: Some(PublicNetworkAccess::parse("Disabled")),
                    data_access_auth_mode: Some(DataAccessAuthMode::parse("AzureActiveDirectory")),
                },
            },
        };
        assert_eq!(full.to_json(), serde_json::to_string(&full).unwrap());
        let mut bare = full.clone();
        bare.body.location = None;
        bare.body.tags = Some(Tags::new());
        bare.body.sku = None;
        bare.body.extended_location = None;
        let p = &mut bare.body.properties;
        p.creation_data.instant_access_duration_minutes = None;
        p.creation_data.provisioned_bandwidth_copy_speed = None;
        p.incremental = false;
        p.network_access_policy = None;
        p.disk_access_id = None;
        p.public_network_access = None;
        p.data_access_auth_mode = None;
        for enc in [None, Some((None, None)), Some((None, Some("t"))), Some((Some("d"), None))] {
            bare.body.properties.encryption = enc.map(|(d, t): (Option<&str>, Option<&str>)| EncryptionBody {
                disk_encryption_set_id: d.map(str::to_string),
                encryption_type: t.map(EncryptionType::parse),
            });
            assert_eq!(bare.to_json(), serde_json::to_string(&bare).unwrap());
            assert_eq!(bare.body.to_json(), serde_json::to_string(&bare.body).unwrap());
        }
        // The edge zone verbatim, as the source wrote it.
        let mut d = disk();
        d["extendedLocation"] = json!({ "type": "EdgeZone", "name": "z1" });
        let text = d.to_string().replace("\"extendedLocation\":{", "\"extendedLocation\" :  {");
        let source = SnapshotSource::from_json_text(&text).unwrap();
        assert_eq!(source.extended_location.as_deref(), Some(r#"{"name":"z1","type":"EdgeZone"}"#));
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
