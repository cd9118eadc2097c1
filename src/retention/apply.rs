//! The decisions of `ArmClient.applyRetention`, pure: which chains a target's plan holds, the
//! disks a scope's listing names, and which snapshots are deleted (those that both the first
//! plan and the fresh plan made right before deleting remove). The shell only lists, calls these
//! and deletes.

use super::plan::{plan_retention, RetentionPlan};
use super::policy::{RetentionOptions, RetentionPolicy};
use crate::error::{Error, ErrorCode, Result};
use crate::filter::DiskIdentity;
use crate::resource_id::{id_key, ids_equal};
use std::collections::HashSet;

/// The disks of a listing (the JSON array `listDisks` gives): every item that reads as a disk
/// (an id and a `properties.uniqueId`). An item that does not is left out, so the chains of its
/// snapshots match no disk: they are orphan, kept unless `includeOrphans`.
pub fn disks_of_listing(disks_json: &str) -> Result<Vec<DiskIdentity>> {
    let items = crate::read::raw_items(disks_json).ok_or_else(|| {
        let why = crate::read::why_not(disks_json, "an array");
        Error::new(ErrorCode::InvalidResponse, format!("the disk listing is not a JSON array ({why})"))
    })?;
    Ok(items.into_iter().filter_map(|raw| DiskIdentity::from_disk_json(raw).ok()).collect())
}

/// The plan of a listing (a JSON array or list page of snapshots) for `applyRetention`. With
/// `only_source` (a disk's id) only the chains whose source is that disk (its current chain and,
/// orphan, those of its earlier incarnations) are kept in the plan: applying retention to one
/// disk never touches the other disks' snapshots in its resource group, `includeOrphans` or not.
pub fn plan_for_target(
    listing_json: &str,
    policy: &RetentionPolicy,
    opts: &RetentionOptions,
    only_source: Option<&str>,
) -> Result<RetentionPlan> {
    let listing = crate::scan::read_listing_str(listing_json)?;
    let mut plan = plan_retention(&listing.candidates, policy, opts);
    if let Some(source) = only_source {
        plan.chains.retain(|c| c.source_resource_id.as_deref().is_some_and(|s| ids_equal(s, source)));
    }
    Ok(plan)
}

