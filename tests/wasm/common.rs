//! The JavaScript facade under wasm-bindgen-test, shared by `tests/web_node.rs` (Node) and
//! `tests/web_browser.rs` (headless Chromium): object shapes, and errors as real JS `Error`s with
//! `code` / `field` properties, through the same functions the npm package exports. The client's
//! newer methods (restoreDisk, the immutability policy) are called by their JavaScript names.

use azure_incremental_snapshots::wasm::client::ArmClient;
use azure_incremental_snapshots::wasm::exports::{
    build_disk_config, build_snapshot_config, build_snapshot_template, build_template_parameters,
    filter_incremental_snapshots, group_snapshot_chains, parse_resource_id,
};
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const DISK_ID: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d1";
const UNIQUE_ID: &str = "11111111-1111-1111-1111-111111111111";

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("Reflect.get")
}

fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// A plain object (`Object.prototype`), never a `Map` or a class instance.
fn assert_plain_object(v: &JsValue) {
    assert!(v.is_object(), "an object: {v:?}");
    let proto = Object::get_prototype_of(v);
    assert!(JsValue::from(proto).loose_eq(&JsValue::from(Object::get_prototype_of(&Object::new()))), "a plain object");
}

/// The error is a real JS `Error` named AzureSnapshotsError with the given code and field.
fn assert_js_error(err: &JsValue, code: &str, field: Option<&str>) {
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error: {err:?}");
    let e: &js_sys::Error = err.unchecked_ref();
    assert_eq!(String::from(e.name()), "AzureSnapshotsError");
    assert!(!String::from(e.message()).is_empty(), "a message");
    assert_eq!(get_str(err, "code").as_deref(), Some(code), "code of {:?}", String::from(e.message()));
    match field {
        Some(f) => assert_eq!(get_str(err, "field").as_deref(), Some(f)),
        None => assert!(get(err, "field").is_null(), "field is null"),
    }
}

fn disk() -> JsValue {
    js(&format!(
        r#"{{"id":"{DISK_ID}","name":"d1","type":"Microsoft.Compute/disks","location":"westeurope",
            "properties":{{"uniqueId":"{UNIQUE_ID}","diskSizeGB":8}}}}"#
    ))
}

fn snapshot(name: &str, time: &str) -> String {
    format!(
        r#"{{"id":"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}","name":"{name}",
            "type":"Microsoft.Compute/snapshots","location":"westeurope",
            "properties":{{"incremental":true,"timeCreated":"{time}",
              "creationData":{{"createOption":"Copy","sourceResourceId":"{DISK_ID}","sourceUniqueId":"{UNIQUE_ID}"}}}}}}"#
    )
}

#[wasm_bindgen_test]
fn parse_resource_id_returns_a_plain_object() {
    let parsed = parse_resource_id(JsValue::from_str(DISK_ID)).expect("a valid id");
    assert_plain_object(&parsed);
    assert_eq!(get_str(&parsed, "id").as_deref(), Some(DISK_ID));
    assert_eq!(get_str(&parsed, "kind").as_deref(), Some("resource"));
    assert_eq!(get_str(&parsed, "subscriptionId").as_deref(), Some(SUB));
    assert_eq!(get_str(&parsed, "resourceGroup").as_deref(), Some("rg"));
    assert_eq!(get_str(&parsed, "provider").as_deref(), Some("Microsoft.Compute"));
    assert_eq!(get_str(&parsed, "resourceType").as_deref(), Some("Microsoft.Compute/disks"));
    assert_eq!(get_str(&parsed, "name").as_deref(), Some("d1"));
}

#[wasm_bindgen_test]
fn parse_resource_id_errors_are_real_errors_with_code_and_field() {
    for bad in ["", "not-an-id", "/subscriptions/", "/subscriptions/x/resourceGroups"] {
        let err = parse_resource_id(JsValue::from_str(bad)).expect_err(bad);
        assert_js_error(&err, "INVALID_RESOURCE_ID", Some("id"));
    }
    for not_a_string in [JsValue::UNDEFINED, JsValue::NULL, JsValue::from_f64(42.0), Object::new().into()] {
        let err = parse_resource_id(not_a_string).expect_err("not a string");
        assert_js_error(&err, "INVALID_ARGUMENT", Some("id"));
    }
}

