//! Timestamps without a clock: ARM's ISO 8601 text to an orderable instant, and a caller-given
//! instant (milliseconds since the Unix epoch) to UTC calendar parts.
//!
//! Architecture invariant: nothing here reads the system clock; callers pass `now` in.

/// An instant as seconds and nanoseconds since 1970-01-01T00:00:00Z. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Whole seconds since the epoch (negative before 1970).
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

/// UTC calendar parts of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcParts {
    /// Year.
    pub year: i64,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute 0–59.
    pub minute: u32,
    /// Second 0–59.
    pub second: u32,
    /// Millisecond 0–999.
    pub millis: u32,
}

/// Days since the epoch of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Gregorian date of a day count since the epoch.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Number of days of month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    let (ny, nm) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
    (days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)) as u32
}

/// The ISO 8601 week date of a day count since the epoch: the week-numbering year and the week
/// (1–53). Weeks start on Monday; week 1 is the week with the year's first Thursday.
pub fn iso_week(days: i64) -> (i64, u32) {
    // 1970-01-01 was a Thursday: weekday 1 (Monday) to 7 (Sunday).
    let weekday = (days + 3).rem_euclid(7) + 1;
    let thursday = days + 4 - weekday;
    let (year, _, _) = civil_from_days(thursday);
    (year, ((thursday - days_from_civil(year, 1, 1)) / 7 + 1) as u32)
}

/// UTC parts of `epoch_ms` (milliseconds since the epoch).
pub fn utc_parts(epoch_ms: i64) -> UtcParts {
    let secs = epoch_ms.div_euclid(1000);
    let millis = epoch_ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    UtcParts {
        year,
        month,
        day,
        hour: (sod / 3600) as u32,
        minute: (sod % 3600 / 60) as u32,
        second: (sod % 60) as u32,
        millis,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, d| acc.checked_mul(10)?.checked_add(u32::from(d - b'0')))
}

/// Parses ARM's timestamps: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; a missing zone is read
/// as UTC (ARM writes `+00:00`, `Z` or nothing). Returns `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<Instant> {
    let b = text.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])? as i64;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut scale = 100_000_000u32;
        for d in &frac[..n.min(9)] {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
        }
        rest = &frac[n..];
    }
    let offset_secs: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])? as i64;
            let m = digits(&[*m1, *m2])? as i64;
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 3600 + m * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second) - offset_secs;
    Some(Instant { secs, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arm_timestamps_and_orders_them() {
        let a = parse_timestamp("2023-11-06T03:59:15.0831857+00:00").unwrap();
        let b = parse_timestamp("2023-11-06T03:59:15.1Z").unwrap();
        let c = parse_timestamp("2023-11-06T05:59:15+02:00").unwrap();
        assert!(a < b);
        assert_eq!(c.secs, parse_timestamp("2023-11-06T03:59:15Z").unwrap().secs);
        assert_eq!(a.nanos, 83_185_700);
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(Instant { secs: 0, nanos: 0 }));
        for bad in [
            "",
            "yesterday",
            "2023-13-01T00:00:00Z",
            "2023-11-06T03:59",
            "2023-11-06T03:59:15.Z",
            "2023-11-06T03:59:15+0200",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_weeks_and_month_lengths() {
        let week = |y, m, d| iso_week(days_from_civil(y, m, d));
        assert_eq!(week(2020, 12, 31), (2020, 53));
        assert_eq!(week(2021, 1, 3), (2020, 53));
        assert_eq!(week(2021, 1, 4), (2021, 1));
        assert_eq!(week(2026, 12, 28), (2026, 53));
        assert_eq!(week(2027, 1, 3), (2026, 53));
        assert_eq!(week(2027, 1, 4), (2027, 1));
        assert_eq!(week(2008, 12, 29), (2009, 1));
        assert_eq!(week(1970, 1, 1), (1970, 1));
        assert_eq!((days_in_month(2024, 2), days_in_month(2023, 2), days_in_month(2100, 2)), (29, 28, 28));
        assert_eq!((days_in_month(2000, 2), days_in_month(2024, 12), days_in_month(2024, 4)), (29, 31, 30));
    }

    #[test]
    fn utc_parts_round_trip_with_days() {
        let p = utc_parts(1_764_047_255_123); // 2025-11-25T05:07:35.123Z
        assert_eq!((p.year, p.month, p.day, p.hour, p.minute, p.second, p.millis), (2025, 11, 25, 5, 7, 35, 123));
        let q = utc_parts(-1);
        assert_eq!((q.year, q.month, q.day, q.hour, q.minute, q.second, q.millis), (1969, 12, 31, 23, 59, 59, 999));
        for days in [-800_000i64, -1, 0, 59, 60, 365, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
