//! Options read field by field: [`parse_options`] parses the JSON text, a [`Reader`] takes each
//! known key with its own type check (`<key>.type`, or the rule the caller names) and reports
//! unknown keys with a "did you mean" ([`closest`]).

use super::text::quoted;
use super::{error_of, Violations, MAX_PER_FIELD};
use crate::error::{Result, Violation};
use crate::models::Tags;
use serde_json::{Map, Value};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_within_two_edits() {
        let known = ["name", "networkAccessPolicy", "apiVersion"];
        assert_eq!(closest("networkAccesPolicy", &known), Some("networkAccessPolicy"));
        assert_eq!(closest("ApiVersion", &known), Some("apiVersion"));
        assert_eq!(closest("nmae", &known), Some("name"));
        assert_eq!(closest("colour", &known), None);
    }
}
