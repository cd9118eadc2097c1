//! The exported functions of the npm package (camelCase names are the contract).

use super::convert::{error_to_js, json_text, to_js};
use crate::error::{Error, Result};
use crate::resource_id::ResourceId;
use wasm_bindgen::prelude::*;

fn js_result(r: Result<JsValue>) -> std::result::Result<JsValue, JsValue> {
    r.map_err(error_to_js)
}

/// `parseResourceId(id)`: `{ id, kind, subscriptionId, resourceGroup, provider, resourceType, name }`.
#[wasm_bindgen(js_name = parseResourceId, skip_typescript)]
pub fn parse_resource_id(id: JsValue) -> std::result::Result<JsValue, JsValue> {
    js_result((|| {
        let text = id
            .as_string()
            .ok_or_else(|| Error::invalid_argument("id", "the resource id must be a string"))?;
        let _ = json_text; // JSON helpers are used by the other exports
        let parsed = ResourceId::parse(&text).map_err(|e| e.with_field("id"))?;
        to_js(&crate::resource_id::ParsedResourceId::from(&parsed))
    })())
}
