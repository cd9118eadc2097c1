//! `ArmClient`: the JavaScript class over the protocol operations and the fetch transport.

use super::convert::{
    absent, apply_bool, error_to_js, is_array, json_out, json_text, keys, options_copy, options_text, plain_copy, prop,
    prototype_getter,
};
use super::transport::{TokenSource, Transport};
use crate::arm::ops::{
    resource_id, CreateSnapshot, GetResource, GrantAccessOptions, ListAll, ListIncremental, ResourceRef, SearchScope,
    SingleRequest,
};
use crate::arm::{Action, ClientSettings, Endpoint, Input, Operation, Progress};
use crate::config::SnapshotOptions;
use crate::error::{Error, ErrorCode, Result, Violation};
use crate::filter::DiskIdentity;
use crate::read::push_json_str;
use crate::resource_id::{ResourceId, ResourceIdKind, DISKS, SNAPSHOTS};
use crate::retention::{
    deletions, disks_of_listing, plan_for_target, read_policy_and_options, RetentionOptions, RetentionPlan,
    RetentionPolicy,
};
use js_sys::Object;
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

pub(super) struct Inner {
    pub(super) settings: ClientSettings,
    pub(super) transport: Transport,
}

/// A client for Azure Resource Manager with the caller's token.
#[wasm_bindgen(js_name = ArmClient, skip_typescript)]
pub struct ArmClient {
    pub(super) inner: Rc<Inner>,
}

/// The control options every method takes: `signal`, `onProgress`.
struct CallControls {
    signal: Option<AbortSignal>,
    on_progress: Option<Function>,
}

/// A real `AbortSignal`: `instanceof` alone lets `Object.create(AbortSignal.prototype)` through,
/// so its `aborted` getter is also read, guarded, before the signal is trusted.
pub(super) fn abort_signal(value: JsValue, field: &str) -> Result<Option<AbortSignal>> {
    if absent(&value) {
        return Ok(None);
    }
    let not_a_signal =
        || Error::invalid_argument(field, format!("{field} must be an AbortSignal (from an AbortController)"));
    let signal = value.dyn_into::<AbortSignal>().map_err(|_| not_a_signal())?;
    match brand_aborted(&signal) {
        Some(_) => Ok(Some(signal)),
        None => Err(not_a_signal()),
    }
}

fn brand_aborted(signal: &AbortSignal) -> Option<bool> {
    apply_bool(&prototype_getter("AbortSignal", "aborted")?, signal, &js_sys::Array::new()).ok()
}

fn controls(options: Option<&Object>) -> Result<CallControls> {
    let signal = abort_signal(prop(options, "signal"), "options.signal")?;
    let cb = prop(options, "onProgress");
    let on_progress = if absent(&cb) {
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

/// A resource argument: an id string (of a resource of type `ty`), or the object ARM returned.
pub(super) fn resource_ref(value: &JsValue, field: &str, ty: &str) -> Result<ResourceRef> {
    if let Some(id) = value.as_string() {
        return ResourceRef::id(&id, field, ty);
    }
    if value.is_object() && !is_array(value, field)? {
        return json_text(value, field, false).map(ResourceRef::Object);
    }
    Err(Error::invalid_argument(field, format!("{field} must be a resource id or the object ARM returned")))
}

fn id_arg(value: &JsValue, field: &str) -> Result<String> {
    value.as_string().ok_or_else(|| Error::invalid_argument(field, format!("{field} must be a resource id string")))
}

/// An id argument of a resource of type `ty`.
pub(super) fn resource_id_arg(value: &JsValue, field: &str, ty: &str) -> Result<ResourceId> {
    resource_id(&id_arg(value, field)?, field, ty)
}

/// Any operation, boxed. `Transport::drive` is generic: driven with each operation type it would
/// be one more copy of its loop (and of the future around it); over this one type there is one.
pub(super) struct AnyOp(Box<dyn Operation<Output = String>>);

impl AnyOp {
    pub(super) fn new<O: Operation<Output = String> + 'static>(op: O) -> AnyOp {
        AnyOp(Box::new(op))
    }
}

impl Operation for AnyOp {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        self.0.step(input, now_ms)
    }
    fn take_progress(&mut self) -> Option<Progress> {
        self.0.take_progress()
    }
}

