//! A byte scanner for snapshot list pages: the hot path of `filterIncrementalSnapshots` and of a
//! filtered listing.
//!
//! A page of 1,000 snapshots is about 1 MB of JSON of which a chain needs a few percent. The
//! scanner
//! 1. validates the whole page strictly as JSON, in one pass without building anything (SIMD128
//!    on wasm32 skips the insides of strings 16 bytes at a time; a portable 8-byte SWAR loop
//!    elsewhere), recording only where each item of the listing starts and ends;
//! 2. finds the disk's `uniqueId` in the page with one substring search (ASCII case ignored);
//! 3. fully reads only the items that contain it, and hands them back verbatim.
//!
//! [`read_listing_str`] reads every item instead (what `groupSnapshotChains` needs), and
//! [`ScannedSnapshot`] is the one partial view of a snapshot: the chain rule
//! ([`ScannedSnapshot::belongs_to`]) and the chain order ([`chain_order_of`]) are written here
//! once and used by the filter, the grouping and the client's filtered listing.
//!
//! It accepts and rejects exactly what a serde reading of the same fields accepts and rejects
//! (a differential test in `tests/it/scan.rs` holds it to a serde reference): the page is read as
//! serde reads `Vec<&RawValue>` or `{ value, nextLink }` (unknown keys ignored, duplicate known
//! keys refused), items that cannot match are only validated (lone-surrogate `\u` escapes in
//! them are accepted, as serde_json's `ignore_value` does), and items that may match are read as
//! serde's derived structs read them: an object, or an array of the fields in declaration order;
//! `null` for an absent field; strings, keys and `nextLink` with surrogate escapes paired.
//! One known difference: a `completionPercent` within one unit in the last place of `f64::MAX`
//! (about 1.7976931348623158e308) is judged by correctly rounded parsing, where serde_json's
//! faster approximate parsing may round the other way.

use crate::error::{Error, Result};
use crate::filter::DiskIdentity;
use crate::resource_id::ids_equal;
use crate::time::{parse_timestamp, Instant};
use std::borrow::Cow;

/// One item of a listing that mentions the disk's `uniqueId`, with the fields the chain reads.
#[derive(Debug, Clone)]
pub struct ScannedSnapshot<'a> {
    /// The item's JSON text exactly as it appeared in the page.
    pub raw: &'a str,
    /// `id`.
    pub id: Option<Cow<'a, str>>,
    /// `name`.
    pub name: Option<Cow<'a, str>>,
    /// `properties.incremental == true`.
    pub incremental: bool,
    /// `properties.creationData.createOption`.
    pub create_option: Option<Cow<'a, str>>,
    /// `properties.creationData.sourceResourceId`.
    pub source_resource_id: Option<Cow<'a, str>>,
    /// `properties.creationData.sourceUniqueId`.
    pub source_unique_id: Option<Cow<'a, str>>,
    /// `properties.incrementalSnapshotFamilyId`.
    pub family_id: Option<Cow<'a, str>>,
    /// `properties.timeCreated` as written.
    pub time_created: Option<Cow<'a, str>>,
    /// `properties.timeCreated` parsed, when it parses.
    pub created_at: Option<Instant>,
    /// `properties.completionPercent`.
    pub completion_percent: Option<f64>,
}

/// Chain order on its keys (`timeCreated` parsed, `name`, `id`): oldest first, unreadable times
/// last, then name, then id, so the order never depends on the listing's order. The one order
/// of a chain: the filter, the grouping and the client's filtered listing all sort with it.
pub fn chain_order_of(
    a: (Option<Instant>, Option<&str>, Option<&str>),
    b: (Option<Instant>, Option<&str>, Option<&str>),
) -> std::cmp::Ordering {
    (a.0.is_none(), a.0, a.1, a.2).cmp(&(b.0.is_none(), b.0, b.1, b.2))
}

impl ScannedSnapshot<'_> {
    /// The documented rule: incremental, `sourceResourceId` equal to the disk's id (case
    /// ignored, as ARM compares ids) and `sourceUniqueId` equal to its `uniqueId`.
    pub fn belongs_to(&self, disk: &DiskIdentity) -> bool {
        self.incremental
            && self.source_resource_id.as_deref().is_some_and(|s| ids_equal(s, &disk.id))
            && self.source_unique_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&disk.unique_id))
    }

    /// The keys [`chain_order_of`] sorts on.
    pub fn order_keys(&self) -> (Option<Instant>, Option<&str>, Option<&str>) {
        (self.created_at, self.name.as_deref(), self.id.as_deref())
    }

    /// Chain order ([`chain_order_of`]).
    pub fn chain_order(&self, other: &ScannedSnapshot<'_>) -> std::cmp::Ordering {
        chain_order_of(self.order_keys(), other.order_keys())
    }
}

/// What a scan of one listing found.
#[derive(Debug, Clone)]
pub struct ScannedListing<'a> {
    /// The items that mention the `uniqueId` searched for, in listing order.
    pub candidates: Vec<ScannedSnapshot<'a>>,
    /// Number of items in the listing.
    pub item_count: usize,
    /// `nextLink` of a list page, when it has one.
    pub next_link: Option<String>,
    /// True for an ARM list page object, false for a bare array.
    pub is_page_object: bool,
}

