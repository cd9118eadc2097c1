//! The byte scanner (`scan`) against the serde implementation it replaces on the hot path:
//! generated and mutated pages, invalid UTF-8 and truncations; both must accept and reject the
//! same inputs and return byte-identical chains.

use azure_incremental_snapshots::filter::{
    contains_ignore_ascii_case, filter_incremental_snapshots_bytes, filter_incremental_snapshots_json, DiskIdentity,
};
use azure_incremental_snapshots::scan::{scan_listing, ScannedSnapshot};
use azure_incremental_snapshots::time::parse_timestamp;
use azure_incremental_snapshots::{Error, Result};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The reference the scanner is held to: the same filter through serde. The listing is read as
/// `Vec<&RawValue>` or `{ value, nextLink }`; items that do not mention the disk's `uniqueId`
/// are only validated; the others are read with derived structs into a [`ScannedSnapshot`],
/// and the chain rule and order are the crate's own (only the reading is under test).
mod reference {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page<'a> {
        #[serde(borrow)]
        value: Option<Vec<&'a RawValue>>,
        #[serde(default)]
        #[allow(dead_code)]
        next_link: Option<String>,
    }

    #[derive(Deserialize)]
    struct Keys<'a> {
        #[serde(borrow, default)]
        id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        properties: Option<Props<'a>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Props<'a> {
        #[serde(default)]
        incremental: Option<bool>,
        #[serde(borrow, default)]
        creation_data: Option<Creation<'a>>,
        #[serde(borrow, default)]
        incremental_snapshot_family_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        time_created: Option<Cow<'a, str>>,
        #[serde(default)]
        completion_percent: Option<f64>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Creation<'a> {
        #[serde(borrow, default)]
        create_option: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        source_resource_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        source_unique_id: Option<Cow<'a, str>>,
    }

    fn items(text: &str) -> Result<Vec<&RawValue>> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            serde_json::from_str(text).map_err(|e| Error::invalid_json("snapshots", e.to_string()))
        } else if trimmed.starts_with('{') {
            let page: Page = serde_json::from_str(text).map_err(|e| Error::invalid_json("snapshots", e.to_string()))?;
            page.value.ok_or_else(|| Error::invalid_json("snapshots.value", "a list page needs a \"value\" array"))
        } else {
            Err(Error::invalid_json("snapshots", "expected an array of snapshots or a list page"))
        }
    }

    fn read(raw: &RawValue, index: usize) -> Result<ScannedSnapshot<'_>> {
        let keys: Keys = serde_json::from_str(raw.get())
            .map_err(|e| Error::invalid_json(format!("value[{index}]"), e.to_string()))?;
        let p = keys.properties;
        let (incremental, creation, family_id, time_created, completion_percent) = match p {
            Some(p) => (
                p.incremental == Some(true),
                p.creation_data,
                p.incremental_snapshot_family_id,
                p.time_created,
                p.completion_percent,
            ),
            None => (false, None, None, None, None),
        };
        let (create_option, source_resource_id, source_unique_id) = match creation {
            Some(c) => (c.create_option, c.source_resource_id, c.source_unique_id),
            None => (None, None, None),
        };
        let created_at = time_created.as_deref().and_then(parse_timestamp);
        Ok(ScannedSnapshot {
            raw: raw.get(),
            id: keys.id,
            name: keys.name,
            incremental,
            create_option,
            source_resource_id,
            source_unique_id,
            family_id,
            time_created,
            created_at,
            completion_percent,
        })
    }

    /// `filterIncrementalSnapshots` through serde: the chain's JSON array.
    pub fn filter_json(disk_json: &str, snapshots_json: &str) -> Result<String> {
        let disk = DiskIdentity::from_disk_json(disk_json)?;
        let mut chain = Vec::new();
        for (i, raw) in items(snapshots_json)?.into_iter().enumerate() {
            if !contains_ignore_ascii_case(raw.get(), &disk.unique_id) {
                continue;
            }
            let s = read(raw, i)?;
            if s.belongs_to(&disk) {
                chain.push(s);
            }
        }
        chain.sort_by(|a, b| a.chain_order(b));
        Ok(format!("[{}]", chain.iter().map(|s| s.raw).collect::<Vec<_>>().join(",")))
    }
}

