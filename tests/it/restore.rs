//! `buildDiskConfig`: the PUT of a disk restored from a snapshot (Copy) or a blob (Import), its
//! target, every violation at once, and a SAS signature never shown.

use azure_incremental_snapshots::restore::build_disk_config_json;
use azure_incremental_snapshots::ErrorCode;
use serde_json::{json, Value};

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";
const SIG: &str = "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";

fn snapshot_id() -> String {
    format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1")
}

fn snapshot() -> Value {
    json!({ "id": snapshot_id(), "name": "s1", "type": "Microsoft.Compute/snapshots", "location": "westeurope",
            "sku": { "name": "Standard_ZRS" },
            "properties": { "incremental": true, "diskSizeGB": 128, "completionPercent": 100.0,
                            "creationData": { "createOption": "Copy", "logicalSectorSize": 512 } } })
}

fn account() -> String {
    format!("{SUB}/resourceGroups/storage-rg/providers/Microsoft.Storage/storageAccounts/acct")
}

fn config(source: &Value, options: Value) -> Result<Value, azure_incremental_snapshots::Error> {
    build_disk_config_json(&source.to_string(), &options.to_string()).map(|t| serde_json::from_str(&t).unwrap())
}

#[test]
fn a_snapshot_restores_in_its_region_beside_it() {
    let c = config(&snapshot(), json!({ "name": "restored" })).unwrap();
    assert_eq!(c["id"], format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/restored"));
    assert_eq!((c["name"].as_str(), c["resourceGroup"].as_str()), (Some("restored"), Some("rg")));
    assert_eq!(c["apiVersion"], "2025-01-02");
    assert_eq!(c["createOption"], "Copy");
    assert_eq!(c["sourceResourceId"], snapshot_id());
    assert_eq!(
        c["body"],
        json!({ "location": "westeurope",
                "properties": { "creationData": { "createOption": "Copy", "sourceResourceId": snapshot_id() } } })
    );
}

#[test]
fn every_option_lands_in_the_body() {
    let c = config(
        &snapshot(),
        json!({ "name": "r2", "resourceGroup": "other", "location": "West Europe", "sku": "premium_lrs",
                "zones": ["3"], "diskSizeGB": 256, "networkAccessPolicy": "DenyAll", "tags": { "from": "s1" },
                "apiVersion": "2024-03-02" }),
    )
    .unwrap();
    assert_eq!(c["id"], format!("{SUB}/resourceGroups/other/providers/Microsoft.Compute/disks/r2"));
    assert_eq!(c["apiVersion"], "2024-03-02");
    assert_eq!(
        c["body"],
        json!({ "location": "West Europe", "sku": { "name": "Premium_LRS" }, "zones": ["3"], "tags": { "from": "s1" },
                "properties": { "creationData": { "createOption": "Copy", "sourceResourceId": snapshot_id() },
                                "diskSizeGB": 256, "networkAccessPolicy": "DenyAll" } })
    );
}

#[test]
fn all_violations_are_reported_at_once() {
    let mut s = snapshot();
    s["properties"]["creationData"]["logicalSectorSize"] = json!(4096);
    let e = config(
        &s,
        json!({ "name": "-bad name", "location": "eastus", "sku": "Premium_ZRS", "zones": ["1", "9"],
                "diskSizeGB": 64, "networkAccesPolicy": "DenyAll" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let rules: Vec<&str> = e.violations.iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        [
            "options.unknown",
            "restore.sameRegion",
            "name.chars",
            "name.start",
            "diskSize.smaller",
            "sectorSize.sku",
            "zones.count",
            "zones.value",
            "zones.zrs"
        ]
    );
    assert!(e.violations[0].message.contains("did you mean \"networkAccessPolicy\""), "{}", e.violations[0].message);
    assert_eq!(e.field.as_deref(), Some("options.networkAccesPolicy"));
}

#[test]
fn a_4096_sector_snapshot_goes_to_premium_v2_or_ultra_only() {
    let mut s = snapshot();
    s["properties"]["creationData"]["logicalSectorSize"] = json!(4096);
    for sku in ["PremiumV2_LRS", "UltraSSD_LRS"] {
        assert!(config(&s, json!({ "name": "r", "sku": sku })).is_ok(), "{sku}");
    }
    for sku in [json!("Premium_LRS"), json!("StandardSSD_LRS"), Value::Null] {
        let e = config(&s, json!({ "name": "r", "sku": sku })).unwrap_err();
        assert_eq!(e.violations[0].rule, "sectorSize.sku", "{sku}");
    }
}

#[test]
fn a_snapshot_id_needs_the_region() {
    let id = json!(snapshot_id());
    let e = config(&id, json!({ "name": "r" })).unwrap_err();
    assert_eq!((e.field.as_deref(), e.violations[0].rule), (Some("options.location"), "location.required"));
    let c = config(&id, json!({ "name": "r", "location": "westeurope", "diskSizeGB": 1 })).unwrap();
    assert_eq!(c["body"]["location"], "westeurope");
    // A disk id, or another type: refused.
    let disk = json!(format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"));
    let e = config(&disk, json!({ "name": "r", "location": "westeurope" })).unwrap_err();
    assert_eq!(e.violations[0].rule, "source.type");
    let e = config(&json!("not an id"), json!({ "name": "r", "location": "westeurope" })).unwrap_err();
    assert_eq!(e.violations[0].rule, "source.id");
    // Neither a string nor an object.
    let e = config(&json!(5), json!({ "name": "r" })).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("source")));
}

#[test]
fn a_blob_imports_beside_its_storage_account() {
    let uri = format!("https://acct.blob.core.windows.net/backups/disk1.vhd?sv=2022-11-02&sig={SIG}");
    let source = json!({ "sourceUri": uri, "storageAccountId": account() });
    let c = config(&source, json!({ "name": "imported", "location": "westeurope", "sku": "StandardSSD_LRS" })).unwrap();
    assert_eq!(c["id"], format!("{SUB}/resourceGroups/storage-rg/providers/Microsoft.Compute/disks/imported"));
    assert_eq!(c["createOption"], "Import");
    assert!(c.get("sourceResourceId").is_none());
    assert_eq!(
        c["body"]["properties"]["creationData"],
        json!({ "createOption": "Import", "sourceUri": uri, "storageAccountId": account() })
    );
}

#[test]
fn a_blob_signature_is_never_shown() {
    let cases = [
        json!({ "sourceUri": format!("http://acct.blob.core.windows.net/c/b?sig={SIG}"), "storageAccountId": account() }),
        json!({ "sourceUri": format!("https://acct.blob.core.windows.net/?sig={SIG}"), "storageAccountId": account() }),
        json!({ "sourceUri": format!("ftp://x/sig={SIG}"), "storageAccountId": "nope" }),
        json!({ "sourceUri": format!("https://acct.blob.core.windows.net/c/b?sig={SIG}"), "storageAccountId": account(),
                "extra": format!("sig={SIG}") }),
    ];
    for source in cases {
        let e = config(&source, json!({ "name": "r" })).unwrap_err();
        let all = format!("{e} {:?}", e.violations);
        assert!(!all.contains(SIG) && !all.contains("c2VjcmV0"), "{all}");
        assert!(!e.violations.is_empty());
    }
}

#[test]
fn hostile_inputs_are_typed_errors() {
    // Huge names, deep nesting, wrong types everywhere: errors, never panics.
    let huge = "n".repeat(100_000);
    let e = config(&snapshot(), json!({ "name": huge })).unwrap_err();
    assert_eq!(e.violations[0].rule, "name.length");
    let e = config(&snapshot(), json!({ "name": ["r"], "tags": 5, "zones": [1], "sku": {}, "diskSizeGB": 1.5 }))
        .unwrap_err();
    let rules: Vec<&str> = e.violations.iter().map(|v| v.rule).collect();
    assert_eq!(rules, ["name.type", "sku.type", "zones.type", "diskSize.type", "tags.type"]);
    assert!(build_disk_config_json("{", "{}").is_err());
    assert!(build_disk_config_json(&snapshot().to_string(), "[]").is_err());
    let deep = "[".repeat(10_000);
    assert!(build_disk_config_json(&deep, "{}").is_err());
}

/// `tests/golden/templates/restore-cases.json`: each case's template equals
/// `<name>.template.json` (rewritten under `UPDATE_GOLDEN=1`); the schema suite validates them.
#[test]
fn restore_templates_match_their_golden_files() {
    use azure_incremental_snapshots::template::build_restore_template_json;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/templates");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("restore-cases.json")).unwrap()).unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let text = build_restore_template_json(&c["source"].to_string(), &c["options"].to_string()).unwrap();
        let path = dir.join(format!("{name}.template.json"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, format!("{text}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(expected.trim_end(), text, "{name} (run with UPDATE_GOLDEN=1 after an intended change)");
    }
    // The template's checks are buildDiskConfig's.
    let e = build_restore_template_json(&cases[0]["source"].to_string(), r#"{"name":"x","location":"eastus"}"#)
        .unwrap_err();
    assert_eq!(e.violations[0].rule, "restore.sameRegion");
}

// --- restoreDisk as a state machine, on scripted replies --------------------------------------

mod op {
    use super::*;
    use azure_incremental_snapshots::arm::ops::{RestoreDisk, RestoreFrom};
    use azure_incremental_snapshots::arm::{Action, ClientSettings, Endpoint, Input, Method, Operation, Response};
    use azure_incremental_snapshots::restore::RestoreOptions;

    const ARM: &str = "https://management.azure.com";

    fn settings() -> ClientSettings {
        let mut s = ClientSettings::new(Endpoint::parse(ARM).unwrap());
        s.seed = 7;
        s
    }

    fn reply(status: u16, headers: &[(&str, &str)], body: Value) -> Response {
        Response {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: if body.is_null() { String::new() } else { body.to_string() },
        }
    }

    /// Runs `op` over `script` (method, URL start, reply); returns the result and the phases seen.
    fn run(mut op: RestoreDisk, script: Vec<(Method, String, Response)>) -> (Result<Value, ErrorCode>, Vec<String>) {
        let mut input = Input::Start;
        let mut phases = Vec::new();
        let mut script = script.into_iter();
        for _ in 0..100 {
            let action = op.step(input, 0);
            if let Some(p) = op.take_progress() {
                phases.push(format!(
                    "{}{}",
                    p.phase,
                    p.completion_percent.map(|c| format!(" {c}")).unwrap_or_default()
                ));
            }
            match action {
                Action::Done(r) => {
                    assert_eq!(script.count(), 0, "requests never sent");
                    return (r.map(|t| serde_json::from_str(&t).unwrap()).map_err(|e| e.code), phases);
                }
                Action::Send { request, .. } => {
                    let (method, url, resp) = script.next().unwrap_or_else(|| panic!("unexpected {request:?}"));
                    assert_eq!(request.method, method, "{}", request.url);
                    assert!(request.url.starts_with(&url), "{} does not start with {url}", request.url);
                    if method == Method::Put {
                        assert!(request.headers.iter().any(|(k, v)| *k == "If-None-Match" && *v == "*"));
                    }
                    input = Input::Response(resp);
                }
            }
        }
        panic!("did not end");
    }

    fn options(v: Value) -> RestoreOptions {
        RestoreOptions::read(&v.to_string()).unwrap().0
    }

    fn hydrating(id: &str, percent: Option<f64>) -> Value {
        let mut d = json!({ "id": id, "name": "r", "properties": { "provisioningState": "Succeeded",
                  "creationData": { "createOption": "Copy", "sourceResourceId": snapshot_id() } } });
        if let Some(p) = percent {
            d["properties"]["completionPercent"] = json!(p);
        }
        d
    }

    #[test]
    fn count_name_check_put_lro_then_hydration_to_100() {
        let disk = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/r");
        let list = format!("{ARM}{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks?");
        let disk_url = format!("{ARM}{disk}?api-version=");
        let poll = format!(
            "{ARM}{SUB}/providers/Microsoft.Compute/locations/westeurope/DiskOperations/op1?api-version=2025-01-02"
        );
        // Four unfinished disks of this snapshot, one finished, one of another snapshot: 4 < 5.
        let others: Vec<Value> = (0..4)
            .map(|i| hydrating(&format!("{disk}{i}"), Some(10.0)))
            .chain([hydrating("x", Some(100.0)), json!({ "properties": { "provisioningState": "Updating" } })])
            .collect();
        let script = vec![
            (Method::Get, list, reply(200, &[], json!({ "value": others }))),
            (
                Method::Get,
                disk_url.clone(),
                reply(404, &[], json!({ "error": { "code": "ResourceNotFound", "message": "no" } })),
            ),
            (Method::Put, disk_url.clone(), reply(202, &[("Azure-AsyncOperation", &poll)], json!({ "id": disk }))),
            (
                Method::Get,
                poll.clone(),
                reply(200, &[], json!({ "status": "Succeeded", "properties": { "output": hydrating(&disk, None) } })),
            ),
            (Method::Get, disk_url.clone(), reply(200, &[], hydrating(&disk, Some(40.0)))),
            (Method::Get, disk_url, reply(200, &[], hydrating(&disk, Some(100.0)))),
        ];
        let op = RestoreDisk::new(
            settings(),
            RestoreFrom::Object(snapshot().to_string()),
            options(json!({ "name": "r" })),
            true,
        );
        let (result, phases) = run(op, script);
        assert_eq!(result.unwrap()["properties"]["completionPercent"], 100.0);
        assert!(phases.contains(&"hydrating 40".to_string()), "{phases:?}");
        assert!(!phases.contains(&"hydrating 0".to_string()), "no hydration before the disk says so: {phases:?}");
        assert_eq!(phases.last().map(String::as_str), Some("done 100"));
    }

    #[test]
    fn a_sixth_concurrent_restore_is_refused_before_the_put() {
        let list = format!("{ARM}{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks?");
        let busy: Vec<Value> = (0..5)
            .map(|i| {
                let mut d = hydrating(&format!("d{i}"), None);
                d["properties"]["provisioningState"] = json!("Updating");
                d["properties"]["creationData"]["sourceResourceId"] = json!(snapshot_id().to_uppercase());
                d
            })
            .collect();
        let script = vec![(Method::Get, list, reply(200, &[], json!({ "value": busy })))];
        let op = RestoreDisk::new(
            settings(),
            RestoreFrom::Object(snapshot().to_string()),
            options(json!({ "name": "r" })),
            true,
        );
        assert_eq!(run(op, script).0.unwrap_err(), ErrorCode::Conflict);
    }

    #[test]
    fn an_import_skips_the_count_and_a_signature_never_leaves() {
        let account = account();
        let disk = format!("{SUB}/resourceGroups/storage-rg/providers/Microsoft.Compute/disks/imp");
        let disk_url = format!("{ARM}{disk}?api-version=");
        let uri = format!("https://acct.blob.core.windows.net/c/b?sig={SIG}");
        let echo = format!("could not read {uri}");
        let script = vec![
            (
                Method::Get,
                disk_url.clone(),
                reply(404, &[], json!({ "error": { "code": "NotFound", "message": "no" } })),
            ),
            (
                Method::Put,
                disk_url,
                reply(400, &[], json!({ "error": { "code": "InvalidParameter", "message": echo } })),
            ),
        ];
        let source = json!({ "sourceUri": uri, "storageAccountId": account }).to_string();
        let mut op = RestoreDisk::new(
            settings(),
            RestoreFrom::Object(source),
            options(json!({ "name": "imp", "location": "westeurope" })),
            true,
        );
        let mut input = Input::Start;
        let mut script = script.into_iter();
        let err = loop {
            match op.step(input, 0) {
                Action::Done(r) => break r.unwrap_err(),
                Action::Send { request, .. } => {
                    let (_, _, resp) = script.next().unwrap();
                    if let Some(b) = &request.body {
                        assert!(b.contains(SIG), "the PUT body names the blob as given");
                    }
                    input = Input::Response(resp);
                }
            }
        };
        assert!(!format!("{err} {err:?}").contains(SIG), "{err}");
    }
}