/// What driving an operation to its end yields.
pub(super) type Driven<'a> = Pin<Box<dyn Future<Output = std::result::Result<String, JsValue>> + 'a>>;

/// `inner.transport.drive(op, …)` behind one boxed future, so that every call site awaits the
/// same function instead of a copy of the loop inlined into its own future.
pub(super) fn drive<'a, O: Operation<Output = String> + 'static>(
    inner: &'a Inner,
    op: O,
    signal: Option<&'a AbortSignal>,
    on_progress: Option<&'a Function>,
) -> Driven<'a> {
    drive_any(inner, AnyOp::new(op), signal, on_progress)
}

fn drive_any<'a>(
    inner: &'a Inner,
    op: AnyOp,
    signal: Option<&'a AbortSignal>,
    on_progress: Option<&'a Function>,
) -> Driven<'a> {
    Box::pin(inner.transport.drive(op, signal, on_progress))
}

fn reject(e: Error) -> Promise {
    Promise::reject(&error_to_js(e))
}

impl ArmClient {
    /// Runs a call whose arguments `prepared` read, or rejects with why they could not be.
    fn start<O: Operation<Output = String> + 'static>(&self, prepared: Result<(O, CallControls)>) -> Promise {
        self.start_any(prepared.map(|(op, controls)| (AnyOp::new(op), controls)))
    }

    /// [`start`](Self::start) over a boxed operation: one copy of the call's future for every kind.
    fn start_any(&self, prepared: Result<(AnyOp, CallControls)>) -> Promise {
        let (op, controls) = match prepared {
            Ok(p) => p,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        super::convert::promise_of(async move {
            let text = drive(&inner, op, controls.signal.as_ref(), controls.on_progress.as_ref()).await?;
            json_out(&text).map_err(error_to_js)
        })
    }

    /// [`start`](Self::start) for a call whose options are the controls alone: `op` is the call
    /// its other arguments made (or why they could not), then `options` are read.
    pub(super) fn start_with<O: Operation<Output = String> + 'static>(
        &self,
        op: Result<O>,
        options: &JsValue,
    ) -> Promise {
        self.start(op.and_then(|op| Ok((op, controls(options_copy(options)?.as_ref())?))))
    }

    fn settings(&self) -> ClientSettings {
        self.inner.settings.clone()
    }
}

/// Every option of `new ArmClient(options)`.
const CLIENT_OPTIONS: [&str; 13] = [
    "token",
    "endpoint",
    "cloud",
    "apiVersion",
    "maxRetries",
    "retryDelayMs",
    "pollIntervalMs",
    "completionPollMs",
    "maxRetryWaitMs",
    "requestTimeoutMs",
    "operationTimeoutMs",
    "maxResponseBytes",
    "fetch",
];

/// Reads the client options, every violation at once.
pub(super) struct OptionReader<'a> {
    pub(super) options: &'a Object,
    pub(super) violations: Vec<Violation>,
}

