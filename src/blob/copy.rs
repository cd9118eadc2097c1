//! `copyPageRanges`: copy a snapshot's changed pages (a diff, or every valid page) server-side
//! into a page blob, with several requests in flight, resumable from a [`Checkpoint`].
//!
//! Phases and requests (see [`super`] for how a shell drives a [`Machine`]):
//! 1. `HEAD <source>` → its length (on a resume: must equal the checkpoint's);
//! 2. (not on a resume) the listing of [`super::diff`], one request at a time; with
//!    `copy_footer`, the last page is added to the plan when no range covers it (a managed disk's
//!    VHD footer);
//! 3. `HEAD <target>`: 404 → `PUT <target>` (`x-ms-blob-type: PageBlob`,
//!    `x-ms-blob-content-length: <length>`, `If-None-Match: *`; a 409/412 reply, e.g. to a retried
//!    create that had landed, is followed by one more HEAD); shorter → `PUT <target>&comp=properties`
//!    with `x-ms-blob-content-length`; longer → `INVALID_ARGUMENT`, nothing written;
//! 4. a checkpoint (the plan), then the chunks, up to `concurrency` in flight, in offset order:
//!    changed pages by Put Page From URL (`PUT <target>&comp=page`, `x-ms-page-write: update`,
//!    `x-ms-range` equal to `x-ms-source-range`, `x-ms-copy-source: <source SAS URL>`, ≤ 4 MiB),
//!    cleared pages by Put Page `clear` (`x-ms-range`, ≤ `clear_chunk_bytes`); a checkpoint after
//!    every `checkpoint_every` finished chunks and one when all are done;
//! 5. with `snapshot_target`: `PUT <target>&comp=snapshot` → `x-ms-snapshot`.
//!
//! Every write is idempotent: a chunk sent twice (a retry, a resume) writes the same bytes.

use super::diff::{content_length_of, head_request, DiffOptions, Planner};
use super::extents::{totals, validate, ChunkPlan, Extent, ExtentList};
use super::sas::{BlobIdentity, SasUrl};
use super::{error_from_response, invalid_response, range_header, Dispatcher, Machine, Method, Outcome, Poll};
use super::{Request, Response, MAX_UPDATE_BYTES, PAGE};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use std::collections::BTreeSet;

/// The checkpoint format's version.
pub const CHECKPOINT_VERSION: u32 = 1;
/// Default bytes per Put Page `clear`: 1 TiB, in effect no split (the service clears any aligned
/// range), and still exact in a JavaScript number when the checkpoint crosses into JS.
pub const DEFAULT_CLEAR_CHUNK_BYTES: u64 = 1 << 40;
/// The largest chunk size accepted: 2^53 − 1 rounded down to a page, exact in a JS number.
const MAX_CHUNK_OPTION: u64 = ((1u64 << 53) - 1) / PAGE * PAGE;
/// The most requests in flight allowed.
pub const MAX_CONCURRENCY: u32 = 64;

/// Options of a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    /// The listing's options (`range` must be `None`) and the retry settings of every request.
    pub diff: DiffOptions,
    /// Chunk requests in flight (1..=64, default 8).
    pub concurrency: u32,
    /// Snapshot the target at the end.
    pub snapshot_target: bool,
    /// Bytes per Put Page From URL (a multiple of 512, at most 4 MiB; default 4 MiB).
    pub chunk_bytes: u64,
    /// Bytes per Put Page `clear` (a multiple of 512, at most 2^53 − 512; default
    /// [`DEFAULT_CLEAR_CHUNK_BYTES`]).
    pub clear_chunk_bytes: u64,
    /// Finished chunks between two checkpoints (default 0: `concurrency`, a batch).
    pub checkpoint_every: u32,
    /// Copy the last page even when no range lists it (the VHD footer; default true).
    pub copy_footer: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            diff: DiffOptions::default(),
            concurrency: 8,
            snapshot_target: false,
            chunk_bytes: MAX_UPDATE_BYTES,
            clear_chunk_bytes: DEFAULT_CLEAR_CHUNK_BYTES,
            checkpoint_every: 0,
            copy_footer: true,
        }
    }
}

