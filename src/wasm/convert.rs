//! Crossing the boundary: JSON text in and out, and `Error` → JS `Error`.

use crate::error::{Error, ErrorCode, Result};
use js_sys::{Array, JsString, Object, Reflect, Uint8Array, JSON};
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

/// Whether a value is `undefined` or `null` (an option not given).
pub fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// JSON text of an argument: a string is taken as JSON text when `text_allowed`, anything else
/// goes through `JSON.stringify`. `undefined` / `null` are refused.
pub fn json_text(value: &JsValue, field: &str, text_allowed: bool) -> Result<String> {
    if absent(value) {
        return Err(Error::invalid_argument(field, format!("{field} is required")));
    }
    if text_allowed && value.is_string() {
        return Ok(rust_string(value));
    }
    match json_stringify(value) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(Error::new(ErrorCode::InvalidJson, format!("{field} has no JSON form")).with_field(field)),
        // A BigInt or a cycle has no JSON form; anything else that throws is a getter or a
        // Proxy trap of the caller's.
        Err(e) if is_json_type_error(&e) => {
            Err(Error::new(ErrorCode::InvalidJson, format!("{field} cannot be turned into JSON (a BigInt or a cycle)"))
                .with_field(field))
        }
        Err(_) => Err(unreadable(field)),
    }
}

// Imports that catch: what a hostile argument (a revoked Proxy, a throwing trap) can make throw
// must come back as a `Result`, never unwind through wasm frames. And a catch import that can
// throw must not return a JS object: wasm-bindgen (0.2.130, with reference types) puts the
// `undefined` such an import returns on an exception into its externref table and never frees
// that slot, one leaked slot per caught exception (measured: the table and wasm memory grew
// with every bad call). So the ones below return nothing, a primitive or a Rust string, and
// hostile objects are first copied into a plain object by `Object.assign` (which runs every
// getter and trap, inside the catch) and then read where nothing can throw.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> std::result::Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &JsValue, source: &JsValue) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = create)]
    fn object_create(prototype: &JsValue) -> Object;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify(value: &JsValue) -> std::result::Result<Option<String>, JsValue>;
    /// `Promise.resolve(value)`: a promise of a value, a thenable or a promise.
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    pub fn promise_resolve(value: &JsValue) -> std::result::Result<js_sys::Promise, JsValue>;
    type ThenOf;
    #[wasm_bindgen(method, js_name = then)]
    fn then_of(this: &ThenOf, f: &js_sys::Function) -> js_sys::Promise;
    /// `Reflect.apply(getter, target, [])` of a getter that gives a boolean.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    pub fn apply_bool(f: &js_sys::Function, target: &JsValue, args: &Array) -> std::result::Result<bool, JsValue>;
    /// `Reflect.apply(getter, target, [])` of a getter that gives a number.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    pub fn apply_f64(f: &js_sys::Function, target: &JsValue, args: &Array) -> std::result::Result<f64, JsValue>;
}

/// `promise.then(f)`: how the caller's own functions are called (the token function, a custom
/// `fetch`, `onProgress`): `f` runs with the promise's value as its argument, and a function that
/// throws only rejects the promise `then` returns, so nothing is thrown at wasm.
pub fn then_call(promise: &js_sys::Promise, f: &js_sys::Function) -> js_sys::Promise {
    promise.unchecked_ref::<ThenOf>().then_of(f)
}

/// The getter `class.prototype` defines for `key` (`Response.prototype.status`), if the runtime
/// defines one there: called with a value as `this`, it is the runtime's own brand check (it
/// throws for a Proxy or a look-alike). workerd defines some properties elsewhere: `None`.
pub fn prototype_getter(class: &str, key: &str) -> Option<js_sys::Function> {
    let class = Reflect::get(&js_sys::global(), &JsValue::from_str(class)).ok()?;
    let proto = Reflect::get(&class, &JsValue::from_str("prototype")).ok()?.dyn_into::<Object>().ok()?;
    let desc = Reflect::get_own_property_descriptor(&proto, &JsValue::from_str(key)).ok()?;
    Reflect::get(&desc, &JsValue::from_str("get")).ok()?.dyn_into::<js_sys::Function>().ok()
}

