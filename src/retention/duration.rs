//! `keepWithin`: an ISO 8601 duration (`P1Y2M`, `P7D`, `PT36H`, `P2W`, `P1DT12H30M`) and the
//! instant it reaches back to from the newest snapshot, in UTC calendar arithmetic.

use crate::time::{civil_from_days, days_from_civil, days_in_month, Instant};

/// An ISO 8601 duration of whole units: `P[nY][nM][nW][nD][T[nH][nM][nS]]`, at least one
/// component, designators upper case and in this order, no sign and no fractions. Numbers too
/// large for a `u64` saturate (they reach back before any snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IsoDuration {
    /// Years.
    pub years: u64,
    /// Months.
    pub months: u64,
    /// Weeks (seven days each).
    pub weeks: u64,
    /// Days.
    pub days: u64,
    /// Hours.
    pub hours: u64,
    /// Minutes.
    pub minutes: u64,
    /// Seconds.
    pub seconds: u64,
}

/// Beyond this many months (a million years) the cutoff is before any readable timestamp.
const MAX_MONTHS: u64 = 12_000_000;

impl IsoDuration {
    /// Parses the text; the error says what is wrong, for a `keepWithin.format` violation.
    pub fn parse(text: &str) -> Result<IsoDuration, String> {
        let b = text.as_bytes();
        if b.first() != Some(&b'P') {
            return Err("must start with P (e.g. P7D, PT36H, P1Y2M)".into());
        }
        let mut d = IsoDuration::default();
        let mut i = 1;
        let mut in_time = false;
        let mut any = false;
        // Designators in their order; `rank` only grows, so each appears at most once.
        let mut rank = 0;
        while i < b.len() {
            if b[i] == b'T' {
                if in_time {
                    return Err("has T twice".into());
                }
                in_time = true;
                rank = 4;
                i += 1;
                if i == b.len() {
                    return Err("has T without hours, minutes or seconds after it".into());
                }
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(format!("expected a number at position {start}"));
            }
            let n = b[start..i].iter().fold(0u64, |n, c| n.saturating_mul(10).saturating_add(u64::from(c - b'0')));
            let (r, slot) = match (in_time, b.get(i)) {
                (false, Some(b'Y')) => (0, &mut d.years),
                (false, Some(b'M')) => (1, &mut d.months),
                (false, Some(b'W')) => (2, &mut d.weeks),
                (false, Some(b'D')) => (3, &mut d.days),
                (true, Some(b'H')) => (4, &mut d.hours),
                (true, Some(b'M')) => (5, &mut d.minutes),
                (true, Some(b'S')) => (6, &mut d.seconds),
                (_, Some(b'.' | b',')) => return Err("has a fraction; use whole units (PT90M, not PT1.5H)".into()),
                (false, Some(b'H' | b'S')) => return Err("needs T before hours, minutes or seconds (PT36H)".into()),
                (_, None) => return Err("ends with a number without a designator".into()),
                _ => return Err(format!("has an unexpected character at position {i}")),
            };
            if r < rank {
                return Err("has designators out of order or twice (the order is Y M W D T H M S)".into());
            }
            rank = r + 1;
            *slot = n;
            any = true;
            i += 1;
        }
        if !any {
            return Err("has no components (e.g. P7D)".into());
        }
        Ok(d)
    }

    /// True when every component is zero (`P0D`, `PT0S`): no time at all.
    pub fn is_zero(&self) -> bool {
        *self == IsoDuration::default()
    }

    /// `from` minus this duration, in UTC: years and months first, the day kept or clamped to
    /// the end of a shorter month (2024-03-31 minus P1M is 2024-02-29), then weeks and days,
    /// then hours, minutes and seconds as exact time. `None` when it reaches back beyond any
    /// timestamp (every snapshot is within).
    pub fn before(&self, from: Instant) -> Option<(i128, u32)> {
        let months = self.years.saturating_mul(12).saturating_add(self.months);
        if months > MAX_MONTHS {
            return None;
        }
        let day_index = from.secs.div_euclid(86_400);
        let second_of_day = i128::from(from.secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(day_index);
        let total = y * 12 + i64::from(m) - 1 - months as i64;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        let days = i128::from(days_from_civil(ny, nm, nd)) - 7 * i128::from(self.weeks) - i128::from(self.days);
        let time = 3600 * i128::from(self.hours) + 60 * i128::from(self.minutes) + i128::from(self.seconds);
        Some((days * 86_400 + second_of_day - time, from.nanos))
    }
}
