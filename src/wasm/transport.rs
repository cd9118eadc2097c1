//! The fetch transport: sends the protocol's requests (built with gloo-net) through the global
//! `fetch` or the caller's own, waits with `setTimeout`, and drives an [`Operation`] to its end.
//!
//! Every JavaScript value this layer touches may be hostile (a custom `fetch`, its Response, a
//! token function, a thenable), so every access goes through an import that catches
//! (`Reflect.get`, `Function.prototype.call`, `Promise.resolve`) and every wait is raced against
//! a per-request "stop" promise that the request timeout or the caller's signal rejects: a call
//! always ends, with a typed error, and a JS exception never unwinds through wasm frames (which
//! would leak the wasm stack and eventually kill the instance).
//!
//! - Redirects are never followed (`redirect: "manual"`); the core turns a 3xx into
//!   `INVALID_RESPONSE`, and so does this layer for a browser's opaque redirect.
//! - Bodies are read chunk by chunk and refused past `maxResponseBytes`, before they reach wasm
//!   memory, so a gzip bomb costs at most the cap.
//! - The token goes only to the endpoint's origin (checked again here before it is attached), and
//!   every token a call used is scrubbed from its error in one place ([`Error::redact`]).
//!
//! Only globals that exist in pages, Node and workers are used (`fetch`, `setTimeout`,
//! `clearTimeout`, `Date.now`, `AbortController`), never `window`.

use super::convert::{absent, apply_f64, error_to_js, promise_resolve, prototype_getter, then_call, to_js};
use crate::arm::{Action, Endpoint, Failure, Input, Operation, Request, Response, WithDeadline};
use crate::error::{Error, ErrorCode, Result};
use gloo_net::http::{Method as GlooMethod, RequestBuilder};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestRedirect};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> std::result::Result<JsValue, JsValue>;
}

/// Milliseconds since the epoch, from the JS clock.
pub(super) fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The caller's token: a string, or a function returning a string or a Promise of one.
#[derive(Clone)]
pub enum TokenSource {
    /// A fixed token (already checked).
    Fixed(String),
    /// Called before each request.
    Provider(Function),
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSource(<redacted>)")
    }
}

/// Checks a token: printable ASCII only (what an `Authorization` header can carry and what
/// Entra ID issues). A leading `Bearer ` and surrounding ASCII whitespace are dropped; anything
/// else is refused, naming the character and its position (counted from 1).
fn check_token(token: &str) -> Result<String> {
    let t = token.trim_matches(|c: char| c.is_ascii_whitespace());
    let t = match t.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => t[7..].trim_start_matches(|c: char| c.is_ascii_whitespace()),
        _ => t,
    };
    if t.is_empty() {
        return Err(Error::invalid_argument("token", "the token is empty"));
    }
    let count = t.chars().count();
    if let Some((i, c)) = t.chars().enumerate().find(|(_, c)| !('!'..='~').contains(c)) {
        return Err(Error::invalid_argument(
            "token",
            format!(
                "the token contains {} at position {} of {count}; a token is printable ASCII only, so copy it again without that character",
                crate::rules::describe_char(c),
                i + 1
            ),
        ));
    }
    Ok(t.to_string())
}

impl TokenSource {
    /// Reads the `token` option.
    pub fn from_js(value: &JsValue) -> Result<TokenSource> {
        if let Some(s) = value.as_string() {
            return check_token(&s).map(TokenSource::Fixed);
        }
        if let Some(f) = value.dyn_ref::<Function>() {
            return Ok(TokenSource::Provider(f.clone()));
        }
        Err(Error::invalid_argument(
            "token",
            "token must be a string or a function returning one (or a Promise of one)",
        ))
    }
}

/// What a call's requests leave behind for its final error: every token used (scrubbed from
/// it) and the caller's own error (its `cause`), with the code of the failure it explains.
#[derive(Default)]
pub(super) struct CallTrace {
    tokens: Vec<String>,
    cause: Option<(ErrorCode, JsValue)>,
}

