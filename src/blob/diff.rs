//! `listPageRangeDiff`: the pages of a snapshot that changed since an older snapshot of the same
//! page blob (or every valid page, without one).
//!
//! Requests, one at a time: `HEAD <url>` (its `Content-Length` is the blob's length), then for
//! each window `[a, b]` of `window_bytes` (from the range's start, or 0): `GET <url>&comp=pagelist`
//! with `x-ms-version`, `x-ms-range: bytes=a-b` and, with an older snapshot,
//! `x-ms-previous-snapshot-url: <older SAS URL>`; while the reply has a non-empty `NextMarker`,
//! the same window again with `&marker=<it>`. Ranges must be 512-aligned and within the length
//! (else `INVALID_RESPONSE`); each is clipped to its window; across windows and pages they must
//! come in offset order without overlap; adjacent ones of a kind are merged.

use super::extents::{Extent, ExtentList};
use super::sas::{percent_encode, SasUrl};
use super::{check_version, error_from_response, invalid_response, range_header, Dispatcher, Machine, Method};
use super::{Outcome, Poll, Request, Response, RetrySettings, DEFAULT_VERSION, DEFAULT_WINDOW_BYTES, PAGE};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;

/// The most windows a listing cuts a blob (or the asked range) into; `NextMarker` pages a window
/// whose answer is large.
pub const MAX_WINDOWS: u64 = 64;

/// Options of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// `x-ms-version` (default [`DEFAULT_VERSION`], at least [`super::MIN_VERSION`]).
    pub version: String,
    /// Only this byte range, inclusive, 512-aligned (`start % 512 == 0`, `end % 512 == 511`).
    pub range: Option<(u64, u64)>,
    /// Bytes per Get Page Ranges request at the least (a multiple of 512; default 1 GiB). A
    /// longer blob gets wider windows, whole multiples of this, so that it takes at most
    /// [`MAX_WINDOWS`] of them (a 512 GiB disk: 64 windows of 8 GiB, not 512 of 1 GiB).
    pub window_bytes: u64,
    /// Most pages (`NextMarker` continuations included) of one window (default 1000); more is
    /// `TIMEOUT`.
    pub max_pages_per_window: u32,
    /// Most extents kept after merging (default 1,000,000); more is `INVALID_RESPONSE`.
    pub max_extents: usize,
    /// Retries.
    pub retry: RetrySettings,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            version: DEFAULT_VERSION.to_string(),
            range: None,
            window_bytes: DEFAULT_WINDOW_BYTES,
            max_pages_per_window: 1000,
            max_extents: 1_000_000,
            retry: RetrySettings::default(),
        }
    }
}

impl DiffOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        check_version(&self.version)?;
        if self.window_bytes == 0 || self.window_bytes % PAGE != 0 {
            return Err(Error::invalid_argument("windowBytes", "windowBytes must be a positive multiple of 512"));
        }
        if let Some((a, b)) = self.range {
            if a % PAGE != 0 || b % PAGE != PAGE - 1 || a > b {
                return Err(Error::invalid_argument(
                    "range",
                    format!("range {a}-{b} must start at a multiple of 512 and end one byte before one"),
                ));
            }
        }
        if self.max_pages_per_window == 0 || self.max_extents == 0 {
            return Err(Error::invalid_argument("maxPagesPerWindow", "the limits must be positive"));
        }
        Ok(())
    }
}

/// One range of the result (`end` inclusive, as the service writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageRange {
    /// First byte.
    pub start: u64,
    /// Last byte, inclusive.
    pub end: u64,
    /// Cleared since the older snapshot.
    pub cleared: bool,
}

/// The result of `listPageRangeDiff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRangeDiff {
    /// The newer snapshot's length in bytes.
    pub content_length: u64,
    /// Sorted, non-overlapping, adjacent ones of a kind merged.
    pub ranges: Vec<PageRange>,
}

/// Checks `newer` and `older` are snapshots of one page blob (origin and path).
pub fn check_same_blob(newer: &SasUrl, older: Option<&SasUrl>, older_field: &str) -> Result<()> {
    if let Some(older) = older {
        if !newer.same_blob(older) {
            return Err(Error::invalid_argument(
                older_field,
                format!(
                    "{older_field} names {} but the newer snapshot is of {}: a diff needs two snapshots of the same page blob",
                    older.identity().display(),
                    newer.identity().display()
                ),
            ));
        }
    }
    Ok(())
}

/// The listing logic, shared by [`DiffListing`] and the copier: no dispatching of its own.
#[derive(Debug, Clone)]
pub(crate) struct Planner {
    url: SasUrl,
    previous: Option<SasUrl>,
    opts: DiffOptions,
    length: Option<u64>,
    window_start: u64,
    window: u64,
    last: u64,
    marker: Option<String>,
    pages: u32,
    extents: ExtentList,
}

