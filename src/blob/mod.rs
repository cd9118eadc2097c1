//! The Blob service side of a differential backup, sans I/O: list the pages that changed between
//! two managed-disk snapshots ([`diff`]) and copy them server-side into a page blob ([`copy`]).
//!
//! # Protocol
//!
//! Blob operations may have several requests in flight (the copier's chunks), so they do not use
//! [`crate::arm::Operation`]'s one-request `step`. Every blob operation is a [`Machine`]:
//!
//! ```text
//! loop {
//!     match machine.poll(now_ms) {
//!         Poll::Send(batch) => for s in batch {          // start each, do not await them here
//!             spawn(async { sleep(s.delay_ms); let r = fetch(s.request); queue.push((s.id, r)) })
//!         }
//!         Poll::Checkpoint(cp) => await persist(cp),     // then poll again
//!         Poll::Wait => { let (id, r) = await queue.next(); machine.on_response(id, r, now_ms) }
//!         Poll::Done(result) => return result,            // abandon whatever is still in flight
//!     }
//! }
//! ```
//!
//! - `poll` never blocks and does all the work; `on_response` only records the outcome of the
//!   request `id` (an unknown or repeated id is ignored).
//! - Each [`Send`] has its own `id` and `delay_ms` (a retry waits; a first attempt does not).
//!   Retries are new `Send`s with new ids.
//! - The number of requests in flight never exceeds the operation's concurrency (1 while listing
//!   pages, `concurrency` while copying chunks).
//! - After `Done`, requests still in flight may be dropped: every blob write here is idempotent.
//!
//! # Shell rules
//!
//! - Send exactly the request's method, URL and headers, never an `Authorization` header (the
//!   SAS in the URL is the credential), with an empty body. `Content-Length: 0` is listed on
//!   writes; a runtime that sets it itself (fetch) may drop it.
//! - Do not follow redirects (a 3xx is handed back and is `INVALID_RESPONSE`).
//! - Feed transport failures as [`Failure`]s, as for ARM.
//! - Errors never contain a SAS signature: messages show URLs as scheme, host, path and
//!   `snapshot` only, service text is scrubbed of `sig=` values, and every error is passed
//!   through [`Error::redact`] with each signature the operation holds.

pub mod copy;
pub mod diff;
pub mod extents;
pub(crate) mod json;
pub mod pagelist;
pub mod pair;
pub mod replicate;
pub mod sas;

use crate::arm::retry::{retryable_status, server_delay_ms, Jitter};
pub use crate::arm::{Failure, Response};
use crate::error::{ArmErrorInfo, Error, ErrorCode, Result};
use std::collections::VecDeque;

/// The default `x-ms-version`: 2021-06-08, recorded against managed-disk hosts (2019-07-07 is the
/// least that knows `x-ms-previous-snapshot-url`, 2020-10-02 the least that pages with `marker`).
pub const DEFAULT_VERSION: &str = "2021-06-08";
/// The lowest `x-ms-version` accepted.
pub const MIN_VERSION: &str = "2019-07-07";
/// Default window of one Get Page Ranges request (`x-ms-range`): 1 GiB.
pub const DEFAULT_WINDOW_BYTES: u64 = 1 << 30;
/// The largest Put Page From URL range: 4 MiB.
pub const MAX_UPDATE_BYTES: u64 = 4 * 1024 * 1024;
/// A page: every range is aligned to it.
pub const PAGE: u64 = 512;

/// HTTP methods blob requests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// HEAD (Get Blob Properties).
    Head,
    /// GET (Get Page Ranges).
    Get,
    /// PUT (Put Blob, Set Blob Properties, Put Page, Put Page From URL, Snapshot Blob).
    Put,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Head => "HEAD",
            Method::Get => "GET",
            Method::Put => "PUT",
        }
    }

    fn retry_class(self) -> crate::arm::Method {
        match self {
            Method::Head | Method::Get => crate::arm::Method::Get,
            Method::Put => crate::arm::Method::Put,
        }
    }
}

/// A blob request for the shell to send as it is: no body, no `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// The SAS URL (with its signature), plus the operation's query (`&comp=…`).
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(&'static str, String)>,
}

impl Request {
    /// The first header named `name`, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One request to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    /// The id to hand back to [`Machine::on_response`] with its outcome.
    pub id: u64,
    /// Milliseconds to wait before sending (0: now).
    pub delay_ms: u64,
    /// The request.
    pub request: Request,
}

/// What a machine asks of the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll<T> {
    /// Start these requests (each after its delay) and keep the ones already in flight going.
    Send(Vec<Send>),
    /// Persist this checkpoint (the shell's `onCheckpoint`), then poll again.
    Checkpoint(Box<copy::Checkpoint>),
    /// Nothing new: wait for a response of a request in flight and feed it to `on_response`.
    Wait,
    /// Finished.
    Done(Result<T>),
}