impl OptionReader<'_> {
    /// An optional function (absent: `None`; anything else that is not a function: a violation).
    pub(super) fn function(&mut self, key: &str) -> Option<Function> {
        let v = self.value(key);
        if absent(&v) {
            return None;
        }
        match v.dyn_into::<Function>() {
            Ok(f) => Some(f),
            Err(v) => {
                self.violation(key, "options.type", format!("{key} must be a function, got {}", describe(&v)));
                None
            }
        }
    }

    pub(super) fn violation(&mut self, key: &str, rule: &'static str, message: String) {
        let field = if key == "token" { "token".to_string() } else { format!("options.{key}") };
        self.violations.push(Violation { field, rule, message });
    }

    pub(super) fn value(&mut self, key: &str) -> JsValue {
        prop(Some(self.options), key)
    }

    pub(super) fn string(&mut self, key: &str) -> Option<String> {
        let v = self.value(key);
        if absent(&v) {
            return None;
        }
        let s = v.as_string();
        if s.is_none() {
            self.violation(key, "options.type", format!("{key} must be a string, got {}", describe(&v)));
        }
        s
    }

    pub(super) fn whole(&mut self, key: &str, min: u64, max: u64) -> Option<u64> {
        let v = self.value(key);
        if absent(&v) {
            return None;
        }
        match v.as_f64() {
            Some(n) if n.is_finite() && n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Some(n as u64),
            _ => {
                self.violation(
                    key,
                    "options.range",
                    format!("{key} must be a whole number from {min} to {max}, got {}", describe(&v)),
                );
                None
            }
        }
    }
}

/// A refused option's value as its message shows it: a number itself, else its kind.
pub(super) fn describe(v: &JsValue) -> String {
    if let Some(n) = v.as_f64() {
        return crate::read::display_f64(n);
    }
    if v.is_string() {
        return "a string".into();
    }
    if v.as_bool().is_some() {
        return "a boolean".into();
    }
    if v.is_function() {
        return "a function".into();
    }
    if v.is_object() {
        return "an object".into();
    }
    "a value of another type".into()
}

