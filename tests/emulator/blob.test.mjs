// The Blob page-blob service of the emulator (emulator/blob/), over raw fetch on loopback:
// response shapes against the recordings, diffs against a reference model, paging and
// windows, Put Page (From URL), SAS checks, faults, and sparse storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  startBlob,
  req,
  withQuery,
  netRecording,
  netBody,
  jsDiffBody,
  parsePageList,
  rng,
  PageModel,
  expand,
} from "./blob-helpers.mjs";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const SNAP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const ETAG_RE = /^"0x[0-9A-F]{15,16}"$/;
const MiB = 1024 * 1024;
const TiB = 1024 ** 4;
const pages = (n, fill) => Buffer.alloc(512 * n, fill);
const errorCode = (r) => /<Code>([^<]*)<\/Code>/.exec(r.text)?.[1];
/** Header names of a recorded response that every answer of ours must carry too. */
const recordedNames = (e, skip = []) =>
  Object.keys(e.ResponseHeaders)
    .map((k) => k.toLowerCase())
    .filter((k) => !["date", "transfer-encoding", "x-ms-client-request-id", ...skip].includes(k));

async function family(t, size = 4 * MiB, opts) {
  const env = await startBlob(t, opts);
  env.svc.createFamily("fam", size);
  return env;
}

test("handle leaves other paths alone; unknown comp, verb and URI answer Blob errors", async (t) => {
  const { svc, origin } = await family(t);
  assert.equal((await req(`${origin}/subscriptions`)).status, 404); // our server's fallback
  const url = svc.grant({ blob: "fam" });
  let r = await req(withQuery(url, "comp=blocklist"));
  assert.equal(r.status, 400);
  assert.equal(r.headers.get("x-ms-error-code"), "InvalidQueryParameterValue");
  r = await req(url, { method: "DELETE" });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get("x-ms-error-code"), "UnsupportedHttpVerb");
  r = await req(`${origin}/blob/md-x.z1.blob.storage.azure.net/c`);
  assert.equal(r.headers.get("x-ms-error-code"), "InvalidUri");
  assert.equal(r.status, 400);
});

test("diff: the recorded response shape (headers, BOM, XML declaration, interleaved ranges)", async (t) => {
  const { svc } = await family(t);
  const rec = netRecording("CanDiffPagesBetweenSnapshots")[0];
  svc.writePages("fam", 0, pages(8, 1));
  const s1 = svc.snapshot("fam");
  svc.writePages("fam", 512, pages(1, 2));
  svc.clearPages("fam", 2048, 1024);
  svc.writePages("fam", 3584, pages(1, 3));
  const s2 = svc.snapshot("fam");
  const older = svc.grant({ blob: "fam", snapshot: s1 });
  const newer = svc.grant({ blob: "fam", snapshot: s2 });
  // the URLs have the recorded query layout: snapshot, sv, sr=bs, si (64 hex), sig
  const q = [...new URL(newer).searchParams.keys()];
  assert.deepEqual(q, ["snapshot", "sv", "sr", "si", "sig"]);
  assert.match(new URL(newer).searchParams.get("si"), /^[0-9a-f]{64}$/);
  assert.match(
    new URL(newer).pathname,
    /^\/blob\/md-[a-z0-9]{12}\.z\d{2}\.blob\.storage\.azure\.net\/[a-z0-9]{12}\/abcd$/,
  );
  const r = await req(withQuery(newer, "comp=pagelist"), {
    headers: { "x-ms-previous-snapshot-url": older, "x-ms-client-request-id": "abc" },
    version: rec.RequestHeaders["x-ms-version"],
  });
  assert.equal(r.status, rec.StatusCode);
  for (const k of recordedNames(rec)) assert.ok(r.headers.has(k), `header ${k}`);
  assert.equal(r.headers.get("content-type"), rec.ResponseHeaders["Content-Type"]);
  assert.equal(r.headers.get("transfer-encoding"), "chunked");
  assert.equal(r.headers.get("x-ms-blob-content-length"), String(4 * MiB));
  assert.equal(r.headers.get("x-ms-version"), "2021-04-10");
  assert.equal(r.headers.get("x-ms-client-request-id"), "abc");
  assert.match(r.headers.get("etag"), ETAG_RE);
  assert.deepEqual(r.bytes.subarray(0, 3), BOM);
  const recorded = netBody(rec);
  assert.equal(r.text.slice(0, recorded.indexOf("<PageList>")), recorded.slice(0, recorded.indexOf("<PageList>")));
  assert.equal(
    r.text,
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<PageList><PageRange><Start>512</Start><End>1023</End></PageRange>' +
      "<ClearRange><Start>2048</Start><End>3071</End></ClearRange><PageRange><Start>3584</Start><End>4095</End></PageRange></PageList>",
  );
  // the recorded body parses the same way (interleaved, no NextMarker on md hosts)
  const parsed = parsePageList(recorded);
  assert.equal(parsed.nextMarker, undefined);
  assert.equal(parsed.elements.filter((e) => e.kind === "clear").length, 2);
});