impl CallTrace {
    fn remember_token(&mut self, token: &str) {
        if !self.tokens.iter().any(|t| t == token) && self.tokens.len() < 16 {
            self.tokens.push(token.to_string());
        }
    }

    /// The JS error for `err`: scrubbed of every token, with `cause` when one explains it.
    fn into_js_error(self, mut err: Error) -> JsValue {
        for t in &self.tokens {
            err.redact(t);
        }
        let code = err.code;
        let js = error_to_js(err);
        if let Some((c, cause)) = self.cause {
            if c == code {
                let _ = Reflect::set(&js, &JsValue::from_str("cause"), &cause);
            }
        }
        js
    }
}

/// How requests leave, ARM's and the Blob service's alike: the global `fetch`, or the caller's
/// own `fetch`, with these bounds. It knows no token: [`Transport`] attaches ARM's.
pub struct Fetcher {
    /// A custom `fetch(request)`.
    pub fetch: Option<Function>,
    /// Longest time for one request, body included.
    pub request_timeout_ms: u64,
    /// Largest body read.
    pub max_response_bytes: u64,
}

/// ARM's transport: the [`Fetcher`] plus the token, attached only on the endpoint's origin.
pub struct Transport {
    /// The only origin that sees the token.
    pub endpoint: Endpoint,
    /// The token.
    pub token: TokenSource,
    /// How requests leave.
    pub fetcher: Fetcher,
    /// Longest time for one call.
    pub operation_timeout_ms: u64,
}

pub(super) fn aborted() -> Error {
    Error::new(ErrorCode::Aborted, "the operation was aborted")
}

/// Waits `ms`, or less if `signal` aborts (then `ABORTED`). The timer and the abort listener are
/// owned here and removed when the wait ends either way, so nothing is left behind.
pub(super) async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<()> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(aborted());
    }
    if ms == 0 {
        return Ok(());
    }
    let settle: Rc<RefCell<Option<(Function, Function)>>> = Default::default();
    let slot = settle.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        *slot.borrow_mut() = Some((resolve, reject));
    });
    let on_timer = {
        let settle = settle.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some((resolve, _)) = settle.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    };
    let timer = set_timeout(on_timer.as_ref(), ms.min(2_147_483_647) as f64);
    let on_abort = signal.map(|sig| {
        let settle = settle.clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            if let Some((_, reject)) = settle.borrow_mut().take() {
                let _ = reject.call0(&JsValue::NULL);
            }
        });
        let _ = sig.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        (sig, cb)
    });
    let outcome = JsFuture::from(promise).await;
    clear_timeout(&timer);
    if let Some((sig, cb)) = &on_abort {
        let _ = sig.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
    }
    drop(on_timer);
    drop(on_abort);
    outcome.map(|_| ()).map_err(|_| aborted())
}

/// Why a request's "stop" promise fired.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopped {
    No,
    TimedOut,
    Aborted,
}

/// One request's bounds: a controller whose signal goes to `fetch`, a timer, the caller's signal
/// linked in, and a promise that settles when either fires (raced against every wait, so a
/// `fetch` or a body that ignores its signal still cannot hang the call). The promise resolves
/// with a private sentinel rather than rejecting, so an unawaited stop is never an unhandled
/// rejection. Dropping the bounds clears the timer and unlinks the caller's signal.
pub(super) struct RequestBounds {
    controller: Option<AbortController>,
    stop: Promise,
    sentinel: JsValue,
    why: Rc<Cell<Stopped>>,
    timer: JsValue,
    _on_timer: Closure<dyn FnMut()>,
    caller_signal: Option<AbortSignal>,
    on_abort: Option<Closure<dyn FnMut()>>,
}