#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `new ArmClient({ token, endpoint?, cloud?, apiVersion?, maxRetries?, fetch?, ... })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> std::result::Result<ArmClient, JsValue> {
        Self::create(&options).map_err(error_to_js)
    }

    fn create(options: &JsValue) -> Result<ArmClient> {
        if !options.is_object() || is_array(options, "options")? {
            return Err(Error::invalid_argument("options", "new ArmClient({ token }) needs an options object"));
        }
        let copy = plain_copy(options, "options")?;
        let mut r = OptionReader { options: &copy, violations: Vec::new() };
        for key in keys(&copy) {
            if !CLIENT_OPTIONS.contains(&key.as_str()) {
                let shown: String = key.chars().take(64).collect();
                let hint = crate::rules::closest(&key, &CLIENT_OPTIONS)
                    .map(|k| format!("; did you mean {k:?}?"))
                    .unwrap_or_default();
                r.violation(&shown, "options.unknown", format!("{shown:?} is not an ArmClient option{hint}"));
            }
        }
        let token_value = r.value("token");
        let token = if absent(&token_value) {
            r.violation("token", "token.required", "token is required: a string, or a function returning one".into());
            None
        } else {
            match TokenSource::from_js(&token_value) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.violation("token", "token.invalid", e.message);
                    None
                }
            }
        };
        let endpoint_text = r.string("endpoint");
        let cloud = r.string("cloud");
        // Kept whole: a refused endpoint alone is `UNTRUSTED_URL`, not just one violation.
        let mut endpoint_error = None;
        let endpoint = match (&endpoint_text, &cloud) {
            (Some(_), Some(_)) => {
                r.violation("cloud", "options.exclusive", "give endpoint or cloud, not both".into());
                None
            }
            (Some(e), None) => match Endpoint::parse(e) {
                Ok(e) => Some(e),
                Err(e) => {
                    r.violation("endpoint", "endpoint.invalid", e.message.clone());
                    endpoint_error = Some(e);
                    None
                }
            },
            (None, Some(c)) => {
                Endpoint::for_cloud(c).map_err(|e| r.violation("cloud", "cloud.unknown", e.message)).ok()
            }
            (None, None) => Endpoint::for_cloud("AzureCloud").ok(),
        };
        let api_version = r.string("apiVersion");
        if let Some(v) = &api_version {
            if let Err(e) = crate::api_version::parse_api_version("apiVersion", v) {
                r.violation("apiVersion", "apiVersion.invalid", e.message);
            }
        }
        let max_retries = r.whole("maxRetries", 0, 10);
        let retry_delay = r.whole("retryDelayMs", 0, 600_000);
        let poll_interval = r.whole("pollIntervalMs", 0, 600_000);
        let max_retry_wait = r.whole("maxRetryWaitMs", 0, 3_600_000);
        let completion_poll = r.whole("completionPollMs", 0, 600_000);
        let request_timeout = r.whole("requestTimeoutMs", 1, 3_600_000);
        let operation_timeout = r.whole("operationTimeoutMs", 1, 30 * 24 * 3600 * 1000);
        let max_bytes = r.whole("maxResponseBytes", 1024, 1 << 30);
        let fetch = r.function("fetch");
        let violations = std::mem::take(&mut r.violations);
        if let (1, Some(e)) = (violations.len(), endpoint_error) {
            return Err(e);
        }
        Error::from_violations(violations)?;
        let (Some(token), Some(endpoint)) = (token, endpoint) else {
            return Err(Error::invalid_argument("options", "new ArmClient({ token }) needs a token and an endpoint"));
        };
        let mut settings = ClientSettings::new(endpoint.clone());
        if let Some(v) = api_version {
            settings.api_version = v;
        }
        if let Some(n) = max_retries {
            settings.max_retries = n as u32;
        }
        if let Some(n) = retry_delay {
            settings.retry_base_ms = n;
        }
        if let Some(n) = poll_interval {
            settings.poll_interval_ms = n;
        }
        settings.max_retry_wait_ms = max_retry_wait;
        if let Some(n) = completion_poll {
            settings.completion_poll_ms = n;
        }
        if let Some(n) = request_timeout {
            settings.request_timeout_ms = n;
        }
        if let Some(n) = operation_timeout {
            settings.operation_timeout_ms = n;
        }
        if let Some(n) = max_bytes {
            settings.max_response_bytes = n;
        }
        settings.seed = (js_sys::Math::random() * (u32::MAX as f64)) as u64 | 1;
        let transport = Transport {
            endpoint,
            token,
            fetcher: super::transport::Fetcher {
                fetch,
                request_timeout_ms: settings.request_timeout_ms,
                max_response_bytes: settings.max_response_bytes,
            },
            operation_timeout_ms: settings.operation_timeout_ms,
        };
        Ok(ArmClient { inner: Rc::new(Inner { settings, transport }) })
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
        self.start_with(Ok(ListAll::subscriptions(self.settings())), &options)
    }

    /// `listResourceGroups(subscriptionId, { signal? })`.
    #[wasm_bindgen(js_name = listResourceGroups)]
    pub fn list_resource_groups(&self, subscription_id: JsValue, options: JsValue) -> Promise {
        let op = id_arg(&subscription_id, "subscriptionId").and_then(|s| ListAll::resource_groups(self.settings(), &s));
        self.start_with(op, &options)
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
        self.start_with(resource_id_arg(&id, field, ty).map(|id| GetResource::new(self.settings(), &id)), &options)
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
        let op = id_arg(&scope_id, "scopeId").and_then(|scope| ListAll::compute(self.settings(), &scope, ty));
        self.start_with(op, &options)
    }

    /// `listIncrementalSnapshots(diskOrId, { scope?: "resourceGroup" | "subscription", signal? })`.
    #[wasm_bindgen(js_name = listIncrementalSnapshots)]
    pub fn list_incremental_snapshots(&self, disk: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(ListIncremental, CallControls)> {
            let disk = resource_ref(&disk, "disk", DISKS)?;
            let copy = options_copy(&options)?;
            let scope = prop(copy.as_ref(), "scope");
            if !absent(&scope) && scope.as_string().is_none() {
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
            Ok((ListIncremental::new(self.settings(), disk, scope), controls(copy.as_ref())?))
        };
        self.start(go())
    }

    /// `createIncrementalSnapshot(diskOrId, { ...buildSnapshotConfig options, wait?, onProgress?, signal? })`.
    #[wasm_bindgen(js_name = createIncrementalSnapshot)]
    pub fn create_incremental_snapshot(&self, disk: JsValue, options: JsValue) -> Promise {
        self.create_snapshot(disk, options, false)
    }

    /// `copySnapshot(snapshotId, { location, name?, resourceGroup?, wait?, onProgress?, signal? })` (CopyStart).
    #[wasm_bindgen(js_name = copySnapshot)]
    pub fn copy_snapshot(&self, snapshot: JsValue, options: JsValue) -> Promise {
        self.create_snapshot(snapshot, options, true)
    }

    /// A new snapshot of a disk, or (`copy_start`) a CopyStart copy of a snapshot into
    /// `options.location`.
    fn create_snapshot(&self, source: JsValue, options: JsValue, copy_start: bool) -> Promise {
        let go = || -> Result<(CreateSnapshot, CallControls)> {
            let (field, ty) = if copy_start { ("snapshotId", SNAPSHOTS) } else { ("disk", DISKS) };
            let source = resource_ref(&source, field, ty)?;
            let copy = options_copy(&options)?;
            let (mut opts, wait) = create_options(copy.as_ref())?;
            if copy_start {
                if opts.location.is_none() {
                    return Err(Error::invalid_argument(
                        "options.location",
                        "copySnapshot needs the target region in options.location",
                    ));
                }
                opts.create_option = Some(crate::models::CreateOption::CopyStart);
            }
            Ok((CreateSnapshot::new(self.settings(), source, opts, wait), controls(copy.as_ref())?))
        };
        self.start(go())
    }

    /// `deleteSnapshot(snapshotId, { signal? })` → `{ deleted: boolean }` (false: it did not exist).
    #[wasm_bindgen(js_name = deleteSnapshot)]
    pub fn delete_snapshot(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        let id = resource_id_arg(&snapshot_id, "snapshotId", SNAPSHOTS);
        self.start_with(id.map(|id| SingleRequest::delete_snapshot(self.settings(), &id)), &options)
    }

    /// `grantAccess(snapshotId, { durationInSeconds, access?, fileFormat?, signal? })` → `{ accessSAS, ... }`.
    #[wasm_bindgen(js_name = grantAccess)]
    pub fn grant_access(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        let go = || -> Result<(SingleRequest, CallControls)> {
            let id = resource_id_arg(&snapshot_id, "snapshotId", SNAPSHOTS)?;
            let copy = options_copy(&options)?;
            let text = options_text(copy.as_ref(), &CONTROLS)?;
            let parsed = GrantAccessOptions::from_json(&text)?;
            let body = parsed.to_body()?;
            Ok((SingleRequest::grant_access(self.settings(), &id, body), controls(copy.as_ref())?))
        };
        self.start(go())
    }

    /// `revokeAccess(snapshotId, { signal? })`.
    #[wasm_bindgen(js_name = revokeAccess)]
    pub fn revoke_access(&self, snapshot_id: JsValue, options: JsValue) -> Promise {
        let id = resource_id_arg(&snapshot_id, "snapshotId", SNAPSHOTS);
        self.start_with(id.map(|id| SingleRequest::revoke_access(self.settings(), &id)), &options)
    }
}

