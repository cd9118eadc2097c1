//! Long-running operations as ARM defines them, and the retrying request [`Caller`] that all
//! operations share.
//!
//! After the initial reply (200/201/202): poll `Azure-AsyncOperation` if present, else
//! `Location`, else the resource itself; wait what `Retry-After` says (else the poll interval);
//! statuses are compared ignoring case, `Succeeded`, `Failed` and `Canceled`/`Cancelled` end it,
//! anything else (`InProgress`, `Updating`, ...) means running. The final resource of a PUT is
//! the operation's `properties.output` when Compute includes it, else a GET of the original URL
//! (never a re-sent PUT).

use super::errors::{self, ErrorBody};
use super::retry::{server_delay_ms, Jitter, RetryState};
use super::{Action, ClientSettings, Failure, Input, Method, Request, Response};
use crate::error::{Error, ErrorCode};

/// Sends requests and retries them per [`super::retry`]; hands back final responses.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Shared settings.
    pub settings: ClientSettings,
    jitter: Jitter,
    retry: RetryState,
    current: Option<Request>,
}

/// What became of the last request.
pub enum Received {
    /// Send again (a retry): pass this action on.
    Retry(Action<()>),
    /// The final response (any status, after retries).
    Final(Response),
    /// A transport failure after retries, or an abort.
    Failed(Error),
}

impl Caller {
    /// A caller with `settings`.
    pub fn new(settings: ClientSettings) -> Caller {
        let jitter = Jitter::new(settings.seed);
        Caller { settings, jitter, retry: RetryState::default(), current: None }
    }

    /// Starts a new request after `delay_ms`.
    pub fn send<T>(&mut self, request: Request, delay_ms: u64) -> Action<T> {
        self.retry.reset();
        self.current = Some(request.clone());
        Action::Send { request, delay_ms }
    }

    /// A GET of `url`.
    pub fn get<T>(&mut self, url: String, delay_ms: u64) -> Action<T> {
        self.send(Request::new(Method::Get, url, None), delay_ms)
    }

    /// Takes the shell's input for the current request.
    pub fn receive(&mut self, input: Input, now_ms: i64) -> Received {
        let Some(request) = self.current.clone() else {
            return Received::Failed(Error::new(ErrorCode::InvalidArgument, "internal: no request in flight"));
        };
        let outcome: std::result::Result<Response, Failure> = match input {
            Input::Response(r) => Ok(r),
            Input::Failure(f) => Err(f),
            Input::Start => return Received::Failed(Error::new(ErrorCode::InvalidArgument, "internal: started twice")),
        };
        // ARM never redirects; a 3xx is a proxy or an impostor. Never followed, never retried.
        if let Ok(r) = &outcome {
            if (300..400).contains(&r.status) {
                return Received::Failed(redirected(&request, Some(r)));
            }
        }
        let settings = self.settings.clone();
        if let Some(delay) = self.retry.decide(&settings, request.method, outcome.as_ref(), now_ms, &mut self.jitter) {
            return Received::Retry(Action::Send { request, delay_ms: delay });
        }
        match outcome {
            Ok(r) => Received::Final(r),
            Err(Failure::Aborted) => Received::Failed(Error::new(ErrorCode::Aborted, "the operation was aborted")),
            Err(Failure::Fatal(e)) => Received::Failed(e),
            Err(Failure::Timeout) => Received::Failed(Error::new(
                ErrorCode::Timeout,
                format!(
                    "ARM did not answer {} {} within {} ms (requestTimeoutMs)",
                    request.method.as_str(),
                    strip_query(&request.url),
                    settings.request_timeout_ms
                ),
            )),
            Err(Failure::Network(msg)) => Received::Failed(Error::new(
                ErrorCode::Network,
                format!("could not reach ARM ({} {}): {msg}", request.method.as_str(), strip_query(&request.url)),
            )),
        }
    }
}

