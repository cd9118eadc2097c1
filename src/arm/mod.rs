//! The ARM protocol, sans I/O.
//!
//! Every client call is an [`Operation`]: a state machine that is fed [`Input`]s (the start, then
//! each response or transport failure, with the current time) and answers with an [`Action`]:
//! "send this request after waiting this long", or "done". The shell (the wasm `ArmClient` over
//! `fetch`, or a scripted test driver) does the waiting and the sending; nothing here does I/O,
//! reads a clock or draws randomness (jitter comes from a seeded generator).
//!
//! Architecture invariants:
//! - the bearer token never enters this module: the shell adds `Authorization` to requests, so
//!   no error, log or `Debug` output of the protocol can contain it;
//! - every URL a request goes to is on the endpoint's origin: `nextLink`, `Location` and
//!   `Azure-AsyncOperation` URLs elsewhere are refused with `UNTRUSTED_URL` ([`Endpoint::trust`]);
//! - every loop (retries, polls, pages) is bounded.

pub mod errors;
pub mod lro;
pub mod ops;
pub mod paging;
pub mod retry;

use crate::error::{Error, ErrorCode, Result};

/// HTTP methods ARM calls use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A request for the shell to send. The shell adds `Authorization: Bearer …` and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Absolute URL on the endpoint's origin.
    pub url: String,
    /// Headers to send (besides `Authorization`).
    pub headers: Vec<(&'static str, &'static str)>,
    /// JSON body.
    pub body: Option<String>,
}

impl Request {
    /// A request with ARM's usual headers: `Accept: application/json`, and
    /// `Content-Type: application/json` for writes.
    pub fn new(method: Method, url: String, body: Option<String>) -> Request {
        let mut headers = vec![("Accept", "application/json")];
        if body.is_some() || method == Method::Post {
            headers.push(("Content-Type", "application/json"));
        }
        Request { method, url, headers, body }
    }
}

/// A response as the shell received it. Header names are matched ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers (name, value).
    pub headers: Vec<(String, String)>,
    /// The whole body as text (empty when none).
    pub body: String,
}

impl Response {
    /// The first header named `name`, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What went wrong below HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request could not be sent or the connection broke (retryable, like a 503).
    Network(String),
    /// No complete answer within the request timeout (retryable like `Network`; `TIMEOUT` at the end).
    Timeout,
    /// The caller aborted.
    Aborted,
    /// The shell's own verdict, final and never retried: the token function failed, the body was
    /// over the size limit, a custom `fetch` returned something that is not a Response, the
    /// runtime followed or reported a redirect, a URL was refused before the token was attached.
    Fatal(Error),
}

/// What the shell feeds an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Begin.
    Start,
    /// The response to the last request.
    Response(Response),
    /// The last request failed below HTTP.
    Failure(Failure),
}

/// What an operation asks of the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<T> {
    /// Wait `delay_ms`, then send `request` and feed back what happens.
    Send {
        /// The request.
        request: Request,
        /// Milliseconds to wait first (0: now).
        delay_ms: u64,
    },
    /// Finished.
    Done(Result<T>),
}

/// Progress of a long-running operation, for `onProgress`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// `"checking"`, `"submitting"`, `"provisioning"`, `"copying"`, `"deleting"`, `"done"`.
    pub phase: &'static str,
    /// The operation status ARM reported (`InProgress`, `Succeeded`, ...), when one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `completionPercent` of the snapshot, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<f64>,
    /// The snapshot or resource id concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A protocol state machine.
pub trait Operation {
    /// What it produces.
    type Output;
    /// Takes the next input at time `now_ms` (ms since the epoch) and says what to do.
    fn step(&mut self, input: Input, now_ms: i64) -> Action<Self::Output>;
    /// Progress since the last call, if any (drained by the shell after each step).
    fn take_progress(&mut self) -> Option<Progress> {
        None
    }
}

/// Default `requestTimeoutMs`: 2 minutes for one request and its body.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 120_000;
/// Default `operationTimeoutMs`: 24 hours for one call (a cross-region CopyStart of a large disk
/// takes hours; nothing ARM does takes days).
pub const DEFAULT_OPERATION_TIMEOUT_MS: u64 = 24 * 3600 * 1000;
/// Default `maxResponseBytes`: 16 MiB (a page of 1,000 snapshots is about 1 MB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// The shortest wait between two polls of one operation, whatever `Retry-After` says (a date in
/// the past, `0`), unless the caller's own `pollIntervalMs` is shorter.
pub const MIN_POLL_WAIT_MS: u64 = 1000;