/// Splits create/copy options (a plain copy) into the snapshot config options and `wait`
/// (default true).
fn create_options(copy: Option<&Object>) -> Result<(SnapshotOptions, bool)> {
    let wait = prop(copy, "wait");
    let wait = if absent(&wait) {
        true
    } else {
        wait.as_bool().ok_or_else(|| Error::invalid_argument("options.wait", "wait must be a boolean"))?
    };
    let text = options_text(copy, &CONTROLS)?;
    Ok((SnapshotOptions::from_json_text(&text)?, wait))
}

/// What `applyRetention` plans for.
enum RetentionTarget {
    /// A disk given by id: read first.
    DiskId(ResourceId),
    /// The disk object ARM returned.
    Disk(DiskIdentity),
    /// A subscription or resource group: all of its snapshots, matched to all of its disks.
    Scope(ResourceId),
}

const TARGET_FIELD: &str = "diskOrScopeId";

fn retention_target(value: &JsValue) -> Result<RetentionTarget> {
    if let Some(text) = value.as_string() {
        let id = ResourceId::parse(&text).map_err(|e| e.with_field(TARGET_FIELD))?;
        return match id.kind() {
            ResourceIdKind::Resource if id.is_disk() => Ok(RetentionTarget::DiskId(id)),
            ResourceIdKind::Resource => Err(Error::new(
                ErrorCode::InvalidResourceId,
                "expected the id of a disk, a resource group or a subscription, got the id of another resource",
            )
            .with_field(TARGET_FIELD)),
            _ => Ok(RetentionTarget::Scope(id)),
        };
    }
    if value.is_object() && !is_array(value, TARGET_FIELD)? {
        let text = json_text(value, TARGET_FIELD, false)?;
        return DiskIdentity::from_disk_json(&text).map(RetentionTarget::Disk);
    }
    Err(Error::invalid_argument(
        TARGET_FIELD,
        "diskOrScopeId must be a disk id, a resource group or subscription id, or the disk object ARM returned",
    ))
}

