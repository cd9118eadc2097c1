//! The policy and the options of `planRetention`, read from JSON text with every violation at
//! once (the rules module's [`Reader`]); the rule names are in [`crate::rules::ALL_RULES`].

use super::duration::IsoDuration;
use crate::error::Violation;
use crate::filter::DiskIdentity;
use crate::rules::{kind, parse_options, Reader, Violations, MAX_PER_FIELD};
use serde_json::Value;

/// The lock tag when `options.lockTag` is not given.
pub const DEFAULT_LOCK_TAG: &str = "retention-lock";

/// Which snapshots the rules keep (restic's `forget` policy). A count of 0 is a rule not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Keep the n newest.
    pub keep_last: usize,
    /// Keep the newest of each of the n newest UTC hours that have a snapshot.
    pub keep_hourly: usize,
    /// ... UTC days.
    pub keep_daily: usize,
    /// ... ISO 8601 weeks (week-numbering year and week, UTC).
    pub keep_weekly: usize,
    /// ... UTC months.
    pub keep_monthly: usize,
    /// ... UTC years.
    pub keep_yearly: usize,
    /// Keep every snapshot taken at or after the chain's newest minus this duration.
    pub keep_within: Option<IsoDuration>,
}

impl RetentionPolicy {
    /// True when no rule is set (every count 0, no or a zero `keepWithin`): such a policy would
    /// keep nothing, so it is refused (`policy.empty`).
    pub fn is_empty(&self) -> bool {
        let counts = [self.keep_last, self.keep_hourly, self.keep_daily, self.keep_weekly, self.keep_monthly];
        counts.iter().all(|n| *n == 0) && self.keep_yearly == 0 && !matches!(self.keep_within, Some(d) if !d.is_zero())
    }
}

/// What else decides a plan besides the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionOptions {
    /// The tag whose presence (any value; the name compared ignoring case, as ARM compares tag
    /// names) keeps a snapshot.
    pub lock_tag: String,
    /// The disks whose current chains are planned. `None`: a chain is orphan when
    /// `groupSnapshotChains` marks it orphaned; `Some`: when no disk has its source id and
    /// `uniqueId` (so `Some(vec![])` makes every chain orphan).
    pub disks: Option<Vec<DiskIdentity>>,
    /// Plan orphan chains by the rules too, instead of keeping all of their snapshots.
    pub include_orphans: bool,
}

impl Default for RetentionOptions {
    fn default() -> Self {
        RetentionOptions { lock_tag: DEFAULT_LOCK_TAG.to_string(), disks: None, include_orphans: false }
    }
}

/// The count keys, in the order the fields of [`RetentionPolicy`] are set.
const COUNT_KEYS: [&str; 6] = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"];
const POLICY_KEYS: &[&str] =
    &["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly", "keepWithin"];
const OPTION_KEYS: &[&str] = &["lockTag", "disks", "includeOrphans"];

fn policy_field(key: &str) -> String {
    format!("policy.{key}")
}

/// Reads a policy's JSON text; the policy is only usable when the violations are empty.
pub(crate) fn read_policy(text: &str) -> (RetentionPolicy, Vec<Violation>) {
    let mut policy = RetentionPolicy::default();
    let mut v = Violations::default();
    let t = text.trim();
    let map = match serde_json::from_str::<Value>(t) {
        _ if t.is_empty() || t == "null" => {
            v.add("policy", "policy.empty", "a policy is required: set at least one of keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly or keepWithin");
            return (policy, v.0);
        }
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            v.add("policy", "policy.type", format!("the policy must be an object, got {}", kind(&other)));
            return (policy, v.0);
        }
        Err(e) => {
            v.add("policy", "policy.json", format!("the policy is not valid JSON ({e})"));
            return (policy, v.0);
        }
    };
    let mut r = Reader::new(&map, "policy", POLICY_KEYS);
    let mut counts = [0usize; 6];
    for (slot, key) in counts.iter_mut().zip(COUNT_KEYS) {
        match r.integer(key, "keepCount.type") {
            Some(n) if n < 0 => r.v.add(
                policy_field(key),
                "keepCount.range",
                format!("{key} must be 0 or more, got {n} (0 leaves the rule out)"),
            ),
            // Beyond the address space it keeps every snapshot anyway.
            Some(n) => *slot = usize::try_from(n).unwrap_or(usize::MAX),
            None => {}
        }
    }
    [
        policy.keep_last,
        policy.keep_hourly,
        policy.keep_daily,
        policy.keep_weekly,
        policy.keep_monthly,
        policy.keep_yearly,
    ] = counts;
    if let Some(text) = r.string("keepWithin", "keepWithin.type") {
        match IsoDuration::parse(&text) {
            Ok(d) => policy.keep_within = Some(d),
            Err(why) => r.v.add(
                policy_field("keepWithin"),
                "keepWithin.format",
                format!("keepWithin must be an ISO 8601 duration such as P7D, PT36H or P1Y2M; {text:?} {why}"),
            ),
        }
    }
    let mut violations = r.finish("policy.unknown", "policy key");
    if violations.is_empty() && policy.is_empty() {
        let mut v = Violations::default();
        v.add(
            "policy",
            "policy.empty",
            "the policy keeps nothing: set at least one of keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly (above 0) or keepWithin (above zero)",
        );
        violations = v.0;
    }
    (policy, violations)
}

/// Reads the options' JSON text (`None`, empty or `null`: the defaults).
pub(crate) fn read_options(text: Option<&str>) -> (RetentionOptions, Vec<Violation>) {
    let mut opts = RetentionOptions::default();
    let map = match parse_options(text.unwrap_or(""), "options") {
        Ok(None) => return (opts, Vec::new()),
        Ok(Some(map)) => map,
        Err(e) => return (opts, e.violations),
    };
    let mut r = Reader::new(&map, "options", OPTION_KEYS);
    if let Some(tag) = r.string("lockTag", "lockTag.type") {
        if tag.is_empty() {
            r.v.add("options.lockTag", "lockTag.empty", "lockTag must be a tag name, got an empty string");
        } else {
            opts.lock_tag = tag;
        }
    }
    if let Some(b) = r.boolean("includeOrphans", "includeOrphans.type") {
        opts.include_orphans = b;
    }
    if let Some(items) = r.array("disks", "disks.type", "an array of disk objects") {
        let mut disks = Vec::with_capacity(items.len());
        let mut refused = 0;
        for (i, item) in items.iter().enumerate() {
            match DiskIdentity::from_disk_json(&item.to_string()) {
                Ok(d) => disks.push(d),
                Err(e) => {
                    refused += 1;
                    if refused <= MAX_PER_FIELD {
                        let inner = e.field.as_deref().and_then(|f| f.strip_prefix("disk")).unwrap_or("");
                        r.v.add(format!("options.disks[{i}]{inner}"), "disks.item", e.message);
                    }
                }
            }
        }
        opts.disks = Some(disks);
    }
    (opts, r.finish("options.unknown", "option"))
}