/// Bounds an operation's total time: every wait it asks for must end before `limit_ms` after its
/// start, else it ends with `TIMEOUT` (without sending anything more).
pub struct WithDeadline<O> {
    inner: O,
    limit_ms: u64,
    deadline_ms: Option<i64>,
}

impl<O> WithDeadline<O> {
    /// `inner`, allowed `limit_ms` from its first step.
    pub fn new(inner: O, limit_ms: u64) -> WithDeadline<O> {
        WithDeadline { inner, limit_ms, deadline_ms: None }
    }

    fn timeout(&self) -> Error {
        Error::new(
            ErrorCode::Timeout,
            format!("the operation did not finish within {} ms (operationTimeoutMs)", self.limit_ms),
        )
    }
}

impl<O: Operation> Operation for WithDeadline<O> {
    type Output = O::Output;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<O::Output> {
        let deadline =
            *self.deadline_ms.get_or_insert(now_ms.saturating_add(self.limit_ms.min(i64::MAX as u64) as i64));
        if now_ms > deadline {
            return Action::Done(Err(self.timeout()));
        }
        match self.inner.step(input, now_ms) {
            Action::Send { delay_ms, .. } if now_ms.saturating_add(delay_ms.min(i64::MAX as u64) as i64) > deadline => {
                Action::Done(Err(self.timeout()))
            }
            other => other,
        }
    }
    fn take_progress(&mut self) -> Option<Progress> {
        self.inner.take_progress()
    }
}

/// Settings shared by all operations of a client.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Where ARM is.
    pub endpoint: Endpoint,
    /// Compute (disks/snapshots) api-version.
    pub api_version: String,
    /// Retries after the first attempt (default 3, like Azure's SDKs).
    pub max_retries: u32,
    /// First retry delay without `Retry-After`, doubled each time, with ±25% jitter.
    pub retry_base_ms: u64,
    /// Longest retry delay without `Retry-After`.
    pub retry_max_ms: u64,
    /// Poll interval when ARM sends no `Retry-After` (2 s, like core-lro).
    pub poll_interval_ms: u64,
    /// Interval between reads while waiting for `completionPercent` 100.
    pub completion_poll_ms: u64,
    /// Longest `Retry-After` the client waits out; a reply asking for more is returned as the
    /// error it is (e.g. `THROTTLED` with `retryAfterMs`) so the caller can pass it on. `None`:
    /// wait as long as asked, like Azure's SDKs.
    pub max_retry_wait_ms: Option<u64>,
    /// Upper bound on polls of one operation.
    pub max_polls: u32,
    /// Upper bound on pages of one listing.
    pub max_pages: u32,
    /// Longest time one request may take, answer and body included (`requestTimeoutMs`).
    pub request_timeout_ms: u64,
    /// Longest time one client call may take, every request, retry and poll included
    /// (`operationTimeoutMs`).
    pub operation_timeout_ms: u64,
    /// Largest response body read; a longer one is `INVALID_RESPONSE` (`maxResponseBytes`).
    pub max_response_bytes: u64,
    /// Seed of the jitter generator.
    pub seed: u64,
}

impl ClientSettings {
    /// Defaults for `endpoint`.
    pub fn new(endpoint: Endpoint) -> ClientSettings {
        ClientSettings {
            endpoint,
            api_version: crate::api_version::DEFAULT_API_VERSION.to_string(),
            max_retries: 3,
            retry_base_ms: 1000,
            retry_max_ms: 64_000,
            poll_interval_ms: 2000,
            completion_poll_ms: 5000,
            max_retry_wait_ms: None,
            max_polls: 2000,
            max_pages: 10_000,
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT_MS,
            operation_timeout_ms: DEFAULT_OPERATION_TIMEOUT_MS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            seed: 0x5eed,
        }
    }
}

/// An ARM endpoint: the origin every request goes to, and the only one that sees the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]`, lower-case, no trailing slash.
    origin: String,
}

/// The Azure clouds and their ARM endpoints.
pub const CLOUDS: [(&str, &str); 3] = [
    ("AzureCloud", "https://management.azure.com"),
    ("AzureUSGovernment", "https://management.usgovcloudapi.net"),
    ("AzureChinaCloud", "https://management.chinacloudapi.cn"),
];