test("the JS recording's history, replayed over REST on an ordinary account, gives its exact body", async (t) => {
  const { svc } = await startBlob(t);
  const url = svc.targetUrl("fakestorageaccount", "container1", "blob1");
  const v = { version: "2019-07-07" };
  let r = await req(url, {
    method: "PUT",
    headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "1024" },
    ...v,
  });
  assert.equal(r.status, 201);
  assert.match(r.headers.get("etag"), ETAG_RE);
  assert.equal(r.headers.get("x-ms-request-server-encrypted"), "true");
  r = await req(url, v);
  assert.equal(r.status, 200);
  assert.deepEqual(r.bytes, Buffer.alloc(1024));
  assert.equal(r.headers.get("x-ms-blob-type"), "PageBlob");
  assert.equal(r.headers.get("x-ms-lease-state"), "available");
  const put = (range, body, mode = "update") =>
    req(withQuery(url, "comp=page"), {
      method: "PUT",
      headers: { "x-ms-page-write": mode, "x-ms-range": range },
      body,
      ...v,
    });
  r = await put("bytes=0-1023", Buffer.alloc(1024, "b"));
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("x-ms-blob-sequence-number"), "0");
  r = await req(withQuery(url, "comp=snapshot"), { method: "PUT", ...v });
  assert.equal(r.status, 201);
  const snap = r.headers.get("x-ms-snapshot");
  assert.match(snap, SNAP_RE);
  assert.equal(r.headers.get("x-ms-request-server-encrypted"), "false");
  assert.equal((await put("bytes=0-511", Buffer.alloc(512, "a"))).status, 201);
  assert.equal((await put("bytes=512-1023", undefined, "clear")).status, 201);
  // the older snapshot by prevsnapshot (an ordinary account), then by URL
  r = await req(withQuery(url, `comp=pagelist&prevsnapshot=${encodeURIComponent(snap)}`), v);
  assert.equal(r.status, 200);
  assert.equal(r.text, jsDiffBody());
  assert.equal(r.headers.get("x-ms-blob-content-length"), "1024");
  assert.deepEqual(
    svc.read({ account: "fakestorageaccount", container: "container1", blob: "blob1" }, snap),
    Buffer.alloc(1024, "b"),
  );
  assert.deepEqual(
    svc.read({ account: "fakestorageaccount", container: "container1", blob: "blob1" }),
    Buffer.concat([Buffer.alloc(512, "a"), Buffer.alloc(512)]),
  );
});

test("416 InvalidRange for a window past the end: the recorded error body, byte for byte in length", async (t) => {
  const { svc } = await family(t, 136367309312);
  const rec = netRecording("GetManagedDiskPageRangesDiffAsync_Error")[0];
  const url = svc.grant({ blob: "fam", snapshot: svc.snapshot("fam") });
  const r = await req(withQuery(url, "comp=pagelist"), { headers: { "x-ms-range": rec.RequestHeaders["x-ms-range"] } });
  assert.equal(r.status, 416);
  for (const k of recordedNames(rec)) assert.ok(r.headers.has(k), `header ${k}`);
  assert.equal(r.headers.get("x-ms-error-code"), "InvalidRange");
  assert.equal(r.headers.get("content-length"), rec.ResponseHeaders["Content-Length"]);
  const norm = (s) => s.replace(/RequestId:[^\n]*/, "RequestId:X").replace(/Time:[^<]*/, "Time:T");
  assert.equal(norm(r.text), norm(netBody(rec)));
  assert.match(r.text, /Time:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z</);
  // bad windows: end before start, malformed
  let w = await req(withQuery(url, "comp=pagelist"), { headers: { "x-ms-range": "bytes=1024-0" } });
  assert.equal(w.status, 416);
  w = await req(withQuery(url, "comp=pagelist"), { headers: { "x-ms-range": "bytes=abc" } });
  assert.equal(w.status, 400);
  assert.equal(w.headers.get("x-ms-error-code"), "InvalidHeaderValue");
});

