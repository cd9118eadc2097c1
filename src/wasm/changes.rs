//! The ARM level of differential copy: `ArmClient.getSnapshotChanges` and
//! `ArmClient.replicateSnapshots`. The ARM token goes to ARM only (grant, revoke, reads); blob
//! requests carry the granted SAS URLs and no token. Every grant made is revoked at the end, on
//! success, failure or abort, each revoke with its own bounds (not the caller's signal).

use super::blob::{call_back, drive_copy, scrubbed, Common, Hooks, Runner};
use super::client::{abort_signal, drive, resource_id_arg, resource_ref, ArmClient, Inner, OptionReader};
use super::convert::{absent, error_to_js, json_text, keys, options_copy, prop, to_js};
use super::transport::Fetcher;
use crate::arm::ops::{resource_id, GetResource, ListIncremental, SearchScope, SingleRequest};
use crate::blob::copy::{Copier, CopyOptions, CopyProgress};
use crate::blob::diff::{DiffListing, DiffOptions};
use crate::blob::replicate::{self, Current, ReplicateCheckpoint, Replicated, SnapshotChanges};
use crate::blob::sas::SasUrl;
use crate::blob::{RetrySettings, DEFAULT_VERSION};
use crate::error::{Error, Result};
use crate::resource_id::{ids_equal, ResourceId, SNAPSHOTS};
use js_sys::{Object, Promise};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

/// Read access for an hour: enough for one diff or copy step; revoked as soon as it is done.
const GRANT_BODY: &str = r#"{"access":"Read","durationInSeconds":3600}"#;

/// The grants a call made: revoked when it ends.
struct Grants {
    inner: Rc<Inner>,
    open: Vec<ResourceId>,
    urls: Vec<SasUrl>,
}

impl Grants {
    fn new(inner: Rc<Inner>) -> Grants {
        Grants { inner, open: Vec::new(), urls: Vec::new() }
    }

    /// Grants Read access on `id`; its SAS URL.
    async fn grant(&mut self, id: &ResourceId, signal: Option<&AbortSignal>) -> std::result::Result<String, JsValue> {
        // Counted open before the reply: a grant whose reply was lost may still have landed.
        self.open.push(id.clone());
        let op = SingleRequest::grant_access(self.inner.settings.clone(), id, GRANT_BODY.to_string());
        let text = drive(&self.inner, op, signal, None).await?;
        let url = replicate::access_sas(&text).map_err(error_to_js)?;
        let parsed = SasUrl::parse(&url, "accessSAS").map_err(|e| scrubbed(e, &[]))?;
        self.urls.push(parsed);
        Ok(url)
    }

    /// Revokes access on `id` (bounded by the client's own timeouts, whatever the caller's signal).
    async fn revoke(&mut self, id: &ResourceId) -> std::result::Result<(), JsValue> {
        self.open.retain(|o| !ids_equal(&o.to_string(), &id.to_string()));
        let op = SingleRequest::revoke_access(self.inner.settings.clone(), id);
        drive(&self.inner, op, None, None).await.map(|_| ())
    }

    /// Revokes every grant still open; the first failure.
    async fn revoke_all(&mut self) -> std::result::Result<(), JsValue> {
        let mut first = Ok(());
        while let Some(id) = self.open.pop() {
            let r = self.revoke(&id).await;
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

/// The blob side of a client's calls: its fetch and bounds, no token.
fn blob_common(inner: &Inner, signal: Option<AbortSignal>, version: String) -> Common {
    let f = &inner.transport.fetcher;
    let s = &inner.settings;
    Common {
        fetcher: Rc::new(Fetcher {
            fetch: f.fetch.clone(),
            request_timeout_ms: f.request_timeout_ms,
            max_response_bytes: f.max_response_bytes,
        }),
        signal,
        version,
        retry: RetrySettings {
            max_retries: s.max_retries,
            base_ms: s.retry_base_ms,
            max_wait_ms: s.max_retry_wait_ms,
            seed: s.seed,
            ..Default::default()
        },
    }
}

fn snapshot_id(text: &str) -> std::result::Result<ResourceId, JsValue> {
    resource_id(text, "snapshotId", SNAPSHOTS).map_err(error_to_js)
}

/// `options.signal` of a plain copy.
fn signal_of(copy: Option<&Object>) -> Result<Option<AbortSignal>> {
    abort_signal(prop(copy, "signal"), "options.signal")
}

fn parse_json(text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::invalid_json("snapshot", format!("the snapshot could not be read: {e}")))
}

/// Progress of a replication, for `onProgress`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplicateProgress<'a> {
    snapshot_id: &'a str,
    index: usize,
    count: usize,
    phase: &'static str,
    chunks_done: u64,
    chunks_total: u64,
}

/// The result of `replicateSnapshots`.
#[derive(Serialize)]
struct Replication<'a> {
    replicated: &'a [Replicated],
}