impl RequestBounds {
    pub(super) fn new(timeout_ms: u64, caller_signal: Option<&AbortSignal>) -> RequestBounds {
        let controller = AbortController::new().ok();
        let why = Rc::new(Cell::new(Stopped::No));
        let sentinel: JsValue = js_sys::Object::new().into();
        let resolve_slot: Rc<RefCell<Option<Function>>> = Default::default();
        let slot = resolve_slot.clone();
        let stop = Promise::new(&mut |resolve: Function, _reject: Function| {
            *slot.borrow_mut() = Some(resolve);
        });
        let fire = {
            let why = why.clone();
            let controller = controller.clone();
            let sentinel = sentinel.clone();
            move |reason: Stopped| {
                if why.get() != Stopped::No {
                    return;
                }
                why.set(reason);
                if let Some(c) = &controller {
                    c.abort();
                }
                if let Some(resolve) = resolve_slot.borrow_mut().take() {
                    let _ = resolve.call1(&JsValue::NULL, &sentinel);
                }
            }
        };
        let fire_timer = fire.clone();
        let on_timer = Closure::<dyn FnMut()>::new(move || fire_timer(Stopped::TimedOut));
        let timer = set_timeout(on_timer.as_ref(), timeout_ms.min(2_147_483_647) as f64);
        let on_abort = caller_signal.map(|sig| {
            let fire_abort = fire.clone();
            let cb = Closure::<dyn FnMut()>::new(move || fire_abort(Stopped::Aborted));
            let _ = sig.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
            cb
        });
        RequestBounds {
            controller,
            stop,
            sentinel,
            why,
            timer,
            _on_timer: on_timer,
            caller_signal: caller_signal.cloned(),
            on_abort,
        }
    }

    /// Awaits `value` (a promise, a thenable or a plain value) unless the request is stopped first.
    pub(super) async fn wait(&self, value: &JsValue) -> std::result::Result<JsValue, Interrupted> {
        let stopped = || match self.why.get() {
            Stopped::Aborted => Interrupted::Aborted,
            _ => Interrupted::TimedOut,
        };
        if self.why.get() != Stopped::No {
            return Err(stopped());
        }
        let promise = promise_resolve(value).map_err(Interrupted::Threw)?;
        let race = Promise::race(&js_sys::Array::of2(&promise, &self.stop));
        match JsFuture::from(race).await {
            Ok(v) if js_sys::Object::is(&v, &self.sentinel) => Err(stopped()),
            Ok(v) => Ok(v),
            Err(_) if self.why.get() != Stopped::No => Err(stopped()),
            Err(e) => Err(Interrupted::Threw(e)),
        }
    }

    fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

impl Drop for RequestBounds {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        // The request is over (its body read or refused): aborting its own signal now changes
        // nothing for it, and lets Node's fetch drop what it holds for a signal that might still
        // fire (about 1 KB a request otherwise, measured; see tests/node/soak.test.mjs).
        if let Some(c) = &self.controller {
            c.abort();
        }
        if let (Some(sig), Some(cb)) = (&self.caller_signal, &self.on_abort) {
            let _ = sig.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}

/// Why an awaited value did not arrive.
pub(super) enum Interrupted {
    TimedOut,
    Aborted,
    /// It rejected (or could not be awaited): the JS error.
    Threw(JsValue),
}

impl Interrupted {
    /// The request's failure: a timeout, an abort, or what `threw` makes of the JS error.
    fn into_failure(self, threw: impl FnOnce(JsValue) -> Failure) -> Failure {
        match self {
            Interrupted::TimedOut => Failure::Timeout,
            Interrupted::Aborted => Failure::Aborted,
            Interrupted::Threw(e) => threw(e),
        }
    }
}

fn message_of(e: &JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .and_then(|e| Reflect::get(e, &JsValue::from_str("message")).ok())
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into());
    text.chars().take(300).collect()
}

fn bad_response(what: &str) -> Failure {
    Failure::Fatal(Error::new(ErrorCode::InvalidResponse, format!("the response could not be read: {what}")))
}

/// `target[key]`, a getter or trap that throws caught.
fn reflect_get(target: &JsValue, key: &str) -> std::result::Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

/// `target.key` through the getter of the global class's own prototype (`Response.prototype`),
/// so a Proxy or a look-alike fails the runtime's brand check instead of answering for it.
/// Runtimes whose classes have no such accessor on the prototype (workerd) fall back to a
/// guarded plain read: `instanceof` was already checked.
fn brand_get(class: &str, key: &str, target: &JsValue) -> std::result::Result<JsValue, JsValue> {
    match prototype_getter(class, key) {
        Some(getter) => getter.call0(target),
        None => reflect_get(target, key),
    }
}

/// A Response's status through `Response.prototype`'s own getter (a number, so a throwing
/// getter costs nothing; see `convert`), or a plain read where the runtime has no such getter.
fn response_status(resp: &JsValue) -> Option<f64> {
    match prototype_getter("Response", "status") {
        Some(g) => apply_f64(&g, resp, &js_sys::Array::new()).ok(),
        None => reflect_get(resp, "status").ok()?.as_f64(),
    }
}

/// Ignores a promise's rejection (a cancelled body's), so it is never reported as unhandled.
fn ignore_rejection(p: &JsValue) {
    thread_local! {
        static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
    }
    if let Some(p) = p.dyn_ref::<Promise>() {
        IGNORE.with(|cb| {
            let _ = p.catch(cb);
        });
    }
}

/// Calls `target[method]()` with `this` = target, guarded.
fn call_method(target: &JsValue, method: &str) -> std::result::Result<JsValue, JsValue> {
    let f = reflect_get(target, method)?;
    let f = f.dyn_into::<Function>().map_err(|_| JsValue::from_str("not a function"))?;
    f.call0(target)
}

impl Transport {
    async fn token(&self, bounds: &RequestBounds, trace: &mut CallTrace) -> std::result::Result<String, Failure> {
        let token = match &self.token {
            TokenSource::Fixed(t) => t.clone(),
            TokenSource::Provider(f) => {
                let credential_failure = |trace: &mut CallTrace, e: JsValue| {
                    trace.cause = Some((ErrorCode::Unauthorized, e));
                    Failure::Fatal(
                        Error::new(
                            ErrorCode::Unauthorized,
                            "the token function threw or rejected; its error is this error's cause",
                        )
                        .with_field("token"),
                    )
                };
                let value = then_call(&Promise::resolve(&JsValue::UNDEFINED), f);
                let value = bounds.wait(&value).await.map_err(|i| i.into_failure(|e| credential_failure(trace, e)))?;
                let Some(s) = value.as_string() else {
                    return Err(Failure::Fatal(Error::invalid_argument(
                        "token",
                        "the token function must return a string (or a Promise of one)",
                    )));
                };
                check_token(&s).map_err(Failure::Fatal)?
            }
        };
        trace.remember_token(&token);
        Ok(token)
    }

    /// Sends one request; HTTP errors are responses, only transport trouble is a [`Failure`].
    async fn send(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
        trace: &mut CallTrace,
    ) -> std::result::Result<Response, Failure> {
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(Failure::Aborted);
        }
        // Defence in depth: the protocol only produces URLs on the endpoint; check once more
        // before the token is attached.
        self.endpoint.trust(&request.url, "request").map_err(Failure::Fatal)?;
        let bounds = RequestBounds::new(self.fetcher.request_timeout_ms, signal);
        let token = self.token(&bounds, trace).await?;
        let method = match request.method {
            crate::arm::Method::Get => GlooMethod::GET,
            crate::arm::Method::Put => GlooMethod::PUT,
            crate::arm::Method::Post => GlooMethod::POST,
            crate::arm::Method::Delete => GlooMethod::DELETE,
        };
        let auth = format!("Bearer {token}");
        let exchange = Exchange { method, url: &request.url, auth: Some(&auth), body: request.body.as_deref() };
        let redirected = || crate::arm::lro::redirected(request, None);
        self.fetcher.exchange(exchange, &request.headers, &bounds, trace, &redirected).await
    }
}

