//! `planRetention`: restic's `forget` in UTC over each incremental chain, the protections, the
//! refusals, a restic-compatibility table, properties on random chains and hostile input.

use azure_incremental_snapshots::retention::{
    plan_retention, plan_retention_json, read_retention_options, read_retention_policy, IsoDuration, RetentionOptions,
    RetentionPolicy,
};
use azure_incremental_snapshots::scan::read_listing_str;
use azure_incremental_snapshots::time::{days_from_civil, iso_week, parse_timestamp, utc_parts};
use azure_incremental_snapshots::ErrorCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";

fn disk_id(name: &str) -> String {
    format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/{name}")
}

/// An incremental snapshot `name` of disk `disk` (incarnation `unique`) taken at `time`.
fn snap_of(disk: &str, unique: &str, name: &str, time: &str) -> Value {
    json!({
        "name": name,
        "id": format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}"),
        "type": "Microsoft.Compute/snapshots",
        "location": "westus",
        "properties": {
            "incremental": true,
            "timeCreated": time,
            "provisioningState": "Succeeded",
            "creationData": { "createOption": "Copy", "sourceResourceId": disk_id(disk), "sourceUniqueId": unique },
            "incrementalSnapshotFamilyId": format!("fam-{unique}"),
        }
    })
}

fn snap(name: &str, time: &str) -> Value {
    snap_of("d1", "u1", name, time)
}

/// Snapshots named by their times.
fn snaps(times: &[&str]) -> Value {
    Value::Array(times.iter().map(|t| snap(t, t)).collect())
}

fn plan(listing: &Value, policy: Value, options: Option<Value>) -> Value {
    let options = options.map(|o| o.to_string());
    let out = plan_retention_json(&listing.to_string(), &policy.to_string(), options.as_deref())
        .unwrap_or_else(|e| panic!("{policy}: {e}"));
    serde_json::from_str(&out).unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
}

/// The kept names of chain `i` with their reasons joined by `+`.
fn kept(plan: &Value, i: usize) -> Vec<String> {
    plan["chains"][i]["keep"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let reasons: Vec<&str> = s["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            format!("{} {}", s["name"].as_str().unwrap(), reasons.join("+"))
        })
        .collect()
}

fn removed(plan: &Value, i: usize) -> Vec<String> {
    names(&plan["chains"][i]["remove"])
}

