//! `replicateSnapshots` and `getSnapshotChanges`, the sequencing decisions: which snapshots of a
//! disk's chain are copied in which order and against which predecessor, where a resume picks
//! up, and what is refused. The shell grants, copies and revokes; this decides.
//!
//! A replication copies the chain (oldest first) into one target page blob: the first snapshot
//! (or `from`) in full, each later one as the diff from its predecessor. Its [`ReplicateCheckpoint`]
//! is tied to ARM snapshot ids and the target blob, never to a SAS signature: a resume grants
//! fresh SAS URLs and [`rebind`]s the copy checkpoint to them.

use super::copy::{Checkpoint, CopyResult};
use super::diff::PageRangeDiff;
use super::json::{self, Fields};
use super::sas::BlobIdentity;
use crate::error::{Error, Result};
use crate::resource_id::ids_equal;
use serde::Serialize;

/// The replication checkpoint format's version.
pub const REPLICATE_CHECKPOINT_VERSION: u32 = 1;

/// A snapshot of the chain: what the sequencing reads of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainItem {
    /// ARM id.
    pub id: String,
    /// Name (default empty).
    pub name: String,
}

/// Reads a chain (the JSON array `listIncrementalSnapshots` gives, oldest first).
pub fn chain_from_json(text: &str) -> Result<Vec<ChainItem>> {
    let v = json::parse(text, "snapshots", "the chain")?;
    let items =
        v.as_array().ok_or_else(|| Error::invalid_json("snapshots", "the chain could not be read: expected a list"))?;
    items
        .iter()
        .map(|s| {
            let f = Fields::of(s, "snapshots", "the chain")?;
            Ok(ChainItem { id: f.string("id")?, name: f.opt_string("name")?.unwrap_or_default() })
        })
        .collect()
}

/// One snapshot replicated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replicated {
    /// The ARM snapshot id.
    pub snapshot_id: String,
    /// The target's blob snapshot taken after it (`x-ms-snapshot`).
    pub target_snapshot: Option<String>,
    /// Bytes copied.
    pub copied_bytes: u64,
    /// Bytes cleared.
    pub cleared_bytes: u64,
}

impl Replicated {
    /// The entry of `snapshot_id` copied with `result`.
    pub fn new(snapshot_id: &str, result: &CopyResult) -> Replicated {
        Replicated {
            snapshot_id: snapshot_id.to_string(),
            target_snapshot: result.target_snapshot.clone(),
            copied_bytes: result.copied_bytes,
            cleared_bytes: result.cleared_bytes,
        }
    }
}

/// The copy under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Current {
    /// The snapshot being copied.
    pub snapshot_id: String,
    /// Its predecessor (the diff's older side), `None` for a full copy.
    pub previous_id: Option<String>,
    /// The copy's own checkpoint.
    pub copy: Checkpoint,
}

/// Where a replication stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicateCheckpoint {
    /// [`REPLICATE_CHECKPOINT_VERSION`].
    pub version: u32,
    /// The target page blob.
    pub target: BlobIdentity,
    /// Snapshots finished, in chain order.
    pub replicated: Vec<Replicated>,
    /// The copy under way, if any.
    pub current: Option<Current>,
}