/// What a finished copy reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyResult {
    /// The source's length (and the target's, now).
    pub content_length: u64,
    /// Bytes of the plan copied by Put Page From URL (over the whole job, resumes included).
    pub copied_bytes: u64,
    /// Bytes of the plan cleared.
    pub cleared_bytes: u64,
    /// Requests sent by this run (retries included).
    pub requests: u64,
    /// The target's new snapshot (`x-ms-snapshot`), with `snapshot_target`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_snapshot: Option<String>,
}

/// Where a copy stands: serializable (serde JSON, camelCase), tied to the blobs (origin, path,
/// `snapshot`; never a signature), so a resume with freshly signed URLs of the same blobs works
/// and one for other blobs is refused.
///
/// Chunk `i` is the `i`-th chunk of `extents` cut by `chunk_bytes`/`clear_chunk_bytes` (see
/// [`ChunkPlan`]); chunks `< done_below` and those in `done_above` are finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// [`CHECKPOINT_VERSION`].
    pub version: u32,
    /// The snapshot copied from.
    pub source: BlobIdentity,
    /// The older snapshot of the diff, if any.
    pub previous: Option<BlobIdentity>,
    /// The page blob written.
    pub target: BlobIdentity,
    /// The source's length.
    pub content_length: u64,
    /// Bytes per update chunk.
    pub chunk_bytes: u64,
    /// Bytes per clear chunk.
    pub clear_chunk_bytes: u64,
    /// The plan.
    pub extents: Vec<Extent>,
    /// Every chunk below this one is finished.
    pub done_below: u64,
    /// Finished chunks above `done_below`, ascending.
    pub done_above: Vec<u64>,
}

impl Checkpoint {
    /// JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads JSON text (`INVALID_JSON` when it is not a checkpoint).
    pub fn from_json(text: &str) -> Result<Checkpoint> {
        Checkpoint::from_value(&super::json::parse(text, "checkpoint", "the checkpoint")?)
    }

    /// Reads a parsed checkpoint (unknown keys refused; `previous` and `doneAbove` optional).
    pub fn from_value(v: &serde_json::Value) -> Result<Checkpoint> {
        const KEYS: [&str; 10] = [
            "version",
            "source",
            "previous",
            "target",
            "contentLength",
            "chunkBytes",
            "clearChunkBytes",
            "extents",
            "doneBelow",
            "doneAbove",
        ];
        let f = super::json::Fields::of(v, "checkpoint", "the checkpoint")?.strict(&KEYS)?;
        Ok(Checkpoint {
            version: f.u32("version")?,
            source: f.identity("source")?,
            previous: f.opt_identity("previous")?,
            target: f.identity("target")?,
            content_length: f.u64("contentLength")?,
            chunk_bytes: f.u64("chunkBytes")?,
            clear_chunk_bytes: f.u64("clearChunkBytes")?,
            extents: f.list("extents", false, |x| super::json::extent(x, "checkpoint"))?,
            done_below: f.u64("doneBelow")?,
            done_above: f.list("doneAbove", true, |x| {
                x.as_u64().ok_or_else(|| {
                    Error::invalid_json(
                        "checkpoint",
                        "the checkpoint could not be read: doneAbove must list whole numbers",
                    )
                })
            })?,
        })
    }

    /// Chunks finished.
    pub fn chunks_done(&self) -> u64 {
        self.done_below + self.done_above.len() as u64
    }
}

/// Progress of a copy, for `onProgress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyProgress {
    /// `"planning"`, `"preparing"`, `"copying"`, `"snapshotting"`, `"done"`.
    pub phase: &'static str,
    /// Chunks finished (0 while planning).
    pub chunks_done: u64,
    /// Chunks planned (0 while planning).
    pub chunks_total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Source,
    Planning,
    Target,
    Chunks,
    Snapshot,
    Finished,
}

const TAG_SOURCE: u64 = u64::MAX;
const TAG_PAGE: u64 = u64::MAX - 1;
const TAG_TARGET: u64 = u64::MAX - 2;
const TAG_CREATE: u64 = u64::MAX - 3;
const TAG_GROW: u64 = u64::MAX - 4;
const TAG_SNAPSHOT: u64 = u64::MAX - 5;

