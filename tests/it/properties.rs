//! Property tests: arbitrary strings and JSON into every parser and builder give a typed error
//! or a valid result, never a panic. Every result is checked: an `Ok` has the documented shape,
//! an `Err` one of the codes the function documents, with `field` set where one is to blame.

use azure_incremental_snapshots::arm::errors::{code_for_status, from_response};
use azure_incremental_snapshots::arm::lro::{Lro, LroKind, LroStep};
use azure_incremental_snapshots::arm::paging::Pager;
use azure_incremental_snapshots::arm::retry::{parse_http_date, server_delay_ms};
use azure_incremental_snapshots::arm::{ClientSettings, Endpoint, Response};
use azure_incremental_snapshots::config::build_snapshot_config_json;
use azure_incremental_snapshots::error::{Error, ErrorCode};
use azure_incremental_snapshots::filter::{
    contains_ignore_ascii_case, filter_incremental_snapshots_json, group_snapshot_chains_json,
};
use azure_incremental_snapshots::template::{build_snapshot_template_json, build_template_parameters_json};
use azure_incremental_snapshots::time::parse_timestamp;
use azure_incremental_snapshots::ResourceId;
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        Just(Value::from(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d"
        )),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("name".to_string()),
                    Just("type".to_string()),
                    Just("location".to_string()),
                    Just("properties".to_string()),
                    Just("value".to_string()),
                    Just("nextLink".to_string()),
                    Just("incremental".to_string()),
                    Just("creationData".to_string()),
                    Just("sourceResourceId".to_string()),
                    Just("sourceUniqueId".to_string()),
                    Just("uniqueId".to_string()),
                    Just("timeCreated".to_string()),
                    Just("sku".to_string()),
                    Just("status".to_string()),
                    Just("tags".to_string()),
                    "[a-zA-Z]{1,8}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid snapshot with one field replaced by arbitrary JSON.
fn mutated_snapshot() -> impl Strategy<Value = Value> {
    (arb_json(), 0usize..8).prop_map(|(junk, at)| {
        let mut s = json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s",
            "name": "s", "location": "westus", "properties": { "incremental": true, "timeCreated": "2024-01-01T00:00:00Z",
            "creationData": { "createOption": "Copy", "sourceResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d", "sourceUniqueId": "u" } } });
        match at {
            0 => s["id"] = junk,
            1 => s["properties"]["incremental"] = junk,
            2 => s["properties"]["creationData"] = junk,
            3 => s["properties"]["creationData"]["sourceResourceId"] = junk,
            4 => s["properties"]["timeCreated"] = junk,
            5 => s["properties"] = junk,
            6 => s["location"] = junk,
            _ => s = junk,
        }
        s
    })
}

fn settings() -> ClientSettings {
    ClientSettings::new(Endpoint::parse("https://management.azure.com").unwrap())
}

const ORIGIN: &str = "https://management.azure.com";

/// The errors of the JSON-in functions (README "Error codes"): a bad argument names its field
/// (and, when validation found several problems, lists them all with the first one's field),
/// input that is not JSON of the expected shape is INVALID_JSON, a bad id INVALID_RESOURCE_ID.
fn check_input_error(e: &Error, allowed: &[ErrorCode]) -> Result<(), TestCaseError> {
    prop_assert!(allowed.contains(&e.code), "code {} not among {:?}: {}", e.code, allowed, e.message);
    prop_assert!(!e.message.is_empty());
    if e.code == ErrorCode::InvalidArgument {
        prop_assert!(
            e.field.as_deref().is_some_and(|f| !f.is_empty()),
            "INVALID_ARGUMENT without a field: {}",
            e.message
        );
    }
    if let Some(first) = e.violations.first() {
        prop_assert_eq!(e.code, ErrorCode::InvalidArgument);
        prop_assert_eq!(e.field.as_deref(), Some(first.field.as_str()));
        for v in &e.violations {
            prop_assert!(!v.field.is_empty() && !v.rule.is_empty() && !v.message.is_empty(), "{:?}", v);
        }
    }
    prop_assert!(e.arm.is_none(), "an input error carries no ARM reply");
    Ok(())
}