/// `INVALID_RESPONSE` for a redirect (`resp` is `None` when the runtime only reported one).
pub fn redirected(request: &Request, resp: Option<&Response>) -> Error {
    let status = resp.map_or(String::from("a redirect"), |r| format!("HTTP {}", r.status));
    let mut e = Error::new(
        ErrorCode::InvalidResponse,
        format!(
            "{} {} was answered with {status}; ARM never redirects, so it was not followed",
            request.method.as_str(),
            strip_query(&request.url)
        ),
    );
    if let Some(r) = resp {
        e.arm = Some(Box::new(crate::error::ArmErrorInfo {
            status: r.status,
            request_id: errors::request_id(r),
            ..Default::default()
        }));
    }
    e
}

/// A URL without its query (signed poll URLs carry secrets in the query).
fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The final response to `$caller`'s request, or (returned from the enclosing `step`) the action
/// to take instead: the retry, or the failure.
macro_rules! final_response {
    ($caller:expr, $input:expr, $now:expr) => {
        match $caller.receive($input, $now) {
            $crate::arm::lro::Received::Retry(a) => return $crate::arm::lro::retry_action(a),
            $crate::arm::lro::Received::Failed(e) => return $crate::arm::Action::Done(Err(e)),
            $crate::arm::lro::Received::Final(r) => r,
        }
    };
}
pub(crate) use final_response;

/// Turns a retry action into another output type.
pub fn retry_action<T>(a: Action<()>) -> Action<T> {
    match a {
        Action::Send { request, delay_ms } => Action::Send { request, delay_ms },
        Action::Done(Err(e)) => Action::Done(Err(e)),
        Action::Done(Ok(())) => Action::Done(Err(Error::new(ErrorCode::InvalidArgument, "internal: empty retry"))),
    }
}

/// Accepts a reply's `Azure-AsyncOperation` and `Location` URLs only when they are on the
/// endpoint's origin (they are polled with the token).
pub fn trust_poll_urls(settings: &ClientSettings, resp: &Response) -> crate::error::Result<()> {
    if let Some(u) = resp.header("azure-asyncoperation") {
        settings.endpoint.trust(u, "Azure-AsyncOperation")?;
    }
    if let Some(u) = resp.header("location") {
        settings.endpoint.trust(u, "Location")?;
    }
    Ok(())
}

/// Which kind of operation is running (it decides how the final result is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroKind {
    /// Create or replace: final result is the resource.
    Put,
    /// Delete: no result.
    Delete,
    /// Action (beginGetAccess, endGetAccess): result from the operation or its Location.
    Post,
}

#[derive(Debug, Clone, PartialEq)]
enum Polling {
    AsyncOperation { url: String, location: Option<String> },
    Location { url: String },
    Resource,
    FinalGet { url: String },
}

/// Terminal states, compared ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationStatus {
    /// Succeeded.
    Succeeded,
    /// Failed (with its text as ARM wrote it).
    Failed(String),
    /// Still running (any other status).
    Running(String),
}

/// Reads a status string.
pub fn classify_status(status: &str) -> OperationStatus {
    if status.eq_ignore_ascii_case("Succeeded") {
        OperationStatus::Succeeded
    } else if status.eq_ignore_ascii_case("Failed")
        || status.eq_ignore_ascii_case("Canceled")
        || status.eq_ignore_ascii_case("Cancelled")
    {
        OperationStatus::Failed(status.to_string())
    } else {
        OperationStatus::Running(status.to_string())
    }
}

/// An Azure-AsyncOperation status body: `status`, `error`, and `properties.output` verbatim.
struct OperationBody {
    status: Option<String>,
    error: Option<ErrorBody>,
    output: Option<String>,
}

impl OperationBody {
    fn read(text: &str) -> std::result::Result<OperationBody, String> {
        use crate::read::{field, obj, obj_at, str_at};
        let v = crate::read::parse(text).map_err(|e| e.to_string())?;
        let top = obj(Some(&v), "the operation status")?.ok_or("expected an object")?;
        let status = str_at(Some(top), "status", "")?.map(str::to_string);
        let error = match field(Some(top), "error") {
            None => None,
            Some(e) => Some(ErrorBody::read(e).ok_or("error must be ARM's error object")?),
        };
        let props = obj_at(Some(top), "properties", "")?;
        let output = match field(props, "output") {
            None => None,
            Some(_) => crate::scan::raw_member(text, "properties")
                .and_then(|p| crate::scan::raw_member(p, "output"))
                .map(str::to_string),
        };
        Ok(OperationBody { status, error, output })
    }
}

