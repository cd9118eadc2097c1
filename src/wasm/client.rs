//! `ArmClient`: the JavaScript class over the protocol operations and the fetch transport.

use super::convert::{error_to_js, id_or_object, json_out, options_text, prop, IdOrObject};
use super::transport::{TokenSource, Transport};
use crate::arm::ops::{
    snapshot_id, CreateSnapshot, GetResource, GrantAccessOptions, ListAll, ListIncremental, SearchScope, Simple,
    SourceRef, WaitOptions,
};
use crate::arm::{ClientSettings, Endpoint, Operation};
use crate::config::SnapshotOptions;
use crate::error::{Error, Result};
use crate::resource_id::{ResourceId, DISKS, SNAPSHOTS};
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

struct Inner {
    settings: ClientSettings,
    transport: Transport,
}

/// A client for Azure Resource Manager with the caller's token.
#[wasm_bindgen(js_name = ArmClient, skip_typescript)]
pub struct ArmClient {
    inner: Rc<Inner>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    prop(obj, key)
}

fn opt_u64(obj: &JsValue, key: &str, max: u64) -> Result<Option<u64>> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n <= max as f64 && n.fract() == 0.0 => Ok(Some(n as u64)),
        _ => Err(Error::invalid_argument(key, format!("{key} must be a whole number from 0 to {max}"))),
    }
}

/// The control options every method takes: `signal`, `onProgress`.
struct CallControls {
    signal: Option<AbortSignal>,
    on_progress: Option<Function>,
}

fn controls(options: &JsValue) -> Result<CallControls> {
    let signal = get(options, "signal");
    let signal = if signal.is_undefined() || signal.is_null() {
        None
    } else {
        Some(
            signal
                .dyn_into::<AbortSignal>()
                .map_err(|_| Error::invalid_argument("options.signal", "signal must be an AbortSignal"))?,
        )
    };
    let cb = get(options, "onProgress");
    let on_progress = if cb.is_undefined() || cb.is_null() {
        None
    } else {
        Some(
            cb.dyn_into::<Function>()
                .map_err(|_| Error::invalid_argument("options.onProgress", "onProgress must be a function"))?,
        )
    };
    Ok(CallControls { signal, on_progress })
}

/// Control keys of options objects: not JSON, read separately.
const CONTROLS: [&str; 3] = ["signal", "onProgress", "wait"];

/// A resource argument as a [`SourceRef`].
fn source_ref(value: &JsValue, field: &str, ty: &str) -> Result<SourceRef> {
    match id_or_object(value, field)? {
        IdOrObject::Id(id) => SourceRef::id(&id, field, ty),
        IdOrObject::Object(text) => Ok(SourceRef::Object(text)),
    }
}

fn id_arg(value: &JsValue, field: &str) -> Result<String> {
    value.as_string().ok_or_else(|| Error::invalid_argument(field, format!("{field} must be a resource id string")))
}

fn reject(e: Error) -> Promise {
    Promise::reject(&error_to_js(e))
}

impl ArmClient {
    fn run<O: Operation<Output = String> + 'static>(&self, op: O, controls: CallControls) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let text = inner
                .transport
                .drive(op, controls.signal.as_ref(), controls.on_progress.as_ref())
                .await
                .map_err(error_to_js)?;
            json_out(&text).map_err(error_to_js)
        })
    }

    fn settings(&self) -> ClientSettings {
        self.inner.settings.clone()
    }
}