/// `filterIncrementalSnapshots`: a JSON array of snapshot objects.
fn check_chain(r: &Result<String, Error>) -> Result<(), TestCaseError> {
    match r {
        Ok(out) => {
            let v: Vec<Value> =
                serde_json::from_str(out).map_err(|e| TestCaseError::fail(format!("not a JSON array: {e}")))?;
            prop_assert!(v.iter().all(Value::is_object), "{}", out);
        }
        Err(e) => {
            check_input_error(e, &[ErrorCode::InvalidJson, ErrorCode::InvalidArgument, ErrorCode::InvalidResourceId])?
        }
    }
    Ok(())
}

/// `groupSnapshotChains`: `{ chains: [], unsourced: [], total }` with every snapshot counted once.
fn check_report(r: &Result<String, Error>) -> Result<(), TestCaseError> {
    match r {
        Ok(out) => {
            let v: Value = serde_json::from_str(out).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
            prop_assert!(v["chains"].is_array() && v["unsourced"].is_array(), "{}", out);
            prop_assert!(v["total"].is_u64(), "{}", out);
        }
        Err(e) => {
            check_input_error(e, &[ErrorCode::InvalidJson, ErrorCode::InvalidArgument, ErrorCode::InvalidResourceId])?
        }
    }
    Ok(())
}

/// What an error reply becomes: the code of its status, the status and ARM's side kept.
fn check_reply_error(e: &Error, resp: &Response) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.code, code_for_status(resp.status));
    let arm = e.arm.as_ref().ok_or_else(|| TestCaseError::fail("an error reply keeps ARM's side"))?;
    prop_assert_eq!(arm.status, resp.status);
    prop_assert!(!e.message.trim().is_empty(), "an error reply always says something: {:?}", resp.body);
    Ok(())
}

/// A failure while reading replies: the status's own code for an error reply, else one of the
/// reply-reading codes.
fn check_step_error(e: &Error, resp: &Response) -> Result<(), TestCaseError> {
    let reading = [ErrorCode::InvalidResponse, ErrorCode::OperationFailed, ErrorCode::UntrustedUrl, ErrorCode::Timeout];
    prop_assert!(
        reading.contains(&e.code) || e.code == code_for_status(resp.status),
        "code {} for HTTP {}: {}",
        e.code,
        resp.status,
        e.message
    );
    if matches!(e.code, ErrorCode::InvalidResponse | ErrorCode::OperationFailed) {
        prop_assert_eq!(e.arm.as_ref().map(|a| a.status), Some(resp.status));
    }
    Ok(())
}