/// The copier (see the module documentation).
#[derive(Debug, Clone)]
pub struct Copier {
    source: SasUrl,
    previous: Option<SasUrl>,
    target: SasUrl,
    opts: CopyOptions,
    planner: Option<Planner>,
    dispatch: Dispatcher,
    phase: Phase,
    length: u64,
    resumed: Option<u64>,
    reheads: u32,
    plan: Option<ChunkPlan>,
    chunk_bytes: u64,
    clear_chunk_bytes: u64,
    next_chunk: u64,
    done_below: u64,
    done_above: BTreeSet<u64>,
    since_checkpoint: u32,
    pending_checkpoint: bool,
    final_checkpoint: bool,
    target_snapshot: Option<String>,
    done: bool,
}

fn check_chunk_sizes(chunk: u64, clear: u64, field: &str) -> Result<()> {
    if chunk == 0 || chunk % PAGE != 0 || chunk > MAX_UPDATE_BYTES {
        return Err(Error::invalid_argument(
            field,
            format!("chunkBytes {chunk} must be a positive multiple of 512 of at most 4 MiB"),
        ));
    }
    if clear == 0 || clear % PAGE != 0 || clear > MAX_CHUNK_OPTION {
        return Err(Error::invalid_argument(
            field,
            format!("clearChunkBytes {clear} must be a positive multiple of 512 below 2^53"),
        ));
    }
    Ok(())
}

impl Copier {
    /// A new copy of `source_url` (newer snapshot SAS) into `target_url` (page blob SAS with write
    /// permission), of the changes since `previous_url` (older snapshot of the same page blob) or
    /// of every valid page. Bad URLs and options fail here, before any request.
    pub fn new(source_url: &str, previous_url: Option<&str>, target_url: &str, opts: CopyOptions) -> Result<Copier> {
        let source = SasUrl::parse(source_url, "sourceUrl")?;
        let previous = previous_url.map(|p| SasUrl::parse(p, "previousUrl")).transpose()?;
        let target = SasUrl::parse(target_url, "targetUrl")?;
        if opts.diff.range.is_some() {
            return Err(Error::invalid_argument("range", "a copy covers the whole blob: range is for listings only"));
        }
        if !(1..=MAX_CONCURRENCY).contains(&opts.concurrency) {
            return Err(Error::invalid_argument(
                "concurrency",
                format!("concurrency must be 1 to {MAX_CONCURRENCY}, not {}", opts.concurrency),
            ));
        }
        check_chunk_sizes(opts.chunk_bytes, opts.clear_chunk_bytes, "chunkBytes")?;
        if target.identity().snapshot.is_some() {
            return Err(Error::invalid_argument("targetUrl", "targetUrl names a snapshot, which cannot be written"));
        }
        if target.same_blob(&source) {
            return Err(Error::invalid_argument("targetUrl", "targetUrl is the source's own page blob"));
        }
        let planner = Planner::new(source.clone(), previous.clone(), opts.diff.clone())?;
        Ok(Copier {
            dispatch: Dispatcher::new(opts.diff.retry.clone()),
            chunk_bytes: opts.chunk_bytes,
            clear_chunk_bytes: opts.clear_chunk_bytes,
            source,
            previous,
            target,
            opts,
            planner: Some(planner),
            phase: Phase::Start,
            length: 0,
            resumed: None,
            reheads: 0,
            plan: None,
            next_chunk: 0,
            done_below: 0,
            done_above: BTreeSet::new(),
            since_checkpoint: 0,
            pending_checkpoint: false,
            final_checkpoint: false,
            target_snapshot: None,
            done: false,
        })
    }