/// What became of a request: the response (any status) or a failure below HTTP.
pub type Outcome = std::result::Result<Response, Failure>;

/// A blob operation with any number of requests in flight (see the module documentation).
pub trait Machine {
    /// What it produces.
    type Output;
    /// Says what to do next, at time `now_ms` (ms since the epoch).
    fn poll(&mut self, now_ms: i64) -> Poll<Self::Output>;
    /// Records the outcome of request `id`.
    fn on_response(&mut self, id: u64, outcome: Outcome, now_ms: i64);
}

/// Retry settings of blob requests (the ARM policy of [`crate::arm::retry`]: 408, 429, 5xx and
/// connection failures, the server's `Retry-After`, else exponential backoff with ±25% jitter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySettings {
    /// Retries after the first attempt of one request (default 5).
    pub max_retries: u32,
    /// First backoff (default 1 s), doubled per retry.
    pub base_ms: u64,
    /// Longest backoff (default 64 s).
    pub max_ms: u64,
    /// Longest `Retry-After` waited out; a longer one ends the operation with the error.
    pub max_wait_ms: Option<u64>,
    /// Jitter seed.
    pub seed: u64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings { max_retries: 5, base_ms: 1000, max_ms: 64_000, max_wait_ms: None, seed: 0x5eed }
    }
}

/// A request in flight.
#[derive(Debug, Clone)]
struct InFlight {
    id: u64,
    tag: u64,
    retries: u32,
    request: Request,
}

/// Hands out ids, retries, and queues final outcomes for the machine's `poll`.
#[derive(Debug, Clone)]
pub(crate) struct Dispatcher {
    retry: RetrySettings,
    jitter: Jitter,
    next_id: u64,
    in_flight: Vec<InFlight>,
    outbox: Vec<Send>,
    done: VecDeque<(u64, Result<Response>)>,
    /// Requests handed out (retries included).
    pub(crate) requests: u64,
}

impl Dispatcher {
    pub(crate) fn new(retry: RetrySettings) -> Dispatcher {
        let jitter = Jitter::new(retry.seed);
        Dispatcher {
            retry,
            jitter,
            next_id: 1,
            in_flight: Vec::new(),
            outbox: Vec::new(),
            done: VecDeque::new(),
            requests: 0,
        }
    }

    /// Queues `request` (first attempt) under the machine's `tag`.
    pub(crate) fn send(&mut self, tag: u64, request: Request) {
        self.queue(tag, request, 0, 0);
    }

    fn queue(&mut self, tag: u64, request: Request, retries: u32, delay_ms: u64) {
        let id = self.next_id;
        self.next_id += 1;
        self.requests += 1;
        self.in_flight.push(InFlight { id, tag, retries, request: request.clone() });
        self.outbox.push(Send { id, delay_ms, request });
    }

    /// Requests started and not finished (retries waiting included).
    pub(crate) fn busy(&self) -> usize {
        self.in_flight.len()
    }

    pub(crate) fn take_outbox(&mut self) -> Vec<Send> {
        std::mem::take(&mut self.outbox)
    }

    pub(crate) fn next_done(&mut self) -> Option<(u64, Result<Response>)> {
        self.done.pop_front()
    }

    pub(crate) fn on_response(&mut self, id: u64, outcome: Outcome, now_ms: i64) {
        let Some(pos) = self.in_flight.iter().position(|f| f.id == id) else {
            return;
        };
        let flight = self.in_flight.swap_remove(pos);
        if let Ok(resp) = &outcome {
            if (300..400).contains(&resp.status) {
                let err = Error::new(
                    ErrorCode::InvalidResponse,
                    format!("the blob service answered HTTP {} (a redirect), which is never followed", resp.status),
                );
                self.done.push_back((flight.tag, Err(with_status(err, resp))));
                return;
            }
        }
        if let Some(delay) = self.decide(&flight, &outcome, now_ms) {
            self.queue(flight.tag, flight.request, flight.retries + 1, delay);
            return;
        }
        let result = match outcome {
            Ok(resp) => Ok(resp),
            Err(Failure::Network(m)) => Err(Error::new(
                ErrorCode::Network,
                format!("the blob request could not be completed: {}", sas::scrub(&m)),
            )),
            Err(Failure::Timeout) => Err(Error::new(ErrorCode::Timeout, "a blob request did not complete in time")),
            Err(Failure::Aborted) => Err(Error::new(ErrorCode::Aborted, "the operation was aborted")),
            Err(Failure::Fatal(e)) => Err(e),
        };
        self.done.push_back((flight.tag, result));
    }