impl ReplicateCheckpoint {
    /// Reads JSON text (`INVALID_JSON` when it is not a replication checkpoint).
    pub fn from_json(text: &str) -> Result<ReplicateCheckpoint> {
        const WHAT: &str = "the checkpoint";
        let v = json::parse(text, "checkpoint", WHAT)?;
        let f = Fields::of(&v, "checkpoint", WHAT)?.strict(&["version", "target", "replicated", "current"])?;
        let replicated = f.list("replicated", false, |r| {
            let r = Fields::of(r, "checkpoint", WHAT)?.strict(&[
                "snapshotId",
                "targetSnapshot",
                "copiedBytes",
                "clearedBytes",
            ])?;
            Ok(Replicated {
                snapshot_id: r.string("snapshotId")?,
                target_snapshot: r.opt_string("targetSnapshot")?,
                copied_bytes: r.u64("copiedBytes")?,
                cleared_bytes: r.u64("clearedBytes")?,
            })
        })?;
        let current = match f.opt("current") {
            None => None,
            Some(c) => {
                let c = Fields::of(c, "checkpoint", WHAT)?.strict(&["snapshotId", "previousId", "copy"])?;
                let copy = c.opt("copy").ok_or_else(|| {
                    Error::invalid_json("checkpoint", "the checkpoint could not be read: missing field \"copy\"")
                })?;
                Some(Current {
                    snapshot_id: c.string("snapshotId")?,
                    previous_id: c.opt_string("previousId")?,
                    copy: Checkpoint::from_value(copy)?,
                })
            }
        };
        Ok(ReplicateCheckpoint { version: f.u32("version")?, target: f.identity("target")?, replicated, current })
    }
}

/// One copy to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The snapshot copied.
    pub snapshot_id: String,
    /// The predecessor diffed against (`None`: a full copy).
    pub previous_id: Option<String>,
}

/// What a replication does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicatePlan {
    /// The copies still to make, in order.
    pub steps: Vec<Step>,
    /// Those made before (from the checkpoint).
    pub replicated: Vec<Replicated>,
    /// The checkpoint of `steps[0]`'s copy, when a resume picks it up midway.
    pub resume: Option<Checkpoint>,
}

fn position(chain: &[ChainItem], key: &str) -> Option<usize> {
    chain.iter().position(|s| ids_equal(&s.id, key)).or_else(|| {
        let matches: Vec<usize> =
            chain.iter().enumerate().filter(|(_, s)| s.name.eq_ignore_ascii_case(key)).map(|(i, _)| i).collect();
        (matches.len() == 1).then(|| matches[0])
    })
}

/// Plans a replication of `chain` (oldest first) into `target`, from `from` (a snapshot id or
/// name in the chain; default the oldest), or resuming `checkpoint`. Refusals
/// (`INVALID_ARGUMENT`): an empty chain, a `from` not in it, a checkpoint of another target,
/// whose snapshots are not the chain's (in its order), or whose `from` differs.
pub fn plan(
    chain: &[ChainItem],
    from: Option<&str>,
    checkpoint: Option<&ReplicateCheckpoint>,
    target: &BlobIdentity,
) -> Result<ReplicatePlan> {
    if chain.is_empty() {
        return Err(Error::invalid_argument("disk", "the disk has no incremental snapshots to replicate"));
    }
    let from_index = match from {
        None => None,
        Some(key) => Some(position(chain, key).ok_or_else(|| {
            Error::invalid_argument(
                "options.from",
                format!("from {key:?} is not a snapshot of the disk's chain (an id, or a name of exactly one)"),
            )
        })?),
    };
    let bad = |why: String| Error::invalid_argument("checkpoint", why);
    let (start, replicated, current) = match checkpoint {
        None => (from_index.unwrap_or(0), Vec::new(), None),
        Some(cp) => {
            if cp.version != REPLICATE_CHECKPOINT_VERSION {
                return Err(bad(format!("checkpoint version {} is not {REPLICATE_CHECKPOINT_VERSION}", cp.version)));
            }
            if &cp.target != target {
                return Err(bad(format!(
                    "the checkpoint's target is {}, not {}: it belongs to another replication",
                    cp.target.display(),
                    target.display()
                )));
            }
            let first = cp
                .replicated
                .first()
                .map(|r| r.snapshot_id.as_str())
                .or(cp.current.as_ref().map(|c| c.snapshot_id.as_str()));
            let start = match first {
                None => from_index.unwrap_or(0),
                Some(id) => chain
                    .iter()
                    .position(|s| ids_equal(&s.id, id))
                    .ok_or_else(|| bad(format!("the checkpoint's snapshot {id} is not in the disk's chain")))?,
            };
            if from_index.is_some_and(|f| f != start) {
                return Err(bad("the checkpoint started from another snapshot than options.from".into()));
            }
            for (k, r) in cp.replicated.iter().enumerate() {
                if !chain.get(start + k).is_some_and(|s| ids_equal(&s.id, &r.snapshot_id)) {
                    return Err(bad(format!(
                        "the checkpoint's snapshot {} is not where the chain has it: the chain changed",
                        r.snapshot_id
                    )));
                }
            }
            (start, cp.replicated.clone(), cp.current.clone())
        }
    };
    let next = start + replicated.len();
    let steps: Vec<Step> = (next..chain.len())
        .map(|i| Step { snapshot_id: chain[i].id.clone(), previous_id: (i > start).then(|| chain[i - 1].id.clone()) })
        .collect();
    let resume = match current {
        None => None,
        Some(c) => {
            let step = steps.first().ok_or_else(|| bad("the checkpoint's copy under way is past the chain".into()))?;
            let same_prev = match (&c.previous_id, &step.previous_id) {
                (None, None) => true,
                (Some(a), Some(b)) => ids_equal(a, b),
                _ => false,
            };
            if !ids_equal(&c.snapshot_id, &step.snapshot_id) || !same_prev {
                return Err(bad("the checkpoint's copy under way is not the chain's next one".into()));
            }
            Some(c.copy)
        }
    };
    Ok(ReplicatePlan { steps, replicated, resume })
}