/// One request for [`Fetcher::exchange`].
pub(super) struct Exchange<'a> {
    pub method: GlooMethod,
    pub url: &'a str,
    /// The `Authorization` value (ARM only).
    pub auth: Option<&'a str>,
    pub body: Option<&'a str>,
}

impl Fetcher {
    /// Fetches and reads one request within `bounds`: the one core ARM and Blob sends share.
    /// Not generic (the headers a slice, `redirected` a `dyn`): one copy for ARM and Blob.
    pub(super) async fn exchange(
        &self,
        ex: Exchange<'_>,
        headers: &[(&str, &str)],
        bounds: &RequestBounds,
        trace: &mut CallTrace,
        redirected: &dyn Fn() -> Error,
    ) -> std::result::Result<Response, Failure> {
        let own_signal = bounds.signal();
        let is_head = ex.method == GlooMethod::HEAD;
        let mut builder = RequestBuilder::new(ex.url)
            .method(ex.method)
            .redirect(RequestRedirect::Manual)
            .abort_signal(own_signal.as_ref());
        if let Some(auth) = ex.auth {
            builder = builder.header("Authorization", auth);
        }
        for &(name, value) in headers {
            builder = builder.header(name, value);
        }
        let built = match ex.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|_| Failure::Fatal(Error::new(ErrorCode::InvalidArgument, "the request could not be built")))?;
        let raw: web_sys::Request = built.into();
        let network = |trace: &mut CallTrace, e: JsValue| {
            let msg = message_of(&e);
            trace.cause = Some((ErrorCode::Network, e));
            Failure::Network(msg)
        };
        let started = match &self.fetch {
            None => match global_fetch(&raw) {
                Ok(p) => p,
                Err(e) => return Err(network(trace, e)),
            },
            // The caller's fetch runs as `then`'s callback: if it throws, the promise rejects.
            Some(fetch) => {
                let request: &JsValue = raw.as_ref();
                then_call(&Promise::resolve(request), fetch).into()
            }
        };
        let value = bounds.wait(&started).await.map_err(|i| i.into_failure(|e| network(trace, e)))?;
        let Some(resp) = value.dyn_ref::<web_sys::Response>() else {
            return Err(bad_response("fetch did not give a Response"));
        };
        // The brand check: the real `status` getter, which throws for a Proxy or a look-alike.
        // Only a genuine Response gets past it, so the reads after it cannot throw.
        let status = response_status(resp).ok_or_else(|| bad_response("it is not a genuine Response"))?;
        let kind = brand_get("Response", "type", resp).ok().and_then(|t| t.as_string()).unwrap_or_default();
        if kind == "opaqueredirect" {
            return Err(Failure::Fatal(redirected()));
        }
        if !(100.0..=599.0).contains(&status) {
            return Err(bad_response(&format!("status {}", crate::read::display_f64(status))));
        }
        let status = status as u16;
        let headers = read_headers(resp).ok_or_else(|| bad_response("its headers"))?;
        if (300..400).contains(&status) {
            // Not read: the core refuses it whatever it says.
            cancel_body(resp);
            return Ok(Response { status, headers, body: String::new() });
        }
        let declared = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        // A HEAD's Content-Length is the blob's, not a body's.
        if !is_head && declared.is_some_and(|n| n > self.max_response_bytes) {
            cancel_body(resp);
            return Err(self.too_large());
        }
        let body = self.read_body(resp, bounds).await?;
        let body = String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(Response { status, headers, body })
    }

    fn too_large(&self) -> Failure {
        Failure::Fatal(Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "the response is larger than maxResponseBytes ({} bytes); it was not read",
                self.max_response_bytes
            ),
        ))
    }

    /// The body's bytes, chunk by chunk, refused past the cap before it reaches wasm memory.
    async fn read_body(
        &self,
        resp: &web_sys::Response,
        bounds: &RequestBounds,
    ) -> std::result::Result<Vec<u8>, Failure> {
        let stream = brand_get("Response", "body", resp).map_err(|_| bad_response("its body"))?;
        if absent(&stream) {
            return Ok(Vec::new());
        }
        let reader = call_method(&stream, "getReader").map_err(|_| bad_response("its body"))?;
        let interrupted = |i: Interrupted| {
            i.into_failure(|e| Failure::Network(format!("the response body broke off: {}", message_of(&e))))
        };
        let mut chunks: Vec<Uint8Array> = Vec::new();
        let mut total: u64 = 0;
        loop {
            let next = call_method(&reader, "read").map_err(|_| bad_response("its body"))?;
            let item = bounds.wait(&next).await.map_err(interrupted)?;
            let done = reflect_get(&item, "done").map_err(|_| bad_response("its body"))?;
            if done.is_truthy() {
                break;
            }
            let value = reflect_get(&item, "value").map_err(|_| bad_response("its body"))?;
            let chunk = value.dyn_into::<Uint8Array>().map_err(|_| bad_response("a body chunk is not bytes"))?;
            total += u64::from(chunk.length());
            if total > self.max_response_bytes {
                if let Ok(p) = call_method(&reader, "cancel") {
                    ignore_rejection(&p);
                }
                return Err(self.too_large());
            }
            chunks.push(chunk);
        }
        let mut body = vec![0u8; total as usize];
        let mut at = 0usize;
        for c in chunks {
            let n = c.length() as usize;
            c.copy_to(&mut body[at..at + n]);
            at += n;
        }
        Ok(body)
    }
}

