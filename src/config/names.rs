//! Default snapshot names.

use crate::time::utc_parts;

/// `<disk>-snap-<yyyyMMdd>-<HHmmss>`, the disk part shortened so the whole fits 80 characters.
pub fn default_snapshot_name(disk_name: &str, now_ms: i64) -> String {
    let t = utc_parts(now_ms);
    let suffix = format!("-snap-{:04}{:02}{:02}-{:02}{:02}{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
    format!("{}{suffix}", shorten(disk_name, 80 - suffix.len()))
}

/// `<source>-<region>` for a cross-region copy, shortened to fit.
pub fn default_copy_name(source_name: &str, region: &str) -> String {
    let region: String = region.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let suffix = format!("-{}", shorten(&region, 40));
    format!("{}{suffix}", shorten(source_name, 80 - suffix.len()))
}

fn shorten(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // A name must not end with '.' or '-' before the suffix is added; the suffix always follows.
    &s[..end]
}