    /// Resumes the copy `checkpoint` describes, with (possibly freshly signed) URLs of the same
    /// blobs: anything else is `INVALID_ARGUMENT` (field `checkpoint`). The plan, chunk sizes and
    /// finished chunks come from the checkpoint; the source is HEADed again and its length must
    /// match; the target is prepared again (idempotent); then only unfinished chunks are sent.
    pub fn resume(
        source_url: &str,
        previous_url: Option<&str>,
        target_url: &str,
        opts: CopyOptions,
        checkpoint: &Checkpoint,
    ) -> Result<Copier> {
        let mut c = Copier::new(source_url, previous_url, target_url, opts)?;
        let bad = |why: String| Error::invalid_argument("checkpoint", why);
        let cp = checkpoint;
        if cp.version != CHECKPOINT_VERSION {
            return Err(bad(format!("checkpoint version {} is not {CHECKPOINT_VERSION}", cp.version)));
        }
        let same = |want: Option<&BlobIdentity>, have: Option<&SasUrl>, what: &str| -> Result<()> {
            if want != have.map(SasUrl::identity) {
                let shown = |i: Option<&BlobIdentity>| i.map_or("none".to_string(), BlobIdentity::display);
                return Err(bad(format!(
                    "the checkpoint's {what} is {}, not {}: it belongs to another copy",
                    shown(want),
                    shown(have.map(SasUrl::identity))
                )));
            }
            Ok(())
        };
        same(Some(&cp.source), Some(&c.source), "source")?;
        same(cp.previous.as_ref(), c.previous.as_ref(), "previous snapshot")?;
        same(Some(&cp.target), Some(&c.target), "target")?;
        check_chunk_sizes(cp.chunk_bytes, cp.clear_chunk_bytes, "checkpoint")?;
        if cp.content_length % PAGE != 0 {
            return Err(bad("the checkpoint's contentLength is not a multiple of 512".into()));
        }
        validate(&cp.extents, cp.content_length).map_err(|e| bad(format!("the checkpoint's plan is broken: {e}")))?;
        let plan = ChunkPlan::new(cp.extents.clone(), cp.chunk_bytes, cp.clear_chunk_bytes);
        if cp.done_below > plan.count() {
            return Err(bad("the checkpoint's doneBelow is past the plan".into()));
        }
        let mut prev = cp.done_below;
        for &i in &cp.done_above {
            if i <= prev || i >= plan.count() {
                return Err(bad("the checkpoint's doneAbove is not ascending within the plan".into()));
            }
            prev = i;
        }
        c.chunk_bytes = cp.chunk_bytes;
        c.clear_chunk_bytes = cp.clear_chunk_bytes;
        c.plan = Some(plan);
        c.planner = None;
        c.resumed = Some(cp.content_length);
        c.length = cp.content_length;
        c.done_below = cp.done_below;
        c.next_chunk = cp.done_below;
        c.done_above = cp.done_above.iter().copied().collect();
        Ok(c)
    }

    /// Where the copy stands.
    pub fn progress(&self) -> CopyProgress {
        let phase = match self.phase {
            Phase::Start | Phase::Source | Phase::Planning => "planning",
            Phase::Target => "preparing",
            Phase::Chunks => "copying",
            Phase::Snapshot => "snapshotting",
            Phase::Finished => "done",
        };
        CopyProgress {
            phase,
            chunks_done: self.done_below + self.done_above.len() as u64,
            chunks_total: self.plan.as_ref().map_or(0, ChunkPlan::count),
        }
    }