/// `(times, policy, kept "time reasons", removed times)`, each chain one disk's.
type Row = (Vec<&'static str>, Value, Vec<&'static str>, Vec<&'static str>);

fn check_rows(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for (times, policy, want_keep, want_remove) in rows {
        let p = plan(&snaps(&times), policy.clone(), None);
        let (got_keep, got_remove) = (kept(&p, 0), removed(&p, 0));
        if got_keep != want_keep || got_remove != want_remove {
            failures.push(format!(
                "{policy} over {times:?}:\n  keep   {got_keep:?}\n  wanted {want_keep:?}\n  remove {got_remove:?}\n  wanted {want_remove:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn week_years_follow_iso_8601() {
    check_rows(vec![
        // 2020-12-31 (Thu) and 2021-01-03 (Sun) are 2020-W53; 2021-01-04 (Mon) is 2021-W01.
        (
            vec!["2020-12-31T12:00:00Z", "2021-01-03T12:00:00Z", "2021-01-04T12:00:00Z"],
            json!({ "keepWeekly": 5 }),
            vec!["2021-01-04T12:00:00Z weekly", "2021-01-03T12:00:00Z weekly"],
            vec!["2020-12-31T12:00:00Z"],
        ),
        // 2026-12-28 (Mon) to 2027-01-03 (Sun) are all 2026-W53.
        (
            vec![
                "2026-12-27T09:00:00Z",
                "2026-12-28T09:00:00Z",
                "2026-12-31T09:00:00Z",
                "2027-01-01T09:00:00Z",
                "2027-01-03T09:00:00Z",
                "2027-01-04T09:00:00Z",
            ],
            json!({ "keepWeekly": 3 }),
            vec!["2027-01-04T09:00:00Z weekly", "2027-01-03T09:00:00Z weekly", "2026-12-27T09:00:00Z weekly"],
            vec!["2027-01-01T09:00:00Z", "2026-12-31T09:00:00Z", "2026-12-28T09:00:00Z"],
        ),
        // Years are calendar years, not week years.
        (
            vec!["2026-12-31T09:00:00Z", "2027-01-01T09:00:00Z", "2027-01-02T09:00:00Z"],
            json!({ "keepYearly": 2 }),
            vec!["2027-01-02T09:00:00Z yearly", "2026-12-31T09:00:00Z yearly"],
            vec!["2027-01-01T09:00:00Z"],
        ),
    ]);
    for ((y, m, d), want) in [
        ((2020, 12, 31), (2020, 53)),
        ((2021, 1, 3), (2020, 53)),
        ((2021, 1, 4), (2021, 1)),
        ((2026, 12, 28), (2026, 53)),
        ((2027, 1, 3), (2026, 53)),
        ((2027, 1, 4), (2027, 1)),
        ((2024, 12, 30), (2025, 1)),
        ((2016, 1, 3), (2015, 53)),
    ] {
        assert_eq!(iso_week(days_from_civil(y, m, d)), want, "{y}-{m}-{d}");
    }
}

#[test]
fn buckets_are_utc_whatever_the_offset() {
    check_rows(vec![
        // 2024-03-01T00:30:00+02:00 is 2024-02-29T22:30Z: the same UTC day and month as 10:00Z.
        (
            vec!["2024-02-29T10:00:00Z", "2024-03-01T00:30:00+02:00"],
            json!({ "keepDaily": 5 }),
            vec!["2024-03-01T00:30:00+02:00 daily"],
            vec!["2024-02-29T10:00:00Z"],
        ),
        (
            vec!["2024-02-15T00:00:00Z", "2024-03-01T00:30:00+02:00", "2024-01-31T23:30:00-01:00"],
            json!({ "keepMonthly": 5 }),
            vec!["2024-03-01T00:30:00+02:00 monthly"],
            vec!["2024-02-15T00:00:00Z", "2024-01-31T23:30:00-01:00"],
        ),
        // 23:30-01:00 is 00:30Z the next day: in 2024, and newer than 00:10Z.
        (
            vec!["2023-12-31T23:30:00-01:00", "2024-01-01T00:10:00Z", "2023-12-31T22:00:00Z"],
            json!({ "keepYearly": 5 }),
            vec!["2023-12-31T23:30:00-01:00 yearly", "2023-12-31T22:00:00Z yearly"],
            vec!["2024-01-01T00:10:00Z"],
        ),
        // Hours too: 10:59+01:00 and 09:01Z are both 09:xx UTC.
        (
            vec!["2024-05-01T09:01:00Z", "2024-05-01T10:59:00+01:00", "2024-05-01T08:59:00Z"],
            json!({ "keepHourly": 5 }),
            vec!["2024-05-01T10:59:00+01:00 hourly", "2024-05-01T08:59:00Z hourly"],
            vec!["2024-05-01T09:01:00Z"],
        ),
    ]);
}

#[test]
fn fractions_of_0_to_7_digits_order_within_a_second() {
    let times = [
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00.1Z",
        "2024-01-01T00:00:00.12+00:00",
        "2024-01-01T00:00:00.123Z",
        "2024-01-01T00:00:00.1234",
        "2024-01-01T00:00:00.12345Z",
        "2024-01-01T00:00:00.123456+00:00",
        "2024-01-01T00:00:00.1234567Z",
    ];
    let p = plan(&snaps(&times), json!({ "keepLast": 3 }), None);
    let newest_first: Vec<&str> = times.iter().rev().copied().collect();
    assert_eq!(names(&p["chains"][0]["keep"]), &newest_first[..3]);
    assert_eq!(removed(&p, 0), &newest_first[3..]);
    let p = plan(&snaps(&times), json!({ "keepHourly": 1, "keepWithin": "PT1S" }), None);
    assert_eq!(names(&p["chains"][0]["keep"]), newest_first);
}

#[test]
fn ties_go_by_id_descending_ignoring_case() {
    let same = "2024-01-01T00:00:00Z";
    for listing in [
        json!([snap("a", same), snap("B", same), snap("c", "2024-01-01T01:00:00+01:00")]),
        json!([snap("c", "2024-01-01T01:00:00+01:00"), snap("B", same), snap("a", same)]),
    ] {
        let p = plan(&listing, json!({ "keepLast": 1 }), None);
        assert_eq!(kept(&p, 0), ["c last"]);
        assert_eq!(removed(&p, 0), ["B", "a"]);
        let p = plan(&listing, json!({ "keepDaily": 1, "keepLast": 2 }), None);
        assert_eq!(kept(&p, 0), ["c last+daily", "B last"]);
    }
}

fn with_props(mut s: Value, key: &str, value: Value) -> Value {
    s["properties"][key] = value;
    s
}

fn with_tags(mut s: Value, tags: Value) -> Value {
    s["tags"] = tags;
    s
}

#[test]
fn in_progress_snapshots_are_kept_and_not_counted() {
    let listing = json!([
        with_props(snap("s4", "2024-01-04T00:00:00Z"), "completionPercent", json!(40.5)),
        with_props(snap("s3", "2024-01-03T00:00:00Z"), "provisioningState", json!("Creating")),
        with_props(snap("s2", "2024-01-02T00:00:00Z"), "completionPercent", json!(100)),
        with_props(snap("s1", "2024-01-01T00:00:00Z"), "provisioningState", json!("succeeded")),
        with_props(snap("s0", "2023-12-31T00:00:00Z"), "provisioningState", Value::Null),
    ]);
    let p = plan(&listing, json!({ "keepLast": 1 }), None);
    assert_eq!(kept(&p, 0), ["s4 in-progress", "s3 in-progress", "s2 last"]);
    assert_eq!(removed(&p, 0), ["s1", "s0"]);
    // keepWithin is measured from the newest finished snapshot.
    let p = plan(&listing, json!({ "keepWithin": "P1D" }), None);
    assert_eq!(kept(&p, 0), ["s4 in-progress", "s3 in-progress", "s2 within", "s1 within"]);
}

#[test]
fn locked_and_immutable_snapshots_are_kept_and_counted() {
    let listing = json!([
        snap("s3", "2024-01-03T00:00:00Z"),
        with_tags(snap("s2", "2024-01-02T00:00:00Z"), json!({ "Retention-Lock": "" , "owner": "me" })),
        with_tags(snap("s1", "2024-01-01T00:00:00Z"), json!({ "keep": "true" })),
        with_props(
            snap("s0", "2023-12-31T00:00:00Z"),
            "immutabilityPolicy",
            json!({ "immutabilityDurationDays": 7, "type": "Locked" })
        ),
        with_props(snap("sx", "2023-12-30T00:00:00Z"), "immutabilityPolicy", Value::Null),
        // ARM keeps an expired policy on the snapshot: it no longer protects it.
        with_props(
            snap("sy", "2023-12-29T00:00:00Z"),
            "immutabilityPolicy",
            json!({ "immutabilityDurationDays": 1, "type": "Unlocked", "isPolicyExpired": true })
        ),
        // Any other shape still counts (and an expiry time alone is not trusted: no clock).
        with_props(
            snap("sz", "2023-12-28T00:00:00Z"),
            "immutabilityPolicy",
            json!({ "type": "Locked", "isPolicyExpired": false, "policyExpirationTime": "2000-01-01T00:00:00Z" })
        ),
        with_props(snap("sw", "2023-12-27T00:00:00Z"), "immutabilityPolicy", json!("Locked")),
    ]);
    let p = plan(&listing, json!({ "keepLast": 2 }), None);
    assert_eq!(kept(&p, 0), ["s3 last", "s2 last+locked", "s0 immutable", "sz immutable", "sw immutable"]);
    assert_eq!(removed(&p, 0), ["s1", "sx", "sy"]);
    let p = plan(&listing, json!({ "keepLast": 1 }), Some(json!({ "lockTag": "KEEP" })));
    assert_eq!(kept(&p, 0), ["s3 last", "s1 locked", "s0 immutable", "sz immutable", "sw immutable"]);
    assert_eq!(removed(&p, 0), ["s2", "sx", "sy"]);
}

#[test]
fn undated_and_unreadable_snapshots_are_kept() {
    let mut undated = snap("nodate", "x");
    undated["properties"].as_object_mut().unwrap().remove("timeCreated");
    let listing = json!([
        snap("s1", "2024-01-01T00:00:00Z"),
        snap("s0", "2023-01-01T00:00:00Z"),
        undated,
        snap("bad-date", "yesterday"),
        with_tags(snap("odd-tags", "2022-01-01T00:00:00Z"), json!(["retention-lock"])),
        with_props(snap("odd-state", "2021-01-01T00:00:00Z"), "provisioningState", json!(5)),
    ]);
    let p = plan(&listing, json!({ "keepLast": 1 }), None);
    assert_eq!(
        kept(&p, 0),
        ["s1 last", "odd-tags unreadable", "odd-state unreadable", "nodate undated", "bad-date undated"]
    );
    assert_eq!(removed(&p, 0), ["s0"]);
}

#[test]
fn orphan_chains_are_kept_unless_included() {
    let listing = json!([
        snap_of("d1", "u-old", "old1", "2023-01-01T00:00:00Z"),
        snap_of("d1", "u-old", "old2", "2023-01-02T00:00:00Z"),
        snap_of("d1", "u-new", "new1", "2024-02-01T00:00:00Z"),
        snap_of("d1", "u-new", "new2", "2024-02-02T00:00:00Z"),
        snap_of("d2", "u-2", "other1", "2024-03-01T00:00:00Z"),
        snap_of("d2", "u-2", "other2", "2024-03-02T00:00:00Z"),
    ]);
    let chains = |p: &Value| -> Vec<(String, bool, Vec<String>, Vec<String>)> {
        (0..p["chains"].as_array().unwrap().len())
            .map(|i| {
                let c = &p["chains"][i];
                (c["sourceUniqueId"].as_str().unwrap().to_string(), c["orphan"] == true, kept(p, i), removed(p, i))
            })
            .collect()
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let policy = json!({ "keepLast": 1 });
    // Without disks: groupSnapshotChains's orphans (a newer incarnation of d1 started later).
    assert_eq!(
        chains(&plan(&listing, policy.clone(), None)),
        [
            ("u-new".into(), false, s(&["new2 last"]), s(&["new1"])),
            ("u-old".into(), true, s(&["old2 last+orphan", "old1 orphan"]), s(&[])),
            ("u-2".into(), false, s(&["other2 last"]), s(&["other1"])),
        ]
    );
    // includeOrphans: the orphan chain is still marked, but planned by the rules.
    assert_eq!(
        chains(&plan(&listing, policy.clone(), Some(json!({ "includeOrphans": true })))),
        [
            ("u-new".into(), false, s(&["new2 last"]), s(&["new1"])),
            ("u-old".into(), true, s(&["old2 last"]), s(&["old1"])),
            ("u-2".into(), false, s(&["other2 last"]), s(&["other1"])),
        ]
    );
    // With disks: a chain is orphan unless a disk has its id and uniqueId (d2 is not given).
    let disks = json!([{ "id": disk_id("D1"), "properties": { "uniqueId": "U-NEW" } }]);
    assert_eq!(
        chains(&plan(&listing, policy.clone(), Some(json!({ "disks": disks })))),
        [
            ("u-new".into(), false, s(&["new2 last"]), s(&["new1"])),
            ("u-old".into(), true, s(&["old2 last+orphan", "old1 orphan"]), s(&[])),
            ("u-2".into(), true, s(&["other2 last+orphan", "other1 orphan"]), s(&[])),
        ]
    );
    let all_orphans = plan(&listing, policy, Some(json!({ "disks": [] })));
    assert!(all_orphans["chains"].as_array().unwrap().iter().all(|c| c["orphan"] == true && c["remove"] == json!([])));
}

#[test]
fn only_incremental_chains_are_planned_in_a_fixed_order() {
    let mut full = snap_of("d1", "u1", "full", "2024-01-01T00:00:00Z");
    full["properties"]["incremental"] = json!(false);
    let mut copy = snap_of("d1", "u1", "copy", "2024-01-01T00:00:00Z");
    copy["properties"]["creationData"] = json!({
        "createOption": "CopyStart",
        "sourceResourceId": format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s")
    });
    let mut unsourced = snap("unsourced", "2024-01-01T00:00:00Z");
    unsourced["properties"]["creationData"] = json!({ "createOption": "Import" });
    let listing = json!([
        snap_of("zz", "u9", "z1", "2024-01-01T00:00:00Z"),
        full,
        copy,
        unsourced,
        snap_of("AA", "u2", "a2", "2024-01-01T00:00:00Z"),
        snap_of("aa", "U1", "a1", "2024-01-01T00:00:00Z"),
    ]);
    let p = plan(&listing, json!({ "keepDaily": 1 }), None);
    let order: Vec<(&str, &str)> = p["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sourceResourceId"].as_str().unwrap(), c["sourceUniqueId"].as_str().unwrap()))
        .collect();
    assert_eq!(order, [(&*disk_id("aa"), "U1"), (&*disk_id("AA"), "u2"), (&*disk_id("zz"), "u9")]);
    assert_eq!(
        p["chains"][0],
        json!({
            "sourceResourceId": disk_id("aa"), "sourceUniqueId": "U1", "orphan": false,
            "keep": [{
                "id": format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/a1"),
                "name": "a1", "timeCreated": "2024-01-01T00:00:00Z", "reasons": ["daily"]
            }],
            "remove": []
        })
    );
    // A list page reads the same as its array.
    let page = json!({ "value": listing, "nextLink": null });
    assert_eq!(plan(&page, json!({ "keepDaily": 1 }), None), p);
}

/// Every refusal: `(policy, options, [(field, rule)])`.
#[test]
fn refusals_name_every_field_and_rule() {
    type Refusal = (&'static str, Option<&'static str>, Vec<(&'static str, &'static str)>);
    let rows: Vec<Refusal> = vec![
        ("", None, vec![("policy", "policy.empty")]),
        ("null", None, vec![("policy", "policy.empty")]),
        ("{}", None, vec![("policy", "policy.empty")]),
        (r#"{"keepLast":0,"keepDaily":0,"keepWithin":"P0D"}"#, None, vec![("policy", "policy.empty")]),
        ("[]", None, vec![("policy", "policy.type")]),
        ("\"P7D\"", None, vec![("policy", "policy.type")]),
        ("{\"keepLast\":", None, vec![("policy", "policy.json")]),
        (
            r#"{"keepLast":-1,"keepHourly":"2","keepDaily":2.5,"keepWeekly":true,"keepMonthly":{},"keepYearly":[1]}"#,
            None,
            vec![
                ("policy.keepLast", "keepCount.range"),
                ("policy.keepHourly", "keepCount.type"),
                ("policy.keepDaily", "keepCount.type"),
                ("policy.keepWeekly", "keepCount.type"),
                ("policy.keepMonthly", "keepCount.type"),
                ("policy.keepYearly", "keepCount.type"),
            ],
        ),
        (r#"{"keepWithin":7}"#, None, vec![("policy.keepWithin", "keepWithin.type")]),
        (r#"{"keepWithin":"7 days"}"#, None, vec![("policy.keepWithin", "keepWithin.format")]),
        (
            r#"{"keepMontly":3,"keep_last":1}"#,
            None,
            vec![("policy.keepMontly", "policy.unknown"), ("policy.keep_last", "policy.unknown")],
        ),
        (
            r#"{"keepDaily":-3,"keepWithni":"P1D"}"#,
            Some(r#"{"lockTag":"","includeOrphans":1,"disks":[{"id":"x"}],"dryRun":true}"#),
            vec![
                ("policy.keepDaily", "keepCount.range"),
                ("policy.keepWithni", "policy.unknown"),
                ("options.lockTag", "lockTag.empty"),
                ("options.includeOrphans", "includeOrphans.type"),
                ("options.disks[0].id", "disks.item"),
                ("options.dryRun", "options.unknown"),
            ],
        ),
        (r#"{"keepLast":1}"#, Some("[]"), vec![("options", "options.type")]),
        (r#"{"keepLast":1}"#, Some("{"), vec![("options", "options.json")]),
        (r#"{"keepLast":1}"#, Some(r#"{"lockTag":["a"]}"#), vec![("options.lockTag", "lockTag.type")]),
        (r#"{"keepLast":1}"#, Some(r#"{"disks":"d1"}"#), vec![("options.disks", "disks.type")]),
        (
            r#"{"keepLast":1}"#,
            Some(
                r#"{"disks":[5,{"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d"}]}"#,
            ),
            vec![("options.disks[0]", "disks.item"), ("options.disks[1].properties.uniqueId", "disks.item")],
        ),
    ];
    let mut failures = Vec::new();
    for (policy, options, want) in rows {
        match plan_retention_json("[]", policy, options) {
            Ok(out) => failures.push(format!("{policy} {options:?}: accepted: {out}")),
            Err(e) => {
                let got: Vec<(&str, &str)> = e.violations.iter().map(|v| (v.field.as_str(), v.rule)).collect();
                if e.code != ErrorCode::InvalidArgument || got != want || e.field.as_deref() != Some(want[0].0) {
                    failures.push(format!("{policy} {options:?}: {:?} {got:?}, wanted {want:?}", e.code));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let e = plan_retention_json("[]", r#"{"keepMontly":3}"#, None).unwrap_err();
    assert!(e.message.contains("did you mean \"keepMonthly\""), "{}", e.message);
    // The listing is read after the policy and options are accepted.
    let e = plan_retention_json("[1]", r#"{"keepLast":1}"#, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidJson);
    assert_eq!(plan_retention_json("[1]", "{}", None).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn durations_are_iso_8601_whole_units() {
    let d = |y, mo, w, dd, h, mi, s| IsoDuration {
        years: y,
        months: mo,
        weeks: w,
        days: dd,
        hours: h,
        minutes: mi,
        seconds: s,
    };
    for (text, want) in [
        ("P7D", d(0, 0, 0, 7, 0, 0, 0)),
        ("PT36H", d(0, 0, 0, 0, 36, 0, 0)),
        ("P1Y2M", d(1, 2, 0, 0, 0, 0, 0)),
        ("P2W", d(0, 0, 2, 0, 0, 0, 0)),
        ("P1Y2M3W4DT5H6M7S", d(1, 2, 3, 4, 5, 6, 7)),
        ("PT1M", d(0, 0, 0, 0, 0, 1, 0)),
        ("P0D", d(0, 0, 0, 0, 0, 0, 0)),
        ("P99999999999999999999999Y", d(u64::MAX, 0, 0, 0, 0, 0, 0)),
    ] {
        assert_eq!(IsoDuration::parse(text), Ok(want), "{text}");
    }
    for bad in [
        "", "P", "PT", "7D", "p7d", "P7d", "-P7D", "P1.5D", "PT1,5H", "P1H", "P1S", "PT1D", "P1D1Y", "P1M1M", "P1DT",
        "P1DT1H1H", "P7", "PTT1H", "P 7D", "P7D ", "P١D",
    ] {
        assert!(IsoDuration::parse(bad).is_err(), "{bad:?} accepted");
    }
}

/// Hand-checked cases of restic's `forget` semantics (restic's `--keep-*` flags; its design doc
/// and tests describe the same walk), plus where our calendar arithmetic is chosen.
#[test]
fn restic_compatibility() {
    check_rows(vec![
        // --keep-last 3.
        (
            vec!["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"],
            json!({ "keepLast": 3 }),
            vec!["2024-01-04T00:00:00Z last", "2024-01-03T00:00:00Z last", "2024-01-02T00:00:00Z last"],
            vec!["2024-01-01T00:00:00Z"],
        ),
        // --keep-daily 2: the newest of each of the 2 newest days that have one.
        (
            vec!["2024-01-01T08:00:00Z", "2024-01-01T20:00:00Z", "2024-01-03T01:00:00Z", "2024-01-03T02:00:00Z"],
            json!({ "keepDaily": 2 }),
            vec!["2024-01-03T02:00:00Z daily", "2024-01-01T20:00:00Z daily"],
            vec!["2024-01-03T01:00:00Z", "2024-01-01T08:00:00Z"],
        ),
        // The union of rules, each reason named; a count beyond the snapshots keeps them all.
        (
            vec!["2024-01-01T08:00:00Z", "2024-01-08T08:00:00Z", "2024-01-08T09:00:00Z"],
            json!({ "keepLast": 1, "keepDaily": 1, "keepWeekly": 1000000, "keepMonthly": 1 }),
            vec!["2024-01-08T09:00:00Z last+daily+weekly+monthly", "2024-01-01T08:00:00Z weekly"],
            vec!["2024-01-08T08:00:00Z"],
        ),
        // --keep-within 1d: at or after newest - 1 day (restic keeps strictly after; at is kept here).
        (
            vec!["2024-01-01T11:59:59.9999999Z", "2024-01-01T12:00:00Z", "2024-01-02T12:00:00Z"],
            json!({ "keepWithin": "P1D" }),
            vec!["2024-01-02T12:00:00Z within", "2024-01-01T12:00:00Z within"],
            vec!["2024-01-01T11:59:59.9999999Z"],
        ),
        // --keep-within 1m from March 31: the day clamped to February's end (Go's AddDate,
        // which restic uses, would normalise to March 2 and keep less).
        (
            vec!["2024-02-28T12:00:00Z", "2024-02-29T12:00:00Z", "2024-03-01T12:00:00Z", "2024-03-31T12:00:00Z"],
            json!({ "keepWithin": "P1M" }),
            vec!["2024-03-31T12:00:00Z within", "2024-03-01T12:00:00Z within", "2024-02-29T12:00:00Z within"],
            vec!["2024-02-28T12:00:00Z"],
        ),
        // Years then months then days then time: P1Y1M1DT1H from 2025-03-29T01:00 is 2024-02-28T00:00.
        (
            vec!["2024-02-27T23:59:59Z", "2024-02-28T00:00:00Z", "2025-03-29T01:00:00Z"],
            json!({ "keepWithin": "P1Y1M1DT1H" }),
            vec!["2025-03-29T01:00:00Z within", "2024-02-28T00:00:00Z within"],
            vec!["2024-02-27T23:59:59Z"],
        ),
        // A duration longer than any calendar keeps everything.
        (
            vec!["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
            json!({ "keepWithin": "P99999999999999999999Y" }),
            vec!["9999-12-31T23:59:59Z within", "0001-01-01T00:00:00Z within"],
            vec![],
        ),
        // --keep-hourly 2 with several snapshots an hour.
        (
            vec!["2024-01-01T10:05:00Z", "2024-01-01T10:55:00Z", "2024-01-01T11:00:00Z", "2024-01-01T11:30:00Z"],
            json!({ "keepHourly": 2 }),
            vec!["2024-01-01T11:30:00Z hourly", "2024-01-01T10:55:00Z hourly"],
            vec!["2024-01-01T11:00:00Z", "2024-01-01T10:05:00Z"],
        ),
    ]);
}

/// restic's documented example: daily snapshots and `--keep-daily 7 --keep-weekly 5
/// --keep-monthly 12 --keep-yearly 75` keep "the most recent 7 daily snapshots, then
/// last-day-of-the-weeks, last-day-of-the-months and last-day-of-the-years". Hand-checked over
/// 2023-01-01 to 2024-12-31 (a Tuesday, in ISO week 2025-W01).
#[test]
fn restic_documented_daily_weekly_monthly_yearly() {
    let start = days_from_civil(2023, 1, 1);
    let end = days_from_civil(2024, 12, 31);
    let times: Vec<String> = (start..=end)
        .map(|day| {
            let p = utc_parts(day * 86_400_000 + 11 * 3_600_000);
            format!("{:04}-{:02}-{:02}T11:00:00Z", p.year, p.month, p.day)
        })
        .collect();
    let listing = Value::Array(times.iter().map(|t| snap(t, t)).collect());
    let p = plan(&listing, json!({ "keepDaily": 7, "keepWeekly": 5, "keepMonthly": 12, "keepYearly": 75 }), None);
    let kept_days: Vec<String> = names(&p["chains"][0]["keep"]).iter().map(|t| t[..10].to_string()).collect();
    let mut want: Vec<String> = (25..=31).rev().map(|d| format!("2024-12-{d}")).collect();
    // Weekly: 2024-12-31 (2025-W01) and 12-29 (a Sunday) are dailies already; then Sundays.
    want.extend(["2024-12-22", "2024-12-15", "2024-12-08"].map(String::from));
    // Monthly: the last day of each month from November back to January 2024.
    for (m, d) in [(11, 30), (10, 31), (9, 30), (8, 31), (7, 31), (6, 30), (5, 31), (4, 30), (3, 31), (2, 29), (1, 31)]
    {
        want.push(format!("2024-{m:02}-{d:02}"));
    }
    // Yearly: the last day of 2023.
    want.push("2023-12-31".into());
    assert_eq!(kept_days, want);
    assert_eq!(removed(&p, 0).len(), times.len() - want.len());
    let reasons_of = |day: &str| {
        let keep = p["chains"][0]["keep"].as_array().unwrap();
        let s = keep.iter().find(|s| s["name"].as_str().unwrap().starts_with(day)).unwrap();
        s["reasons"].clone()
    };
    assert_eq!(reasons_of("2024-12-31"), json!(["daily", "weekly", "monthly", "yearly"]));
    assert_eq!(reasons_of("2024-12-29"), json!(["daily", "weekly"]));
    assert_eq!(reasons_of("2024-11-30"), json!(["monthly"]));
}

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_time(rng: &mut Rng) -> String {
    // Within 2019..2027, at a random second, with a random offset and fraction.
    let secs = 1_546_300_800 + rng.below(8 * 365 * 86_400) as i64;
    let offset_min = [0i64, 60, -60, 120, 330, -480, 840, -720][rng.below(8) as usize];
    let p = utc_parts((secs + offset_min * 60) * 1000);
    let frac_digits = rng.below(8) as usize;
    let frac: String = (0..frac_digits).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
    let zone = match offset_min {
        0 if rng.below(2) == 0 => "Z".to_string(),
        o => format!("{}{:02}:{:02}", if o < 0 { '-' } else { '+' }, o.abs() / 60, o.abs() % 60),
    };
    let dot = if frac.is_empty() { "" } else { "." };
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{dot}{frac}{zone}", p.year, p.month, p.day, p.hour, p.minute, p.second)
}

fn random_policy(rng: &mut Rng) -> Value {
    let mut policy = serde_json::Map::new();
    for key in ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"] {
        if rng.below(3) == 0 {
            policy.insert(key.into(), json!(rng.below(12)));
        }
    }
    if rng.below(4) == 0 {
        let d = ["P7D", "PT36H", "P1Y2M", "P2W", "P1M", "PT1S", "P3DT4H"][rng.below(7) as usize];
        policy.insert("keepWithin".into(), json!(d));
    }
    if policy.is_empty() || policy.values().all(|v| *v == json!(0)) {
        policy.insert("keepLast".into(), json!(1 + rng.below(5)));
    }
    Value::Object(policy)
}

#[test]
fn properties_hold_on_random_chains() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let n = rng.below(40) as usize;
        let mut items = Vec::new();
        let mut protected = BTreeSet::new();
        for i in 0..n {
            let (disk, unique) = [("d1", "u1"), ("d1", "u1"), ("d2", "u2"), ("d3", "u3")][rng.below(4) as usize];
            let name = format!("s{round}-{i}");
            // Some share a time exactly, to exercise ties.
            let time = if i > 0 && rng.below(8) == 0 {
                items.last().map_or_else(
                    || random_time(&mut rng),
                    |s: &Value| s["properties"]["timeCreated"].as_str().unwrap().to_string(),
                )
            } else {
                random_time(&mut rng)
            };
            let mut s = snap_of(disk, unique, &name, &time);
            match rng.below(12) {
                0 => {
                    s["properties"]["completionPercent"] = json!(rng.below(100));
                    protected.insert(name.clone());
                }
                1 => {
                    s["tags"] = json!({ "retention-lock": "" });
                    protected.insert(name.clone());
                }
                2 => {
                    s["properties"]["provisioningState"] = json!("Updating");
                    protected.insert(name.clone());
                }
                _ => {}
            }
            items.push(s);
        }
        let listing = Value::Array(items.clone());
        let policy = random_policy(&mut rng);
        let p = plan(&listing, policy.clone(), None);
        // The same input gives the same output, whatever the listing's order.
        let mut shuffled = items.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        assert_eq!(plan(&Value::Array(shuffled), policy.clone(), None), p, "round {round}");
        let mut seen = BTreeSet::new();
        for (c, chain) in p["chains"].as_array().unwrap().iter().enumerate() {
            let (keep, remove) = (names(&chain["keep"]), names(&chain["remove"]));
            // keep and remove partition the chain.
            let members: BTreeSet<String> = items
                .iter()
                .filter(|s| s["properties"]["creationData"]["sourceUniqueId"] == chain["sourceUniqueId"])
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect();
            let union: BTreeSet<String> = keep.iter().chain(&remove).cloned().collect();
            assert_eq!(union.len(), keep.len() + remove.len(), "round {round}: a snapshot in both");
            assert_eq!(union, members, "round {round} chain {c}");
            seen.extend(union);
            // The newest is kept.
            let newest = items
                .iter()
                .filter(|s| members.contains(s["name"].as_str().unwrap()))
                .max_by_key(|s| {
                    let t = parse_timestamp(s["properties"]["timeCreated"].as_str().unwrap()).unwrap();
                    (t, s["id"].as_str().unwrap().to_lowercase())
                })
                .unwrap();
            assert!(keep.contains(&newest["name"].as_str().unwrap().to_string()), "round {round} {policy}");
            // keepLast n keeps at least min(n, len).
            let last = policy["keepLast"].as_u64().unwrap_or(0) as usize;
            assert!(keep.len() >= last.min(members.len()), "round {round}");
            // Protected snapshots are never removed.
            assert!(remove.iter().all(|r| !protected.contains(r)), "round {round}");
            // Newest first.
            let times = |list: &Value| -> Vec<_> {
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| parse_timestamp(s["timeCreated"].as_str().unwrap()).unwrap())
                    .collect()
            };
            for list in [&chain["keep"], &chain["remove"]] {
                let t = times(list);
                assert!(t.windows(2).all(|w| w[0] >= w[1]), "round {round}: not newest first");
            }
        }
        assert_eq!(seen.len(), n, "round {round}: every snapshot in one chain");
    }
}

#[test]
fn the_typed_api_agrees_with_the_json_one() {
    let listing = snaps(&["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-09T00:00:00Z"]).to_string();
    let policy = read_retention_policy(r#"{"keepWeekly":2,"keepWithin":"P1D"}"#).unwrap();
    assert_eq!(
        policy,
        RetentionPolicy {
            keep_weekly: 2,
            keep_within: Some(IsoDuration { days: 1, ..IsoDuration::default() }),
            ..RetentionPolicy::default()
        }
    );
    let opts = read_retention_options(None).unwrap();
    assert_eq!(opts, RetentionOptions::default());
    assert_eq!(opts.lock_tag, "retention-lock");
    let items = read_listing_str(&listing).unwrap();
    let plan_typed = plan_retention(&items.candidates, &policy, &opts);
    let json_plan = plan_retention_json(&listing, r#"{"keepWeekly":2,"keepWithin":"P1D"}"#, None).unwrap();
    assert_eq!(serde_json::to_string(&plan_typed).unwrap(), json_plan);
    assert_eq!(plan_typed.chains[0].keep[0].reasons, ["weekly", "within"]);
    assert_eq!(plan_typed.chains[0].remove.len(), 1);
}

#[test]
fn hostile_input_is_a_typed_error_or_a_plan() {
    let listing = snaps(&["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]).to_string();
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!("{{\"keepLast\":{}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    let policies: Vec<String> = vec![
        r#"{"keepLast":1e300}"#.into(),
        r#"{"keepLast":18446744073709551615}"#.into(),
        r#"{"keepLast":99999999999999999999999999999}"#.into(),
        r#"{"keepLast":-9223372036854775808}"#.into(),
        r#"{"keepLast":-0}"#.into(),
        r#"{"keepLast":1e-300}"#.into(),
        r#"{"keepLast":1.0}"#.into(),
        r#"{"keepLast":"1"}"#.into(),
        r#"{"keepLast":{"a":[1,{"b":null}]}}"#.into(),
        r#"{"keepLast":null}"#.into(),
        r#"{"keepWithin":"P18446744073709551615W"}"#.into(),
        r#"{"keepWithin":"PT99999999999999999999999999999999S"}"#.into(),
        r#"{"keepWithin":"P9999999999999DT9999999999999H"}"#.into(),
        r#"{"keepWithin":"\u0000"}"#.into(),
        r#"{"keepWithin":"\ud800"}"#.into(),
        format!(r#"{{"keepWithin":"P{}D"}}"#, "9".repeat(10_000)),
        r#"{"keepLast":1,"keepLast":2}"#.into(),
        deep.clone(),
        deep_obj,
        "\u{feff}{}".into(),
        "{\"keepLast\":1}garbage".into(),
    ];
    for policy in &policies {
        match plan_retention_json(&listing, policy, None) {
            Ok(out) => {
                let v: Value = serde_json::from_str(&out).unwrap();
                assert!(v["chains"].is_array(), "{policy}");
            }
            Err(e) => assert!(
                matches!(e.code, ErrorCode::InvalidArgument | ErrorCode::InvalidJson),
                "{}: {e}",
                &policy[..policy.len().min(60)]
            ),
        }
    }
    for options in ["{\"disks\":[[[[[]]]]]}", &deep, "{\"lockTag\":\"\\ud800\"}", "{\"disks\":[null,true,\"x\",{}]}"] {
        let e = plan_retention_json(&listing, r#"{"keepLast":1}"#, Some(options)).unwrap_err();
        assert!(matches!(e.code, ErrorCode::InvalidArgument | ErrorCode::InvalidJson), "{e}");
    }
    for bad_listing in ["", "{}", "[", "[5]", &deep, "{\"value\":[{\"properties\":7}]}"] {
        let e = plan_retention_json(bad_listing, r#"{"keepLast":1}"#, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidJson, "{}", &bad_listing[..bad_listing.len().min(40)]);
    }
    // What the scanner reads as serde does (a snapshot as an array of its fields) is no chain.
    assert_eq!(plan_retention_json("[[]]", r#"{"keepLast":1}"#, None).unwrap(), r#"{"chains":[]}"#);
    // Huge counts keep everything; a huge keepWithin keeps everything.
    for policy in [r#"{"keepLast":1e300}"#, r#"{"keepWithin":"P18446744073709551615W"}"#] {
        let v: Value = serde_json::from_str(&plan_retention_json(&listing, policy, None).unwrap()).unwrap();
        assert_eq!(v["chains"][0]["keep"].as_array().unwrap().len(), 2, "{policy}");
    }
    // Thousands of snapshots in one chain, and junk fields around them.
    let many: Vec<Value> = (0..5_000)
        .map(|i| {
            let t = utc_parts(1_700_000_000_000 + i * 3_600_000 + (i % 7) * 1_234);
            let time = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
            );
            let mut s = snap(&format!("s{i:05}"), &time);
            s["properties"]["junk"] = json!({ "a": [1, 2, { "b": "\u{0}" }] });
            s
        })
        .collect();
    let v =
        plan(&Value::Array(many), json!({ "keepHourly": 24, "keepDaily": 7, "keepWeekly": 4, "keepMonthly": 6 }), None);
    let kept_n = v["chains"][0]["keep"].as_array().unwrap().len();
    let removed_n = v["chains"][0]["remove"].as_array().unwrap().len();
    assert_eq!(kept_n + removed_n, 5_000);
    assert!((24..=24 + 7 + 4 + 6).contains(&kept_n), "{kept_n}");
}
