//! The Blob service machines (page-range diff listing, server-side page copier) driven on a
//! virtual clock: every request and every wait asserted; recordings replayed as parse fixtures.

use azure_incremental_snapshots::blob::copy::{Checkpoint, Copier, CopyOptions, CopyResult};
use azure_incremental_snapshots::blob::diff::{DiffListing, DiffOptions, PageRange, PageRangeDiff};
use azure_incremental_snapshots::blob::extents::{ChunkPlan, Extent};
use azure_incremental_snapshots::blob::pair::check_diff_pair;
use azure_incremental_snapshots::blob::sas::{scrub, SasUrl};
use azure_incremental_snapshots::blob::{pagelist, Failure, Machine, Method, Outcome, Poll, Request, Response};
use azure_incremental_snapshots::{Error, ErrorCode, Result};
use serde_json::{json, Value};
use std::collections::VecDeque;

const NOW: i64 = 1_764_047_255_000;
const HOST: &str = "https://md-abc.z33.blob.storage.azure.net/cont/abcd";
const MIB: u64 = 1024 * 1024;

fn src_url(sig: &str) -> String {
    format!("{HOST}?snapshot=2021-08-05T20%3A58%3A06.9075559Z&sv=2018-11-09&sr=bs&si=new&sig={sig}")
}
fn prev_url(sig: &str) -> String {
    format!("{HOST}?snapshot=2021-08-05T20%3A57%3A05.1245659Z&sv=2018-11-09&sr=bs&si=old&sig={sig}")
}
fn target_url(sig: &str) -> String {
    format!("https://backup.blob.core.windows.net/disks/disk1.vhd?sv=2021-06-08&sr=b&sp=rcw&sig={sig}")
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    Response {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_string(),
    }
}

fn xml(ranges: &[(u64, u64, bool)], marker: Option<&str>) -> String {
    let mut s = String::from("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList>");
    for (a, b, c) in ranges {
        let tag = if *c { "ClearRange" } else { "PageRange" };
        s.push_str(&format!("<{tag}><Start>{a}</Start><End>{b}</End></{tag}>"));
    }
    match marker {
        Some(m) => s.push_str(&format!("<NextMarker>{m}</NextMarker>")),
        None => s.push_str("<NextMarker/>"),
    }
    s.push_str("</PageList>");
    s
}

/// One request as the shell saw it: when it was sent, after what wait.
#[derive(Debug, Clone)]
struct Sent {
    request: Request,
    delay_ms: u64,
}

struct Run<T> {
    result: Option<Result<T>>,
    sent: Vec<Sent>,
    checkpoints: Vec<Checkpoint>,
    max_in_flight: usize,
    /// Requests in flight when the run stopped at a checkpoint.
    in_flight_at_stop: Vec<Request>,
}

/// Drives `m` against `server`; `lifo` answers the newest request first (out of order);
/// `stop_at_checkpoint` stops (like a crash) right after that many checkpoints were emitted.
fn drive<M: Machine>(
    m: &mut M,
    server: &mut dyn FnMut(&Request) -> Outcome,
    lifo: bool,
    stop_at_checkpoint: Option<usize>,
) -> Run<M::Output> {
    let mut now = NOW;
    let mut queue: VecDeque<azure_incremental_snapshots::blob::Send> = VecDeque::new();
    let mut run = Run { result: None, sent: vec![], checkpoints: vec![], max_in_flight: 0, in_flight_at_stop: vec![] };
    for _ in 0..2_000_000 {
        match m.poll(now) {
            Poll::Send(batch) => {
                assert!(!batch.is_empty(), "an empty batch");
                for s in batch {
                    assert!(s.request.header("authorization").is_none(), "Authorization on a blob request");
                    assert!(s.request.header("x-ms-version").is_some(), "no x-ms-version");
                    run.sent.push(Sent { request: s.request.clone(), delay_ms: s.delay_ms });
                    queue.push_back(s);
                }
                run.max_in_flight = run.max_in_flight.max(queue.len());
            }
            Poll::Checkpoint(cp) => {
                // It survives JSON.
                assert_eq!(Checkpoint::from_json(&cp.to_json()).unwrap(), *cp);
                run.checkpoints.push(*cp);
                if stop_at_checkpoint == Some(run.checkpoints.len()) {
                    run.in_flight_at_stop = queue.iter().map(|s| s.request.clone()).collect();
                    return run;
                }
            }
            Poll::Wait => {
                let s = if lifo { queue.pop_back() } else { queue.pop_front() }.expect("Wait with nothing in flight");
                now += s.delay_ms as i64 + 10;
                let outcome = server(&s.request);
                m.on_response(s.id, outcome, now);
            }
            Poll::Done(r) => {
                run.result = Some(r);
                return run;
            }
        }
    }
    panic!("the machine did not finish");
}

fn h<'a>(r: &'a Request, name: &str) -> &'a str {
    r.header(name).unwrap_or_else(|| panic!("no {name} in {r:?}"))
}

