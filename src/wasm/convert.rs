//! Crossing the boundary: JSON text in and out, and `Error` → JS `Error`.

use crate::error::{Error, ErrorCode, Result};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

/// Turns a crate error into a JS `Error` with `code`, `field`, `violations` and ARM details.
pub fn error_to_js(err: Error) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name("AzureSnapshotsError");
    let obj: &Object = js.unchecked_ref();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(obj, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(err.code.as_str()));
    set("field", err.field.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
    if !err.violations.is_empty() {
        let list = Array::new();
        for v in &err.violations {
            let item = Object::new();
            let _ = Reflect::set(&item, &"field".into(), &JsValue::from_str(&v.field));
            let _ = Reflect::set(&item, &"rule".into(), &JsValue::from_str(v.rule));
            let _ = Reflect::set(&item, &"message".into(), &JsValue::from_str(&v.message));
            list.push(&item);
        }
        set("violations", list.into());
    }
    if let Some(arm) = &err.arm {
        if arm.status != 0 {
            set("status", JsValue::from(arm.status));
        }
        if let Some(c) = &arm.arm_code {
            set("armCode", JsValue::from_str(c));
        }
        if let Some(t) = &arm.target {
            set("target", JsValue::from_str(t));
        }
        if let Some(r) = &arm.request_id {
            set("requestId", JsValue::from_str(r));
        }
        if let Some(ms) = arm.retry_after_ms {
            set("retryAfterMs", JsValue::from_f64(ms as f64));
        }
        if !arm.details.is_empty() {
            if let Ok(text) = serde_json::to_string(&arm.details) {
                if let Ok(v) = JSON::parse(&text) {
                    set("details", v);
                }
            }
        }
    }
    js.into()
}

/// JSON text of an argument: a string is taken as JSON text when `text_allowed`, anything else
/// goes through `JSON.stringify`. `undefined` / `null` are refused.
pub fn json_text(value: &JsValue, field: &str, text_allowed: bool) -> Result<String> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_argument(field, format!("{field} is required")));
    }
    if text_allowed && value.is_string() {
        return Ok(rust_string(value));
    }
    match JSON::stringify(value) {
        Ok(text) if text.is_string() => Ok(rust_string(&text)),
        Ok(_) => Err(Error::new(ErrorCode::InvalidJson, format!("{field} has no JSON form")).with_field(field)),
        // A BigInt or a cycle has no JSON form; anything else that throws is a getter or a
        // Proxy trap of the caller's.
        Err(e) if is_json_type_error(&e) => {
            Err(Error::new(ErrorCode::InvalidJson, format!("{field} cannot be turned into JSON (a BigInt or a cycle)")).with_field(field))
        }
        Err(_) => Err(unreadable(field)),
    }
}

// Imports that catch: what a hostile argument (a revoked Proxy, a throwing trap) can make throw
// must come back as a `Result`, never unwind through wasm frames.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> std::result::Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> std::result::Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &JsValue, source: &JsValue) -> std::result::Result<JsValue, JsValue>;
    /// `Promise.resolve(value)`: a promise of a value, a thenable or a promise.
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    pub fn promise_resolve(value: &JsValue) -> std::result::Result<js_sys::Promise, JsValue>;
}

fn unreadable(field: &str) -> Error {
    Error::invalid_argument(field, format!("{field} could not be read (a getter or Proxy trap threw, or the Proxy is revoked)"))
}

/// Whether `value` is an array; a revoked Proxy is an error, not a panic.
pub fn is_array(value: &JsValue, field: &str) -> Result<bool> {
    if !value.is_object() {
        return Ok(false);
    }
    array_is_array(value).map_err(|_| unreadable(field))
}

/// The own enumerable keys of an options object.
pub fn keys(value: &JsValue, field: &str) -> Result<Vec<String>> {
    let list = object_keys(value).map_err(|_| unreadable(field))?;
    Ok(list.iter().take(1000).filter_map(|k| k.as_string()).collect())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder")]
    fn encode(this: &Utf8Encoder, text: &JsValue) -> js_sys::Uint8Array;
}

fn is_json_type_error(e: &JsValue) -> bool {
    let Some(err) = e.dyn_ref::<js_sys::TypeError>() else {
        return false;
    };
    let message = Reflect::get(err, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_default();
    let m = message.to_ascii_lowercase();
    m.contains("bigint") || m.contains("circular") || m.contains("cyclic")
}

/// A JS string as a Rust `String`. Long strings (list pages of megabytes) are encoded by the
/// runtime's native `TextEncoder` and copied in at once, several times faster than the
/// character loop of wasm-bindgen's own conversion; lone surrogates become U+FFFD either way.
fn rust_string(value: &JsValue) -> String {
    const NATIVE_FROM: u32 = 4096;
    let long = value.dyn_ref::<js_sys::JsString>().is_some_and(|s| s.length() > NATIVE_FROM);
    if long {
        if let Ok(text) = String::from_utf8(Utf8Encoder::new().encode(value).to_vec()) {
            return text;
        }
    }
    value.as_string().unwrap_or_default()
}

/// A property of an options object (`undefined` when absent or not an object); a getter or
/// Proxy trap that throws is `INVALID_ARGUMENT` on `options.<key>`.
pub fn prop(obj: &JsValue, key: &str) -> Result<JsValue> {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| unreadable(&format!("options.{key}")))
    } else {
        Ok(JsValue::UNDEFINED)
    }
}

/// JSON text of an options object without the `skip` keys (functions, signals and other
/// controls that are not JSON). `undefined` / `null` give `{}`.
pub fn options_text(options: &JsValue, skip: &[&str]) -> Result<String> {
    if options.is_undefined() || options.is_null() {
        return Ok("{}".into());
    }
    if !options.is_object() || is_array(options, "options")? {
        return Err(Error::invalid_argument("options", "options must be an object"));
    }
    let copy = object_assign(&Object::new().into(), options).map_err(|_| unreadable("options"))?;
    for k in skip {
        let _ = Reflect::delete_property(copy.unchecked_ref::<Object>(), &JsValue::from_str(k));
    }
    json_text(&copy, "options", false)
}

/// A resource argument: an id string, or the JSON text of an object.
pub enum IdOrObject {
    /// An id.
    Id(String),
    /// JSON text of an object.
    Object(String),
}

/// Reads a resource argument.
pub fn id_or_object(value: &JsValue, field: &str) -> Result<IdOrObject> {
    if let Some(s) = value.as_string() {
        return Ok(IdOrObject::Id(s));
    }
    if value.is_object() && !is_array(value, field)? {
        return json_text(value, field, false).map(IdOrObject::Object);
    }
    Err(Error::invalid_argument(field, format!("{field} must be a resource id or the object ARM returned")))
}

/// JSON text to a plain JS value.
pub fn json_out(text: &str) -> Result<JsValue> {
    JSON::parse(text).map_err(|_| Error::new(ErrorCode::InvalidJson, "internal: output is not JSON"))
}

/// Serializes a value to JSON and hands it to JS as plain objects.
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::new(ErrorCode::InvalidJson, format!("internal: {e}")))?;
    json_out(&text)
}