test("conditional diffs: the recorded 304/412 and passing conditions", async (t) => {
  let clock = Date.parse("2021-08-05T20:45:00Z");
  const { svc } = await family(t, 4 * MiB, { now: () => clock });
  const s1 = svc.snapshot("fam");
  clock += 60000;
  const s2 = svc.snapshot("fam");
  const older = svc.grant({ blob: "fam", snapshot: s1 });
  const newer = svc.grant({ blob: "fam", snapshot: s2 });
  const head = await req(newer, { method: "HEAD" });
  const etag = head.headers.get("etag");
  const diff = (headers) =>
    req(withQuery(newer, "comp=pagelist"), {
      headers: { "x-ms-previous-snapshot-url": older, "x-ms-range": "bytes=0-1023", ...headers },
    });
  const fail = netRecording("GetManagedDiskPageRangesDiffAsync_AccessConditionsFail");
  const day = 86400000;
  const cases = [
    [{ "If-Modified-Since": new Date(clock + day).toUTCString() }, fail[0]],
    [{ "If-Unmodified-Since": new Date(clock - day).toUTCString() }, fail[1]],
    [{ "If-Match": '"garbage"' }, fail[2]],
    [{ "If-None-Match": etag.replace(/"/g, "") }, fail[4]],
  ];
  for (const [headers, rec] of cases) {
    const r = await diff(headers);
    assert.equal(r.status, rec.StatusCode, JSON.stringify(headers));
    assert.equal(r.headers.get("x-ms-error-code"), "ConditionNotMet");
    if (rec.StatusCode === 304) assert.equal(r.bytes.length, 0);
    else assert.equal(errorCode(r), "ConditionNotMet");
  }
  const pass = netRecording("GetManagedDiskPageRangesDiffAsync_AccessConditions");
  for (const headers of [
    {},
    { "If-Modified-Since": new Date(clock - day).toUTCString() },
    { "If-Unmodified-Since": new Date(clock + day).toUTCString() },
    { "If-Match": etag.replace(/"/g, "") },
    { "If-None-Match": '"garbage"' },
  ]) {
    const r = await diff(headers);
    assert.equal(r.status, 200, JSON.stringify(headers));
    assert.equal(r.text, netBody(pass[0])); // "\uFEFF<?xml …?>\n<PageList/>"
  }
});

test("Get Blob Properties and ranged Get Blob on a managed snapshot: the recorded headers", async (t) => {
  const { svc } = await family(t, 8 * MiB);
  const rec = netRecording("GetManagedDiskPageRangesDiffAsync_AccessConditionsFail")[3];
  const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 255));
  svc.writePages("fam", 4096, data);
  const snap = svc.snapshot("fam");
  const url = svc.grant({ blob: "fam", snapshot: snap });
  const h = await req(url, { method: "HEAD" });
  assert.equal(h.status, 200);
  for (const k of recordedNames(rec, ["content-md5", "x-ms-meta-pirtag"])) assert.ok(h.headers.has(k), `header ${k}`);
  assert.equal(h.headers.get("content-length"), String(8 * MiB));
  assert.equal(h.headers.get("x-ms-blob-type"), "PageBlob");
  assert.equal(h.headers.get("x-ms-incremental-copy"), "true");
  assert.equal(h.headers.get("x-ms-copy-destination-snapshot"), snap);
  assert.equal(h.headers.get("x-ms-blob-sequence-number"), "0");
  assert.match(h.headers.get("last-modified"), /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const get = netRecording("CanDiffPagesBetweenSnapshots")[1];
  let r = await req(url, { headers: { "x-ms-range": "bytes=4096-8191" } });
  assert.equal(r.status, get.StatusCode);
  for (const k of recordedNames(get, ["x-ms-blob-content-md5", "x-ms-meta-pirtag"]))
    assert.ok(r.headers.has(k), `header ${k}`);
  assert.equal(r.headers.get("content-range"), `bytes 4096-8191/${8 * MiB}`);
  assert.deepEqual(r.bytes, data);
  r = await req(url, { headers: { Range: "bytes=4000-4200" } });
  assert.equal(r.status, 206);
  assert.deepEqual(r.bytes, Buffer.concat([Buffer.alloc(96), data.subarray(0, 105)]));
  r = await req(url, { headers: { "x-ms-range": `bytes=${8 * MiB}-` } });
  assert.equal(r.status, 416);
  assert.equal(r.headers.get("content-range"), `bytes */${8 * MiB}`);
  r = await req(withQuery(url.replace(/snapshot=[^&]*/, `snapshot=${encodeURIComponent(snap)}`), ""), {
    method: "HEAD",
    headers: { "If-None-Match": h.headers.get("etag") },
  });
  assert.equal(r.status, 304);
});

test("diffs after random write/clear histories equal the reference model (every pair, paged, windowed)", async (t) => {
  const { svc } = await family(t, 256 * 512);
  for (const seed of [1, 2, 3]) {
    const id = `fam${seed}`;
    svc.createFamily(id, 256 * 512);
    const rand = rng(seed);
    const model = new PageModel();
    const snaps = [];
    for (let round = 0; round < 5; round++) {
      for (let op = 0; op < 12; op++) {
        const first = Math.floor(rand() * 250);
        const n = 1 + Math.floor(rand() * 6);
        if (rand() < 0.65) {
          svc.writePages(id, first * 512, pages(n, 1 + Math.floor(rand() * 250)));
          for (let p = first; p < first + n; p++) model.write(p);
        } else {
          svc.clearPages(id, first * 512, n * 512);
          for (let p = first; p < first + n; p++) model.clear(p);
        }
      }
      const time = svc.snapshot(id);
      snaps.push({ time, state: model.freeze(), url: svc.grant({ blob: id, snapshot: time }) });
    }
    const list = async (url, headers, maxresults) => {
      const out = [];
      let marker = "";
      for (let i = 0; i < 1000; i++) {
        let q = "comp=pagelist";
        if (maxresults) q += `&maxresults=${maxresults}`;
        if (marker) q += `&marker=${encodeURIComponent(marker)}`;
        const r = await req(withQuery(url, q), { headers });
        assert.equal(r.status, 200, r.text);
        const p = parsePageList(r.text);
        if (maxresults) assert.ok(p.elements.length <= maxresults);
        out.push(...p.elements);
        if (!p.nextMarker) return out;
        marker = p.nextMarker;
      }
      throw new Error("paging did not end");
    };
    for (let j = 0; j < snaps.length; j++) {
      const full = await list(snaps[j].url, {});
      assert.deepEqual(expand(full, assert), PageModel.full(snaps[j].state), `full list seed ${seed} snap ${j}`);
      for (let i = 0; i < j; i++) {
        const want = PageModel.diff(snaps[j].state, snaps[i].state);
        const headers = { "x-ms-previous-snapshot-url": snaps[i].url };
        const whole = await list(snaps[j].url, headers);
        assert.deepEqual(expand(whole, assert), want, `diff seed ${seed} ${i}→${j}`);
        const paged = await list(snaps[j].url, headers, 3);
        assert.deepEqual(paged, whole, "paged = unpaged");
        assert.deepEqual(svc.pageList(id, { snapshot: snaps[j].time, prevSnapshot: snaps[i].time }), whole);
        // windows of 40 pages, stitched
        const stitched = new Map();
        for (let w = 0; w < 256; w += 40) {
          const range = `bytes=${w * 512}-${Math.min(w + 40, 256) * 512 - 1}`;
          const part = await list(snaps[j].url, { ...headers, "x-ms-range": range });
          for (const e of part) assert.ok(e.start >= w * 512 && e.end < (w + 40) * 512, "inside the window");
          for (const [p, k] of expand(part, assert)) stitched.set(p, k);
        }
        assert.deepEqual(
          new Map([...stitched].sort((a, b) => a[0] - b[0])),
          new Map([...want].sort((a, b) => a[0] - b[0])),
        );
      }
    }
  }
});

test("paging: maxresults, opaque NextMarker, bad values 400, empty NextMarker on ordinary accounts", async (t) => {
  const { svc } = await family(t, 64 * 512);
  for (let p = 0; p < 64; p += 2) svc.writePages("fam", p * 512, pages(1, 9)); // 32 separate ranges
  const url = svc.grant({ blob: "fam", snapshot: svc.snapshot("fam") });
  let r = await req(withQuery(url, "comp=pagelist&maxresults=10"));
  let p = parsePageList(r.text);
  assert.equal(p.elements.length, 10);
  assert.ok(p.nextMarker && !/^\d+$/.test(p.nextMarker), "opaque marker");
  r = await req(withQuery(url, `comp=pagelist&maxresults=10&marker=${encodeURIComponent(p.nextMarker)}`));
  assert.equal(parsePageList(r.text).elements[0].start, 20 * 512);
  for (const bad of ["maxresults=0", "maxresults=-1", "maxresults=x", "marker=bm9wZQ"]) {
    r = await req(withQuery(url, `comp=pagelist&${bad}`));
    assert.equal(r.status, 400, bad);
    assert.equal(r.headers.get("x-ms-error-code"), "InvalidQueryParameterValue");
  }
  r = await req(withQuery(url, "comp=pagelist&maxresults=50000"));
  assert.equal(parsePageList(r.text).elements.length, 32);
  assert.equal(parsePageList(r.text).nextMarker, undefined);
  const target = svc.targetUrl("acct1", "backups", "b");
  await req(target, { method: "PUT", headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "512" } });
  r = await req(withQuery(target, "comp=pagelist"));
  assert.equal(r.text, '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<PageList><NextMarker/></PageList>');
});

test("diff errors: old x-ms-version, another blob's snapshot, a newer previous snapshot, a deleted one", async (t) => {
  const { svc } = await family(t);
  svc.createFamily("other", 4 * MiB);
  const s1 = svc.snapshot("fam");
  const s2 = svc.snapshot("fam");
  const o1 = svc.snapshot("other");
  const u1 = svc.grant({ blob: "fam", snapshot: s1 });
  const u2 = svc.grant({ blob: "fam", snapshot: s2 });
  const diff = (url, prev, version) =>
    req(withQuery(url, "comp=pagelist"), { headers: { "x-ms-previous-snapshot-url": prev }, version });
  let r = await diff(u2, u1, "2019-02-02");
  assert.equal(r.status, 400);
  assert.equal(r.headers.get("x-ms-error-code"), "UnsupportedHeader");
  assert.equal((await diff(u2, u1, "2019-07-07")).status, 200);
  r = await diff(u2, svc.grant({ blob: "other", snapshot: o1 }));
  assert.equal(r.status, 409);
  assert.equal(r.headers.get("x-ms-error-code"), "PreviousSnapshotNotFound");
  r = await diff(u1, u2);
  assert.equal(r.status, 400);
  assert.equal(r.headers.get("x-ms-error-code"), "PreviousSnapshotCannotBeNewer");
  r = await diff(u2, "not a url");
  assert.equal(r.headers.get("x-ms-error-code"), "InvalidHeaderValue");
  svc.revoke(u1);
  r = await diff(u2, u1);
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("x-ms-error-code"), "AuthenticationFailed");
  const u1b = svc.grant({ blob: "fam", snapshot: s1 });
  assert.ok(svc.deleteSnapshot("fam", s1));
  r = await diff(u2, u1b);
  assert.equal(r.headers.get("x-ms-error-code"), "PreviousSnapshotNotFound");
});

test("Put Page: update and clear, alignment 416, lengths 400, 4 MiB limit 413, missing headers 400", async (t) => {
  const { svc } = await family(t, 16 * MiB);
  const url = svc.grant({ blob: "fam", permissions: "rw" });
  const put = (headers, body) => req(withQuery(url, "comp=page"), { method: "PUT", headers, body });
  let r = await put({ "x-ms-page-write": "update", "x-ms-range": "bytes=1024-2047" }, pages(2, 5));
  assert.equal(r.status, 201);
  assert.match(r.headers.get("etag"), ETAG_RE);
  assert.equal(r.headers.get("content-md5").length, 24);
  assert.deepEqual(svc.read("fam", { offset: 1024, length: 1024 }), pages(2, 5));
  r = await put({ "x-ms-page-write": "clear", Range: "bytes=1024-1535" });
  assert.equal(r.status, 201);
  assert.deepEqual(svc.pageList("fam"), [{ kind: "page", start: 1536, end: 2047 }]);
  const cases = [
    [{ "x-ms-page-write": "update", "x-ms-range": "bytes=100-611" }, pages(1, 1), 416, "InvalidPageRange"],
    [{ "x-ms-page-write": "update", "x-ms-range": "bytes=0-510" }, Buffer.alloc(511), 416, "InvalidPageRange"],
    [{ "x-ms-page-write": "clear", "x-ms-range": "bytes=0-100" }, undefined, 416, "InvalidPageRange"],
    [
      { "x-ms-page-write": "update", "x-ms-range": `bytes=${16 * MiB}-${16 * MiB + 511}` },
      pages(1, 1),
      416,
      "InvalidPageRange",
    ],
    [{ "x-ms-page-write": "update", "x-ms-range": "bytes=0-1023" }, pages(1, 1), 400, "InvalidHeaderValue"],
    [{ "x-ms-page-write": "clear", "x-ms-range": "bytes=0-511" }, pages(1, 1), 400, "InvalidHeaderValue"],
    [{ "x-ms-page-write": "merge", "x-ms-range": "bytes=0-511" }, pages(1, 1), 400, "InvalidHeaderValue"],
    [{ "x-ms-range": "bytes=0-511" }, pages(1, 1), 400, "MissingRequiredHeader"],
    [{ "x-ms-page-write": "update" }, pages(1, 1), 400, "MissingRequiredHeader"],
    [
      { "x-ms-page-write": "update", "x-ms-range": "bytes=0-4194815" },
      Buffer.alloc(4 * MiB + 512),
      413,
      "RequestBodyTooLarge",
    ],
  ];
  for (const [headers, body, status, code] of cases) {
    r = await put(headers, body);
    assert.equal(r.status, status, JSON.stringify(headers));
    assert.equal(r.headers.get("x-ms-error-code"), code);
    assert.equal(errorCode(r), code);
  }
  r = await put({ "x-ms-page-write": "update", "x-ms-range": "bytes=0-4194303" }, Buffer.alloc(4 * MiB, 7));
  assert.equal(r.status, 201, "exactly 4 MiB is allowed");
  assert.equal(
    (await req(withQuery(url, `comp=page&snapshot=${encodeURIComponent(svc.snapshot("fam"))}`), { method: "PUT" }))
      .status,
    400,
  );
});

test("Put Page From URL copies bytes exactly at equal offsets, and checks ranges and the source SAS", async (t) => {
  const { svc } = await family(t, 32 * MiB);
  const rand = rng(7);
  const data = Buffer.from(Array.from({ length: 3 * MiB }, () => Math.floor(rand() * 256)));
  svc.writePages("fam", 5 * MiB, data);
  const snap = svc.snapshot("fam");
  const source = svc.grant({ blob: "fam", snapshot: snap });
  const target = svc.targetUrl("backupacct", "backups", "disk.vhd");
  assert.equal(
    (
      await req(target, {
        method: "PUT",
        headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": String(32 * MiB) },
      })
    ).status,
    201,
  );
  const copy = (src, dst, headers = {}) =>
    req(withQuery(target, "comp=page"), {
      method: "PUT",
      headers: {
        "x-ms-page-write": "update",
        "x-ms-copy-source": source,
        "x-ms-source-range": src,
        "x-ms-range": dst,
        ...headers,
      },
    });
  for (let off = 5 * MiB; off < 8 * MiB; off += MiB) {
    const r = await copy(`bytes=${off}-${off + MiB - 1}`, `bytes=${off}-${off + MiB - 1}`);
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get("etag"), ETAG_RE);
  }
  const ref = { account: "backupacct", container: "backups", blob: "disk.vhd" };
  assert.deepEqual(svc.read(ref, { offset: 5 * MiB, length: 3 * MiB }), data);
  assert.deepEqual(svc.read(ref, { offset: 0, length: 5 * MiB }), Buffer.alloc(5 * MiB));
  assert.deepEqual(svc.pageList(ref), [{ kind: "page", start: 5 * MiB, end: 8 * MiB - 1 }]);
  const bad = [
    [["bytes=0-1023", "bytes=0-511"], 400, "InvalidHeaderValue"],
    [["bytes=0-511", "bytes=1-512"], 416, "InvalidPageRange"],
    [[`bytes=0-${4 * MiB + 511}`, `bytes=0-${4 * MiB + 511}`], 400, "InvalidHeaderValue"],
    [[`bytes=${32 * MiB}-${32 * MiB + 511}`, "bytes=0-511"], 416, "CannotVerifyCopySource"],
  ];
  for (const [[src, dst], status, code] of bad) {
    const r = await copy(src, dst);
    assert.equal(r.status, status, `${src} ${dst}`);
    assert.equal(r.headers.get("x-ms-error-code"), code);
  }
  let r = await req(withQuery(target, "comp=page"), {
    method: "PUT",
    headers: { "x-ms-page-write": "update", "x-ms-copy-source": source, "x-ms-range": "bytes=0-511" },
  });
  assert.equal(r.headers.get("x-ms-error-code"), "MissingRequiredHeader");
  svc.revoke(source);
  r = await copy("bytes=0-511", "bytes=0-511");
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("x-ms-error-code"), "CannotVerifyCopySource");
  // the real-host form of the source URL resolves too
  const again = svc.grant({ blob: "fam", snapshot: snap });
  const real = again.replace(/^http:\/\/127\.0\.0\.1:\d+\/blob\//, "https://");
  r = await copy("bytes=0-511", "bytes=0-511", { "x-ms-copy-source": real });
  assert.equal(r.status, 201, r.text);
});

test("SAS: no SAS, bad signature, expired, revoked 403 AuthenticationFailed; writes with a read SAS 403", async (t) => {
  let clock = Date.parse("2025-05-01T02:00:00Z");
  const { svc, origin } = await family(t, 4 * MiB, { now: () => clock });
  const snap = svc.snapshot("fam");
  const url = svc.grant({ blob: "fam", snapshot: snap, expiresAt: clock + 60000 });
  assert.equal((await req(url, { method: "HEAD" })).status, 200);
  assert.equal(svc.openGrants("fam"), 1);
  const auth = async (u, method = "GET") => {
    const r = await req(u, { method });
    assert.equal(r.status, 403, u);
    assert.equal(r.headers.get("x-ms-error-code"), "AuthenticationFailed");
    if (method !== "HEAD") assert.match(r.text, /<AuthenticationErrorDetail>/);
  };
  await auth(url.split("?")[0]);
  await auth(`${origin}${new URL(url).pathname}?snapshot=${encodeURIComponent(snap)}`);
  await auth(url.replace(/sig=[^&]*/, "sig=AAAA"));
  await auth(url.replace(/snapshot=[^&]*&/, "")); // a snapshot SAS on the base blob
  await auth(url.replace(/sig=[^&]*/, "sig=BBBB"), "HEAD");
  const w = svc.grant({ blob: "fam", permissions: "r" });
  let r = await req(withQuery(w, "comp=page"), {
    method: "PUT",
    headers: { "x-ms-page-write": "update", "x-ms-range": "bytes=0-511" },
    body: pages(1, 1),
  });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("x-ms-error-code"), "AuthorizationPermissionMismatch");
  assert.throws(() => svc.grant({ blob: "fam", snapshot: snap, permissions: "rw" }), /snapshot SAS can only read/);
  clock += 60001;
  await auth(url);
  assert.equal(svc.openGrants("fam"), 1); // w is still open
  assert.ok(svc.revoke(w));
  assert.equal(svc.revoke(w), false);
  await auth(w);
  assert.equal(svc.openGrants("fam"), 0);
  const a = svc.grant({ blob: "fam" });
  const b = svc.grant({ blob: "fam" });
  assert.equal(svc.openGrants("fam"), 2);
  assert.ok(svc.revoke(new URL(a).searchParams.get("si")));
  assert.equal(svc.revokeAll("fam"), 1);
  await auth(b);
  // target SAS: tampered expiry or permissions break the signature
  const target = svc.targetUrl("acct1", "cont1", "x", { expiresAt: clock + 1000, permissions: "r" });
  await auth(target.replace(/sp=r/, "sp=racwd"));
});

