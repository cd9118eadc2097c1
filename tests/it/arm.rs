//! The ARM protocol driven with scripted responses: every outgoing request and every wait is
//! asserted, on a virtual clock.

use azure_incremental_snapshots::arm::ops::{
    CreateSnapshot, GetResource, GrantAccessOptions, ListAll, ListIncremental, ResourceRef, SearchScope, SingleRequest,
};
use azure_incremental_snapshots::arm::{
    Action, ClientSettings, Endpoint, Failure, Input, Method, Operation, Progress, Request, Response,
};
use azure_incremental_snapshots::config::SnapshotOptions;
use azure_incremental_snapshots::{ErrorCode, ResourceId, Result};
use serde_json::{json, Value};

pub(crate) const ARM: &str = "https://management.azure.com";
pub(crate) const SUB: &str = "00000000-0000-0000-0000-000000000000";
const NOW: i64 = 1_764_047_255_000;

fn disk_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1")
}

pub(crate) fn settings() -> ClientSettings {
    let mut s = ClientSettings::new(Endpoint::parse(ARM).unwrap());
    s.seed = 42;
    s
}

/// One expected request and the canned outcome.
pub(crate) struct Step {
    method: Method,
    url: String,
    body: Option<Value>,
    reply: std::result::Result<Response, Failure>,
}

pub(crate) fn expect(method: Method, url: impl Into<String>) -> StepBuilder {
    StepBuilder(Step { method, url: url.into(), body: None, reply: Ok(Response::default()) })
}

pub(crate) struct StepBuilder(Step);

impl StepBuilder {
    pub(crate) fn body(mut self, body: Value) -> Self {
        self.0.body = Some(body);
        self
    }
    pub(crate) fn reply(mut self, status: u16, headers: &[(&str, &str)], body: &str) -> Step {
        self.0.reply = Ok(Response {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.to_string(),
        });
        self.0
    }
    pub(crate) fn fail(mut self, failure: Failure) -> Step {
        self.0.reply = Err(failure);
        self.0
    }
}

/// What a run did: the result, each wait before a request, and the progress reports.
pub(crate) struct Run {
    pub(crate) result: Result<String>,
    pub(crate) waits: Vec<u64>,
    progress: Vec<Progress>,
}

pub(crate) fn run<O: Operation<Output = String>>(mut op: O, script: Vec<Step>) -> Run {
    let mut now = NOW;
    let mut input = Input::Start;
    let mut waits = Vec::new();
    let mut progress = Vec::new();
    let mut script = script.into_iter();
    for _ in 0..1000 {
        let action = op.step(input, now);
        progress.extend(op.take_progress());
        match action {
            Action::Done(result) => {
                let rest = script.count();
                assert_eq!(rest, 0, "{rest} scripted requests were never sent");
                return Run { result, waits, progress };
            }
            Action::Send { request, delay_ms } => {
                now += delay_ms as i64;
                waits.push(delay_ms);
                let step = script.next().unwrap_or_else(|| panic!("unexpected request {request:?}"));
                check_request(&request, &step);
                input = match step.reply {
                    Ok(r) => Input::Response(r),
                    Err(f) => Input::Failure(f),
                };
            }
        }
    }
    panic!("the operation did not end");
}

fn check_request(request: &Request, step: &Step) {
    assert_eq!(request.method, step.method, "method of {}", request.url);
    assert_eq!(request.url, step.url, "url");
    let header = |name: &str| request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    assert_eq!(header("Accept"), Some("application/json"));
    assert!(
        request.headers.iter().all(|(k, _)| !k.eq_ignore_ascii_case("Authorization")),
        "the core never sees the token"
    );
    if request.body.is_some() {
        assert_eq!(header("Content-Type"), Some("application/json"));
    }
    if request.method == Method::Put {
        assert_eq!(header("If-None-Match"), Some("*"), "every PUT is a create, never a replace");
    }
    if request.url.starts_with(ARM)
        && request.url.contains("/providers/Microsoft.Compute/")
        && !request.url.contains("DiskOperations")
    {
        assert_eq!(request.url.matches("api-version=").count(), 1, "exactly one api-version: {}", request.url);
    }
    match (&step.body, &request.body) {
        (Some(want), Some(got)) => assert_eq!(&serde_json::from_str::<Value>(got).unwrap(), want, "body"),
        (Some(want), None) => panic!("expected body {want}"),
        _ => {}
    }
}