/// What the LRO asks next.
pub enum LroStep {
    /// GET `url` after `delay_ms`.
    Poll {
        /// URL.
        url: String,
        /// Delay.
        delay_ms: u64,
    },
    /// Finished; the final body when there is one.
    Finished(Option<String>),
    /// Failed.
    Failed(Error),
}

/// One long-running operation after its initial request.
#[derive(Debug, Clone)]
pub struct Lro {
    kind: LroKind,
    resource_url: String,
    polling: Option<Polling>,
    polls: u32,
    /// The last poll interval ARM asked for: kept for replies that ask nothing (ARM often sends
    /// `Retry-After` on the first reply only), as Azure's SDKs do.
    asked_delay_ms: Option<u64>,
    /// The last status ARM reported, for progress.
    pub last_status: Option<String>,
}

impl Lro {
    /// An operation on `resource_url` (the URL of the initial request).
    pub fn new(kind: LroKind, resource_url: String) -> Lro {
        Lro { kind, resource_url, polling: None, polls: 0, asked_delay_ms: None, last_status: None }
    }

    fn poll_delay(&mut self, settings: &ClientSettings, resp: &Response, now_ms: i64) -> u64 {
        if let Some(asked) = server_delay_ms(resp, now_ms) {
            self.asked_delay_ms = Some(asked);
        }
        // Floor every wait: a `Retry-After` of 0 or a date in the past must not poll in a loop.
        let floor = settings.poll_interval_ms.min(super::MIN_POLL_WAIT_MS);
        self.asked_delay_ms.unwrap_or(settings.poll_interval_ms).max(floor)
    }

    fn next_poll(&mut self, settings: &ClientSettings, url: String, resp: &Response, now_ms: i64) -> LroStep {
        self.polls += 1;
        if self.polls > settings.max_polls {
            return LroStep::Failed(Error::new(
                ErrorCode::Timeout,
                format!("the operation did not finish after {} polls", settings.max_polls),
            ));
        }
        LroStep::Poll { url, delay_ms: self.poll_delay(settings, resp, now_ms) }
    }

    /// Takes the initial reply (already past retries).
    pub fn on_initial(&mut self, settings: &ClientSettings, resp: &Response, now_ms: i64) -> LroStep {
        if resp.status >= 300 {
            return LroStep::Failed(errors::from_response(resp, now_ms));
        }
        if resp.status == 204 {
            return LroStep::Finished(None);
        }
        if let Err(e) = trust_poll_urls(settings, resp) {
            return LroStep::Failed(e);
        }
        if let Some(url) = resp.header("azure-asyncoperation") {
            let location = resp.header("location").map(str::to_string);
            self.polling = Some(Polling::AsyncOperation { url: url.to_string(), location });
            return self.next_poll(settings, url.to_string(), resp, now_ms);
        }
        if let Some(url) = resp.header("location") {
            self.polling = Some(Polling::Location { url: url.to_string() });
            return self.next_poll(settings, url.to_string(), resp, now_ms);
        }
        match self.kind {
            LroKind::Put => self.on_resource_body(settings, resp, now_ms),
            LroKind::Delete if resp.status == 202 => {
                self.polling = Some(Polling::Resource);
                self.next_poll(settings, self.resource_url.clone(), resp, now_ms)
            }
            LroKind::Delete => LroStep::Finished(None),
            LroKind::Post if resp.status == 202 => LroStep::Failed(errors::invalid_response(
                resp,
                "202 reply",
                "it has neither Azure-AsyncOperation nor Location",
            )),
            LroKind::Post => LroStep::Finished(non_empty(&resp.body)),
        }
    }