test("Put Blob, Set Blob Properties and Snapshot Blob on an ordinary account", async (t) => {
  const { svc, origin } = await startBlob(t);
  const url = svc.targetUrl("acct2", "cont2", "dir/blob.vhd");
  const create = (headers) => req(url, { method: "PUT", headers: { "x-ms-blob-type": "PageBlob", ...headers } });
  let r = await create({ "x-ms-blob-content-length": "1000" });
  assert.equal(r.status, 400);
  assert.equal(r.headers.get("x-ms-error-code"), "InvalidHeaderValue");
  r = await req(url, { method: "PUT", headers: { "x-ms-blob-content-length": "1024" } });
  assert.equal(r.headers.get("x-ms-error-code"), "MissingRequiredHeader");
  r = await create({ "x-ms-blob-content-length": String(9 * TiB) });
  assert.equal(r.status, 400);
  assert.equal((await create({ "x-ms-blob-content-length": "1024", "If-None-Match": "*" })).status, 201);
  r = await create({ "x-ms-blob-content-length": "1024", "If-None-Match": "*" });
  assert.equal(r.status, 409);
  assert.equal(r.headers.get("x-ms-error-code"), "BlobAlreadyExists");
  // resize
  r = await req(withQuery(url, "comp=properties"), { method: "PUT", headers: { "x-ms-blob-content-length": "4096" } });
  assert.equal(r.status, 200);
  assert.equal((await req(url, { method: "HEAD" })).headers.get("content-length"), "4096");
  r = await req(withQuery(url, "comp=properties"), { method: "PUT", headers: { "x-ms-blob-content-length": "100" } });
  assert.equal(r.status, 400);
  // snapshots get distinct x-ms-snapshot values even within one millisecond
  const a = (await req(withQuery(url, "comp=snapshot"), { method: "PUT" })).headers.get("x-ms-snapshot");
  const b = (await req(withQuery(url, "comp=snapshot"), { method: "PUT" })).headers.get("x-ms-snapshot");
  assert.match(a, SNAP_RE);
  assert.notEqual(a, b);
  assert.deepEqual(svc.properties({ account: "acct2", container: "cont2", blob: "dir/blob.vhd" }).snapshots, [a, b]);
  // a missing container and a missing blob
  const other = svc.targetUrl("acct2", "cont3", "y");
  svc.hosts.get("acct2.blob.core.windows.net").containers.delete("cont3");
  assert.equal(
    (
      await req(other, { method: "PUT", headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "0" } })
    ).headers.get("x-ms-error-code"),
    "ContainerNotFound",
  );
  const missing = svc.targetUrl("acct2", "cont2", "nothing");
  r = await req(missing);
  assert.equal(r.status, 404);
  assert.equal(r.headers.get("x-ms-error-code"), "BlobNotFound");
  // a managed disk's blob is not created, resized or snapshotted through the Blob service
  svc.createFamily("f", 1024);
  const disk = svc.grant({ blob: "f", permissions: "rw" });
  assert.equal((await req(withQuery(disk, "comp=snapshot"), { method: "PUT" })).status, 409);
  assert.equal(
    (await req(disk, { method: "PUT", headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "1024" } }))
      .status,
    409,
  );
  assert.ok(origin);
});

