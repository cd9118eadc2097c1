//! Incremental-snapshot chains: one disk's chain, and every chain of a listing.
//!
//! [`filter_incremental_snapshots`] has exactly the documented semantics (PowerShell's
//! `Get-AzSnapshot | Where-Object { $_.Incremental -and $_.CreationData.SourceResourceId -eq
//! $disk.Id -and $_.CreationData.SourceUniqueId -eq $disk.UniqueId }`), with the ids compared
//! ignoring case as ARM compares them, and the result ordered oldest first by `timeCreated`.
//! [`group_snapshot_chains`] goes further and returns every chain of a listing, so snapshots of
//! a disk that was deleted and recreated (same id, new `uniqueId`) show up as orphans.
//!
//! Listings are read as [`SnapshotView`]s: only the handful of fields the filter needs are
//! parsed, and each snapshot's JSON text is kept verbatim (`&RawValue`) so a match is handed
//! back exactly as ARM sent it, unknown properties included, without building the rest.

use crate::error::{Error, ErrorCode, Result};
use crate::resource_id::{ids_equal, ResourceId};
use crate::time::{parse_timestamp, Instant};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

/// At most this many incremental snapshots may exist per disk (REFERENCE.md section 4).
pub const MAX_INCREMENTAL_SNAPSHOTS_PER_DISK: usize = 500;

/// The two facts that identify a disk's snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskIdentity {
    /// The disk's ARM id.
    pub id: String,
    /// The disk's `properties.uniqueId`.
    pub unique_id: String,
}

#[derive(Deserialize)]
struct DiskKeys<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<DiskPropsKeys<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiskPropsKeys<'a> {
    #[serde(borrow, default)]
    unique_id: Option<Cow<'a, str>>,
}

impl DiskIdentity {
    /// Reads `id` and `properties.uniqueId` from a disk's JSON. Both are required: without the
    /// `uniqueId` a recreated disk's old snapshots cannot be told apart.
    pub fn from_disk_json(text: &str) -> Result<DiskIdentity> {
        let keys: DiskKeys = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("disk", format!("disk is not a disk object: {e}")))?;
        let id = keys.id.ok_or_else(|| Error::invalid_argument("disk.id", "the disk has no id"))?;
        let parsed = ResourceId::parse_of_type(&id, crate::resource_id::DISKS).map_err(|e| e.with_field("disk.id"))?;
        let unique_id = keys.properties.and_then(|p| p.unique_id).ok_or_else(|| {
            Error::invalid_argument(
                "disk.properties.uniqueId",
                "the disk has no properties.uniqueId, so snapshots of a recreated disk cannot be told apart; read the disk from ARM (getDisk) first",
            )
        })?;
        Ok(DiskIdentity { id: parsed.to_string(), unique_id: unique_id.into_owned() })
    }
}

/// The fields of a snapshot the chain logic reads, plus its verbatim JSON.
#[derive(Debug, Clone)]
pub struct SnapshotView<'a> {
    /// The snapshot exactly as it appeared in the input.
    pub raw: &'a RawValue,
    /// `id`.
    pub id: Option<Cow<'a, str>>,
    /// `name`.
    pub name: Option<Cow<'a, str>>,
    /// `properties.incremental == true`.
    pub incremental: bool,
    /// `properties.creationData.createOption`.
    pub create_option: Option<Cow<'a, str>>,
    /// `properties.creationData.sourceResourceId`.
    pub source_resource_id: Option<Cow<'a, str>>,
    /// `properties.creationData.sourceUniqueId`.
    pub source_unique_id: Option<Cow<'a, str>>,
    /// `properties.incrementalSnapshotFamilyId`.
    pub family_id: Option<Cow<'a, str>>,
    /// `properties.timeCreated` as written.
    pub time_created: Option<Cow<'a, str>>,
    /// `properties.timeCreated` parsed, when it parses.
    pub created_at: Option<Instant>,
    /// `properties.completionPercent`.
    pub completion_percent: Option<f64>,
}

#[derive(Deserialize)]
struct SnapshotKeys<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<PropsKeys<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropsKeys<'a> {
    #[serde(default)]
    incremental: Option<bool>,
    #[serde(borrow, default)]
    creation_data: Option<CreationKeys<'a>>,
    #[serde(borrow, default)]
    incremental_snapshot_family_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    time_created: Option<Cow<'a, str>>,
    #[serde(default)]
    completion_percent: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreationKeys<'a> {
    #[serde(borrow, default)]
    create_option: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source_resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source_unique_id: Option<Cow<'a, str>>,
}