/// Scans a listing's bytes (an array of snapshots, or an ARM list page): validates all of it,
/// and reads the items that contain `unique_id` (ASCII case ignored). Invalid UTF-8 is
/// `INVALID_JSON`, like any other invalid JSON.
pub fn scan_listing<'a>(page: &'a [u8], unique_id: &str) -> Result<ScannedListing<'a>> {
    // The scan validates UTF-8 as it goes (a page it accepts is UTF-8); only a page it refuses
    // is checked again, so that invalid UTF-8 is reported as such wherever it is.
    scan_bytes(page, unique_id).map_err(|e| match std::str::from_utf8(page) {
        Err(u) => Error::invalid_json("snapshots", format!("the listing is not UTF-8 (at byte {})", u.valid_up_to())),
        Ok(_) => e,
    })
}

/// [`scan_listing`] on text.
pub fn scan_listing_str<'a>(text: &'a str, unique_id: &str) -> Result<ScannedListing<'a>> {
    scan_bytes(text.as_bytes(), unique_id)
}

/// Every item of a listing's text read (the empty needle occurs in each item), validated as
/// [`scan_listing`] validates: what `groupSnapshotChains` reads.
pub fn read_listing_str(text: &str) -> Result<ScannedListing<'_>> {
    scan_bytes(text.as_bytes(), "")
}

fn scan_bytes<'a>(b: &'a [u8], unique_id: &str) -> Result<ScannedListing<'a>> {
    let mut stack = Vec::new();
    let mut spans = Vec::new();
    let (is_page_object, next_link) = read_top(b, &mut stack, &mut spans)?;
    let item_count = spans.len();
    let mut candidates = Vec::new();
    let needle = Needle::new(unique_id.as_bytes());
    let mut from = 0;
    let mut item = 0;
    while item < spans.len() {
        let Some(hit) = needle.find(b, from) else { break };
        // The first item that ends at or after the hit's end is the only one that can hold it.
        while item < spans.len() && spans[item].1 < hit + needle.len() {
            item += 1;
        }
        let Some(&(start, end)) = spans.get(item) else { break };
        if hit < start {
            from = start;
            continue;
        }
        let not_a_snapshot = || {
            Error::invalid_json(
                format!("value[{item}]"),
                format!("snapshot {item} of the listing is not a snapshot object"),
            )
        };
        // Validated, so UTF-8 (items start and end on ASCII bytes).
        let raw = std::str::from_utf8(b.get(start..end).unwrap_or_default()).map_err(|_| bad_page("listing"))?;
        let snapshot = read_snapshot(raw, &mut stack).ok_or_else(not_a_snapshot)?;
        candidates.push(snapshot);
        from = end;
        item += 1;
    }
    Ok(ScannedListing { candidates, item_count, next_link, is_page_object })
}

/// `disk`'s chain in a listing's bytes, oldest first, each snapshot verbatim.
pub fn filter_chain<'a>(disk: &DiskIdentity, page: &'a [u8]) -> Result<Vec<ScannedSnapshot<'a>>> {
    Ok(chain_of(disk, scan_listing(page, &disk.unique_id)?))
}

/// [`filter_chain`] on text.
pub fn filter_chain_str<'a>(disk: &DiskIdentity, text: &'a str) -> Result<Vec<ScannedSnapshot<'a>>> {
    Ok(chain_of(disk, scan_listing_str(text, &disk.unique_id)?))
}

fn chain_of<'a>(disk: &DiskIdentity, listing: ScannedListing<'a>) -> Vec<ScannedSnapshot<'a>> {
    let mut chain: Vec<_> = listing.candidates.into_iter().filter(|s| s.belongs_to(disk)).collect();
    crate::sort::stable_sort_by(&mut chain, |a, b| a.chain_order(b));
    chain
}

/// JSON text of an array of scanned snapshots, each verbatim.
pub fn raw_array(items: &[ScannedSnapshot<'_>]) -> String {
    let mut out = String::with_capacity(items.iter().map(|s| s.raw.len() + 1).sum::<usize>() + 2);
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(s.raw);
    }
    out.push(']');
    out
}

/// The items of a JSON array's text, each verbatim, validated as a listing is; `None` when the
/// text is not valid JSON or not an array.
pub(crate) fn raw_items(text: &str) -> Option<Vec<&str>> {
    let b = text.as_bytes();
    let (mut stack, mut spans) = (Vec::new(), Vec::new());
    let i = ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let end = read_items(b, i, &mut stack, &mut spans)?;
    if ws(b, end) != b.len() {
        return None;
    }
    spans.into_iter().map(|(s, e)| text.get(s..e)).collect()
}

/// `text` without its surrounding whitespace, when it is exactly one valid JSON value.
pub(crate) fn raw_value(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let start = ws(b, 0);
    let end = skip_value(b, start, &mut Vec::new())?;
    if ws(b, end) != b.len() {
        return None;
    }
    text.get(start..end)
}

