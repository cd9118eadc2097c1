//! Golden files for ARM template emission, and a table of options that must be refused.
//!
//! `tests/golden/templates/cases.json` lists option sets; each emits `<name>.template.json` and,
//! when the options name disks, `<name>.parameters.json`. Run with `UPDATE_GOLDEN=1` to rewrite
//! them after an intended change, then review the diff.

use azure_incremental_snapshots::error::ErrorCode;
use azure_incremental_snapshots::template::{build_snapshot_template_json, build_template_parameters_json};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/templates")
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE_GOLDEN=1`.
fn check_golden(file: &str, actual: &str) -> Result<(), String> {
    let path = golden_dir().join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{actual}\n")).map_err(|e| format!("{file}: {e}"))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| format!("{file}: {e} (run with UPDATE_GOLDEN=1)"))?;
    if expected.trim_end() == actual {
        Ok(())
    } else {
        Err(format!("{file} differs from the emitted text:\n{actual}"))
    }
}

fn cases() -> Vec<(String, String, bool)> {
    let text = std::fs::read_to_string(golden_dir().join("cases.json")).expect("cases.json");
    let v: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    v["cases"]
        .as_array()
        .expect("cases array")
        .iter()
        .map(|c| {
            let options = &c["options"];
            let has_disks = options.get("disk").is_some() || options.get("disks").is_some();
            (c["name"].as_str().expect("name").to_string(), options.to_string(), has_disks)
        })
        .collect()
}

#[test]
fn every_case_matches_its_golden_files() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 10, "the case table was not read");
    for (name, options, has_disks) in &all {
        match build_snapshot_template_json(options) {
            Ok(t) => {
                if let Err(e) = check_golden(&format!("{name}.template.json"), &t) {
                    failures.push(e);
                }
            }
            Err(e) => failures.push(format!("{name}: template refused: {e}")),
        }
        match (build_template_parameters_json(options), has_disks) {
            (Ok(p), true) => {
                if let Err(e) = check_golden(&format!("{name}.parameters.json"), &p) {
                    failures.push(e);
                }
            }
            (Err(e), true) => failures.push(format!("{name}: parameters refused: {e}")),
            (Ok(_), false) => failures.push(format!("{name}: a parameters file without disks to fill it")),
            (Err(e), false) => assert_eq!(e.code, ErrorCode::InvalidArgument, "{name}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn emission_is_deterministic_and_pretty() {
    for (name, options, _) in cases() {
        let a = build_snapshot_template_json(&options).expect("template");
        let b = build_snapshot_template_json(&options).expect("template");
        assert_eq!(a, b, "{name}");
        assert!(a.starts_with("{\n  \"$schema\""), "{name}: pretty, $schema first");
    }
}

#[test]
fn the_documented_template_keeps_its_parameters_and_expressions() {
    let t: Value = serde_json::from_str(&build_snapshot_template_json("{}").expect("template")).expect("json");
    assert_eq!(t["contentVersion"], "1.0.0.0");
    assert_eq!(t["parameters"]["diskName"]["type"], "string");
    assert_eq!(t["parameters"]["diskResourceId"]["type"], "string");
    let r = &t["resources"][0];
    assert_eq!(r["type"], "Microsoft.Compute/snapshots");
    assert_eq!(r["name"], "[concat(parameters('diskName'),'_snapshot1')]");
    assert_eq!(r["location"], "[resourceGroup().location]");
    assert_eq!(r["properties"]["creationData"]["createOption"], "Copy");
    assert_eq!(r["properties"]["creationData"]["sourceResourceId"], "[parameters('diskResourceId')]");
    assert_eq!(r["properties"]["incremental"], true);
}

#[test]
fn refused_options_name_the_field() {
    let disk = r#""/subscriptions/6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/disks/d1""#;
    let snapshot = r#""/subscriptions/6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1""#;
    let second_disk = r#""/subscriptions/6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/disks/d2""#;
    let table: Vec<(String, &str)> = vec![
        (r#"{"apiVersion":"2018-09-30"}"#.into(), "apiVersion"),
        (r#"{"apiVersion":"yesterday"}"#.into(), "apiVersion"),
        (r#"{"incremental":false}"#.into(), "incremental"),
        (r#"{"layout":"diagonal"}"#.into(), "layout"),
        (r#"{"sku":"Premium_LRS"}"#.into(), "sku"),
        (r#"{"colour":"blue"}"#.into(), "options.colour"),
        (format!(r#"{{"disk":{snapshot}}}"#), "disk"),
        (r#"{"disk":"/subscriptions/x/../../evil"}"#.into(), "disk"),
        (format!(r#"{{"disk":{disk},"disks":[{disk}]}}"#), "disk"),
        (format!(r#"{{"disks":[{disk},{disk}],"snapshotName":"same-for-all"}}"#), "snapshotName"),
        (r#"{"snapshotName":{"expression":"no brackets"}}"#.into(), "snapshotName"),
        (r#"{"snapshotName":"bad/name"}"#.into(), "snapshotName"),
        (r#"{"snapshotName":{"parameter":"x","timestamp":true}}"#.into(), "snapshotName"),
        (r#"{"disks":[]}"#.into(), "disks"),
        (
            format!(r#"{{"disks":[{disk},{second_disk}],"snapshotName":{{"expression":"[concat('x','y')]"}}}}"#),
            "snapshotName",
        ),
        ("[1,2]".into(), "options"),
        ("not json".into(), "options"),
    ];
    let mut failures = Vec::new();
    for (options, field) in &table {
        match build_snapshot_template_json(options) {
            Ok(_) => failures.push(format!("{options}: accepted")),
            Err(e) => {
                let fields: Vec<String> = std::iter::once(e.field.clone().unwrap_or_default())
                    .chain(e.violations.iter().map(|v| v.field.clone()))
                    .collect();
                if !fields.iter().any(|f| f.contains(field)) {
                    failures.push(format!("{options}: expected field {field}, got {fields:?} ({e})"));
                }
                if e.code != ErrorCode::InvalidArgument && e.code != ErrorCode::InvalidResourceId {
                    failures.push(format!("{options}: code {:?}", e.code));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
