//! The Blob service shell: `listPageRangeDiff` and `copyPageRanges` (SAS level), and the
//! [`Runner`] that drives a [`Machine`] of `src/blob` with several requests in flight.
//!
//! - Blob requests go through the same fetch-and-read core as ARM's ([`Fetcher::exchange`]),
//!   never with an `Authorization` header: the SAS in the URL is the credential.
//! - Each request is its own task (`spawn_local`): it waits its delay, is raced against its own
//!   [`RequestBounds`] (request timeout, and the run's stop signal), and pushes its outcome into
//!   the run's inbox, waking the driver. The driver feeds outcomes to the machine as they come.
//! - The run's stop signal is an `AbortController` linked to the caller's signal; when the run
//!   ends (done, failed or aborted) it is aborted, so requests still in flight end at once.
//! - The caller's `onCheckpoint` / `onProgress` are called with `then_call` (a throw only rejects
//!   a promise), awaited, and raced against the caller's signal and `requestTimeoutMs`.
//! - Every error leaving a call is scrubbed of every SAS signature the call held.

use super::client::{abort_signal, describe, OptionReader};
use super::convert::{absent, error_to_js, json_text, keys, options_copy, plain_copy, prop, then_call, to_js};
use super::transport::{aborted, now_ms, sleep, CallTrace, Exchange, Fetcher, Interrupted, RequestBounds};
use crate::arm::Failure;
use crate::blob::copy::{Checkpoint, Copier, CopyOptions};
use crate::blob::diff::{DiffListing, DiffOptions};
use crate::blob::sas::{scrub, SasUrl};
use crate::blob::{Machine, Method, Outcome, Poll, Request, RetrySettings, Send, DEFAULT_VERSION};
use crate::error::{Error, ErrorCode, Result};
use gloo_net::http::Method as GlooMethod;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, AbortSignal};

/// Largest Get Page Ranges body read (a 10,000-range page is about 1 MB).
const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// Sends one blob request within `signal` (the run's stop signal): no token, no body.
async fn send_blob(fetcher: &Fetcher, request: &Request, signal: &AbortSignal) -> Outcome {
    if signal.aborted() {
        return Err(Failure::Aborted);
    }
    let bounds = RequestBounds::new(fetcher.request_timeout_ms, Some(signal));
    let method = match request.method {
        Method::Head => GlooMethod::HEAD,
        Method::Get => GlooMethod::GET,
        Method::Put => GlooMethod::PUT,
    };
    // fetch sets Content-Length itself; an Authorization header never leaves (the core makes
    // none; this is defence in depth).
    let headers = request
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (*k, v.as_str()))
        .collect::<Vec<_>>();
    let exchange = Exchange { method, url: &request.url, auth: None, body: None };
    // The fetch error itself is not kept as a cause: it might quote the URL.
    let mut trace = CallTrace::default();
    fetcher
        .exchange(exchange, &headers, &bounds, &mut trace, &|| {
            Error::new(ErrorCode::InvalidResponse, "the blob service answered with a redirect, which is never followed")
        })
        .await
}

#[derive(Default)]
struct Inbox {
    done: VecDeque<(u64, Outcome)>,
    wake: Option<Function>,
}

/// What [`Runner::next`] stopped for.
pub(super) enum Step<T> {
    /// The machine's checkpoint: persist it, then call `next` again.
    Checkpoint(Box<Checkpoint>),
    /// Responses were fed to the machine (progress may have moved).
    Responded,
    /// The machine finished.
    Done(Result<T>),
}

/// Drives one machine: its requests as tasks, their outcomes through an inbox.
pub(super) struct Runner {
    fetcher: Rc<Fetcher>,
    stop: AbortController,
    caller: Option<AbortSignal>,
    on_abort: Option<Closure<dyn FnMut()>>,
    inbox: Rc<RefCell<Inbox>>,
    in_flight: usize,
}

impl Runner {
    pub(super) fn new(fetcher: Rc<Fetcher>, caller: Option<&AbortSignal>) -> Result<Runner> {
        let stop = AbortController::new()
            .map_err(|_| Error::new(ErrorCode::InvalidArgument, "this runtime has no AbortController"))?;
        let on_abort = caller.map(|sig| {
            let stop = stop.clone();
            let cb = Closure::<dyn FnMut()>::new(move || stop.abort());
            let _ = sig.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
            cb
        });
        if caller.is_some_and(AbortSignal::aborted) {
            stop.abort();
        }
        Ok(Runner { fetcher, stop, caller: caller.cloned(), on_abort, inbox: Default::default(), in_flight: 0 })
    }

