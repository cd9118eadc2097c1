//! `planRetention`: which snapshots of each incremental chain a retention policy keeps and
//! which it deletes. A pure plan: it reads a listing and a policy, and deletes nothing.
//!
//! # Semantics
//!
//! restic's `forget`, in UTC. Each incremental chain of the listing (grouped exactly as
//! `groupSnapshotChains` groups them; full snapshots, cross-region copies and snapshots without
//! a source are in no chain and not planned) is planned on its own:
//! - its snapshots are ordered newest first by `timeCreated` (any UTC offset, 0 to 9 fraction
//!   digits), ties by `id` descending, case ignored;
//! - `keepLast n` keeps the n newest; `keepHourly`, `keepDaily`, `keepWeekly`, `keepMonthly`
//!   and `keepYearly` each walk them newest first and keep a snapshot when its bucket (UTC hour,
//!   UTC date, ISO 8601 week-numbering year and week, year and month, year) differs from that of
//!   the last snapshot the same rule kept, until n buckets; `keepWithin d` keeps every snapshot
//!   taken at or after the chain's newest minus d (calendar arithmetic: years and months first,
//!   the day clamped to a shorter month's end, then weeks and days, then time; never from now);
//! - a snapshot is kept when any rule keeps it, and `reasons` names each one.
//!
//! Never removed, whatever the rules say (and named in `reasons`):
//! - `in-progress`: `provisioningState` present and not `Succeeded`, or `completionPercent`
//!   below 100. An absent `provisioningState` is not evidence either way. These are not seen by
//!   the rules (an unfinished copy never takes the place of the last finished snapshot);
//! - `locked`: a tag named `options.lockTag` (default `retention-lock`), any value, name
//!   compared ignoring case;
//! - `immutable`: a `properties.immutabilityPolicy` that is present and not null (API
//!   2026-03-02 sets it with `updateImmutabilityPolicy`, body `{ immutabilityDurationDays, type
//!   }`; the spec declares no property of that name on the snapshot yet, so any value counts,
//!   except an object with `isPolicyExpired: true`, as the SDKs model an expired policy);
//! - `orphan`: every snapshot of an orphan chain, unless `options.includeOrphans`. Without
//!   `options.disks`, a chain is orphan when `groupSnapshotChains` marks it orphaned (a newer
//!   incarnation of the same disk id started after it ended); with them, when no disk has the
//!   chain's source id and `uniqueId` (so `disks: []` makes every chain orphan);
//! - `undated`: no readable `timeCreated`; not seen by the rules, listed after the dated ones;
//! - `unreadable`: tags or properties of an unexpected shape (so the protections above cannot be
//!   ruled out); not seen by the rules.
//!
//! Locked, immutable and orphan snapshots are seen by the rules (as restic counts `--keep-tag`
//! snapshots in its buckets), so their reasons may name rules too. `keepWithin` is measured from
//! the newest snapshot the rules see.
//!
//! A policy with no rule (every count 0, no or a zero `keepWithin`), a negative or fractional
//! count, a `keepWithin` that is not an ISO 8601 duration of whole units
//! (`P[nY][nM][nW][nD][T[nH][nM][nS]]`) or an unknown key is `INVALID_ARGUMENT` with every
//! violation at once; counts beyond the number of snapshots just keep them all.

mod apply;
mod duration;
mod plan;
mod policy;

pub use apply::{deletions, disks_of_listing, plan_for_target};
pub use duration::IsoDuration;
pub use plan::{plan_retention, ChainPlan, KeptSnapshot, RemovedSnapshot, RetentionPlan};
pub use policy::{RetentionOptions, RetentionPolicy, DEFAULT_LOCK_TAG};

use crate::error::{Error, Result, Violation};

/// Reads a policy's JSON text (every violation at once).
pub fn read_retention_policy(policy_json: &str) -> Result<RetentionPolicy> {
    let (policy, violations) = policy::read_policy(policy_json);
    Error::from_violations(violations).map(|()| policy)
}

/// Reads the options' JSON text (`None`, empty or `null`: the defaults).
pub fn read_retention_options(options_json: Option<&str>) -> Result<RetentionOptions> {
    let (opts, violations) = policy::read_options(options_json);
    Error::from_violations(violations).map(|()| opts)
}

/// Reads a policy and the options together, with `extra` violations the caller found itself
/// (e.g. `applyRetention`'s own options): every violation at once, before any request.
pub fn read_policy_and_options(
    policy_json: &str,
    options_json: Option<&str>,
    extra: Vec<Violation>,
) -> Result<(RetentionPolicy, RetentionOptions)> {
    let (policy, mut violations) = policy::read_policy(policy_json);
    let (opts, more) = policy::read_options(options_json);
    violations.extend(more);
    violations.extend(extra);
    Error::from_violations(violations).map(|()| (policy, opts))
}

/// `planRetention` on JSON text: a listing (an array of snapshots, a list page, as
/// [`crate::scan::read_listing_str`] reads it), the policy and the options in; the plan's JSON
/// out. The policy's and the options' violations come together; then the listing is read.
pub fn plan_retention_json(listing_json: &str, policy_json: &str, options_json: Option<&str>) -> Result<String> {
    let (policy, mut violations) = policy::read_policy(policy_json);
    let (opts, more) = policy::read_options(options_json);
    violations.extend(more);
    Error::from_violations(violations)?;
    let listing = crate::scan::read_listing_str(listing_json)?;
    let plan = plan_retention(&listing.candidates, &policy, &opts);
    Ok(plan.to_json())
}