/// `applyRetention`'s policy and options, every violation at once, before any request.
struct RetentionCall {
    policy: RetentionPolicy,
    options: RetentionOptions,
    dry_run: bool,
    signal: Option<AbortSignal>,
}

fn retention_call(policy: &JsValue, options: &JsValue) -> Result<RetentionCall> {
    let policy_text = if absent(policy) { "null".to_string() } else { json_text(policy, "policy", false)? };
    let copy = options_copy(options)?;
    let mut extra = Vec::new();
    let dry = prop(copy.as_ref(), "dryRun");
    let dry_run = match dry.as_bool() {
        Some(b) => b,
        None if absent(&dry) => false,
        None => {
            let message = format!("dryRun must be a boolean, got {}", describe(&dry));
            extra.push(Violation { field: "options.dryRun".into(), rule: "options.type", message });
            false
        }
    };
    if copy.as_ref().is_some_and(|c| keys(c).iter().any(|k| k == "disks")) {
        extra.push(Violation {
            field: "options.disks".into(),
            rule: "options.unknown",
            message: "applyRetention reads the disks itself (the disk given, or the scope's disks); disks is an option of planRetention".into(),
        });
    }
    let text = options_text(copy.as_ref(), &["signal", "dryRun", "disks"])?;
    let (policy, options) = read_policy_and_options(&policy_text, Some(&text), extra)?;
    let signal = abort_signal(prop(copy.as_ref(), "signal"), "options.signal")?;
    Ok(RetentionCall { policy, options, dry_run, signal })
}

/// A delete `applyRetention` could not make.
struct FailedDelete {
    id: String,
    code: String,
    message: String,
}

/// `deleted`'s JSON: an array of ids.
fn deleted_json(deleted: &[String]) -> String {
    let mut out = String::from("[");
    for (i, id) in deleted.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(&mut out, Some(id));
    }
    out.push(']');
    out
}

/// `failed`'s JSON: an array of `{ id, code, message }`.
fn failed_json(failed: &[FailedDelete]) -> String {
    let mut out = String::from("[");
    for (i, f) in failed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        push_json_str(&mut out, Some(&f.id));
        out.push_str(",\"code\":");
        push_json_str(&mut out, Some(&f.code));
        out.push_str(",\"message\":");
        push_json_str(&mut out, Some(&f.message));
        out.push('}');
    }
    out.push(']');
    out
}