/// The parts of an absolute URL's origin.
fn origin_of(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return None;
    }
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (format!("[{}]", h.to_ascii_lowercase()), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), p.parse().ok()?),
            None => (authority.to_ascii_lowercase(), default_port),
        }
    };
    if host.is_empty() || host.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
        return None;
    }
    Some((scheme, host, port))
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl Endpoint {
    /// Validates an endpoint: `https://…`, or `http://` on a loopback host for local use.
    pub fn parse(url: &str) -> Result<Endpoint> {
        let trimmed = url.trim_end_matches('/');
        let (scheme, host, port) = origin_of(trimmed).ok_or_else(|| {
            Error::new(ErrorCode::InvalidArgument, format!("endpoint {trimmed:?} is not an absolute http(s) URL"))
                .with_field("endpoint")
        })?;
        let path = &trimmed[trimmed.find("://").map_or(0, |i| i + 3)..];
        if path.contains(['/', '?', '#']) {
            return Err(Error::invalid_argument(
                "endpoint",
                "the endpoint is an origin only, e.g. https://management.azure.com",
            ));
        }
        if scheme == "http" && !is_loopback(&host) {
            return Err(Error::new(
                ErrorCode::UntrustedUrl,
                format!("refusing to send a token over plain http to {host}; use https (http is only for 127.0.0.1, localhost, [::1])"),
            )
            .with_field("endpoint"));
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        let origin =
            if port == default_port { format!("{scheme}://{host}") } else { format!("{scheme}://{host}:{port}") };
        Ok(Endpoint { origin })
    }

    /// The endpoint of a named cloud.
    pub fn for_cloud(cloud: &str) -> Result<Endpoint> {
        let url =
            CLOUDS.iter().find(|(name, _)| name.eq_ignore_ascii_case(cloud)).map(|(_, url)| *url).ok_or_else(|| {
                Error::invalid_argument(
                    "cloud",
                    format!("unknown cloud {cloud:?}; use AzureCloud, AzureUSGovernment or AzureChinaCloud"),
                )
            })?;
        Endpoint::parse(url)
    }

    /// The origin, e.g. `https://management.azure.com`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Accepts `url` only when it is absolute and on this endpoint's origin.
    pub fn trust(&self, url: &str, what: &str) -> Result<()> {
        let ok = origin_of(url).is_some_and(|(scheme, host, port)| {
            let default_port = if scheme == "https" { 443 } else { 80 };
            let origin =
                if port == default_port { format!("{scheme}://{host}") } else { format!("{scheme}://{host}:{port}") };
            origin == self.origin
        });
        if ok {
            Ok(())
        } else {
            let shown: String = url.chars().take(200).collect();
            Err(Error::new(
                ErrorCode::UntrustedUrl,
                format!("ARM returned a {what} URL on another origin ({shown}); refusing to send the token there"),
            ))
        }
    }

    /// `origin + path + ?api-version=…`, with the path's non-URL-safe characters encoded.
    pub fn url(&self, path: &str, api_version: &str) -> String {
        format!("{}{}?api-version={}", self.origin, encode_path(path), api_version)
    }
}

/// Percent-encodes a path's characters outside RFC 3986's unreserved set and `/ ( ) : @ ! $ * + , ;`.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/()!$*+,;:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert_eq!(Endpoint::parse("https://management.azure.com/").unwrap().origin(), "https://management.azure.com");
        assert_eq!(Endpoint::parse("http://127.0.0.1:8090").unwrap().origin(), "http://127.0.0.1:8090");
        assert!(Endpoint::parse("http://[::1]:80").is_ok());
        assert!(Endpoint::parse("http://localhost:1").is_ok());
        assert_eq!(Endpoint::parse("http://example.com").unwrap_err().code, ErrorCode::UntrustedUrl);
        assert_eq!(Endpoint::parse("http://127.0.0.1.evil.com").unwrap_err().code, ErrorCode::UntrustedUrl);
        for bad in ["ftp://x", "management.azure.com", "https://", "https://a/b", "https://user@host"] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Endpoint::for_cloud("azurechinacloud").unwrap().origin(), "https://management.chinacloudapi.cn");
    }

    #[test]
    fn trust_is_same_origin_only() {
        let e = Endpoint::parse("https://management.azure.com").unwrap();
        assert!(e.trust("https://MANAGEMENT.azure.com:443/subscriptions?x", "nextLink").is_ok());
        for bad in [
            "https://management.azure.com.evil.com/x",
            "https://evil.com/https://management.azure.com",
            "http://management.azure.com/x",
            "https://management.azure.com@evil.com/x",
            "https://management.azure.com:444/x",
            "/relative",
            "",
        ] {
            assert_eq!(e.trust(bad, "nextLink").unwrap_err().code, ErrorCode::UntrustedUrl, "{bad}");
        }
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(
            encode_path("/subscriptions/x/resourceGroups/rg(1)-é"),
            "/subscriptions/x/resourceGroups/rg(1)-%C3%A9"
        );
    }
}
