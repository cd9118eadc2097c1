//! Options validation, all at once: a table of option sets and the violations each must give.
//!
//! Options are read field by field, so a wrong type of one field is one violation and every
//! other field is still read and checked; unknown keys are violations; a field reports every
//! rule it breaks; characters are shown readably in messages.

use azure_incremental_snapshots::config::{build_snapshot_config_json, SnapshotOptions};
use azure_incremental_snapshots::template::{build_snapshot_template_json, TemplateOptions};
use azure_incremental_snapshots::{Error, ErrorCode};
use serde_json::json;

const DISK_ID: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1";
const SNAP_ID: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1";
const NOW: i64 = 1_764_047_255_000;

fn disk() -> String {
    json!({ "id": DISK_ID, "name": "disk1", "type": "Microsoft.Compute/disks", "location": "westus",
            "sku": { "name": "Premium_LRS" }, "properties": { "networkAccessPolicy": "AllowAll" } })
    .to_string()
}

fn snapshot() -> String {
    json!({ "id": SNAP_ID, "type": "Microsoft.Compute/snapshots", "location": "westus",
            "properties": { "incremental": true } })
    .to_string()
}

/// `"field rule"` of every violation, sorted.
fn found(e: &Error) -> Vec<String> {
    let mut all: Vec<String> = e.violations.iter().map(|v| format!("{} {}", v.field, v.rule)).collect();
    all.sort();
    all
}

/// Checks one option set: accepted when `expected` is empty, else exactly those violations.
fn check(what: &str, run: Run, options: &str, expected: &[&str], failures: &mut Vec<String>) {
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    match run(options) {
        Ok(_) if want.is_empty() => {}
        Ok(_) => failures.push(format!("{what} {options}: accepted, expected {want:?}")),
        Err(e) => {
            let got = found(&e);
            if got != want {
                failures.push(format!("{what} {options}: expected {want:?}, got {got:?} ({e})"));
            }
            if !want.is_empty() && e.code != ErrorCode::InvalidArgument {
                failures.push(format!("{what} {options}: code {:?}", e.code));
            }
            if let Some(first) = e.violations.first() {
                if e.field.as_deref() != Some(first.field.as_str()) {
                    failures.push(format!("{what} {options}: field {:?} is not the first violation's", e.field));
                }
            }
            if e.violations.iter().any(|v| !v.field.starts_with("options")) {
                failures.push(format!("{what} {options}: a field outside options: {got:?}"));
            }
            let not_json = want.iter().any(|w| w.ends_with("options.json"));
            if !not_json && (e.message.contains("line 1 column") || e.message.contains("invalid type")) {
                failures.push(format!("{what} {options}: serde's words in the message: {}", e.message));
            }
        }
    }
}

/// A way to run options: from a disk, from a snapshot, as a template.
type Run<'a> = &'a dyn Fn(&str) -> Result<String, Error>;

fn from_disk(options: &str) -> Result<String, Error> {
    build_snapshot_config_json(&disk(), options, NOW)
}

fn from_snapshot(options: &str) -> Result<String, Error> {
    build_snapshot_config_json(&snapshot(), options, NOW)
}