    fn aborted(&self) -> bool {
        self.stop.signal().aborted()
    }

    fn spawn(&mut self, s: Send) {
        self.in_flight += 1;
        let fetcher = self.fetcher.clone();
        let signal = self.stop.signal();
        let inbox = self.inbox.clone();
        spawn_local(async move {
            let outcome = match sleep(s.delay_ms, Some(&signal)).await {
                Err(_) => Err(Failure::Aborted),
                Ok(()) => send_blob(&fetcher, &s.request, &signal).await,
            };
            let wake = {
                let mut i = inbox.borrow_mut();
                i.done.push_back((s.id, outcome));
                i.wake.take()
            };
            if let Some(w) = wake {
                let _ = w.call0(&JsValue::NULL);
            }
        });
    }

    fn pop(&mut self) -> Option<(u64, Outcome)> {
        let next = self.inbox.borrow_mut().done.pop_front();
        if next.is_some() {
            self.in_flight -= 1;
        }
        next
    }

    /// The next outcome (every task ends: each is bounded by its timeout and the stop signal).
    async fn wait_one(&mut self) -> Option<(u64, Outcome)> {
        loop {
            if let Some(d) = self.pop() {
                return Some(d);
            }
            if self.in_flight == 0 {
                return None;
            }
            let inbox = self.inbox.clone();
            let p = Promise::new(&mut |resolve: Function, _reject: Function| {
                inbox.borrow_mut().wake = Some(resolve);
            });
            let _ = JsFuture::from(p).await;
        }
    }

    /// Polls and feeds `m` until it checkpoints, takes responses or finishes.
    pub(super) async fn next<M: Machine>(&mut self, m: &mut M) -> Step<M::Output> {
        let mut held = Held { machine: m, output: None };
        match self.next_erased(&mut held).await {
            Step::Checkpoint(cp) => Step::Checkpoint(cp),
            Step::Responded => Step::Responded,
            Step::Done(r) => Step::Done(r.and_then(|()| {
                held.output.take().ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "internal: no output"))
            })),
        }
    }

    /// [`Runner::next`], once for every machine (its output kept aside by [`Held`]).
    async fn next_erased(&mut self, m: &mut dyn Machine<Output = ()>) -> Step<()> {
        // Each round sends or waits; a machine that does neither for this long is a bug.
        for _ in 0..10_000 {
            if self.aborted() {
                return Step::Done(Err(aborted()));
            }
            match m.poll(now_ms()) {
                Poll::Send(batch) => {
                    for s in batch {
                        self.spawn(s);
                    }
                }
                Poll::Checkpoint(cp) => return Step::Checkpoint(cp),
                Poll::Done(r) => return Step::Done(r),
                Poll::Wait => {
                    let Some((id, outcome)) = self.wait_one().await else {
                        return Step::Done(Err(Error::new(ErrorCode::InvalidArgument, "internal: nothing in flight")));
                    };
                    m.on_response(id, outcome, now_ms());
                    while let Some((id, outcome)) = self.pop() {
                        m.on_response(id, outcome, now_ms());
                    }
                    return Step::Responded;
                }
            }
        }
        Step::Done(Err(Error::new(ErrorCode::InvalidArgument, "internal: the machine did not settle")))
    }

    /// Runs `m` to its end, with no checkpoints wanted.
    pub(super) async fn run<M: Machine>(&mut self, m: &mut M) -> Result<M::Output> {
        loop {
            match self.next(m).await {
                Step::Done(r) => return r,
                Step::Checkpoint(_) | Step::Responded => {}
            }
        }
    }
}

/// A machine whose output is set aside, so that the driver's code exists once (not once per
/// machine type: it is the largest function of the facade).
struct Held<'a, M: Machine> {
    machine: &'a mut M,
    output: Option<M::Output>,
}

