//! ARM's tag rules (`tags.*`), the same for snapshots and templates.

use super::text::describe_chars;
use super::{Violations, MAX_PER_FIELD};
use crate::models::Tags;

/// ARM's tag rules, at `<prefix>.tags`: at most 50 (`tags.count`), names of 1 to 512
/// characters (`tags.nameLength`) without `<>%&\?/` or control characters (`tags.nameChars`),
/// values of at most 256 (`tags.valueLength`). Every rule each tag breaks.
pub(crate) fn check_tags(tags: &Tags, prefix: &str, v: &mut Violations) {
    if tags.len() > 50 {
        v.add(
            format!("{prefix}.tags"),
            "tags.count",
            format!("at most 50 tags per resource (there are {})", tags.len()),
        );
    }
    let mut reported = 0;
    for (k, val) in tags {
        let before = v.0.len();
        let field = format!("{prefix}.tags.{k}");
        let count = k.chars().count();
        if count == 0 || count > 512 {
            v.add(&field, "tags.nameLength", format!("tag names are 1 to 512 characters (this one has {count})"));
        }
        let bad = describe_chars(
            k.chars().filter(|c| matches!(c, '<' | '>' | '%' | '&' | '\\' | '?' | '/') || c.is_control()),
        );
        if !bad.is_empty() {
            v.add(
                &field,
                "tags.nameChars",
                format!("tag names may not contain < > % & \\ ? / or control characters; found {bad}"),
            );
        }
        let value_count = val.chars().count();
        if value_count > 256 {
            v.add(
                &field,
                "tags.valueLength",
                format!("tag values are at most 256 characters (this one has {value_count})"),
            );
        }
        if v.0.len() > before {
            reported += 1;
            if reported >= MAX_PER_FIELD {
                break;
            }
        }
    }
}
