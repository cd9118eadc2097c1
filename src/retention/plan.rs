//! The plan of one listing: its incremental chains (as `groupSnapshotChains` groups them), each
//! planned on its own by the rules, with the snapshots that are never removed set aside.

use super::policy::{RetentionOptions, RetentionPolicy};
use crate::filter::{group_snapshot_chains, ChainKind, DiskIdentity};
use crate::read::push_json_str;
use crate::resource_id::{id_key, ids_equal};
use crate::scan::ScannedSnapshot;
use crate::time::{civil_from_days, iso_week, Instant};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Why a snapshot is kept, in the order `reasons` lists them: the rules, then the protections.
const REASONS: [&str; 13] = [
    "last",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "within",
    "in-progress",
    "locked",
    "immutable",
    "orphan",
    "undated",
    "unreadable",
];
const LAST: usize = 0;
const WITHIN: usize = 6;
const IN_PROGRESS: usize = 7;
const LOCKED: usize = 8;
const IMMUTABLE: usize = 9;
const ORPHAN: usize = 10;
const UNDATED: usize = 11;
const UNREADABLE: usize = 12;

/// The plan of a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionPlan {
    /// One entry per incremental chain, by source id (case ignored), then source `uniqueId`.
    pub chains: Vec<ChainPlan>,
}

/// The plan of one chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainPlan {
    /// The source disk's id, as the chain's newest snapshot wrote it.
    pub source_resource_id: Option<String>,
    /// The source disk's `uniqueId` when the snapshots were taken.
    pub source_unique_id: Option<String>,
    /// True when the chain is orphan (see [`RetentionOptions::disks`]).
    pub orphan: bool,
    /// The snapshots kept, newest first (undated ones last).
    pub keep: Vec<KeptSnapshot>,
    /// The snapshots to delete, newest first.
    pub remove: Vec<RemovedSnapshot>,
}

/// A snapshot the plan keeps, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptSnapshot {
    /// `id`.
    pub id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `properties.timeCreated` as written.
    pub time_created: Option<String>,
    /// Every rule and protection that keeps it: `last`, `hourly`, `daily`, `weekly`, `monthly`,
    /// `yearly`, `within`, `in-progress`, `locked`, `immutable`, `orphan`, `undated`,
    /// `unreadable`, in that order.
    pub reasons: Vec<&'static str>,
}

/// A snapshot the plan deletes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovedSnapshot {
    /// `id`.
    pub id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `properties.timeCreated` as written.
    pub time_created: Option<String>,
}

/// `s` in lower case, as `str::to_lowercase` makes it. In the wasm build, text other than ASCII
/// goes through JS's `toLowerCase` (the same Unicode mapping): std's case tables, which only this
/// used, weigh about 10 KB gzip.
fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(s).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    s.to_lowercase()
}

/// Appends `{"id":…,"name":…,"timeCreated":…` (the object left open).
fn push_snapshot_keys(out: &mut String, id: &Option<String>, name: &Option<String>, time: &Option<String>) {
    out.push_str("{\"id\":");
    push_json_str(out, id.as_deref());
    out.push_str(",\"name\":");
    push_json_str(out, name.as_deref());
    out.push_str(",\"timeCreated\":");
    push_json_str(out, time.as_deref());
}

impl RetentionPlan {
    /// The plan's JSON, written by hand: the text `serde_json::to_string` makes of it (the
    /// derive's field names and order), without the derive's code in the wasm.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"chains\":[");
        for (i, c) in self.chains.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"sourceResourceId\":");
            push_json_str(&mut out, c.source_resource_id.as_deref());
            out.push_str(",\"sourceUniqueId\":");
            push_json_str(&mut out, c.source_unique_id.as_deref());
            out.push_str(if c.orphan { ",\"orphan\":true,\"keep\":[" } else { ",\"orphan\":false,\"keep\":[" });
            for (j, k) in c.keep.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                push_snapshot_keys(&mut out, &k.id, &k.name, &k.time_created);
                out.push_str(",\"reasons\":[");
                for (r, reason) in k.reasons.iter().enumerate() {
                    if r > 0 {
                        out.push(',');
                    }
                    push_json_str(&mut out, Some(reason));
                }
                out.push_str("]}");
            }
            out.push_str("],\"remove\":[");
            for (j, r) in c.remove.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                push_snapshot_keys(&mut out, &r.id, &r.name, &r.time_created);
                out.push('}');
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        out
    }
}

/// Whether a snapshot's `properties.immutabilityPolicy` (present, not null) still protects it:
/// any value does, except an object that says `isPolicyExpired: true` (ARM keeps an expired
/// policy on the snapshot). No clock is read: an expiry time alone is not trusted over that flag.
fn policy_active(policy: &Value) -> bool {
    match policy {
        Value::Object(m) => m.get("isPolicyExpired") != Some(&Value::Bool(true)),
        _ => true,
    }
}

