//! Incremental-snapshot chains: one disk's chain, and every chain of a listing.
//!
//! [`filter_incremental_snapshots_json`] has exactly the documented semantics (PowerShell's
//! `Get-AzSnapshot | Where-Object { $_.Incremental -and $_.CreationData.SourceResourceId -eq
//! $disk.Id -and $_.CreationData.SourceUniqueId -eq $disk.UniqueId }`), with the ids compared
//! ignoring case as ARM compares them, and the result ordered oldest first by `timeCreated`.
//! [`group_snapshot_chains`] goes further and returns every chain of a listing, so snapshots of
//! a disk that was deleted and recreated (same id, new `uniqueId`) show up as orphans.
//!
//! Listings are read by the byte scanner ([`crate::scan`]) as [`ScannedSnapshot`]s: only the
//! handful of fields the chains need are parsed, and each snapshot's JSON text is kept verbatim
//! so a match is handed back exactly as ARM sent it, unknown properties included, without
//! building the rest. The chain rule and order are the scanner's ([`ScannedSnapshot::belongs_to`],
//! [`chain_order_of`]); grouping keys compare ids as [`ids_equal`] does ([`id_key`]).

use crate::error::{Error, Result};
use crate::read::push_json_str;
use crate::resource_id::{id_key, ids_equal, ResourceId};
use crate::scan::{chain_order_of, ScannedSnapshot};
use crate::time::parse_timestamp;
use serde::Serialize;
use std::collections::HashMap;

/// At most this many incremental snapshots may exist per disk (REFERENCE.md section 4).
pub const MAX_INCREMENTAL_SNAPSHOTS_PER_DISK: usize = 500;

/// The two facts that identify a disk's snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskIdentity {
    /// The disk's ARM id, validated as a disk id.
    pub resource: ResourceId,
    /// `resource` as text (what the chain rule compares snapshots' `sourceResourceId` with).
    pub id: String,
    /// The disk's `properties.uniqueId`.
    pub unique_id: String,
}

impl DiskIdentity {
    /// Reads `id` and `properties.uniqueId` from a disk's JSON. Both are required: without the
    /// `uniqueId` a recreated disk's old snapshots cannot be told apart.
    pub fn from_disk_json(text: &str) -> Result<DiskIdentity> {
        // Read by the byte scanner (validated whole, then two members), not through a
        // `serde_json::Value`: the filter entry then has no JSON parser but the scanner's.
        use crate::scan::{raw_member, raw_value, string_member};
        let bad = |why: &str| Error::invalid_json("disk", format!("disk is not a disk object: {why}"));
        let top = raw_value(text).ok_or_else(|| bad("it is not valid JSON"))?;
        if !top.starts_with('{') {
            return Err(bad("expected an object"));
        }
        let id = string_member(top, "id").map_err(|()| bad("id must be a string"))?;
        let props = match raw_member(top, "properties") {
            None | Some("null") => None,
            Some(p) if p.starts_with('{') => Some(p),
            Some(_) => return Err(bad("properties must be an object")),
        };
        let unique_id = match props {
            Some(p) => string_member(p, "uniqueId").map_err(|()| bad("properties.uniqueId must be a string"))?,
            None => None,
        };
        let id = id.ok_or_else(|| Error::invalid_argument("disk.id", "the disk has no id"))?;
        let parsed = ResourceId::parse_of_type(&id, crate::resource_id::DISKS).map_err(|e| e.with_field("disk.id"))?;
        let unique_id = unique_id.ok_or_else(|| {
            Error::invalid_argument(
                "disk.properties.uniqueId",
                "the disk has no properties.uniqueId, so snapshots of a recreated disk cannot be told apart; read the disk from ARM (getDisk) first",
            )
        })?;
        Ok(DiskIdentity { id: parsed.to_string(), resource: parsed, unique_id })
    }
}