test("a sparse 1 TiB family costs nothing until written", async (t) => {
  const before = process.memoryUsage().rss;
  const { svc } = await family(t, 4 * MiB);
  const size = TiB + 512;
  svc.createFamily("big", size);
  svc.writePages("big", 0, pages(8, 1));
  svc.writePages("big", 700 * 1024 ** 3, pages(1, 2));
  svc.writePages("big", size - 512, Buffer.from("conectix".padEnd(512, "\0")));
  const s1 = svc.snapshot("big");
  svc.clearPages("big", 0, 512 * 1024 * 1024 * 4); // a 2 GiB clear
  const s2 = svc.snapshot("big");
  assert.equal(svc.properties("big").bytesHeld, 10 * 512);
  const u1 = svc.grant({ blob: "big", snapshot: s1 });
  const u2 = svc.grant({ blob: "big", snapshot: s2 });
  const h = await req(u2, { method: "HEAD" });
  assert.equal(h.headers.get("content-length"), String(size));
  let r = await req(withQuery(u1, "comp=pagelist"));
  assert.deepEqual(parsePageList(r.text).elements, [
    { kind: "page", start: 0, end: 4095 },
    { kind: "page", start: 700 * 1024 ** 3, end: 700 * 1024 ** 3 + 511 },
    { kind: "page", start: size - 512, end: size - 1 },
  ]);
  r = await req(withQuery(u2, "comp=pagelist"), { headers: { "x-ms-previous-snapshot-url": u1 } });
  assert.deepEqual(parsePageList(r.text).elements, [{ kind: "clear", start: 0, end: 4095 }]);
  r = await req(u1, { headers: { "x-ms-range": `bytes=${size - 512}-${size - 505}` } });
  assert.equal(r.text, "conectix");
  assert.ok(process.memoryUsage().rss - before < 200 * MiB);
});