impl<'a> SnapshotView<'a> {
    /// Reads the chain fields of item `index` of a listing.
    pub fn from_raw_item(raw: &'a RawValue, index: usize) -> Result<SnapshotView<'a>> {
        let keys: SnapshotKeys<'a> = serde_json::from_str(raw.get()).map_err(|e| {
            Error::invalid_json(
                format!("value[{index}]"),
                format!("snapshot {index} of the listing is not a snapshot object: {e}"),
            )
        })?;
        let props = keys.properties;
        let (incremental, creation, family_id, time_created, completion_percent) = match props {
            Some(p) => (
                p.incremental == Some(true),
                p.creation_data,
                p.incremental_snapshot_family_id,
                p.time_created,
                p.completion_percent,
            ),
            None => (false, None, None, None, None),
        };
        let (create_option, source_resource_id, source_unique_id) = match creation {
            Some(c) => (c.create_option, c.source_resource_id, c.source_unique_id),
            None => (None, None, None),
        };
        let created_at = time_created.as_deref().and_then(parse_timestamp);
        Ok(SnapshotView {
            raw,
            id: keys.id,
            name: keys.name,
            incremental,
            create_option,
            source_resource_id,
            source_unique_id,
            family_id,
            time_created,
            created_at,
            completion_percent,
        })
    }

    /// Whether the documented rule puts this snapshot in `disk`'s chain.
    pub fn belongs_to(&self, disk: &DiskIdentity) -> bool {
        self.incremental
            && self.source_resource_id.as_deref().is_some_and(|s| ids_equal(s, &disk.id))
            && self.source_unique_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&disk.unique_id))
    }

    /// Chain order: oldest `timeCreated` first; snapshots without a readable time last; then by
    /// name and id so the order never depends on the listing's order.
    fn chain_order(&self, other: &SnapshotView<'_>) -> std::cmp::Ordering {
        let time = |v: &SnapshotView<'_>| (v.created_at.is_none(), v.created_at);
        time(self).cmp(&time(other)).then_with(|| self.name.cmp(&other.name)).then_with(|| self.id.cmp(&other.id))
    }
}

/// A listing: the snapshots of one page (or of an array) and the page's `nextLink`.
#[derive(Debug, Clone)]
pub struct Listing<'a> {
    /// The snapshots, in listing order.
    pub items: Vec<SnapshotView<'a>>,
    /// The page's `nextLink`, when it has one.
    pub next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageKeys<'a> {
    #[serde(borrow)]
    value: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    next_link: Option<String>,
}

/// The items (verbatim) and `nextLink` of a listing's JSON text: an array of snapshots, or an
/// ARM list page `{ "value": [...], "nextLink": ... }`. Anything else is `INVALID_JSON`.
fn listing_items(text: &str) -> Result<(Vec<&RawValue>, Option<String>)> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let raws: Vec<&RawValue> = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("snapshots", format!("the snapshot array is not valid JSON: {e}")))?;
        Ok((raws, None))
    } else if trimmed.starts_with('{') {
        let page: PageKeys = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("snapshots", format!("the list page is not valid JSON: {e}")))?;
        let value =
            page.value.ok_or_else(|| Error::invalid_json("snapshots.value", "a list page needs a \"value\" array"))?;
        Ok((value, page.next_link))
    } else {
        Err(Error::invalid_json(
            "snapshots",
            "expected an array of snapshots, an ARM list page object or its JSON text",
        ))
    }
}

/// Reads a listing from JSON text: an array of snapshots, or an ARM list page
/// `{ "value": [...], "nextLink": ... }`. Anything else is `INVALID_JSON`.
pub fn parse_listing(text: &str) -> Result<Listing<'_>> {
    let (raws, next_link) = listing_items(text)?;
    let items =
        raws.into_iter().enumerate().map(|(i, raw)| SnapshotView::from_raw_item(raw, i)).collect::<Result<Vec<_>>>()?;
    Ok(Listing { items, next_link })
}

/// Whether `hay` contains `needle`, ASCII case ignored. A cheap test that lets the filter skip,
/// without parsing, the snapshots that cannot name the disk's `uniqueId`.
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

/// The snapshots of a listing's JSON text that belong to `disk`, oldest first. Snapshots that
/// do not even mention the disk's `uniqueId` are skipped without being parsed.
pub fn filter_listing<'a>(disk: &DiskIdentity, text: &'a str) -> Result<(Vec<SnapshotView<'a>>, Option<String>)> {
    let (raws, next_link) = listing_items(text)?;
    let mut chain = Vec::new();
    for (i, raw) in raws.into_iter().enumerate() {
        if !contains_ignore_ascii_case(raw.get(), &disk.unique_id) {
            continue;
        }
        let view = SnapshotView::from_raw_item(raw, i)?;
        if view.belongs_to(disk) {
            chain.push(view);
        }
    }
    chain.sort_by(|a, b| a.chain_order(b));
    Ok((chain, next_link))
}

/// The documented filter: `disk`'s incremental snapshots, oldest first.
pub fn filter_incremental_snapshots<'v, 'a>(
    disk: &DiskIdentity,
    items: &'v [SnapshotView<'a>],
) -> Vec<&'v SnapshotView<'a>> {
    let mut chain: Vec<&SnapshotView<'a>> = items.iter().filter(|s| s.belongs_to(disk)).collect();
    chain.sort_by(|a, b| a.chain_order(b));
    chain
}

