//! The official REST examples and recorded real ARM traffic as parse and filter fixtures.

use azure_incremental_snapshots::config::{SnapshotSource, SourceKind};
use azure_incremental_snapshots::filter::DiskIdentity;
use azure_incremental_snapshots::filter::{filter_incremental_snapshots_json, group_snapshot_chains_json};
use azure_incremental_snapshots::models::NetworkAccessPolicy;
use azure_incremental_snapshots::resource_id::ids_equal;
use azure_incremental_snapshots::scan::read_listing_str;
use serde_json::Value;
use std::path::PathBuf;

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn fixture(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

const EXAMPLES: &str =
    "rest/specification/compute/resource-manager/Microsoft.Compute/DiskRP/stable/2025-01-02/examples";
const EXAMPLES_2026: &str =
    "rest/specification/compute/resource-manager/Microsoft.Compute/Compute/ComputeDisk/examples/2026-03-02";

fn example(rel: &str) -> Value {
    fixture(&format!("{EXAMPLES}/{rel}"))
}

/// Every response body of an example file (status → body).
fn bodies(example: &Value) -> Vec<Value> {
    example["responses"]
        .as_object()
        .map(|r| r.values().filter_map(|v| v.get("body").cloned()).collect())
        .unwrap_or_default()
}

/// A snapshot body as the code reads it: the scanner's view (what the filter, the grouping and
/// the listing read), verbatim and with the fields ARM sent, and, for a resource ARM returned,
/// the source view a cross-region copy reads.
fn reads_as_snapshot(body: &Value) {
    let text = format!("[{body}]");
    let listing = read_listing_str(&text).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(listing.candidates.len(), 1);
    let s = &listing.candidates[0];
    assert_eq!(s.raw, body.to_string(), "kept verbatim");
    let props = &body["properties"];
    let creation = &props["creationData"];
    assert_eq!(s.id.as_deref(), body["id"].as_str());
    assert_eq!(s.name.as_deref(), body["name"].as_str());
    assert_eq!(s.incremental, props["incremental"] == true);
    assert_eq!(s.create_option.as_deref(), creation["createOption"].as_str());
    assert_eq!(s.source_resource_id.as_deref(), creation["sourceResourceId"].as_str());
    assert_eq!(s.source_unique_id.as_deref(), creation["sourceUniqueId"].as_str());
    assert_eq!(s.family_id.as_deref(), props["incrementalSnapshotFamilyId"].as_str());
    assert_eq!(s.time_created.as_deref(), props["timeCreated"].as_str());
    assert_eq!(s.created_at.is_some(), s.time_created.is_some(), "timeCreated {:?} parses", s.time_created);
    assert_eq!(s.completion_percent, props["completionPercent"].as_f64());
    if body.get("type").is_some() {
        let source = SnapshotSource::from_json_text(&body.to_string()).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert!(matches!(source.kind, SourceKind::Snapshot));
        assert_eq!(source.id.as_deref(), body["id"].as_str());
        assert_eq!(source.location.as_deref(), body["location"].as_str());
    }
}

/// A disk body as the code reads it: its identity (id and uniqueId, what the filter needs) and
/// the source view a new snapshot reads.
fn reads_as_disk(body: &Value) -> SnapshotSource {
    if let Some(unique) = body["properties"]["uniqueId"].as_str() {
        let disk = DiskIdentity::from_disk_json(&body.to_string()).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(disk.unique_id, unique);
        assert!(ids_equal(&disk.id, body["id"].as_str().unwrap()));
    }
    let source = SnapshotSource::from_json_text(&body.to_string()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(matches!(source.kind, SourceKind::Disk));
    assert_eq!(source.id.as_deref(), body["id"].as_str());
    assert_eq!(source.location.as_deref(), body["location"].as_str());
    assert_eq!(source.disk_sku.as_ref().map(|s| s.as_str()), body["sku"]["name"].as_str());
    source
}

#[test]
fn every_official_snapshot_example_reads_into_the_views_the_code_uses() {
    let files = [
        "snapshotExamples/Snapshot_Get.json",
        "snapshotExamples/Snapshot_GetIncrementalSnapshot.json",
        "snapshotExamples/Snapshot_Create_FromAnExistingSnapshot.json",
        "snapshotExamples/Snapshot_Create_FromAnExistingSnapshotInDifferentRegion.json",
        "snapshotExamples/Snapshot_Create_EnhancedProvisionedBandwidthCopySpeed.json",
        "snapshotExamples/Snapshot_Create_InstantAccessSnapshot.json",
    ];
    let mut seen = 0;
    for f in files {
        for body in bodies(&example(f)) {
            reads_as_snapshot(&body);
            seen += 1;
        }
        let request = &example(f)["parameters"]["snapshot"];
        if request.is_object() {
            reads_as_snapshot(request);
        }
    }
    assert!(seen >= 6, "{seen}");
    let newer = fixture(&format!("{EXAMPLES_2026}/snapshotExamples/Snapshot_GetIncrementalSnapshot.json"));
    for body in bodies(&newer) {
        reads_as_snapshot(&body);
        assert!(body["properties"].get("snapshotAccessState").is_some(), "2026-03-02 adds snapshotAccessState");
    }
}

#[test]
fn list_examples_read_item_by_item_verbatim() {
    for f in ["snapshotExamples/Snapshot_ListByResourceGroup.json", "snapshotExamples/Snapshot_ListBySubscription.json"]
    {
        for body in bodies(&example(f)) {
            let text = body.to_string();
            let listing = read_listing_str(&text).unwrap();
            let value = body["value"].as_array().unwrap();
            assert!(!value.is_empty());
            assert_eq!(listing.item_count, value.len());
            for (s, v) in listing.candidates.iter().zip(value) {
                assert_eq!(&serde_json::from_str::<Value>(s.raw).unwrap(), v);
            }
        }
    }
}

#[test]
fn disk_examples_read_with_open_enums() {
    for f in ["diskExamples/Disk_Get.json", "diskExamples/Disk_Create_ByCopyingASnapshot.json"] {
        for body in bodies(&example(f)) {
            reads_as_disk(&body);
        }
    }
    // The official incremental-snapshot example writes "0" where enums are expected: kept, not refused.
    let body = &bodies(&example("snapshotExamples/Snapshot_GetIncrementalSnapshot.json"))[0];
    let source = SnapshotSource::from_json_text(&body.to_string()).unwrap();
    assert_eq!(source.network_access_policy, Some(NetworkAccessPolicy::Other("0".into())));
}

#[test]
fn recorded_resources_read_into_the_views_the_code_uses() {
    let rec = fixture("recordings/azure-cli.completion-percent.json");
    let mut n = 0;
    for i in rec["interactions"].as_array().unwrap() {
        let body = &i["response"]["body"];
        if body.get("type").and_then(Value::as_str) == Some("Microsoft.Compute/snapshots") {
            reads_as_snapshot(body);
            n += 1;
        } else if body.get("type").and_then(Value::as_str) == Some("Microsoft.Compute/disks") {
            assert!(body["properties"]["uniqueId"].is_string());
            reads_as_disk(body);
            n += 1;
        }
    }
    assert!(n >= 4, "{n}");
}

/// The official list example with a real subscription id in place of the placeholder.
fn list_example_text() -> String {
    let body = &bodies(&example("snapshotExamples/Snapshot_ListBySubscription.json"))[0];
    body.to_string().replace("{subscriptionId}", SUB).replace("{subscription-id}", SUB)
}

#[test]
fn official_list_pages_parse_as_listings() {
    let text = list_example_text();
    let listing = read_listing_str(&text).unwrap();
    assert!(!listing.candidates.is_empty());
    assert_eq!(listing.candidates.len(), listing.item_count);
    let report: Value = serde_json::from_str(&group_snapshot_chains_json(&text, None).unwrap()).unwrap();
    assert_eq!(report["total"].as_u64().unwrap() as usize, listing.item_count);
}

#[test]
fn recorded_snapshot_is_in_its_recorded_disk_chain() {
    let rec = fixture("recordings/azure-cli.completion-percent.json");
    let interactions = rec["interactions"].as_array().unwrap();
    let find = |method: &str, suffix: &str| {
        interactions
            .iter()
            .find(|i| {
                i["request"]["method"] == method
                    && i["request"]["uri"].as_str().unwrap().split('?').next().unwrap().ends_with(suffix)
                    && i["response"]["status"] == 200
            })
            .map(|i| i["response"]["body"].clone())
            .unwrap()
    };
    let disk = find("GET", "/disks/disk1");
    let snapa = find("GET", "/snapshots/snapa");
    let snapb = find("GET", "/snapshots/snapb");
    let page = serde_json::json!({ "value": [snapb, snapa] }).to_string();
    let chain: Value =
        serde_json::from_str(&filter_incremental_snapshots_json(&disk.to_string(), &page).unwrap()).unwrap();
    assert_eq!(chain.as_array().unwrap().len(), 1);
    assert_eq!(chain[0]["name"], "snapa");
    // The disk recreated under the same name: same id, new uniqueId → its old chain is not its own.
    let mut recreated = disk.clone();
    recreated["properties"]["uniqueId"] = Value::from("11111111-1111-1111-1111-111111111111");
    let none = filter_incremental_snapshots_json(&recreated.to_string(), &page).unwrap();
    assert_eq!(none, "[]");
    let report: Value =
        serde_json::from_str(&group_snapshot_chains_json(&page, Some(&format!("[{}]", recreated))).unwrap()).unwrap();
    let chain = report["chains"].as_array().unwrap().iter().find(|c| c["kind"] == "incremental").unwrap();
    assert_eq!(chain["orphaned"], true);
    let copy = report["chains"].as_array().unwrap().iter().find(|c| c["kind"] == "crossRegionCopy").unwrap();
    assert_eq!(copy["count"], 1);
}