/// The fields only retention reads, from a snapshot's verbatim JSON: whether a tag is named
/// `lock_tag` (ASCII case ignored), `properties.provisioningState`, and whether an active
/// immutability policy protects it; `None` when the snapshot does not read (a field of
/// another type), as the serde derive this replaces refused it.
fn retention_keys(raw: &str, lock_tag: &str) -> Option<(bool, Option<String>, bool)> {
    use crate::read::{field, obj, obj_at, str_at};
    let v = crate::read::parse(raw).ok()?;
    let top = obj(Some(&v), "").ok()?;
    let tags = obj_at(top, "tags", "").ok()?;
    let locked = tags.is_some_and(|t| t.keys().any(|k| k.eq_ignore_ascii_case(lock_tag)));
    let props = obj_at(top, "properties", "").ok()?;
    let state = str_at(props, "provisioningState", "").ok()?.map(str::to_string);
    let immutable = field(props, "immutabilityPolicy").is_some_and(policy_active);
    Some((locked, state, immutable))
}

/// One member of a chain with what the plan knows of it.
struct Member<'s, 'a> {
    s: &'s ScannedSnapshot<'a>,
    id_lower: String,
    reasons: u16,
    /// Whether the rules see it: dated, finished and readable.
    eligible: bool,
}

impl Member<'_, '_> {
    /// Newest first: dated ones by `timeCreated`, then id (case ignored, then exact, then the
    /// verbatim text), all descending; undated ones after them in the same id order.
    fn order(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }

    fn key(&self) -> (bool, Option<Instant>, &str, Option<&str>, &str) {
        (self.s.created_at.is_some(), self.s.created_at, &self.id_lower, self.s.id.as_deref(), self.s.raw)
    }
}

fn protections(s: &ScannedSnapshot<'_>, lock_tag: &str) -> u16 {
    let mut r = 0u16;
    if s.created_at.is_none() {
        r |= 1 << UNDATED;
    }
    if s.completion_percent.is_some_and(|p| p < 100.0) {
        r |= 1 << IN_PROGRESS;
    }
    match retention_keys(s.raw, lock_tag) {
        None => r |= 1 << UNREADABLE,
        Some((locked, state, immutable)) => {
            if locked {
                r |= 1 << LOCKED;
            }
            if state.is_some_and(|st| !st.eq_ignore_ascii_case("Succeeded")) {
                r |= 1 << IN_PROGRESS;
            }
            if immutable {
                r |= 1 << IMMUTABLE;
            }
        }
    }
    r
}

/// A bucket rule: which bucket an instant falls in.
type Bucket = fn(Instant) -> i64;

fn day_of(t: Instant) -> i64 {
    t.secs.div_euclid(86_400)
}

const BUCKETS: [Bucket; 5] = [
    |t| t.secs.div_euclid(3_600),
    day_of,
    |t| {
        let (year, week) = iso_week(day_of(t));
        year * 100 + i64::from(week)
    },
    |t| {
        let (year, month, _) = civil_from_days(day_of(t));
        year * 12 + i64::from(month)
    },
    |t| civil_from_days(day_of(t)).0,
];

