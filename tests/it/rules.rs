//! Every validation rule in one table: which builder, the options, and exactly the rule names
//! the violations must carry. Each rule name the code can report (`rules::ALL_RULES`, checked
//! against the sources) is asserted by at least one row.

use azure_incremental_snapshots::arm::ops::{immutability_body, PolicyAction};
use azure_incremental_snapshots::config::build_snapshot_config_json;
use azure_incremental_snapshots::restore::build_disk_config_json;
use azure_incremental_snapshots::retention::plan_retention_json;
use azure_incremental_snapshots::rules::ALL_RULES;
use azure_incremental_snapshots::template::build_snapshot_template_json;
use azure_incremental_snapshots::Error;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";
const NOW: i64 = 1_764_047_255_000;
const BLOB: &str = "https://acct.blob.core.windows.net/backups/disk1.vhd?sv=2022-11-02&sig=SECRETSIG";
const ACCOUNT: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";

/// Which builder a row runs, and for configs, from which source.
#[derive(Debug, Clone, Copy)]
enum Builder {
    /// `buildSnapshotConfig` from a Premium_LRS disk in westus, `networkAccessPolicy: AllowAll`.
    Disk,
    /// ... from an Ultra disk.
    UltraDisk,
    /// ... from a disk without a location.
    DiskWithoutLocation,
    /// ... from a disk object without an id.
    DiskWithoutId,
    /// ... from a virtual machine.
    Vm,
    /// ... from an incremental snapshot in westus.
    Snapshot,
    /// ... from a full snapshot in westus.
    FullSnapshot,
    /// `buildSnapshotTemplate`.
    Template,
    /// `planRetention` of a one-snapshot listing with this policy.
    Policy,
    /// `planRetention` with `{ "keepLast": 1 }` and these options.
    Retention,
    /// `setImmutabilityPolicy`'s options.
    Immutability,
    /// `buildDiskConfig` from a 128 GB snapshot in westus with 512-byte sectors.
    Restore,
    /// ... from a 4096-byte-sector snapshot.
    Restore4k,
    /// ... from a snapshot whose background copy is at 40%.
    RestorePending,
    /// ... from a snapshot id alone.
    RestoreById,
    /// ... from a disk object (not a snapshot).
    RestoreDisk,
    /// ... from a blob `{ sourceUri, storageAccountId }` and these options.
    RestoreBlob,
}
use Builder::*;

fn disk_id(sub: &str, name: &str) -> String {
    format!("{sub}/resourceGroups/rg/providers/Microsoft.Compute/disks/{name}")
}