/// A plain copy of an object's own enumerable properties (getters and Proxy traps run once,
/// here, inside a catch); reading the copy cannot throw. Its prototype is null, so a
/// `"__proto__"` key is a key like any other.
pub fn plain_copy(value: &JsValue, field: &str) -> Result<Object> {
    let copy = object_create(&JsValue::NULL);
    object_assign(&copy, value).map_err(|_| unreadable(field))?;
    Ok(copy)
}

fn unreadable(field: &str) -> Error {
    Error::invalid_argument(
        field,
        format!("{field} could not be read (a getter or Proxy trap threw, or the Proxy is revoked)"),
    )
}

/// Whether `value` is an array; a revoked Proxy is an error, not a panic.
pub fn is_array(value: &JsValue, field: &str) -> Result<bool> {
    if !value.is_object() {
        return Ok(false);
    }
    array_is_array(value).map_err(|_| unreadable(field))
}

/// The own enumerable keys of a plain copy (see [`plain_copy`]).
pub fn keys(copy: &Object) -> Vec<String> {
    Object::keys(copy).iter().take(1000).filter_map(|k| k.as_string()).collect()
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encodeInto)]
    fn encode_into(this: &Utf8Encoder, text: &JsString, into: &Uint8Array) -> EncodedInto;
    type EncodedInto;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodedInto) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodedInto) -> f64;
}

/// `text` as UTF-8, written by `encodeInto` straight into a buffer in wasm memory: first
/// one byte per UTF-16 unit (all of an ASCII page), then room for whatever is left.
/// Lone surrogates become U+FFFD, as with every other string conversion.
pub fn utf8_of(text: &JsString) -> Vec<u8> {
    let encoder = Utf8Encoder::new();
    let units = text.length() as usize;
    let mut buf = vec![0u8; units];
    let (mut read, mut written) = (0usize, 0usize);
    loop {
        // A view made after the buffer's (re)allocation: growing memory detaches old views.
        let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
        let at = buf.as_mut_ptr() as usize + written;
        let view =
            Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), at as u32, (buf.len() - written) as u32);
        let rest = if read == 0 { text.clone() } else { text.slice(read as u32, units as u32) };
        let r = encoder.encode_into(&rest, &view);
        read += r.read() as usize;
        written += r.written() as usize;
        if read >= units {
            buf.truncate(written);
            return buf;
        }
        buf.resize(written + 3 * (units - read), 0);
    }
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
    if let Some(text) = value.dyn_ref::<JsString>().filter(|s| s.length() > NATIVE_FROM) {
        if let Ok(text) = String::from_utf8(utf8_of(text)) {
            return text;
        }
    }
    value.as_string().unwrap_or_default()
}

/// The options of a call as a plain copy (`None` when `undefined` / `null`); anything else that
/// is not an object, an array, or an object whose getters or traps throw is `INVALID_ARGUMENT`.
pub fn options_copy(options: &JsValue) -> Result<Option<Object>> {
    if absent(options) {
        return Ok(None);
    }
    if !options.is_object() || is_array(options, "options")? {
        return Err(Error::invalid_argument("options", "options must be an object"));
    }
    plain_copy(options, "options").map(Some)
}

/// A property of a plain copy (`undefined` when absent or no copy): cannot throw.
pub fn prop(copy: Option<&Object>, key: &str) -> JsValue {
    copy.and_then(|c| Reflect::get(c, &JsValue::from_str(key)).ok()).unwrap_or(JsValue::UNDEFINED)
}

/// JSON text of a call's options (a plain copy) without the `skip` keys (functions, signals and
/// other controls that are not JSON). No options give `{}`.
pub fn options_text(copy: Option<&Object>, skip: &[&str]) -> Result<String> {
    let Some(copy) = copy else {
        return Ok("{}".into());
    };
    let copy = plain_copy(copy, "options")?;
    for k in skip {
        let _ = Reflect::delete_property(&copy, &JsValue::from_str(k));
    }
    json_text(&copy, "options", false)
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

/// The promise of every async export: one instantiation of `future_to_promise`, over a boxed
/// future. Handed each method's own future type, it compiled a copy of its machinery per call
/// site (seven of them, about 3.4 KiB each in the wasm).
#[cfg(feature = "client")]
pub(super) fn promise_of(
    f: impl std::future::Future<Output = std::result::Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    boxed_promise(Box::pin(f))
}

#[cfg(feature = "client")]
#[inline(never)]
fn boxed_promise(
    f: std::pin::Pin<Box<dyn std::future::Future<Output = std::result::Result<JsValue, JsValue>>>>,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(f)
}