impl Planner {
    pub(crate) fn new(url: SasUrl, previous: Option<SasUrl>, opts: DiffOptions) -> Result<Planner> {
        opts.validate()?;
        check_same_blob(&url, previous.as_ref(), "previousUrl")?;
        Ok(Planner {
            url,
            previous,
            opts,
            length: None,
            window_start: 0,
            window: DEFAULT_WINDOW_BYTES,
            last: 0,
            marker: None,
            pages: 0,
            extents: ExtentList::new(),
        })
    }

    pub(crate) fn head(&self) -> Request {
        head_request(&self.url, &self.opts.version)
    }

    /// Takes the HEAD reply; the blob's length.
    pub(crate) fn on_head(&mut self, resp: &Response, now_ms: i64) -> Result<u64> {
        let length = content_length_of(resp, "the newer snapshot", now_ms)?;
        if let Some((a, b)) = self.opts.range {
            if b >= length {
                return Err(Error::invalid_argument(
                    "range",
                    format!("range {a}-{b} ends past the blob's length {length}"),
                ));
            }
            self.window_start = a;
            self.last = b;
        } else {
            self.window_start = 0;
            self.last = length.saturating_sub(1);
        }
        self.length = Some(length);
        let span = (self.last - self.window_start).saturating_add(1);
        let windows_of_minimum = span.div_ceil(self.opts.window_bytes);
        self.window = self.opts.window_bytes.saturating_mul(windows_of_minimum.div_ceil(MAX_WINDOWS).max(1));
        Ok(length)
    }

    fn window_end(&self) -> u64 {
        self.window_start.saturating_add(self.window - 1).min(self.last)
    }

    /// The next Get Page Ranges request, `None` when the listing is complete.
    pub(crate) fn next(&self) -> Option<Request> {
        let length = self.length?;
        if length == 0 || self.window_start > self.last {
            return None;
        }
        let query = match &self.marker {
            Some(m) => format!("comp=pagelist&marker={}", percent_encode(m)),
            None => "comp=pagelist".to_string(),
        };
        let mut headers = vec![
            ("x-ms-version", self.opts.version.clone()),
            ("x-ms-range", range_header(self.window_start, self.window_end())),
        ];
        if let Some(p) = &self.previous {
            headers.push(("x-ms-previous-snapshot-url", p.as_str().to_string()));
        }
        Some(Request { method: Method::Get, url: self.url.with_query(&query), headers })
    }