/// `cp` with its source and previous blob replaced by those of freshly granted SAS URLs of the
/// same ARM snapshots (checked by [`plan`] through the ARM ids).
pub fn rebind(cp: &Checkpoint, source: &BlobIdentity, previous: Option<&BlobIdentity>) -> Checkpoint {
    let mut out = cp.clone();
    out.source = source.clone();
    out.previous = previous.cloned();
    out.target = cp.target.clone();
    out
}

/// `getSnapshotChanges`' result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotChanges {
    /// The newer snapshot's length.
    pub content_length: u64,
    /// Bytes with data changed.
    pub changed_bytes: u64,
    /// Bytes cleared.
    pub cleared_bytes: u64,
    /// The ranges.
    pub ranges: Vec<super::diff::PageRange>,
}

impl From<PageRangeDiff> for SnapshotChanges {
    fn from(d: PageRangeDiff) -> SnapshotChanges {
        let (mut changed, mut cleared) = (0, 0);
        for r in &d.ranges {
            let n = r.end - r.start + 1;
            if r.cleared {
                cleared += n;
            } else {
                changed += n;
            }
        }
        SnapshotChanges {
            content_length: d.content_length,
            changed_bytes: changed,
            cleared_bytes: cleared,
            ranges: d.ranges,
        }
    }
}

