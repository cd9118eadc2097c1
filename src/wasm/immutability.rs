//! `setImmutabilityPolicy`, `lockImmutabilityPolicy` and `getImmutabilityPolicy`: the options read here (`days`, and the
//! `signal` control), the operation in `arm::ops::immutability`.

use super::client::{resource_id_arg, ArmClient};
use super::convert::{options_copy, options_text};
use crate::arm::ops::{PolicyAction, ReadImmutability, UpdateImmutability};
use crate::error::Result;
use crate::resource_id::SNAPSHOTS;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

impl ArmClient {
    fn immutability(&self, snapshot_id: &JsValue, options: &JsValue, action: PolicyAction) -> Promise {
        let go = || -> Result<UpdateImmutability> {
            let id = resource_id_arg(snapshot_id, "snapshotId", SNAPSHOTS)?;
            let copy = options_copy(options)?;
            let text = options_text(copy.as_ref(), &["signal"])?;
            UpdateImmutability::new(self.inner.settings.clone(), &id, action, &text)
        };
        self.start_with(go(), options)
    }
}

#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `setImmutabilityPolicy(snapshotId, { days, signal? })` → `{ immutabilityDurationDays, type }`
    /// (an Unlocked policy: set, extended or shortened).
    #[wasm_bindgen(js_name = setImmutabilityPolicy)]
    pub fn set_immutability_policy(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        self.immutability(&snapshot_id, &options, PolicyAction::Set)
    }

    /// `lockImmutabilityPolicy(snapshotId, { days, signal? })` → `{ immutabilityDurationDays, type }`
    /// (a Locked policy: it can then only be extended).
    #[wasm_bindgen(js_name = lockImmutabilityPolicy)]
    pub fn lock_immutability_policy(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        self.immutability(&snapshot_id, &options, PolicyAction::Lock)
    }

    /// `getImmutabilityPolicy(snapshotId, { signal? })` → the snapshot's
    /// `properties.immutabilityPolicy` read at api-version 2026-03-02, or `null`.
    #[wasm_bindgen(js_name = getImmutabilityPolicy)]
    pub fn get_immutability_policy(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        let op = resource_id_arg(&snapshot_id, "snapshotId", SNAPSHOTS)
            .and_then(|id| ReadImmutability::new(self.inner.settings.clone(), &id));
        self.start_with(op, &options)
    }
}