/// A string property of one of this crate's own JS errors (plain data properties: cannot throw).
fn error_prop(err: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(err, &JsValue::from_str(key)).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

/// Lists `scope` and plans it: with `disk`, only that disk's chains, matched to it; else every
/// chain, matched to the scope's disks.
async fn retention_plan(
    inner: &Inner,
    scope: &ResourceId,
    disk: Option<&DiskIdentity>,
    call: &RetentionCall,
) -> std::result::Result<RetentionPlan, JsValue> {
    let scope = scope.to_string();
    let list = |ty: &str| ListAll::compute(inner.settings.clone(), &scope, ty).map_err(error_to_js);
    let signal = call.signal.as_ref();
    let mut options = call.options.clone();
    let only = match disk {
        Some(d) => {
            options.disks = Some(vec![d.clone()]);
            Some(d.id.as_str())
        }
        None => {
            let disks = drive(inner, list("disks")?, signal, None).await?;
            options.disks = Some(disks_of_listing(&disks).map_err(error_to_js)?);
            None
        }
    };
    let snapshots = drive(inner, list("snapshots")?, signal, None).await?;
    plan_for_target(&snapshots, &call.policy, &options, only).map_err(error_to_js)
}

#[cfg(feature = "retention")]
#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `applyRetention(diskOrScopeId, policy, { dryRun?, includeOrphans?, lockTag?, signal? })` →
    /// `{ plan, deleted, failed }`: plans (see `planRetention`), then, unless `dryRun`, lists and
    /// plans again and deletes, one at a time, what both plans remove (`retention::deletions`).
    /// A failed delete is reported in `failed` and the others go on; an abort rejects with
    /// `ABORTED`, its error carrying the `deleted` and `failed` so far.
    #[wasm_bindgen(js_name = applyRetention)]
    pub fn apply_retention(&self, target: JsValue, policy: JsValue, options: JsValue) -> Promise {
        let prepared = retention_target(&target).and_then(|t| Ok((t, retention_call(&policy, &options)?)));
        let (target, call) = match prepared {
            Ok(p) => p,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        super::convert::promise_of(async move {
            let signal = call.signal.as_ref();
            let (scope, disk) = match target {
                RetentionTarget::Scope(scope) => (scope, None),
                RetentionTarget::Disk(d) => (disk_scope(&d)?, Some(d)),
                RetentionTarget::DiskId(id) => {
                    let op = GetResource::new(inner.settings.clone(), &id);
                    let d =
                        DiskIdentity::from_disk_json(&drive(&inner, op, signal, None).await?).map_err(error_to_js)?;
                    (disk_scope(&d)?, Some(d))
                }
            };
            let first = retention_plan(&inner, &scope, disk.as_ref(), &call).await?;
            let (mut deleted, mut failed) = (Vec::new(), Vec::new());
            if !call.dry_run {
                // Planned again right before deleting: a snapshot created, locked or changed
                // since the first plan is never deleted on its stale verdict.
                let fresh = retention_plan(&inner, &scope, disk.as_ref(), &call).await?;
                for id in deletions(&first, &fresh) {
                    let rid = match ResourceId::parse_of_type(&id, SNAPSHOTS) {
                        Ok(r) => r,
                        Err(e) => {
                            failed.push(FailedDelete { id, code: e.code.as_str().into(), message: e.message });
                            continue;
                        }
                    };
                    let op = SingleRequest::delete_snapshot(inner.settings.clone(), &rid);
                    match drive(&inner, op, signal, None).await {
                        Ok(_) => deleted.push(id),
                        Err(err) => {
                            let code = error_prop(&err, "code");
                            if code == ErrorCode::Aborted.as_str() {
                                if let (Ok(d), Ok(f)) =
                                    (json_out(&deleted_json(&deleted)), json_out(&failed_json(&failed)))
                                {
                                    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("deleted"), &d);
                                    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("failed"), &f);
                                }
                                return Err(err);
                            }
                            failed.push(FailedDelete { id, code, message: error_prop(&err, "message") });
                        }
                    }
                }
            }
            let text = format!(
                "{{\"plan\":{},\"deleted\":{},\"failed\":{}}}",
                first.to_json(),
                deleted_json(&deleted),
                failed_json(&failed)
            );
            json_out(&text).map_err(error_to_js)
        })
    }
}

/// The resource group a disk lives in.
fn disk_scope(disk: &DiskIdentity) -> std::result::Result<ResourceId, JsValue> {
    disk.resource
        .resource_group_scope()
        .ok_or_else(|| error_to_js(Error::invalid_argument("disk.id", "the disk id has no resource group")))
}