impl<M: Machine> Machine for Held<'_, M> {
    type Output = ();
    fn poll(&mut self, now_ms: i64) -> Poll<()> {
        match self.machine.poll(now_ms) {
            Poll::Send(b) => Poll::Send(b),
            Poll::Checkpoint(cp) => Poll::Checkpoint(cp),
            Poll::Wait => Poll::Wait,
            Poll::Done(r) => Poll::Done(r.map(|out| {
                self.output = Some(out);
            })),
        }
    }
    fn on_response(&mut self, id: u64, outcome: Outcome, now_ms: i64) {
        self.machine.on_response(id, outcome, now_ms)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        // The run is over: whatever is still in flight stops now.
        self.stop.abort();
        if let (Some(sig), Some(cb)) = (&self.caller, &self.on_abort) {
            let _ = sig.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}

/// Calls the caller's `f(value)` and awaits it, raced against `signal` and `timeout_ms`: a throw
/// or rejection is `INVALID_ARGUMENT` (field `field`) with the caller's error as `cause`.
pub(super) async fn call_back(
    f: &Function,
    value: &JsValue,
    field: &str,
    signal: Option<&AbortSignal>,
    timeout_ms: u64,
) -> std::result::Result<(), JsValue> {
    let bounds = RequestBounds::new(timeout_ms, signal);
    let called = then_call(&Promise::resolve(value), f);
    match bounds.wait(&called).await {
        Ok(_) => Ok(()),
        Err(Interrupted::Aborted) => Err(error_to_js(aborted())),
        Err(Interrupted::TimedOut) => Err(error_to_js(
            Error::new(ErrorCode::Timeout, format!("{field} did not settle within requestTimeoutMs")).with_field(field),
        )),
        Err(Interrupted::Threw(cause)) => {
            let js = error_to_js(Error::invalid_argument(
                field,
                format!("{field} threw or rejected; its error is this error's cause"),
            ));
            let _ = Reflect::set(&js, &JsValue::from_str("cause"), &cause);
            Err(js)
        }
    }
}

/// The JS error for `err`, scrubbed of every signature of `urls`.
pub(super) fn scrubbed(mut err: Error, urls: &[SasUrl]) -> JsValue {
    for u in urls {
        u.redact(&mut err);
    }
    err.message = scrub(&err.message);
    error_to_js(err)
}

/// The options every blob call shares.
pub(super) struct Common {
    pub fetcher: Rc<Fetcher>,
    pub signal: Option<AbortSignal>,
    pub version: String,
    pub retry: RetrySettings,
}

const COMMON_KEYS: [&str; 7] =
    ["signal", "fetch", "xMsVersion", "requestTimeoutMs", "maxRetries", "retryDelayMs", "maxRetryWaitMs"];

/// Reads the shared options and refuses keys outside `COMMON_KEYS` and `own`.
fn read_common(r: &mut OptionReader, own: &[&'static str], what: &str) -> Option<Common> {
    let known: Vec<&'static str> = COMMON_KEYS.iter().chain(own.iter()).copied().collect();
    for key in keys(r.options) {
        if !known.contains(&key.as_str()) {
            let shown: String = key.chars().take(64).collect();
            let hint =
                crate::rules::closest(&key, &known).map(|k| format!("; did you mean {k:?}?")).unwrap_or_default();
            r.violation(&shown, "options.unknown", format!("{shown:?} is not an option of {what}{hint}"));
        }
    }
    let signal = match abort_signal(r.value("signal"), "options.signal") {
        Ok(s) => s,
        Err(e) => {
            r.violation("signal", "options.type", e.message);
            None
        }
    };
    let fetch = r.function("fetch");
    let version = r.string("xMsVersion").unwrap_or_else(|| DEFAULT_VERSION.to_string());
    if let Err(e) = crate::blob::check_version(&version) {
        r.violation("xMsVersion", "xMsVersion.invalid", e.message);
    }
    let request_timeout_ms =
        r.whole("requestTimeoutMs", 1, 3_600_000).unwrap_or(crate::arm::DEFAULT_REQUEST_TIMEOUT_MS);
    let mut retry =
        RetrySettings { seed: (js_sys::Math::random() * (u32::MAX as f64)) as u64 | 1, ..Default::default() };
    if let Some(n) = r.whole("maxRetries", 0, 10) {
        retry.max_retries = n as u32;
    }
    if let Some(n) = r.whole("retryDelayMs", 0, 600_000) {
        retry.base_ms = n;
    }
    retry.max_wait_ms = r.whole("maxRetryWaitMs", 0, 3_600_000);
    let fetcher = Rc::new(Fetcher { fetch, request_timeout_ms, max_response_bytes: DEFAULT_MAX_BODY });
    Some(Common { fetcher, signal, version, retry })
}

/// A string option that is a SAS URL, parsed (for redaction) — `None` when absent.
fn url_option(r: &mut OptionReader, key: &str, required: bool) -> Option<String> {
    let v = r.value(key);
    if absent(&v) {
        if required {
            r.violation(key, "options.required", format!("{key} is required (a SAS URL)"));
        }
        return None;
    }
    match v.as_string() {
        Some(s) => Some(s),
        None => {
            r.violation(key, "options.type", format!("{key} must be a SAS URL string, got {}", describe(&v)));
            None
        }
    }
}

fn bool_option(r: &mut OptionReader, key: &str) -> Option<bool> {
    let v = r.value(key);
    if absent(&v) {
        return None;
    }
    let b = v.as_bool();
    if b.is_none() {
        r.violation(key, "options.type", format!("{key} must be a boolean, got {}", describe(&v)));
    }
    b
}

/// The signatures of whichever of `urls` parse, for scrubbing errors that may quote them.
fn secrets_of(urls: &[Option<&str>]) -> Vec<SasUrl> {
    urls.iter().flatten().filter_map(|u| SasUrl::parse(u, "url").ok()).collect()
}

fn reject(e: Error, urls: &[SasUrl]) -> Promise {
    Promise::reject(&scrubbed(e, urls))
}

/// `{ start, end }` (inclusive, whole numbers).
fn range_option(r: &mut OptionReader) -> Option<(u64, u64)> {
    let v = r.value("range");
    if absent(&v) {
        return None;
    }
    let bad = |r: &mut OptionReader| {
        r.violation("range", "options.type", "range must be { start, end }: whole byte offsets, end inclusive".into());
        None
    };
    if !v.is_object() {
        return bad(r);
    }
    let Ok(copy) = plain_copy(&v, "options.range") else {
        return bad(r);
    };
    let num = |k: &str| prop(Some(&copy), k).as_f64().filter(|n| n.is_finite() && n.fract() == 0.0 && *n >= 0.0);
    match (num("start"), num("end")) {
        (Some(a), Some(b)) if b < 9_007_199_254_740_992.0 => Some((a as u64, b as u64)),
        _ => bad(r),
    }
}

/// `listPageRangeDiff(url, { previousUrl?, range?, signal?, fetch?, xMsVersion?, … })`.
#[wasm_bindgen(js_name = listPageRangeDiff, skip_typescript)]
pub fn list_page_range_diff(url: JsValue, options: JsValue) -> Promise {
    let url_text = url.as_string();
    let copy = match options_copy(&options) {
        Ok(c) => c.unwrap_or_else(Object::new),
        Err(e) => return reject(e, &secrets_of(&[url_text.as_deref()])),
    };
    let mut r = OptionReader { options: &copy, violations: Vec::new() };
    let previous = url_option(&mut r, "previousUrl", false);
    let range = range_option(&mut r);
    let common = read_common(&mut r, &["previousUrl", "range"], "listPageRangeDiff");
    let urls = secrets_of(&[url_text.as_deref(), previous.as_deref()]);
    let Some(url_text) = url_text else {
        return reject(Error::invalid_argument("url", "url must be a SAS URL string"), &urls);
    };
    if let Err(e) = Error::from_violations(std::mem::take(&mut r.violations)) {
        return reject(e, &urls);
    }
    let Some(common) = common else {
        return reject(Error::invalid_argument("options", "options could not be read"), &urls);
    };
    let opts =
        DiffOptions { version: common.version.clone(), range, retry: common.retry.clone(), ..Default::default() };
    let mut listing = match DiffListing::new(&url_text, previous.as_deref(), opts) {
        Ok(l) => l,
        Err(e) => return reject(e, &urls),
    };
    super::convert::promise_of(async move {
        let mut runner = Runner::new(common.fetcher.clone(), common.signal.as_ref()).map_err(|e| scrubbed(e, &urls))?;
        let diff = runner.run(&mut listing).await.map_err(|e| scrubbed(e, &urls))?;
        to_js(&diff).map_err(error_to_js)
    })
}

const COPY_KEYS: [&str; 10] = [
    "sourceUrl",
    "previousUrl",
    "targetUrl",
    "snapshotTarget",
    "checkpoint",
    "onCheckpoint",
    "onProgress",
    "concurrency",
    "chunkBytes",
    "copyFooter",
];

/// `copyPageRanges({ sourceUrl, previousUrl?, targetUrl, snapshotTarget?, checkpoint?,
/// onCheckpoint?, onProgress?, concurrency?, signal?, fetch?, xMsVersion?, … })`.
#[wasm_bindgen(js_name = copyPageRanges, skip_typescript)]
pub fn copy_page_ranges(options: JsValue) -> Promise {
    let copy = match options_copy(&options) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return reject(
                Error::invalid_argument("options", "copyPageRanges({ sourceUrl, targetUrl }) needs options"),
                &[],
            )
        }
        Err(e) => return reject(e, &[]),
    };
    let mut r = OptionReader { options: &copy, violations: Vec::new() };
    let source = url_option(&mut r, "sourceUrl", true);
    let previous = url_option(&mut r, "previousUrl", false);
    let target = url_option(&mut r, "targetUrl", true);
    let urls = secrets_of(&[source.as_deref(), previous.as_deref(), target.as_deref()]);
    let snapshot_target = bool_option(&mut r, "snapshotTarget").unwrap_or(false);
    let copy_footer = bool_option(&mut r, "copyFooter").unwrap_or(true);
    let on_checkpoint = r.function("onCheckpoint");
    let on_progress = r.function("onProgress");
    let concurrency = r.whole("concurrency", 1, u64::from(crate::blob::copy::MAX_CONCURRENCY));
    let chunk_bytes = r.whole("chunkBytes", 512, crate::blob::MAX_UPDATE_BYTES);
    let checkpoint_value = r.value("checkpoint");
    let common = read_common(&mut r, &COPY_KEYS, "copyPageRanges");
    if let Err(e) = Error::from_violations(std::mem::take(&mut r.violations)) {
        return reject(e, &urls);
    }
    let (Some(source), Some(target), Some(common)) = (source, target, common) else {
        return reject(Error::invalid_argument("options", "sourceUrl and targetUrl are required"), &urls);
    };
    let checkpoint = if absent(&checkpoint_value) {
        None
    } else {
        match json_text(&checkpoint_value, "checkpoint", true).and_then(|t| Checkpoint::from_json(&t)) {
            Ok(cp) => Some(cp),
            Err(e) => return reject(e.with_field("checkpoint"), &urls),
        }
    };
    let mut opts = CopyOptions {
        diff: DiffOptions { version: common.version.clone(), retry: common.retry.clone(), ..Default::default() },
        snapshot_target,
        copy_footer,
        ..Default::default()
    };
    if let Some(n) = concurrency {
        opts.concurrency = n as u32;
    }
    if let Some(n) = chunk_bytes {
        opts.chunk_bytes = n;
    }
    let copier = match &checkpoint {
        Some(cp) => Copier::resume(&source, previous.as_deref(), &target, opts, cp),
        None => Copier::new(&source, previous.as_deref(), &target, opts),
    };
    let mut copier = match copier {
        Ok(c) => c,
        Err(e) => return reject(e, &urls),
    };
    super::convert::promise_of(async move {
        let hooks = Hooks {
            on_checkpoint,
            on_progress,
            signal: common.signal.clone(),
            timeout_ms: common.fetcher.request_timeout_ms,
        };
        let result = drive_copy(&mut copier, &common, &hooks, &urls, &to_js, &to_js).await?;
        to_js(&result).map_err(error_to_js)
    })
}

