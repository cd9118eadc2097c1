//! The fetch transport: sends the protocol's requests with gloo-net (or a `fetch` the caller
//! passed), waits with `setTimeout`, and drives an [`Operation`] to its end.
//!
//! Only globals that exist in pages, Node and workers are used (`fetch`, `setTimeout`,
//! `clearTimeout`, `Date.now`), never `window`.

use crate::arm::{Action, Endpoint, Failure, Input, Operation, Request, Response};
use crate::error::{Error, ErrorCode, Result};
use gloo_net::http::{Method as GlooMethod, RequestBuilder};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Milliseconds since the epoch, from the JS clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The caller's token: a string, or a function returning a string or a Promise of one.
#[derive(Clone)]
pub enum TokenSource {
    /// A fixed token.
    Fixed(String),
    /// Called before each request.
    Provider(Function),
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSource(<redacted>)")
    }
}

impl TokenSource {
    /// Reads the `token` option.
    pub fn from_js(value: &JsValue) -> Result<TokenSource> {
        if let Some(s) = value.as_string() {
            return check_token(s).map(TokenSource::Fixed);
        }
        if let Some(f) = value.dyn_ref::<Function>() {
            return Ok(TokenSource::Provider(f.clone()));
        }
        Err(Error::invalid_argument(
            "token",
            "token must be a string or a function returning one (or a Promise of one)",
        ))
    }

    async fn get(&self) -> Result<String> {
        match self {
            TokenSource::Fixed(t) => Ok(t.clone()),
            TokenSource::Provider(f) => {
                let fail =
                    |_| Error::new(ErrorCode::Unauthorized, "the token function threw or rejected").with_field("token");
                let mut value = f.call0(&JsValue::NULL).map_err(fail)?;
                if let Some(p) = value.dyn_ref::<Promise>() {
                    value = JsFuture::from(p.clone()).await.map_err(fail)?;
                }
                let s = value
                    .as_string()
                    .ok_or_else(|| Error::invalid_argument("token", "the token function must return a string"))?;
                check_token(s)
            }
        }
    }
}

fn check_token(token: String) -> Result<String> {
    let t = token.trim();
    let t = t.strip_prefix("Bearer ").unwrap_or(t).trim().to_string();
    if t.is_empty() || t.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::invalid_argument("token", "the token is empty or contains spaces or control characters"));
    }
    Ok(t)
}

/// How requests leave: the global `fetch` through gloo-net, or the caller's own `fetch`.
pub struct Transport {
    /// The only origin that sees the token.
    pub endpoint: Endpoint,
    /// The token.
    pub token: TokenSource,
    /// A custom `fetch(request)`.
    pub fetch: Option<Function>,
}

fn aborted() -> Error {
    Error::new(ErrorCode::Aborted, "the operation was aborted")
}

/// Waits `ms`, or less if `signal` aborts (then `ABORTED`).
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<()> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(aborted());
    }
    if ms == 0 {
        return Ok(());
    }
    let signal = signal.cloned();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_abort_holder: std::rc::Rc<std::cell::RefCell<Option<JsValue>>> = Default::default();
        let signal_for_timer = signal.clone();
        let holder_for_timer = on_abort_holder.clone();
        let on_timer = Closure::once_into_js(move || {
            if let (Some(sig), Some(cb)) = (&signal_for_timer, holder_for_timer.borrow_mut().take()) {
                let _ = sig.remove_event_listener_with_callback("abort", cb.unchecked_ref());
            }
            let _ = resolve.call0(&JsValue::NULL);
        });
        let timer = set_timeout(&on_timer, ms as f64);
        if let Some(sig) = &signal {
            let on_abort = Closure::once_into_js(move || {
                clear_timeout(&timer);
                let _ = reject.call0(&JsValue::NULL);
            });
            let _ = sig.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
            *on_abort_holder.borrow_mut() = Some(on_abort);
        }
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| aborted())
}

impl Transport {
    /// Sends one request; HTTP errors are responses, only transport trouble is a [`Failure`].
    pub async fn send(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
    ) -> std::result::Result<Response, Failure> {
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(Failure::Aborted);
        }
        // Defence in depth: the protocol only produces URLs on the endpoint, check once more
        // before the token is attached.
        if self.endpoint.trust(&request.url, "request").is_err() {
            return Err(Failure::Network("refused to send the token to another origin".into()));
        }
        let token = self.token.get().await.map_err(|e| Failure::Network(e.message))?;
        let method = match request.method {
            crate::arm::Method::Get => GlooMethod::GET,
            crate::arm::Method::Put => GlooMethod::PUT,
            crate::arm::Method::Patch => GlooMethod::PATCH,
            crate::arm::Method::Post => GlooMethod::POST,
            crate::arm::Method::Delete => GlooMethod::DELETE,
        };
        let mut builder = RequestBuilder::new(&request.url)
            .method(method)
            .header("Authorization", &format!("Bearer {token}"))
            .abort_signal(signal);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = match &request.body {
            Some(body) => builder.body(body.as_str()),
            None => builder.build(),
        }
        .map_err(|e| Failure::Network(format!("could not build the request: {e}")))?;
        let sent = match &self.fetch {
            None => built.send().await.map_err(|e| Failure::Network(e.to_string())),
            Some(fetch) => {
                let raw: web_sys::Request = built.into();
                let promise = fetch
                    .call1(&JsValue::NULL, &raw)
                    .map_err(|_| Failure::Network("the fetch function threw".into()))?;
                let value = match promise.dyn_ref::<Promise>() {
                    Some(p) => JsFuture::from(p.clone()).await.map_err(|e| Failure::Network(describe(&e)))?,
                    None => promise,
                };
                value
                    .dyn_into::<web_sys::Response>()
                    .map(gloo_net::http::Response::from)
                    .map_err(|_| Failure::Network("the fetch function did not return a Response".into()))
            }
        };
        let resp = match sent {
            Ok(r) => r,
            Err(f) if signal.is_some_and(AbortSignal::aborted) => {
                let _ = f;
                return Err(Failure::Aborted);
            }
            Err(f) => return Err(f),
        };
        let status = resp.status();
        let headers: Vec<(String, String)> = resp.headers().entries().collect();
        // Bytes, not text: one copy into wasm memory, no UTF-16 round trip for large pages.
        let body = match resp.binary().await {
            Ok(b) => String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(_) if signal.is_some_and(AbortSignal::aborted) => return Err(Failure::Aborted),
            Err(e) => return Err(Failure::Network(format!("the response body broke off: {e}"))),
        };
        Ok(Response { status, headers, body })
    }

    /// Runs `op` to its end, reporting progress to `on_progress`.
    pub async fn drive<O: Operation<Output = String>>(
        &self,
        mut op: O,
        signal: Option<&AbortSignal>,
        on_progress: Option<&Function>,
    ) -> Result<String> {
        let mut input = Input::Start;
        // Every operation bounds its own loop; this is a second, generous bound.
        for _ in 0..100_000 {
            let action = op.step(input, now_ms());
            if let (Some(cb), Some(p)) = (on_progress, op.take_progress()) {
                if let Ok(v) = super::convert::to_js(&p) {
                    let _ = cb.call1(&JsValue::NULL, &v);
                }
            }
            match action {
                Action::Done(r) => return r,
                Action::Send { request, delay_ms } => {
                    sleep(delay_ms, signal).await?;
                    input = match self.send(&request, signal).await {
                        Ok(r) => Input::Response(r),
                        Err(f) => Input::Failure(f),
                    };
                }
            }
        }
        Err(Error::new(ErrorCode::Timeout, "the operation did not end"))
    }
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into())
}
