//! Regions (`location.format`) and ARM expressions.

use super::text::{describe_chars, quoted};
use super::Violations;

/// ARM's expression syntax: `[` … `]`, not `[[` (an escaped literal).
pub(crate) fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// Region names as ARM takes them: `westeurope`, also display names such as `West Europe`.
fn is_region_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

/// `West Europe` and `westeurope` are the same region.
pub fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    norm(a) == norm(b)
}

/// `options.location` must be a region name (or, where `expressions` are taken, an ARM
/// expression): `location.format`, showing the characters that do not belong in a region name.
pub(crate) fn check_location(l: &str, expressions: bool, v: &mut Violations) {
    if is_region_name(l) || (expressions && is_expression(l)) {
        return;
    }
    let nor = if expressions { " nor an ARM expression [ … ]" } else { "" };
    let bad = describe_chars(l.chars().filter(|c| !(c.is_ascii_alphanumeric() || *c == ' ')));
    let found = if bad.is_empty() { String::new() } else { format!(" (letters, digits and spaces); found {bad}") };
    v.add(
        "options.location",
        "location.format",
        format!("{} is not an Azure region name such as westeurope{nor}{found}", quoted(l)),
    );
}
