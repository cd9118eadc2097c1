//! The background copy of a new snapshot (Premium SSD v2 and Ultra sources, CopyStart), as a
//! read of the snapshot reports it.

use crate::error::{ArmErrorInfo, Error, ErrorCode, Result};

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
    use crate::read::{obj, obj_at, str_at};
    let bad = |why: String| Error::new(ErrorCode::InvalidResponse, format!("ARM's snapshot could not be read: {why}"));
    let v = crate::read::parse(snapshot_json).map_err(|e| bad(e.to_string()))?;
    let top = obj(Some(&v), "the snapshot").map_err(bad)?;
    let props = obj_at(top, "properties", "").map_err(bad)?;
    let percent = crate::read::f64_at(props, "completionPercent", "properties").map_err(bad)?;
    let copy_error = obj_at(props, "copyCompletionError", "properties").map_err(bad)?;
    let error_code = str_at(copy_error, "errorCode", "properties.copyCompletionError").map_err(bad)?;
    let error_message = str_at(copy_error, "errorMessage", "properties.copyCompletionError").map_err(bad)?;
    let provisioning_state = str_at(props, "provisioningState", "properties").map_err(bad)?;
    if copy_error.is_some() {
        let code = error_code.unwrap_or("CopyFailed").to_string();
        let msg = error_message.unwrap_or("the background copy failed").to_string();
        let mut e = Error::new(ErrorCode::OperationFailed, format!("the snapshot's background copy failed: {msg}"));
        e.arm = Some(Box::new(ArmErrorInfo { arm_code: Some(code), ..Default::default() }));
        return Err(e);
    }
    let provisioning_state = provisioning_state.map(str::to_string);
    Ok(CopyProgress { percent, provisioning_state })
}
