//! Whether two ARM snapshots may be diffed: a check for the ARM level, before any SAS is granted.

use crate::error::{Error, Result};
use serde_json::Value;

/// The fields the check reads, from a snapshot resource (`{ "properties": {…} }`) or its
/// `properties` object.
fn view<'a>(snapshot: &'a Value, field: &str) -> Result<(bool, Option<&'a str>, Option<crate::time::Instant>)> {
    let props = snapshot.get("properties").unwrap_or(snapshot);
    if !props.is_object() {
        return Err(Error::invalid_argument(field, format!("{field} is not a snapshot object")));
    }
    let incremental = props.get("incremental").and_then(Value::as_bool).unwrap_or(false);
    let family = props.get("incrementalSnapshotFamilyId").and_then(Value::as_str);
    let created = props.get("timeCreated").and_then(Value::as_str).and_then(crate::time::parse_timestamp);
    Ok((incremental, family, created))
}

/// Refuses (`INVALID_ARGUMENT`) a diff of `newer` against `older` unless both are incremental,
/// of one `incrementalSnapshotFamilyId` (compared ignoring case) and `older` was created first
/// (`timeCreated`, both present and readable).
pub fn check_diff_pair(older: &Value, newer: &Value) -> Result<()> {
    let (o_inc, o_fam, o_time) = view(older, "older")?;
    let (n_inc, n_fam, n_time) = view(newer, "newer")?;
    for (inc, field) in [(o_inc, "older"), (n_inc, "newer")] {
        if !inc {
            return Err(Error::invalid_argument(
                format!("{field}.properties.incremental"),
                format!("the {field} snapshot is not incremental: only incremental snapshots can be diffed"),
            ));
        }
    }
    match (o_fam, n_fam) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {}
        (Some(_), Some(_)) => return Err(Error::invalid_argument(
            "newer.properties.incrementalSnapshotFamilyId",
            "the snapshots are of different families (different disks, or across a re-creation): no diff between them",
        )),
        _ => {
            return Err(Error::invalid_argument(
                "properties.incrementalSnapshotFamilyId",
                "a snapshot has no incrementalSnapshotFamilyId: cannot tell whether they are of one family",
            ))
        }
    }
    match (o_time, n_time) {
        (Some(a), Some(b)) if a < b => Ok(()),
        (Some(_), Some(_)) => Err(Error::invalid_argument(
            "older.properties.timeCreated",
            "the older snapshot was not created before the newer one: swap them",
        )),
        _ => Err(Error::invalid_argument(
            "properties.timeCreated",
            "a snapshot has no readable timeCreated: cannot order them",
        )),
    }
}