    /// A resource body: done when its provisioningState is terminal (or absent).
    fn on_resource_body(&mut self, settings: &ClientSettings, resp: &Response, now_ms: i64) -> LroStep {
        let read = || -> std::result::Result<Option<String>, String> {
            let v = crate::read::parse(&resp.body).map_err(|e| e.to_string())?;
            let top = crate::read::obj(Some(&v), "the resource")?.ok_or("expected an object")?;
            let props = crate::read::obj_at(Some(top), "properties", "")?;
            Ok(crate::read::str_at(props, "provisioningState", "properties")?.map(str::to_string))
        };
        let status = match read() {
            Ok(s) => s,
            Err(e) => return LroStep::Failed(errors::invalid_response(resp, "resource", e)),
        };
        match status.as_deref().map(classify_status) {
            None | Some(OperationStatus::Succeeded) => LroStep::Finished(Some(resp.body.clone())),
            Some(OperationStatus::Failed(s)) => LroStep::Failed(errors::operation_failed(&s, None, resp)),
            Some(OperationStatus::Running(s)) => {
                self.last_status = Some(s);
                self.polling = Some(Polling::Resource);
                self.next_poll(settings, self.resource_url.clone(), resp, now_ms)
            }
        }
    }

    /// Takes a poll reply (already past retries).
    pub fn on_poll(&mut self, settings: &ClientSettings, resp: &Response, now_ms: i64) -> LroStep {
        let Some(polling) = self.polling.clone() else {
            return LroStep::Failed(Error::new(ErrorCode::InvalidArgument, "internal: poll without an operation"));
        };
        match polling {
            Polling::AsyncOperation { url, location } => {
                if resp.status != 200 {
                    return LroStep::Failed(errors::from_response(resp, now_ms));
                }
                let body = match OperationBody::read(&resp.body) {
                    Ok(b) => b,
                    Err(e) => return LroStep::Failed(errors::invalid_response(resp, "operation status", e)),
                };
                let Some(status) = body.status else {
                    return LroStep::Failed(errors::invalid_response(resp, "operation status", "it has no status"));
                };
                self.last_status = Some(status.clone());
                match classify_status(&status) {
                    OperationStatus::Running(_) => self.next_poll(settings, url, resp, now_ms),
                    OperationStatus::Failed(s) => LroStep::Failed(errors::operation_failed(&s, body.error, resp)),
                    OperationStatus::Succeeded => {
                        let output = body.output;
                        match self.kind {
                            LroKind::Delete => LroStep::Finished(None),
                            LroKind::Put => match output.filter(|o| o.trim_start().starts_with('{')) {
                                Some(o) => LroStep::Finished(Some(o)),
                                None => self.final_get(self.resource_url.clone()),
                            },
                            LroKind::Post => match (output, location) {
                                (Some(o), _) => LroStep::Finished(Some(o)),
                                (None, Some(l)) => self.final_get(l),
                                (None, None) => LroStep::Finished(None),
                            },
                        }
                    }
                }
            }
            Polling::Location { .. } => match resp.status {
                202 => {
                    let url = match resp.header("location") {
                        Some(l) => {
                            if let Err(e) = settings.endpoint.trust(l, "Location") {
                                return LroStep::Failed(e);
                            }
                            l.to_string()
                        }
                        None => match &self.polling {
                            Some(Polling::Location { url }) => url.clone(),
                            _ => self.resource_url.clone(),
                        },
                    };
                    self.polling = Some(Polling::Location { url: url.clone() });
                    self.next_poll(settings, url, resp, now_ms)
                }
                200 | 201 => match self.kind {
                    LroKind::Delete => LroStep::Finished(None),
                    LroKind::Put if resp.body.trim().is_empty() => self.final_get(self.resource_url.clone()),
                    _ => LroStep::Finished(non_empty(&resp.body)),
                },
                204 => LroStep::Finished(None),
                _ => LroStep::Failed(errors::from_response(resp, now_ms)),
            },
            Polling::Resource => match (self.kind, resp.status) {
                (LroKind::Delete, 404) => LroStep::Finished(None),
                (_, 200) => self.on_resource_body(settings, resp, now_ms),
                _ => LroStep::Failed(errors::from_response(resp, now_ms)),
            },
            Polling::FinalGet { .. } => match resp.status {
                200 => LroStep::Finished(non_empty(&resp.body)),
                _ => LroStep::Failed(errors::from_response(resp, now_ms)),
            },
        }
    }

    fn final_get(&mut self, url: String) -> LroStep {
        self.polling = Some(Polling::FinalGet { url: url.clone() });
        LroStep::Poll { url, delay_ms: 0 }
    }
}

fn non_empty(body: &str) -> Option<String> {
    if body.trim().is_empty() {
        None
    } else {
        Some(body.to_string())
    }
}
