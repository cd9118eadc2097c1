//! Property tests: arbitrary strings and JSON into every parser and builder give a typed error
//! or a valid result, never a panic.

use azure_incremental_snapshots::arm::errors::from_response;
use azure_incremental_snapshots::arm::lro::{Lro, LroKind};
use azure_incremental_snapshots::arm::paging::Pager;
use azure_incremental_snapshots::arm::retry::{parse_http_date, server_delay_ms};
use azure_incremental_snapshots::arm::{ClientSettings, Endpoint, Response};
use azure_incremental_snapshots::config::build_snapshot_config_json;
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
        let _ = filter_incremental_snapshots_json(&disk.to_string(), &listing.to_string());
        let _ = filter_incremental_snapshots_json(&disk.to_string(), &text);
        let _ = group_snapshot_chains_json(&listing.to_string(), Some(&disk.to_string()));
        let _ = group_snapshot_chains_json(&text, None);
    }

    #[test]
    fn mutated_snapshots_filter_or_fail_typed(snaps in prop::collection::vec(mutated_snapshot(), 0..6)) {
        let disk = json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG/providers/Microsoft.Compute/disks/D", "properties": { "uniqueId": "u" } });
        let page = json!({ "value": snaps }).to_string();
        match filter_incremental_snapshots_json(&disk.to_string(), &page) {
            Ok(out) => prop_assert!(serde_json::from_str::<Vec<Value>>(&out).is_ok()),
            Err(e) => prop_assert_eq!(e.code.as_str(), "INVALID_JSON"),
        }
        let _ = group_snapshot_chains_json(&page, None).map(|r| serde_json::from_str::<Value>(&r).unwrap());
    }

    #[test]
    fn config_building_never_panics(source in arb_json(), options in arb_json(), now in any::<i64>()) {
        let _ = build_snapshot_config_json(&source.to_string(), &options.to_string(), now);
        let disk = json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d", "location": "westus" });
        if let Ok(text) = build_snapshot_config_json(&disk.to_string(), &options.to_string(), now) {
            let v: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&v["body"]["properties"]["creationData"]["sourceResourceId"], &disk["id"]);
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
        let _ = build_snapshot_template_json(&options.to_string());
        let _ = build_template_parameters_json(&options.to_string());
        let _ = build_snapshot_template_json(&text);
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
            let _ = from_response(&resp, 0);
            let _ = server_delay_ms(&resp, 0);
            let mut lro = Lro::new(LroKind::Put, "https://management.azure.com/x".into());
            let _ = lro.on_initial(&settings(), &resp, 0);
            let _ = lro.on_poll(&settings(), &resp, 0);
            let _ = Pager::new(None).on_page(&settings(), &resp, 0);
        }
    }

    #[test]
    fn times_never_panic(s in "\\PC{0,40}") {
        let _ = parse_timestamp(&s);
        let _ = parse_http_date(&s);
    }
}