/// The verbatim text of member `key` of the JSON object `text` (the last one, as a
/// `serde_json::Value` read keeps); `None` when missing or when `text` is not a valid object.
pub(crate) fn raw_member<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    let mut stack = Vec::new();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    let mut found = None;
    if b.get(i) == Some(&b'}') {
        return None;
    }
    loop {
        let (k, after) = read_key(b, i)?;
        let end = skip_value(b, after, &mut stack)?;
        if k == key {
            found = Some((after, end));
        }
        i = ws(b, end);
        match b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => break,
            _ => return None,
        }
    }
    let (start, end) = found?;
    text.get(start..end)
}

/// The string member `key` of the JSON object `text` (valid JSON, as [`raw_value`] checks):
/// `Ok(None)` when missing or `null`, `Err(())` when it holds another kind of value.
pub(crate) fn string_member(text: &str, key: &str) -> std::result::Result<Option<String>, ()> {
    match raw_member(text, key) {
        None | Some("null") => Ok(None),
        Some(raw) if raw.starts_with('"') => {
            read_string(raw.as_bytes(), 0).map(|(s, _)| Some(s.into_owned())).ok_or(())
        }
        Some(_) => Err(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The top of a listing.

fn bad_page(what: &str) -> Error {
    Error::invalid_json("snapshots", format!("the {what} is not valid JSON"))
}

/// Reads the page's top level, validating everything, recording item spans. Returns whether it
/// was a page object and its `nextLink`.
fn read_top(b: &[u8], stack: &mut Vec<u8>, spans: &mut Vec<(usize, usize)>) -> Result<(bool, Option<String>)> {
    let i = ws(b, 0);
    match b.get(i) {
        Some(b'[') => {
            let end = read_items(b, i, stack, spans).ok_or_else(|| bad_page("snapshot array"))?;
            if ws(b, end) != b.len() {
                return Err(bad_page("snapshot array"));
            }
            Ok((false, None))
        }
        Some(b'{') => {
            let (end, value, next_link) = read_page_object(b, i, stack, spans).ok_or_else(|| bad_page("list page"))?;
            if ws(b, end) != b.len() {
                return Err(bad_page("list page"));
            }
            if !value {
                return Err(Error::invalid_json("snapshots.value", "a list page needs a \"value\" array"));
            }
            Ok((true, next_link))
        }
        _ => Err(Error::invalid_json(
            "snapshots",
            "expected an array of snapshots, an ARM list page object or its JSON text",
        )),
    }
}

/// An array of raw items at `b[i] == '['`; returns the index after `]`.
fn read_items(b: &[u8], i: usize, stack: &mut Vec<u8>, spans: &mut Vec<(usize, usize)>) -> Option<usize> {
    let mut i = ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        let end = skip_value(b, i, stack)?;
        spans.push((i, end));
        i = ws(b, end);
        match b.get(i)? {
            b',' => i = ws(b, i + 1),
            b']' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// `{ "value": [...], "nextLink": ... }` at `b[i] == '{'`; returns the index after `}`, whether
/// `value` was an array and `nextLink`.
fn read_page_object(
    b: &[u8],
    i: usize,
    stack: &mut Vec<u8>,
    spans: &mut Vec<(usize, usize)>,
) -> Option<(usize, bool, Option<String>)> {
    let mut i = ws(b, i + 1);
    let (mut value, mut next_link): (Option<bool>, Option<Option<String>>) = (None, None);
    if b.get(i) == Some(&b'}') {
        return Some((i + 1, false, None));
    }
    loop {
        let (key, after) = read_key(b, i)?;
        i = after;
        match &*key {
            "value" if value.is_none() => match b.get(i)? {
                b'[' => {
                    i = read_items(b, i, stack, spans)?;
                    value = Some(true);
                }
                b'n' => {
                    i = literal(b, i, b"null")?;
                    value = Some(false);
                }
                _ => return None,
            },
            "nextLink" if next_link.is_none() => {
                let (link, end) = read_opt_string(b, i)?;
                next_link = Some(link.map(Cow::into_owned));
                i = end;
            }
            // A known key a second time is serde's "duplicate field".
            "value" | "nextLink" => return None,
            _ => i = skip_value(b, i, stack)?,
        }
        i = ws(b, i);
        match b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return Some((i + 1, value == Some(true), next_link.flatten())),
            _ => return None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Items that may match: read as serde's derived structs read them.

fn read_snapshot<'a>(raw: &'a str, stack: &mut Vec<u8>) -> Option<ScannedSnapshot<'a>> {
    let b = raw.as_bytes();
    let mut s = ScannedSnapshot {
        raw,
        id: None,
        name: None,
        incremental: false,
        create_option: None,
        source_resource_id: None,
        source_unique_id: None,
        family_id: None,
        time_created: None,
        created_at: None,
        completion_percent: None,
    };
    if !matches!(b.first(), Some(b'{' | b'[')) {
        return None;
    }
    let end = read_struct(b, 0, stack, &["id", "name", "properties"], &mut |f, b, i, stack| match f {
        0 => read_field_str(b, i, stack, &mut s.id),
        1 => read_field_str(b, i, stack, &mut s.name),
        _ => read_struct(
            b,
            i,
            stack,
            &["incremental", "creationData", "incrementalSnapshotFamilyId", "timeCreated", "completionPercent"],
            &mut |f, b, i, stack| match f {
                0 => {
                    let (v, end) = read_opt_bool(b, i)?;
                    s.incremental = v == Some(true);
                    Some(end)
                }
                1 => read_struct(
                    b,
                    i,
                    stack,
                    &["createOption", "sourceResourceId", "sourceUniqueId"],
                    &mut |f, b, i, stack| match f {
                        0 => read_field_str(b, i, stack, &mut s.create_option),
                        1 => read_field_str(b, i, stack, &mut s.source_resource_id),
                        _ => read_field_str(b, i, stack, &mut s.source_unique_id),
                    },
                ),
                2 => read_field_str(b, i, stack, &mut s.family_id),
                3 => read_field_str(b, i, stack, &mut s.time_created),
                _ => {
                    let (v, end) = read_opt_f64(b, i)?;
                    s.completion_percent = v;
                    Some(end)
                }
            },
        ),
    })?;
    if ws(b, end) != b.len() {
        return None;
    }
    s.created_at = s.time_created.as_deref().and_then(parse_timestamp);
    Some(s)
}

type FieldReader<'f, 'a> = dyn FnMut(usize, &'a [u8], usize, &mut Vec<u8>) -> Option<usize> + 'f;

/// An optional struct at `b[i]` (after whitespace): `null`, an object of its fields (unknown
/// keys skipped, a field twice refused) or an array of them in order (missing ones default,
/// extra ones refused). Calls `field` for each field present; returns the index after it.
fn read_struct<'a>(
    b: &'a [u8],
    i: usize,
    stack: &mut Vec<u8>,
    names: &[&str],
    field: &mut FieldReader<'_, 'a>,
) -> Option<usize> {
    let mut i = ws(b, i);
    match b.get(i)? {
        b'n' => literal(b, i, b"null"),
        b'{' => {
            let mut seen = 0u32;
            i = ws(b, i + 1);
            if b.get(i) == Some(&b'}') {
                return Some(i + 1);
            }
            loop {
                let (key, after) = read_key(b, i)?;
                i = after;
                match names.iter().position(|n| *n == key) {
                    Some(f) => {
                        if seen & (1 << f) != 0 {
                            return None;
                        }
                        seen |= 1 << f;
                        i = field(f, b, i, stack)?;
                    }
                    None => i = skip_value(b, i, stack)?,
                }
                i = ws(b, i);
                match b.get(i)? {
                    b',' => i = ws(b, i + 1),
                    b'}' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            i = ws(b, i + 1);
            if b.get(i) == Some(&b']') {
                return Some(i + 1);
            }
            for f in 0..names.len() {
                i = field(f, b, i, stack)?;
                i = ws(b, i);
                match b.get(i)? {
                    b',' => i = ws(b, i + 1),
                    b']' => return Some(i + 1),
                    _ => return None,
                }
            }
            None
        }
        _ => None,
    }
}

fn read_field_str<'a>(b: &'a [u8], i: usize, stack: &mut Vec<u8>, out: &mut Option<Cow<'a, str>>) -> Option<usize> {
    let _ = stack;
    let (v, end) = read_opt_string(b, i)?;
    *out = v;
    Some(end)
}

/// `null` or a string (surrogate escapes paired).
fn read_opt_string<'a>(b: &'a [u8], i: usize) -> Option<(Option<Cow<'a, str>>, usize)> {
    let i = ws(b, i);
    match b.get(i)? {
        b'n' => Some((None, literal(b, i, b"null")?)),
        b'"' => read_string(b, i).map(|(s, end)| (Some(s), end)),
        _ => None,
    }
}

fn read_opt_bool(b: &[u8], i: usize) -> Option<(Option<bool>, usize)> {
    let i = ws(b, i);
    match b.get(i)? {
        b'n' => Some((None, literal(b, i, b"null")?)),
        b't' => Some((Some(true), literal(b, i, b"true")?)),
        b'f' => Some((Some(false), literal(b, i, b"false")?)),
        _ => None,
    }
}

/// `null` or a number whose value is a finite `f64`.
fn read_opt_f64(b: &[u8], i: usize) -> Option<(Option<f64>, usize)> {
    let i = ws(b, i);
    match b.get(i)? {
        b'n' => Some((None, literal(b, i, b"null")?)),
        b'-' | b'0'..=b'9' => {
            let end = number(b, i)?;
            let text = b.get(i..end)?;
            if !finite_f64(text) {
                return None;
            }
            Some((Some(approx_f64(text)), end))
        }
        _ => None,
    }
}

/// The value of a valid, finite JSON number, to within a few units in the last place: enough for
/// what it is read for (`completionPercent` below 100), without the exactly-rounded float parser
/// (about 14 KB gzip of wasm); the number itself is never written back (items go back verbatim).
/// Whole numbers up to 2^53 and their tenths and hundredths come out as the nearest `f64`.
fn approx_f64(num: &[u8]) -> f64 {
    let (negative, digits) = match num.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, num),
    };
    let mut mantissa: u64 = 0;
    let mut exp10: i32 = 0;
    let mut significant = 0;
    let mut seen_point = false;
    let mut i = 0;
    while let Some(&c) = digits.get(i) {
        match c {
            b'0'..=b'9' => {
                if significant < 19 {
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    if mantissa > 0 {
                        significant += 1;
                    }
                    if seen_point {
                        exp10 -= 1;
                    }
                } else if !seen_point {
                    exp10 += 1;
                }
            }
            b'.' => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = digits.get(i) {
        let rest = &digits[i + 1..];
        let (sign, rest) = match rest.first() {
            Some(b'-') => (-1, &rest[1..]),
            Some(b'+') => (1, &rest[1..]),
            _ => (1, rest),
        };
        let e = rest.iter().take(6).fold(0i32, |e, &c| e * 10 + i32::from(c - b'0'));
        exp10 += sign * e;
    }
    // Dividing by an exact power of ten (up to 10^22) keeps tenths and hundredths nearest.
    let m = mantissa as f64;
    let value = if (-22..0).contains(&exp10) { m / 10f64.powi(-exp10) } else { m * 10f64.powi(exp10) };
    // Right at the edge the product can round past the largest float the number is within.
    let value = if value.is_infinite() { f64::MAX } else { value };
    if negative {
        -value
    } else {
        value
    }
}

/// Whether a valid JSON number is a finite `f64`: its decimal exponent decides, except right
/// at the edge, where it is parsed.
fn finite_f64(num: &[u8]) -> bool {
    let digits = num.strip_prefix(b"-").unwrap_or(num);
    let mantissa_end = digits.iter().position(|&c| c == b'e' || c == b'E').unwrap_or(digits.len());
    let (mantissa, exp) = digits.split_at(mantissa_end);
    let int_len = mantissa.iter().position(|&c| c == b'.').unwrap_or(mantissa.len()) as i64;
    let Some(first) = mantissa.iter().filter(|&&c| c != b'.').position(|&c| c != b'0') else {
        return true; // zero, whatever the exponent
    };
    let mut e: i64 = 0;
    let mut negative = false;
    for (k, &c) in exp.iter().enumerate().skip(1) {
        match c {
            b'-' if k == 1 => negative = true,
            b'+' if k == 1 => {}
            _ => e = (e * 10 + i64::from(c - b'0')).min(1 << 40),
        }
    }
    let e = if negative { -e } else { e };
    let decimal_exponent = int_len - 1 - first as i64 + e;
    match decimal_exponent {
        ..=307 => true,
        // Finite when below the halfway point between f64::MAX and 2^1024 (a tie rounds to even,
        // which is infinity): compare the significant digits, without a float parser's bytes.
        308 => {
            let significant = mantissa.iter().filter(|&&c| c != b'.').skip(first);
            let mut halfway = F64_HALFWAY_TO_OVERFLOW.iter();
            for d in significant {
                match halfway.next() {
                    Some(h) if d == h => continue,
                    Some(h) => return d < h,
                    // All of the halfway point matched: the value is at or above it.
                    None => return false,
                }
            }
            // A prefix of the halfway point (whose last digit is not 0): below it, unless equal.
            halfway.next().is_some()
        }
        _ => false,
    }
}

/// The significant digits of 2^1024 - 2^970 (the midpoint between f64::MAX and 2^1024) with
/// trailing zeros dropped: numbers of decimal exponent 308 below it are finite.
const F64_HALFWAY_TO_OVERFLOW: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

// ---------------------------------------------------------------------------------------------
// Validation: one value, iteratively (no recursion, so no nesting depth can overflow the stack).
//
// This is the hot loop (every byte of the page goes through it), written to be fast at
// opt-level "z": one function, tiny helpers forced inline, the nesting kept in a `u64` of bits
// (one per level, 1 for an object) with deeper levels spilled to `stack`, string bodies skipped
// 16 bytes at a time (UTF-8 validated on the way, so the page needs no separate UTF-8 pass).

/// The byte at `i`, or 0 past the end (0 is never valid JSON outside a string).
#[inline(always)]
fn at(b: &[u8], i: usize) -> u8 {
    match b.get(i) {
        Some(&c) => c,
        None => 0,
    }
}

/// The 4 bytes at `i` as a little-endian `u32`.
#[inline(always)]
fn word4(b: &[u8], i: usize) -> Option<u32> {
    let w: [u8; 4] = b.get(i..i + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(w))
}

#[inline(always)]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// Validates one JSON value starting at `b[i]` (no leading whitespace); returns its end.
fn skip_value(b: &[u8], mut i: usize, stack: &mut Vec<u8>) -> Option<usize> {
    let base = stack.len();
    let r = skip_value_in(b, &mut i, stack);
    stack.truncate(base);
    r.then_some(i)
}

#[inline(always)]
fn skip_value_in(b: &[u8], pos: &mut usize, spill: &mut Vec<u8>) -> bool {
    let mut i = *pos;
    // The open containers: bit 0 is the innermost (1 = object); `depth` counts them all, the
    // ones beyond the 64 innermost being in `spill`, outermost first.
    let mut bits: u64 = 0;
    let mut depth: usize = 0;
    'value: loop {
        // A value starts at `i`.
        let c = at(b, i);
        i += 1;
        match c {
            b'"' => match skip_string(b, i) {
                Some(end) => i = end,
                None => return false,
            },
            b'{' | b'[' => {
                let close = c + 2; // `}` or `]`
                i = ws(b, i);
                if at(b, i) == close {
                    i += 1;
                } else {
                    if depth >= 64 {
                        spill.push((bits >> 63) as u8);
                    }
                    let obj = c == b'{';
                    bits = (bits << 1) | u64::from(obj);
                    depth += 1;
                    if obj {
                        match skip_key(b, i) {
                            Some(next) => i = next,
                            None => return false,
                        }
                    }
                    continue 'value;
                }
            }
            b't' | b'n' => {
                if word4(b, i - 1) != Some(u32::from_le_bytes(if c == b't' { *b"true" } else { *b"null" })) {
                    return false;
                }
                i += 3;
            }
            b'f' => {
                if word4(b, i) != Some(u32::from_le_bytes(*b"alse")) {
                    return false;
                }
                i += 4;
            }
            b'-' | b'0'..=b'9' => match number(b, i - 1) {
                Some(end) => i = end,
                None => return false,
            },
            _ => return false,
        }
        // After a value: close containers until one continues.
        loop {
            if depth == 0 {
                *pos = i;
                return true;
            }
            i = ws(b, i);
            let obj = bits & 1 != 0;
            match at(b, i) {
                b',' => {
                    i = ws(b, i + 1);
                    if obj {
                        match skip_key(b, i) {
                            Some(next) => i = next,
                            None => return false,
                        }
                    }
                    continue 'value;
                }
                b'}' if obj => {}
                b']' if !obj => {}
                _ => return false,
            }
            i += 1;
            bits >>= 1;
            depth -= 1;
            if depth >= 64 {
                bits |= u64::from(spill.pop().unwrap_or(0)) << 63;
            }
        }
    }
}

/// `"key" :` at `b[i]`; returns the index of the value after it.
#[inline(always)]
fn skip_key(b: &[u8], i: usize) -> Option<usize> {
    if at(b, i) != b'"' {
        return None;
    }
    let i = ws(b, skip_string(b, i + 1)?);
    if at(b, i) != b':' {
        return None;
    }
    Some(ws(b, i + 1))
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (b.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// The end of the run of ASCII digits at `i`.
#[inline(always)]
fn digits(b: &[u8], mut i: usize) -> usize {
    while at(b, i).is_ascii_digit() {
        i += 1;
    }
    i
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `b[i]`; returns its end.
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    if at(b, i) == b'-' {
        i += 1;
    }
    match at(b, i) {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i + 1),
        _ => return None,
    }
    if at(b, i) == b'.' {
        let end = digits(b, i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if at(b, i) | 0x20 == b'e' {
        i += 1;
        if matches!(at(b, i), b'+' | b'-') {
            i += 1;
        }
        let end = digits(b, i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// Whitespace from `i`; returns the index after it. Pages are mostly compact, so the first
/// byte decides inline.
#[inline(always)]
fn ws(b: &[u8], i: usize) -> usize {
    if is_ws(at(b, i)) {
        ws_run(b, i + 1)
    } else {
        i
    }
}

fn ws_run(b: &[u8], mut i: usize) -> usize {
    while is_ws(at(b, i)) {
        i += 1;
    }
    i
}

/// The body of a string after its opening quote, validated as serde_json's `ignore_str` does
/// (escapes well formed, no control characters) and as UTF-8; returns the index after the
/// closing quote.
#[inline(always)]
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = simd::string_stop(b, i);
        match at(b, i) {
            b'"' => return Some(i + 1),
            c => i = string_special(b, i, c)?,
        }
    }
}

/// A string's stop byte `c = b[i]` other than its closing quote: an escape or a non-ASCII
/// character is skipped (returns the index after it), anything else is an error.
fn string_special(b: &[u8], i: usize, c: u8) -> Option<usize> {
    match c {
        b'\\' => skip_escape(b, i + 1),
        0x80.. => utf8_char(b, i),
        _ => None,
    }
}

/// One UTF-8 encoded character of two to four bytes at `b[i]`, validated as `str::from_utf8`
/// validates it (no overlong forms, no surrogates, nothing above U+10FFFF); returns its end.
fn utf8_char(b: &[u8], i: usize) -> Option<usize> {
    let cont = |k: usize| (0x80..=0xBF).contains(&at(b, i + k));
    let (second, len) = match at(b, i) {
        0xC2..=0xDF => (0x80..=0xBF, 2),
        0xE0 => (0xA0..=0xBF, 3),
        0xE1..=0xEC | 0xEE..=0xEF => (0x80..=0xBF, 3),
        0xED => (0x80..=0x9F, 3),
        0xF0 => (0x90..=0xBF, 4),
        0xF1..=0xF3 => (0x80..=0xBF, 4),
        0xF4 => (0x80..=0x8F, 4),
        _ => return None,
    };
    if !second.contains(&at(b, i + 1)) || (len > 2 && !cont(2)) || (len > 3 && !cont(3)) {
        return None;
    }
    Some(i + len)
}

/// One escape after its backslash; returns the index after it.
fn skip_escape(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 1),
        b'u' => hex4(b, i + 1).map(|_| i + 5),
        _ => None,
    }
}

fn hex4(b: &[u8], i: usize) -> Option<u16> {
    let mut n = 0u16;
    for &c in b.get(i..i + 4)? {
        n = n * 16 + (c as char).to_digit(16)? as u16;
    }
    Some(n)
}

/// An object key at `b[i]` and its `:`; returns the key and the index of the value after them.
#[inline(always)]
fn read_key(b: &[u8], i: usize) -> Option<(Cow<'_, str>, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (key, end) = read_string(b, i)?;
    let i = ws(b, end);
    if b.get(i) != Some(&b':') {
        return None;
    }
    Some((key, ws(b, i + 1)))
}

/// A string at `b[i] == '"'`, unescaped as serde_json's `parse_str` does (surrogate escapes
/// must pair); returns it and the index after the closing quote.
fn read_string(b: &[u8], i: usize) -> Option<(Cow<'_, str>, usize)> {
    let start = i + 1;
    let mut i = start;
    let mut owned: Option<String> = None;
    let mut run = start;
    loop {
        i = simd::string_stop(b, i);
        match *b.get(i)? {
            b'"' => {
                let tail = std::str::from_utf8(b.get(run..i)?).ok()?;
                let s = match owned {
                    None => Cow::Borrowed(tail),
                    Some(mut o) => {
                        o.push_str(tail);
                        Cow::Owned(o)
                    }
                };
                return Some((s, i + 1));
            }
            b'\\' => {
                let out = owned.get_or_insert_with(String::new);
                out.push_str(std::str::from_utf8(b.get(run..i)?).ok()?);
                i += 1;
                let c = match *b.get(i)? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let n = hex4(b, i + 1)?;
                        i += 4;
                        match n {
                            0xDC00..=0xDFFF => return None,
                            0xD800..=0xDBFF => {
                                if b.get(i + 1..i + 3)? != b"\\u" {
                                    return None;
                                }
                                let n2 = hex4(b, i + 3)?;
                                if !(0xDC00..=0xDFFF).contains(&n2) {
                                    return None;
                                }
                                i += 6;
                                char::from_u32(0x10000 + ((u32::from(n) - 0xD800) << 10) + (u32::from(n2) - 0xDC00))?
                            }
                            _ => char::from_u32(u32::from(n))?,
                        }
                    }
                    _ => return None,
                };
                out.push(c);
                i += 1;
                run = i;
            }
            0x80.. => i = utf8_char(b, i)?,
            _ => return None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The substring search, ASCII case ignored.

struct Needle<'n> {
    n: &'n [u8],
    /// Folded first and last byte and whether each is a letter (compared with bit 0x20 set).
    first: (u8, bool),
    last: (u8, bool),
}

impl<'n> Needle<'n> {
    fn new(n: &'n [u8]) -> Needle<'n> {
        let fold = |c: u8| (c.to_ascii_lowercase(), c.is_ascii_alphabetic());
        Needle { n, first: fold(*n.first().unwrap_or(&0)), last: fold(*n.last().unwrap_or(&0)) }
    }

    fn len(&self) -> usize {
        self.n.len()
    }

    /// The first position at or after `from` where the needle occurs.
    fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        let n = self.n.len();
        if n == 0 {
            return (from <= hay.len()).then_some(from);
        }
        let last_start = hay.len().checked_sub(n)?;
        let mut at = from;
        while at <= last_start {
            let (mut mask, base, next) = simd::candidates(hay, at, last_start, n - 1, self.first, self.last);
            while mask != 0 {
                let p = base + mask.trailing_zeros() as usize;
                if hay.get(p..p + n).is_some_and(|w| w.eq_ignore_ascii_case(self.n)) {
                    return Some(p);
                }
                mask &= mask - 1;
            }
            at = next;
        }
        None
    }
}

#[inline(always)]
fn byte_is(c: u8, (want, letter): (u8, bool)) -> bool {
    if letter {
        c | 0x20 == want
    } else {
        c == want
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// 16 bytes at `i` as two 8-byte loads (a safe `v128.load`: building the vector from 16
    /// bytes would be 16 lane inserts at opt-level "z").
    #[inline(always)]
    fn load(b: &[u8], i: usize) -> Option<v128> {
        let c = b.get(i..i + 16)?;
        let lo: [u8; 8] = c.get(..8)?.try_into().ok()?;
        let hi: [u8; 8] = c.get(8..)?.try_into().ok()?;
        Some(u64x2(u64::from_le_bytes(lo), u64::from_le_bytes(hi)))
    }

    /// The first index at or after `i` holding `"`, `\`, a control character or a non-ASCII
    /// byte (or `b.len()`).
    #[inline(always)]
    pub fn string_stop(b: &[u8], mut i: usize) -> usize {
        while let Some(v) = load(b, i) {
            // Signed: below 0x20 is a control character or (negative) a byte of 0x80 and up.
            let stop = v128_or(
                v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b'\\'))),
                i8x16_lt(v, i8x16_splat(0x20)),
            );
            let mask = u8x16_bitmask(stop);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
        super::portable::string_stop(b, i)
    }

    /// Positions `base..` (a bit mask relative to `base`, at or after `at`) whose first and last
    /// needle bytes match, `base` and where to continue: 32 positions a round, looping here until one round has a
    /// candidate (so the caller sees only rounds worth verifying).
    #[inline(always)]
    pub fn candidates(
        hay: &[u8],
        mut at: usize,
        last_start: usize,
        last_off: usize,
        first: (u8, bool),
        last: (u8, bool),
    ) -> (u32, usize, usize) {
        // Letters are compared with bit 0x20 set: `(v | fold) == want`.
        let fold = |(want, letter): (u8, bool)| (u8x16_splat(if letter { 0x20 } else { 0 }), u8x16_splat(want));
        let ((f_or, f_eq), (l_or, l_eq)) = (fold(first), fold(last));
        while at + 32 <= last_start + 1 {
            let (Some(a), Some(a2), Some(z), Some(z2)) =
                (load(hay, at), load(hay, at + 16), load(hay, at + last_off), load(hay, at + 16 + last_off))
            else {
                break;
            };
            let m = v128_and(u8x16_eq(v128_or(a, f_or), f_eq), u8x16_eq(v128_or(z, l_or), l_eq));
            let m2 = v128_and(u8x16_eq(v128_or(a2, f_or), f_eq), u8x16_eq(v128_or(z2, l_or), l_eq));
            if v128_any_true(v128_or(m, m2)) {
                return (u8x16_bitmask(m) as u32 | (u8x16_bitmask(m2) as u32) << 16, at, at + 32);
            }
            at += 32;
        }
        super::portable::candidates(hay, at, last_start, last_off, first, last)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use portable as simd;

/// The same searches without SIMD: 8 bytes at a time in a `u64`.
mod portable {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;

    #[inline(always)]
    fn word(b: &[u8], i: usize) -> Option<u64> {
        let c: &[u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
        Some(u64::from_le_bytes(*c))
    }

    /// High bit set in each byte of `y` that is zero, and possibly in bytes above one that is.
    #[inline(always)]
    fn zero(y: u64) -> u64 {
        y.wrapping_sub(LO) & !y & HI
    }

    /// The first index at or after `i` holding `"`, `\`, a control character or a non-ASCII
    /// byte (or `b.len()`).
    #[inline(always)]
    pub fn string_stop(b: &[u8], mut i: usize) -> usize {
        while let Some(x) = word(b, i) {
            // A byte is zero in x ^ '"' or x ^ '\', below 0x20 or has its high bit set. Borrows
            // only spill above the lowest flagged byte, so the lowest flag is exact.
            let low = x.wrapping_sub(LO * 0x20) & !x;
            let m = (zero(x ^ (LO * u64::from(b'"'))) | zero(x ^ (LO * u64::from(b'\\'))) | low | x) & HI;
            if m != 0 {
                return i + (m.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while let Some(&c) = b.get(i) {
            if c == b'"' || c == b'\\' || !(0x20..0x80).contains(&c) {
                return i;
            }
            i += 1;
        }
        b.len()
    }

    /// Bytes of `x` equal to `want` (folded with 0x20 for a letter): high bits, maybe too many.
    #[inline(always)]
    fn probe(x: u64, (want, letter): (u8, bool)) -> u64 {
        let x = if letter { x | (LO * 0x20) } else { x };
        zero(x ^ (LO * u64::from(want)))
    }

    /// Positions `at..` (a bit mask relative to `at`, up to 32 of them) whose first and last
    /// needle bytes may match (every match is in it), `at` and where to continue.
    #[inline(always)]
    pub fn candidates(
        hay: &[u8],
        at: usize,
        last_start: usize,
        last_off: usize,
        first: (u8, bool),
        last: (u8, bool),
    ) -> (u32, usize, usize) {
        if at + 16 <= last_start + 1 {
            if let (Some(a), Some(z), Some(a2), Some(z2)) =
                (word(hay, at), word(hay, at + last_off), word(hay, at + 8), word(hay, at + 8 + last_off))
            {
                let mut m = 0u32;
                let mut hits = probe(a, first) & probe(z, last);
                while hits != 0 {
                    m |= 1 << (hits.trailing_zeros() / 8);
                    hits &= hits - 1;
                }
                let mut hits = probe(a2, first) & probe(z2, last);
                while hits != 0 {
                    m |= 1 << (8 + hits.trailing_zeros() / 8);
                    hits &= hits - 1;
                }
                return (m, at, at + 16);
            }
        }
        let end = (at + 32).min(last_start + 1);
        let mut m = 0u32;
        for p in at..end {
            if hay.get(p).is_some_and(|&c| super::byte_is(c, first))
                && hay.get(p + last_off).is_some_and(|&c| super::byte_is(c, last))
            {
                m |= 1 << (p - at);
            }
        }
        (m, at, end)
    }
}

#[cfg(test)]
mod approx_tests {
    use super::approx_f64;

    #[test]
    fn completion_percents_read_as_the_nearest_float() {
        for (text, want) in [
            ("0", 0.0),
            ("40", 40.0),
            ("99.5", 99.5),
            ("99.99", 99.99),
            ("100", 100.0),
            ("100.0", 100.0),
            ("1e2", 100.0),
            ("1E+2", 100.0),
            ("10000e-2", 100.0),
            ("-0", 0.0),
            ("12.34", 12.34),
            ("0.001", 0.001),
        ] {
            assert_eq!(approx_f64(text.as_bytes()), want, "{text}");
        }
        for (text, want) in [("123456789012345678901234", 1.2345678901234568e23), ("1.7976931348623157e308", f64::MAX)]
        {
            let got = approx_f64(text.as_bytes());
            assert!(((got - want) / want).abs() < 1e-15, "{text}: {got}");
        }
        assert!(approx_f64(b"99.999999999999") < 100.0);
    }
}
