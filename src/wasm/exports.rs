//! The exported functions of the npm package (camelCase names are the contract).

use super::convert::{absent, error_to_js, json_out, json_text, options_copy, options_text, prop, to_js};
use crate::error::{Error, Result};
use crate::resource_id::{ParsedResourceId, ResourceId};
use wasm_bindgen::prelude::*;

type JsResult = std::result::Result<JsValue, JsValue>;

fn js_result(r: Result<JsValue>) -> JsResult {
    r.map_err(error_to_js)
}

/// `parseResourceId(id)` → `{ id, kind, subscriptionId, resourceGroup, provider, resourceType, name }`.
#[wasm_bindgen(js_name = parseResourceId, skip_typescript)]
pub fn parse_resource_id(id: JsValue) -> JsResult {
    js_result((|| {
        let text = id.as_string().ok_or_else(|| Error::invalid_argument("id", "the resource id must be a string"))?;
        let parsed = ResourceId::parse(&text).map_err(|e| e.with_field("id"))?;
        to_js(&ParsedResourceId::from(&parsed))
    })())
}

/// `buildSnapshotConfig(diskOrSnapshotOrDiskId, options?)` → `{ id, name, resourceGroup, apiVersion, body }`.
#[cfg(feature = "config")]
#[wasm_bindgen(js_name = buildSnapshotConfig, skip_typescript)]
pub fn build_snapshot_config(source: JsValue, options: JsValue) -> JsResult {
    js_result((|| {
        // A string is a disk id (the region then comes from options.location); else the object ARM returned.
        let disk_id = source.as_string();
        let source = if disk_id.is_some() { String::new() } else { json_text(&source, "disk", false)? };
        let copy = options_copy(&options)?;
        let now_value = prop(copy.as_ref(), "now");
        let now = if absent(&now_value) {
            js_sys::Date::now() as i64
        } else if let Some(n) = now_value.as_f64().filter(|n| n.is_finite()) {
            n as i64
        } else if let Some(t) = now_value.as_string().as_deref().and_then(crate::time::parse_timestamp) {
            t.secs * 1000 + i64::from(t.nanos / 1_000_000)
        } else {
            return Err(Error::invalid_argument("options.now", "now must be epoch milliseconds or an ISO 8601 time"));
        };
        let options = options_text(copy.as_ref(), &["now"])?;
        json_out(&match disk_id {
            Some(id) => crate::config::build_snapshot_config_from_disk_id_json(&id, &options, now)?,
            None => crate::config::build_snapshot_config_json(&source, &options, now)?,
        })
    })())
}

/// `filterIncrementalSnapshots(disk, snapshots)`: the disk's incremental chain, oldest first.
/// `snapshots` is an array, an ARM list page, the JSON text of either, or that text's UTF-8
/// bytes (a `Uint8Array` or an `ArrayBuffer`, as `response.arrayBuffer()` gives them: copied
/// into wasm memory once, never decoded to a string). A long string is written into wasm
/// memory by the runtime's own `TextEncoder.encodeInto`, not wasm-bindgen's per-character copy.
/// Either way the page goes to the byte scanner (`crate::scan`).
#[cfg(feature = "filter")]
#[wasm_bindgen(js_name = filterIncrementalSnapshots, skip_typescript)]
pub fn filter_incremental_snapshots(disk: JsValue, snapshots: JsValue) -> JsResult {
    use js_sys::{ArrayBuffer, JsString, Uint8Array};
    use wasm_bindgen::JsCast;

    js_result((|| {
        let disk = json_text(&disk, "disk", false)?;
        let page: Vec<u8> = if let Some(bytes) = snapshots.dyn_ref::<Uint8Array>() {
            bytes.to_vec()
        } else if let Some(buffer) = snapshots.dyn_ref::<ArrayBuffer>() {
            Uint8Array::new(buffer).to_vec()
        } else if let Some(text) = snapshots.dyn_ref::<JsString>().filter(|t| t.length() > 1024) {
            super::convert::utf8_of(text)
        } else {
            json_text(&snapshots, "snapshots", true)?.into_bytes()
        };
        json_out(&crate::filter::filter_incremental_snapshots_bytes(&disk, &page)?)
    })())
}