const REPLICATE_KEYS: [&str; 9] = [
    "targetUrl",
    "from",
    "onProgress",
    "onCheckpoint",
    "checkpoint",
    "signal",
    "concurrency",
    "chunkBytes",
    "xMsVersion",
];

#[wasm_bindgen(js_class = ArmClient)]
impl ArmClient {
    /// `getSnapshotChanges(newerId, olderId?, { signal? })` → `{ contentLength, changedBytes,
    /// clearedBytes, ranges }`.
    #[wasm_bindgen(js_name = getSnapshotChanges)]
    pub fn get_snapshot_changes(&self, newer: JsValue, older: JsValue, options: JsValue) -> Promise {
        // `getSnapshotChanges(newerId, { signal })`: the options in the second place.
        let (older, options) =
            if older.is_object() && absent(&options) { (JsValue::UNDEFINED, older) } else { (older, options) };
        let prepared = || -> Result<(ResourceId, Option<ResourceId>, Option<AbortSignal>)> {
            let newer = resource_id_arg(&newer, "newerId", SNAPSHOTS)?;
            let older = if absent(&older) { None } else { Some(resource_id_arg(&older, "olderId", SNAPSHOTS)?) };
            let copy = options_copy(&options)?;
            if let Some(c) = &copy {
                for k in keys(c) {
                    if k != "signal" {
                        return Err(Error::invalid_argument(format!("options.{k}"), format!("unknown option {k:?}")));
                    }
                }
            }
            Ok((newer, older, signal_of(copy.as_ref())?))
        };
        let (newer, older, signal) = match prepared() {
            Ok(p) => p,
            Err(e) => return Promise::reject(&error_to_js(e)),
        };
        let inner = self.inner.clone();
        super::convert::promise_of(async move {
            let s = inner.settings.clone();
            let newer_text = drive(&inner, GetResource::new(s.clone(), &newer), signal.as_ref(), None).await?;
            if let Some(older) = &older {
                let older_text = drive(&inner, GetResource::new(s.clone(), older), signal.as_ref(), None).await?;
                let pair = parse_json(&older_text)
                    .and_then(|o| Ok((o, parse_json(&newer_text)?)))
                    .and_then(|(o, n)| crate::blob::pair::check_diff_pair(&o, &n));
                pair.map_err(error_to_js)?;
            }
            let mut grants = Grants::new(inner.clone());
            let common = blob_common(&inner, signal.clone(), DEFAULT_VERSION.to_string());
            let outcome = async {
                let newer_url = grants.grant(&newer, signal.as_ref()).await?;
                let older_url = match &older {
                    Some(o) => Some(grants.grant(o, signal.as_ref()).await?),
                    None => None,
                };
                let opts = DiffOptions { retry: common.retry.clone(), ..Default::default() };
                let mut listing =
                    DiffListing::new(&newer_url, older_url.as_deref(), opts).map_err(|e| scrubbed(e, &grants.urls))?;
                let mut runner = Runner::new(common.fetcher.clone(), common.signal.as_ref())
                    .map_err(|e| scrubbed(e, &grants.urls))?;
                runner.run(&mut listing).await.map_err(|e| scrubbed(e, &grants.urls))
            }
            .await;
            let revoked = grants.revoke_all().await;
            let diff = outcome?;
            revoked?;
            to_js(&SnapshotChanges::from(diff)).map_err(error_to_js)
        })
    }