#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `new ArmClient({ token, endpoint?, cloud?, apiVersion?, maxRetries?, fetch?, ... })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> std::result::Result<ArmClient, JsValue> {
        Self::create(&options).map_err(error_to_js)
    }

    fn create(options: &JsValue) -> Result<ArmClient> {
        if !options.is_object() {
            return Err(Error::invalid_argument("options", "new ArmClient({ token }) needs an options object"));
        }
        let token = TokenSource::from_js(&get(options, "token"))?;
        let endpoint_value = get(options, "endpoint");
        let cloud_value = get(options, "cloud");
        let endpoint = if let Some(e) = endpoint_value.as_string() {
            Endpoint::parse(&e)?
        } else if !endpoint_value.is_undefined() && !endpoint_value.is_null() {
            return Err(Error::invalid_argument("endpoint", "endpoint must be a string"));
        } else if let Some(c) = cloud_value.as_string() {
            Endpoint::for_cloud(&c)?
        } else {
            Endpoint::for_cloud("AzureCloud")?
        };
        let mut settings = ClientSettings::new(endpoint.clone());
        if let Some(v) = get(options, "apiVersion").as_string() {
            crate::api_version::parse_api_version("apiVersion", &v)?;
            settings.api_version = v;
        }
        if let Some(n) = opt_u64(options, "maxRetries", 10)? {
            settings.max_retries = n as u32;
        }
        if let Some(n) = opt_u64(options, "retryDelayMs", 600_000)? {
            settings.retry_base_ms = n;
        }
        if let Some(n) = opt_u64(options, "pollIntervalMs", 600_000)? {
            settings.poll_interval_ms = n;
        }
        if let Some(n) = opt_u64(options, "maxRetryWaitMs", 3_600_000)? {
            settings.max_retry_wait_ms = Some(n);
        }
        if let Some(n) = opt_u64(options, "completionPollMs", 600_000)? {
            settings.completion_poll_ms = n;
        }
        settings.seed = (js_sys::Math::random() * (u32::MAX as f64)) as u64 | 1;
        let fetch = get(options, "fetch");
        let fetch = if fetch.is_undefined() || fetch.is_null() {
            None
        } else {
            Some(
                fetch
                    .dyn_into::<Function>()
                    .map_err(|_| Error::invalid_argument("fetch", "fetch must be a function"))?,
            )
        };
        Ok(ArmClient { inner: Rc::new(Inner { settings, transport: Transport { endpoint, token, fetch } }) })
    }

    /// The ARM origin this client talks to.
    #[wasm_bindgen(getter)]
    pub fn endpoint(&self) -> String {
        self.inner.settings.endpoint.origin().to_string()
    }

    /// The Compute api-version it sends.
    #[wasm_bindgen(getter, js_name = apiVersion)]
    pub fn api_version(&self) -> String {
        self.inner.settings.api_version.clone()
    }

    /// `listSubscriptions({ signal? })`.
    #[wasm_bindgen(js_name = listSubscriptions)]
    pub fn list_subscriptions(&self, options: JsValue) -> Promise {
        match controls(&options) {
            Ok(c) => self.run(ListAll::subscriptions(self.settings()), c),
            Err(e) => reject(e),
        }
    }

    /// `listResourceGroups(subscriptionId, { signal? })`.
    #[wasm_bindgen(js_name = listResourceGroups)]
    pub fn list_resource_groups(&self, subscription_id: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(ListAll, CallControls)> {
            let sub = id_arg(&subscription_id, "subscriptionId")?;
            Ok((ListAll::resource_groups(self.settings(), &sub)?, controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `getDisk(diskId, { signal? })`.
    #[wasm_bindgen(js_name = getDisk)]
    pub fn get_disk(&self, disk_id: JsValue, options: JsValue) -> Promise {
        self.get_resource(disk_id, options, "diskId", DISKS)
    }

    /// `getSnapshot(snapshotId, { signal? })`.
    #[wasm_bindgen(js_name = getSnapshot)]
    pub fn get_snapshot(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        self.get_resource(snapshot_id, options, "snapshotId", SNAPSHOTS)
    }

    fn get_resource(&self, id: JsValue, options: JsValue, field: &str, ty: &str) -> Promise {
        let go = || -> Result<(GetResource, CallControls)> {
            let id = ResourceId::parse_of_type(&id_arg(&id, field)?, ty).map_err(|e| e.with_field(field))?;
            Ok((GetResource::new(self.settings(), &id), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `listDisks(scopeId, { signal? })`.
    #[wasm_bindgen(js_name = listDisks)]
    pub fn list_disks(&self, scope_id: JsValue, options: JsValue) -> Promise {
        self.list_compute(scope_id, options, "disks")
    }

    /// `listSnapshots(scopeId, { signal? })`.
    #[wasm_bindgen(js_name = listSnapshots)]
    pub fn list_snapshots(&self, scope_id: JsValue, options: JsValue) -> Promise {
        self.list_compute(scope_id, options, "snapshots")
    }

    fn list_compute(&self, scope_id: JsValue, options: JsValue, ty: &str) -> Promise {
        let go = || -> Result<(ListAll, CallControls)> {
            let scope = id_arg(&scope_id, "scopeId")?;
            Ok((ListAll::compute(self.settings(), &scope, ty)?, controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `listIncrementalSnapshots(diskOrId, { scope?: "resourceGroup" | "subscription", signal? })`.
    #[wasm_bindgen(js_name = listIncrementalSnapshots)]
    pub fn list_incremental_snapshots(&self, disk: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(ListIncremental, CallControls)> {
            let disk = source_ref(&disk, "disk", DISKS)?;
            let scope = prop(&options, "scope");
            if !scope.is_undefined() && !scope.is_null() && scope.as_string().is_none() {
                return Err(Error::invalid_argument("options.scope", "scope must be a string"));
            }
            let scope = match scope.as_string().as_deref() {
                None => SearchScope::ResourceGroup,
                Some(s) if s.eq_ignore_ascii_case("resourceGroup") => SearchScope::ResourceGroup,
                Some(s) if s.eq_ignore_ascii_case("subscription") => SearchScope::Subscription,
                Some(other) => {
                    return Err(Error::invalid_argument(
                        "options.scope",
                        format!("scope {other:?} is neither \"resourceGroup\" nor \"subscription\""),
                    ))
                }
            };
            Ok((ListIncremental::new(self.settings(), disk, scope), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `createIncrementalSnapshot(diskOrId, { ...buildSnapshotConfig options, wait?, onProgress?, signal? })`.
    #[wasm_bindgen(js_name = createIncrementalSnapshot)]
    pub fn create_incremental_snapshot(&self, disk: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(CreateSnapshot, CallControls)> {
            let source = source_ref(&disk, "disk", DISKS)?;
            let (opts, wait) = create_options(&options)?;
            Ok((CreateSnapshot::new(self.settings(), source, opts, wait), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `copySnapshot(snapshotId, { location, name?, resourceGroup?, wait?, onProgress?, signal? })` (CopyStart).
    #[wasm_bindgen(js_name = copySnapshot)]
    pub fn copy_snapshot(&self, snapshot: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(CreateSnapshot, CallControls)> {
            let source = source_ref(&snapshot, "snapshotId", SNAPSHOTS)?;
            let (mut opts, wait) = create_options(&options)?;
            if opts.location.is_none() {
                return Err(Error::invalid_argument(
                    "options.location",
                    "copySnapshot needs the target region in options.location",
                ));
            }
            opts.create_option = Some(crate::models::CreateOption::CopyStart);
            Ok((CreateSnapshot::new(self.settings(), source, opts, wait), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `deleteSnapshot(snapshotId, { signal? })` → `{ deleted: boolean }` (false: it did not exist).
    #[wasm_bindgen(js_name = deleteSnapshot)]
    pub fn delete_snapshot(&self, snapshot_id_value: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(Simple, CallControls)> {
            let id = snapshot_id(&id_arg(&snapshot_id_value, "snapshotId")?, "snapshotId")?;
            Ok((Simple::delete_snapshot(self.settings(), &id), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `grantAccess(snapshotId, { durationInSeconds, access?, fileFormat?, signal? })` → `{ accessSAS, ... }`.
    #[wasm_bindgen(js_name = grantAccess)]
    pub fn grant_access(&self, snapshot_id_value: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(Simple, CallControls)> {
            let id = snapshot_id(&id_arg(&snapshot_id_value, "snapshotId")?, "snapshotId")?;
            let text = options_text(&options, &CONTROLS)?;
            let parsed: GrantAccessOptions = serde_json::from_str(&text)
                .map_err(|e| Error::invalid_argument("options", format!("grantAccess options: {e}")))?;
            let body = parsed.to_body()?;
            Ok((Simple::grant_access(self.settings(), &id, body), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }

    /// `revokeAccess(snapshotId, { signal? })`.
    #[wasm_bindgen(js_name = revokeAccess)]
    pub fn revoke_access(&self, snapshot_id_value: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(Simple, CallControls)> {
            let id = snapshot_id(&id_arg(&snapshot_id_value, "snapshotId")?, "snapshotId")?;
            Ok((Simple::revoke_access(self.settings(), &id), controls(&options)?))
        };
        match go() {
            Ok((op, c)) => self.run(op, c),
            Err(e) => reject(e),
        }
    }
}

/// Splits create/copy options into the snapshot config options and `wait` (default true).
fn create_options(options: &JsValue) -> Result<(SnapshotOptions, WaitOptions)> {
    let wait = prop(options, "wait");
    let wait = if wait.is_undefined() || wait.is_null() {
        true
    } else {
        wait.as_bool().ok_or_else(|| Error::invalid_argument("options.wait", "wait must be a boolean"))?
    };
    let text = options_text(options, &CONTROLS)?;
    Ok((SnapshotOptions::from_json_text(&text)?, WaitOptions { wait }))
}