/// `groupSnapshotChains(snapshots, { disks? })`: every chain of a listing.
#[cfg(feature = "chains")]
#[wasm_bindgen(js_name = groupSnapshotChains, skip_typescript)]
pub fn group_snapshot_chains(snapshots: JsValue, options: JsValue) -> JsResult {
    js_result((|| {
        let listing = json_text(&snapshots, "snapshots", true)?;
        let copy = options_copy(&options)?;
        if let Some(copy) = &copy {
            for k in super::convert::keys(copy) {
                if k != "disks" {
                    return Err(Error::invalid_argument(format!("options.{k}"), format!("unknown option {k:?}")));
                }
            }
        }
        let disks = prop(copy.as_ref(), "disks");
        let disks = if absent(&disks) { None } else { Some(json_text(&disks, "options.disks", false)?) };
        json_out(&crate::filter::group_snapshot_chains_json(&listing, disks.as_deref())?)
    })())
}

/// `planRetention(snapshots, policy, options?)`: which snapshots of each incremental chain a
/// retention policy keeps and removes (`crate::retention`). `snapshots` is an array, a list page
/// or the JSON text of either; `policy` an object; `options` `{ disks?, includeOrphans?,
/// lockTag? }`. The policy's and the options' violations come in one `INVALID_ARGUMENT`.
#[cfg(feature = "retention")]
#[wasm_bindgen(js_name = planRetention, skip_typescript)]
pub fn plan_retention(snapshots: JsValue, policy: JsValue, options: JsValue) -> JsResult {
    js_result((|| {
        let listing = json_text(&snapshots, "snapshots", true)?;
        // No policy is the policy reader's own `policy.empty`, reported with the options'.
        let policy = if absent(&policy) { "null".to_string() } else { json_text(&policy, "policy", false)? };
        let options = options_text(options_copy(&options)?.as_ref(), &[])?;
        json_out(&crate::retention::plan_retention_json(&listing, &policy, Some(&options))?)
    })())
}

/// `buildSnapshotTemplate(options?)`: an ARM deployment template (a plain object).
#[cfg(feature = "templates")]
#[wasm_bindgen(js_name = buildSnapshotTemplate, skip_typescript)]
pub fn build_snapshot_template(options: JsValue) -> JsResult {
    js_result((|| {
        json_out(&crate::template::build_snapshot_template_json(&options_text(options_copy(&options)?.as_ref(), &[])?)?)
    })())
}

/// `buildTemplateParameters(options)`: the deployment parameters file of the same template.
#[cfg(feature = "templates")]
#[wasm_bindgen(js_name = buildTemplateParameters, skip_typescript)]
pub fn build_template_parameters(options: JsValue) -> JsResult {
    js_result((|| {
        json_out(&crate::template::build_template_parameters_json(&options_text(
            options_copy(&options)?.as_ref(),
            &[],
        )?)?)
    })())
}

/// `errorCodes()`: every stable error code (`ErrorCode::ALL`, in its order), as a new frozen array
/// of strings on each call. A function rather than an exported constant: wasm-bindgen exports
/// functions and classes, not values.
#[wasm_bindgen(js_name = errorCodes, skip_typescript)]
pub fn error_codes() -> js_sys::Array {
    let codes: js_sys::Array = crate::error::ErrorCode::ALL.iter().map(|c| JsValue::from_str(c.as_str())).collect();
    js_sys::Object::freeze(&codes);
    codes
}

