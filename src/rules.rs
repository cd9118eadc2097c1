//! Options read field by field, and the rules snapshot and template options share.
//!
//! Options cross the boundary as JSON text. [`parse_options`] parses it into a generic value, and
//! a [`Reader`] takes each known key with its own type check: a wrong type is one violation
//! (`options.tags`, `tags.type`, "tags must be an object of string values, got a number") and
//! every other field is still read and checked. Unknown keys are violations too, with a
//! suggestion when a known key is close. The rules on names and tags report every rule a value
//! breaks, and characters in messages are shown readably ([`describe_chars`]).

use crate::error::{Error, Result, Violation};
use crate::models::Tags;
use serde_json::{Map, Value};

/// Violations collected by a validator.
#[derive(Default)]
pub(crate) struct Violations(pub(crate) Vec<Violation>);

impl Violations {
    /// Records one broken rule.
    pub(crate) fn add(&mut self, field: impl Into<String>, rule: &'static str, message: impl Into<String>) {
        self.0.push(Violation { field: field.into(), rule, message: message.into() });
    }
}

/// The error carrying `violations` (which must not be empty).
pub(crate) fn error_of(violations: Vec<Violation>) -> Error {
    match Error::from_violations(violations) {
        Err(e) => e,
        Ok(()) => Error::invalid_argument("options", "invalid options"),
    }
}

/// Appends the violations of `later` to `first`, leaving out those about a field `first`
/// already refused (or a field inside it): a field refused for its type was read as absent,
/// and what its absence implies is not the user's mistake.
pub(crate) fn merge(mut first: Vec<Violation>, later: Vec<Violation>) -> Vec<Violation> {
    let refused: Vec<String> = first.iter().map(|v| v.field.clone()).collect();
    let covered =
        |f: &str| refused.iter().any(|r| f == r || (f.starts_with(r.as_str()) && f[r.len()..].starts_with(['.', '['])));
    first.extend(later.into_iter().filter(|v| !covered(&v.field)));
    first
}

/// Parses options JSON text: `None` when empty or `null`; an error when it is not an object.
pub(crate) fn parse_options(text: &str, what: &str) -> Result<Option<Map<String, Value>>> {
    let t = text.trim();
    if t.is_empty() || t == "null" {
        return Ok(None);
    }
    let mut v = Violations::default();
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(map)) => return Ok(Some(map)),
        Ok(other) => v.add("options", "options.type", format!("{what} must be an object, got {}", kind(&other))),
        Err(e) => v.add("options", "options.json", format!("{what} are not valid JSON ({e})")),
    }
    Err(error_of(v.0))
}

/// What a JSON value is, in words: "a number", "an array", ...
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the keys of one options object (`path` is its field path, e.g. `options`), each with
/// its own type check; every problem is a violation, and a refused key reads as absent.
pub(crate) struct Reader<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
    known: &'static [&'static str],
    /// The violations found so far.
    pub(crate) v: Violations,
}