    /// The checkpoint of the copy now (`None` before the plan is made and the target prepared).
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let plan = self.plan.as_ref()?;
        if matches!(self.phase, Phase::Start | Phase::Source | Phase::Planning | Phase::Target) {
            return None;
        }
        Some(Checkpoint {
            version: CHECKPOINT_VERSION,
            source: self.source.identity().clone(),
            previous: self.previous.as_ref().map(|p| p.identity().clone()),
            target: self.target.identity().clone(),
            content_length: self.length,
            chunk_bytes: self.chunk_bytes,
            clear_chunk_bytes: self.clear_chunk_bytes,
            extents: plan.extents().to_vec(),
            done_below: self.done_below,
            done_above: self.done_above.iter().copied().collect(),
        })
    }

    fn put(&self, url: String, headers: Vec<(&'static str, String)>) -> Request {
        let mut all = vec![("x-ms-version", self.opts.diff.version.clone())];
        all.extend(headers);
        all.push(("Content-Length", "0".to_string()));
        Request { method: Method::Put, url, headers: all }
    }

    fn head_target(&mut self) {
        self.phase = Phase::Target;
        let req = head_request(&self.target, &self.opts.diff.version);
        self.dispatch.send(TAG_TARGET, req);
    }

    fn planned(&mut self) -> Result<()> {
        let planner = self.planner.take().ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "internal: no plan"))?;
        let mut extents = planner.into_extents();
        if self.opts.copy_footer && self.length >= PAGE {
            let footer = self.length - PAGE;
            if extents.last().map_or(true, |e| e.end < footer) {
                let mut list = ExtentList::new();
                for e in extents.iter().copied().chain([Extent { start: footer, end: self.length - 1, cleared: false }])
                {
                    list.push(e).map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("internal: {e}")))?;
                }
                extents = list.into_vec();
            }
        }
        self.plan = Some(ChunkPlan::new(extents, self.chunk_bytes, self.clear_chunk_bytes));
        self.head_target();
        Ok(())
    }

    fn target_ready(&mut self) {
        self.phase = Phase::Chunks;
        self.pending_checkpoint = true;
    }

    fn on_done(&mut self, tag: u64, resp: Response, now_ms: i64) -> Result<()> {
        match tag {
            TAG_SOURCE => {
                let length = match self.planner.as_mut() {
                    Some(p) => p.on_head(&resp, now_ms)?,
                    None => content_length_of(&resp, "the source snapshot", now_ms)?,
                };
                if let Some(expected) = self.resumed {
                    if length != expected {
                        return Err(Error::invalid_argument(
                            "checkpoint",
                            format!("the source is {length} bytes long, the checkpoint's {expected}: another blob"),
                        ));
                    }
                    self.head_target();
                } else {
                    self.length = length;
                    self.phase = Phase::Planning;
                    self.next_page()?;
                }
            }
            TAG_PAGE => {
                if let Some(p) = self.planner.as_mut() {
                    p.on_page(&resp, now_ms)?;
                }
                self.next_page()?;
            }
            TAG_TARGET => match resp.status {
                404 => {
                    let req = self.put(
                        self.target.as_str().to_string(),
                        vec![
                            ("x-ms-blob-type", "PageBlob".to_string()),
                            ("x-ms-blob-content-length", self.length.to_string()),
                            ("If-None-Match", "*".to_string()),
                        ],
                    );
                    self.dispatch.send(TAG_CREATE, req);
                }
                _ => {
                    let have = content_length_of(&resp, "the target blob", now_ms)?;
                    if let Some(kind) = resp.header("x-ms-blob-type") {
                        if !kind.trim().eq_ignore_ascii_case("PageBlob") {
                            return Err(Error::invalid_argument(
                                "targetUrl",
                                format!("the target is a {} blob, not a page blob", kind.trim()),
                            ));
                        }
                    }
                    if have > self.length {
                        return Err(Error::invalid_argument(
                            "targetUrl",
                            format!(
                                "the target blob is {have} bytes, longer than the source's {}: refusing to write into it",
                                self.length
                            ),
                        ));
                    } else if have < self.length {
                        let req = self.put(
                            self.target.with_query("comp=properties"),
                            vec![("x-ms-blob-content-length", self.length.to_string())],
                        );
                        self.dispatch.send(TAG_GROW, req);
                    } else {
                        self.target_ready();
                    }
                }
            },
            TAG_CREATE => match resp.status {
                201 => self.target_ready(),
                409 | 412 if self.reheads == 0 => {
                    self.reheads += 1;
                    self.head_target();
                }
                _ => return Err(error_from_response(&resp, "the target blob (create)", now_ms)),
            },
            TAG_GROW => match resp.status {
                200 => self.target_ready(),
                _ => return Err(error_from_response(&resp, "the target blob (resize)", now_ms)),
            },
            TAG_SNAPSHOT => {
                if resp.status != 201 {
                    return Err(error_from_response(&resp, "the target blob (snapshot)", now_ms));
                }
                let snap = resp
                    .header("x-ms-snapshot")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| invalid_response(&resp, "the snapshot reply", "no x-ms-snapshot header"))?;
                self.target_snapshot = Some(snap.chars().take(64).collect());
                self.phase = Phase::Finished;
            }
            chunk => {
                if resp.status != 201 {
                    let what = match self.plan.as_ref().and_then(|p| p.get(chunk)) {
                        Some(c) => format!(
                            "the target blob ({} of bytes {}-{})",
                            if c.cleared { "clear" } else { "copy" },
                            c.start,
                            c.end
                        ),
                        None => "the target blob".to_string(),
                    };
                    return Err(error_from_response(&resp, &what, now_ms));
                }
                self.done_above.insert(chunk);
                while self.done_above.remove(&self.done_below) {
                    self.done_below += 1;
                }
                self.since_checkpoint += 1;
                let every =
                    if self.opts.checkpoint_every == 0 { self.opts.concurrency } else { self.opts.checkpoint_every };
                if self.since_checkpoint >= every {
                    self.pending_checkpoint = true;
                }
            }
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<()> {
        match self.planner.as_ref().and_then(Planner::next) {
            Some(req) => {
                self.dispatch.send(TAG_PAGE, req);
                Ok(())
            }
            None => self.planned(),
        }
    }

    fn fill(&mut self) {
        let Some(plan) = self.plan.as_ref() else {
            return;
        };
        let mut sends = Vec::new();
        let mut busy = self.dispatch.busy();
        while busy < self.opts.concurrency as usize && self.next_chunk < plan.count() {
            let i = self.next_chunk;
            self.next_chunk += 1;
            if self.done_above.contains(&i) {
                continue;
            }
            let Some(c) = plan.get(i) else {
                break;
            };
            let range = range_header(c.start, c.end);
            let headers = if c.cleared {
                vec![("x-ms-page-write", "clear".to_string()), ("x-ms-range", range)]
            } else {
                vec![
                    ("x-ms-page-write", "update".to_string()),
                    ("x-ms-range", range.clone()),
                    ("x-ms-source-range", range),
                    ("x-ms-copy-source", self.source.as_str().to_string()),
                ]
            };
            sends.push((i, self.put(self.target.with_query("comp=page"), headers)));
            busy += 1;
        }
        for (i, req) in sends {
            self.dispatch.send(i, req);
        }
    }

    fn result(&self) -> CopyResult {
        let (copied_bytes, cleared_bytes) = self.plan.as_ref().map_or((0, 0), |p| totals(p.extents()));
        CopyResult {
            content_length: self.length,
            copied_bytes,
            cleared_bytes,
            requests: self.dispatch.requests,
            target_snapshot: self.target_snapshot.clone(),
        }
    }

    fn run(&mut self, now_ms: i64) -> Result<Option<Poll<CopyResult>>> {
        if self.phase == Phase::Start {
            self.phase = Phase::Source;
            let req = head_request(&self.source, &self.opts.diff.version);
            self.dispatch.send(TAG_SOURCE, req);
        }
        while let Some((tag, result)) = self.dispatch.next_done() {
            self.on_done(tag, result?, now_ms)?;
        }
        if self.pending_checkpoint {
            self.pending_checkpoint = false;
            self.since_checkpoint = 0;
            if let Some(cp) = self.checkpoint() {
                return Ok(Some(Poll::Checkpoint(Box::new(cp))));
            }
        }
        if self.phase == Phase::Chunks {
            self.fill();
            let all = self.plan.as_ref().is_some_and(|p| self.done_below >= p.count());
            if all && self.dispatch.busy() == 0 {
                if !self.final_checkpoint {
                    self.final_checkpoint = true;
                    self.since_checkpoint = 0;
                    if let Some(cp) = self.checkpoint() {
                        return Ok(Some(Poll::Checkpoint(Box::new(cp))));
                    }
                }
                if self.opts.snapshot_target {
                    self.phase = Phase::Snapshot;
                    let req = self.put(self.target.with_query("comp=snapshot"), Vec::new());
                    self.dispatch.send(TAG_SNAPSHOT, req);
                } else {
                    self.phase = Phase::Finished;
                }
            }
        }
        if self.phase == Phase::Finished {
            return Ok(Some(Poll::Done(Ok(self.result()))));
        }
        let out = self.dispatch.take_outbox();
        if !out.is_empty() {
            return Ok(Some(Poll::Send(out)));
        }
        if self.dispatch.busy() > 0 {
            return Ok(Some(Poll::Wait));
        }
        Ok(None)
    }

    fn redact(&self, err: &mut Error) {
        for u in [Some(&self.source), self.previous.as_ref(), Some(&self.target)].into_iter().flatten() {
            u.redact(err);
        }
        err.message = super::sas::scrub(&err.message);
    }
}

impl Machine for Copier {
    type Output = CopyResult;

    fn poll(&mut self, now_ms: i64) -> Poll<CopyResult> {
        if self.done {
            return Poll::Done(Err(Error::new(ErrorCode::InvalidArgument, "the copy has already finished")));
        }
        let outcome = match self.run(now_ms) {
            Ok(Some(poll)) => Ok(poll),
            Ok(None) => Err(Error::new(ErrorCode::InvalidArgument, "internal: the copy stalled")),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(Poll::Done(r)) => {
                self.done = true;
                Poll::Done(r)
            }
            Ok(p) => p,
            Err(mut e) => {
                self.done = true;
                self.redact(&mut e);
                Poll::Done(Err(e))
            }
        }
    }

    fn on_response(&mut self, id: u64, outcome: Outcome, now_ms: i64) {
        self.dispatch.on_response(id, outcome, now_ms);
    }
}