/// The ids to delete: each snapshot that `first` removes and `fresh` (planned again right
/// before deleting) removes too, ids compared ignoring case, each once, in `first`'s chain
/// order and oldest first within a chain. A snapshot created, locked or changed after the first
/// plan, or one the fresh plan keeps for any reason, is never deleted; one that only the fresh
/// plan removes is not either (the caller never saw it planned). Snapshots without an id are
/// never deleted.
pub fn deletions(first: &RetentionPlan, fresh: &RetentionPlan) -> Vec<String> {
    let fresh_remove: HashSet<String> =
        fresh.chains.iter().flat_map(|c| &c.remove).filter_map(|r| r.id.as_deref()).map(id_key).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for chain in &first.chains {
        for r in chain.remove.iter().rev() {
            let Some(id) = r.id.as_deref() else { continue };
            let key = id_key(id);
            if fresh_remove.contains(&key) && seen.insert(key) {
                out.push(id.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::{read_retention_options, read_retention_policy};
    use serde_json::{json, Value};

    const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";

    fn disk(name: &str, unique: &str) -> Value {
        json!({ "id": format!("{RG}/providers/Microsoft.Compute/disks/{name}"), "name": name,
                "properties": { "uniqueId": unique } })
    }

    fn snap(disk: &str, unique: &str, name: &str, time: &str) -> Value {
        json!({
            "id": format!("{RG}/providers/Microsoft.Compute/snapshots/{name}"), "name": name,
            "properties": { "incremental": true, "timeCreated": time, "provisioningState": "Succeeded",
              "creationData": { "createOption": "Copy", "sourceUniqueId": unique,
                "sourceResourceId": format!("{RG}/providers/Microsoft.Compute/disks/{disk}") } }
        })
    }

    fn day(d: u32) -> String {
        format!("2026-01-{d:02}T00:00:00Z")
    }

    fn plan_of(snaps: &[Value], keep_last: u32, disks: Option<Value>, only: Option<&str>) -> RetentionPlan {
        let policy = read_retention_policy(&json!({ "keepLast": keep_last }).to_string()).unwrap();
        let mut opts = read_retention_options(None).unwrap();
        if let Some(d) = disks {
            opts.disks = Some(disks_of_listing(&d.to_string()).unwrap());
        }
        plan_for_target(&Value::Array(snaps.to_vec()).to_string(), &policy, &opts, only).unwrap()
    }

    fn d1(n: u32) -> Vec<Value> {
        (1..=n).map(|i| snap("d1", "u1", &format!("s{i}"), &day(i))).collect()
    }

    fn tail(ids: &[String]) -> Vec<&str> {
        ids.iter().map(|i| i.rsplit('/').next().unwrap()).collect()
    }

    #[test]
    fn the_same_listing_deletes_the_whole_remove_oldest_first() {
        let p = plan_of(&d1(5), 2, None, None);
        assert_eq!(tail(&deletions(&p, &p)), ["s1", "s2", "s3"]);
    }

    #[test]
    fn a_snapshot_created_between_the_plans_shifts_nothing_into_deletion() {
        let first = plan_of(&d1(5), 2, None, None);
        // s6 arrives: the fresh plan keeps s5 and s6 and would remove s4 as well.
        let fresh = plan_of(&d1(6), 2, None, None);
        assert_eq!(tail(&deletions(&first, &fresh)), ["s1", "s2", "s3"]);
        // Only what both remove: s4 was kept by the first plan, so it stays.
        assert!(!deletions(&first, &fresh).iter().any(|i| i.ends_with("/s4")));
    }

    #[test]
    fn a_snapshot_the_fresh_plan_keeps_is_not_deleted() {
        let first = plan_of(&d1(5), 2, None, None);
        let mut locked = d1(5);
        locked[1]["tags"] = json!({ "Retention-Lock": "" });
        let fresh = plan_of(&locked, 2, None, None);
        assert_eq!(tail(&deletions(&first, &fresh)), ["s1", "s3"]);
        // Gone in between: not in the fresh plan, not deleted (nothing to delete).
        let fresh = plan_of(&d1(5)[1..], 2, None, None);
        assert_eq!(tail(&deletions(&first, &fresh)), ["s2", "s3"]);
    }

    #[test]
    fn ids_compare_ignoring_case_and_each_is_deleted_once() {
        let first = plan_of(&d1(4), 1, None, None);
        let mut upper = d1(4);
        for s in &mut upper {
            let id = s["id"].as_str().unwrap().to_uppercase();
            s["id"] = Value::String(id);
        }
        let fresh = plan_of(&upper, 1, None, None);
        let ids = deletions(&first, &fresh);
        assert_eq!(tail(&ids), ["s1", "s2", "s3"], "the first plan's spelling");
        let twice = RetentionPlan { chains: [first.chains.clone(), first.chains.clone()].concat() };
        assert_eq!(deletions(&twice, &first).len(), 3);
        assert!(deletions(&first, &RetentionPlan { chains: vec![] }).is_empty());
    }

    #[test]
    fn a_disk_target_plans_only_that_disks_chains() {
        let mut all = d1(3);
        all.extend((1..=3).map(|i| snap("d2", "u2", &format!("t{i}"), &day(i))));
        // An earlier incarnation of d1: orphan, kept unless includeOrphans.
        all.push(snap("d1", "u0", "old", &day(1)));
        let only = format!("{RG}/providers/Microsoft.Compute/disks/D1");
        let p = plan_of(&all, 1, Some(json!([disk("d1", "u1")])), Some(&only));
        assert_eq!(p.chains.len(), 2, "d1's two incarnations, not d2");
        assert!(p.chains.iter().all(|c| c.source_resource_id.as_deref().unwrap().ends_with("/d1")));
        assert_eq!(tail(&deletions(&p, &p)), ["s1", "s2"]);
    }

    #[test]
    fn a_scope_matches_chains_to_its_disks_and_skips_unreadable_disks() {
        let mut all = d1(3);
        all.extend((1..=3).map(|i| snap("d2", "u2", &format!("t{i}"), &day(i))));
        let disks = json!([disk("d1", "u1"), { "id": "not an id" }, { "name": "no id" }, 7]);
        let p = plan_of(&all, 1, Some(disks), None);
        let orphan: Vec<bool> = p.chains.iter().map(|c| c.orphan).collect();
        assert_eq!(orphan, [false, true], "d2 is listed by no readable disk");
        assert_eq!(tail(&deletions(&p, &p)), ["s1", "s2"]);
        assert_eq!(disks_of_listing("{}").unwrap_err().code, ErrorCode::InvalidResponse);
    }
}