/// Whether `hay` contains `needle`, ASCII case ignored: the cheap test by which a reading of a
/// listing skips the snapshots that cannot name a disk's `uniqueId`. Test support: the serde
/// reference of the scanner (`tests/it/scan.rs`) skips with it; the scanner has its own search.
#[doc(hidden)]
pub fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    if h.len() < n.len() {
        return false;
    }
    // Anchor on the needle's longest run of bytes without case (a GUID's digits and dashes):
    // the standard substring search finds it exactly and fast; each hit is then checked whole.
    let (mut anchor_at, mut anchor_len, mut run_at) = (0, 0, 0);
    for i in 0..=n.len() {
        if i == n.len() || n[i].is_ascii_alphabetic() || !n[i].is_ascii() {
            if i - run_at > anchor_len {
                (anchor_at, anchor_len) = (run_at, i - run_at);
            }
            run_at = i + 1;
        }
    }
    if anchor_len < 3 {
        return (0..=h.len() - n.len()).any(|i| h[i..i + n.len()].eq_ignore_ascii_case(n));
    }
    let anchor = &needle[anchor_at..anchor_at + anchor_len];
    let mut from = 0;
    while let Some(found) = hay.get(from..).and_then(|rest| rest.find(anchor)) {
        let at = from + found;
        if let Some(start) = at.checked_sub(anchor_at) {
            if h.get(start..start + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)) {
                return true;
            }
        }
        // The anchor is ASCII, so the byte after its first byte starts a character.
        from = at + 1;
    }
    false
}

/// `filterIncrementalSnapshots` on JSON text: the disk's JSON and a listing's JSON in, the
/// chain's JSON array out. The listing goes through the byte scanner ([`crate::scan`]): all of
/// it validated, only the items that mention the disk's `uniqueId` read.
pub fn filter_incremental_snapshots_json(disk_json: &str, snapshots_json: &str) -> Result<String> {
    let disk = DiskIdentity::from_disk_json(disk_json)?;
    Ok(crate::scan::raw_array(&crate::scan::filter_chain_str(&disk, snapshots_json)?))
}

/// [`filter_incremental_snapshots_json`] on the listing's bytes (UTF-8 JSON, as fetched).
pub fn filter_incremental_snapshots_bytes(disk_json: &str, snapshots: &[u8]) -> Result<String> {
    let disk = DiskIdentity::from_disk_json(disk_json)?;
    Ok(crate::scan::raw_array(&crate::scan::filter_chain(&disk, snapshots)?))
}

/// What a chain is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChainKind {
    /// Incremental snapshots of one disk incarnation (`createOption: Copy` from a disk).
    Incremental,
    /// Cross-region copies (`CopyStart`) of one incremental family.
    CrossRegionCopy,
    /// Full (not incremental) snapshots of one source.
    Full,
}

/// One chain of a listing, oldest snapshot first.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chain<'a> {
    /// A stable key: lower-cased source id, source unique id and family id joined by `|`.
    pub key: String,
    /// What the chain is made of.
    pub kind: ChainKind,
    /// The source disk or snapshot id, as the newest snapshot wrote it.
    pub source_resource_id: Option<String>,
    /// The source's `uniqueId` when the snapshots were taken.
    pub source_unique_id: Option<String>,
    /// `incrementalSnapshotFamilyId`, when ARM reported one.
    pub incremental_snapshot_family_id: Option<String>,
    /// True when the source disk has since been deleted and recreated (or, without the disk
    /// at hand, when a newer chain of the same source id started after this one ended).
    pub orphaned: bool,
    /// True when a disk passed in is this chain's current source.
    pub current: bool,
    /// Number of snapshots.
    pub count: usize,
    /// The per-disk limit that applies (500 for incremental chains), or null.
    pub limit: Option<usize>,
    /// How many more snapshots fit under the limit, or null.
    pub remaining: Option<usize>,
    /// Snapshots whose background copy is not finished (`completionPercent` below 100).
    pub pending_copies: usize,
    /// `timeCreated` of the oldest snapshot.
    pub oldest: Option<String>,
    /// `timeCreated` of the newest snapshot.
    pub newest: Option<String>,
    /// The snapshots, oldest first, verbatim.
    #[serde(serialize_with = "verbatim")]
    pub snapshots: Vec<&'a str>,
}

