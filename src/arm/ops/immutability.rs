//! `setImmutabilityPolicy` and `lockImmutabilityPolicy`: `POST …/updateImmutabilityPolicy` and
//! `…/updateImmutabilityPolicyLock` with `ImmutabilityPolicyData` `{ immutabilityDurationDays,
//! type }`, always at api-version [`IMMUTABILITY_API_VERSION`], followed as a long-running
//! operation by [`SingleRequest`].
//!
//! The result is `{ immutabilityDurationDays, type }`: read from the operation's result when it
//! is `ImmutabilityPolicyData` (what the 2026-03-02 spec declares), or a snapshot carrying
//! `properties.immutabilityPolicy` (what the SDKs model); when the operation ends without a
//! body, what was asked (ARM accepted it). `policyStartTime`, `policyExpirationTime` and
//! `isPolicyExpired` are handed on when the result has them.
//!
//! `getImmutabilityPolicy` reads the snapshot at that api-version and hands back its
//! `properties.immutabilityPolicy` (those same fields), or `null` (none, or not reported: the spec
//! excerpt does not say a snapshot shows it).

use super::{GetResource, SingleRequest};
use crate::arm::{Action, ClientSettings, Input, Operation, Progress};
use crate::error::{Error, ErrorCode, Result};
use crate::read::push_json_str;
use crate::resource_id::ResourceId;
use serde_json::{Map, Value};

/// The first (and only) api-version with the immutability actions.
pub const IMMUTABILITY_API_VERSION: &str = "2026-03-02";

/// Which action: set or extend an unlocked policy, or lock (and extend a locked one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    /// `updateImmutabilityPolicy`, `type: Unlocked`.
    Set,
    /// `updateImmutabilityPolicyLock`, `type: Locked`.
    Lock,
}

impl PolicyAction {
    fn path(self) -> &'static str {
        match self {
            PolicyAction::Set => "updateImmutabilityPolicy",
            PolicyAction::Lock => "updateImmutabilityPolicyLock",
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            PolicyAction::Set => "Unlocked",
            PolicyAction::Lock => "Locked",
        }
    }
}

/// The validated `ImmutabilityPolicyData` body for the options JSON text `{ days }` (every
/// violation at once, before any request).
pub fn immutability_body(options: &str, action: PolicyAction) -> Result<(i64, String)> {
    let days = crate::rules::read_immutability_days(options)?;
    Ok((days, format!("{{\"immutabilityDurationDays\":{days},\"type\":\"{}\"}}", action.type_name())))
}

/// One immutability action on a snapshot.
pub struct UpdateImmutability {
    inner: SingleRequest,
    days: i64,
    action: PolicyAction,
}

impl UpdateImmutability {
    /// The action on snapshot `id` with the options JSON text `{ days }`.
    pub fn new(settings: ClientSettings, id: &ResourceId, action: PolicyAction, options: &str) -> Result<Self> {
        if !id.is_snapshot() {
            return Err(Error::new(ErrorCode::InvalidResourceId, "an immutability policy is set on a snapshot")
                .with_field("snapshotId"));
        }
        let (days, body) = immutability_body(options, action)?;
        let mut settings = settings;
        settings.api_version = IMMUTABILITY_API_VERSION.to_string();
        Ok(UpdateImmutability { inner: SingleRequest::post(settings, id, action.path(), Some(body)), days, action })
    }

    fn output(&self, text: &str) -> Result<String> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Error::new(ErrorCode::InvalidResponse, format!("the immutability policy ARM returned is not JSON ({e})"))
        })?;
        let empty = Map::new();
        let top = v.as_object().unwrap_or(&empty);
        let policy = if top.contains_key("immutabilityDurationDays") {
            top
        } else {
            top.get("properties").and_then(|p| p.get("immutabilityPolicy")).and_then(Value::as_object).unwrap_or(&empty)
        };
        Ok(policy_json(policy, Some((self.days, self.action.type_name()))))
    }
}

/// A policy object as JSON, written by hand (no serializer in the wasm): its days and type (else
/// `asked`'s), and the times and `isPolicyExpired` when they are there.
fn policy_json(policy: &Map<String, Value>, asked: Option<(i64, &str)>) -> String {
    let mut out = String::from("{");
    let days = policy.get("immutabilityDurationDays").and_then(Value::as_i64).or(asked.map(|a| a.0));
    let ty = policy.get("type").and_then(Value::as_str).or(asked.map(|a| a.1));
    let mut sep = "";
    if let Some(d) = days {
        out.push_str(&format!("\"immutabilityDurationDays\":{d}"));
        sep = ",";
    }
    for (key, value) in [("type", ty), ("policyStartTime", None), ("policyExpirationTime", None)] {
        if let Some(s) = value.or_else(|| policy.get(key).and_then(Value::as_str)) {
            out.push_str(sep);
            push_json_str(&mut out, Some(key));
            out.push(':');
            push_json_str(&mut out, Some(s));
            sep = ",";
        }
    }
    if let Some(b) = policy.get("isPolicyExpired").and_then(Value::as_bool) {
        out.push_str(&format!("{sep}\"isPolicyExpired\":{b}"));
    }
    out.push('}');
    out
}

impl Operation for UpdateImmutability {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        match self.inner.step(input, now_ms) {
            Action::Done(Ok(text)) => Action::Done(self.output(&text)),
            other => other,
        }
    }
    fn take_progress(&mut self) -> Option<Progress> {
        self.inner.take_progress()
    }
}

/// `getImmutabilityPolicy`: the snapshot read at [`IMMUTABILITY_API_VERSION`], its
/// `properties.immutabilityPolicy` object or `null`.
pub struct ReadImmutability {
    inner: GetResource,
}

impl ReadImmutability {
    /// Reads snapshot `id`.
    pub fn new(settings: ClientSettings, id: &ResourceId) -> Result<Self> {
        if !id.is_snapshot() {
            return Err(Error::new(ErrorCode::InvalidResourceId, "an immutability policy is set on a snapshot")
                .with_field("snapshotId"));
        }
        let mut settings = settings;
        settings.api_version = IMMUTABILITY_API_VERSION.to_string();
        Ok(ReadImmutability { inner: GetResource::new(settings, id) })
    }
}

impl Operation for ReadImmutability {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        match self.inner.step(input, now_ms) {
            Action::Done(Ok(text)) => Action::Done(Ok(policy_of_snapshot(&text))),
            other => other,
        }
    }
}

/// The `properties.immutabilityPolicy` object of a snapshot's JSON text, or `null`.
fn policy_of_snapshot(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match v.get("properties").and_then(|p| p.get("immutabilityPolicy")).and_then(Value::as_object) {
        Some(p) => policy_json(p, None),
        None => "null".into(),
    }
}
