//! The background copy of a new snapshot (Premium SSD v2 and Ultra sources, CopyStart), as a
//! read of the snapshot reports it.

use crate::error::{ArmErrorInfo, Error, ErrorCode, Result};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompletionKeys<'a> {
    #[serde(borrow, default)]
    properties: Option<CompletionProps<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompletionProps<'a> {
    #[serde(default)]
    completion_percent: Option<f64>,
    #[serde(borrow, default)]
    copy_completion_error: Option<CopyErrorKeys<'a>>,
    #[serde(borrow, default)]
    provisioning_state: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyErrorKeys<'a> {
    #[serde(borrow, default)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_message: Option<Cow<'a, str>>,
}

/// How far the copy is.
pub(super) struct CopyProgress {
    /// `completionPercent`, when the snapshot has one.
    pub(super) percent: Option<f64>,
    /// `provisioningState`, when the snapshot has one.
    pub(super) provisioning_state: Option<String>,
}

/// Reads the copy's progress from the snapshot's JSON; a `copyCompletionError` is the copy's
/// failure (`OPERATION_FAILED`).
pub(super) fn copy_progress(snapshot_json: &str) -> Result<CopyProgress> {
    let keys: CompletionKeys = serde_json::from_str(snapshot_json)
        .map_err(|e| Error::new(ErrorCode::InvalidResponse, format!("ARM's snapshot could not be read: {e}")))?;
    let props = keys.properties;
    if let Some(err) = props.as_ref().and_then(|p| p.copy_completion_error.as_ref()) {
        let code = err.error_code.as_deref().unwrap_or("CopyFailed").to_string();
        let msg = err.error_message.as_deref().unwrap_or("the background copy failed").to_string();
        let mut e = Error::new(ErrorCode::OperationFailed, format!("the snapshot's background copy failed: {msg}"));
        e.arm = Some(Box::new(ArmErrorInfo { arm_code: Some(code), ..Default::default() }));
        return Err(e);
    }
    let percent = props.as_ref().and_then(|p| p.completion_percent);
    let provisioning_state = props.and_then(|p| p.provisioning_state.map(Cow::into_owned));
    Ok(CopyProgress { percent, provisioning_state })
}