/// Every chain of a listing, plus the snapshots that belong to none.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport<'a> {
    /// The chains: incremental ones first, then copies, then full; each group by source id and
    /// oldest snapshot.
    pub chains: Vec<Chain<'a>>,
    /// Snapshots with no `creationData.sourceResourceId` (imports, uploads, ...).
    #[serde(serialize_with = "verbatim")]
    pub unsourced: Vec<&'a str>,
    /// Number of snapshots read.
    pub total: usize,
    /// For each disk passed in, in the order given: its chain by the documented rule, exactly
    /// what `filterIncrementalSnapshots` returns (so a consumer needs one pass, not two).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<DiskChain<'a>>,
}

/// One disk's chain in a [`ChainReport`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskChain<'a> {
    /// The disk's id.
    pub id: String,
    /// The disk's `uniqueId`.
    pub unique_id: String,
    /// Its incremental snapshots (the documented rule), oldest first, verbatim.
    #[serde(serialize_with = "verbatim")]
    pub snapshots: Vec<&'a str>,
}

impl ChainReport<'_> {
    /// The report's JSON, written by hand: the text `serde_json::to_string` makes of it (the
    /// derive's field names and order, snapshots verbatim), without serde's code in the wasm.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"chains\":[");
        for (i, c) in self.chains.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"key\":");
            push_json_str(&mut out, Some(&c.key));
            out.push_str(match c.kind {
                ChainKind::Incremental => ",\"kind\":\"incremental\"",
                ChainKind::CrossRegionCopy => ",\"kind\":\"crossRegionCopy\"",
                ChainKind::Full => ",\"kind\":\"full\"",
            });
            out.push_str(",\"sourceResourceId\":");
            push_json_str(&mut out, c.source_resource_id.as_deref());
            out.push_str(",\"sourceUniqueId\":");
            push_json_str(&mut out, c.source_unique_id.as_deref());
            out.push_str(",\"incrementalSnapshotFamilyId\":");
            push_json_str(&mut out, c.incremental_snapshot_family_id.as_deref());
            out.push_str(",\"orphaned\":");
            out.push_str(if c.orphaned { "true" } else { "false" });
            out.push_str(",\"current\":");
            out.push_str(if c.current { "true" } else { "false" });
            out.push_str(",\"count\":");
            push_num(&mut out, Some(c.count));
            out.push_str(",\"limit\":");
            push_num(&mut out, c.limit);
            out.push_str(",\"remaining\":");
            push_num(&mut out, c.remaining);
            out.push_str(",\"pendingCopies\":");
            push_num(&mut out, Some(c.pending_copies));
            out.push_str(",\"oldest\":");
            push_json_str(&mut out, c.oldest.as_deref());
            out.push_str(",\"newest\":");
            push_json_str(&mut out, c.newest.as_deref());
            out.push_str(",\"snapshots\":");
            push_raw_list(&mut out, &c.snapshots);
            out.push('}');
        }
        out.push_str("],\"unsourced\":");
        push_raw_list(&mut out, &self.unsourced);
        out.push_str(",\"total\":");
        push_num(&mut out, Some(self.total));
        if !self.disks.is_empty() {
            out.push_str(",\"disks\":[");
            for (i, d) in self.disks.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"id\":");
                push_json_str(&mut out, Some(&d.id));
                out.push_str(",\"uniqueId\":");
                push_json_str(&mut out, Some(&d.unique_id));
                out.push_str(",\"snapshots\":");
                push_raw_list(&mut out, &d.snapshots);
                out.push('}');
            }
            out.push(']');
        }
        out.push('}');
        out
    }
}