/// Plans one chain (its members in any order).
fn plan_chain(
    members: &[&ScannedSnapshot<'_>],
    policy: &RetentionPolicy,
    opts: &RetentionOptions,
    orphan: bool,
) -> (Vec<KeptSnapshot>, Vec<RemovedSnapshot>) {
    let mut ms: Vec<Member> = members
        .iter()
        .map(|s| {
            let mut reasons = protections(s, &opts.lock_tag);
            if orphan && !opts.include_orphans {
                reasons |= 1 << ORPHAN;
            }
            let eligible = reasons & (1 << UNDATED | 1 << IN_PROGRESS | 1 << UNREADABLE) == 0;
            Member { s, id_lower: lower(s.id.as_deref().unwrap_or("")), reasons, eligible }
        })
        .collect();
    crate::sort::stable_sort_by(&mut ms, |a, b| a.order(b));
    let eligible: Vec<usize> = (0..ms.len()).filter(|&i| ms[i].eligible).collect();
    // keepLast: the n newest.
    for &i in eligible.iter().take(policy.keep_last) {
        ms[i].reasons |= 1 << LAST;
    }
    // The bucket rules: newest first, a snapshot whose bucket differs from the last one this
    // rule kept, until n buckets.
    let counts = [policy.keep_hourly, policy.keep_daily, policy.keep_weekly, policy.keep_monthly, policy.keep_yearly];
    for (rule, (count, bucket)) in counts.into_iter().zip(BUCKETS).enumerate() {
        let mut left = count;
        let mut last = None;
        for &i in &eligible {
            if left == 0 {
                break;
            }
            let Some(t) = ms[i].s.created_at else { continue };
            let b = bucket(t);
            if last != Some(b) {
                last = Some(b);
                left -= 1;
                ms[i].reasons |= 1 << (LAST + 1 + rule);
            }
        }
    }
    // keepWithin: at or after the newest minus the duration.
    if let (Some(d), Some(newest)) =
        (policy.keep_within.filter(|d| !d.is_zero()), eligible.first().and_then(|&i| ms[i].s.created_at))
    {
        let cutoff = d.before(newest);
        for &i in &eligible {
            let Some(t) = ms[i].s.created_at else { continue };
            if at_or_after(t, cutoff) {
                ms[i].reasons |= 1 << WITHIN;
            }
        }
    }
    let text = |c: &Option<Cow<'_, str>>| c.as_deref().map(str::to_string);
    let (mut keep, mut remove) = (Vec::new(), Vec::new());
    for m in &ms {
        let (id, name, time_created) = (text(&m.s.id), text(&m.s.name), text(&m.s.time_created));
        if m.reasons == 0 {
            remove.push(RemovedSnapshot { id, name, time_created });
        } else {
            let reasons = (0..REASONS.len()).filter(|r| m.reasons & (1 << r) != 0).map(|r| REASONS[r]).collect();
            keep.push(KeptSnapshot { id, name, time_created, reasons });
        }
    }
    (keep, remove)
}

/// Whether `t` is at or after `cutoff` (`None`: before any instant).
fn at_or_after(t: Instant, cutoff: Option<(i128, u32)>) -> bool {
    cutoff.map_or(true, |c| (i128::from(t.secs), t.nanos) >= c)
}

fn is_orphan(source: Option<&str>, unique: Option<&str>, grouped_orphan: bool, disks: Option<&[DiskIdentity]>) -> bool {
    match disks {
        None => grouped_orphan,
        Some(disks) => !disks.iter().any(|d| {
            source.is_some_and(|s| ids_equal(s, &d.id)) && unique.is_some_and(|u| u.eq_ignore_ascii_case(&d.unique_id))
        }),
    }
}

/// Plans every incremental chain of a listing (the scanner's reading of every item, e.g.
/// [`crate::scan::read_listing_str`]'s candidates). Full snapshots, cross-region copies and
/// snapshots without a source are not planned (they appear in no chain).
pub fn plan_retention(
    items: &[ScannedSnapshot<'_>],
    policy: &RetentionPolicy,
    opts: &RetentionOptions,
) -> RetentionPlan {
    let report = group_snapshot_chains(items, &[]);
    // The report hands snapshots back as their verbatim text: each is one span of the listing.
    let by_span: HashMap<(usize, usize), &ScannedSnapshot<'_>> =
        items.iter().map(|s| ((s.raw.as_ptr() as usize, s.raw.len()), s)).collect();
    let mut planned: Vec<(String, String, String, ChainPlan)> = report
        .chains
        .iter()
        .filter(|c| c.kind == ChainKind::Incremental)
        .map(|c| {
            let members: Vec<&ScannedSnapshot<'_>> = c
                .snapshots
                .iter()
                .filter_map(|raw| by_span.get(&(raw.as_ptr() as usize, raw.len())).copied())
                .collect();
            let (source, unique) = (c.source_resource_id.as_deref(), c.source_unique_id.as_deref());
            let orphan = is_orphan(source, unique, c.orphaned, opts.disks.as_deref());
            let (keep, remove) = plan_chain(&members, policy, opts, orphan);
            let plan = ChainPlan {
                source_resource_id: c.source_resource_id.clone(),
                source_unique_id: c.source_unique_id.clone(),
                orphan,
                keep,
                remove,
            };
            (id_key(source.unwrap_or("")), lower(unique.unwrap_or("")), c.key.clone(), plan)
        })
        .collect();
    crate::sort::stable_sort_by(&mut planned, |a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    RetentionPlan { chains: planned.into_iter().map(|p| p.3).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_written_json_is_what_serde_writes() {
        let kept = |id: Option<&str>, reasons: Vec<&'static str>| KeptSnapshot {
            id: id.map(String::from),
            name: Some("n \"q\" \\ \u{1} \u{7f} é 😀\n\t".into()),
            time_created: None,
            reasons,
        };
        let removed =
            RemovedSnapshot { id: Some("/x".into()), name: None, time_created: Some("2024-01-01T00:00:00Z".into()) };
        for plan in [
            RetentionPlan { chains: vec![] },
            RetentionPlan {
                chains: vec![
                    ChainPlan {
                        source_resource_id: None,
                        source_unique_id: None,
                        orphan: true,
                        keep: vec![],
                        remove: vec![],
                    },
                    ChainPlan {
                        source_resource_id: Some("/subscriptions/s/x".into()),
                        source_unique_id: Some("u\u{1f}".into()),
                        orphan: false,
                        keep: vec![kept(Some("a"), vec![]), kept(None, vec!["last", "in-progress"])],
                        remove: vec![removed.clone(), removed],
                    },
                ],
            },
        ] {
            assert_eq!(plan.to_json(), serde_json::to_string(&plan).unwrap());
        }
    }
}