use reference::filter_json as filter_incremental_snapshots_json_serde;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const UIDS: [&str; 4] = ["1a2b3c4d-aaaa-bbbb-cccc-0123456789ab", "", "a", "\u{e9}t\u{e9}\"x"];

fn disk_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1")
}

fn disk_json(uid: &str) -> String {
    format!(r#"{{"id":"{}","properties":{{"uniqueId":{}}}}}"#, disk_id(), serde_json::to_string(uid).unwrap())
}

/// A small deterministic generator (xorshift), so one proptest seed gives one page.
struct Gen(u64, bool);

impl Gen {
    /// A hostile page breaks rules often; a friendly one mostly in ways that still parse.
    fn new(seed: u64) -> Gen {
        let mut g = Gen(seed | 1, false);
        g.1 = g.chance(50);
        g
    }
    fn bad(&mut self, percent: u64) -> bool {
        self.1 && self.chance(percent)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A key, sometimes with an escaped character (serde unescapes keys before matching them).
fn key(g: &mut Gen, k: &str) -> String {
    match g.below(20) {
        0 if !k.is_empty() => format!("\"\\u{:04x}{}\"", k.as_bytes()[0], &k[1..]),
        1 => format!("\"{}\"", k.to_uppercase()),
        _ => quoted(k),
    }
}

fn ws(g: &mut Gen) -> &'static str {
    match g.below(12) {
        0 => " ",
        1 => "\n  ",
        2 => "\t",
        3 => "\r\n",
        _ => "",
    }
}

fn scalar(g: &mut Gen) -> String {
    g.pick(&[
        "null",
        "true",
        "false",
        "0",
        "-1.5e3",
        "100",
        "\"x\"",
        "\"\\ud800\"",
        "\"\\udc00\\ud800\"",
        "\"\\ud83d\\ude00\"",
        "\"caf\u{e9} \u{1f600}\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "1e400",
        "[]",
        "{}",
        "[[[[[[[[[[1]]]]]]]]]]",
        "{\"a\":{\"b\":[1,{\"c\":null}]}}",
    ])
    .to_string()
}

fn string_value(g: &mut Gen, good: &str) -> String {
    if !g.1 && g.chance(80) {
        return quoted(good);
    }
    match g.below(30) {
        0 => "null".into(),
        1 => "5".into(),
        2 => "true".into(),
        3 => "\"\\ud800\"".into(),
        4 => "\"a\\ud800b\"".into(),
        5 => "\"\\udc00\"".into(),
        6 => "\"\\ud800\\u0041\"".into(),
        7 => "[]".into(),
        8 => {
            // the same text with an escape
            let q = quoted(good);
            q.replacen('-', "\\u002d", 1)
        }
        9 => quoted(&good.to_uppercase()),
        10 => quoted(&format!("/{good}/")),
        11 => quoted(&good.replace('a', "\u{e4}")),
        _ => quoted(good),
    }
}

fn object(g: &mut Gen, fields: Vec<(String, String)>) -> String {
    let mut fields = fields;
    if g.chance(15) {
        fields.push(("extra".into(), scalar(g)));
    }
    if g.bad(4) && !fields.is_empty() {
        let dup = fields[g.below(fields.len() as u64) as usize].clone();
        fields.push(dup);
    }
    if g.chance(5) && fields.len() > 1 {
        let i = g.below(fields.len() as u64) as usize;
        fields.swap(0, i);
    }
    if g.chance(6) {
        // serde reads a struct from an array of its fields, in order
        let n = g.below(fields.len() as u64 + 2) as usize;
        let vals: Vec<String> =
            (0..n).map(|i| fields.get(i).map(|f| f.1.clone()).unwrap_or_else(|| scalar(g))).collect();
        return format!("[{}]", vals.join(","));
    }
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{}{}:{}{}", key(g, k), ws(g), ws(g), v)).collect();
    format!("{{{}{}{}}}", ws(g), parts.join(&format!(",{}", ws(g))), ws(g))
}

fn snapshot(g: &mut Gen, uid: &str, n: usize) -> String {
    let id = disk_id();
    let src_uid = match g.below(10) {
        0..=5 => uid.to_string(),
        6 => uid.to_uppercase(),
        7 => "ffffffff-0000-0000-0000-000000000000".into(),
        _ => format!("{uid}0"),
    };
    let src_id = match g.below(8) {
        0 => id.replace("d1", "d2"),
        1 => id.to_uppercase(),
        2 => id.trim_start_matches('/').to_string(),
        _ => id.clone(),
    };
    let time = match g.below(10) {
        0 => "not a time".to_string(),
        1 => "2026-01-01T00:00:00Z".to_string(),
        _ => format!("2026-0{}-{:02}T{:02}:00:00.{}Z", 1 + g.below(9), 1 + g.below(28), g.below(24), g.below(1000)),
    };
    let mut creation = vec![];
    if g.chance(90) {
        let option = g.pick(&["Copy", "CopyStart"]);
        creation.push(("createOption".to_string(), string_value(g, option)));
    }
    if g.chance(95) {
        creation.push(("sourceResourceId".to_string(), string_value(g, &src_id)));
    }
    if g.chance(95) {
        creation.push(("sourceUniqueId".to_string(), string_value(g, &src_uid)));
    }
    let mut props = vec![];
    if g.chance(95) {
        let r = g.below(20);
        let inc = match if !g.1 && r < 3 { 10 } else { r } {
            0 => "null",
            1 => "\"true\"",
            2 => "1",
            3..=5 => "false",
            _ => "true",
        };
        props.push(("incremental".to_string(), inc.to_string()));
    }
    if g.chance(95) {
        let c = if g.bad(5) { g.pick(&["null", "\"x\"", "7"]).to_string() } else { object(g, creation) };
        props.push(("creationData".to_string(), c));
    }
    if g.chance(50) {
        props.push(("incrementalSnapshotFamilyId".to_string(), string_value(g, "fam-1")));
    }
    if g.chance(95) {
        props.push(("timeCreated".to_string(), string_value(g, &time)));
    }
    if g.chance(40) {
        let friendly: &[&str] = &["100", "42.5", "null", "1e308", "0e99999", "1e-400", "1.7976931348623157e308"];
        let p = if !g.1 {
            g.pick(friendly)
        } else {
            g.pick(&[
                "100",
                "42.5",
                "null",
                "\"50\"",
                "1e308",
                "1e309",
                "-1e400",
                "0e99999",
                "0.0001e312",
                "1.7976931348623157e308",
                "17976931348623157e292",
                "1e-400",
                "123456789012345678901234567890",
            ])
        };
        props.push(("completionPercent".to_string(), p.to_string()));
    }
    if g.chance(40) {
        props.push(("diskSizeGB".to_string(), "128".to_string()));
        props.push(("uniqueId".to_string(), quoted(&format!("0000{n:04}-aaaa-bbbb-cccc-0123456789ab"))));
    }
    let mut top = vec![];
    if g.chance(97) {
        top.push(("id".to_string(), string_value(g, &format!("{}/snapshots/s{n}", id.replace("/disks/d1", "")))));
    }
    if g.chance(97) {
        let name = format!("s{}", g.below(5));
        top.push(("name".to_string(), string_value(g, &name)));
    }
    top.push(("type".to_string(), quoted("Microsoft.Compute/snapshots")));
    if g.chance(97) {
        let p = if g.bad(3) { g.pick(&["null", "[]", "\"p\"", "3"]).to_string() } else { object(g, props) };
        top.push(("properties".to_string(), p));
    }
    if !g.1 {
        return object(g, top);
    }
    match g.below(60) {
        0 => "null".into(),
        1 => quoted(uid),
        2 => format!("[{}]", quoted(uid)),
        3 => scalar(g),
        _ => object(g, top),
    }
}

fn page(g: &mut Gen, uid: &str) -> String {
    g.1 = g.chance(50);
    let n = g.below(12) as usize;
    let items: Vec<String> = (0..n).map(|i| snapshot(g, uid, i)).collect();
    let array = format!("[{}{}{}]", ws(g), items.join(&format!(",{}", ws(g))), ws(g));
    let variant = if g.1 { g.below(12) } else { [0, 4, 9, 10, 11][g.below(5) as usize] };
    let text = match variant {
        0 => array,
        1 => format!("{{\"value\":{array},\"value\":[]}}"),
        2 => format!("{{\"nextLink\":\"\\ud800\",\"value\":{array}}}"),
        3 => format!("{{\"nextLink\":null,\"value\":{array},\"nextLink\":\"x\"}}"),
        4 => format!("{{\"\\u0076alue\":{array}}}"),
        5 => "{\"value\":null}".to_string(),
        6 => format!("{{\"other\":{array}}}"),
        7 => format!("{{\"x\\ud800\":1,\"value\":{array}}}"),
        8 => format!("{{\"nextLink\":5,\"value\":{array}}}"),
        _ => format!(
            "{{{}\"value\":{array},{}\"nextLink\":\"https://management.azure.com/x?$skipToken=1\",\"junk\":\"\\ud800\"}}",
            ws(g),
            ws(g)
        ),
    };
    format!("{}{}{}", ws(g), text, ws(g))
}

/// Both implementations on the same bytes: the same chain, or both `INVALID_JSON`.
fn agree(disk: &str, bytes: &[u8]) -> std::result::Result<Option<String>, String> {
    let scanned = filter_incremental_snapshots_bytes(disk, bytes);
    let reference = match std::str::from_utf8(bytes) {
        Ok(text) => {
            let via_text = filter_incremental_snapshots_json(disk, text);
            if via_text.as_ref().map_err(|e| e.code) != scanned.as_ref().map_err(|e| e.code) {
                return Err(format!("text and bytes entries differ: {via_text:?} vs {scanned:?}"));
            }
            filter_incremental_snapshots_json_serde(disk, text)
        }
        Err(_) => Err(azure_incremental_snapshots::Error::invalid_json("snapshots", "not UTF-8")),
    };
    match (&scanned, &reference) {
        (Ok(a), Ok(b)) if a == b => Ok(Some(a.clone())),
        (Err(a), Err(b)) if a.code == b.code => Ok(None),
        _ => Err(format!("scanner {scanned:?}\nserde   {reference:?}\non {:?}", String::from_utf8_lossy(bytes))),
    }
}

fn mutate(g: &mut Gen, bytes: &mut Vec<u8>) {
    const ALPHABET: &[u8] = b"{}[]\":,\\ u0123456789abcdefABCDEF-+.eEtrufalsn\n\t\x00\x1f\x7f";
    const BAD_UTF8: &[&[u8]] =
        &[b"\xff", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc3", b"\xe2\x82", b"\x80"];
    for _ in 0..=g.below(3) {
        let len = bytes.len() as u64;
        let at = g.below(len + 1) as usize;
        match g.below(8) {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            2 => {
                let bad = BAD_UTF8[g.below(BAD_UTF8.len() as u64) as usize];
                bytes.splice(at..at, bad.iter().copied());
            }
            3 if at < bytes.len() => {
                // a multi-byte character cut in half
                let c = "é😀€".as_bytes();
                let cut = 1 + g.below(c.len() as u64 - 1) as usize;
                bytes.splice(at..at, c[..cut].iter().copied());
            }
            _ => {
                let c = ALPHABET[g.below(ALPHABET.len() as u64) as usize];
                if at < bytes.len() && g.chance(50) {
                    bytes[at] = c;
                } else {
                    bytes.insert(at, c);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn scanner_agrees_with_serde_on_generated_pages(seed in 1u64.., which in 0usize..4) {
        let mut g = Gen::new(seed);
        let uid = UIDS[which];
        let text = page(&mut g, uid);
        let out = agree(&disk_json(uid), text.as_bytes());
        prop_assert!(out.is_ok(), "{}", out.unwrap_err());
    }

    #[test]
    fn scanner_agrees_with_serde_on_mutated_pages(seed in 1u64.., which in 0usize..4) {
        let mut g = Gen::new(seed);
        let uid = UIDS[which];
        let mut bytes = page(&mut g, uid).into_bytes();
        mutate(&mut g, &mut bytes);
        let out = agree(&disk_json(uid), &bytes);
        prop_assert!(out.is_ok(), "{}", out.unwrap_err());
    }

    #[test]
    fn scanner_agrees_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let out = agree(&disk_json(UIDS[2]), &bytes);
        prop_assert!(out.is_ok(), "{}", out.unwrap_err());
    }
}

#[test]
fn every_truncation_of_a_page_agrees() {
    let mut g = Gen::new(0x9e37_79b9_7f4a_7c15);
    for uid in UIDS {
        let text = page(&mut g, uid);
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            if let Err(e) = agree(&disk_json(uid), &bytes[..cut]) {
                panic!("cut at {cut}: {e}");
            }
        }
    }
}

#[test]
fn many_pages_match_and_most_items_are_not_read() {
    let mut g = Gen::new(7);
    let mut matched = 0;
    for _ in 0..3000 {
        let text = page(&mut g, UIDS[0]);
        if let Ok(Some(out)) = agree(&disk_json(UIDS[0]), text.as_bytes()) {
            matched += usize::from(out.len() > 2);
        }
    }
    assert!(matched > 300, "only {matched} pages had a non-empty chain: the generator is too hostile");
}

#[test]
fn deep_nesting_in_items_that_cannot_match_is_accepted_without_recursion() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let page = format!("{{\"value\":[{deep},{{\"id\":\"x\"}}]}}");
    assert_eq!(agree(&disk_json(UIDS[0]), page.as_bytes()).unwrap(), Some("[]".into()));
    let listing = scan_listing(page.as_bytes(), UIDS[0]).unwrap();
    assert_eq!(listing.item_count, 2);
    assert!(listing.candidates.is_empty());
}

#[test]
fn matching_items_come_back_byte_identical_and_in_chain_order() {
    let uid = UIDS[0];
    let item = |name: &str, time: &str, extra: &str| {
        format!(
            "{{ \"name\" : \"{name}\", \"properties\": {{\"incremental\":true,\"creationData\":{{\"sourceResourceId\":\"{}\",\"sourceUniqueId\":\"{}\"}},\"timeCreated\":\"{time}\"{extra}}} }}",
            disk_id().to_uppercase(),
            uid.to_uppercase()
        )
    };
    let a = item("a", "2026-03-01T00:00:00Z", ",\"x\":[1, 2.50, \"\\u00e9\"]");
    let b = item("b", "2026-01-01T00:00:00Z", "");
    let c = item("c", "bad", "");
    let page = format!("{{\"value\":[ {a} ,\n{c},{b}, {{\"name\":\"z\"}}], \"nextLink\": null}}");
    let out = filter_incremental_snapshots_json(&disk_json(uid), &page).unwrap();
    assert_eq!(out, format!("[{b},{a},{c}]"));
    assert_eq!(agree(&disk_json(uid), page.as_bytes()).unwrap(), Some(out));
}

#[test]
fn completion_percent_at_the_edge_of_f64_agrees_with_serde() {
    let uid = UIDS[0];
    for p in [
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.79769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792e308",
        "1.7976931348623159e308",
        "1.8e308",
        "-1.79e308",
        "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0.000017976931348623157e313",
    ] {
        let page = format!(
            "[{{\"properties\":{{\"incremental\":true,\"completionPercent\":{p},\"creationData\":{{\"sourceResourceId\":\"{}\",\"sourceUniqueId\":\"{uid}\"}}}}}}]",
            disk_id()
        );
        let scanned = filter_incremental_snapshots_json(&disk_json(uid), &page).is_ok();
        let serde = filter_incremental_snapshots_json_serde(&disk_json(uid), &page).is_ok();
        let exact = p.parse::<f64>().unwrap().is_finite();
        assert_eq!(scanned, exact, "{p}: scanner vs correctly rounded");
        if scanned != serde {
            eprintln!("{p}: serde_json's approximate parse says {serde} (documented difference)");
        }
    }
}

/// The scanner skips string bodies 16 (SIMD) or 8 (SWAR) bytes at a time and validates UTF-8
/// only where a byte is not ASCII: every special byte at every offset from a chunk boundary, in
/// values and keys, in items that may match and in those that cannot.
#[test]
fn string_fast_path_agrees_at_every_offset() {
    let uid = UIDS[0];
    let specials: &[&[u8]] = &[
        "é".as_bytes(),
        "€".as_bytes(),
        "😀".as_bytes(),
        "\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}".as_bytes(),
        b"\\u00e9",
        b"\\ud83d\\ude00",
        b"\\ud800",
        b"\\n",
        b"\\\"",
        b"\\\\",
        b"\\x",
        b"\\u12",
        b"\x7f",
        b"\x00",
        b"\x01",
        b"\x1f",
        b"\t",
        b"\n",
        b"\xc3",
        b"\xc3\x28",
        b"\xc0\xaf",
        b"\xc1\xbf",
        b"\xe0\x80\xaf",
        b"\xe0\x9f\xbf",
        b"\xed\xa0\x80",
        b"\xed\x9f\xbf",
        b"\xef\xbf\xbf",
        b"\xf0\x8f\xbf\xbf",
        b"\xf0\x90\x80\x80",
        b"\xf4\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\x80",
        b"\xbf",
        b"\xff",
    ];
    let matching = format!(
        r#"{{"properties":{{"incremental":true,"creationData":{{"sourceResourceId":"{}","sourceUniqueId":"{uid}"}}}},"name":"N"}}"#,
        disk_id()
    );
    let other = r#"{"name":"N","properties":{"x":"N"}}"#;
    for pad in 0..40 {
        let fill = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
        for special in specials {
            for (item, at_end) in [(matching.as_str(), false), (matching.as_str(), true), (other, false), (other, true)]
            {
                // The name's value, then a key: the special byte `pad` bytes into the string.
                for target in ["\"N\"", "\"name\""] {
                    let mut body = fill.as_bytes()[..pad].to_vec();
                    body.extend_from_slice(special);
                    if !at_end {
                        body.extend_from_slice(&fill.as_bytes()[..(pad * 7) % 23]);
                    }
                    let mut text = b"\"".to_vec();
                    text.extend_from_slice(&body);
                    text.push(b'"');
                    let item = item.as_bytes();
                    let k = item.windows(target.len()).position(|w| w == target.as_bytes()).unwrap();
                    let mut page = b"{\"value\":[".to_vec();
                    page.extend_from_slice(&item[..k]);
                    page.extend_from_slice(&text);
                    page.extend_from_slice(&item[k + target.len()..]);
                    page.extend_from_slice(b"]}");
                    if let Err(e) = agree(&disk_json(uid), &page) {
                        panic!("pad {pad}, special {special:?}, target {target}: {e}");
                    }
                    // Also as the last bytes of the page, where fewer than 16 remain.
                    let mut tail = b"[".to_vec();
                    tail.extend_from_slice(&text);
                    tail.push(b']');
                    if let Err(e) = agree(&disk_json(uid), &tail) {
                        panic!("tail: pad {pad}, special {special:?}: {e}");
                    }
                    tail.pop();
                    tail.pop();
                    if let Err(e) = agree(&disk_json(uid), &tail) {
                        panic!("unterminated: pad {pad}, special {special:?}: {e}");
                    }
                }
            }
        }
    }
}

#[test]
fn long_strings_agree() {
    let uid = UIDS[0];
    for len in [15, 16, 17, 31, 32, 33, 255, 4096, 100_000] {
        for tail in ["", "é", "\\u00e9", "\x01", "\u{1f600}", "\\"] {
            let long: String = "x".repeat(len) + tail;
            let long_uid = format!("{}{uid}{}", "y".repeat(len), tail);
            for page in [
                format!("[{{\"name\":\"{long}\"}},{{\"tags\":{{\"{long}\":\"{long}\"}}}}]"),
                format!("{{\"value\":[{{\"properties\":{{\"creationData\":{{\"sourceUniqueId\":\"{long_uid}\"}}}}}}],\"nextLink\":\"{long}\"}}"),
                format!(
                    "[{{\"name\":\"{long}\",\"properties\":{{\"incremental\":true,\"creationData\":{{\"sourceResourceId\":\"{}\",\"sourceUniqueId\":\"{uid}\"}}}}}}]",
                    disk_id()
                ),
            ] {
                if let Err(e) = agree(&disk_json(uid), page.as_bytes()) {
                    panic!("len {len}, tail {tail:?}: {}", &e[..e.len().min(600)]);
                }
            }
        }
    }
}

/// The nesting is kept in 64 bits with deeper levels spilled: objects and arrays mixed, closed
/// right and wrong at every depth around the spill boundaries.
#[test]
fn mixed_deep_nesting_agrees() {
    let uid = UIDS[0];
    for depth in [1usize, 2, 63, 64, 65, 66, 127, 128, 129, 200] {
        for pattern in [0u32, 1, 2, 3] {
            let is_obj = |k: usize| match pattern {
                0 => k % 2 == 0,
                1 => k % 3 == 0,
                2 => true,
                _ => false,
            };
            let open = |k: usize| if is_obj(k) { "{\"k\":" } else { "[" };
            let close = |k: usize| if is_obj(k) { "}" } else { "]" };
            let inner: String = (0..depth).map(open).collect();
            let outer: String = (0..depth).rev().map(close).collect();
            let good = format!("{inner}1{outer}");
            for page in [
                format!("[{good},{{\"name\":\"x\"}}]"),
                format!("[{inner}[],{{}}{outer}]").replace(":[],{}", ":[]"),
                format!("{{\"value\":[{good}],\"other\":{good}}}"),
            ] {
                if let Err(e) = agree(&disk_json(uid), page.as_bytes()) {
                    panic!("depth {depth}, pattern {pattern}: {}", &e[..e.len().min(300)]);
                }
            }
            // One closer swapped at each depth.
            let closers: Vec<&str> = (0..depth).rev().map(close).collect();
            for wrong in 0..depth {
                let bad: String = closers
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        if j == wrong {
                            if *c == "}" {
                                "]"
                            } else {
                                "}"
                            }
                        } else {
                            c
                        }
                    })
                    .collect();
                let page = format!("[{inner}1{bad}]");
                if let Err(e) = agree(&disk_json(uid), page.as_bytes()) {
                    panic!("depth {depth}, pattern {pattern}, wrong at {wrong}: {}", &e[..e.len().min(300)]);
                }
                // And a comma where a key is due, or a value where it is not.
                let page = format!("[{inner}1,{}]", &outer);
                if let Err(e) = agree(&disk_json(uid), page.as_bytes()) {
                    panic!("depth {depth}, pattern {pattern}, trailing comma: {}", &e[..e.len().min(300)]);
                }
            }
        }
    }
}

#[test]
fn numbers_and_literals_agree() {
    let uid = UIDS[0];
    for v in [
        "0", "-0", "01", "-", "1.", "1.5", ".5", "1e", "1e+", "1e-5", "1E5", "1.5e+10", "-1.5E-10", "1ee5", "0x10",
        "1.e5", "true", "tru", "truE", "false", "fals", "falsee", "null", "nul", "nulll", "t", "f", "n", "True", "NaN",
        "Infinity",
    ] {
        for page in
            [format!("[{v}]"), format!("[{{\"a\":{v}}}]"), format!("[{v},1]"), format!("[[{v}]]"), format!("[{v}")]
        {
            if let Err(e) = agree(&disk_json(uid), page.as_bytes()) {
                panic!("{v}: {e}");
            }
        }
    }
}

/// The disk reading of `DiskIdentity::from_disk_json` (the byte scanner) against the serde
/// reading it replaced (a `serde_json::Value`, the last of duplicate keys, `null` as missing).
fn disk_reference(text: &str) -> Result<(String, String)> {
    let bad = |why: String| Error::invalid_json("disk", format!("disk is not a disk object: {why}"));
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let top = v.as_object().ok_or_else(|| bad("expected an object".into()))?;
    let string = |v: Option<&serde_json::Value>, what: &str| match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("{what} must be a string"))),
    };
    let id = string(top.get("id"), "id")?;
    let props = match top.get("properties") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Object(m)) => Some(m),
        Some(_) => return Err(bad("properties must be an object".into())),
    };
    let unique = match props {
        Some(m) => string(m.get("uniqueId"), "properties.uniqueId")?,
        None => None,
    };
    let id = id.ok_or_else(|| Error::invalid_argument("disk.id", "the disk has no id"))?;
    let parsed =
        azure_incremental_snapshots::ResourceId::parse_of_type(&id, azure_incremental_snapshots::resource_id::DISKS)
            .map_err(|e| e.with_field("disk.id"))?;
    let unique = unique.ok_or_else(|| {
        Error::invalid_argument(
            "disk.properties.uniqueId",
            "the disk has no properties.uniqueId, so snapshots of a recreated disk cannot be told apart; read the disk from ARM (getDisk) first",
        )
    })?;
    Ok((parsed.to_string(), unique))
}