fn push_num(out: &mut String, n: Option<usize>) {
    match n {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
}

/// `[a,b,…]` of verbatim items (the scanner's validated spans, written as they are).
fn push_raw_list(out: &mut String, items: &[&str]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
}

/// Groups a listing into chains. `disks` are optional: for each disk passed, its current chain is
/// marked `current` and the chains of earlier incarnations `orphaned` for certain.
pub fn group_snapshot_chains<'a>(items: &[ScannedSnapshot<'a>], disks: &[DiskIdentity]) -> ChainReport<'a> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, (ChainKind, Vec<&ScannedSnapshot<'a>>)> = HashMap::new();
    let mut unsourced = Vec::new();
    let lower = |s: Option<&str>| s.unwrap_or("").to_ascii_lowercase();
    for s in items {
        let Some(source) = s.source_resource_id.as_deref() else {
            unsourced.push(s);
            continue;
        };
        let source_key = id_key(source);
        let is_copy = s.create_option.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("CopyStart"));
        let (kind, key) = if !s.incremental {
            (ChainKind::Full, format!("full|{source_key}|{}", lower(s.source_unique_id.as_deref())))
        } else if is_copy && s.family_id.is_some() {
            (ChainKind::CrossRegionCopy, format!("copy|{}", lower(s.family_id.as_deref())))
        } else {
            (
                ChainKind::Incremental,
                format!("{source_key}|{}|{}", lower(s.source_unique_id.as_deref()), lower(s.family_id.as_deref())),
            )
        };
        groups
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                (kind, Vec::new())
            })
            .1
            .push(s);
    }
    let mut chains: Vec<Chain<'a>> = order
        .into_iter()
        .filter_map(|key| {
            let (kind, mut members) = groups.remove(&key)?;
            crate::sort::stable_sort_by(&mut members, |a, b| a.chain_order(b));
            let newest = *members.last()?;
            let oldest = *members.first()?;
            let count = members.len();
            let limit = (kind == ChainKind::Incremental).then_some(MAX_INCREMENTAL_SNAPSHOTS_PER_DISK);
            Some(Chain {
                key,
                kind,
                source_resource_id: newest.source_resource_id.as_deref().map(str::to_string),
                source_unique_id: newest.source_unique_id.as_deref().map(str::to_string),
                incremental_snapshot_family_id: newest.family_id.as_deref().map(str::to_string),
                orphaned: false,
                current: false,
                count,
                limit,
                remaining: limit.map(|l| l.saturating_sub(count)),
                pending_copies: members.iter().filter(|s| s.completion_percent.is_some_and(|p| p < 100.0)).count(),
                oldest: oldest.time_created.as_deref().map(str::to_string),
                newest: newest.time_created.as_deref().map(str::to_string),
                snapshots: members.iter().map(|s| s.raw).collect(),
            })
        })
        .collect();
    mark_orphans(&mut chains, disks);
    crate::sort::stable_sort_by(&mut chains, |a, b| {
        let rank = |k: ChainKind| k as u8;
        rank(a.kind)
            .cmp(&rank(b.kind))
            .then_with(|| lower(a.source_resource_id.as_deref()).cmp(&lower(b.source_resource_id.as_deref())))
            .then_with(|| chain_order_of((parsed(&a.oldest), None, None), (parsed(&b.oldest), None, None)))
            .then_with(|| a.key.cmp(&b.key))
    });
    ChainReport {
        chains,
        unsourced: {
            let mut u: Vec<&ScannedSnapshot<'a>> = unsourced;
            crate::sort::stable_sort_by(&mut u, |a, b| a.chain_order(b));
            u.into_iter().map(|s| s.raw).collect()
        },
        total: items.len(),
        disks: disks
            .iter()
            .map(|disk| {
                let mut members: Vec<&ScannedSnapshot<'a>> = items.iter().filter(|s| s.belongs_to(disk)).collect();
                crate::sort::stable_sort_by(&mut members, |a, b| a.chain_order(b));
                DiskChain {
                    id: disk.id.clone(),
                    unique_id: disk.unique_id.clone(),
                    snapshots: members.into_iter().map(|s| s.raw).collect(),
                }
            })
            .collect(),
    }
}