/// The `accessSAS` of a `grantAccess` result.
pub fn access_sas(text: &str) -> Result<String> {
    let v: Option<serde_json::Value> = serde_json::from_str(text).ok();
    v.as_ref()
        .and_then(|v| v.get("accessSAS"))
        .and_then(|s| s.as_str())
        .map(str::to_string)
        .ok_or_else(|| Error::new(crate::error::ErrorCode::InvalidResponse, "the grant's result has no accessSAS URL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<ChainItem> {
        (0..n)
            .map(|i| ChainItem {
                id: format!("/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/snapshots/s{i}"),
                name: format!("s{i}"),
            })
            .collect()
    }
    fn target() -> BlobIdentity {
        BlobIdentity { origin: "https://a.blob.core.windows.net".into(), path: "/c/t".into(), snapshot: None }
    }
    fn copy_cp() -> Checkpoint {
        Checkpoint {
            version: 1,
            source: BlobIdentity { origin: "https://md".into(), path: "/x/abcd".into(), snapshot: Some("1".into()) },
            previous: None,
            target: target(),
            content_length: 1024,
            chunk_bytes: 512,
            clear_chunk_bytes: 512,
            extents: vec![],
            done_below: 0,
            done_above: vec![],
        }
    }
    fn done(id: &str) -> Replicated {
        Replicated { snapshot_id: id.into(), target_snapshot: Some("t".into()), copied_bytes: 1, cleared_bytes: 0 }
    }

    #[test]
    fn full_then_diffs_oldest_first() {
        let c = chain(3);
        let p = plan(&c, None, None, &target()).unwrap();
        assert_eq!(p.steps.len(), 3);
        assert_eq!(p.steps[0].previous_id, None);
        assert_eq!(p.steps[1].previous_id.as_deref(), Some(c[0].id.as_str()));
        assert_eq!(p.steps[2].previous_id.as_deref(), Some(c[1].id.as_str()));
    }

    #[test]
    fn from_by_id_or_name() {
        let c = chain(4);
        let p = plan(&c, Some("S2"), None, &target()).unwrap();
        assert_eq!(
            p.steps.iter().map(|s| s.snapshot_id.clone()).collect::<Vec<_>>(),
            vec![c[2].id.clone(), c[3].id.clone()]
        );
        assert_eq!(p.steps[0].previous_id, None);
        let p = plan(&c, Some(&c[1].id.to_uppercase()), None, &target()).unwrap();
        assert_eq!(p.steps.len(), 3);
        assert_eq!(plan(&c, Some("nope"), None, &target()).unwrap_err().field.as_deref(), Some("options.from"));
        assert!(plan(&[], None, None, &target()).is_err());
    }

    #[test]
    fn resume_positions_and_refusals() {
        let c = chain(4);
        let mut cp = ReplicateCheckpoint {
            version: 1,
            target: target(),
            replicated: vec![done(&c[1].id), done(&c[2].id)],
            current: Some(Current {
                snapshot_id: c[3].id.clone(),
                previous_id: Some(c[2].id.clone()),
                copy: copy_cp(),
            }),
        };
        let p = plan(&c, None, Some(&cp), &target()).unwrap();
        assert_eq!(p.steps, vec![Step { snapshot_id: c[3].id.clone(), previous_id: Some(c[2].id.clone()) }]);
        assert_eq!(p.replicated.len(), 2);
        assert!(p.resume.is_some());
        assert!(plan(&c, Some("s1"), Some(&cp), &target()).is_ok());
        assert_eq!(plan(&c, Some("s0"), Some(&cp), &target()).unwrap_err().field.as_deref(), Some("checkpoint"));
        let other = BlobIdentity { path: "/c/other".into(), ..target() };
        assert!(plan(&c, None, Some(&cp), &other).is_err());
        cp.current.as_mut().unwrap().previous_id = None;
        assert!(plan(&c, None, Some(&cp), &target()).is_err());
        cp.current = None;
        cp.replicated = vec![done(&c[2].id), done(&c[1].id)];
        assert!(plan(&c, None, Some(&cp), &target()).is_err(), "out of chain order");
        cp.replicated = (0..4).map(|i| done(&c[i].id)).collect();
        assert!(plan(&c, None, Some(&cp), &target()).unwrap().steps.is_empty(), "all done");
    }

    #[test]
    fn rebind_and_changes() {
        let new_source =
            BlobIdentity { origin: "https://md2".into(), path: "/y/abcd".into(), snapshot: Some("9".into()) };
        let cp = rebind(&copy_cp(), &new_source, None);
        assert_eq!(cp.source, new_source);
        assert_eq!(cp.target, target());
        let d = PageRangeDiff {
            content_length: 4096,
            ranges: vec![
                super::super::diff::PageRange { start: 0, end: 1023, cleared: false },
                super::super::diff::PageRange { start: 2048, end: 2559, cleared: true },
            ],
        };
        let s = SnapshotChanges::from(d);
        assert_eq!((s.changed_bytes, s.cleared_bytes), (1024, 512));
        assert_eq!(access_sas(r#"{"accessSAS":"https://x/y/z?sig=1"}"#).unwrap(), "https://x/y/z?sig=1");
        assert!(access_sas("null").is_err());
    }
}