#[wasm_bindgen_test]
fn build_snapshot_config_builds_an_incremental_copy() {
    let options = js(r#"{"now":0,"tags":{"backup":"daily"}}"#);
    let config = build_snapshot_config(disk(), options).expect("a config");
    assert_plain_object(&config);
    assert_eq!(get_str(&config, "name").as_deref(), Some("d1-snap-19700101-000000"));
    assert_eq!(get_str(&config, "resourceGroup").as_deref(), Some("rg"));
    assert!(get_str(&config, "apiVersion").is_some());
    let body = get(&config, "body");
    assert_plain_object(&body);
    assert_eq!(get_str(&body, "location").as_deref(), Some("westeurope"));
    assert_eq!(get_str(&get(&body, "tags"), "backup").as_deref(), Some("daily"));
    let props = get(&body, "properties");
    assert_eq!(get(&props, "incremental").as_bool(), Some(true));
    let creation = get(&props, "creationData");
    assert_eq!(get_str(&creation, "createOption").as_deref(), Some("Copy"));
    assert_eq!(get_str(&creation, "sourceResourceId").as_deref(), Some(DISK_ID));
}

#[wasm_bindgen_test]
fn build_snapshot_config_errors() {
    let err = build_snapshot_config(JsValue::NULL, JsValue::UNDEFINED).expect_err("no disk");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("disk"));
    let err = build_snapshot_config(disk(), js(r#"{"now":"yesterday"}"#)).expect_err("bad now");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("options.now"));
}

#[wasm_bindgen_test]
fn filter_and_group_take_arrays_pages_and_json_text() {
    let listing = format!("[{},{}]", snapshot("s2", "2026-01-02T00:00:00Z"), snapshot("s1", "2026-01-01T00:00:00Z"));
    let page = format!(r#"{{"value":{listing}}}"#);
    for input in [js(&listing), js(&page), JsValue::from_str(&page)] {
        let chain = filter_incremental_snapshots(disk(), input).expect("a chain");
        assert!(Array::is_array(&chain), "an array");
        let names: Vec<String> = Array::from(&chain).iter().map(|s| get_str(&s, "name").unwrap()).collect();
        assert_eq!(names, ["s1", "s2"], "oldest first");
    }
    let report = group_snapshot_chains(js(&listing), JsValue::UNDEFINED).expect("a report");
    assert_plain_object(&report);
    assert_eq!(get(&report, "total").as_f64(), Some(2.0));
    let chains = Array::from(&get(&report, "chains"));
    assert_eq!(chains.length(), 1);
    assert_eq!(get(&chains.get(0), "count").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn filter_and_group_errors() {
    let err = filter_incremental_snapshots(disk(), JsValue::from_str("{not json")).expect_err("bad JSON");
    assert_js_error(&err, "INVALID_JSON", Some("snapshots"));
    let err = group_snapshot_chains(js("[]"), js(r#"{"nope":1}"#)).expect_err("unknown option");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("options.nope"));
}

/// A `fetch` that answers every request with `status` and the JSON `body`, and records the URLs.
fn fake_fetch(status: u16, body: &str) -> (Function, Array) {
    let seen = Array::new();
    let make = Function::new_with_args(
        "seen, status, body",
        "return (input, init) => { seen.push(typeof input === 'string' ? input : input.url); \
         return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json', 'x-ms-request-id': 'req-1' } })); };",
    );
    let f = make.call3(&JsValue::NULL, &seen, &JsValue::from(status), &JsValue::from_str(body)).expect("make fetch");
    (f.unchecked_into(), seen)
}

fn client(fetch: &Function) -> ArmClient {
    let options =
        js(r#"{"token":"secret-token","endpoint":"https://management.azure.com","maxRetries":0,"retryDelayMs":1}"#);
    Reflect::set(&options, &"fetch".into(), fetch).unwrap();
    ArmClient::new(options).map_err(|e| format!("{e:?}")).expect("a client")
}

#[wasm_bindgen_test]
async fn arm_client_lists_over_the_given_fetch() {
    let (fetch, seen) = fake_fetch(
        200,
        &format!(
            r#"{{"value":[{{"id":"/subscriptions/{SUB}","subscriptionId":"{SUB}","displayName":"dev","state":"Enabled"}}]}}"#
        ),
    );
    let subs = JsFuture::from(client(&fetch).list_subscriptions(JsValue::UNDEFINED)).await.expect("subscriptions");
    assert!(Array::is_array(&subs));
    let subs = Array::from(&subs);
    assert_eq!(subs.length(), 1);
    assert_plain_object(&subs.get(0));
    assert_eq!(get_str(&subs.get(0), "subscriptionId").as_deref(), Some(SUB));
    assert_eq!(seen.length(), 1);
    let url = seen.get(0).as_string().unwrap();
    assert!(url.starts_with("https://management.azure.com/subscriptions?"), "{url}");
    assert!(url.contains("api-version="), "{url}");
}

#[wasm_bindgen_test]
async fn arm_client_errors_are_real_errors_without_the_token() {
    let (fetch, _) =
        fake_fetch(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"The access token is invalid."}}"#);
    let err =
        JsFuture::from(client(&fetch).get_disk(JsValue::from_str(DISK_ID), JsValue::UNDEFINED)).await.expect_err("401");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get_str(&err, "code").as_deref(), Some("UNAUTHORIZED"));
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    assert_eq!(get_str(&err, "armCode").as_deref(), Some("InvalidAuthenticationToken"));
    let message = String::from(err.unchecked_ref::<js_sys::Error>().message());
    assert!(!message.contains("secret-token"), "{message}");

    let err = ArmClient::new(js("{}")).err().expect("no token");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("token"));
    let (fetch, _) = fake_fetch(200, "{}");
    let err = JsFuture::from(client(&fetch).get_disk(JsValue::from_str("nope"), JsValue::UNDEFINED))
        .await
        .expect_err("bad id");
    assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_RESOURCE_ID"));
}

/// The emulator's URL, given at build time by scripts/test.mjs (which starts one on loopback).
fn emulator_url() -> &'static str {
    option_env!("AIS_EMULATOR_URL").expect("AIS_EMULATOR_URL is not set: run these through `node scripts/test.mjs`")
}

/// The control API's secret of this run (scripts/test.mjs passes it at compile time, next to the URL).
fn emulator_secret() -> &'static str {
    option_env!("AIS_EMULATOR_SECRET")
        .expect("AIS_EMULATOR_SECRET is not set: run these through `node scripts/test.mjs`")
}

fn emulator_client() -> ArmClient {
    let options = js(&format!(
        r#"{{"token":"wasm-test-token","endpoint":"{}","retryDelayMs":5,"pollIntervalMs":5,"completionPollMs":5}}"#,
        emulator_url()
    ));
    ArmClient::new(options).map_err(|e| format!("{e:?}")).expect("a client")
}

async fn call(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// Every disk of the emulator's first subscription, through listSubscriptions and listDisks.
async fn demo_disks(c: &ArmClient) -> Array {
    let subs = Array::from(&call(c.list_subscriptions(JsValue::UNDEFINED)).await.expect("subscriptions"));
    let sub = get_str(&subs.get(0), "subscriptionId").expect("a subscription");
    Array::from(
        &call(c.list_disks(JsValue::from_str(&format!("/subscriptions/{sub}")), JsValue::UNDEFINED))
            .await
            .expect("disks"),
    )
}

/// The fetch transport over real HTTP (gloo-net, setTimeout, CORS in the browser): list, create
/// and wait, and see the new snapshot in the disk's chain.
#[wasm_bindgen_test]
async fn fetch_transport_against_the_emulator() {
    let c = emulator_client();
    let disks = demo_disks(&c).await;
    let disk = disks
        .iter()
        .find(|d| {
            let sku = get_str(&get(d, "sku"), "name").unwrap_or_default();
            sku == "Premium_LRS" || sku == "StandardSSD_LRS"
        })
        .expect("a Premium or Standard SSD disk in the demo");
    let name = format!("wasm-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e6) as u64);
    let options = js(&format!(r#"{{"name":"{name}"}}"#));
    let snap = call(c.create_incremental_snapshot(disk.clone(), options)).await.expect("created");
    assert_plain_object(&snap);
    assert_eq!(get_str(&get(&snap, "properties"), "provisioningState").as_deref(), Some("Succeeded"));
    let chain = Array::from(&call(c.list_incremental_snapshots(disk, JsValue::UNDEFINED)).await.expect("chain"));
    assert_eq!(get_str(&chain.get(chain.length() - 1), "name").as_deref(), Some(name.as_str()), "newest last");
}

/// Throttling injected through the emulator's control API is retried at Retry-After.
#[wasm_bindgen_test]
async fn fetch_transport_retries_throttling_from_the_emulator() {
    let c = emulator_client();
    let subs = Array::from(&call(c.list_subscriptions(JsValue::UNDEFINED)).await.expect("subscriptions"));
    let sub = get_str(&subs.get(0), "subscriptionId").expect("a subscription");
    let secret = emulator_secret();
    let init = js(&format!(
        r#"{{"method":"POST","headers":{{"content-type":"application/json","x-emulator-secret":"{secret}"}},
        "body":"{{\"route\":\"GET /resourcegroups\",\"kind\":\"throttle\",\"count\":1,\"retryAfter\":0}}"}}"#
    ));
    let fetch: Function = Reflect::get(&js_sys::global(), &"fetch".into()).unwrap().unchecked_into();
    let added = fetch
        .call2(&JsValue::NULL, &JsValue::from_str(&format!("{}/__emulator/faults", emulator_url())), &init)
        .unwrap();
    JsFuture::from(js_sys::Promise::from(added)).await.expect("fault added");
    let groups = call(c.list_resource_groups(JsValue::from_str(&sub), JsValue::UNDEFINED)).await.expect("retried");
    assert!(Array::from(&groups).length() >= 1);
    // The emulator's log shows the 429 that was retried.
    let log_init = js(&format!(r#"{{"headers":{{"x-emulator-secret":"{secret}"}}}}"#));
    let log = fetch
        .call2(&JsValue::NULL, &JsValue::from_str(&format!("{}/__emulator/requests", emulator_url())), &log_init)
        .unwrap();
    let log = JsFuture::from(js_sys::Promise::from(log)).await.expect("log");
    let text = JsFuture::from(log.unchecked_ref::<web_sys::Response>().text().unwrap()).await.unwrap();
    let requests = Array::from(&get(&js(&text.as_string().unwrap()), "requests"));
    let throttled = requests.iter().any(|r| {
        get(&r, "status").as_f64() == Some(429.0) && get_str(&r, "url").is_some_and(|u| u.contains("/resourcegroups"))
    });
    assert!(throttled, "the fault fired and the client retried it");
}

/// The remaining methods over real HTTP: get, list, copy to another region (CopyStart with
/// completionPercent), grant and revoke access, delete (twice: the second finds nothing), abort.
#[wasm_bindgen_test]
async fn every_other_method_against_the_emulator() {
    let c = emulator_client();
    let disks = demo_disks(&c).await;
    let listed = disks
        .iter()
        .find(|d| get_str(&get(d, "sku"), "name").as_deref() == Some("Premium_LRS"))
        .expect("a Premium disk in the demo");
    let disk_id = get_str(&listed, "id").expect("disk id");
    let disk = call(c.get_disk(JsValue::from_str(&disk_id), JsValue::UNDEFINED)).await.expect("getDisk");
    assert_plain_object(&disk);
    assert_eq!(get_str(&disk, "id").as_deref(), Some(disk_id.as_str()));

    let name = format!("wasm-all-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e6) as u64);
    let snap = call(c.create_incremental_snapshot(disk.clone(), js(&format!(r#"{{"name":"{name}"}}"#))))
        .await
        .expect("created");
    let snap_id = get_str(&snap, "id").expect("snapshot id");
    let got = call(c.get_snapshot(JsValue::from_str(&snap_id), JsValue::UNDEFINED)).await.expect("getSnapshot");
    assert_eq!(get(&get(&got, "properties"), "incremental").as_bool(), Some(true));
    let rg_scope = snap_id.split("/providers/").next().expect("scope").to_string();
    let in_group =
        Array::from(&call(c.list_snapshots(JsValue::from_str(&rg_scope), JsValue::UNDEFINED)).await.expect("list"));
    assert!(in_group.iter().any(|s| get_str(&s, "id").as_deref() == Some(snap_id.as_str())), "listed in its group");

    let location = get_str(&disk, "location").expect("location");
    let target = if location == "eastus2" { "westus3" } else { "eastus2" };
    let copy = call(
        c.copy_snapshot(JsValue::from_str(&snap_id), js(&format!(r#"{{"location":"{target}","name":"{name}-copy"}}"#))),
    )
    .await
    .expect("copied");
    assert_eq!(get_str(&copy, "location").as_deref(), Some(target));
    let copy_props = get(&copy, "properties");
    assert_eq!(get_str(&get(&copy_props, "creationData"), "createOption").as_deref(), Some("CopyStart"));
    assert_eq!(get(&copy_props, "completionPercent").as_f64(), Some(100.0), "waited for the background copy");

    let granted = call(c.grant_access(JsValue::from_str(&snap_id), js(r#"{"durationInSeconds":600}"#)))
        .await
        .expect("grantAccess");
    assert!(
        get_str(&granted, "accessSAS").is_some_and(|s| s.starts_with("https://") || s.contains("/blob/md-")),
        "a SAS url"
    );
    call(c.revoke_access(JsValue::from_str(&snap_id), JsValue::UNDEFINED)).await.expect("revokeAccess");

    let copy_id = get_str(&copy, "id").expect("copy id");
    let deleted = call(c.delete_snapshot(JsValue::from_str(&copy_id), JsValue::UNDEFINED)).await.expect("deleted");
    assert_eq!(get(&deleted, "deleted").as_bool(), Some(true));
    let again = call(c.delete_snapshot(JsValue::from_str(&copy_id), JsValue::UNDEFINED)).await.expect("idempotent");
    assert_eq!(get(&again, "deleted").as_bool(), Some(false));
    let gone = call(c.get_snapshot(JsValue::from_str(&copy_id), JsValue::UNDEFINED)).await.expect_err("gone");
    assert_js_error(&gone, "NOT_FOUND", None);

    let controller = web_sys::AbortController::new().expect("AbortController");
    controller.abort();
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &controller.signal()).unwrap();
    let aborted = call(c.list_snapshots(JsValue::from_str(&rg_scope), options.into())).await.expect_err("aborted");
    assert_js_error(&aborted, "ABORTED", None);
}

#[wasm_bindgen_test]
fn templates_are_plain_objects_and_errors_name_the_field() {
    let t = build_snapshot_template(js(&format!(r#"{{"disks":["{DISK_ID}"],"outputs":true}}"#))).expect("template");
    assert_plain_object(&t);
    let resource = Array::from(&get(&t, "resources")).get(0);
    assert_plain_object(&resource);
    assert_eq!(get_str(&resource, "type").as_deref(), Some("Microsoft.Compute/snapshots"));
    assert_eq!(get(&get(&resource, "properties"), "incremental").as_bool(), Some(true));
    let p = build_template_parameters(js(&format!(r#"{{"disk":"{DISK_ID}"}}"#))).expect("parameters");
    assert_eq!(get_str(&get(&get(&p, "parameters"), "diskResourceId"), "value").as_deref(), Some(DISK_ID));
    let documented = build_snapshot_template(JsValue::UNDEFINED).expect("the documented template");
    assert_eq!(get_str(&get(&get(&documented, "parameters"), "diskName"), "type").as_deref(), Some("string"));
    let err = build_snapshot_template(js(r#"{"apiVersion":"2018-01-01"}"#)).expect_err("too old");
    assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_ARGUMENT"));
    let err = build_snapshot_template(JsValue::from_f64(3.0)).expect_err("not an object");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("options"));
}

#[wasm_bindgen_test]
fn build_disk_config_builds_a_restore_and_lists_every_violation() {
    let snap_id = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1");
    let config = build_disk_config(
        js(&snapshot("s1", "2026-01-01T00:00:00Z")),
        js(r#"{"name":"restored","tags":{"from":"s1"}}"#),
    )
    .expect("a config");
    assert_plain_object(&config);
    assert_eq!(get_str(&config, "name").as_deref(), Some("restored"));
    assert_eq!(get_str(&config, "resourceGroup").as_deref(), Some("rg"));
    assert_eq!(get_str(&config, "createOption").as_deref(), Some("Copy"));
    assert_eq!(get_str(&config, "sourceResourceId").as_deref(), Some(snap_id.as_str()));
    assert!(get_str(&config, "id").is_some_and(|id| id.ends_with("/providers/Microsoft.Compute/disks/restored")));
    let body = get(&config, "body");
    assert_plain_object(&body);
    assert_eq!(get_str(&body, "location").as_deref(), Some("westeurope"), "the snapshot's region");
    assert_eq!(get_str(&get(&body, "tags"), "from").as_deref(), Some("s1"));
    let creation = get(&get(&body, "properties"), "creationData");
    assert_eq!(get_str(&creation, "createOption").as_deref(), Some("Copy"));
    assert_eq!(get_str(&creation, "sourceResourceId").as_deref(), Some(snap_id.as_str()));
    // by id: the region must be given (nothing is read)
    let by_id = build_disk_config(JsValue::from_str(&snap_id), js(r#"{"name":"r2","location":"westeurope"}"#))
        .expect("a config by id");
    assert_eq!(get_str(&by_id, "sourceResourceId").as_deref(), Some(snap_id.as_str()));

    // every violation at once, each with its field and rule
    let err = build_disk_config(js(&snapshot("s1", "2026-01-01T00:00:00Z")), js(r#"{"name":"-x","zones":["1","2"]}"#))
        .expect_err("two problems");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("options.name"));
    let violations = Array::from(&get(&err, "violations"));
    let rules: Vec<String> = violations.iter().filter_map(|v| get_str(&v, "rule")).collect();
    assert!(rules.iter().any(|r| r == "name.start") && rules.iter().any(|r| r == "zones.count"), "{rules:?}");
    assert!(violations.iter().all(|v| get_str(&v, "field").is_some() && get_str(&v, "message").is_some()));
    for bad in [JsValue::from_f64(42.0), JsValue::NULL, js("[]")] {
        let err = build_disk_config(bad, js(r#"{"name":"x"}"#)).expect_err("not a source");
        assert_js_error(&err, "INVALID_ARGUMENT", Some("source"));
    }
    // a blob source's signature is never in the error
    let blob = js(r#"{"sourceUri":"http://a.blob.core.windows.net/c/b.vhd?sv=1&sig=c2lnLW9mLWEtYmxvYg",
        "storageAccountId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"}"#);
    let err = build_disk_config(blob, js(r#"{"name":"x","location":"westeurope"}"#)).expect_err("not https");
    assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_ARGUMENT"));
    let all = format!(
        "{}{}",
        String::from(JSON::stringify(&err).unwrap()),
        String::from(err.unchecked_ref::<js_sys::Error>().message())
    );
    assert!(!all.contains("c2lnLW9mLWEtYmxvYg"), "{all}");
}

/// Calls the client's method by its JavaScript name and awaits the promise it returns.
async fn invoke(c: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(c, method).dyn_into().unwrap_or_else(|_| panic!("ArmClient.{method} is a function"));
    let list = Array::new();
    for a in args {
        list.push(a);
    }
    let promise = f.apply(c, &list).expect("the method returns a promise, it does not throw");
    assert!(promise.is_instance_of::<js_sys::Promise>(), "{method} returns a Promise");
    JsFuture::from(js_sys::Promise::from(promise)).await
}

/// A fresh incremental snapshot (a name no other test or run uses) of the demo disk `disk_name`:
/// each test its own disk, as the emulator allows 7 snapshots of a disk per 5 minutes and both
/// suites share one emulator.
async fn fresh_snapshot(c: &ArmClient, disk_name: &str, prefix: &str) -> JsValue {
    let disks = demo_disks(c).await;
    let disk = disks
        .iter()
        .find(|d| get_str(d, "name").as_deref() == Some(disk_name))
        .unwrap_or_else(|| panic!("the demo disk {disk_name}"));
    let name = format!("{prefix}-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e6) as u64);
    call(c.create_incremental_snapshot(disk, js(&format!(r#"{{"name":"{name}"}}"#)))).await.expect("created")
}

/// restoreDisk over HTTP: a Premium SSD v2 disk from a snapshot, its hydration reported through
/// onProgress while the emulator's clock is moved on (the control API, from Node or the page), then
/// the same name again (CONFLICT) and a bad onProgress (refused before any request).
#[wasm_bindgen_test]
async fn restore_disk_from_a_snapshot_against_the_emulator() {
    let arm = emulator_client();
    let snap = fresh_snapshot(&arm, "dev-scratch", "wasm-restore").await;
    let snap_id = get_str(&snap, "id").expect("snapshot id");
    let c = JsValue::from(arm);
    let secret = emulator_secret();
    // onProgress records each report; on the first "hydrating" it moves the emulator clock past
    // the hydration (10 s) and keeps the control API's answer, a promise, in `advanced`.
    let (seen, advanced) = (Array::new(), Array::new());
    let make = Function::new_with_args(
        "seen, advanced, url, secret",
        "return (p) => { seen.push(p); if (p.phase === 'hydrating' && advanced.length === 0) \
         advanced.push(fetch(url + '/__emulator/clock', { method: 'POST', headers: { 'content-type': \
         'application/json', 'x-emulator-secret': secret }, body: JSON.stringify({ advanceMs: 11000 }) }) \
         .then((r) => r.status)); };",
    );
    let args = Array::of4(&seen, &advanced, &JsValue::from_str(emulator_url()), &JsValue::from_str(secret));
    let on_progress = make.apply(&JsValue::NULL, &args).expect("onProgress");
    let name = format!("wasm-v2-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e6) as u64);
    let options = js(&format!(r#"{{"name":"{name}","sku":"PremiumV2_LRS"}}"#));
    Reflect::set(&options, &"onProgress".into(), &on_progress).unwrap();
    let disk = invoke(&c, "restoreDisk", &[&snap, &options]).await.expect("restored");
    assert_plain_object(&disk);
    assert_eq!(get_str(&disk, "name").as_deref(), Some(name.as_str()));
    assert_eq!(get_str(&get(&disk, "sku"), "name").as_deref(), Some("PremiumV2_LRS"));
    let props = get(&disk, "properties");
    assert_eq!(get(&props, "completionPercent").as_f64(), Some(100.0), "waited for the hydration");
    let source = get_str(&get(&props, "creationData"), "sourceResourceId").expect("sourceResourceId");
    assert!(source.eq_ignore_ascii_case(&snap_id), "{source}");
    assert_eq!(advanced.length(), 1, "the clock was moved once, when hydrating was first reported");
    let status = JsFuture::from(js_sys::Promise::from(advanced.get(0))).await.expect("the control API answered");
    assert_eq!(status.as_f64(), Some(200.0));
    let phases: Vec<String> = seen.iter().filter_map(|p| get_str(&p, "phase")).collect();
    assert_eq!(phases.last().map(String::as_str), Some("done"), "{phases:?}");
    let hydrating: Vec<f64> = seen
        .iter()
        .filter(|p| get_str(p, "phase").as_deref() == Some("hydrating"))
        .filter_map(|p| get(&p, "completionPercent").as_f64())
        .collect();
    assert!(!hydrating.is_empty() && hydrating.iter().all(|p| *p < 100.0), "{hydrating:?}");
    assert_plain_object(&seen.get(0));

    // the same name again: never over an existing disk
    let err = invoke(&c, "restoreDisk", &[&JsValue::from_str(&snap_id), &js(&format!(r#"{{"name":"{name}"}}"#))])
        .await
        .expect_err("taken");
    assert_js_error(&err, "CONFLICT", Some("options.name"));
    // refused before any request: onProgress not a function, an unknown option, no name
    let bad = js(r#"{"name":"x","onProgress":"yes"}"#);
    let err = invoke(&c, "restoreDisk", &[&snap, &bad]).await.expect_err("bad onProgress");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("options.onProgress"));
    let err = invoke(&c, "restoreDisk", &[&snap, &js(r#"{"nmae":"x"}"#)]).await.expect_err("no name");
    assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_ARGUMENT"));
    let err =
        invoke(&c, "restoreDisk", &[&JsValue::from_f64(1.0), &js(r#"{"name":"x"}"#)]).await.expect_err("a number");
    assert_js_error(&err, "INVALID_ARGUMENT", Some("source"));
}

/// The immutability policy over HTTP: none, set, extend, lock (Locked), read back at
/// 2026-03-02; a locked policy is never shortened nor unlocked, and its snapshot not deleted.
#[wasm_bindgen_test]
async fn immutability_policy_set_lock_and_read_against_the_emulator() {
    let arm = emulator_client();
    let snap = fresh_snapshot(&arm, "archive-hdd-01", "wasm-imm").await;
    let id = JsValue::from_str(&get_str(&snap, "id").expect("snapshot id"));
    let c = JsValue::from(arm);
    let none = invoke(&c, "getImmutabilityPolicy", &[&id]).await.expect("read");
    assert!(none.is_null(), "no policy yet: {none:?}");

    let policy = |days: f64, kind: &str, v: &JsValue| {
        assert_plain_object(v);
        assert_eq!(get(v, "immutabilityDurationDays").as_f64(), Some(days), "{v:?}");
        assert_eq!(get_str(v, "type").as_deref(), Some(kind));
    };
    policy(1.0, "Unlocked", &invoke(&c, "setImmutabilityPolicy", &[&id, &js(r#"{"days":1}"#)]).await.expect("set"));
    let read = invoke(&c, "getImmutabilityPolicy", &[&id, &JsValue::UNDEFINED]).await.expect("read");
    policy(1.0, "Unlocked", &read);
    assert_eq!(get(&read, "isPolicyExpired").as_bool(), Some(false));
    let start = get_str(&read, "policyStartTime").expect("policyStartTime");
    policy(3.0, "Unlocked", &invoke(&c, "setImmutabilityPolicy", &[&id, &js(r#"{"days":3}"#)]).await.expect("extend"));
    policy(3.0, "Locked", &invoke(&c, "lockImmutabilityPolicy", &[&id, &js(r#"{"days":3}"#)]).await.expect("lock"));
    let read = invoke(&c, "getImmutabilityPolicy", &[&id]).await.expect("read");
    policy(3.0, "Locked", &read);
    assert_eq!(
        get_str(&read, "policyStartTime").as_deref(),
        Some(start.as_str()),
        "extending and locking keep the start"
    );

    for (method, days) in [("lockImmutabilityPolicy", 2), ("setImmutabilityPolicy", 5)] {
        let err = invoke(&c, method, &[&id, &js(&format!(r#"{{"days":{days}}}"#))]).await.expect_err("refused");
        assert_eq!(get_str(&err, "code").as_deref(), Some("CONFLICT"), "{method}");
        assert_eq!(get(&err, "status").as_f64(), Some(409.0));
        assert_eq!(get_str(&err, "armCode").as_deref(), Some("OperationNotAllowed"));
    }
    let err = invoke(&c, "deleteSnapshot", &[&id]).await.expect_err("immutable");
    assert_eq!(get_str(&err, "code").as_deref(), Some("CONFLICT"));
    policy(3.0, "Locked", &invoke(&c, "getImmutabilityPolicy", &[&id]).await.expect("still there"));

    // refused before any request
    for bad in [r#"{"days":"7"}"#, r#"{"days":0}"#, r#"{"days":1.5}"#, r#"{}"#] {
        let err = invoke(&c, "setImmutabilityPolicy", &[&id, &js(bad)]).await.expect_err(bad);
        assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_ARGUMENT"), "{bad}");
        assert!(get_str(&err, "field").is_some_and(|f| f.starts_with("options")), "{bad}");
    }
    let disk_id = JsValue::from_str(DISK_ID);
    let err = invoke(&c, "getImmutabilityPolicy", &[&disk_id]).await.expect_err("a disk id");
    assert_eq!(get_str(&err, "field").as_deref(), Some("snapshotId"));
    let err = invoke(&c, "lockImmutabilityPolicy", &[&id]).await.expect_err("no options");
    assert_eq!(get_str(&err, "code").as_deref(), Some("INVALID_ARGUMENT"));
}