fn range_of(r: &Request, name: &str) -> (u64, u64) {
    let v = h(r, name).strip_prefix("bytes=").unwrap();
    let (a, b) = v.split_once('-').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

/// Which requests a scripted fault answers.
type Matcher = Box<dyn Fn(&Request) -> bool>;

/// A fake Blob service: one source page blob (snapshots share it), one target.
struct Fake {
    length: u64,
    extents: Vec<(u64, u64, bool)>,
    page_size: usize,
    target_len: Option<u64>,
    writes: Vec<(u64, u64, bool)>,
    /// Scripted replies for the next requests matching a predicate, used once each.
    faults: Vec<(Matcher, Outcome)>,
}

impl Fake {
    fn new(length: u64, extents: &[(u64, u64, bool)]) -> Fake {
        Fake { length, extents: extents.to_vec(), page_size: 1000, target_len: None, writes: vec![], faults: vec![] }
    }

    fn fault(&mut self, pred: impl Fn(&Request) -> bool + 'static, outcome: Outcome) {
        self.faults.push((Box::new(pred), outcome));
    }

    fn serve(&mut self, r: &Request) -> Outcome {
        if let Some(i) = self.faults.iter().position(|(p, _)| p(r)) {
            return self.faults.remove(i).1;
        }
        let len = self.length.to_string();
        let is_target = r.url.starts_with("https://backup.");
        match (r.method, is_target) {
            (Method::Head, false) => Ok(resp(200, &[("Content-Length", &len), ("x-ms-blob-type", "PageBlob")], "")),
            (Method::Get, false) => {
                assert!(r.url.contains("&comp=pagelist"));
                let (wa, wb) = range_of(r, "x-ms-range");
                let inside: Vec<(u64, u64, bool)> = self
                    .extents
                    .iter()
                    .filter(|(a, b, _)| *b >= wa && *a <= wb)
                    .map(|(a, b, c)| (*a.max(&wa), *b.min(&wb), *c))
                    .collect();
                let skip: usize = r.url.split("&marker=m").nth(1).map_or(0, |m| m.parse().unwrap());
                let page: Vec<_> = inside.iter().skip(skip).take(self.page_size).copied().collect();
                let next = skip + page.len();
                let marker = (next < inside.len()).then(|| format!("m{next}"));
                Ok(resp(200, &[("x-ms-blob-content-length", &len)], &xml(&page, marker.as_deref())))
            }
            (Method::Head, true) => match self.target_len {
                None => Ok(resp(404, &[("x-ms-error-code", "BlobNotFound")], "")),
                Some(n) => Ok(resp(200, &[("Content-Length", &n.to_string()), ("x-ms-blob-type", "PageBlob")], "")),
            },
            (Method::Put, true) if r.url.ends_with("&comp=page") => {
                let (a, b) = range_of(r, "x-ms-range");
                let cleared = h(r, "x-ms-page-write") == "clear";
                if !cleared {
                    assert_eq!(h(r, "x-ms-source-range"), h(r, "x-ms-range"), "source and target ranges differ");
                    assert!(b - a < 4 * MIB);
                    assert_eq!(h(r, "x-ms-copy-source").split("&sig=").next(), src_url("x").split("&sig=").next());
                }
                assert_eq!(h(r, "Content-Length"), "0");
                assert!(b < self.target_len.unwrap());
                self.writes.push((a, b, cleared));
                Ok(resp(201, &[], ""))
            }
            (Method::Put, true) if r.url.ends_with("&comp=properties") => {
                self.target_len = Some(h(r, "x-ms-blob-content-length").parse().unwrap());
                Ok(resp(200, &[], ""))
            }
            (Method::Put, true) if r.url.ends_with("&comp=snapshot") => {
                Ok(resp(201, &[("x-ms-snapshot", "2025-11-25T05:07:35.1234567Z")], ""))
            }
            (Method::Put, true) => {
                assert_eq!(h(r, "x-ms-blob-type"), "PageBlob");
                assert_eq!(h(r, "If-None-Match"), "*");
                if self.target_len.is_some() {
                    return Ok(resp(409, &[("x-ms-error-code", "BlobAlreadyExists")], ""));
                }
                self.target_len = Some(h(r, "x-ms-blob-content-length").parse().unwrap());
                Ok(resp(201, &[], ""))
            }
            other => panic!("unexpected request {other:?} {r:?}"),
        }
    }
}

fn listing(prev: bool, opts: DiffOptions) -> DiffListing {
    let p = prev_url("oldsig");
    DiffListing::new(&src_url("newsig"), prev.then_some(p.as_str()), opts).unwrap()
}

fn copier(opts: CopyOptions) -> Copier {
    Copier::new(&src_url("newsig"), Some(&prev_url("oldsig")), &target_url("tsig"), opts).unwrap()
}

fn no_secret(e: &Error) {
    for s in ["newsig", "oldsig", "tsig", "SECRET"] {
        assert!(!format!("{e:?}").contains(s), "{s} in {e:?}");
    }
}

// ---------------------------------------------------------------- SAS URLs

#[test]
fn sas_urls_https_or_loopback_and_identity_without_signature() {
    let u = SasUrl::parse(&src_url("abc%2Bdef"), "url").unwrap();
    assert_eq!(u.identity().origin, "https://md-abc.z33.blob.storage.azure.net");
    assert_eq!(u.identity().path, "/cont/abcd");
    assert_eq!(u.identity().snapshot.as_deref(), Some("2021-08-05T20:58:06.9075559Z"));
    assert!(!format!("{u:?}").contains("abc%2Bdef"));
    assert!(SasUrl::parse("http://127.0.0.1:10000/devstoreaccount1/c/b?sig=x", "url").is_ok());
    assert!(SasUrl::parse("http://localhost/c/b", "url").is_ok());
    let e = SasUrl::parse("http://md-abc.blob.core.windows.net/c/b?sig=SECRET", "url").unwrap_err();
    assert_eq!(e.code, ErrorCode::UntrustedUrl);
    no_secret(&e);
    for bad in [
        "ftp://h/c/b",
        "https://h",
        "https://h/",
        "https://h/c",
        "https://h/c/",
        "https://h/c/b#frag",
        "https://h/c/b?sig=SECRET x",
        "https://h/c/b?sig=SECRET\r\nX: y",
        "https://user@h/c/b",
        "https://h/c/b?comp=page&sig=SECRET",
        "/c/b",
        "",
    ] {
        let e = SasUrl::parse(bad, "url").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
        no_secret(&e);
    }
    assert_eq!(scrub("see https://h/c/b?sv=1&sig=SECRET&se=2"), "see https://h/c/b?sv=1&sig=[redacted]&se=2");
}

#[test]
fn a_previous_snapshot_of_another_blob_is_refused_before_any_request() {
    for other in [
        "https://md-other.z33.blob.storage.azure.net/cont/abcd?snapshot=1&sig=oldsig",
        "https://md-abc.z33.blob.storage.azure.net/cont/other?snapshot=1&sig=oldsig",
        "http://127.0.0.1/cont/abcd?snapshot=1&sig=oldsig",
    ] {
        let e = DiffListing::new(&src_url("newsig"), Some(other), DiffOptions::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{other}");
        assert_eq!(e.field.as_deref(), Some("previousUrl"));
        no_secret(&e);
        let e = Copier::new(&src_url("newsig"), Some(other), &target_url("tsig"), CopyOptions::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
    }
    for (bad, field) in [
        (DiffOptions { version: "2019-02-02".into(), ..DiffOptions::default() }, "xMsVersion"),
        (DiffOptions { version: "latest".into(), ..DiffOptions::default() }, "xMsVersion"),
        (DiffOptions { window_bytes: 1000, ..DiffOptions::default() }, "windowBytes"),
        (DiffOptions { range: Some((1, 511)), ..DiffOptions::default() }, "range"),
        (DiffOptions { range: Some((0, 512)), ..DiffOptions::default() }, "range"),
    ] {
        let e = DiffListing::new(&src_url("newsig"), None, bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field));
    }
}

// ---------------------------------------------------------------- listing

#[test]
fn listing_sends_head_then_windows_follows_markers_and_merges() {
    let length = 3 * MIB + 512;
    let mut fake = Fake::new(
        length,
        &[
            (0, 511, false),
            (512, 4095, false),            // adjacent, merged
            (8192, 8703, true),            // cleared
            (8704, 9215, false),           // adjacent of another kind: kept apart
            (MIB - 512, MIB + 511, false), // spans the window boundary: clipped, then merged
            (2 * MIB, 2 * MIB + 511, true),
            (2 * MIB + 1024, 2 * MIB + 1535, true),
            (3 * MIB, 3 * MIB + 511, false), // the footer
        ],
    );
    fake.page_size = 1; // every range on its own page: NextMarker all the way
    let mut m = listing(true, DiffOptions { window_bytes: MIB, ..DiffOptions::default() });
    let run = drive(&mut m, &mut |r| fake.serve(r), false, None);
    let diff: PageRangeDiff = run.result.unwrap().unwrap();
    assert_eq!(diff.content_length, length);
    let want: Vec<PageRange> = [
        (0, 4095, false),
        (8192, 8703, true),
        (8704, 9215, false),
        (MIB - 512, MIB + 511, false),
        (2 * MIB, 2 * MIB + 511, true),
        (2 * MIB + 1024, 2 * MIB + 1535, true),
        (3 * MIB, 3 * MIB + 511, false),
    ]
    .iter()
    .map(|(start, end, cleared)| PageRange { start: *start, end: *end, cleared: *cleared })
    .collect();
    assert_eq!(diff.ranges, want);
    // Every request: HEAD, then window 1 (4 ranges + the boundary one = 5 pages, the last
    // without a marker … each page holds one range), window 2, 3, 4.
    let first = &run.sent[0].request;
    assert_eq!(first.method, Method::Head);
    assert_eq!(first.url, src_url("newsig"));
    assert_eq!(first.headers, vec![("x-ms-version", "2021-06-08".to_string())]);
    let gets: Vec<(String, String)> = run.sent[1..]
        .iter()
        .map(|s| {
            let r = &s.request;
            assert_eq!(r.method, Method::Get);
            assert_eq!(h(r, "x-ms-previous-snapshot-url"), prev_url("oldsig"));
            assert_eq!(h(r, "x-ms-version"), "2021-06-08");
            assert_eq!(s.delay_ms, 0);
            (r.url.strip_prefix(&src_url("newsig")).unwrap().to_string(), h(r, "x-ms-range").to_string())
        })
        .collect();
    let w = |a: u64, b: u64| format!("bytes={a}-{b}");
    let want: Vec<(String, String)> = vec![
        ("&comp=pagelist".into(), w(0, MIB - 1)),
        ("&comp=pagelist&marker=m1".into(), w(0, MIB - 1)),
        ("&comp=pagelist&marker=m2".into(), w(0, MIB - 1)),
        ("&comp=pagelist&marker=m3".into(), w(0, MIB - 1)),
        ("&comp=pagelist&marker=m4".into(), w(0, MIB - 1)),
        ("&comp=pagelist".into(), w(MIB, 2 * MIB - 1)),
        ("&comp=pagelist".into(), w(2 * MIB, 3 * MIB - 1)),
        ("&comp=pagelist&marker=m1".into(), w(2 * MIB, 3 * MIB - 1)),
        ("&comp=pagelist".into(), w(3 * MIB, 3 * MIB + 511)),
    ];
    assert_eq!(gets, want);
    assert_eq!(m.requests(), 10);
}

#[test]
fn listing_without_previous_and_within_a_range() {
    let mut fake = Fake::new(8 * MIB, &[(0, MIB - 1, false), (4 * MIB, 5 * MIB - 1, false)]);
    let mut m = listing(false, DiffOptions { range: Some((2 * MIB, 6 * MIB - 1)), ..DiffOptions::default() });
    let run = drive(&mut m, &mut |r| fake.serve(r), false, None);
    assert_eq!(
        run.result.unwrap().unwrap().ranges,
        vec![PageRange { start: 4 * MIB, end: 5 * MIB - 1, cleared: false }]
    );
    assert_eq!(run.sent.len(), 2);
    assert!(run.sent[1].request.header("x-ms-previous-snapshot-url").is_none());
    assert_eq!(h(&run.sent[1].request, "x-ms-range"), format!("bytes={}-{}", 2 * MIB, 6 * MIB - 1));
    // A range past the length: refused after the HEAD, before any listing.
    let mut m = listing(false, DiffOptions { range: Some((0, 16 * MIB - 1)), ..DiffOptions::default() });
    let run = drive(&mut m, &mut |r| fake.serve(r), false, None);
    assert_eq!(run.result.unwrap().unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(run.sent.len(), 1);
    // An empty blob: the HEAD only.
    let mut empty = Fake::new(0, &[]);
    let run = drive(&mut listing(true, DiffOptions::default()), &mut |r| empty.serve(r), false, None);
    assert_eq!(run.result.unwrap().unwrap(), PageRangeDiff { content_length: 0, ranges: vec![] });
    assert_eq!(run.sent.len(), 1);
}

/// One scripted reply per request, in order; the requests are returned for asserting.
fn scripted<M: Machine>(m: &mut M, replies: Vec<Outcome>) -> (Option<Result<M::Output>>, Vec<Sent>) {
    let mut replies = replies.into_iter();
    let run = drive(m, &mut |_| replies.next().expect("more requests than replies"), false, None);
    assert!(replies.next().is_none(), "replies left over");
    (run.result, run.sent)
}

fn head_ok(len: u64) -> Outcome {
    Ok(resp(200, &[("Content-Length", &len.to_string())], ""))
}

fn page(len: u64, body: &str) -> Outcome {
    Ok(resp(200, &[("x-ms-blob-content-length", &len.to_string())], body))
}

#[test]
fn hostile_page_lists_are_typed_errors() {
    let len = 4 * MIB;
    let r = |a: u64, b: u64| format!("<PageList><PageRange><Start>{a}</Start><End>{b}</End></PageRange></PageList>");
    let many: String = (0..5000u64)
        .map(|i| format!("<PageRange><Start>{}</Start><End>{}</End></PageRange>", i * 1024, i * 1024 + 511))
        .collect();
    let cases: Vec<(String, ErrorCode)> = vec![
        (r(1, 511), ErrorCode::InvalidResponse),
        (r(0, 512), ErrorCode::InvalidResponse),
        (r(1024, 511), ErrorCode::InvalidResponse),
        (r(len, len + 511), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>99999999999999999999</End></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>999999999999999999999</End></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>-1</Start><End>511</End></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0x0</Start><End>511</End></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>1023</End></PageRange><ClearRange><Start>512</Start><End>1023</End></ClearRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>1024</Start><End>1535</End></PageRange><PageRange><Start>0</Start><End>511</End></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>511</End></PageRange>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>511</End></PageRange><Extra/></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start></PageRange></PageList>".into(), ErrorCode::InvalidResponse),
        ("<PageList><PageRange><Start>0</Start><End>511</End></PageRange><NextMarker>a&bogus;</NextMarker></PageList>".into(), ErrorCode::InvalidResponse),
        ("{\"json\":true}".into(), ErrorCode::InvalidResponse),
        (String::new(), ErrorCode::InvalidResponse),
        ("<".repeat(100_000), ErrorCode::InvalidResponse),
        (format!("<PageList>{}", " ".repeat(2_000_000)), ErrorCode::InvalidResponse),
        (format!("<PageList>{many}"), ErrorCode::InvalidResponse), // truncated after thousands
        ("<PageList/>\u{feff}<PageList/>".into(), ErrorCode::InvalidResponse),
    ];
    for (body, code) in cases {
        let mut m = listing(true, DiffOptions::default());
        let (result, sent) = scripted(&mut m, vec![head_ok(len), page(len, &body)]);
        let e = result.unwrap().unwrap_err();
        assert_eq!(e.code, code, "{}", body.chars().take(120).collect::<String>());
        assert_eq!(e.status(), Some(200));
        assert_eq!(sent.len(), 2);
        no_secret(&e);
    }
    // Thousands of ranges are fine.
    let mut m = listing(true, DiffOptions::default());
    let (result, _) = scripted(&mut m, vec![head_ok(8 * MIB), page(8 * MIB, &format!("<PageList>{many}</PageList>"))]);
    assert_eq!(result.unwrap().unwrap().ranges.len(), 5000);
    // A size header that disagrees with the HEAD; a HEAD without a length or misaligned.
    let mut m = listing(true, DiffOptions::default());
    let (result, _) = scripted(&mut m, vec![head_ok(len), page(len + 512, "<PageList/>")]);
    assert_eq!(result.unwrap().unwrap_err().code, ErrorCode::InvalidResponse);
    for head in
        [resp(200, &[], ""), resp(200, &[("Content-Length", "1000")], ""), resp(200, &[("Content-Length", "x")], "")]
    {
        let mut m = listing(true, DiffOptions::default());
        let (result, _) = scripted(&mut m, vec![Ok(head)]);
        assert_eq!(result.unwrap().unwrap_err().code, ErrorCode::InvalidResponse);
    }
    // Too many extents (maxExtents), and an endless NextMarker (bounded).
    let mut m = listing(true, DiffOptions { max_extents: 10, ..DiffOptions::default() });
    let (result, _) = scripted(&mut m, vec![head_ok(8 * MIB), page(8 * MIB, &format!("<PageList>{many}</PageList>"))]);
    assert_eq!(result.unwrap().unwrap_err().code, ErrorCode::InvalidResponse);
    let mut m = listing(true, DiffOptions { max_pages_per_window: 3, ..DiffOptions::default() });
    let endless = page(len, "<PageList><NextMarker>again</NextMarker></PageList>");
    let (result, sent) = scripted(&mut m, vec![head_ok(len), endless.clone(), endless.clone(), endless]);
    assert_eq!(result.unwrap().unwrap_err().code, ErrorCode::Timeout);
    assert!(sent[3].request.url.ends_with("&comp=pagelist&marker=again"));
}

#[test]
fn the_parser_never_panics_on_mangled_bodies() {
    let base = xml(&[(0, 511, false), (512, 1023, true), (4096, 8191, false)], Some("m&amp;1"));
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let bytes: Vec<char> = base.chars().collect();
    for _ in 0..3000 {
        let mut chars = bytes.clone();
        for _ in 0..(next() % 4 + 1) {
            let i = (next() as usize) % chars.len();
            match next() % 3 {
                0 => {
                    chars.remove(i);
                }
                1 => chars.insert(i, ['<', '>', '/', '0', '9', ' ', '&', 'é'][(next() % 8) as usize]),
                _ => chars.truncate(i),
            }
            if chars.is_empty() {
                break;
            }
        }
        let text: String = chars.into_iter().collect();
        let _ = pagelist::parse(&text, 100);
    }
    let l = pagelist::parse(&base, 100).unwrap();
    assert_eq!(l.ranges.len(), 3);
    assert_eq!(l.next_marker.as_deref(), Some("m&1"));
    // Whitespace and comments anywhere between elements, an empty NextMarker element.
    let spaced = "\u{feff}  <?xml version=\"1.0\"?>\r\n<!-- c --><PageList >\n <PageRange>\n  <Start> 0 </Start>\n  <End>511</End>\n </PageRange>\n <NextMarker></NextMarker>\n</PageList>\n";
    let l = pagelist::parse(spaced, 100).unwrap();
    assert_eq!(l.ranges.len(), 1);
    assert_eq!(l.next_marker, None);
}

// ---------------------------------------------------------------- recordings

fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure/blob").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

const NET: &str = "azure-sdk-for-net/sdk/storage/Azure.Storage.Blobs/tests/SessionRecords/ManagedDiskTests/";

fn recorded(entry: &Value) -> Response {
    let mut headers = vec![];
    for (k, v) in entry["ResponseHeaders"].as_object().unwrap() {
        let v = match v {
            Value::Array(parts) => parts.iter().map(|p| p.as_str().unwrap()).collect::<Vec<_>>().join(" "),
            other => other.as_str().unwrap().to_string(),
        };
        headers.push((k.clone(), v));
    }
    let body = match &entry["ResponseBody"] {
        Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect::<String>(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    Response { status: entry["StatusCode"].as_u64().unwrap() as u16, headers, body }
}

#[test]
fn the_recorded_managed_disk_diff_replays() {
    let rec: Value = serde_json::from_str(&fixture(&format!("{NET}CanDiffPagesBetweenSnapshots.json"))).unwrap();
    let vars = &rec["Variables"];
    let newer = vars["snapshot2SASUri"].as_str().unwrap();
    let older = vars["snapshot1SASUri"].as_str().unwrap();
    let entry = &rec["Entries"][0];
    let length = 136_367_309_312u64;
    let opts = DiffOptions { version: "2021-04-10".into(), window_bytes: 256 << 30, ..DiffOptions::default() };
    let mut m = DiffListing::new(newer, Some(older), opts).unwrap();
    let (result, sent) = scripted(&mut m, vec![head_ok(length), Ok(recorded(entry))]);
    let r = &sent[1].request;
    assert_eq!(r.url, entry["RequestUri"].as_str().unwrap());
    assert_eq!(
        h(r, "x-ms-previous-snapshot-url"),
        entry["RequestHeaders"]["x-ms-previous-snapshot-url"].as_str().unwrap()
    );
    assert_eq!(h(r, "x-ms-version"), entry["RequestHeaders"]["x-ms-version"].as_str().unwrap());
    assert_eq!(h(r, "x-ms-range"), format!("bytes=0-{}", length - 1));
    let diff = result.unwrap().unwrap();
    assert_eq!(diff.content_length, length);
    let (changed, cleared): (Vec<&PageRange>, Vec<&PageRange>) = diff.ranges.iter().partition(|r| !r.cleared);
    assert_eq!(cleared.len(), 2);
    assert!(changed.len() <= 95 && changed.len() > 50);
    let bytes: u64 = diff.ranges.iter().map(|r| r.end - r.start + 1).sum();
    assert_eq!(bytes, 3_596_288);
    assert!(diff.ranges.windows(2).all(|w| w[0].end < w[1].start));
    // The ranged GETs of the recording read a changed page and a cleared one: both listed.
    for (i, want_cleared) in [(1, false), (3, true)] {
        let range = rec["Entries"][i]["RequestHeaders"]["x-ms-range"].as_str().unwrap();
        let (a, b) = range.strip_prefix("bytes=").unwrap().split_once('-').unwrap();
        let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
        assert!(diff.ranges.iter().any(|r| r.start <= a && b <= r.end && r.cleared == want_cleared), "{range}");
    }
}

#[test]
fn the_recorded_small_diff_with_an_empty_next_marker_replays() {
    let text = fixture("azure-sdk-for-js/sdk/storage/storage-blob/recordings/node/pageblobclient/recording_getpagerangesdiff_with_url.js");
    let at = text.find(".reply(200, \"\u{feff}<?xml").unwrap();
    let literal = &text[at + ".reply(200, ".len()..];
    let end = literal.find("</PageList>\"").unwrap() + "</PageList>\"".len();
    let body: String = serde_json::from_str(&literal[..end]).unwrap();
    assert!(body.starts_with('\u{feff}') && body.contains("<NextMarker/>"));
    let mut m = listing(true, DiffOptions { version: "2019-07-07".into(), ..DiffOptions::default() });
    let (result, _) = scripted(&mut m, vec![head_ok(1024), page(1024, &body)]);
    assert_eq!(
        result.unwrap().unwrap().ranges,
        vec![PageRange { start: 0, end: 511, cleared: false }, PageRange { start: 512, end: 1023, cleared: true }]
    );
}

#[test]
fn recorded_errors_and_empty_lists() {
    let rec: Value =
        serde_json::from_str(&fixture(&format!("{NET}GetManagedDiskPageRangesDiffAsync_Error.json"))).unwrap();
    let mut m = listing(true, DiffOptions::default());
    let (result, _) = scripted(&mut m, vec![head_ok(MIB), Ok(recorded(&rec["Entries"][0]))]);
    let e = result.unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::ArmError);
    assert_eq!(e.status(), Some(416));
    assert_eq!(e.arm.as_ref().unwrap().arm_code.as_deref(), Some("InvalidRange"));
    assert_eq!(e.arm.as_ref().unwrap().request_id.as_deref(), Some("601a3ee1-601e-0008-2436-8ac09a000000"));
    assert!(e.message.contains("The range specified is invalid"), "{}", e.message);
    let rec: Value =
        serde_json::from_str(&fixture(&format!("{NET}GetManagedDiskPageRangesDiffAsync_AccessConditions.json")))
            .unwrap();
    let entry = &rec["Entries"][0];
    let length: u64 = recorded(entry).header("x-ms-blob-content-length").unwrap().parse().unwrap();
    let mut m = listing(true, DiffOptions { range: Some((0, 1023)), ..DiffOptions::default() });
    let (result, sent) = scripted(&mut m, vec![head_ok(length), Ok(recorded(entry))]);
    assert_eq!(h(&sent[1].request, "x-ms-range"), entry["RequestHeaders"]["x-ms-range"].as_str().unwrap());
    assert_eq!(result.unwrap().unwrap(), PageRangeDiff { content_length: length, ranges: vec![] });
}

// ---------------------------------------------------------------- copier

fn chunk_ranges(sent: &[Sent]) -> Vec<(u64, u64, bool)> {
    sent.iter()
        .filter(|s| s.request.url.ends_with("&comp=page"))
        .map(|s| {
            let (a, b) = range_of(&s.request, "x-ms-range");
            (a, b, h(&s.request, "x-ms-page-write") == "clear")
        })
        .collect()
}

#[test]
fn a_copy_creates_the_target_and_copies_each_chunk_at_its_own_offset() {
    let length = 64 * MIB + 512;
    let extents = [(MIB, 10 * MIB - 1, false), (20 * MIB, 30 * MIB - 1, true), (40 * MIB, 40 * MIB + 511, false)];
    let mut fake = Fake::new(length, &extents);
    let mut m = copier(CopyOptions { concurrency: 1, snapshot_target: true, ..CopyOptions::default() });
    let run = drive(&mut m, &mut |r| fake.serve(r), false, None);
    let result: CopyResult = run.result.unwrap().unwrap();
    assert_eq!(
        result,
        CopyResult {
            content_length: length,
            copied_bytes: 9 * MIB + 512 + 512,
            cleared_bytes: 10 * MIB,
            requests: run.sent.len() as u64,
            target_snapshot: Some("2025-11-25T05:07:35.1234567Z".into()),
        }
    );
    let s = &run.sent;
    assert_eq!((s[0].request.method, s[0].request.url.as_str()), (Method::Head, src_url("newsig").as_str()));
    assert_eq!(s[1].request.method, Method::Get);
    assert_eq!((s[2].request.method, s[2].request.url.as_str()), (Method::Head, target_url("tsig").as_str()));
    let create = &s[3].request;
    assert_eq!((create.method, create.url.as_str()), (Method::Put, target_url("tsig").as_str()));
    assert_eq!(
        create.headers,
        vec![
            ("x-ms-version", "2021-06-08".to_string()),
            ("x-ms-blob-type", "PageBlob".to_string()),
            ("x-ms-blob-content-length", length.to_string()),
            ("If-None-Match", "*".to_string()),
            ("Content-Length", "0".to_string()),
        ]
    );
    // 9 MiB in 4 + 4 + 1 MiB at their own offsets (not 0: the sample's bug), one clear, the
    // changed page, the footer.
    assert_eq!(
        chunk_ranges(s),
        vec![
            (MIB, 5 * MIB - 1, false),
            (5 * MIB, 9 * MIB - 1, false),
            (9 * MIB, 10 * MIB - 1, false),
            (20 * MIB, 30 * MIB - 1, true),
            (40 * MIB, 40 * MIB + 511, false),
            (64 * MIB, 64 * MIB + 511, false),
        ]
    );
    let update = &s[4].request;
    assert_eq!(update.url, format!("{}&comp=page", target_url("tsig")));
    assert_eq!(
        update.headers,
        vec![
            ("x-ms-version", "2021-06-08".to_string()),
            ("x-ms-page-write", "update".to_string()),
            ("x-ms-range", format!("bytes={}-{}", MIB, 5 * MIB - 1)),
            ("x-ms-source-range", format!("bytes={}-{}", MIB, 5 * MIB - 1)),
            ("x-ms-copy-source", src_url("newsig")),
            ("Content-Length", "0".to_string()),
        ]
    );
    let clear = &s[7].request;
    assert_eq!(
        clear.headers,
        vec![
            ("x-ms-version", "2021-06-08".to_string()),
            ("x-ms-page-write", "clear".to_string()),
            ("x-ms-range", format!("bytes={}-{}", 20 * MIB, 30 * MIB - 1)),
            ("Content-Length", "0".to_string()),
        ]
    );
    let snap = &s.last().unwrap().request;
    assert_eq!(snap.url, format!("{}&comp=snapshot", target_url("tsig")));
    assert!(s.iter().all(|x| x.delay_ms == 0));
    assert_eq!(fake.writes, chunk_ranges(s));
    // Checkpoints: the plan, then one per finished chunk (concurrency 1), then the final one.
    assert_eq!(run.checkpoints.len(), 1 + 6 + 1);
    assert_eq!(run.checkpoints[0].done_below, 0);
    assert_eq!(run.checkpoints.last().unwrap().done_below, 6);
}

#[test]
fn the_target_is_grown_kept_or_refused() {
    let length = 16 * MIB;
    // Shorter: grown.
    let mut fake = Fake::new(length, &[(0, 511, false)]);
    fake.target_len = Some(MIB);
    let mut m = copier(CopyOptions { copy_footer: false, ..CopyOptions::default() });
    let run = drive(&mut m, &mut |r| fake.serve(r), false, None);
    run.result.unwrap().unwrap();
    let grow = &run.sent[3].request;
    assert_eq!(grow.url, format!("{}&comp=properties", target_url("tsig")));
    assert_eq!(h(grow, "x-ms-blob-content-length"), length.to_string());
    assert_eq!(fake.target_len, Some(length));
    // Equal: written as it is.
    let run = drive(
        &mut copier(CopyOptions { copy_footer: false, ..CopyOptions::default() }),
        &mut |r| fake.serve(r),
        false,
        None,
    );
    run.result.unwrap().unwrap();
    assert_eq!(run.sent.len(), 4);
    // Longer: refused, nothing written.
    fake.target_len = Some(length + 512);
    fake.writes.clear();
    let run = drive(&mut copier(CopyOptions::default()), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("targetUrl")));
    assert!(run.sent.iter().all(|s| s.request.method != Method::Put));
    assert!(fake.writes.is_empty());
    // A block blob target: refused.
    let mut fake = Fake::new(length, &[]);
    fake.fault(
        |r| r.method == Method::Head && r.url.contains("backup."),
        Ok(resp(200, &[("Content-Length", "0"), ("x-ms-blob-type", "BlockBlob")], "")),
    );
    let run = drive(&mut copier(CopyOptions::default()), &mut |r| fake.serve(r), false, None);
    assert_eq!(run.result.unwrap().unwrap_err().code, ErrorCode::InvalidArgument);
    // A create that had landed before its retry: 409, then one more HEAD.
    let mut fake = Fake::new(length, &[]);
    fake.fault(|r| r.method == Method::Put && r.url == target_url("tsig"), Err(Failure::Network("reset".into())));
    let run = drive(
        &mut copier(CopyOptions::default()),
        &mut |r| {
            let out = fake.serve(r);
            if r.method == Method::Put && r.url == target_url("tsig") && fake.target_len.is_none() {
                fake.target_len = Some(length); // the first attempt landed
            }
            out
        },
        false,
        None,
    );
    run.result.unwrap().unwrap();
    let methods: Vec<Method> = run.sent.iter().take(6).map(|s| s.request.method).collect();
    assert_eq!(methods, vec![Method::Head, Method::Get, Method::Head, Method::Put, Method::Put, Method::Head]);
    // A target that is a snapshot, or the source blob itself: refused up front.
    let snap_target = format!("{}&snapshot=2025-01-01T00:00:00Z", target_url("tsig"));
    assert_eq!(
        Copier::new(&src_url("a"), None, &snap_target, CopyOptions::default()).unwrap_err().field.as_deref(),
        Some("targetUrl")
    );
    assert_eq!(
        Copier::new(&src_url("a"), None, &format!("{HOST}?sig=w"), CopyOptions::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("targetUrl")
    );
    for bad in [
        CopyOptions { concurrency: 0, ..CopyOptions::default() },
        CopyOptions { chunk_bytes: 8 * MIB, ..CopyOptions::default() },
        CopyOptions { chunk_bytes: 1000, ..CopyOptions::default() },
        CopyOptions { clear_chunk_bytes: u64::MAX / 512 * 512, ..CopyOptions::default() },
    ] {
        assert_eq!(
            Copier::new(&src_url("a"), None, &target_url("t"), bad).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}

#[test]
fn retries_wait_what_the_service_asks_and_are_bounded() {
    let mut fake = Fake::new(8 * MIB, &[(0, MIB - 1, false)]);
    let is_chunk = |r: &Request| r.url.ends_with("&comp=page");
    fake.fault(is_chunk, Ok(resp(503, &[("Retry-After", "2")], "")));
    fake.fault(is_chunk, Ok(resp(429, &[("x-ms-retry-after-ms", "250")], "")));
    fake.fault(is_chunk, Err(Failure::Network("reset".into())));
    fake.fault(|r: &Request| r.method == Method::Get, Ok(resp(500, &[], "")));
    let run = drive(
        &mut copier(CopyOptions { copy_footer: false, ..CopyOptions::default() }),
        &mut |r| fake.serve(r),
        false,
        None,
    );
    run.result.unwrap().unwrap();
    let waits: Vec<(Method, u64)> = run.sent.iter().map(|s| (s.request.method, s.delay_ms)).collect();
    assert_eq!(waits[0], (Method::Head, 0));
    assert_eq!(waits[1], (Method::Get, 0));
    assert_eq!(waits[2].0, Method::Get);
    assert!((750..=1250).contains(&waits[2].1), "backoff {}", waits[2].1);
    let chunk_waits: Vec<u64> = run.sent.iter().filter(|s| is_chunk(&s.request)).map(|s| s.delay_ms).collect();
    assert_eq!(chunk_waits[..3], [0, 2000, 250]);
    assert!((3000..=5000).contains(&chunk_waits[3]), "backoff after a network failure {}", chunk_waits[3]);
    assert_eq!(chunk_waits.len(), 4);
    // Bounded: 1 + max_retries attempts, then the error.
    let mut fake = Fake::new(8 * MIB, &[(0, MIB - 1, false)]);
    for _ in 0..10 {
        fake.fault(is_chunk, Ok(resp(429, &[("Retry-After", "1")], "")));
    }
    let opts = CopyOptions { copy_footer: false, ..CopyOptions::default() };
    let max = opts.diff.retry.max_retries as usize;
    let run = drive(&mut copier(opts), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!((e.code, e.status()), (ErrorCode::Throttled, Some(429)));
    assert_eq!(run.sent.iter().filter(|s| is_chunk(&s.request)).count(), 1 + max);
    // A wait longer than allowed is returned, not slept.
    let mut fake = Fake::new(8 * MIB, &[]);
    fake.fault(|r: &Request| r.method == Method::Head, Ok(resp(503, &[("Retry-After", "600")], "")));
    let mut opts = DiffOptions::default();
    opts.retry.max_wait_ms = Some(60_000);
    let run = drive(&mut listing(true, opts), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!(e.arm.as_ref().unwrap().retry_after_ms, Some(600_000));
    assert_eq!(run.sent.len(), 1);
    // Redirects are never followed.
    let mut fake = Fake::new(8 * MIB, &[]);
    fake.fault(|r: &Request| r.method == Method::Head, Ok(resp(302, &[("Location", "https://evil/")], "")));
    let run = drive(&mut listing(true, DiffOptions::default()), &mut |r| fake.serve(r), false, None);
    assert_eq!(run.result.unwrap().unwrap_err().code, ErrorCode::InvalidResponse);
    assert_eq!(run.sent.len(), 1);
}

#[test]
fn an_expired_sas_is_forbidden_and_no_signature_leaks() {
    let body = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:1\nTime:2025-01-01T00:00:00Z</Message><AuthenticationErrorDetail>Signed expiry time [x] must be after signed start time; url https://h/c/b?sig=newsig&se=1</AuthenticationErrorDetail></Error>";
    let mut fake = Fake::new(8 * MIB, &[(0, MIB - 1, false)]);
    fake.fault(
        |r: &Request| r.url.ends_with("&comp=page"),
        Ok(resp(403, &[("x-ms-error-code", "AuthenticationFailed")], body)),
    );
    let run = drive(&mut copier(CopyOptions::default()), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!((e.code, e.status()), (ErrorCode::Forbidden, Some(403)));
    assert_eq!(e.arm.as_ref().unwrap().arm_code.as_deref(), Some("AuthenticationFailed"));
    assert!(e.message.contains("expired"), "{}", e.message);
    no_secret(&e);
    // The service echoing the signature in its message: scrubbed.
    let mut fake = Fake::new(8 * MIB, &[]);
    let echo = "<Error><Code>InternalError</Code><Message>bad url https://h/c/b?sv=1&amp;sig=SECRET</Message></Error>";
    fake.fault(|r: &Request| r.method == Method::Head, Ok(resp(400, &[], echo)));
    let run = drive(&mut listing(true, DiffOptions::default()), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::ArmError);
    no_secret(&e);
    // A network message quoting the URL: scrubbed too.
    let mut fake = Fake::new(8 * MIB, &[]);
    let mut opts = DiffOptions::default();
    opts.retry.max_retries = 0;
    fake.fault(
        |r: &Request| r.method == Method::Head,
        Err(Failure::Network(format!("fetch {} failed", src_url("newsig")))),
    );
    let run = drive(&mut listing(true, opts), &mut |r| fake.serve(r), false, None);
    let e = run.result.unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::Network);
    no_secret(&e);
}

#[test]
fn chunks_run_concurrently_within_the_limit_and_in_any_order() {
    let length = 256 * MIB;
    let extents: Vec<(u64, u64, bool)> =
        (0..20).map(|i| (i * 12 * MIB, i * 12 * MIB + 9 * MIB - 1, i % 5 == 4)).collect();
    for (concurrency, lifo) in [(1, false), (3, true), (8, false), (8, true), (64, true)] {
        let mut fake = Fake::new(length, &extents);
        let mut m = copier(CopyOptions { concurrency, copy_footer: false, ..CopyOptions::default() });
        let run = drive(&mut m, &mut |r| fake.serve(r), lifo, None);
        run.result.unwrap().unwrap();
        assert!(run.max_in_flight <= concurrency as usize, "{concurrency}: {}", run.max_in_flight);
        let mut writes = fake.writes.clone();
        writes.sort();
        assert_eq!(writes.len(), 16 * 3 + 4);
        assert_coverage(&writes, &extents);
        if concurrency == 8 {
            assert_eq!(run.max_in_flight, 8);
        }
    }
}

/// The writes cover exactly the extents' bytes, each once, changed ones in ≤ 4 MiB pieces.
fn assert_coverage(writes: &[(u64, u64, bool)], extents: &[(u64, u64, bool)]) {
    let mut w = writes.to_vec();
    w.sort();
    for pair in w.windows(2) {
        assert!(pair[0].1 < pair[1].0, "overlap {pair:?}");
    }
    for (a, b, c) in &w {
        assert_eq!(a % 512, 0);
        assert_eq!(b % 512, 511);
        if !c {
            assert!(b - a < 4 * MIB);
        }
        assert!(extents.iter().any(|(x, y, k)| x <= a && b <= y && k == c), "{a}-{b} outside the plan");
    }
    for (kind, want) in [(false, false), (true, true)] {
        let got: u64 = w.iter().filter(|x| x.2 == kind).map(|(a, b, _)| b - a + 1).sum();
        let exp: u64 = extents.iter().filter(|x| x.2 == want).map(|(a, b, _)| b - a + 1).sum();
        assert_eq!(got, exp);
    }
}

#[test]
fn a_resume_resends_only_the_unfinished_chunks_even_with_fresh_signatures() {
    let length = 512 * MIB;
    let extents: Vec<(u64, u64, bool)> = (0..10).map(|i| (i * 40 * MIB, i * 40 * MIB + 17 * MIB - 1, i == 3)).collect();
    let opts = CopyOptions { concurrency: 4, copy_footer: false, ..CopyOptions::default() };
    let mut fake = Fake::new(length, &extents);
    let mut m = copier(opts.clone());
    let stopped = drive(&mut m, &mut |r| fake.serve(r), true, Some(4));
    assert!(stopped.result.is_none());
    let cp = stopped.checkpoints.last().unwrap().clone();
    assert!(cp.chunks_done() > 0);
    let before = fake.writes.clone();
    let in_flight: Vec<(u64, u64)> = stopped.in_flight_at_stop.iter().map(|r| range_of(r, "x-ms-range")).collect();
    assert!(!in_flight.is_empty());
    // The checkpoint names the blobs, never a signature.
    let text = cp.to_json();
    assert!(!text.contains("newsig") && !text.contains("tsig") && !text.contains("oldsig"), "{text}");
    assert!(text.contains("\"snapshot\":\"2021-08-05T20:58:06.9075559Z\""));

    // Resume with freshly signed URLs of the same blobs, from the JSON.
    let cp = Checkpoint::from_json(&text).unwrap();
    let mut m = Copier::resume(&src_url("fresh1"), Some(&prev_url("fresh2")), &target_url("fresh3"), opts.clone(), &cp)
        .unwrap();
    let resumed = drive(&mut m, &mut |r| fake.serve(r), false, None);
    let result = resumed.result.unwrap().unwrap();
    assert_eq!(result.copied_bytes + result.cleared_bytes, 10 * 17 * MIB);
    let methods: Vec<Method> = resumed.sent.iter().take(2).map(|s| s.request.method).collect();
    assert_eq!(methods, vec![Method::Head, Method::Head], "no listing again");
    assert!(resumed.sent.iter().all(|s| s.request.method != Method::Get));
    assert!(resumed.sent.iter().skip(2).all(|s| s.request.url.contains("sig=fresh3")));
    assert!(resumed.sent.iter().filter(|s| s.request.header("x-ms-copy-source").is_some()).all(|s| h(
        &s.request,
        "x-ms-copy-source"
    ) == src_url(
        "fresh1"
    )));
    let resent: Vec<(u64, u64, bool)> = chunk_ranges(&resumed.sent);
    // Chunks finished at the checkpoint are never sent again; the ones in flight then are.
    let plan = ChunkPlan::new(cp.extents.clone(), cp.chunk_bytes, cp.clear_chunk_bytes);
    for i in 0..plan.count() {
        let c = plan.get(i).unwrap();
        let done = i < cp.done_below || cp.done_above.contains(&i);
        let again = resent.contains(&(c.start, c.end, c.cleared));
        assert_eq!(again, !done, "chunk {i}");
    }
    for r in &in_flight {
        assert!(resent.iter().any(|(a, b, _)| (*a, *b) == *r));
    }
    let mut all = before;
    all.extend(resent);
    all.sort();
    all.dedup();
    assert_coverage(&all, &extents);
}

#[test]
fn a_checkpoint_of_other_blobs_or_broken_is_refused() {
    let mut fake = Fake::new(64 * MIB, &[(0, 9 * MIB - 1, false)]);
    let opts = CopyOptions { concurrency: 1, ..CopyOptions::default() };
    let stopped = drive(&mut copier(opts.clone()), &mut |r| fake.serve(r), false, Some(2));
    let cp = stopped.checkpoints[1].clone();
    let resume = |s: &str, p: Option<&str>, t: &str, cp: &Checkpoint| Copier::resume(s, p, t, opts.clone(), cp);
    let other_snapshot = src_url("x").replace("20%3A58%3A06", "21%3A00%3A00");
    let other_target = target_url("x").replace("disk1.vhd", "disk2.vhd");
    for e in [
        resume(&other_snapshot, Some(&prev_url("x")), &target_url("x"), &cp).unwrap_err(),
        resume(&src_url("x"), None, &target_url("x"), &cp).unwrap_err(),
        resume(&src_url("x"), Some(&prev_url("x")), &other_target, &cp).unwrap_err(),
        resume(&src_url("x"), Some(&prev_url("x")), &target_url("x"), &Checkpoint { version: 2, ..cp.clone() })
            .unwrap_err(),
        resume(&src_url("x"), Some(&prev_url("x")), &target_url("x"), &Checkpoint { done_below: 99, ..cp.clone() })
            .unwrap_err(),
        resume(
            &src_url("x"),
            Some(&prev_url("x")),
            &target_url("x"),
            &Checkpoint { done_above: vec![0], ..cp.clone() },
        )
        .unwrap_err(),
        resume(&src_url("x"), Some(&prev_url("x")), &target_url("x"), &Checkpoint { chunk_bytes: 0, ..cp.clone() })
            .unwrap_err(),
        resume(
            &src_url("x"),
            Some(&prev_url("x")),
            &target_url("x"),
            &Checkpoint { extents: vec![Extent { start: 0, end: 100, cleared: false }], ..cp.clone() },
        )
        .unwrap_err(),
        resume(
            &src_url("x"),
            Some(&prev_url("x")),
            &target_url("x"),
            &Checkpoint { extents: vec![Extent { start: 0, end: 128 * MIB - 1, cleared: false }], ..cp.clone() },
        )
        .unwrap_err(),
    ] {
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("checkpoint")), "{e:?}");
    }
    assert_eq!(Checkpoint::from_json("{\"version\":1}").unwrap_err().code, ErrorCode::InvalidJson);
    assert_eq!(Checkpoint::from_json("nope").unwrap_err().code, ErrorCode::InvalidJson);
    // A source whose length changed since: refused after its HEAD, nothing written.
    let mut fake2 = Fake::new(32 * MIB, &[]);
    fake2.target_len = Some(64 * MIB);
    let mut m = resume(&src_url("x"), Some(&prev_url("x")), &target_url("x"), &cp).unwrap();
    let run = drive(&mut m, &mut |r| fake2.serve(r), false, None);
    assert_eq!(run.result.unwrap().unwrap_err().field.as_deref(), Some("checkpoint"));
    assert_eq!(run.sent.len(), 1);
}

#[test]
fn random_plans_are_chunked_to_cover_the_changed_bytes_exactly_once() {
    let mut seed = 0xdead_beef_cafe_f00du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for case in 0..100 {
        let mut extents = vec![];
        let mut at = next(8) * 512;
        for _ in 0..next(12) {
            let len = (next(5_000) + 1) * 512;
            extents.push((at, at + len - 1, next(3) == 0));
            at += len + next(4) * 512; // sometimes adjacent
        }
        let length = at + (next(4) + 1) * 512;
        let mut fake = Fake::new(length, &extents);
        fake.page_size = 1 + next(3) as usize;
        let chunk_bytes = [64 * 1024, 256 * 1024, MIB, 4 * MIB][next(4) as usize];
        let opts = CopyOptions {
            concurrency: 1 + next(6) as u32,
            chunk_bytes,
            clear_chunk_bytes: [512 * 7, MIB, 1 << 40][next(3) as usize],
            copy_footer: false,
            diff: DiffOptions { window_bytes: (next(64) + 1) * 256 * 1024, ..DiffOptions::default() },
            ..CopyOptions::default()
        };
        let run = drive(&mut copier(opts), &mut |r| fake.serve(r), case % 2 == 0, None);
        run.result.unwrap().unwrap();
        // Adjacent extents of a kind are one extent of the plan.
        let mut merged: Vec<(u64, u64, bool)> = vec![];
        for e in extents {
            match merged.last_mut() {
                Some(last) if last.1 + 1 == e.0 && last.2 == e.2 => last.1 = e.1,
                _ => merged.push(e),
            }
        }
        assert_coverage(&fake.writes, &merged);
        for (a, b, c) in &fake.writes {
            if !c {
                assert!(b - a < chunk_bytes);
            }
        }
    }
}

// ---------------------------------------------------------------- ARM pair check

#[test]
fn snapshot_pairs_must_be_incremental_of_one_family_in_order() {
    let snap = |inc: bool, fam: &str, t: &str| json!({"name": "s", "properties": {"incremental": inc, "incrementalSnapshotFamilyId": fam, "timeCreated": t}});
    let old = snap(true, "fam-1", "2025-11-25T05:00:00.1+00:00");
    let new = snap(true, "FAM-1", "2025-11-25T06:00:00Z");
    assert!(check_diff_pair(&old, &new).is_ok());
    assert!(check_diff_pair(&old["properties"], &new["properties"]).is_ok());
    for (o, n) in [
        (snap(false, "fam-1", "2025-11-25T05:00:00Z"), new.clone()),
        (old.clone(), snap(false, "fam-1", "2025-11-25T06:00:00Z")),
        (old.clone(), snap(true, "fam-2", "2025-11-25T06:00:00Z")),
        (new.clone(), old.clone()),
        (old.clone(), old.clone()),
        (old.clone(), json!({"properties": {"incremental": true, "incrementalSnapshotFamilyId": "fam-1"}})),
        (old.clone(), json!({"properties": {"incremental": true, "timeCreated": "2025-11-25T06:00:00Z"}})),
        (
            old.clone(),
            json!({"properties": {"incremental": true, "incrementalSnapshotFamilyId": "fam-1", "timeCreated": "yesterday"}}),
        ),
        (old.clone(), json!("text")),
    ] {
        assert_eq!(check_diff_pair(&o, &n).unwrap_err().code, ErrorCode::InvalidArgument, "{o} {n}");
    }
}

/// The hand-written checkpoint readers (they replaced serde derives): what the derives accepted
/// and refused, and exact round trips of what the shell writes.
#[test]
fn checkpoint_readers_round_trip_and_refuse() {
    use azure_incremental_snapshots::blob::replicate::{
        chain_from_json, Current, ReplicateCheckpoint, Replicated, REPLICATE_CHECKPOINT_VERSION,
    };
    use azure_incremental_snapshots::blob::sas::BlobIdentity;
    let id = |p: &str, s: Option<&str>| BlobIdentity {
        origin: "https://md-abc.z33.blob.storage.azure.net".into(),
        path: p.into(),
        snapshot: s.map(str::to_string),
    };
    let copy = Checkpoint {
        version: 1,
        source: id("/c/abcd", Some("2021-08-05T20:58:06.9075559Z")),
        previous: Some(id("/c/abcd", Some("2021-08-05T20:57:05.1245659Z"))),
        target: id("/disks/t", None),
        content_length: (1 << 40) + 512,
        chunk_bytes: 4 * MIB,
        clear_chunk_bytes: 1 << 40,
        extents: vec![
            Extent { start: 0, end: 4 * MIB - 1, cleared: false },
            Extent { start: 8 * MIB, end: 9 * MIB - 1, cleared: true },
        ],
        done_below: 1,
        done_above: vec![3, 4],
    };
    assert_eq!(Checkpoint::from_json(&copy.to_json()).unwrap(), copy);
    let none = Checkpoint { previous: None, done_above: vec![], ..copy.clone() };
    assert_eq!(Checkpoint::from_json(&none.to_json()).unwrap(), none);
    // Optional fields may be missing or null.
    let mut v: Value = serde_json::from_str(&none.to_json()).unwrap();
    v["previous"] = Value::Null;
    v.as_object_mut().unwrap().remove("doneAbove");
    assert_eq!(Checkpoint::from_json(&v.to_string()).unwrap(), none);
    // Refusals: unknown keys, missing or mistyped fields, fractions, negative numbers.
    let base: Value = serde_json::from_str(&copy.to_json()).unwrap();
    let broken = [
        ("sig", json!("x")),
        ("doneBelow", json!(-1)),
        ("doneBelow", json!(1.5)),
        ("chunkBytes", json!("4")),
        ("extents", json!([{ "start": 0, "end": 511 }])),
        ("extents", Value::Null),
        ("source", json!({ "origin": "https://x" })),
        ("version", json!(1u64 << 33)),
    ];
    for (k, val) in broken {
        let mut v = base.clone();
        v[k] = val;
        let e = Checkpoint::from_json(&v.to_string()).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidJson, Some("checkpoint")), "{k}: {e:?}");
    }
    for text in ["[]", "null", "1", "{\"version\":1", ""] {
        assert_eq!(Checkpoint::from_json(text).unwrap_err().code, ErrorCode::InvalidJson, "{text}");
    }

    let rc = ReplicateCheckpoint {
        version: REPLICATE_CHECKPOINT_VERSION,
        target: id("/disks/t", None),
        replicated: vec![
            Replicated {
                snapshot_id: "/s/a".into(),
                target_snapshot: Some("t1".into()),
                copied_bytes: 9,
                cleared_bytes: 1,
            },
            Replicated { snapshot_id: "/s/b".into(), target_snapshot: None, copied_bytes: 0, cleared_bytes: 0 },
        ],
        current: Some(Current { snapshot_id: "/s/c".into(), previous_id: Some("/s/b".into()), copy: copy.clone() }),
    };
    let text = serde_json::to_string(&rc).unwrap();
    assert_eq!(ReplicateCheckpoint::from_json(&text).unwrap(), rc);
    let done = ReplicateCheckpoint { current: None, ..rc.clone() };
    let text = serde_json::to_string(&done).unwrap();
    assert_eq!(ReplicateCheckpoint::from_json(&text).unwrap(), done);
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("current");
    assert_eq!(ReplicateCheckpoint::from_json(&v.to_string()).unwrap(), done);
    let base: Value = serde_json::from_str(&serde_json::to_string(&rc).unwrap()).unwrap();
    let mut cases = vec![json!({ "version": 1 }), json!([]), json!({ "version": 1, "target": {}, "replicated": [] })];
    for (path, val) in [
        ("/extra", json!(1)),
        ("/replicated/0/sig", json!("x")),
        ("/replicated/0/copiedBytes", json!(-3)),
        ("/current/copy", Value::Null),
        ("/current/copy/doneBelow", json!("1")),
        ("/current/other", json!(true)),
    ] {
        let mut v = base.clone();
        let (parent, key) = path.rsplit_once('/').unwrap();
        v.pointer_mut(if parent.is_empty() { "" } else { parent }).unwrap()[key] = val;
        cases.push(v);
    }
    for v in cases {
        let e = ReplicateCheckpoint::from_json(&v.to_string()).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidJson, Some("checkpoint")), "{v}: {e:?}");
    }

    // The chain: id required, name optional, everything else ignored.
    let chain = chain_from_json(r#"[{"id":"/s/a","name":"a","properties":{"x":1}},{"id":"/s/b"}]"#).unwrap();
    assert_eq!((chain[0].id.as_str(), chain[0].name.as_str(), chain[1].name.as_str()), ("/s/a", "a", ""));
    for text in [r#"[{"name":"a"}]"#, r#"{"id":"/s/a"}"#, r#"[{"id":5}]"#, "nope"] {
        assert_eq!(chain_from_json(text).unwrap_err().code, ErrorCode::InvalidJson, "{text}");
    }
}

#[test]
fn a_long_blob_is_listed_in_at_most_64_windows_of_whole_multiples_of_the_minimum() {
    use azure_incremental_snapshots::blob::diff::MAX_WINDOWS;
    const GIB: u64 = 1 << 30;
    for (length, expected_window) in [(2 * GIB + 512, GIB), (64 * GIB, GIB), (512 * GIB + 512, 9 * GIB)] {
        let mut m = DiffListing::new(&src_url("s"), None, DiffOptions::default()).unwrap();
        let Poll::Send(batch) = m.poll(0) else { panic!("a HEAD first") };
        m.on_response(batch[0].id, Ok(resp(200, &[("Content-Length", &length.to_string())], "")), 0);
        let Poll::Send(batch) = m.poll(0) else { panic!("a window") };
        let range = batch[0].request.headers.iter().find(|(k, _)| *k == "x-ms-range").map(|(_, v)| v.clone()).unwrap();
        assert_eq!(range, format!("bytes=0-{}", expected_window.min(length) - 1), "length {length}");
        assert!(length.div_ceil(expected_window) <= MAX_WINDOWS);
    }
}