fn generated_disk(g: &mut Gen) -> String {
    let id = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1");
    let ids = [
        quoted(&id),
        quoted(&id.replace("disks", "snapshots")),
        quoted(&id.replace("/d1", "/d\u{e9}1")),
        r#""\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/rg\/providers\/Microsoft.Compute\/disks\/d\u0031""#.to_string(),
        "5".into(),
        "null".into(),
        "[]".into(),
        "{}".into(),
    ];
    let uniques = [
        quoted("11111111-1111-1111-1111-111111111111"),
        r#""\u0031111\ud83d\ude00""#.into(),
        "7".into(),
        "null".into(),
        "true".into(),
        r#""""#.into(),
    ];
    let mut members = Vec::new();
    for _ in 0..(1 + g.below(3)) {
        match g.below(5) {
            0 | 1 => members.push(format!(r#""id":{}"#, ids[g.below(ids.len() as u64) as usize])),
            2 => {
                let props = match g.below(5) {
                    0 => "null".to_string(),
                    1 => "[1,2]".to_string(),
                    2 => r#""p""#.to_string(),
                    _ => {
                        let mut inner = Vec::new();
                        for _ in 0..(1 + g.below(3)) {
                            if g.chance(60) {
                                inner
                                    .push(format!(r#""uniqueId":{}"#, uniques[g.below(uniques.len() as u64) as usize]));
                            } else {
                                inner.push(r#""diskSizeGB":1e3,"x":{"uniqueId":"nested"}"#.to_string());
                            }
                        }
                        format!("{{{}}}", inner.join(" , "))
                    }
                };
                members.push(format!(r#""properties":{props}"#));
            }
            3 => members.push(r#""name":"d1","tags":{"a":"b\n"},"zones":["1"]"#.into()),
            _ => members.push(r#""properties\u0000":{"uniqueId":"u"}"#.into()),
        }
    }
    let mut text = match g.below(12) {
        0 => "null".into(),
        1 => format!("[{}]", members.join(",")),
        _ => format!("\n{{ {} }}\t", members.join(",")),
    };
    if g.bad(30) {
        let cut = g.below(text.len() as u64) as usize;
        let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(cut);
    }
    if g.bad(15) {
        text.push_str(g.pick(&["}", ",", " x", "\u{0}"]));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn disk_reading_agrees_with_serde(seed in 1u64..) {
        let mut g = Gen::new(seed);
        let text = generated_disk(&mut g);
        let ours = DiskIdentity::from_disk_json(&text).map(|d| (d.id, d.unique_id));
        match (ours, disk_reference(&text)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", text),
            (Err(a), Err(b)) => {
                prop_assert_eq!(a.code, b.code, "{}", text);
                prop_assert_eq!(a.field.clone(), b.field.clone(), "{}", text);
                // Syntax errors are worded differently (serde gives a line and column); the
                // others say the same thing.
                if !b.message.contains(" at line ") {
                    prop_assert_eq!(a.message, b.message, "{}", text);
                }
            }
            (a, b) => prop_assert!(false, "{text}: scanner {a:?}, serde {b:?}"),
        }
    }
}

#[test]
fn disk_generator_covers_every_outcome() {
    // The agreement above means something only if the generated disks reach every branch.
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..3000u64 {
        let mut g = Gen::new(seed);
        let text = generated_disk(&mut g);
        seen.insert(match disk_reference(&text) {
            Ok(_) => "ok".to_string(),
            Err(e) if e.message.contains(" at line ") => "syntax".to_string(),
            Err(e) => format!("{:?} {}", e.code, e.field.unwrap_or_default()),
        });
    }
    for want in [
        "ok",
        "syntax",
        "InvalidJson disk",
        "InvalidArgument disk.id",
        "InvalidArgument disk.properties.uniqueId",
        "InvalidResourceId disk.id",
    ] {
        assert!(seen.contains(want), "{want} not generated; seen {seen:?}");
    }
}