    /// `replicateSnapshots(diskOrId, { targetUrl, from?, onProgress?, onCheckpoint?, checkpoint?,
    /// concurrency?, chunkBytes?, xMsVersion?, signal? })` → `{ replicated: [...] }`.
    #[wasm_bindgen(js_name = replicateSnapshots)]
    pub fn replicate_snapshots(&self, disk: JsValue, options: JsValue) -> Promise {
        let prepared = || -> Result<_> {
            let disk = resource_ref(&disk, "disk", crate::resource_id::DISKS)?;
            let copy = options_copy(&options)?
                .ok_or_else(|| Error::invalid_argument("options", "replicateSnapshots needs { targetUrl }"))?;
            let mut r = OptionReader { options: &copy, violations: Vec::new() };
            for key in keys(&copy) {
                if !REPLICATE_KEYS.contains(&key.as_str()) {
                    let shown: String = key.chars().take(64).collect();
                    r.violation(&shown, "options.unknown", format!("{shown:?} is not an option of replicateSnapshots"));
                }
            }
            let target = r.string("targetUrl");
            let from = r.string("from");
            let version = r.string("xMsVersion").unwrap_or_else(|| DEFAULT_VERSION.to_string());
            let concurrency = r.whole("concurrency", 1, u64::from(crate::blob::copy::MAX_CONCURRENCY));
            let chunk_bytes = r.whole("chunkBytes", 512, crate::blob::MAX_UPDATE_BYTES);
            let on_progress = r.function("onProgress");
            let on_checkpoint = r.function("onCheckpoint");
            let checkpoint_value = r.value("checkpoint");
            let signal = match signal_of(Some(&copy)) {
                Ok(s) => s,
                Err(e) => {
                    r.violation("signal", "options.type", e.message);
                    None
                }
            };
            Error::from_violations(std::mem::take(&mut r.violations))?;
            crate::blob::check_version(&version)?;
            let target = target.ok_or_else(|| Error::invalid_argument("options.targetUrl", "targetUrl is required"))?;
            let target_sas = SasUrl::parse(&target, "targetUrl").map_err(|e| {
                let mut e = e;
                e.message = crate::blob::sas::scrub(&e.message);
                e
            })?;
            let checkpoint = if absent(&checkpoint_value) {
                None
            } else {
                Some(ReplicateCheckpoint::from_json(&json_text(&checkpoint_value, "checkpoint", true)?)?)
            };
            let mut opts = CopyOptions {
                diff: DiffOptions { version: version.clone(), ..Default::default() },
                snapshot_target: true,
                ..Default::default()
            };
            if let Some(n) = concurrency {
                opts.concurrency = n as u32;
            }
            if let Some(n) = chunk_bytes {
                opts.chunk_bytes = n;
            }
            Ok((disk, target, target_sas, from, checkpoint, opts, on_progress, on_checkpoint, signal, version))
        };
        let (disk, target, target_sas, from, checkpoint, mut opts, on_progress, on_checkpoint, signal, version) =
            match prepared() {
                Ok(p) => p,
                Err(e) => return Promise::reject(&error_to_js(e)),
            };
        let inner = self.inner.clone();
        super::convert::promise_of(async move {
            let s = inner.settings.clone();
            let chain_text =
                drive(&inner, ListIncremental::new(s, disk, SearchScope::ResourceGroup), signal.as_ref(), None).await?;
            let chain = replicate::chain_from_json(&chain_text).map_err(error_to_js)?;
            let plan = replicate::plan(&chain, from.as_deref(), checkpoint.as_ref(), target_sas.identity())
                .map_err(|e| scrubbed(e, std::slice::from_ref(&target_sas)))?;
            let common = blob_common(&inner, signal.clone(), version);
            opts.diff.retry = common.retry.clone();
            let hooks = Hooks {
                on_checkpoint: None,
                on_progress: None,
                signal: signal.clone(),
                timeout_ms: common.fetcher.request_timeout_ms,
            };
            let mut replicated = plan.replicated.clone();
            let mut grants = Grants::new(inner.clone());
            let count = plan.steps.len();
            let outcome: std::result::Result<(), JsValue> = async {
                let mut held: Option<(String, String)> = None;
                let mut resume = plan.resume.clone();
                for (index, step) in plan.steps.iter().enumerate() {
                    let previous_url = match &step.previous_id {
                        None => None,
                        Some(pid) => match held.take() {
                            Some((id, url)) if ids_equal(&id, pid) => Some(url),
                            other => {
                                if let Some((id, _)) = other {
                                    grants.revoke(&snapshot_id(&id)?).await?;
                                }
                                Some(grants.grant(&snapshot_id(pid)?, signal.as_ref()).await?)
                            }
                        },
                    };
                    let source_url = grants.grant(&snapshot_id(&step.snapshot_id)?, signal.as_ref()).await?;
                    let mut urls = grants.urls.clone();
                    urls.push(target_sas.clone());
                    let copier = match resume.take() {
                        Some(cp) => {
                            let source = SasUrl::parse(&source_url, "accessSAS").map_err(|e| scrubbed(e, &urls))?;
                            let previous = previous_url
                                .as_deref()
                                .map(|u| SasUrl::parse(u, "accessSAS"))
                                .transpose()
                                .map_err(|e| scrubbed(e, &urls))?;
                            let cp = replicate::rebind(&cp, source.identity(), previous.as_ref().map(SasUrl::identity));
                            Copier::resume(&source_url, previous_url.as_deref(), &target, opts.clone(), &cp)
                        }
                        None => Copier::new(&source_url, previous_url.as_deref(), &target, opts.clone()),
                    };
                    let mut copier = copier.map_err(|e| scrubbed(e, &urls))?;
                    let wrap = |cp: &crate::blob::copy::Checkpoint| {
                        to_js(&ReplicateCheckpoint {
                            version: replicate::REPLICATE_CHECKPOINT_VERSION,
                            target: target_sas.identity().clone(),
                            replicated: replicated.clone(),
                            current: Some(Current {
                                snapshot_id: step.snapshot_id.clone(),
                                previous_id: step.previous_id.clone(),
                                copy: cp.clone(),
                            }),
                        })
                    };
                    let progress = |p: &CopyProgress| {
                        to_js(&ReplicateProgress {
                            snapshot_id: &step.snapshot_id,
                            index,
                            count,
                            phase: p.phase,
                            chunks_done: p.chunks_done,
                            chunks_total: p.chunks_total,
                        })
                    };
                    let step_hooks = Hooks {
                        on_checkpoint: on_checkpoint.clone(),
                        on_progress: on_progress.clone(),
                        signal: hooks.signal.clone(),
                        timeout_ms: hooks.timeout_ms,
                    };
                    let result = drive_copy(&mut copier, &common, &step_hooks, &urls, &wrap, &progress).await?;
                    replicated.push(Replicated::new(&step.snapshot_id, &result));
                    if let Some(f) = &on_checkpoint {
                        let cp = ReplicateCheckpoint {
                            version: replicate::REPLICATE_CHECKPOINT_VERSION,
                            target: target_sas.identity().clone(),
                            replicated: replicated.clone(),
                            current: None,
                        };
                        let v = to_js(&cp).map_err(error_to_js)?;
                        call_back(f, &v, "onCheckpoint", signal.as_ref(), hooks.timeout_ms).await?;
                    }
                    // The predecessor is done with; this one is the next diff's older side.
                    if let Some(pid) = &step.previous_id {
                        grants.revoke(&snapshot_id(pid)?).await?;
                    }
                    held = Some((step.snapshot_id.clone(), source_url));
                }
                Ok(())
            }
            .await;
            let revoked = grants.revoke_all().await;
            outcome?;
            revoked?;
            to_js(&Replication { replicated: &replicated }).map_err(error_to_js)
        })
    }
}