fn url(path: &str) -> String {
    format!("{ARM}{path}?api-version=2025-01-02")
}

fn snapshot_url(name: &str) -> String {
    url(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}"))
}

fn disk_json(sku: &str) -> String {
    json!({ "id": disk_id(), "name": "disk1", "type": "Microsoft.Compute/disks", "location": "westus",
            "sku": { "name": sku }, "properties": { "uniqueId": "u-1", "networkAccessPolicy": "AllowAll" } })
    .to_string()
}

fn snapshot_body(name: &str, state: &str, percent: Option<f64>) -> String {
    let mut v = json!({ "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}"),
        "name": name, "type": "Microsoft.Compute/snapshots", "location": "westus",
        "properties": { "incremental": true, "provisioningState": state,
            "creationData": { "createOption": "Copy", "sourceResourceId": disk_id(), "sourceUniqueId": "u-1" } } });
    if let Some(p) = percent {
        v["properties"]["completionPercent"] = json!(p);
    }
    v.to_string()
}

const OP: &str = "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Compute/locations/westus/DiskOperations/op1?p=x&api-version=2025-01-02";

fn create(sku: &str, options: Value, wait: bool) -> CreateSnapshot {
    CreateSnapshot::new(
        settings(),
        ResourceRef::Object(disk_json(sku)),
        SnapshotOptions::from_json_text(&options.to_string()).unwrap(),
        wait,
    )
}

#[test]
fn create_and_wait_follows_azure_async_operation_and_uses_its_output() {
    let name = "disk1-snap-20251125-050735";
    let run = run(
        create("Premium_LRS", json!({}), true),
        vec![
            expect(Method::Get, snapshot_url(name)).reply(404, &[("x-ms-error-code", "ResourceNotFound")], "{}"),
            expect(Method::Put, snapshot_url(name))
                .body(json!({ "location": "westus", "properties": {
                    "creationData": { "createOption": "Copy", "sourceResourceId": disk_id() },
                    "incremental": true, "networkAccessPolicy": "AllowAll" } }))
                .reply(
                    202,
                    &[("Azure-AsyncOperation", OP), ("Location", &format!("{OP}&monitor=true")), ("Retry-After", "3")],
                    &snapshot_body(name, "Updating", None),
                ),
            expect(Method::Get, OP).reply(200, &[], r#"{"status":"InProgress","name":"op1"}"#),
            expect(Method::Get, OP).reply(
                200,
                &[],
                &format!(
                    r#"{{"status":"succeeded","properties":{{"output":{}}},"name":"op1"}}"#,
                    snapshot_body(name, "Succeeded", Some(100.0))
                ),
            ),
        ],
    );
    let body: Value = serde_json::from_str(&run.result.unwrap()).unwrap();
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    // Waits: none before the check and the PUT, then the Retry-After of 3 s, kept for the poll
    // reply that asks for nothing (as Azure's SDKs keep it).
    assert_eq!(run.waits, [0, 0, 3000, 3000]);
    let phases: Vec<&str> = run.progress.iter().map(|p| p.phase).collect();
    assert_eq!(phases, ["checking", "submitting", "provisioning", "provisioning", "done"]);
}

#[test]
fn an_existing_name_is_a_conflict_and_nothing_is_written() {
    let run = run(
        create("Premium_LRS", json!({ "name": "keep-me" }), true),
        vec![expect(Method::Get, snapshot_url("keep-me")).reply(
            200,
            &[("x-ms-request-id", "r1")],
            &snapshot_body("keep-me", "Succeeded", None),
        )],
    );
    let err = run.result.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.field.as_deref(), Some("options.name"));
    // The GET's 200 found the name; it is not the error's status.
    let arm = err.arm.expect("request id kept");
    assert_eq!((arm.status, arm.request_id.as_deref()), (0, Some("r1")));
}

