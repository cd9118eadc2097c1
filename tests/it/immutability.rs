//! `setImmutabilityPolicy` / `lockImmutabilityPolicy` driven with scripted responses on the
//! virtual clock of `arm.rs`: the action, its api-version (always 2026-03-02), the body, the
//! long-running operation (200, or 202 + Location + Retry-After), the result in either shape,
//! and the refusals before any request.

use super::arm::{expect, run, settings, ARM, SUB};
use azure_incremental_snapshots::arm::ops::{PolicyAction, UpdateImmutability, IMMUTABILITY_API_VERSION};
use azure_incremental_snapshots::arm::Method;
use azure_incremental_snapshots::{ErrorCode, ResourceId};
use serde_json::{json, Value};

fn snapshot() -> ResourceId {
    ResourceId::parse(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1"))
        .unwrap()
}

fn action_url(action: &str) -> String {
    format!("{ARM}{}/{action}?api-version=2026-03-02", snapshot())
}

const LOC: &str = "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Compute/locations/westus/DiskOperations/im1?api-version=2026-03-02";

fn op(action: PolicyAction, options: Value) -> UpdateImmutability {
    UpdateImmutability::new(settings(), &snapshot(), action, &options.to_string()).unwrap()
}

#[test]
fn set_posts_unlocked_at_2026_03_02_whatever_the_client_default() {
    assert_eq!(IMMUTABILITY_API_VERSION, "2026-03-02");
    assert_eq!(settings().api_version, "2025-01-02", "the client's own default is older");
    let r = run(
        op(PolicyAction::Set, json!({ "days": 7 })),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicy"))
            .body(json!({ "immutabilityDurationDays": 7, "type": "Unlocked" }))
            .reply(200, &[], r#"{"immutabilityDurationDays":7,"type":"Unlocked"}"#)],
    );
    let v: Value = serde_json::from_str(&r.result.unwrap()).unwrap();
    assert_eq!(v, json!({ "immutabilityDurationDays": 7, "type": "Unlocked" }));
    assert_eq!(r.waits, [0]);
    // A client set to a newer version still sends the one version that has the action.
    let mut newer = settings();
    newer.api_version = "2027-01-01".into();
    let r = run(
        UpdateImmutability::new(newer, &snapshot(), PolicyAction::Set, r#"{"days":1}"#).unwrap(),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicy")).reply(
            200,
            &[],
            r#"{"immutabilityDurationDays":1,"type":"Unlocked"}"#,
        )],
    );
    assert!(r.result.is_ok());
}

#[test]
fn lock_follows_location_at_retry_after_and_reads_the_final_body() {
    let r = run(
        op(PolicyAction::Lock, json!({ "days": 30.0 })),
        vec![
            expect(Method::Post, action_url("updateImmutabilityPolicyLock"))
                .body(json!({ "immutabilityDurationDays": 30, "type": "Locked" }))
                .reply(202, &[("Location", LOC), ("Retry-After", "3")], ""),
            expect(Method::Get, LOC).reply(202, &[], ""),
            expect(Method::Get, LOC).reply(
                200,
                &[],
                r#"{"immutabilityDurationDays":45,"type":"Locked","policyStartTime":"2026-01-01T00:00:00Z","policyExpirationTime":"2026-02-15T00:00:00Z","isPolicyExpired":false}"#,
            ),
        ],
    );
    assert_eq!(r.waits, [0, 3000, 3000], "Retry-After of the first reply, kept for the next poll");
    let v: Value = serde_json::from_str(&r.result.unwrap()).unwrap();
    // ARM's answer is the truth (here it kept a longer policy), with its times handed on.
    assert_eq!(
        v,
        json!({ "immutabilityDurationDays": 45, "type": "Locked", "policyStartTime": "2026-01-01T00:00:00Z",
                "policyExpirationTime": "2026-02-15T00:00:00Z", "isPolicyExpired": false })
    );
}

#[test]
fn a_snapshot_as_result_or_no_body_are_read_too() {
    // The SDKs model the result as the snapshot, with properties.immutabilityPolicy.
    let snap = json!({ "id": snapshot().to_string(), "name": "s1",
        "properties": { "immutabilityPolicy": { "immutabilityDurationDays": 9, "type": "Unlocked" } } });
    let r = run(
        op(PolicyAction::Set, json!({ "days": 9 })),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicy")).reply(200, &[], &snap.to_string())],
    );
    let v: Value = serde_json::from_str(&r.result.unwrap()).unwrap();
    assert_eq!(v, json!({ "immutabilityDurationDays": 9, "type": "Unlocked" }));
    // An operation that ends without a body: what was asked, which ARM accepted.
    let r = run(
        op(PolicyAction::Lock, json!({ "days": 12 })),
        vec![
            expect(Method::Post, action_url("updateImmutabilityPolicyLock")).reply(
                202,
                &[("Location", LOC), ("Retry-After", "1")],
                "",
            ),
            expect(Method::Get, LOC).reply(200, &[], ""),
        ],
    );
    let v: Value = serde_json::from_str(&r.result.unwrap()).unwrap();
    assert_eq!(v, json!({ "immutabilityDurationDays": 12, "type": "Locked" }));
    // A body that is not JSON is not invented into a policy.
    let r = run(
        op(PolicyAction::Set, json!({ "days": 2 })),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicy")).reply(200, &[], "<html>")],
    );
    assert_eq!(r.result.unwrap_err().code, ErrorCode::InvalidResponse);
}

#[test]
fn arm_refusals_keep_their_code_and_foreign_locations_are_not_polled() {
    let refusal =
        r#"{"error":{"code":"OperationNotAllowed","message":"A locked immutability policy can only be extended."}}"#;
    let r = run(
        op(PolicyAction::Lock, json!({ "days": 1 })),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicyLock")).reply(409, &[], refusal)],
    );
    let e = r.result.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(e.arm.as_ref().and_then(|a| a.arm_code.as_deref()), Some("OperationNotAllowed"));
    let r = run(
        op(PolicyAction::Set, json!({ "days": 1 })),
        vec![expect(Method::Post, action_url("updateImmutabilityPolicy")).reply(
            202,
            &[("Location", "https://evil.example/op")],
            "",
        )],
    );
    assert_eq!(r.result.unwrap_err().code, ErrorCode::UntrustedUrl);
}

#[test]
fn bad_options_and_ids_are_refused_before_any_request() {
    let bad = |options: &str| {
        UpdateImmutability::new(settings(), &snapshot(), PolicyAction::Set, options).err().expect("refused")
    };
    for (options, rules) in [
        ("{}", vec!["days.required"]),
        ("null", vec!["days.required"]),
        (r#"{"days":null}"#, vec!["days.required"]),
        (r#"{"days":"7"}"#, vec!["days.type"]),
        (r#"{"days":1.5}"#, vec!["days.type"]),
        (r#"{"days":0}"#, vec!["days.range"]),
        (r#"{"days":-3}"#, vec!["days.range"]),
        (r#"{"days":146001}"#, vec!["days.range"]),
        (r#"{"days":1e300}"#, vec!["days.range"]),
        (r#"{"days":18446744073709551615}"#, vec!["days.range"]),
        (r#"{"dayz":7}"#, vec!["days.required", "options.unknown"]),
        (r#"{"days":0,"type":"Locked"}"#, vec!["days.range", "options.unknown"]),
        ("[7]", vec!["options.type"]),
        ("{", vec!["options.json"]),
    ] {
        let e = bad(options);
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{options}");
        let got: Vec<&str> = e.violations.iter().map(|v| v.rule).collect();
        assert_eq!(got, rules, "{options}: {e}");
    }
    assert!(bad(r#"{"dayz":7}"#).violations.iter().any(|v| v.message.contains("did you mean \"days\"")));
    assert!(UpdateImmutability::new(settings(), &snapshot(), PolicyAction::Set, r#"{"days":146000}"#).is_ok());
    let disk =
        ResourceId::parse(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"))
            .unwrap();
    let e = UpdateImmutability::new(settings(), &disk, PolicyAction::Lock, r#"{"days":1}"#).err().expect("refused");
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidResourceId, Some("snapshotId")));
}

#[test]
fn reading_the_policy_gets_the_snapshot_at_2026_03_02() {
    use azure_incremental_snapshots::arm::ops::ReadImmutability;
    let get = format!("{ARM}{}?api-version=2026-03-02", snapshot());
    let policy = json!({ "immutabilityDurationDays": 3, "type": "Locked", "isPolicyExpired": false });
    let with = json!({ "id": snapshot().to_string(), "properties": { "immutabilityPolicy": policy } });
    let r = run(
        ReadImmutability::new(settings(), &snapshot()).unwrap(),
        vec![expect(Method::Get, get.clone()).reply(200, &[], &with.to_string())],
    );
    assert_eq!(serde_json::from_str::<Value>(&r.result.unwrap()).unwrap(), policy);
    for body in [json!({ "properties": {} }), json!({ "properties": { "immutabilityPolicy": null } })] {
        let r = run(
            ReadImmutability::new(settings(), &snapshot()).unwrap(),
            vec![expect(Method::Get, get.clone()).reply(200, &[], &body.to_string())],
        );
        assert_eq!(r.result.unwrap(), "null");
    }
    let r = run(
        ReadImmutability::new(settings(), &snapshot()).unwrap(),
        vec![expect(Method::Get, get).reply(404, &[], r#"{"error":{"code":"ResourceNotFound","message":"gone"}}"#)],
    );
    assert_eq!(r.result.unwrap_err().code, ErrorCode::NotFound);
}