fn source(builder: Builder) -> Value {
    let disk = |sku: &str| {
        json!({ "id": disk_id(SUB, "disk1"), "type": "Microsoft.Compute/disks", "location": "westus",
                "sku": { "name": sku }, "properties": { "networkAccessPolicy": "AllowAll" } })
    };
    let snapshot = |incremental: bool| {
        json!({ "id": format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1"),
                "type": "Microsoft.Compute/snapshots", "location": "westus",
                "properties": { "incremental": incremental } })
    };
    let mut s = match builder {
        Disk | DiskWithoutLocation | DiskWithoutId | Vm => disk("Premium_LRS"),
        UltraDisk => disk("UltraSSD_LRS"),
        Snapshot => snapshot(true),
        FullSnapshot => snapshot(false),
        Restore | RestorePending => restore_snapshot(512, 100.0),
        Restore4k => restore_snapshot(4096, 100.0),
        RestoreById => json!(format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1")),
        RestoreDisk => disk("PremiumV2_LRS"),
        Template | Policy | Retention | Immutability | RestoreBlob => Value::Null,
    };
    if let RestorePending = builder {
        s["properties"]["completionPercent"] = json!(40.0);
    }
    match builder {
        DiskWithoutLocation => drop(s.as_object_mut().unwrap().remove("location")),
        DiskWithoutId => drop(s.as_object_mut().unwrap().remove("id")),
        Vm => s["id"] = json!(format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1")),
        _ => {}
    }
    s
}

fn restore_snapshot(sector: i64, percent: f64) -> Value {
    json!({ "id": format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1"),
            "type": "Microsoft.Compute/snapshots", "location": "westus",
            "properties": { "incremental": true, "diskSizeGB": 128, "completionPercent": percent,
                            "creationData": { "createOption": "Copy", "logicalSectorSize": sector } } })
}

fn run(builder: Builder, options: &str) -> Result<String, Error> {
    match builder {
        // The options of a blob row are `{ source, options }`.
        RestoreBlob => {
            let v: Value = serde_json::from_str(options).unwrap();
            build_disk_config_json(&v["source"].to_string(), &v["options"].to_string())
        }
        Restore | Restore4k | RestorePending | RestoreById | RestoreDisk => {
            build_disk_config_json(&source(builder).to_string(), options)
        }
        Template => build_snapshot_template_json(options),
        Policy => plan_retention_json("[]", options, None),
        Retention => plan_retention_json("[]", r#"{"keepLast":1}"#, Some(options)),
        Immutability => immutability_body(options, PolicyAction::Set).map(|(_, body)| body),
        _ => build_snapshot_config_json(&source(builder).to_string(), options, NOW),
    }
}

/// The table: `(builder, options, rule names)`; an empty set means accepted.
fn table() -> Vec<(Builder, String, Vec<&'static str>)> {
    let d1 = json!(disk_id(SUB, "d1"));
    let d2 = json!(disk_id(SUB, "d2"));
    let other_sub = json!(disk_id("/subscriptions/11111111-1111-1111-1111-111111111111", "d3"));
    let access = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/diskAccesses/a1");
    let many_tags: serde_json::Map<String, Value> = (0..51).map(|i| (format!("t{i}"), json!("x"))).collect();
    let o = |v: Value| v.to_string();
    vec![
        // Accepted.
        (Disk, o(json!({})), vec![]),
        (Snapshot, o(json!({ "location": "eastus" })), vec![]),
        (Template, o(json!({})), vec![]),
        (Template, o(json!({ "disks": [d1, d2], "snapshotName": { "timestamp": true }, "outputs": true })), vec![]),
        // Options as a whole.
        (Disk, "[1]".into(), vec!["options.type"]),
        (Template, "5".into(), vec!["options.type"]),
        (Disk, "not json".into(), vec!["options.json"]),
        (Template, "{".into(), vec!["options.json"]),
        (Disk, o(json!({ "colour": "blue" })), vec!["options.unknown"]),
        (Template, o(json!({ "apiVerison": "2025-01-02" })), vec!["options.unknown"]),
        // apiVersion.
        (Disk, o(json!({ "apiVersion": 20250102 })), vec!["apiVersion.type"]),
        (Template, o(json!({ "apiVersion": true })), vec!["apiVersion.type"]),
        (Disk, o(json!({ "apiVersion": "latest" })), vec!["apiVersion.format"]),
        (Template, o(json!({ "apiVersion": "2025/01/02" })), vec!["apiVersion.format"]),
        (Disk, o(json!({ "apiVersion": "2018-09-30" })), vec!["apiVersion.incremental"]),
        (Template, o(json!({ "apiVersion": "2018-09-30" })), vec!["apiVersion.incremental"]),
        (Snapshot, o(json!({ "location": "eastus", "apiVersion": "2020-12-01" })), vec!["apiVersion.copyStart"]),
        (Disk, o(json!({ "publicNetworkAccess": "Enabled", "apiVersion": "2020-12-01" })), vec!["apiVersion.property"]),
        // The source.
        (DiskWithoutId, o(json!({})), vec!["source.id"]),
        (Vm, o(json!({})), vec!["source.type"]),
        // Names: one rule set for a snapshot's name and a template's fixed snapshotName.
        (Disk, o(json!({ "name": 5 })), vec!["name.type"]),
        (Disk, o(json!({ "name": "" })), vec!["name.length"]),
        (Template, o(json!({ "snapshotName": "n".repeat(81) })), vec!["name.length"]),
        (Disk, o(json!({ "name": "a b" })), vec!["name.chars"]),
        (Disk, o(json!({ "name": "-a" })), vec!["name.start"]),
        (Disk, o(json!({ "name": "a-" })), vec!["name.end"]),
        (Template, o(json!({ "snapshotName": "-a b." })), vec!["name.chars", "name.start", "name.end"]),
        (Disk, o(json!({ "resourceGroup": 5 })), vec!["resourceGroup.type"]),
        (Disk, o(json!({ "resourceGroup": "" })), vec!["resourceGroup.length"]),
        (Disk, o(json!({ "resourceGroup": "a/b" })), vec!["resourceGroup.chars"]),
        (Disk, o(json!({ "resourceGroup": "a." })), vec!["resourceGroup.end"]),
        // Region and create option.
        (Disk, o(json!({ "location": 5 })), vec!["location.type"]),
        (Template, o(json!({ "location": 5 })), vec!["location.type"]),
        (Disk, o(json!({ "location": "west/us" })), vec!["location.format", "copy.sameRegion"]),
        (Template, o(json!({ "location": "west/us" })), vec!["location.format"]),
        (Template, o(json!({ "location": "[parameters('region')]" })), vec![]),
        (DiskWithoutLocation, o(json!({})), vec!["location.required"]),
        (Disk, o(json!({ "createOption": 5 })), vec!["createOption.type"]),
        (Disk, o(json!({ "createOption": "Empty" })), vec!["createOption.supported"]),
        (Snapshot, o(json!({ "createOption": "Copy" })), vec!["copy.incrementalFromDisk"]),
        (Disk, o(json!({ "location": "eastus" })), vec!["copy.sameRegion"]),
        (Disk, o(json!({ "createOption": "CopyStart", "location": "eastus" })), vec!["copyStart.sourceSnapshot"]),
        (FullSnapshot, o(json!({ "location": "eastus" })), vec!["copyStart.sourceIncremental"]),
        (Snapshot, o(json!({ "location": "eastus", "incremental": false })), vec!["copyStart.incremental"]),
        (Snapshot, o(json!({})), vec!["copyStart.location"]),
        (Snapshot, o(json!({ "location": "West US" })), vec!["copyStart.otherRegion"]),
        (Snapshot, o(json!({ "location": "eastus", "provisionedBandwidthCopySpeed": 5 })), vec!["copySpeed.type"]),
        (Disk, o(json!({ "provisionedBandwidthCopySpeed": "Enhanced" })), vec!["copySpeed.copyStartOnly"]),
        // Incremental and sku.
        (Disk, o(json!({ "incremental": "no" })), vec!["incremental.type"]),
        (Template, o(json!({ "incremental": "true" })), vec!["incremental.type"]),
        (UltraDisk, o(json!({ "incremental": false })), vec!["incremental.requiredForSku"]),
        (Disk, o(json!({ "incremental": false, "sku": "Premium_LRS" })), vec![]),
        (Template, o(json!({ "incremental": false })), vec!["incremental.required"]),
        (Disk, o(json!({ "sku": 7 })), vec!["sku.type"]),
        (Template, o(json!({ "sku": 7 })), vec!["sku.type"]),
        (Disk, o(json!({ "sku": "Premium_LRS" })), vec!["sku.incremental"]),
        (Template, o(json!({ "sku": "Premium_LRS" })), vec!["sku.incremental"]),
        (Disk, o(json!({ "sku": "Gold" })), vec!["sku.name"]),
        (Template, o(json!({ "sku": "Gold" })), vec!["sku.name"]),
        // Tags: one rule set for both.
        (Disk, o(json!({ "tags": 5 })), vec!["tags.type"]),
        (Template, o(json!({ "tags": { "a": "x", "b": false } })), vec!["tags.type"]),
        (Disk, o(json!({ "tags": many_tags })), vec!["tags.count"]),
        (Template, o(json!({ "tags": many_tags })), vec!["tags.count"]),
        (Disk, o(json!({ "tags": { "": "x" } })), vec!["tags.nameLength"]),
        (Template, o(json!({ "tags": { "n".repeat(513): "x" } })), vec!["tags.nameLength"]),
        (Disk, o(json!({ "tags": { "a/b": "x" } })), vec!["tags.nameChars"]),
        (Template, o(json!({ "tags": { "a?": "x" } })), vec!["tags.nameChars"]),
        (Disk, o(json!({ "tags": { "a": "v".repeat(257) } })), vec!["tags.valueLength"]),
        (Template, o(json!({ "tags": { "a": "v".repeat(257) } })), vec!["tags.valueLength"]),
        // Network access.
        (Disk, o(json!({ "networkAccessPolicy": 5 })), vec!["networkAccessPolicy.type"]),
        (Disk, o(json!({ "networkAccessPolicy": "Open" })), vec!["networkAccessPolicy.value"]),
        (Disk, o(json!({ "diskAccessId": 5 })), vec!["diskAccessId.type"]),
        (Disk, o(json!({ "networkAccessPolicy": "AllowPrivate" })), vec!["diskAccessId.required"]),
        (Disk, o(json!({ "networkAccessPolicy": "AllowPrivate", "diskAccessId": "x" })), vec!["diskAccessId.format"]),
        (Disk, o(json!({ "networkAccessPolicy": "AllowPrivate", "diskAccessId": access })), vec![]),
        (Disk, o(json!({ "diskAccessId": access })), vec!["diskAccessId.policy"]),
        (Disk, o(json!({ "publicNetworkAccess": 5 })), vec!["publicNetworkAccess.type"]),
        (Disk, o(json!({ "publicNetworkAccess": "Maybe" })), vec!["publicNetworkAccess.value"]),
        (Disk, o(json!({ "dataAccessAuthMode": 5 })), vec!["dataAccessAuthMode.type"]),
        (Disk, o(json!({ "dataAccessAuthMode": "Maybe" })), vec!["dataAccessAuthMode.value"]),
        // Encryption and instant access.
        (Disk, o(json!({ "encryption": "CustomerKey" })), vec!["encryption.shape"]),
        (Disk, o(json!({ "encryption": { "diskEncryptionSetId": "x" } })), vec!["encryption.desId"]),
        (Disk, o(json!({ "encryption": { "diskEncryptionSetId": 5 } })), vec!["encryption.desId"]),
        (
            Disk,
            o(json!({ "encryption": { "type": "EncryptionAtRestWithCustomerKey" } })),
            vec!["encryption.desRequired"],
        ),
        (Disk, o(json!({ "encryption": { "type": "Rot13" } })), vec!["encryption.type"]),
        (Disk, o(json!({ "encryption": { "keyId": 1 } })), vec!["encryption.unknown"]),
        (Disk, o(json!({ "instantAccessDurationMinutes": "60" })), vec!["instantAccess.type"]),
        (Disk, o(json!({ "instantAccessDurationMinutes": 5 })), vec!["instantAccess.range"]),
        // Template disks and layout.
        (Template, o(json!({ "disk": { "name": "d" } })), vec!["disk.id"]),
        (Template, o(json!({ "disk": { "id": 5 } })), vec!["disk.id"]),
        (Template, o(json!({ "disk": "/subscriptions/x/../../evil" })), vec!["disk.id"]),
        (Template, o(json!({ "disk": 5 })), vec!["disk.shape"]),
        (Template, o(json!({ "disk": { "id": d1, "name": 5 } })), vec!["disk.shape"]),
        (Template, o(json!({ "disks": "d1" })), vec!["disks.type"]),
        (Template, o(json!({ "disk": d1, "disks": [d2] })), vec!["disks.both"]),
        (Template, o(json!({ "disks": [] })), vec!["disks.empty"]),
        (Template, o(json!({ "disks": [d1, d1] })), vec!["disks.unique"]),
        (Template, o(json!({ "disks": [d1, other_sub] })), vec!["disks.subscription"]),
        (Template, o(json!({ "layout": 5 })), vec!["layout.type"]),
        (Template, o(json!({ "layout": "diagonal" })), vec!["layout.value"]),
        (Template, o(json!({ "layout": "perDisk" })), vec!["layout.perDiskNeedsDisks"]),
        // Template naming and outputs.
        (Template, o(json!({ "snapshotName": 7 })), vec!["snapshotName.shape"]),
        (Template, o(json!({ "snapshotName": { "paramter": "x" } })), vec!["snapshotName.shape"]),
        (Template, o(json!({ "snapshotName": { "parameter": "x", "timestamp": true } })), vec!["snapshotName.shape"]),
        (Template, o(json!({ "snapshotName": { "parameter": "diskName" } })), vec!["snapshotName.parameterName"]),
        (Template, o(json!({ "snapshotName": { "parameter": "a-b" } })), vec!["snapshotName.parameterName"]),
        (Template, o(json!({ "snapshotName": { "expression": "x" } })), vec!["snapshotName.expression"]),
        (Template, o(json!({ "disks": [d1, d2], "snapshotName": "fixed" })), vec!["snapshotName.fixedNeedsOneDisk"]),
        (
            Template,
            o(json!({ "disks": [d1], "layout": "perDisk", "snapshotName": "[concat('a')]" })),
            vec!["snapshotName.expressionPerDisk"],
        ),
        (
            Template,
            o(json!({ "disks": [d1, d2], "snapshotName": "[concat('a')]" })),
            vec!["snapshotName.expressionNeedsCopyIndex"],
        ),
        (Template, o(json!({ "outputs": "yes" })), vec!["outputs.type"]),
        // Retention: the policy.
        (Policy, o(json!({ "keepDaily": 7 })), vec![]),
        (Policy, o(json!({ "keepWithin": "P1Y2M10DT2H30M" })), vec![]),
        (Policy, "[1]".into(), vec!["policy.type"]),
        (Policy, "{".into(), vec!["policy.json"]),
        (Policy, o(json!({ "keepDayly": 7 })), vec!["policy.unknown"]),
        (Policy, o(json!({})), vec!["policy.empty"]),
        (Policy, "null".into(), vec!["policy.empty"]),
        (Policy, o(json!({ "keepLast": 0, "keepWithin": "PT0S" })), vec!["policy.empty"]),
        (Policy, o(json!({ "keepLast": "3" })), vec!["keepCount.type"]),
        (Policy, o(json!({ "keepHourly": 1.5 })), vec!["keepCount.type"]),
        (Policy, o(json!({ "keepYearly": -1 })), vec!["keepCount.range"]),
        (Policy, o(json!({ "keepWithin": 7 })), vec!["keepWithin.type"]),
        (Policy, o(json!({ "keepWithin": "7d" })), vec!["keepWithin.format"]),
        (
            Policy,
            o(json!({ "keepLast": -1, "keepWeekly": [], "keepWithin": "P1.5D", "keepAll": true })),
            vec!["keepCount.range", "keepCount.type", "keepWithin.format", "policy.unknown"],
        ),
        // Retention: the options.
        (Retention, o(json!({ "lockTag": "keep", "includeOrphans": true, "disks": [] })), vec![]),
        (Retention, "5".into(), vec!["options.type"]),
        (Retention, o(json!({ "lockTags": "x" })), vec!["options.unknown"]),
        (Retention, o(json!({ "lockTag": 5 })), vec!["lockTag.type"]),
        (Retention, o(json!({ "lockTag": "" })), vec!["lockTag.empty"]),
        (Retention, o(json!({ "includeOrphans": "yes" })), vec!["includeOrphans.type"]),
        (Retention, o(json!({ "disks": {} })), vec!["disks.type"]),
        (Retention, o(json!({ "disks": [{ "id": d1 }, 5] })), vec!["disks.item"]),
        // Immutability: the days of a policy.
        (Immutability, o(json!({ "days": 7 })), vec![]),
        (Immutability, o(json!({})), vec!["days.required"]),
        (Immutability, o(json!({ "days": "7" })), vec!["days.type"]),
        (Immutability, o(json!({ "days": 0 })), vec!["days.range"]),
        (Immutability, o(json!({ "days": 146_001, "locked": true })), vec!["days.range", "options.unknown"]),
        // Restore: a disk from a snapshot (Copy) or from a blob (Import).
        (Restore, o(json!({ "name": "r1" })), vec![]),
        (Restore4k, o(json!({ "name": "r1", "sku": "PremiumV2_LRS", "zones": ["2"], "diskSizeGB": 256 })), vec![]),
        (Restore, o(json!({})), vec!["name.required"]),
        (Restore, o(json!({ "name": "r 1-" })), vec!["name.chars", "name.end"]),
        (Restore, o(json!({ "name": "r1", "zonez": ["1"] })), vec!["options.unknown"]),
        (Restore, o(json!({ "name": "r1", "location": "eastus" })), vec!["restore.sameRegion"]),
        (RestoreById, o(json!({ "name": "r1" })), vec!["location.required"]),
        (RestoreById, o(json!({ "name": "r1", "location": "westus" })), vec![]),
        (RestoreDisk, o(json!({ "name": "r1" })), vec!["source.type"]),
        (RestorePending, o(json!({ "name": "r1" })), vec!["source.pending"]),
        (Restore, o(json!({ "name": "r1", "diskSizeGB": "big" })), vec!["diskSize.type"]),
        (Restore, o(json!({ "name": "r1", "diskSizeGB": 0 })), vec!["diskSize.range", "diskSize.smaller"]),
        (Restore, o(json!({ "name": "r1", "diskSizeGB": 64 })), vec!["diskSize.smaller"]),
        (Restore, o(json!({ "name": "r1", "sku": "Gold_LRS" })), vec!["sku.name"]),
        (Restore4k, o(json!({ "name": "r1", "sku": "Premium_LRS" })), vec!["sectorSize.sku"]),
        (Restore4k, o(json!({ "name": "r1" })), vec!["sectorSize.sku"]),
        (Restore, o(json!({ "name": "r1", "zones": "1" })), vec!["zones.type"]),
        (Restore, o(json!({ "name": "r1", "zones": ["1", "2"] })), vec!["zones.count"]),
        (Restore, o(json!({ "name": "r1", "zones": ["4"] })), vec!["zones.value"]),
        (Restore, o(json!({ "name": "r1", "sku": "Premium_ZRS", "zones": ["1"] })), vec!["zones.zrs"]),
        (Restore, o(json!({ "name": "r1", "networkAccessPolicy": "Open" })), vec!["networkAccessPolicy.value"]),
        (Restore, o(json!({ "name": "r1", "tags": { "a/b": "c" } })), vec!["tags.nameChars"]),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": BLOB, "storageAccountId": ACCOUNT }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec![],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": 5, "storageAccountId": ACCOUNT }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["sourceUri.type"],
        ),
        (
            RestoreBlob,
            o(json!({ "source": { "storageAccountId": ACCOUNT }, "options": { "name": "r1", "location": "westus" } })),
            vec!["sourceUri.required"],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": "http://a.blob.core.windows.net/c/b", "storageAccountId": ACCOUNT }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["sourceUri.https"],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": "https://a.blob.core.windows.net/c", "storageAccountId": ACCOUNT }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["sourceUri.blob"],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": BLOB, "storageAccountId": 7 }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["storageAccountId.type"],
        ),
        (
            RestoreBlob,
            o(json!({ "source": { "sourceUri": BLOB }, "options": { "name": "r1", "location": "westus" } })),
            vec!["storageAccountId.required"],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": BLOB, "storageAccountId": disk_id(SUB, "d1") }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["storageAccountId.format"],
        ),
        (
            RestoreBlob,
            o(
                json!({ "source": { "sourceUri": BLOB, "storageAccountId": ACCOUNT, "sourceUrl": "x" }, "options": { "name": "r1", "location": "westus" } }),
            ),
            vec!["source.unknown"],
        ),
        (
            RestoreBlob,
            o(json!({ "source": { "sourceUri": BLOB, "storageAccountId": ACCOUNT }, "options": { "name": "r1" } })),
            vec!["location.required"],
        ),
    ]
}

#[test]
fn every_row_reports_exactly_its_rules() {
    let mut failures = Vec::new();
    for (builder, options, expected) in table() {
        let want: BTreeSet<&str> = expected.iter().copied().collect();
        let got: BTreeSet<&str> = match run(builder, &options) {
            Ok(_) => BTreeSet::new(),
            Err(e) if e.violations.is_empty() => {
                failures.push(format!("{builder:?} {options}: an error without violations: {e}"));
                continue;
            }
            Err(e) => e.violations.iter().map(|v| v.rule).collect(),
        };
        if got != want {
            failures.push(format!("{builder:?} {options}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_is_asserted_by_a_row() {
    let asserted: BTreeSet<&str> = table().into_iter().flat_map(|(_, _, rules)| rules).collect();
    let missing: Vec<&&str> = ALL_RULES.iter().filter(|r| !asserted.contains(**r)).collect();
    assert!(missing.is_empty(), "rules no row asserts: {missing:?}");
    let unknown: Vec<&&str> = asserted.iter().filter(|r| !ALL_RULES.contains(r)).collect();
    assert!(unknown.is_empty(), "rows assert rules that are not in ALL_RULES: {unknown:?}");
}

/// The validators' sources: every rule name they write is in `ALL_RULES`.
const SOURCES: &[(&str, &str)] = &[
    ("rules/mod.rs", include_str!("../../src/rules/mod.rs")),
    ("rules/immutability.rs", include_str!("../../src/rules/immutability.rs")),
    ("rules/names.rs", include_str!("../../src/rules/names.rs")),
    ("rules/options.rs", include_str!("../../src/rules/options.rs")),
    ("rules/region.rs", include_str!("../../src/rules/region.rs")),
    ("rules/sku.rs", include_str!("../../src/rules/sku.rs")),
    ("rules/tags.rs", include_str!("../../src/rules/tags.rs")),
    ("rules/text.rs", include_str!("../../src/rules/text.rs")),
    ("rules/version.rs", include_str!("../../src/rules/version.rs")),
    ("config/mod.rs", include_str!("../../src/config/mod.rs")),
    ("config/body.rs", include_str!("../../src/config/body.rs")),
    ("config/build.rs", include_str!("../../src/config/build.rs")),
    ("config/names.rs", include_str!("../../src/config/names.rs")),
    ("config/options.rs", include_str!("../../src/config/options.rs")),
    ("config/source.rs", include_str!("../../src/config/source.rs")),
    ("template/mod.rs", include_str!("../../src/template/mod.rs")),
    ("template/plan.rs", include_str!("../../src/template/plan.rs")),
    ("template/emit.rs", include_str!("../../src/template/emit.rs")),
    ("retention/mod.rs", include_str!("../../src/retention/mod.rs")),
    ("retention/duration.rs", include_str!("../../src/retention/duration.rs")),
    ("retention/plan.rs", include_str!("../../src/retention/plan.rs")),
    ("retention/policy.rs", include_str!("../../src/retention/policy.rs")),
    ("restore/mod.rs", include_str!("../../src/restore/mod.rs")),
    ("restore/build.rs", include_str!("../../src/restore/build.rs")),
    ("restore/options.rs", include_str!("../../src/restore/options.rs")),
    ("restore/source.rs", include_str!("../../src/restore/source.rs")),
];

/// String literals of the shape of a rule name, `"word.word"` (camelCase words).
fn rule_shaped_literals(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2).filter(|s| {
        s.split_once('.').is_some_and(|(a, b)| {
            let word = |w: &str| {
                w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && w.chars().all(|c| c.is_ascii_alphanumeric())
            };
            word(a) && word(b)
        })
    })
}

#[test]
fn every_rule_name_in_the_sources_is_listed() {
    let mut unlisted = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (file, text) in SOURCES {
        for literal in rule_shaped_literals(text) {
            // Fields are `options.<key>`; the three rules on options as a whole are listed.
            if ALL_RULES.contains(&literal) {
                seen.insert(literal);
            } else if !literal.starts_with("options.") {
                unlisted.insert(format!("{file}: {literal}"));
            }
        }
    }
    assert!(unlisted.is_empty(), "rule names missing from rules::ALL_RULES: {unlisted:?}");
    let unused: Vec<&&str> = ALL_RULES.iter().filter(|r| !seen.contains(**r)).collect();
    assert!(unused.is_empty(), "ALL_RULES lists rules no source writes: {unused:?}");
}

// --- Messages: ids and words are never cut in the middle ------------------------------------

#[test]
fn ids_in_messages_are_whole_or_cut_at_a_slash() {
    use azure_incremental_snapshots::error::excerpt;
    use azure_incremental_snapshots::ResourceId;
    // A long but ordinary disk id (about 200 characters) of the wrong type: quoted whole.
    let rg = "rg-production-westeurope-backups-0001";
    let name = "vm-database-primary-0001-datadisk-lun0-premium-ssd";
    let id = format!(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{rg}/providers/Microsoft.Compute/disks/{name}"
    );
    assert!(id.len() > 150);
    let e = ResourceId::parse_of_type(&id, "Microsoft.Compute/snapshots").unwrap_err();
    assert!(e.message.contains(&format!("\"{id}\"")), "{}", e.message);
    // A longer one is cut at a "/", with every segment shown whole or not at all.
    let long = format!("{id}/{}", ["segment-abcdefghij"; 12].join("/"));
    let e = ResourceId::parse(&format!("{long}/x")).unwrap_err();
    let quoted = e.message.split("(in resource id \"").nth(1).unwrap();
    let shown = quoted.split("…\"").next().unwrap();
    assert!(long.starts_with(&format!("{shown}/")), "cut at a slash: {}", e.message);
    // excerpt(): whole when short; else at the last boundary in reach; hard cut without one.
    assert_eq!(excerpt("abc def", 10), ("abc def", false));
    assert_eq!(excerpt("alpha beta gamma", 12), ("alpha beta", true));
    assert_eq!(excerpt("/a/bbbbbbbbbbbbbbbb", 8), ("/a/bbbbb", true));
    assert_eq!(excerpt("ééé/ééé/ééé", 9), ("ééé/ééé", true));
}

// --- buildSnapshotConfig from a disk id --------------------------------------------------------

#[test]
fn a_disk_id_builds_with_options_location_and_only_then() {
    use azure_incremental_snapshots::config::build_snapshot_config_from_disk_id_json;
    use azure_incremental_snapshots::ErrorCode;
    const NOW: i64 = 1_764_047_255_000; // 2025-11-25T05:07:35Z
    let id =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d1";
    let text = build_snapshot_config_from_disk_id_json(id, r#"{"location":"westeurope"}"#, NOW).unwrap();
    let c: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(c["name"], "d1-snap-20251125-050735");
    assert_eq!(c["resourceGroup"], "rg");
    assert_eq!(
        c["body"],
        json!({ "location": "westeurope", "properties": {
            "creationData": { "createOption": "Copy", "sourceResourceId": id }, "incremental": true } })
    );
    // No location: INVALID_ARGUMENT on options.location (the disk's region is not in its id).
    for options in ["null", "{}", r#"{"tags":{"a":"b"}}"#] {
        let e = build_snapshot_config_from_disk_id_json(id, options, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{options}");
        assert_eq!(e.field.as_deref(), Some("options.location"), "{options}");
        assert_eq!(e.violations[0].rule, "location.required");
    }
    // Not a disk id: a snapshot id (incremental or not is unknown), another type, no id at all.
    let snap = id.replace("disks/d1", "snapshots/s1");
    let e = build_snapshot_config_from_disk_id_json(&snap, r#"{"location":"westeurope"}"#, NOW).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("disk")));
    let vm = id.replace("disks/d1", "virtualMachines/vm1");
    let e = build_snapshot_config_from_disk_id_json(&vm, r#"{"location":"westeurope"}"#, NOW).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidResourceId, Some("disk")));
    let e = build_snapshot_config_from_disk_id_json("not an id", r#"{"location":"westeurope"}"#, NOW).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidResourceId, Some("disk")));
    // The options' own rules still apply.
    let e = build_snapshot_config_from_disk_id_json(id, r#"{"location":"westeurope","sku":"Premium_LRS"}"#, NOW)
        .unwrap_err();
    assert_eq!(e.violations[0].rule, "sku.incremental");
}
