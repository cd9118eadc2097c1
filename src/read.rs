//! Reading ARM's JSON by hand over [`serde_json::Value`] (and verbatim items through the
//! scanner's validator), instead of serde `Deserialize` derives and `RawValue`; and the one
//! writer of a JSON string that the hand-written outputs (chains, plans, bodies) share.
//!
//! Why: every typed serde read can fail with serde's "invalid type: floating point `1.5`, …",
//! and that one message keeps core's whole float formatting (`<f64 as Display>`, about 14 KiB)
//! and the derived visitors in the wasm. A `Value` read never fails on a type, so none of it
//! is linked. The rules are those of the derives they replace: a missing or `null` field is
//! absent; a field of another type is an error, now said in the user's terms with its path.

use serde_json::{Map, Value};

/// Appends `s` as a JSON string (`null` when absent), escaped as `serde_json` escapes it.
pub(crate) fn push_json_str(out: &mut String, s: Option<&str>) {
    match s.and_then(|s| serde_json::to_string(s).ok()) {
        Some(quoted) => out.push_str(&quoted),
        None => out.push_str("null"),
    }
}

/// Parses `text` as any JSON value (serde_json's own syntax errors, which name no type).
pub(crate) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// What a field should have been, for a message: `"{path} must be {what}"`.
pub(crate) fn must(path: &str, what: &str) -> String {
    format!("{path} must be {what}")
}

/// The object `v` (`None` for missing or `null`), else `Err("{path} must be an object")`.
pub(crate) fn obj<'a>(v: Option<&'a Value>, path: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(must(path, "an object")),
    }
}

/// The value of `key` in `m`, `None` when `m` is absent or the key is missing or `null`.
pub(crate) fn field<'a>(m: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
    m.and_then(|m| m.get(key)).filter(|v| !v.is_null())
}

/// The string `key` of `m` (absent when missing or `null`), else `Err("{path}.{key} must be a string")`.
pub(crate) fn str_at<'a>(m: Option<&'a Map<String, Value>>, key: &str, path: &str) -> Result<Option<&'a str>, String> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(must(&join(path, key), "a string")),
    }
}

/// The object `key` of `m`, as [`obj`].
pub(crate) fn obj_at<'a>(
    m: Option<&'a Map<String, Value>>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, String> {
    obj(field(m, key), &join(path, key))
}

/// The boolean `key` of `m`, as [`str_at`].
pub(crate) fn bool_at(m: Option<&Map<String, Value>>, key: &str, path: &str) -> Result<Option<bool>, String> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(must(&join(path, key), "true or false")),
    }
}