    fn decide(&mut self, flight: &InFlight, outcome: &Outcome, now_ms: i64) -> Option<u64> {
        if flight.retries >= self.retry.max_retries {
            return None;
        }
        let server = match outcome {
            Ok(resp) if retryable_status(flight.request.method.retry_class(), resp.status) => {
                server_delay_ms(resp, now_ms)
            }
            Ok(_) | Err(Failure::Aborted | Failure::Fatal(_)) => return None,
            Err(Failure::Network(_) | Failure::Timeout) => None,
        };
        if server.is_some_and(|wait| self.retry.max_wait_ms.is_some_and(|max| wait > max)) {
            return None;
        }
        let exp = self.retry.base_ms.saturating_mul(1u64 << flight.retries.min(20));
        let backoff = (exp.min(self.retry.max_ms) as f64 * (0.75 + 0.5 * self.jitter.next_unit())) as u64;
        Some(server.filter(|asked| *asked > 0).unwrap_or(backoff))
    }
}

fn with_status(mut err: Error, resp: &Response) -> Error {
    err.arm = Some(Box::new(ArmErrorInfo {
        status: resp.status,
        arm_code: resp.header("x-ms-error-code").map(str::to_string),
        request_id: resp.header("x-ms-request-id").map(str::to_string),
        ..ArmErrorInfo::default()
    }));
    err
}

/// The text of `<tag>…</tag>` in a small XML error body, if present.
fn xml_text<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let len = body[start..].find(&close)?;
    Some(&body[start..start + len])
}

/// An error reply of the blob service about `what` (e.g. "the target blob") as an [`Error`]:
/// 403 → `FORBIDDEN` (an expired, revoked or wrong SAS: `AuthenticationFailed`; a source the
/// service could not read: `CannotVerifyCopySource`), 404 → `NOT_FOUND`, 409/412 → `CONFLICT`,
/// 429 → `THROTTLED`, anything else → `ARM_ERROR` carrying the status and the service's code.
/// The service's message is cut to 300 characters and scrubbed of signatures.
pub fn error_from_response(resp: &Response, what: &str, now_ms: i64) -> Error {
    let code_text = resp
        .header("x-ms-error-code")
        .map(str::to_string)
        .or_else(|| xml_text(&resp.body, "Code").map(|c| c.trim().chars().take(100).collect::<String>()));
    let service_message: Option<String> = xml_text(&resp.body, "Message")
        .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
        .map(|m| sas::scrub(&m.chars().take(300).collect::<String>()));
    let code = match resp.status {
        401 | 403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 | 412 => ErrorCode::Conflict,
        429 => ErrorCode::Throttled,
        _ => ErrorCode::ArmError,
    };
    let named = code_text.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let mut message = match (resp.status, code_text.as_deref()) {
        (403, Some("AuthenticationFailed")) | (401, _) => format!(
            "the blob service refused the SAS of {what}{named}: it may have expired or been revoked; grant access again (a copy resumes from its checkpoint)"
        ),
        (403, Some("CannotVerifyCopySource")) => format!(
            "the blob service could not read the source of {what}{named}: the source SAS may have expired or been revoked"
        ),
        (403, _) => format!("the blob service denied access to {what}{named}"),
        (s, _) => format!("the blob service answered HTTP {s} for {what}{named}"),
    };
    if let Some(m) = service_message.filter(|m| !m.is_empty()) {
        message.push_str(": ");
        message.push_str(&m);
    }
    let mut err = with_status(Error::new(code, message), resp);
    if let Some(arm) = err.arm.as_mut() {
        arm.arm_code = code_text.map(|c| sas::scrub(&c));
        arm.retry_after_ms = server_delay_ms(resp, now_ms);
    }
    err
}

/// `INVALID_RESPONSE` about `what`.
pub(crate) fn invalid_response(resp: &Response, what: &str, detail: impl std::fmt::Display) -> Error {
    with_status(Error::new(ErrorCode::InvalidResponse, format!("{what} could not be read: {detail}")), resp)
}

/// Checks an `x-ms-version` value: `YYYY-MM-DD`, not older than [`MIN_VERSION`].
pub fn check_version(version: &str) -> Result<()> {
    let b = version.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if !shaped {
        return Err(Error::invalid_argument(
            "xMsVersion",
            format!("{version:?} is not a service version (YYYY-MM-DD)"),
        ));
    }
    if version < MIN_VERSION {
        return Err(Error::invalid_argument(
            "xMsVersion",
            format!(
                "x-ms-version {version} is older than {MIN_VERSION}, the first that knows x-ms-previous-snapshot-url"
            ),
        ));
    }
    Ok(())
}

/// `bytes=a-b`.
pub(crate) fn range_header(start: u64, end: u64) -> String {
    format!("bytes={start}-{end}")
}
