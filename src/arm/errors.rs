//! ARM error replies → [`Error`] with a stable code, ARM's code, the request id and message.
//!
//! `x-ms-error-code` wins over the body's `error.code`; a body that is not ARM's error shape
//! still gives an error carrying the status and a bounded excerpt of the text.

use super::Response;
use crate::error::{ArmErrorDetail, ArmErrorInfo, Error, ErrorCode};

/// ARM's `error` object.
#[derive(Default)]
pub struct ErrorBody {
    /// `error.code`.
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.target`.
    pub target: Option<String>,
    /// `error.details`.
    pub details: Vec<ArmErrorDetail>,
}

impl ErrorBody {
    /// Reads ARM's `error` object; `None` when it is not one (a field of another type), as the
    /// serde derive it replaces refused it.
    pub(crate) fn read(v: &serde_json::Value) -> Option<ErrorBody> {
        use crate::read::{obj, str_at};
        let m = obj(Some(v), "").ok()??;
        let text = |m, key| str_at(m, key, "").ok().map(|s| s.map(str::to_string));
        let details = match m.get("details") {
            None => Vec::new(),
            Some(d) => d
                .as_array()?
                .iter()
                .map(|d| {
                    let d = obj(Some(d), "").ok()??;
                    Some(ArmErrorDetail {
                        code: text(Some(d), "code")?,
                        target: text(Some(d), "target")?,
                        message: text(Some(d), "message")?,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(ErrorBody {
            code: text(Some(m), "code")?,
            message: text(Some(m), "message")?,
            target: text(Some(m), "target")?,
            details,
        })
    }
}

/// The stable code for an HTTP status.
pub fn code_for_status(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        429 => ErrorCode::Throttled,
        _ => ErrorCode::ArmError,
    }
}

/// The request id of a response.
pub fn request_id(resp: &Response) -> Option<String> {
    resp.header("x-ms-request-id").or_else(|| resp.header("x-ms-correlation-request-id")).map(str::to_string)
}

/// Turns an error reply into an [`Error`]; `now_ms` (the time it arrived) resolves an HTTP-date
/// `Retry-After` into `retryAfterMs`.
pub fn from_response(resp: &Response, now_ms: i64) -> Error {
    let parsed: Option<ErrorBody> = crate::read::parse(&resp.body).ok().and_then(|v| {
        let top = crate::read::obj(Some(&v), "").ok()??;
        match crate::read::field(Some(top), "error") {
            Some(e) => ErrorBody::read(e),
            None => {
                let code = crate::read::str_at(Some(top), "code", "").ok()?;
                let message = crate::read::str_at(Some(top), "message", "").ok()?;
                (code.is_some() || message.is_some()).then(|| ErrorBody {
                    code: code.map(str::to_string),
                    message: message.map(str::to_string),
                    ..ErrorBody::default()
                })
            }
        }
    });
    let body = parsed.unwrap_or_default();
    let arm_code = resp.header("x-ms-error-code").map(str::to_string).or(body.code);
    let message = match (body.message.as_deref().filter(|m| !m.trim().is_empty()), resp.body.trim()) {
        (Some(m), _) => m.to_string(),
        (None, "") => format!("ARM answered HTTP {} with no body", resp.status),
        (None, text) => {
            // No "…" after a cut: the redaction looks for a secret cut short at the very end.
            let (excerpt, _) = crate::error::excerpt(text, 300);
            format!("ARM answered HTTP {}: {excerpt}", resp.status)
        }
    };
    let mut err = Error::new(code_for_status(resp.status), message);
    err.arm = Some(Box::new(ArmErrorInfo {
        status: resp.status,
        arm_code,
        target: body.target,
        request_id: request_id(resp),
        details: body.details,
        retry_after_ms: super::retry::server_delay_ms(resp, now_ms),
    }));
    err
}

/// An operation that ended `Failed` or `Canceled`, with the error its status body carried.
pub fn operation_failed(status: &str, error: Option<ErrorBody>, resp: &Response) -> Error {
    let body = error.unwrap_or_default();
    let message = match &body.message {
        Some(m) => format!("the operation ended {status}: {m}"),
        None => format!("the operation ended {status}"),
    };
    let mut err = Error::new(ErrorCode::OperationFailed, message);
    err.arm = Some(Box::new(ArmErrorInfo {
        status: resp.status,
        arm_code: body.code.or_else(|| Some(status.to_string())),
        target: body.target,
        request_id: request_id(resp),
        details: body.details,
        retry_after_ms: None,
    }));
    err
}

/// A reply that is not what ARM promises (malformed or truncated JSON, missing fields).
pub fn invalid_response(resp: &Response, what: &str, detail: impl std::fmt::Display) -> Error {
    let mut err = Error::new(ErrorCode::InvalidResponse, format!("ARM's {what} could not be read: {detail}"));
    err.arm =
        Some(Box::new(ArmErrorInfo { status: resp.status, request_id: request_id(resp), ..ArmErrorInfo::default() }));
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.into(),
        }
    }

    #[test]
    fn maps_arm_error_bodies() {
        let r = resp(
            404,
            &[("x-ms-request-id", "req-1")],
            r#"{"error":{"code":"ResourceNotFound","message":"gone","target":"name","details":[{"code":"x","message":"y"}]}}"#,
        );
        let e = from_response(&r, 0);
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(e.message, "gone");
        let arm = e.arm.unwrap();
        assert_eq!(arm.arm_code.as_deref(), Some("ResourceNotFound"));
        assert_eq!(arm.request_id.as_deref(), Some("req-1"));
        assert_eq!(arm.target.as_deref(), Some("name"));
        assert_eq!(arm.details.len(), 1);
    }

    #[test]
    fn header_code_wins_and_garbage_bodies_still_give_errors() {
        let e = from_response(
            &resp(
                429,
                &[("x-ms-error-code", "SubscriptionRequestsThrottled"), ("Retry-After", "7")],
                "<html>busy</html>",
            ),
            0,
        );
        assert_eq!(e.code, ErrorCode::Throttled);
        assert!(e.message.contains("<html>busy"));
        let arm = e.arm.unwrap();
        assert_eq!(arm.arm_code.as_deref(), Some("SubscriptionRequestsThrottled"));
        assert_eq!(arm.retry_after_ms, Some(7000));
        let e = from_response(&resp(500, &[("x-ms-correlation-request-id", "c")], ""), 0);
        assert_eq!(e.code, ErrorCode::ArmError);
        assert_eq!(e.arm.unwrap().request_id.as_deref(), Some("c"));
        for (s, c) in [
            (401, ErrorCode::Unauthorized),
            (403, ErrorCode::Forbidden),
            (409, ErrorCode::Conflict),
            (400, ErrorCode::ArmError),
        ] {
            assert_eq!(from_response(&resp(s, &[], "{}"), 0).code, c);
        }
    }

    #[test]
    fn an_http_date_retry_after_is_read_against_the_time_of_the_reply() {
        let now = crate::arm::retry::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let r = resp(429, &[("Retry-After", "Wed, 21 Oct 2015 07:28:05 GMT")], "{}");
        assert_eq!(from_response(&r, now).arm.unwrap().retry_after_ms, Some(5000));
    }

    #[test]
    fn an_empty_message_falls_back_to_the_status() {
        let e = from_response(&resp(500, &[], r#"{"error":{"code":"X","message":""}}"#), 0);
        assert!(e.message.contains("500"), "{}", e.message);
    }
}