test("faults: 503/500/429 with Retry-After for N matching requests, drop, latency, hang", async (t) => {
  const { svc } = await family(t);
  const url = svc.grant({ blob: "fam", snapshot: svc.snapshot("fam") });
  svc.addFault({ route: "GET comp=pagelist", kind: "throttle", count: 2, retryAfter: 3 });
  assert.equal((await req(url, { method: "HEAD" })).status, 200, "other requests unaffected");
  for (let i = 0; i < 2; i++) {
    const r = await req(withQuery(url, "comp=pagelist"));
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "3");
    assert.equal(r.headers.get("x-ms-error-code"), "ServerBusy");
    assert.deepEqual(r.bytes.subarray(0, 3), BOM);
  }
  assert.equal((await req(withQuery(url, "comp=pagelist"))).status, 200);
  svc.addFault({ route: "GET", kind: "status", status: 500 });
  assert.equal((await req(url)).headers.get("x-ms-error-code"), "InternalError");
  svc.addFault({ route: "*", kind: "status", status: 429, retryAfter: 0, code: "TooManyRequests" });
  let r = await req(url);
  assert.equal(r.status, 429);
  assert.equal(r.headers.get("retry-after"), "0");
  assert.equal(svc.faults.length, 0);
  svc.addFault({ route: /HEAD \/blob\//, kind: "drop" });
  await assert.rejects(req(url, { method: "HEAD" }));
  svc.addFault({ route: "HEAD", kind: "latency", ms: 150 });
  const t0 = Date.now();
  assert.equal((await req(url, { method: "HEAD" })).status, 200);
  assert.ok(Date.now() - t0 >= 140);
  svc.addFault({ route: "GET", kind: "hang" });
  await assert.rejects(req(url, { signal: AbortSignal.timeout(300) }), /abort|timeout/i);
  assert.equal(svc.requests.at(-1).fault, "hang");
  assert.throws(() => svc.addFault({ kind: "explode" }), /kind/);
  assert.throws(() => svc.addFault({ kind: "hang", bogus: 1 }), /unknown/);
});