fn parsed(t: &Option<String>) -> Option<crate::time::Instant> {
    t.as_deref().and_then(parse_timestamp)
}

/// Each item's verbatim JSON text (validated by the scanner) written as it is.
fn verbatim<S: serde::Serializer>(items: &[&str], s: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::{Error as _, SerializeSeq};
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for item in items {
        #[cfg(not(target_arch = "wasm32"))]
        let raw: &serde_json::value::RawValue = serde_json::from_str(item).map_err(S::Error::custom)?;
        #[cfg(target_arch = "wasm32")]
        let raw: serde_json::Value = serde_json::from_str(item).map_err(S::Error::custom)?;
        seq.serialize_element(&raw)?;
    }
    seq.end()
}

/// Marks `current` / `orphaned` incremental chains: for certain when the disk is known, else
/// when a later incarnation of the same source id started after this chain's newest snapshot.
fn mark_orphans(chains: &mut [Chain<'_>], disks: &[DiskIdentity]) {
    let n = chains.len();
    for i in 0..n {
        if chains[i].kind != ChainKind::Incremental {
            continue;
        }
        let Some(source) = chains[i].source_resource_id.clone() else {
            continue;
        };
        let unique = chains[i].source_unique_id.clone().unwrap_or_default();
        if let Some(disk) = disks.iter().find(|d| ids_equal(&d.id, &source)) {
            let current = disk.unique_id.eq_ignore_ascii_case(&unique);
            chains[i].current = current;
            chains[i].orphaned = !current;
            continue;
        }
        let my_newest = parsed(&chains[i].newest);
        let superseded = (0..n).any(|j| {
            j != i
                && chains[j].kind == ChainKind::Incremental
                && chains[j].source_resource_id.as_deref().is_some_and(|s| ids_equal(s, &source))
                && !chains[j].source_unique_id.as_deref().unwrap_or_default().eq_ignore_ascii_case(&unique)
                && my_newest.is_some()
                && parsed(&chains[j].oldest).is_some_and(|other_oldest| Some(other_oldest) > my_newest)
        });
        chains[i].orphaned = superseded;
    }
}

/// `groupSnapshotChains` on JSON text: a listing in, the report's JSON out. `disks_json`, when
/// given, is a JSON array of disk objects.
pub fn group_snapshot_chains_json(snapshots_json: &str, disks_json: Option<&str>) -> Result<String> {
    let listing = crate::scan::read_listing_str(snapshots_json)?;
    let disks = match disks_json {
        None => Vec::new(),
        Some(text) => {
            let raws = crate::read::raw_items(text).ok_or_else(|| {
                let why = crate::read::why_not(text, "an array");
                Error::invalid_json("options.disks", format!("disks must be an array of disk objects: {why}"))
            })?;
            raws.iter()
                .enumerate()
                .map(|(i, r)| {
                    DiskIdentity::from_disk_json(r).map_err(|e| {
                        let field =
                            e.field.clone().unwrap_or_default().replacen("disk", &format!("options.disks[{i}]"), 1);
                        e.with_field(field)
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    let report = group_snapshot_chains(&listing.candidates, &disks);
    Ok(report.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const SUB: &str = "00000000-0000-0000-0000-000000000000";

    fn snap(name: &str, disk: &str, unique: &str, incremental: bool, time: &str) -> String {
        format!(
            r#"{{"name":"{name}","id":"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/{name}","properties":{{"incremental":{incremental},"timeCreated":"{time}","creationData":{{"createOption":"Copy","sourceResourceId":"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/{disk}","sourceUniqueId":"{unique}"}},"incrementalSnapshotFamilyId":"fam-{unique}"}}}}"#
        )
    }

    fn disk(name: &str, unique: &str) -> String {
        format!(
            r#"{{"id":"/subscriptions/{SUB}/resourceGroups/RG/providers/Microsoft.Compute/disks/{name}","properties":{{"uniqueId":"{unique}"}}}}"#
        )
    }

    fn names(json: &str) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn filter_keeps_the_disk_incarnation_oldest_first() {
        let listing = format!(
            "[{},{},{},{},{}]",
            snap("c", "d1", "u-new", true, "2024-01-03T00:00:00Z"),
            snap("a", "D1", "U-NEW", true, "2024-01-01T00:00:00+00:00"),
            snap("old", "d1", "u-old", true, "2023-01-01T00:00:00Z"),
            snap("full", "d1", "u-new", false, "2024-01-02T00:00:00Z"),
            snap("other", "d2", "u-new", true, "2024-01-02T00:00:00Z"),
        );
        let out = filter_incremental_snapshots_json(&disk("d1", "u-new"), &listing).unwrap();
        assert_eq!(names(&out), ["a", "c"]);
        let page = format!(r#"{{"value":{listing},"nextLink":null}}"#);
        assert_eq!(filter_incremental_snapshots_json(&disk("d1", "u-new"), &page).unwrap(), out);
    }

    #[test]
    fn disk_without_unique_id_is_a_typed_error() {
        let d = format!(r#"{{"id":"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d"}}"#);
        let err = filter_incremental_snapshots_json(&d, "[]").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("disk.properties.uniqueId"));
    }

    #[test]
    fn groups_orphans_without_and_with_the_disk() {
        let listing = format!(
            "[{},{},{},{}]",
            snap("new1", "d1", "u-new", true, "2024-02-01T00:00:00Z"),
            snap("old1", "d1", "u-old", true, "2023-01-01T00:00:00Z"),
            snap("old2", "d1", "u-old", true, "2023-01-02T00:00:00Z"),
            snap("full", "d1", "u-new", false, "2024-01-02T00:00:00Z"),
        );
        let report: serde_json::Value =
            serde_json::from_str(&group_snapshot_chains_json(&listing, None).unwrap()).unwrap();
        let chains = report["chains"].as_array().unwrap();
        assert_eq!(chains.len(), 3);
        let old = chains.iter().find(|c| c["sourceUniqueId"] == "u-old").unwrap();
        assert_eq!(old["orphaned"], true);
        assert_eq!(old["count"], 2);
        assert_eq!(old["remaining"], 498);
        assert_eq!(chains.last().unwrap()["kind"], "full");
        let with_disk = group_snapshot_chains_json(&listing, Some(&format!("[{}]", disk("d1", "u-new")))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&with_disk).unwrap();
        let cur = v["chains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["sourceUniqueId"] == "u-new" && c["kind"] == "incremental")
            .unwrap();
        assert_eq!(cur["current"], true);
        assert_eq!(cur["orphaned"], false);
    }

    #[test]
    fn the_hand_written_report_is_what_serde_writes() {
        let listing = format!(
            "[{},{},{}, {{\"name\":\"q\\\"\\u00e9\\n\",\"properties\":{{}}}}]",
            snap("new1", "d1", "u-\\\"new", true, "2024-02-01T00:00:00Z"),
            snap("old1", "d1", "u-old", true, "2023-01-01T00:00:00Z"),
            snap("full", "d1", "u-new", false, "2024-01-02T00:00:00Z"),
        );
        let scanned = crate::scan::read_listing_str(&listing).unwrap();
        for disks in [vec![], vec![DiskIdentity::from_disk_json(&disk("d1", "u-\\\"new")).unwrap()]] {
            let report = group_snapshot_chains(&scanned.candidates, &disks);
            assert_eq!(report.to_json(), serde_json::to_string(&report).unwrap());
        }
    }

    #[test]
    fn bad_listings_are_typed_errors() {
        for bad in [
            "",
            "42",
            "{\"value\":3}",
            "[1]",
            "{\"nextLink\":\"x\"}",
            "[{\"properties\":{\"incremental\":\"yes\"}}]",
            "[{",
        ] {
            let err = group_snapshot_chains_json(bad, None).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidJson, "{bad}");
        }
    }
}