#[test]
fn snapshot_options_report_every_violation() {
    let long = "n".repeat(81);
    let table: Vec<(Run, String, Vec<&str>)> = vec![
        // Accepted.
        (&from_disk, "null".into(), vec![]),
        (&from_disk, "{}".into(), vec![]),
        (&from_disk, r#"{"name":null,"tags":null}"#.into(), vec![]),
        (&from_disk, r#"{"name":"ok-1","tags":{"a":"b"},"instantAccessDurationMinutes":60}"#.into(), vec![]),
        // Type errors mixed with rule errors.
        (
            &from_disk,
            r#"{"tags":5,"name":"bad/name"}"#.into(),
            vec!["options.tags tags.type", "options.name name.chars"],
        ),
        (
            &from_disk,
            r#"{"tags":{"a":1,"ok":"x"},"instantAccessDurationMinutes":"60"}"#.into(),
            vec!["options.tags.a tags.type", "options.instantAccessDurationMinutes instantAccess.type"],
        ),
        (
            &from_disk,
            r#"{"instantAccessDurationMinutes":90.5}"#.into(),
            vec!["options.instantAccessDurationMinutes instantAccess.type"],
        ),
        (
            &from_disk,
            r#"{"instantAccessDurationMinutes":5,"sku":7}"#.into(),
            vec!["options.instantAccessDurationMinutes instantAccess.range", "options.sku sku.type"],
        ),
        (
            &from_disk,
            r#"{"location":"eastus","incremental":"no"}"#.into(),
            vec!["options.location copy.sameRegion", "options.incremental incremental.type"],
        ),
        (&from_disk, r#"{"createOption":true}"#.into(), vec!["options.createOption createOption.type"]),
        (&from_disk, r#"{"apiVersion":20250102}"#.into(), vec!["options.apiVersion apiVersion.type"]),
        (&from_disk, r#"{"resourceGroup":["rg"]}"#.into(), vec!["options.resourceGroup resourceGroup.type"]),
        (&from_disk, r#"{"tags":[]}"#.into(), vec!["options.tags tags.type"]),
        // A field refused for its type is not also blamed for what its absence implies.
        (
            &from_disk,
            r#"{"diskAccessId":5,"networkAccessPolicy":"AllowPrivate"}"#.into(),
            vec!["options.diskAccessId diskAccessId.type"],
        ),
        (&from_snapshot, r#"{"location":5}"#.into(), vec!["options.location location.type"]),
        (
            &from_disk,
            r#"{"encryption":{"type":5,"diskEncryptionSetId":"x","keyId":1}}"#.into(),
            vec![
                "options.encryption.type encryption.type",
                "options.encryption.diskEncryptionSetId encryption.desId",
                "options.encryption.keyId encryption.unknown",
            ],
        ),
        (
            &from_disk,
            r#"{"encryption":"CustomerKey","name":"a b"}"#.into(),
            vec!["options.encryption encryption.shape", "options.name name.chars"],
        ),
        // Unknown keys, each one, with the rest still checked.
        (
            &from_disk,
            r#"{"networkAccesPolicy":"DenyAll","colour":"blue","name":"-x"}"#.into(),
            vec![
                "options.networkAccesPolicy options.unknown",
                "options.colour options.unknown",
                "options.name name.start",
            ],
        ),
        // Every rule a field breaks.
        (
            &from_disk,
            format!(r#"{{"name":"{long} "}}"#),
            vec!["options.name name.length", "options.name name.chars", "options.name name.end"],
        ),
        (
            &from_disk,
            r#"{"name":"-a b."}"#.into(),
            vec!["options.name name.chars", "options.name name.start", "options.name name.end"],
        ),
        (&from_disk, r#"{"name":""}"#.into(), vec!["options.name name.length"]),
        (
            &from_disk,
            r#"{"resourceGroup":"rg/x."}"#.into(),
            vec!["options.resourceGroup resourceGroup.chars", "options.resourceGroup resourceGroup.end"],
        ),
        (&from_disk, r#"{"tags":{"a/b":"x"}}"#.into(), vec!["options.tags.a/b tags.nameChars"]),
        // Invisible characters.
        (&from_disk, "{\"name\":\"snap\u{200b}1\"}".into(), vec!["options.name name.chars"]),
        (&from_disk, r#"{"tags":{"a\u0000":"x"}}"#.into(), vec!["options.tags.a\u{0} tags.nameChars"]),
        // The existing all-at-once case.
        (
            &from_disk,
            r#"{"name":"bad name","sku":"Premium_LRS","location":"eastus","instantAccessDurationMinutes":5}"#.into(),
            vec![
                "options.location copy.sameRegion",
                "options.sku sku.incremental",
                "options.instantAccessDurationMinutes instantAccess.range",
                "options.name name.chars",
            ],
        ),
        // Not an object at all.
        (&from_disk, "[1]".into(), vec!["options options.type"]),
        (&from_disk, "5".into(), vec!["options options.type"]),
        (&from_disk, "not json".into(), vec!["options options.json"]),
    ];
    let mut failures = Vec::new();
    for (run, options, expected) in &table {
        check("snapshot", *run, options, expected, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn template(options: &str) -> Result<String, Error> {
    build_snapshot_template_json(options)
}

#[test]
fn template_options_report_every_violation() {
    let table: Vec<(String, Vec<&str>)> = vec![
        ("{}".into(), vec![]),
        (r#"{"tags":{"a":"b"},"outputs":true,"snapshotName":{"parameter":"p"}}"#.into(), vec![]),
        (format!(r#"{{"disk":{{"id":"{DISK_ID}","name":"d","location":"westus","extra":1}}}}"#), vec![]),
        // Type errors mixed with rule errors.
        (
            r#"{"tags":5,"snapshotName":"bad/name"}"#.into(),
            vec!["options.tags tags.type", "options.snapshotName name.chars"],
        ),
        (
            r#"{"outputs":"yes","layout":"diagonal"}"#.into(),
            vec!["options.outputs outputs.type", "options.layout layout.value"],
        ),
        (
            r#"{"incremental":"true","sku":"Premium_LRS"}"#.into(),
            vec!["options.incremental incremental.type", "options.sku sku.incremental"],
        ),
        (r#"{"disks":"d1"}"#.into(), vec!["options.disks disks.type"]),
        (r#"{"layout":5}"#.into(), vec!["options.layout layout.type"]),
        (r#"{"location":5,"disk":5}"#.into(), vec!["options.location location.type", "options.disk disk.shape"]),
        (r#"{"tags":{"a":"x","b":false}}"#.into(), vec!["options.tags.b tags.type"]),
        (r#"{"disk":{"id":5}}"#.into(), vec!["options.disk.id disk.id"]),
        (r#"{"snapshotName":{"parameter":5}}"#.into(), vec!["options.snapshotName.parameter snapshotName.shape"]),
        (r#"{"snapshotName":7}"#.into(), vec!["options.snapshotName snapshotName.shape"]),
        // Unknown keys.
        (
            r#"{"apiVerison":"2025-01-02","colour":"x"}"#.into(),
            vec!["options.apiVerison options.unknown", "options.colour options.unknown"],
        ),
        (r#"{"snapshotName":{"paramter":"x"}}"#.into(), vec!["options.snapshotName.paramter snapshotName.shape"]),
        // Every rule a field breaks.
        (
            r#"{"snapshotName":"-a b."}"#.into(),
            vec!["options.snapshotName name.chars", "options.snapshotName name.start", "options.snapshotName name.end"],
        ),
        (r#"{"tags":{"":"x"}}"#.into(), vec!["options.tags. tags.nameLength"]),
        (r#"{"tags":{"a?":"x"}}"#.into(), vec!["options.tags.a? tags.nameChars"]),
        // Invisible characters.
        ("{\"snapshotName\":\"s\u{feff}1\"}".into(), vec!["options.snapshotName name.chars"]),
        ("[1,2]".into(), vec!["options options.type"]),
        ("not json".into(), vec!["options options.json"]),
    ];
    let mut failures = Vec::new();
    for (options, expected) in &table {
        check("template", &template, options, expected, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn violation<'a>(e: &'a Error, rule: &str) -> &'a str {
    e.violations
        .iter()
        .find(|v| v.rule == rule)
        .map(|v| v.message.as_str())
        .unwrap_or_else(|| panic!("no {rule} in {e}"))
}

#[test]
fn messages_are_in_the_users_terms() {
    let e = from_disk(r#"{"tags":5,"name":"bad/name"}"#).unwrap_err();
    assert_eq!(violation(&e, "tags.type"), "tags must be an object of string values, got a number");
    assert!(violation(&e, "name.chars").contains(r#"found "/""#), "{e}");

    let e = from_disk(r#"{"name":"bad name"}"#).unwrap_err();
    assert!(violation(&e, "name.chars").contains(r#"found " " (U+0020 SPACE)"#), "{e}");

    let e = from_disk("{\"name\":\"snap\u{200b}1\"}").unwrap_err();
    let msg = violation(&e, "name.chars");
    assert!(msg.contains("U+200B ZERO WIDTH SPACE"), "{msg}");
    assert!(!msg.contains('\u{200b}'), "the invisible character itself is not printed: {msg:?}");

    let e = from_disk(r#"{"name":"a!@#$%b"}"#).unwrap_err();
    let msg = violation(&e, "name.chars");
    assert!(msg.contains(r##""!", "@", "#" and 2 more"##), "{msg}");

    let e = from_disk(r#"{"networkAccesPolicy":"DenyAll"}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("options.networkAccesPolicy"));
    assert!(violation(&e, "options.unknown").contains(r#"did you mean "networkAccessPolicy"?"#), "{e}");

    let e = from_disk(r#"{"colour":"blue"}"#).unwrap_err();
    assert!(!violation(&e, "options.unknown").contains("did you mean"), "{e}");

    let e = template(r#"{"apiVerison":"2025-01-02"}"#).unwrap_err();
    assert!(violation(&e, "options.unknown").contains(r#"did you mean "apiVersion"?"#), "{e}");

    let e = from_disk(r#"{"instantAccessDurationMinutes":"60"}"#).unwrap_err();
    assert!(violation(&e, "instantAccess.type").contains("got a string"), "{e}");

    let e = from_disk(&format!(r#"{{"name":"{} "}}"#, "n".repeat(81))).unwrap_err();
    assert!(violation(&e, "name.length").contains("82"), "{e}");
}

#[test]
fn type_errors_come_first_and_name_the_field() {
    let e = from_disk(r#"{"tags":5,"name":"bad/name"}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("options.tags"));
    assert_eq!(e.violations.len(), 2);
    assert!(e.message.starts_with("2 problems"), "{}", e.message);
}

#[test]
fn the_readers_alone_report_everything_they_can_check() {
    let e = SnapshotOptions::from_json_text(r#"{"tags":5,"name":"bad/name","instantAccessDurationMinutes":1}"#)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("options.tags"));
    assert_eq!(
        found(&e),
        [
            "options.instantAccessDurationMinutes instantAccess.range",
            "options.name name.chars",
            "options.tags tags.type"
        ]
    );
    // Rules alone are left to the builder, which knows the source.
    assert!(SnapshotOptions::from_json_text(r#"{"name":"-bad"}"#).is_ok());

    let e = TemplateOptions::from_json_text(r#"{"tags":5,"snapshotName":"bad/name"}"#).unwrap_err();
    assert_eq!(found(&e), ["options.snapshotName name.chars", "options.tags tags.type"]);
    assert!(TemplateOptions::from_json_text(r#"{"layout":"diagonal"}"#).is_ok());
}