    /// Takes a Get Page Ranges reply.
    pub(crate) fn on_page(&mut self, resp: &Response, now_ms: i64) -> Result<()> {
        let length = self.length.unwrap_or(0);
        if resp.status != 200 {
            return Err(error_from_response(resp, "the page list", now_ms));
        }
        if let Some(v) = resp.header("x-ms-blob-content-length") {
            if v.trim().parse::<u64>().ok() != Some(length) {
                let shown: String = v.chars().take(30).collect();
                return Err(invalid_response(
                    resp,
                    "the page list",
                    format!("x-ms-blob-content-length {shown:?} differs from the length {length} read first"),
                ));
            }
        }
        let list = super::pagelist::parse(&resp.body, self.opts.max_extents.saturating_add(1))
            .map_err(|e| invalid_response(resp, "the page list", e))?;
        let (wa, wb) = (self.window_start, self.window_end());
        for r in &list.ranges {
            let e = Extent { start: r.start, end: r.end, cleared: r.cleared };
            if !e.is_aligned() {
                return Err(invalid_response(
                    resp,
                    "the page list",
                    format!("range {}-{} is not 512-aligned", r.start, r.end),
                ));
            }
            if r.end >= length {
                return Err(invalid_response(
                    resp,
                    "the page list",
                    format!("range {}-{} ends past the blob's length {length}", r.start, r.end),
                ));
            }
            let (start, end) = (r.start.max(wa), r.end.min(wb));
            if start > end {
                continue;
            }
            self.extents
                .push(Extent { start, end, cleared: r.cleared })
                .map_err(|e| invalid_response(resp, "the page list", e))?;
            if self.extents.len() > self.opts.max_extents {
                return Err(invalid_response(
                    resp,
                    "the page list",
                    format!("more than {} ranges (maxExtents)", self.opts.max_extents),
                ));
            }
        }
        match list.next_marker {
            Some(m) => {
                self.pages += 1;
                if self.pages >= self.opts.max_pages_per_window {
                    return Err(Error::new(
                        ErrorCode::Timeout,
                        format!(
                            "the page list of bytes {wa}-{wb} went on for more than {} pages",
                            self.opts.max_pages_per_window
                        ),
                    ));
                }
                self.marker = Some(m);
            }
            None => {
                self.marker = None;
                self.pages = 0;
                self.window_start = wb.saturating_add(1);
                if wb == u64::MAX {
                    self.last = 0;
                    self.window_start = 1;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn into_extents(self) -> Vec<Extent> {
        self.extents.into_vec()
    }

    pub(crate) fn redact(&self, err: &mut Error) {
        self.url.redact(err);
        if let Some(p) = &self.previous {
            p.redact(err);
        }
    }
}

pub(crate) fn head_request(url: &SasUrl, version: &str) -> Request {
    Request {
        method: Method::Head,
        url: url.as_str().to_string(),
        headers: vec![("x-ms-version", version.to_string())],
    }
}

/// `Content-Length` of a 200 HEAD reply, a multiple of 512.
pub(crate) fn content_length_of(resp: &Response, what: &str, now_ms: i64) -> Result<u64> {
    if resp.status != 200 {
        return Err(error_from_response(resp, what, now_ms));
    }
    let v = resp.header("content-length").ok_or_else(|| invalid_response(resp, what, "no Content-Length"))?;
    let n = v
        .trim()
        .parse::<u64>()
        .map_err(|_| invalid_response(resp, what, format!("Content-Length {:?} is not a number", v.trim())))?;
    if n % PAGE != 0 {
        return Err(invalid_response(resp, what, format!("length {n} is not a multiple of 512 (not a page blob?)")));
    }
    Ok(n)
}

/// The listing as a [`Machine`] (one request in flight at a time).
#[derive(Debug, Clone)]
pub struct DiffListing {
    planner: Option<Planner>,
    dispatch: Dispatcher,
    started: bool,
    length: u64,
}

const TAG_HEAD: u64 = 0;
const TAG_PAGE: u64 = 1;

impl DiffListing {
    /// A listing of `url` (the newer snapshot's SAS URL) against `previous_url` (an older snapshot
    /// of the same page blob). Bad URLs or options are `INVALID_ARGUMENT` (`UNTRUSTED_URL` for
    /// plain http off loopback) here, before any request.
    pub fn new(url: &str, previous_url: Option<&str>, opts: DiffOptions) -> Result<DiffListing> {
        let newer = SasUrl::parse(url, "url")?;
        let older = previous_url.map(|p| SasUrl::parse(p, "previousUrl")).transpose()?;
        let retry = opts.retry.clone();
        Ok(DiffListing {
            planner: Some(Planner::new(newer, older, opts)?),
            dispatch: Dispatcher::new(retry),
            started: false,
            length: 0,
        })
    }

    /// Requests handed out so far (retries included).
    pub fn requests(&self) -> u64 {
        self.dispatch.requests
    }

    fn advance(&mut self, now_ms: i64) -> Result<Option<PageRangeDiff>> {
        let Some(planner) = self.planner.as_mut() else {
            return Err(Error::new(ErrorCode::InvalidArgument, "the listing has already finished"));
        };
        if !self.started {
            self.started = true;
            self.dispatch.send(TAG_HEAD, planner.head());
            return Ok(None);
        }
        while let Some((tag, result)) = self.dispatch.next_done() {
            let resp = result?;
            if tag == TAG_HEAD {
                self.length = planner.on_head(&resp, now_ms)?;
            } else {
                planner.on_page(&resp, now_ms)?;
            }
        }
        if self.dispatch.busy() > 0 {
            return Ok(None);
        }
        match planner.next() {
            Some(req) => {
                self.dispatch.send(TAG_PAGE, req);
                Ok(None)
            }
            None => {
                let extents = self.planner.take().map(Planner::into_extents).unwrap_or_default();
                let ranges =
                    extents.iter().map(|e| PageRange { start: e.start, end: e.end, cleared: e.cleared }).collect();
                Ok(Some(PageRangeDiff { content_length: self.length, ranges }))
            }
        }
    }
}

impl Machine for DiffListing {
    type Output = PageRangeDiff;

    fn poll(&mut self, now_ms: i64) -> Poll<PageRangeDiff> {
        match self.advance(now_ms) {
            Ok(Some(done)) => Poll::Done(Ok(done)),
            Ok(None) => {
                let out = self.dispatch.take_outbox();
                if out.is_empty() {
                    Poll::Wait
                } else {
                    Poll::Send(out)
                }
            }
            Err(mut e) => {
                if let Some(p) = &self.planner {
                    p.redact(&mut e);
                }
                e.message = super::sas::scrub(&e.message);
                self.planner = None;
                Poll::Done(Err(e))
            }
        }
    }

    fn on_response(&mut self, id: u64, outcome: Outcome, now_ms: i64) {
        self.dispatch.on_response(id, outcome, now_ms);
    }
}