/// `clouds()`: the Azure clouds `new ArmClient({ cloud })` knows (`crate::arm::CLOUDS`, in its
/// order), as a new frozen array of frozen `{ name, armEndpoint }` objects on each call.
#[cfg(feature = "client")]
#[wasm_bindgen(skip_typescript)]
pub fn clouds() -> js_sys::Array {
    let list = js_sys::Array::new();
    for (name, endpoint) in crate::arm::CLOUDS {
        let cloud = js_sys::Object::new();
        // Setting a data property on a fresh plain object cannot throw.
        let _ = js_sys::Reflect::set(&cloud, &JsValue::from_str("name"), &JsValue::from_str(name));
        let _ = js_sys::Reflect::set(&cloud, &JsValue::from_str("armEndpoint"), &JsValue::from_str(endpoint));
        list.push(&js_sys::Object::freeze(&cloud));
    }
    js_sys::Object::freeze(&list);
    list
}

/// `parseEndpoint(endpoint)` → the endpoint's origin (`https://host[:port]`, lower-case), by the
/// rules `new ArmClient({ endpoint })` applies (`Endpoint::parse`): https, or http on loopback
/// only (else `UNTRUSTED_URL`); an origin only, no user, path, query or fragment (else
/// `INVALID_ARGUMENT`).
#[cfg(feature = "client")]
#[wasm_bindgen(js_name = parseEndpoint, skip_typescript)]
pub fn parse_endpoint(endpoint: JsValue) -> JsResult {
    js_result((|| {
        let text =
            endpoint.as_string().ok_or_else(|| Error::invalid_argument("endpoint", "the endpoint must be a string"))?;
        let parsed = crate::arm::Endpoint::parse(&text)?;
        Ok(JsValue::from_str(parsed.origin()))
    })())
}

/// `operationStatus(status)` → `"Succeeded" | "Failed" | "Running"`: how the client reads a
/// long-running operation's (or a resource's provisioning) status (`classify_status`: compared
/// ignoring case; Failed, Canceled and Cancelled are failures; anything else is still running).
#[cfg(feature = "client")]
#[wasm_bindgen(js_name = operationStatus, skip_typescript)]
pub fn operation_status(status: JsValue) -> JsResult {
    js_result((|| {
        use crate::arm::lro::{classify_status, OperationStatus};
        let text =
            status.as_string().ok_or_else(|| Error::invalid_argument("status", "the status must be a string"))?;
        Ok(JsValue::from_str(match classify_status(&text) {
            OperationStatus::Succeeded => "Succeeded",
            OperationStatus::Failed(_) => "Failed",
            OperationStatus::Running(_) => "Running",
        }))
    })())
}

/// `buildDiskConfig(source, options)` → `{ id, name, resourceGroup, apiVersion, createOption,
/// sourceResourceId?, body }`: the validated PUT of a disk restored from a snapshot (its id or
/// the object ARM returned) or a blob `{ sourceUri, storageAccountId }` (`crate::restore`).
#[cfg(feature = "restore")]
#[wasm_bindgen(js_name = buildDiskConfig, skip_typescript)]
pub fn build_disk_config(source: JsValue, options: JsValue) -> JsResult {
    restore_json(&source, &options, crate::restore::build_disk_config_json)
}

/// One body for both restore exports: the source and options as JSON text into `build`.
#[cfg(feature = "restore")]
#[inline(never)]
fn restore_json(source: &JsValue, options: &JsValue, build: fn(&str, &str) -> Result<String>) -> JsResult {
    js_result((|| {
        let source = super::restore::source_text(source)?;
        let options = options_text(options_copy(options)?.as_ref(), &[])?;
        json_out(&build(&source, &options)?)
    })())
}

/// `buildRestoreTemplate(source, options)`: an ARM deployment template of the same disk.
#[cfg(feature = "restore")]
#[wasm_bindgen(js_name = buildRestoreTemplate, skip_typescript)]
pub fn build_restore_template(source: JsValue, options: JsValue) -> JsResult {
    restore_json(&source, &options, crate::template::build_restore_template_json)
}
