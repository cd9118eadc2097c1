//! The options of `setImmutabilityPolicy` and `lockImmutabilityPolicy` (`days.*`): `{ days }`,
//! a whole number of days from 1 to [`MAX_IMMUTABILITY_DAYS`].

use super::{error_of, parse_options, Reader};
use crate::error::Result;

/// The longest policy asked for, in days (400 years). The 2026-03-02 spec gives
/// `immutabilityDurationDays` as an int32 with no bound; this is Azure Blob storage's bound on
/// time-based retention, a sane ceiling until ARM documents its own.
pub const MAX_IMMUTABILITY_DAYS: i64 = 146_000;

const KNOWN: &[&str] = &["days"];

/// The `days` of the options JSON text, every violation at once.
pub(crate) fn read_immutability_days(text: &str) -> Result<i64> {
    let map = parse_options(text, "immutability options")?.unwrap_or_default();
    let mut r = Reader::new(&map, "options", KNOWN);
    let days = r.integer("days", "days.type");
    if r.value("days").is_none() {
        r.v.add("options.days", "days.required", "days is required: the number of days the snapshot stays immutable");
    }
    if let Some(d) = days {
        if !(1..=MAX_IMMUTABILITY_DAYS).contains(&d) {
            r.v.add("options.days", "days.range", format!("days must be from 1 to {MAX_IMMUTABILITY_DAYS}, got {d}"));
        }
    }
    let violations = r.finish("options.unknown", "option");
    match days {
        Some(d) if violations.is_empty() => Ok(d),
        _ => Err(error_of(violations)),
    }
}