impl Transport {
    /// Runs `op` to its end (bounded by the call's deadline), reporting progress to
    /// `on_progress`; a failure comes back as the JS error, scrubbed of every token used.
    pub async fn drive<O: Operation<Output = String>>(
        &self,
        op: O,
        signal: Option<&AbortSignal>,
        on_progress: Option<&Function>,
    ) -> std::result::Result<String, JsValue> {
        let mut op = WithDeadline::new(op, self.operation_timeout_ms);
        let mut trace = CallTrace::default();
        let mut input = Input::Start;
        // Every operation bounds its own loop; this is a second, generous bound.
        for _ in 0..100_000 {
            let action = op.step(input, now_ms());
            if let (Some(cb), Some(p)) = (on_progress, op.take_progress()) {
                if let Ok(v) = to_js(&p) {
                    // Reported as `then`'s callback: one that throws changes nothing here.
                    ignore_rejection(&then_call(&Promise::resolve(&v), cb).into());
                }
            }
            match action {
                Action::Done(Ok(text)) => return Ok(text),
                Action::Done(Err(e)) => return Err(trace.into_js_error(e)),
                Action::Send { request, delay_ms } => {
                    if let Err(e) = sleep(delay_ms, signal).await {
                        return Err(trace.into_js_error(e));
                    }
                    input = match self.send(&request, signal, &mut trace).await {
                        Ok(r) => Input::Response(r),
                        Err(f) => Input::Failure(f),
                    };
                }
            }
        }
        Err(trace.into_js_error(Error::new(ErrorCode::Timeout, "the operation did not end")))
    }
}

/// The headers of a Response as (name, value) pairs, or `None` when they cannot be read.
fn read_headers(resp: &web_sys::Response) -> Option<Vec<(String, String)>> {
    let headers = brand_get("Response", "headers", resp).ok()?;
    let iter = js_sys::try_iter(&headers).ok()??;
    let mut out = Vec::new();
    for entry in iter.take(1000) {
        let entry = entry.ok()?;
        let k = Reflect::get_u32(&entry, 0).ok()?.as_string()?;
        let v = Reflect::get_u32(&entry, 1).ok()?.as_string()?;
        out.push((k, v));
    }
    Some(out)
}

/// Lets go of a body that will not be read (so the connection is not held).
fn cancel_body(resp: &web_sys::Response) {
    if let Ok(stream) = brand_get("Response", "body", resp) {
        if stream.is_object() {
            if let Ok(p) = call_method(&stream, "cancel") {
                ignore_rejection(&p);
            }
        }
    }
}
