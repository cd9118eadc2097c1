//! `ArmClient.restoreDisk(source, options)`: a managed disk from a snapshot (its id or the object
//! ARM returned) or from a blob `{ sourceUri, storageAccountId }` that differential copy wrote.
//! Every rule is checked before the first request (for a snapshot id, all but its region); the
//! operation itself is `crate::arm::ops::RestoreDisk`. The token goes to ARM only: the blob URL
//! is put in the PUT body and never fetched.

#[cfg(feature = "client")]
use super::client::{abort_signal, drive, ArmClient};
use super::convert::{absent, error_to_js, is_array, json_out, json_text, options_copy, options_text, prop};
use crate::arm::ops::{resource_id, RestoreDisk, RestoreFrom};
use crate::error::{Error, Result};
use crate::resource_id::SNAPSHOTS;
use crate::restore::RestoreOptions;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

/// The source argument of `restoreDisk`, `buildDiskConfig` and `buildRestoreTemplate`: a snapshot
/// id string, or an object (a snapshot as ARM returned it, or a blob source).
pub(super) fn restore_from(source: &JsValue) -> Result<RestoreFrom> {
    if let Some(id) = source.as_string() {
        return resource_id(&id, "source", SNAPSHOTS).map(RestoreFrom::SnapshotId);
    }
    if source.is_object() && !is_array(source, "source")? {
        return json_text(source, "source", false).map(RestoreFrom::Object);
    }
    Err(Error::invalid_argument(
        "source",
        "source must be a snapshot id, the snapshot object ARM returned, or a blob { sourceUri, storageAccountId }",
    ))
}

/// The source as JSON text for the pure builders (an id as a JSON string).
pub(super) fn source_text(source: &JsValue) -> Result<String> {
    match restore_from(source)? {
        RestoreFrom::SnapshotId(id) => Ok(serde_json::Value::String(id.to_string()).to_string()),
        RestoreFrom::Object(text) => Ok(text),
    }
}

#[cfg(feature = "client")]
#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `restoreDisk(source, { name, resourceGroup?, location?, sku?, zones?, diskSizeGB?,
    /// networkAccessPolicy?, tags?, apiVersion?, wait?, onProgress?, signal? })` → the disk.
    #[wasm_bindgen(js_name = restoreDisk)]
    pub fn restore_disk(&self, source: JsValue, options: JsValue) -> Promise {
        let prepared = || -> Result<(RestoreDisk, Option<AbortSignal>, Option<Function>)> {
            let from = restore_from(&source)?;
            let copy = options_copy(&options)?;
            let signal = abort_signal(prop(copy.as_ref(), "signal"), "options.signal")?;
            let cb = prop(copy.as_ref(), "onProgress");
            let on_progress = if absent(&cb) {
                None
            } else {
                Some(
                    cb.dyn_into::<Function>()
                        .map_err(|_| Error::invalid_argument("options.onProgress", "onProgress must be a function"))?,
                )
            };
            let wait = prop(copy.as_ref(), "wait");
            let wait = if absent(&wait) {
                true
            } else {
                wait.as_bool().ok_or_else(|| Error::invalid_argument("options.wait", "wait must be a boolean"))?
            };
            let text = options_text(copy.as_ref(), &["signal", "onProgress", "wait"])?;
            let (opts, refused) = RestoreOptions::read(&text)?;
            RestoreDisk::precheck(&from, &opts, refused)?;
            Ok((RestoreDisk::new(self.inner.settings.clone(), from, opts, wait), signal, on_progress))
        };
        let (op, signal, on_progress) = match prepared() {
            Ok(p) => p,
            Err(e) => return Promise::reject(&error_to_js(e)),
        };
        let inner = self.inner.clone();
        super::convert::promise_of(async move {
            let text = drive(&inner, op, signal.as_ref(), on_progress.as_ref()).await?;
            json_out(&text).map_err(error_to_js)
        })
    }
}
