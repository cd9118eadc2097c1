//! Resource names: disks and snapshots (`name.*`), resource groups (`resourceGroup.*`).

use super::text::{describe_char, describe_chars};
use super::Violations;

/// Disk and snapshot names: 1–80 of letters, digits, `_`, `.`, `-`; starting with a letter or
/// digit and ending with a letter, digit or `_`. Reports every rule broken: `name.length`,
/// `name.chars`, `name.start`, `name.end` (`what` names it in messages: "a snapshot name").
pub(crate) fn check_resource_name(name: &str, field: &str, what: &str, v: &mut Violations) {
    let count = name.chars().count();
    if count == 0 || count > 80 {
        v.add(field, "name.length", format!("{what} must be 1 to 80 characters (it has {count})"));
    }
    let bad = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
    let bad = describe_chars(bad);
    if !bad.is_empty() {
        v.add(field, "name.chars", format!("{what} may hold only letters, digits, '_', '.' and '-'; found {bad}"));
    }
    if let Some(first) = name.chars().next().filter(|c| !c.is_ascii_alphanumeric()) {
        v.add(field, "name.start", format!("{what} must start with a letter or digit, not {}", describe_char(first)));
    }
    if let Some(last) = name.chars().last().filter(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        v.add(field, "name.end", format!("{what} must end with a letter, digit or '_', not {}", describe_char(last)));
    }
}

/// Resource group names: 1–90 letters, digits, `_`, `(`, `)`, `-`, `.`, not ending with `.`
/// (`resourceGroup.length`, `.chars`, `.end`).
pub(crate) fn check_resource_group(rg: &str, field: &str, v: &mut Violations) {
    let count = rg.chars().count();
    if count == 0 || count > 90 {
        v.add(field, "resourceGroup.length", format!("resource group names are 1 to 90 characters (it has {count})"));
    }
    let bad = describe_chars(rg.chars().filter(|c| !(c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.'))));
    if !bad.is_empty() {
        v.add(
            field,
            "resourceGroup.chars",
            format!("resource group names may hold only letters, digits, '_', '(', ')', '-' and '.'; found {bad}"),
        );
    }
    if rg.ends_with('.') {
        v.add(field, "resourceGroup.end", "resource group names must not end with '.'");
    }
}