/// The number `key` of `m`, as [`str_at`].
pub(crate) fn f64_at(m: Option<&Map<String, Value>>, key: &str, path: &str) -> Result<Option<f64>, String> {
    match field(m, key) {
        None => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| must(&join(path, key), "a number")),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The items of a JSON array's text, each verbatim; `None` when `text` is not valid JSON or
/// not an array (validated strictly, as serde_json validates).
pub(crate) fn raw_items(text: &str) -> Option<Vec<&str>> {
    crate::scan::raw_items(text)
}

/// `text` trimmed, when it is exactly one valid JSON value.
pub(crate) fn raw_value(text: &str) -> Option<&str> {
    crate::scan::raw_value(text)
}

/// Why `text` could not be read as JSON of the `expected` kind: serde_json's syntax error when
/// it is not JSON, else "expected {expected}".
pub(crate) fn why_not(text: &str, expected: &str) -> String {
    match parse(text) {
        Err(e) => e.to_string(),
        Ok(_) => format!("expected {expected}"),
    }
}

/// The text `format!("{x}")` writes (plain decimal, never an exponent), from serde_json's
/// shortest digits (core's float formatting costs the wasm about 14 KiB). Where two shortest
/// decimals are exactly equally near `x` (658206780088562.25), core takes the upper one and
/// serde_json the even one: [`tie_up`] takes core's.
pub(crate) fn display_f64(x: f64) -> String {
    let Some(n) = serde_json::Number::from_f64(x) else {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    };
    let text = n.to_string();
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (x.is_sign_negative(), text.as_str()),
    };
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int}{frac}");
    // The decimal point sits after `point` digits (may be ≤ 0 or past the end).
    let point = int.len() as i64 + i64::from(exp);
    let digits = digits.trim_start_matches('0');
    let lead_zeros = (int.len() + frac.len()) as i64 - digits.len() as i64;
    let point = point - lead_zeros;
    let digits = digits.trim_end_matches('0');
    let (digits, point) = tie_up(x, digits, point);
    let digits = digits.as_str();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat('0').take(point.unsigned_abs() as usize));
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        out.extend(std::iter::repeat('0').take(point as usize - digits.len()));
    } else {
        let (a, b) = digits.split_at(point as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
    out
}

/// Core rounds a tie between two shortest decimals up, serde_json to the even one: when `x`
/// is exactly `digits` followed by a 5 (known exactly for the values whose decimal expansion
/// fits 128 bits), the upper one.
fn tie_up(x: f64, digits: &str, point: i64) -> (String, i64) {
    let bits = x.abs().to_bits();
    let (e_bits, frac) = ((bits >> 52) as i64, bits & ((1u64 << 52) - 1));
    let (mut mant, mut exp) = (frac | (1u64 << 52), e_bits - 1075);
    if e_bits == 0 || digits.is_empty() {
        return (digits.to_string(), point);
    }
    let tz = mant.trailing_zeros();
    mant >>= tz;
    exp += i64::from(tz);
    let exact = match exp {
        0..=74 => Some(((u128::from(mant)) << exp).to_string()).map(|t| {
            let p = t.len() as i64;
            (t, p)
        }),
        -32..=-1 => {
            let t = (u128::from(mant) * 5u128.pow((-exp) as u32)).to_string();
            let p = t.len() as i64 + exp;
            Some((t, p))
        }
        _ => None,
    };
    let Some((t, p)) = exact else { return (digits.to_string(), point) };
    let t = t.trim_end_matches('0');
    if p != point || t.len() != digits.len() + 1 || !t.ends_with('5') || !t.starts_with(digits) {
        return (digits.to_string(), point);
    }
    // Add one at the last digit, carrying.
    let mut d: Vec<u8> = digits.bytes().collect();
    let mut i = d.len();
    while i > 0 {
        i -= 1;
        if d[i] == b'9' {
            d[i] = b'0';
        } else {
            d[i] += 1;
            let up: String = d.iter().map(|&c| c as char).collect();
            return (up.trim_end_matches('0').to_string(), point);
        }
    }
    ("1".to_string(), point + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_f64_is_cores_text() {
        let mut xs =
            vec![0.0, -0.0, 1.0, -1.0, 45.5, 99.99, 100.0, 0.1, 1e-7, 1.5e-300, 123456789.125, 99.999999999999];
        xs.extend([f64::MIN_POSITIVE, 5e-324, 1.0 / 3.0, 2.0f64.sqrt() * 1e10, 0.3]);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f64::from_bits(seed);
            if x.is_finite() {
                xs.push(x);
            }
            xs.push((seed % 100_000) as f64 / 1000.0);
        }
        for x in xs {
            assert_eq!(display_f64(x), format!("{x}"), "{x:e}");
            let x = if x.abs() < 1e15 { x } else { x % 1e15 };
            assert_eq!(display_f64(x), format!("{x}"), "{x:e}");
            let y = x / 1e9;
            assert_eq!(display_f64(y), format!("{y}"), "{y:e}");
        }
        for x in [1e21, -1e300, f64::MAX, 1e15, 7.0e22] {
            assert_eq!(display_f64(x), format!("{x}"));
        }
    }

    #[test]
    fn raw_helpers_validate() {
        assert_eq!(raw_items(" [ {\"a\":1} , 2 ] "), Some(vec!["{\"a\":1}", "2"]));
        assert_eq!(raw_items("[1,]"), None);
        assert_eq!(raw_items("{}"), None);
        assert_eq!(raw_value(" {\"a\":[1]} "), Some("{\"a\":[1]}"));
        assert_eq!(raw_value("{} x"), None);
        assert_eq!(crate::scan::raw_member(r#"{"a":1,"b": {"c":2} ,"a":[3]}"#, "b"), Some(r#"{"c":2}"#));
        assert_eq!(crate::scan::raw_member(r#"{"a":1,"a":[3]}"#, "a"), Some("[3]"));
        assert_eq!(crate::scan::raw_member(r#"{"a":1}"#, "z"), None);
    }
}