/// An LRO step: a poll goes to the endpoint's own origin.
fn check_lro_step(step: &LroStep, resp: &Response) -> Result<(), TestCaseError> {
    match step {
        LroStep::Poll { url, .. } => prop_assert!(url.starts_with(ORIGIN), "poll URL off the endpoint: {}", url),
        LroStep::Finished(_) => {}
        LroStep::Failed(e) => check_step_error(e, resp)?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn resource_ids_parse_or_fail_cleanly(s in "\\PC{0,200}") {
        if let Ok(id) = ResourceId::parse(&s) {
            let text = id.to_string();
            prop_assert!(!text.contains(['?', '#', '%', '\\']));
            prop_assert!(!text.contains(".."));
            let again = ResourceId::parse(&text).unwrap();
            prop_assert!(again.eq_ignore_case(&id));
        }
    }

    #[test]
    fn resource_ids_built_from_parts_round_trip(rg in "[a-zA-Z0-9_().-]{1,90}", name in "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]") {
        let id = format!("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{rg}/providers/Microsoft.Compute/snapshots/{name}");
        match ResourceId::parse(&id) {
            Ok(parsed) => {
                prop_assert_eq!(parsed.name(), Some(name.as_str()));
                prop_assert_eq!(parsed.to_string(), id);
            }
            Err(e) => prop_assert!(rg.ends_with('.') || rg.contains("..") || name.contains(".."), "{}", e),
        }
    }

    #[test]
    fn listings_and_filters_never_panic(disk in arb_json(), listing in arb_json(), text in "\\PC{0,64}") {
        check_chain(&filter_incremental_snapshots_json(&disk.to_string(), &listing.to_string()))?;
        check_chain(&filter_incremental_snapshots_json(&disk.to_string(), &text))?;
        check_report(&group_snapshot_chains_json(&listing.to_string(), Some(&disk.to_string())))?;
        check_report(&group_snapshot_chains_json(&text, None))?;
    }

    #[test]
    fn mutated_snapshots_filter_or_fail_typed(snaps in prop::collection::vec(mutated_snapshot(), 0..6)) {
        let disk = json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG/providers/Microsoft.Compute/disks/D", "properties": { "uniqueId": "u" } });
        let page = json!({ "value": snaps }).to_string();
        match filter_incremental_snapshots_json(&disk.to_string(), &page) {
            Ok(out) => prop_assert!(serde_json::from_str::<Vec<Value>>(&out).is_ok()),
            Err(e) => prop_assert_eq!(e.code.as_str(), "INVALID_JSON"),
        }
        check_report(&group_snapshot_chains_json(&page, None))?;
    }

    #[test]
    fn config_building_never_panics(source in arb_json(), options in arb_json(), now in any::<i64>()) {
        let codes = [ErrorCode::InvalidArgument, ErrorCode::InvalidJson, ErrorCode::InvalidResourceId];
        // `{ id, name, resourceGroup, apiVersion, body }`: a copy, incremental unless the options say not.
        let check_config = |text: &str| -> Result<Value, TestCaseError> {
            let v: Value = serde_json::from_str(text).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
            for key in ["id", "name", "resourceGroup", "apiVersion"] {
                prop_assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{} missing: {}", key, text);
            }
            prop_assert!(ResourceId::parse(v["id"].as_str().unwrap()).is_ok(), "id: {}", text);
            prop_assert!(v["body"]["properties"]["incremental"].is_boolean(), "{}", text);
            let option = &v["body"]["properties"]["creationData"]["createOption"];
            prop_assert!(option == "Copy" || option == "CopyStart", "{}", text);
            Ok(v)
        };
        match build_snapshot_config_json(&source.to_string(), &options.to_string(), now) {
            Ok(text) => { check_config(&text)?; }
            Err(e) => check_input_error(&e, &codes)?,
        }
        let disk = json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d", "location": "westus" });
        match build_snapshot_config_json(&disk.to_string(), &options.to_string(), now) {
            Ok(text) => {
                let v = check_config(&text)?;
                prop_assert_eq!(&v["body"]["properties"]["creationData"]["sourceResourceId"], &disk["id"]);
                let asked = options.get("incremental").and_then(Value::as_bool).unwrap_or(true);
                prop_assert_eq!(&v["body"]["properties"]["incremental"], &json!(asked));
            }
            // The disk is valid: only the options can be to blame, and the error says which.
            Err(e) => {
                check_input_error(&e, &codes)?;
                prop_assert!(e.field.is_some(), "{}", e.message);
            }
        }
    }

    #[test]
    fn templates_never_panic_and_stay_incremental(
        options in arb_json(),
        text in "\\PC{0,80}",
        name in "\\PC{0,30}",
        layout in prop::sample::select(vec!["copyLoop", "perDisk", "single", ""]),
        count in 0usize..4,
    ) {
        let codes = [ErrorCode::InvalidArgument, ErrorCode::InvalidJson, ErrorCode::InvalidResourceId];
        // A deployment template: `$schema`, `contentVersion`, resources all incremental copies.
        let check_template = |r: Result<String, Error>| -> Result<(), TestCaseError> {
            match r {
                Ok(t) => {
                    let v: Value = serde_json::from_str(&t).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
                    prop_assert!(v["$schema"].is_string() && v["contentVersion"].is_string(), "{}", t);
                    let resources = v["resources"].as_array().ok_or_else(|| TestCaseError::fail("no resources"))?;
                    prop_assert!(!resources.is_empty());
                    for r in resources {
                        prop_assert_eq!(&r["properties"]["incremental"], &json!(true));
                    }
                }
                Err(e) => check_input_error(&e, &codes)?,
            }
            Ok(())
        };
        check_template(build_snapshot_template_json(&options.to_string()))?;
        check_template(build_snapshot_template_json(&text))?;
        match build_template_parameters_json(&options.to_string()) {
            Ok(p) => {
                let v: Value = serde_json::from_str(&p).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
                prop_assert!(v["$schema"].is_string() && v["parameters"].is_object(), "{}", p);
            }
            Err(e) => check_input_error(&e, &codes)?,
        }
        let disks: Vec<Value> = (0..count)
            .map(|i| json!(format!("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d{i}")))
            .collect();
        let opts = json!({ "disks": disks, "layout": layout, "snapshotName": { "parameter": name } });
        if let Ok(t) = build_snapshot_template_json(&opts.to_string()) {
            let v: Value = serde_json::from_str(&t).unwrap();
            let resources = v["resources"].as_array().unwrap();
            prop_assert!(!resources.is_empty());
            for r in resources {
                prop_assert_eq!(&r["properties"]["incremental"], &json!(true));
                prop_assert_eq!(&r["properties"]["creationData"]["createOption"], &json!("Copy"));
            }
            let p: Value = serde_json::from_str(&build_template_parameters_json(&opts.to_string()).unwrap()).unwrap();
            for key in v["parameters"].as_object().unwrap().keys() {
                let has_default = v["parameters"][key].get("defaultValue").is_some();
                prop_assert!(has_default || p["parameters"].get(key).is_some(), "parameter {} has no value", key);
            }
        }
    }

    #[test]
    fn uniqueid_prefilter_agrees_with_a_plain_search(
        hay in "[a-fA-F0-9\\-\"éx ]{0,120}",
        needle in "[a-fA-F0-9\\-é]{0,40}",
        cut in 0usize..120,
    ) {
        let reference = |h: &str, n: &str| h.to_ascii_lowercase().contains(&n.to_ascii_lowercase());
        prop_assert_eq!(contains_ignore_ascii_case(&hay, &needle), reference(&hay, &needle));
        // A needle taken from the hay, with its case flipped, is always found.
        let chars: Vec<char> = hay.chars().collect();
        let from = cut.min(chars.len());
        let inner: String = chars[from..].iter().take(36).collect();
        let flipped: String = inner.chars().map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect();
        prop_assert!(contains_ignore_ascii_case(&hay, &flipped));
    }

    #[test]
    fn replies_never_panic(status in 100u16..600, headers in prop::collection::vec(("\\PC{0,20}", "\\PC{0,40}"), 0..5), body in "\\PC{0,120}", json_body in arb_json()) {
        let mut headers = headers;
        headers.push(("Retry-After".into(), body.chars().take(10).collect()));
        for b in [body.clone(), json_body.to_string()] {
            let resp = Response { status, headers: headers.clone(), body: b };
            let e = from_response(&resp, 0);
            check_reply_error(&e, &resp)?;
            prop_assert_eq!(e.arm.as_ref().unwrap().retry_after_ms, server_delay_ms(&resp, 0));
            for kind in [LroKind::Put, LroKind::Post, LroKind::Delete] {
                let mut lro = Lro::new(kind, format!("{ORIGIN}/x"));
                let step = lro.on_initial(&settings(), &resp, 0);
                check_lro_step(&step, &resp)?;
                if matches!(step, LroStep::Poll { .. }) {
                    check_lro_step(&lro.on_poll(&settings(), &resp, 0), &resp)?;
                }
            }
            match Pager::new(None).on_page(&settings(), &resp, 0) {
                Ok(Some(next)) => prop_assert!(next.starts_with(ORIGIN), "nextLink off the endpoint: {}", next),
                Ok(None) => prop_assert_eq!(status, 200),
                Err(e) if status != 200 => check_reply_error(&e, &resp)?,
                Err(e) => check_step_error(&e, &resp)?,
            }
        }
    }

    #[test]
    fn times_never_panic(s in "\\PC{0,40}") {
        // A timestamp read is a real instant, and only text that starts like one is read.
        if let Some(t) = parse_timestamp(&s) {
            prop_assert!(t.nanos < 1_000_000_000);
            let b = s.trim().as_bytes();
            prop_assert!(b.len() >= 19 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-', "{}", s);
            prop_assert!(matches!(b[10], b'T' | b't' | b' ') && b[13] == b':' && b[16] == b':', "{}", s);
        }
        // An HTTP date read ends in GMT (IMF-fixdate).
        if parse_http_date(&s).is_some() {
            prop_assert!(s.trim_end().ends_with("GMT"), "{}", s);
        }
    }
}