impl<'a> Reader<'a> {
    /// A reader of `map` at `path`, which knows the keys `known`.
    pub(crate) fn new(map: &'a Map<String, Value>, path: &'a str, known: &'static [&'static str]) -> Self {
        Reader { map, path, known, v: Violations::default() }
    }

    fn field(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The value of `key`; `null` counts as absent.
    pub(crate) fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// `key`'s value when `take` accepts it; else a `rule` violation "`key` must be `expected`".
    pub(crate) fn typed<T>(
        &mut self,
        key: &str,
        rule: &'static str,
        expected: &str,
        take: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.value(key)?;
        let taken = take(value);
        if taken.is_none() {
            let got = match value {
                Value::Number(n) if n.as_i64().is_none() && n.as_u64().is_none() => format!("the number {n}"),
                other => kind(other).to_string(),
            };
            let field = self.field(key);
            let label = field.strip_prefix("options.").unwrap_or(&field).to_string();
            self.v.add(field, rule, format!("{label} must be {expected}, got {got}"));
        }
        taken
    }

    /// A string.
    pub(crate) fn string(&mut self, key: &str, rule: &'static str) -> Option<String> {
        self.typed(key, rule, "a string", |v| v.as_str().map(str::to_string))
    }

    /// A string naming one of a set of values (`choices` for the message).
    pub(crate) fn choice<T>(
        &mut self,
        key: &str,
        rule: &'static str,
        choices: &str,
        parse: impl FnOnce(&str) -> T,
    ) -> Option<T> {
        self.typed(key, rule, &format!("a string ({choices})"), |v| v.as_str().map(parse))
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&mut self, key: &str, rule: &'static str) -> Option<bool> {
        self.typed(key, rule, "true or false", Value::as_bool)
    }

    /// A whole number (`60` or `60.0`); beyond the i64 range it saturates, for range rules to
    /// refuse.
    pub(crate) fn integer(&mut self, key: &str, rule: &'static str) -> Option<i64> {
        self.typed(key, rule, "a whole number", |v| {
            let n = v.as_number()?;
            if let Some(i) = n.as_i64() {
                return Some(i);
            }
            if n.as_u64().is_some() {
                return Some(i64::MAX);
            }
            let f = n.as_f64()?;
            // The saturating cast is the point: out-of-range values fail the range rules.
            (f.fract() == 0.0).then_some(f as i64)
        })
    }

    /// An object.
    pub(crate) fn object(&mut self, key: &str, rule: &'static str, expected: &str) -> Option<&'a Map<String, Value>> {
        self.typed(key, rule, expected, Value::as_object)
    }

    /// An array.
    pub(crate) fn array(&mut self, key: &str, rule: &'static str, expected: &str) -> Option<&'a Vec<Value>> {
        self.typed(key, rule, expected, Value::as_array)
    }

    /// Tags: an object of string values. A value of another type is a violation at
    /// `<path>.<key>.<name>` and that tag is left out; the others are kept, to be checked.
    pub(crate) fn tags(&mut self, key: &str, rule: &'static str) -> Option<Tags> {
        let map = self.object(key, rule, "an object of string values")?;
        let mut tags = Tags::new();
        let mut refused = 0;
        for (name, value) in map {
            match value.as_str() {
                Some(s) => {
                    tags.insert(name.clone(), s.to_string());
                }
                None => {
                    refused += 1;
                    if refused <= MAX_PER_FIELD {
                        let field = format!("{}.{name}", self.field(key));
                        self.v.add(field, rule, format!("tag values must be strings, got {}", kind(value)));
                    }
                }
            }
        }
        Some(tags)
    }

    /// Reports every key that is not a known one (`rule`), suggesting a close known key; call
    /// it after reading. Returns the violations.
    pub(crate) fn finish(mut self, rule: &'static str, what: &str) -> Vec<Violation> {
        let unknown: Vec<&String> = self.map.keys().filter(|k| !self.known.contains(&k.as_str())).collect();
        for key in unknown.iter().take(MAX_PER_FIELD) {
            let message = match closest(key, self.known) {
                Some(k) => format!("unknown {what} {}; did you mean \"{k}\"?", quoted(key)),
                None => format!("unknown {what} {}; known are {}", quoted(key), self.known.join(", ")),
            };
            self.v.add(self.field(key), rule, message);
        }
        self.v.0
    }
}

/// At most this many violations per field for lists (tags, unknown keys, ...).
const MAX_PER_FIELD: usize = 20;

/// The known key within edit distance 2 of `key` (ignoring case), the closest first.
pub(crate) fn closest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let key: Vec<char> = key.to_ascii_lowercase().chars().collect();
    known
        .iter()
        .filter_map(|k| {
            let k_chars: Vec<char> = k.to_ascii_lowercase().chars().collect();
            let d = edit_distance(&key, &k_chars, 2)?;
            Some((d, *k))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance when at most `max`, else `None`.
fn edit_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// A user's text in quotes for a message: at most 60 characters, invisible ones escaped.
pub(crate) fn quoted(s: &str) -> String {
    const SHOWN: usize = 60;
    let mut out = String::from("\"");
    for c in s.chars().take(SHOWN) {
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if is_invisible(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > SHOWN {
        out.push('…');
    }
    out.push('"');
    out
}

/// Control, format (zero-width, direction marks, BOM), combining and line-breaking characters:
/// shown by code point only.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
            | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF
            | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
        || (0xE000..=0xF8FF).contains(&(c as u32))
        || (0xF0000..=0x10FFFF).contains(&(c as u32))
}

/// Names of the characters people paste by accident.
fn char_name(c: char) -> Option<&'static str> {
    Some(match c as u32 {
        0x00 => "NULL",
        0x09 => "CHARACTER TABULATION",
        0x0A => "LINE FEED",
        0x0D => "CARRIAGE RETURN",
        0x1B => "ESCAPE",
        0x20 => "SPACE",
        0x7F => "DELETE",
        0xA0 => "NO-BREAK SPACE",
        0xAD => "SOFT HYPHEN",
        0x2002 => "EN SPACE",
        0x2003 => "EM SPACE",
        0x2009 => "THIN SPACE",
        0x200A => "HAIR SPACE",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x2010 => "HYPHEN",
        0x2011 => "NON-BREAKING HYPHEN",
        0x2013 => "EN DASH",
        0x2014 => "EM DASH",
        0x2018 => "LEFT SINGLE QUOTATION MARK",
        0x2019 => "RIGHT SINGLE QUOTATION MARK",
        0x201C => "LEFT DOUBLE QUOTATION MARK",
        0x201D => "RIGHT DOUBLE QUOTATION MARK",
        0x2026 => "HORIZONTAL ELLIPSIS",
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x202F => "NARROW NO-BREAK SPACE",
        0x205F => "MEDIUM MATHEMATICAL SPACE",
        0x2060 => "WORD JOINER",
        0x2212 => "MINUS SIGN",
        0x3000 => "IDEOGRAPHIC SPACE",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFFD => "REPLACEMENT CHARACTER",
        _ => return None,
    })
}

/// One character for a message: `"/"`; `" " (U+0020 SPACE)` for spaces and other non-ASCII
/// characters one can see; `U+200B ZERO WIDTH SPACE` for invisible ones.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_ascii_graphic() {
        return if c == '"' { "'\"'".to_string() } else { format!("\"{c}\"") };
    }
    let code = match char_name(c) {
        Some(name) => format!("U+{:04X} {name}", c as u32),
        None => format!("U+{:04X}", c as u32),
    };
    if is_invisible(c) {
        code
    } else {
        format!("\"{c}\" ({code})")
    }
}

/// The distinct characters of `chars`, the first three described: `"!", "@", "#" and 2 more`.
pub(crate) fn describe_chars(chars: impl IntoIterator<Item = char>) -> String {
    const SHOWN: usize = 3;
    let mut distinct: Vec<char> = Vec::new();
    for c in chars {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    let shown: Vec<String> = distinct.iter().take(SHOWN).map(|c| describe_char(*c)).collect();
    match (shown.len(), distinct.len()) {
        (0, _) => String::new(),
        (1, _) => shown[0].clone(),
        (n, total) if total <= SHOWN => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        (_, total) => format!("{} and {} more", shown.join(", "), total - SHOWN),
    }
}

/// Disk and snapshot names: 1–80 of letters, digits, `_`, `.`, `-`; starting with a letter or
/// digit and ending with a letter, digit or `_`. Reports every rule broken, as `<prefix>.length`,
/// `.chars`, `.start`, `.end` (`rules` gives the four names).
pub(crate) fn check_resource_name(name: &str, field: &str, what: &str, rules: [&'static str; 4], v: &mut Violations) {
    let [length, chars, start, end] = rules;
    let count = name.chars().count();
    if count == 0 || count > 80 {
        v.add(field, length, format!("{what} must be 1 to 80 characters (it has {count})"));
    }
    let bad = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
    let bad = describe_chars(bad);
    if !bad.is_empty() {
        v.add(field, chars, format!("{what} may hold only letters, digits, '_', '.' and '-'; found {bad}"));
    }
    if let Some(first) = name.chars().next().filter(|c| !c.is_ascii_alphanumeric()) {
        v.add(field, start, format!("{what} must start with a letter or digit, not {}", describe_char(first)));
    }
    if let Some(last) = name.chars().last().filter(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        v.add(field, end, format!("{what} must end with a letter, digit or '_', not {}", describe_char(last)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_shown_readably() {
        assert_eq!(describe_char('/'), "\"/\"");
        assert_eq!(describe_char(' '), "\" \" (U+0020 SPACE)");
        assert_eq!(describe_char('\u{200b}'), "U+200B ZERO WIDTH SPACE");
        assert_eq!(describe_char('\u{1}'), "U+0001");
        assert_eq!(describe_char('é'), "\"é\" (U+00E9)");
        assert_eq!(describe_chars("ab".chars()), "\"a\" and \"b\"");
        assert_eq!(describe_chars("aab!".chars()), "\"a\", \"b\" and \"!\"");
        assert_eq!(describe_chars("abcde".chars()), "\"a\", \"b\", \"c\" and 2 more");
        assert_eq!(quoted("a\u{200b}\"b"), "\"a\\u{200B}\\\"b\"");
    }

    #[test]
    fn suggestions_are_within_two_edits() {
        let known = ["name", "networkAccessPolicy", "apiVersion"];
        assert_eq!(closest("networkAccesPolicy", &known), Some("networkAccessPolicy"));
        assert_eq!(closest("ApiVersion", &known), Some("apiVersion"));
        assert_eq!(closest("nmae", &known), Some("name"));
        assert_eq!(closest("colour", &known), None);
    }

    #[test]
    fn merge_leaves_out_what_a_refused_field_implies() {
        let v = |f: &str| Violation { field: f.into(), rule: "r", message: String::new() };
        let merged = merge(vec![v("options.tags")], vec![v("options.tags.a"), v("options.tagsX"), v("options.name")]);
        let fields: Vec<&str> = merged.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["options.tags", "options.tagsX", "options.name"]);
    }
}