#[test]
fn invalid_options_fail_before_any_request() {
    let op = CreateSnapshot::new(
        settings(),
        ResourceRef::Object(disk_json("Premium_LRS")),
        SnapshotOptions::from_json_text(r#"{"sku":"Premium_LRS","name":"-bad"}"#).unwrap(),
        true,
    );
    let run = run(op, vec![]);
    let err = run.result.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(err.violations.len(), 2);
}

#[test]
fn premium_v2_waits_for_completion_percent() {
    let name = "s1";
    let run = run(
        create("PremiumV2_LRS", json!({ "name": name }), true),
        vec![
            expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
            expect(Method::Put, snapshot_url(name)).reply(201, &[], &snapshot_body(name, "Succeeded", Some(0.0))),
            expect(Method::Get, snapshot_url(name)).reply(200, &[], &snapshot_body(name, "Succeeded", Some(40.0))),
            expect(Method::Get, snapshot_url(name)).reply(200, &[], &snapshot_body(name, "Succeeded", Some(100.0))),
        ],
    );
    assert!(run.result.is_ok());
    assert_eq!(run.waits, [0, 0, 0, 5000]);
    let percents: Vec<Option<f64>> =
        run.progress.iter().filter(|p| p.phase == "copying").map(|p| p.completion_percent).collect();
    assert_eq!(percents, [Some(0.0), Some(40.0)]);
}

#[test]
fn a_failed_copy_reports_copy_completion_error() {
    let name = "s1";
    let mut failed: Value = serde_json::from_str(&snapshot_body(name, "Succeeded", Some(10.0))).unwrap();
    failed["properties"]["copyCompletionError"] =
        json!({ "errorCode": "CopySourceNotFound", "errorMessage": "source gone" });
    let run = run(
        create("UltraSSD_LRS", json!({ "name": name }), true),
        vec![
            expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
            expect(Method::Put, snapshot_url(name)).reply(201, &[], &failed.to_string()),
        ],
    );
    let err = run.result.unwrap_err();
    assert_eq!(err.code, ErrorCode::OperationFailed);
    assert_eq!(err.arm.unwrap().arm_code.as_deref(), Some("CopySourceNotFound"));
}

#[test]
fn lro_failure_and_cancellation_are_operation_failed() {
    for status in ["Failed", "Canceled", "cancelled"] {
        let run = run(
            create("Premium_LRS", json!({ "name": "s" }), true),
            vec![
                expect(Method::Get, snapshot_url("s")).reply(404, &[], "{}"),
                expect(Method::Put, snapshot_url("s")).reply(202, &[("Azure-AsyncOperation", OP)], "{}"),
                expect(Method::Get, OP).reply(
                    200,
                    &[],
                    &format!(r#"{{"status":"{status}","error":{{"code":"InternalOperationError","message":"boom"}}}}"#),
                ),
            ],
        );
        let err = run.result.unwrap_err();
        assert_eq!(err.code, ErrorCode::OperationFailed, "{status}");
        assert_eq!(err.arm.unwrap().arm_code.as_deref(), Some("InternalOperationError"));
    }
}

#[test]
fn foreign_poll_urls_are_refused_before_the_token_goes_there() {
    for header in ["Azure-AsyncOperation", "Location"] {
        let run = run(
            create("Premium_LRS", json!({ "name": "s" }), true),
            vec![
                expect(Method::Get, snapshot_url("s")).reply(404, &[], "{}"),
                expect(Method::Put, snapshot_url("s")).reply(202, &[(header, "https://evil.example.com/op")], "{}"),
            ],
        );
        assert_eq!(run.result.unwrap_err().code, ErrorCode::UntrustedUrl, "{header}");
    }
}

#[test]
fn location_polling_until_done_then_final_get() {
    let loc = format!(
        "{ARM}/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/DiskOperations/op2?monitor=true"
    );
    let run = run(
        create("Premium_LRS", json!({ "name": "s" }), true),
        vec![
            expect(Method::Get, snapshot_url("s")).reply(404, &[], "{}"),
            expect(Method::Put, snapshot_url("s")).reply(202, &[("Location", &loc), ("Retry-After", "1")], ""),
            expect(Method::Get, loc.clone()).reply(202, &[("Location", &loc)], ""),
            expect(Method::Get, loc.clone()).reply(200, &[], ""),
            expect(Method::Get, snapshot_url("s")).reply(200, &[], &snapshot_body("s", "Succeeded", None)),
        ],
    );
    assert!(run.result.is_ok());
    assert_eq!(run.waits, [0, 0, 1000, 1000, 0]);
}

#[test]
fn retries_honour_retry_after_and_are_bounded() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    let u = url(&disk_id());
    let ok = expect(Method::Get, u.clone()).reply(200, &[], &disk_json("Premium_LRS"));
    let run1 = run(
        GetResource::new(settings(), &id),
        vec![
            expect(Method::Get, u.clone()).reply(
                429,
                &[("Retry-After", "2")],
                r#"{"error":{"code":"TooManyRequests"}}"#,
            ),
            expect(Method::Get, u.clone()).reply(503, &[("retry-after-ms", "150")], ""),
            expect(Method::Get, u.clone()).fail(Failure::Network("reset".into())),
            ok,
        ],
    );
    assert!(run1.result.is_ok());
    assert_eq!(&run1.waits[..3], [0, 2000, 150]);
    // Without Retry-After the third retry backs off 4 s ± 25%.
    assert!((3000..=5000).contains(&run1.waits[3]), "{:?}", run1.waits);

    let run2 = run(
        GetResource::new(settings(), &id),
        (0..4)
            .map(|_| {
                expect(Method::Get, u.clone()).reply(
                    429,
                    &[("Retry-After", "1"), ("x-ms-request-id", "rq")],
                    r#"{"error":{"code":"SubscriptionRequestsThrottled","message":"slow down"}}"#,
                )
            })
            .collect(),
    );
    let err = run2.result.unwrap_err();
    assert_eq!(err.code, ErrorCode::Throttled);
    let arm = err.arm.unwrap();
    assert_eq!(
        (arm.status, arm.arm_code.as_deref(), arm.request_id.as_deref()),
        (429, Some("SubscriptionRequestsThrottled"), Some("rq"))
    );
    assert_eq!(run2.waits, [0, 1000, 1000, 1000]);
}

#[test]
fn posts_are_not_retried_after_an_ambiguous_failure() {
    let id = ResourceId::parse(&disk_id().replace("disks/disk1", "snapshots/s")).unwrap();
    let body = GrantAccessOptions { duration_in_seconds: 3600, access: None, file_format: None }.to_body().unwrap();
    let grant_url = url(&format!("{}/beginGetAccess", id));
    let run = run(
        SingleRequest::grant_access(settings(), &id, body),
        vec![expect(Method::Post, grant_url).body(json!({ "access": "Read", "durationInSeconds": 3600 })).reply(
            500,
            &[],
            "",
        )],
    );
    assert_eq!(run.result.unwrap_err().code, ErrorCode::ArmError);
}

#[test]
fn grant_access_reads_the_sas_from_the_operation() {
    let id = ResourceId::parse(&disk_id().replace("disks/disk1", "snapshots/s")).unwrap();
    let body =
        GrantAccessOptions { duration_in_seconds: 600, access: Some("Read".into()), file_format: Some("VHDX".into()) }
            .to_body()
            .unwrap();
    let run = run(
        SingleRequest::grant_access(settings(), &id, body),
        vec![
            expect(Method::Post, url(&format!("{id}/beginGetAccess")))
                .body(json!({ "access": "Read", "durationInSeconds": 600, "fileFormat": "VHDX" }))
                .reply(202, &[("Azure-AsyncOperation", OP), ("Location", OP), ("Retry-After", "0")], ""),
            expect(Method::Get, OP).reply(
                200,
                &[],
                r#"{"status":"Succeeded","properties":{"output":{"accessSAS":"https://md.blob/x?sig=1"}}}"#,
            ),
        ],
    );
    let v: Value = serde_json::from_str(&run.result.unwrap()).unwrap();
    assert_eq!(v["accessSAS"], "https://md.blob/x?sig=1");
}

#[test]
fn delete_distinguishes_gone_from_deleted() {
    let id = ResourceId::parse(&disk_id().replace("disks/disk1", "snapshots/s")).unwrap();
    let gone = run(
        SingleRequest::delete_snapshot(settings(), &id),
        vec![expect(Method::Delete, snapshot_url("s")).reply(204, &[], "")],
    );
    assert_eq!(gone.result.unwrap(), r#"{"deleted":false}"#);
    let deleted = run(
        SingleRequest::delete_snapshot(settings(), &id),
        vec![
            expect(Method::Delete, snapshot_url("s")).reply(202, &[("Location", OP), ("Retry-After", "1")], ""),
            expect(Method::Get, OP).reply(202, &[], ""),
            expect(Method::Get, OP).reply(200, &[], ""),
        ],
    );
    assert_eq!(deleted.result.unwrap(), r#"{"deleted":true}"#);
}

fn page(items: &[String], next: Option<&str>) -> String {
    match next {
        Some(n) => format!(r#"{{"value":[{}],"nextLink":"{n}"}}"#, items.join(",")),
        None => format!(r#"{{"value":[{}]}}"#, items.join(",")),
    }
}

fn chain_snapshot(name: &str, unique: &str, time: &str) -> String {
    json!({ "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}"), "name": name,
            "properties": { "incremental": true, "timeCreated": time,
                "creationData": { "createOption": "Copy", "sourceResourceId": disk_id().to_uppercase(), "sourceUniqueId": unique } } })
    .to_string()
}

#[test]
fn list_incremental_reads_the_disk_then_every_page() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    let list = url(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots"));
    let next = format!("{ARM}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots?api-version=2025-01-02&$skiptoken=2");
    let c = chain_snapshot("c", "u-1", "2024-01-03T00:00:00Z");
    let first = page(&[c.clone(), chain_snapshot("old", "u-0", "2023-01-01T00:00:00Z")], Some(&next));
    // The same snapshot again on the next page must not be counted twice.
    let second = page(&[chain_snapshot("a", "u-1", "2024-01-01T00:00:00Z"), c], None);
    let run = run(
        ListIncremental::new(settings(), ResourceRef::Id(id), SearchScope::ResourceGroup),
        vec![
            expect(Method::Get, url(&disk_id())).reply(200, &[], &disk_json("Premium_LRS")),
            expect(Method::Get, list).reply(200, &[], &first),
            expect(Method::Get, next).reply(200, &[], &second),
        ],
    );
    let v: Value = serde_json::from_str(&run.result.unwrap()).unwrap();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn paging_refuses_foreign_links_loops_and_truncated_pages() {
    let scope = format!("/subscriptions/{SUB}");
    let list = url(&format!("{scope}/providers/Microsoft.Compute/snapshots"));
    let foreign = run(
        ListAll::compute(settings(), &scope, "snapshots").unwrap(),
        vec![expect(Method::Get, list.clone()).reply(200, &[], &page(&[], Some("https://evil.example.com/next")))],
    );
    assert_eq!(foreign.result.unwrap_err().code, ErrorCode::UntrustedUrl);
    let looping = run(
        ListAll::compute(settings(), &scope, "snapshots").unwrap(),
        vec![
            expect(Method::Get, list.clone()).reply(200, &[], &page(&[], Some(&format!("{list}&x=1")))),
            expect(Method::Get, format!("{list}&x=1")).reply(200, &[], &page(&[], Some(&format!("{list}&x=1")))),
        ],
    );
    assert_eq!(looping.result.unwrap_err().code, ErrorCode::InvalidResponse);
    let body = page(&[chain_snapshot("a", "u", "2024-01-01T00:00:00Z")], None);
    let truncated = run(
        ListAll::compute(settings(), &scope, "snapshots").unwrap(),
        vec![expect(Method::Get, list).reply(200, &[("x-ms-request-id", "t1")], &body[..body.len() / 2])],
    );
    let err = truncated.result.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidResponse);
    assert_eq!(err.arm.unwrap().request_id.as_deref(), Some("t1"));
}

#[test]
fn aborts_stop_at_once() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    let run = run(GetResource::new(settings(), &id), vec![expect(Method::Get, url(&disk_id())).fail(Failure::Aborted)]);
    assert_eq!(run.result.unwrap_err().code, ErrorCode::Aborted);
}

/// The recorded azure-cli CopyStart, replayed against the protocol: same URLs, same statuses,
/// the operation followed through `Azure-AsyncOperation`, then `completionPercent` awaited.
#[test]
fn recorded_copy_start_replays_through_the_protocol() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure/recordings/azure-cli.completion-percent.json");
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let its = rec["interactions"].as_array().unwrap();
    let reply = |i: &Value| {
        let headers: Vec<(String, String)> = i["response"]["headers"]
            .as_object()
            .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        Response {
            status: i["response"]["status"].as_u64().unwrap() as u16,
            headers,
            body: i["response"]["body"].to_string(),
        }
    };
    let uri = |i: &Value| i["request"]["uri"].as_str().unwrap().replace("2023-04-02", "2025-01-02");
    let snapa = its.iter().find(|i| i["request"]["method"] == "GET" && uri(i).contains("/snapshots/snapa?")).unwrap();
    let put_b = its.iter().find(|i| i["request"]["method"] == "PUT" && uri(i).contains("/snapshots/snapb?")).unwrap();
    let polls: Vec<&Value> = its.iter().filter(|i| uri(i).contains("/DiskOperations/e631786a")).collect();
    let get_b = its.iter().find(|i| i["request"]["method"] == "GET" && uri(i).contains("/snapshots/snapb?")).unwrap();
    let mut done_b: Value = get_b["response"]["body"].clone();
    done_b["properties"]["completionPercent"] = json!(100.0);

    let options = SnapshotOptions::from_json_text(
        r#"{"location":"eastus","name":"snapb","resourceGroup":"cli_test_completion_percent2_000002"}"#,
    )
    .unwrap();
    let op = CreateSnapshot::new(settings(), ResourceRef::Object(snapa["response"]["body"].to_string()), options, true);
    let mut put_reply = reply(put_b);
    // The recording trimmed the signed query values; keep the URLs as recorded (same origin).
    put_reply.headers.retain(|(k, _)| k != "location");
    let poll_url = put_reply.headers.iter().find(|(k, _)| k == "azure-asyncoperation").unwrap().1.clone();
    let mut script = vec![
        expect(Method::Get, uri(get_b)).reply(404, &[], r#"{"error":{"code":"ResourceNotFound"}}"#),
        Step {
            method: Method::Put,
            url: uri(put_b),
            body: Some(put_b["request"]["body"].clone()).map(|mut b| {
                b.as_object_mut().unwrap().remove("tags");
                b.as_object_mut().unwrap().remove("sku");
                // The source's network settings are carried over (the CLI left them to ARM's defaults).
                b["properties"]["networkAccessPolicy"] = json!("AllowAll");
                b["properties"]["publicNetworkAccess"] = json!("Enabled");
                b
            }),
            reply: Ok(put_reply),
        },
    ];
    for p in &polls {
        script.push(Step { method: Method::Get, url: poll_url.clone(), body: None, reply: Ok(reply(p)) });
    }
    script.push(Step { method: Method::Get, url: uri(get_b), body: None, reply: Ok(reply(get_b)) });
    script.push(expect(Method::Get, uri(get_b)).reply(200, &[], &done_b.to_string()));
    let run = run(op, script);
    let v: Value = serde_json::from_str(&run.result.unwrap()).unwrap();
    assert_eq!(v["properties"]["completionPercent"], 100.0);
    assert!(run.progress.iter().any(|p| p.phase == "copying" && p.completion_percent == Some(0.0)));
}

// --- Hostile servers: redirects, conditional creates, bounds ---------------------------------

#[test]
fn a_redirect_is_never_followed_nor_retried() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    for status in [301u16, 302, 303, 307, 308] {
        let run = run(
            GetResource::new(settings(), &id),
            vec![expect(Method::Get, url(&disk_id())).reply(
                status,
                &[("Location", "https://evil.example.com/x")],
                "{}",
            )],
        );
        let e = run.result.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "{status}");
        assert!(!e.message.contains("evil"), "{}", e.message);
    }
    // A redirected create (the PUT) is not a success either.
    let name = "s1";
    let run = run(
        create("Premium_LRS", json!({ "name": name }), true),
        vec![
            expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
            expect(Method::Put, snapshot_url(name)).reply(307, &[("Location", "https://evil.example.com/put")], ""),
        ],
    );
    assert_eq!(run.result.unwrap_err().code, ErrorCode::InvalidResponse);
}

#[test]
fn a_create_that_finds_the_name_taken_is_a_conflict() {
    let name = "s1";
    for (status, code) in [(412u16, "PreconditionFailed"), (200, "")] {
        let run = run(
            create("Premium_LRS", json!({ "name": name }), true),
            vec![
                expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
                expect(Method::Put, snapshot_url(name)).reply(
                    status,
                    &[("x-ms-request-id", "r1")],
                    &if status == 200 {
                        snapshot_body(name, "Succeeded", None)
                    } else {
                        format!(r#"{{"error":{{"code":"{code}"}}}}"#)
                    },
                ),
            ],
        );
        let e = run.result.unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict, "{status}");
        assert_eq!(e.field.as_deref(), Some("options.name"));
        let arm = e.arm.unwrap();
        // The 412 is ARM's refusal; a 200 is no error status, so none is reported (0: not set).
        assert_eq!(arm.status, if status == 200 { 0 } else { status }, "{status}");
        assert_eq!(arm.request_id.as_deref(), Some("r1"), "{status}");
    }
    // Without waiting too.
    let run = run(
        create("Premium_LRS", json!({ "name": name }), false),
        vec![
            expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
            expect(Method::Put, snapshot_url(name)).reply(200, &[], &snapshot_body(name, "Succeeded", None)),
        ],
    );
    assert_eq!(run.result.unwrap_err().code, ErrorCode::Conflict);
}

#[test]
fn polls_are_floored_when_retry_after_is_in_the_past_or_zero() {
    let name = "s1";
    let past = "Wed, 21 Oct 2015 07:28:00 GMT";
    let mut script = vec![
        expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
        expect(Method::Put, snapshot_url(name)).reply(202, &[("Azure-AsyncOperation", OP), ("Retry-After", past)], ""),
    ];
    for _ in 0..5 {
        script.push(expect(Method::Get, OP).reply(200, &[("Retry-After", "0")], r#"{"status":"InProgress"}"#));
    }
    script.push(expect(Method::Get, OP).reply(
        200,
        &[],
        &format!(r#"{{"status":"Succeeded","properties":{{"output":{}}}}}"#, snapshot_body(name, "Succeeded", None)),
    ));
    let run = run(create("Premium_LRS", json!({ "name": name }), true), script);
    assert!(run.result.is_ok(), "{:?}", run.result);
    // check, PUT, then six polls: each at least a second after the last.
    assert_eq!(run.waits.len(), 8);
    assert!(run.waits[2..].iter().all(|w| *w >= 1000), "{:?}", run.waits);
}

#[test]
fn a_request_timeout_is_retried_then_reported_as_timeout() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    let u = url(&disk_id());
    let script = (0..4).map(|_| expect(Method::Get, u.clone()).fail(Failure::Timeout)).collect();
    let run = run(GetResource::new(settings(), &id), script);
    let e = run.result.unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.message.contains("requestTimeoutMs"), "{}", e.message);
}

#[test]
fn the_shells_own_verdict_is_final_and_never_retried() {
    let id = ResourceId::parse(&disk_id()).unwrap();
    let verdict = azure_incremental_snapshots::Error::new(ErrorCode::Unauthorized, "the token function threw");
    let run = run(
        GetResource::new(settings(), &id),
        vec![expect(Method::Get, url(&disk_id())).fail(Failure::Fatal(verdict.clone()))],
    );
    assert_eq!(run.result.unwrap_err(), verdict);
}

#[test]
fn an_operation_ends_with_timeout_at_its_deadline_without_sending_more() {
    use azure_incremental_snapshots::arm::WithDeadline;
    let name = "s1";
    let mut script = vec![
        expect(Method::Get, snapshot_url(name)).reply(404, &[], "{}"),
        expect(Method::Put, snapshot_url(name)).reply(202, &[("Azure-AsyncOperation", OP), ("Retry-After", "10")], ""),
    ];
    // 10 s per poll, 35 s allowed: polls at 10, 20, 30 s; the fourth would wait past the deadline.
    for _ in 0..3 {
        script.push(expect(Method::Get, OP).reply(200, &[], r#"{"status":"InProgress"}"#));
    }
    let run = run(WithDeadline::new(create("Premium_LRS", json!({ "name": name }), true), 35_000), script);
    let e = run.result.unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.message.contains("operationTimeoutMs"), "{}", e.message);
}
