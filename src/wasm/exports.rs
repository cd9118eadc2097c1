//! The exported functions of the npm package (camelCase names are the contract).

use super::convert::{error_to_js, json_out, json_text, json_value, options_value, to_js};
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

/// `buildSnapshotConfig(diskOrSnapshot, options?)` → `{ id, name, resourceGroup, apiVersion, body }`.
#[wasm_bindgen(js_name = buildSnapshotConfig, skip_typescript)]
pub fn build_snapshot_config(source: JsValue, options: JsValue) -> JsResult {
    js_result((|| {
        let source = json_value(&source, "disk")?;
        let mut options = options_value(&options, "options")?;
        let mut now = js_sys::Date::now() as i64;
        if let Some(obj) = options.as_object_mut() {
            match obj.remove("now") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::Number(n)) => now = n.as_f64().unwrap_or(0.0) as i64,
                Some(serde_json::Value::String(s)) => {
                    let t = crate::time::parse_timestamp(&s).ok_or_else(|| Error::invalid_argument("options.now", "now must be epoch milliseconds or an ISO 8601 time"))?;
                    now = t.secs * 1000 + i64::from(t.nanos / 1_000_000);
                }
                Some(_) => return Err(Error::invalid_argument("options.now", "now must be epoch milliseconds or an ISO 8601 time")),
            }
        }
        json_out(&crate::config::build_snapshot_config_json(&source, &options, now)?)
    })())
}

/// `filterIncrementalSnapshots(disk, snapshots)`: the disk's incremental chain, oldest first.
/// `snapshots` is an array, an ARM list page, or the JSON text of either.
#[wasm_bindgen(js_name = filterIncrementalSnapshots, skip_typescript)]
pub fn filter_incremental_snapshots(disk: JsValue, snapshots: JsValue) -> JsResult {
    js_result((|| {
        let disk = json_text(&disk, "disk", false)?;
        let listing = json_text(&snapshots, "snapshots", true)?;
        json_out(&crate::filter::filter_incremental_snapshots_json(&disk, &listing)?)
    })())
}

/// `groupSnapshotChains(snapshots, { disks? })`: every chain of a listing.
#[wasm_bindgen(js_name = groupSnapshotChains, skip_typescript)]
pub fn group_snapshot_chains(snapshots: JsValue, options: JsValue) -> JsResult {
    js_result((|| {
        let listing = json_text(&snapshots, "snapshots", true)?;
        let options = options_value(&options, "options")?;
        let disks = match options.get("disks") {
            None | Some(serde_json::Value::Null) => None,
            Some(d) => Some(d.to_string()),
        };
        if let Some(obj) = options.as_object() {
            if let Some(k) = obj.keys().find(|k| *k != "disks") {
                return Err(Error::invalid_argument(format!("options.{k}"), format!("unknown option {k:?}")));
            }
        }
        json_out(&crate::filter::group_snapshot_chains_json(&listing, disks.as_deref())?)
    })())
}