/// The caller's callbacks of a copy.
pub(super) struct Hooks {
    pub on_checkpoint: Option<Function>,
    pub on_progress: Option<Function>,
    pub signal: Option<AbortSignal>,
    pub timeout_ms: u64,
}

/// Runs a copy to its end (one copy of its code: the callbacks are `dyn`): each checkpoint (as `wrap` makes it) to `onCheckpoint`, awaited;
/// each change of progress to `onProgress`, awaited.
pub(super) async fn drive_copy(
    copier: &mut Copier,
    common: &Common,
    hooks: &Hooks,
    urls: &[SasUrl],
    wrap: &dyn Fn(&Checkpoint) -> Result<JsValue>,
    progress: &dyn Fn(&crate::blob::copy::CopyProgress) -> Result<JsValue>,
) -> std::result::Result<crate::blob::copy::CopyResult, JsValue> {
    let mut runner = Runner::new(common.fetcher.clone(), common.signal.as_ref()).map_err(|e| scrubbed(e, urls))?;
    let mut last = None;
    loop {
        let step = runner.next(copier).await;
        if let Some(f) = &hooks.on_progress {
            let now = copier.progress();
            if last != Some(now) {
                last = Some(now);
                let v = progress(&now).map_err(error_to_js)?;
                call_back(f, &v, "onProgress", hooks.signal.as_ref(), hooks.timeout_ms).await?;
            }
        }
        match step {
            Step::Done(r) => return r.map_err(|e| scrubbed(e, urls)),
            Step::Responded => {}
            Step::Checkpoint(cp) => {
                if let Some(f) = &hooks.on_checkpoint {
                    let v = wrap(&cp).map_err(error_to_js)?;
                    call_back(f, &v, "onCheckpoint", hooks.signal.as_ref(), hooks.timeout_ms).await?;
                }
            }
        }
    }
}