/// JSON text of an array of snapshots, each verbatim.
pub fn raw_array<'v, 'a: 'v>(items: impl IntoIterator<Item = &'v SnapshotView<'a>>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(s.raw.get());
    }
    out.push(']');
    out
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

/// The same filter through serde ([`filter_listing`]): the reference the scanner is tested
/// against.
pub fn filter_incremental_snapshots_json_serde(disk_json: &str, snapshots_json: &str) -> Result<String> {
    let disk = DiskIdentity::from_disk_json(disk_json)?;
    let (chain, _) = filter_listing(&disk, snapshots_json)?;
    Ok(raw_array(&chain))
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
    pub snapshots: Vec<&'a RawValue>,
}

/// Every chain of a listing, plus the snapshots that belong to none.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport<'a> {
    /// The chains: incremental ones first, then copies, then full; each group by source id and
    /// oldest snapshot.
    pub chains: Vec<Chain<'a>>,
    /// Snapshots with no `creationData.sourceResourceId` (imports, uploads, ...).
    pub unsourced: Vec<&'a RawValue>,
    /// Number of snapshots read.
    pub total: usize,
}

/// Groups a listing into chains. `disks` are optional: for each disk passed, its current chain is
/// marked `current` and the chains of earlier incarnations `orphaned` for certain.
pub fn group_snapshot_chains<'a>(items: &[SnapshotView<'a>], disks: &[DiskIdentity]) -> ChainReport<'a> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, (ChainKind, Vec<&SnapshotView<'a>>)> = HashMap::new();
    let mut unsourced = Vec::new();
    let lower = |s: Option<&str>| s.unwrap_or("").to_ascii_lowercase();
    for s in items {
        let Some(source) = s.source_resource_id.as_deref() else {
            unsourced.push(s);
            continue;
        };
        let source_key = source.trim_start_matches('/').to_ascii_lowercase();
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
            members.sort_by(|a, b| a.chain_order(b));
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
    mark_orphans(&mut chains, items, disks);
    chains.sort_by(|a, b| {
        let rank = |k: ChainKind| k as u8;
        rank(a.kind)
            .cmp(&rank(b.kind))
            .then_with(|| lower(a.source_resource_id.as_deref()).cmp(&lower(b.source_resource_id.as_deref())))
            .then_with(|| parse_opt(&a.oldest).cmp(&parse_opt(&b.oldest)))
            .then_with(|| a.key.cmp(&b.key))
    });
    ChainReport {
        chains,
        unsourced: {
            let mut u: Vec<&SnapshotView<'a>> = unsourced;
            u.sort_by(|a, b| a.chain_order(b));
            u.into_iter().map(|s| s.raw).collect()
        },
        total: items.len(),
    }
}

fn parse_opt(t: &Option<String>) -> (bool, Option<Instant>) {
    let i = t.as_deref().and_then(parse_timestamp);
    (i.is_none(), i)
}

/// Marks `current` / `orphaned` incremental chains: for certain when the disk is known, else
/// when a later incarnation of the same source id started after this chain's newest snapshot.
fn mark_orphans(chains: &mut [Chain<'_>], _items: &[SnapshotView<'_>], disks: &[DiskIdentity]) {
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
        let my_newest = parse_opt(&chains[i].newest);
        let superseded = (0..n).any(|j| {
            j != i
                && chains[j].kind == ChainKind::Incremental
                && chains[j].source_resource_id.as_deref().is_some_and(|s| ids_equal(s, &source))
                && !chains[j].source_unique_id.as_deref().unwrap_or_default().eq_ignore_ascii_case(&unique)
                && !my_newest.0
                && {
                    let other_oldest = parse_opt(&chains[j].oldest);
                    !other_oldest.0 && other_oldest.1 > my_newest.1
                }
        });
        chains[i].orphaned = superseded;
    }
}

/// `groupSnapshotChains` on JSON text: a listing in, the report's JSON out. `disks_json`, when
/// given, is a JSON array of disk objects.
pub fn group_snapshot_chains_json(snapshots_json: &str, disks_json: Option<&str>) -> Result<String> {
    let listing = parse_listing(snapshots_json)?;
    let disks = match disks_json {
        None => Vec::new(),
        Some(text) => {
            let raws: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
                Error::invalid_json("options.disks", format!("disks must be an array of disk objects: {e}"))
            })?;
            raws.iter()
                .enumerate()
                .map(|(i, r)| {
                    DiskIdentity::from_disk_json(r.get()).map_err(|e| {
                        let field =
                            e.field.clone().unwrap_or_default().replacen("disk", &format!("options.disks[{i}]"), 1);
                        e.with_field(field)
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    let report = group_snapshot_chains(&listing.items, &disks);
    serde_json::to_string(&report)
        .map_err(|e| Error::new(ErrorCode::InvalidJson, format!("internal: cannot write the report: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let err = parse_listing(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidJson, "{bad}");
        }
    }
}
