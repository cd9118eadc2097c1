// The SAS-level differential copy of the built package (listPageRangeDiff, copyPageRanges) over
// real HTTP against the emulator's Blob service: byte-exact targets over random histories,
// chunking, target sizing, faults, abort and resume, refusals, hostile options, and secrets.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBlob, rng, req } from "../emulator/blob-helpers.mjs";
import { loadPackage } from "./load-package.mjs";

const KiB = 1024;
const MiB = 1024 * KiB;
let lib;

before(async () => {
  lib = await loadPackage();
});

/** A fetch that records every request (method, URL, headers) and checks none is authorized. */
function recorder() {
  const log = [];
  const fetchFn = (request) => {
    const headers = Object.fromEntries(request.headers);
    log.push({ method: request.method, url: request.url, headers, at: Date.now() });
    assert.equal(headers.authorization, undefined, "no Authorization header on a blob request");
    return fetch(request);
  };
  return { log, fetch: fetchFn };
}
const copies = (log) => log.filter((r) => r.method === "PUT" && r.headers["x-ms-copy-source"]);
const clears = (log) => log.filter((r) => r.method === "PUT" && r.headers["x-ms-page-write"] === "clear");
const sigOf = (url) => new URL(url).searchParams.get("sig");

/** Asserts `promise` rejects with `code`, and that no signature of `urls` is in the error. */
async function rejects(promise, code, urls = []) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, `rejected with an Error (${code})`);
  assert.equal(err.code, code, `${err.code}: ${err.message}`);
  const text = `${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${JSON.stringify(err.violations ?? [])}`;
  for (const u of urls) {
    const sig = sigOf(u);
    if (sig) {
      assert.ok(!text.includes(sig), `no signature in the error: ${err.message}`);
      assert.ok(!text.includes(encodeURIComponent(sig)), "no encoded signature in the error");
    }
  }
  return err;
}

/** A family with a random history: writes and clears between `snaps` snapshots. */
function randomFamily(svc, seed, { size = 2 * MiB + 512, snaps = 4, ops = 12 } = {}) {
  const rand = rng(seed);
  const fam = `fam-${seed}-${Math.floor(rand() * 1e9)}`;
  svc.createFamily(fam, size);
  const pages = size / 512;
  const times = [];
  for (let s = 0; s < snaps; s++) {
    for (let i = 0; i < ops; i++) {
      const n = 1 + Math.floor(rand() * 300);
      const at = Math.floor(rand() * (pages - n));
      if (rand() < 0.7) {
        const buf = Buffer.alloc(n * 512);
        for (let b = 0; b < buf.length; b += 7) buf[b] = Math.floor(rand() * 256);
        svc.writePages(fam, at * 512, buf);
      } else svc.clearPages(fam, at * 512, n * 512);
    }
    if (s === 0) svc.writePages(fam, size - 512, Buffer.from("conectix".padEnd(512, "\0")));
    times.push(svc.snapshot(fam));
  }
  const urls = times.map((snapshot) => svc.grant({ blob: fam, snapshot }));
  return { fam, times, urls, size };
}

const same = (a, b, msg) => assert.ok(Buffer.compare(a, b) === 0, msg);

for (const seed of [1, 7, 42]) {
  test(`full then diff copies over a random history are byte-exact (seed ${seed})`, async (t) => {
    const { svc } = await startBlob(t);
    const { fam, times, urls } = randomFamily(svc, seed);
    const target = svc.targetUrl("backup", "disks", `t${seed}`);
    const rec = recorder();
    const progress = [];
    for (let i = 0; i < urls.length; i++) {
      const res = await lib.copyPageRanges({
        sourceUrl: urls[i],
        previousUrl: i ? urls[i - 1] : undefined,
        targetUrl: target,
        snapshotTarget: true,
        chunkBytes: 64 * KiB,
        concurrency: 4,
        fetch: rec.fetch,
        onProgress: (p) => progress.push(p),
      });
      assert.equal(res.contentLength, svc.properties(fam).size);
      assert.equal(typeof res.targetSnapshot, "string");
      same(svc.read(target), svc.read(fam, times[i]), `target equals snapshot ${i}`);
      same(svc.read(target, res.targetSnapshot), svc.read(fam, times[i]), `target snapshot ${i}`);
      // The listing agrees with the service's own page list.
      const diff = await lib.listPageRangeDiff(urls[i], { previousUrl: i ? urls[i - 1] : undefined, fetch: rec.fetch });
      const want = svc.pageList(fam, { snapshot: times[i], prevSnapshot: i ? times[i - 1] : undefined });
      assert.deepEqual(
        diff.ranges,
        want.map((r) => ({ start: r.start, end: r.end, cleared: r.kind === "clear" })),
      );
      const changed = diff.ranges.filter((r) => !r.cleared).reduce((n, r) => n + r.end - r.start + 1, 0);
      assert.ok(res.copiedBytes >= changed && res.copiedBytes <= changed + 512, "copied = changed (+ footer)");
    }
    for (const c of copies(rec.log)) {
      assert.equal(c.headers["x-ms-range"], c.headers["x-ms-source-range"], "source range = target range");
      const [a, b] = c.headers["x-ms-range"].slice(6).split("-").map(Number);
      assert.ok(b - a + 1 <= 64 * KiB && a % 512 === 0 && (b + 1) % 512 === 0);
    }
    assert.ok(clears(rec.log).length > 0, "clears were sent as Put Page clear");
    assert.ok(progress.some((p) => p.phase === "copying") && progress.at(-1).phase === "done");
    assert.deepEqual(Object.keys(progress[0]).sort(), ["chunksDone", "chunksTotal", "phase"]);
  });
}

test("chunk boundaries: ≤ 4 MiB Put Page From URL, exact at 4 MiB and one page past", async (t) => {
  const { svc } = await startBlob(t);
  const size = 16 * MiB + 512;
  svc.createFamily("f", size);
  svc.writePages("f", 0, Buffer.alloc(4 * MiB, 1)); // exactly one chunk
  svc.writePages("f", 6 * MiB, Buffer.alloc(4 * MiB + 512, 2)); // one chunk and one page
  svc.writePages("f", size - 512, Buffer.alloc(512, 3)); // the footer
  const snap = svc.snapshot("f");
  const url = svc.grant({ blob: "f", snapshot: snap });
  const target = svc.targetUrl("acct", "ctr", "b");
  const rec = recorder();
  const res = await lib.copyPageRanges({ sourceUrl: url, targetUrl: target, fetch: rec.fetch });
  const ranges = copies(rec.log)
    .map((c) => c.headers["x-ms-range"])
    .sort();
  assert.deepEqual(
    ranges.sort(),
    [
      `bytes=0-${4 * MiB - 1}`,
      `bytes=${10 * MiB}-${10 * MiB + 511}`,
      `bytes=${16 * MiB}-${16 * MiB + 511}`,
      `bytes=${6 * MiB}-${10 * MiB - 1}`,
    ].sort(),
  );
  assert.equal(res.copiedBytes, 8 * MiB + 1024);
  assert.equal(res.clearedBytes, 0);
  same(svc.read(target), svc.read("f", snap));
});

test("target sizing: absent is created, smaller is grown, larger is refused with nothing written", async (t) => {
  const { svc } = await startBlob(t);
  const { fam, times, urls, size } = randomFamily(svc, 3, { snaps: 1 });
  // absent
  const a = svc.targetUrl("acct", "ctr", "absent");
  await lib.copyPageRanges({ sourceUrl: urls[0], targetUrl: a });
  assert.equal(svc.properties(a).size, size);
  same(svc.read(a), svc.read(fam, times[0]));
  // smaller
  const s = svc.targetUrl("acct", "ctr", "smaller");
  const put = await req(s, {
    method: "PUT",
    headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": "1024", "Content-Length": "0" },
  });
  assert.equal(put.status, 201);
  await lib.copyPageRanges({ sourceUrl: urls[0], targetUrl: s });
  assert.equal(svc.properties(s).size, size);
  same(svc.read(s), svc.read(fam, times[0]));
  // larger
  const l = svc.targetUrl("acct", "ctr", "larger");
  await req(l, {
    method: "PUT",
    headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": String(size + 4096), "Content-Length": "0" },
  });
  const rec = recorder();
  const err = await rejects(
    lib.copyPageRanges({ sourceUrl: urls[0], targetUrl: l, fetch: rec.fetch }),
    "INVALID_ARGUMENT",
    [urls[0], l],
  );
  assert.equal(err.field, "targetUrl");
  assert.deepEqual(
    rec.log.filter((r) => r.method === "PUT"),
    [],
    "nothing written",
  );
  assert.equal(svc.properties(l).bytesHeld, 0);
});

test("faults: 503 with Retry-After, dropped connections and a hung request are retried", async (t) => {
  const { svc } = await startBlob(t);
  const { fam, times, urls } = randomFamily(svc, 11, { snaps: 2 });
  const target = svc.targetUrl("acct", "ctr", "faults");
  svc.addFault({ route: "PUT comp=page", kind: "throttle", retryAfter: 1, count: 1 });
  svc.addFault({ route: "GET comp=pagelist", kind: "drop", count: 1 });
  svc.addFault({ route: "HEAD *", kind: "hang", count: 1 });
  const started = Date.now();
  await lib.copyPageRanges({ sourceUrl: urls[0], targetUrl: target, requestTimeoutMs: 300, retryDelayMs: 10 });
  assert.ok(Date.now() - started >= 1000, "the Retry-After was waited out");
  same(svc.read(target), svc.read(fam, times[0]));
  svc.addFault({ route: "PUT comp=page", kind: "status", status: 500, count: 2 });
  await lib.copyPageRanges({ sourceUrl: urls[1], previousUrl: urls[0], targetUrl: target, retryDelayMs: 10 });
  same(svc.read(target), svc.read(fam, times[1]));
  assert.equal(svc.faults.length, 0, "every fault fired");
  // Bounded: a fault that never ends is an error after maxRetries.
  svc.addFault({ route: "PUT comp=page", kind: "status", status: 503, count: -1 });
  const err = await rejects(
    lib.copyPageRanges({ sourceUrl: urls[1], previousUrl: urls[0], targetUrl: target, retryDelayMs: 1, maxRetries: 2 }),
    "ARM_ERROR",
    [urls[0], urls[1], target],
  );
  assert.equal(err.status, 503);
});

test("abort mid-copy, then resume from the last checkpoint with freshly granted URLs", async (t) => {
  const { svc } = await startBlob(t);
  const size = 4 * MiB + 512;
  svc.createFamily("f", size);
  for (let i = 0; i < 64; i++) svc.writePages("f", i * 64 * KiB, Buffer.alloc(32 * KiB, i + 1));
  const snap = svc.snapshot("f");
  const source = svc.grant({ blob: "f", snapshot: snap });
  const target = svc.targetUrl("acct", "ctr", "resume");
  svc.addFault({ route: "PUT comp=page", kind: "latency", ms: 15, count: -1 });
  const ac = new AbortController();
  const rec = recorder();
  let last;
  let seen = 0;
  const concurrency = 3;
  await rejects(
    lib.copyPageRanges({
      sourceUrl: source,
      targetUrl: target,
      chunkBytes: 64 * KiB,
      concurrency,
      fetch: rec.fetch,
      signal: ac.signal,
      onCheckpoint: (cp) => {
        assert.equal(JSON.stringify(cp).includes(sigOf(source)), false, "no signature in a checkpoint");
        last = structuredClone(cp);
        if (++seen === 4) ac.abort();
      },
    }),
    "ABORTED",
    [source, target],
  );
  const abortedAt = rec.log.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(rec.log.length, abortedAt, "nothing sent after the abort");
  assert.ok(last && last.doneBelow + last.doneAbove.length > 0);
  const firstRun = new Set(copies(rec.log).map((c) => c.headers["x-ms-range"]));
  // Fresh URLs of the same blobs (the old ones revoked).
  svc.revoke(source);
  const source2 = svc.grant({ blob: "f", snapshot: snap });
  const target2 = svc.targetUrl("acct", "ctr", "resume");
  const rec2 = recorder();
  const res = await lib.copyPageRanges({
    sourceUrl: source2,
    targetUrl: target2,
    checkpoint: last,
    chunkBytes: 64 * KiB,
    concurrency,
    fetch: rec2.fetch,
  });
  same(svc.read(target), svc.read("f", snap));
  const second = copies(rec2.log).map((c) => c.headers["x-ms-range"]);
  const totalChunks = 65; // 64 written runs + the footer
  assert.equal(second.length, totalChunks - last.doneBelow - last.doneAbove.length, "only unfinished chunks");
  const resent = second.filter((r) => firstRun.has(r)).length;
  assert.ok(resent <= 2 * concurrency, `re-sent ${resent} chunks: at most those in flight or unrecorded`);
  assert.equal(res.copiedBytes, 64 * 32 * KiB + 512);
  // A checkpoint of other blobs is refused before any request.
  const other = svc.targetUrl("acct", "ctr", "other");
  const rec3 = recorder();
  const err = await rejects(
    lib.copyPageRanges({ sourceUrl: source2, targetUrl: other, checkpoint: last, fetch: rec3.fetch }),
    "INVALID_ARGUMENT",
    [source2, other],
  );
  assert.equal(err.field, "checkpoint");
  assert.equal(rec3.log.length, 0);
  await rejects(
    lib.copyPageRanges({ sourceUrl: source2, targetUrl: target2, checkpoint: { version: 1 } }),
    "INVALID_JSON",
  );
});

test("listPageRangeDiff: refusals before any request, valid ranges without previousUrl, NextMarker followed", async (t) => {
  const { svc } = await startBlob(t);
  const size = 24000 * 512;
  svc.createFamily("a", size);
  svc.createFamily("b", 1024 * 512);
  // 11,000 separate ranges: more than one page of the list (10,000 a page).
  for (let p = 0; p < 11000; p++) svc.writePages("a", p * 2 * 512, Buffer.alloc(512, 1));
  const sa = svc.snapshot("a");
  svc.writePages("b", 0, Buffer.alloc(512, 1));
  const sb = svc.snapshot("b");
  const ua = svc.grant({ blob: "a", snapshot: sa });
  const ub = svc.grant({ blob: "b", snapshot: sb });
  const rec = recorder();
  const err = await rejects(lib.listPageRangeDiff(ua, { previousUrl: ub, fetch: rec.fetch }), "INVALID_ARGUMENT", [
    ua,
    ub,
  ]);
  assert.equal(err.field, "previousUrl");
  assert.equal(rec.log.length, 0, "no request");
  const all = await lib.listPageRangeDiff(ua, { fetch: rec.fetch });
  assert.equal(all.contentLength, size);
  assert.equal(all.ranges.length, 11000);
  assert.deepEqual(all.ranges[10999], { start: 10999 * 1024, end: 10999 * 1024 + 511, cleared: false });
  assert.ok(rec.log.filter((r) => r.url.includes("marker=")).length >= 1, "followed NextMarker");
  const part = await lib.listPageRangeDiff(ua, { range: { start: 1024, end: 4095 } });
  assert.deepEqual(part.ranges, [
    { start: 1024, end: 1535, cleared: false },
    { start: 2048, end: 2559, cleared: false },
    { start: 3072, end: 3583, cleared: false },
  ]);
  await rejects(lib.listPageRangeDiff(ua, { range: { start: 1, end: 511 } }), "INVALID_ARGUMENT", [ua]);
  const offLoopback = ua.replace("http://127.0.0.1", "http://example.com");
  await rejects(lib.listPageRangeDiff(offLoopback), "UNTRUSTED_URL", [ua]);
  await rejects(lib.listPageRangeDiff(ua, { xMsVersion: "2018-11-09" }), "INVALID_ARGUMENT", [ua]);
});

test("errors never carry a signature: revoked source, missing blob, bad URLs", async (t) => {
  const { svc } = await startBlob(t);
  const { fam, times, urls } = randomFamily(svc, 5, { snaps: 3 });
  const target = svc.targetUrl("acct", "ctr", "errs");
  svc.revoke(urls[1]);
  const e1 = await rejects(lib.copyPageRanges({ sourceUrl: urls[1], targetUrl: target }), "FORBIDDEN", [
    urls[1],
    target,
  ]);
  assert.equal(e1.status, 403);
  await rejects(lib.listPageRangeDiff(urls[1], { previousUrl: urls[0] }), "FORBIDDEN", urls);
  svc.deleteSnapshot(fam, times[2]);
  await rejects(lib.listPageRangeDiff(urls[2]), "NOT_FOUND", [urls[2]]);
  const withFragment = `${urls[0]}#x`;
  await rejects(lib.copyPageRanges({ sourceUrl: withFragment, targetUrl: target }), "INVALID_ARGUMENT", [
    urls[0],
    target,
  ]);
  await rejects(lib.copyPageRanges({ sourceUrl: urls[0], targetUrl: urls[0] }), "INVALID_ARGUMENT", [urls[0]]);
});

test("hostile options: throwing getters, Proxies, wrong types, callbacks that throw or never settle", async (t) => {
  const { svc } = await startBlob(t);
  const { urls } = randomFamily(svc, 9, { snaps: 1 });
  const target = svc.targetUrl("acct", "ctr", "hostile");
  const rec = recorder();
  const base = { sourceUrl: urls[0], targetUrl: target, fetch: rec.fetch };
  const getter = Object.defineProperty({ ...base }, "concurrency", {
    enumerable: true,
    get() {
      throw new Error("boom");
    },
  });
  await rejects(lib.copyPageRanges(getter), "INVALID_ARGUMENT", urls);
  const trap = new Proxy(base, {
    ownKeys() {
      throw new Error("trap");
    },
  });
  await rejects(lib.copyPageRanges(trap), "INVALID_ARGUMENT", urls);
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  await rejects(lib.copyPageRanges(proxy), "INVALID_ARGUMENT");
  await rejects(lib.listPageRangeDiff(urls[0], proxy), "INVALID_ARGUMENT", urls);
  for (const [k, v] of [
    ["concurrency", "8"],
    ["concurrency", 0],
    ["concurrency", 65],
    ["sourceUrl", 5],
    ["signal", {}],
    ["signal", Object.create(AbortSignal.prototype)],
    ["fetch", "fetch"],
    ["onCheckpoint", 1],
    ["snapshotTarget", "yes"],
    ["chunkBytes", 4 * MiB + 512],
    ["checkpoint", 7],
    ["concurency", 2],
  ]) {
    const e = await rejects(
      lib.copyPageRanges({ ...base, [k]: v }),
      k === "checkpoint" ? "INVALID_JSON" : "INVALID_ARGUMENT",
      urls,
    );
    assert.ok(e.message.length > 0);
  }
  await rejects(lib.copyPageRanges(), "INVALID_ARGUMENT");
  await rejects(lib.copyPageRanges("x"), "INVALID_ARGUMENT");
  await rejects(lib.listPageRangeDiff(42), "INVALID_ARGUMENT");
  await rejects(lib.listPageRangeDiff(urls[0], { range: { start: "0", end: 511 } }), "INVALID_ARGUMENT", urls);
  assert.equal(rec.log.length, 0, "no request for bad options");
  // A throwing onCheckpoint: a typed error with the caller's error as cause.
  const boom = new Error("persist failed");
  const e = await rejects(
    lib.copyPageRanges({
      ...base,
      onCheckpoint: () => {
        throw boom;
      },
    }),
    "INVALID_ARGUMENT",
    urls,
  );
  assert.equal(e.field, "onCheckpoint");
  assert.equal(e.cause, boom);
  const e2 = await rejects(
    lib.copyPageRanges({ ...base, onProgress: () => Promise.reject(boom) }),
    "INVALID_ARGUMENT",
    urls,
  );
  assert.equal(e2.field, "onProgress");
  // One that never settles: the signal still ends the call.
  const ac = new AbortController();
  const p = lib.copyPageRanges({
    ...base,
    signal: ac.signal,
    onCheckpoint: () => {
      setTimeout(() => ac.abort(), 20);
      return new Promise(() => {});
    },
  });
  await rejects(p, "ABORTED", urls);
  // An already aborted signal: nothing sent.
  const n = rec.log.length;
  await rejects(lib.copyPageRanges({ ...base, signal: AbortSignal.abort() }), "ABORTED", urls);
  await rejects(lib.listPageRangeDiff(urls[0], { signal: AbortSignal.abort(), fetch: rec.fetch }), "ABORTED", urls);
  assert.equal(rec.log.length, n);
  // A fetch that gives no Response, or throws.
  await rejects(lib.listPageRangeDiff(urls[0], { fetch: () => ({ status: 200 }) }), "INVALID_RESPONSE", urls);
  await rejects(
    lib.listPageRangeDiff(urls[0], {
      maxRetries: 0,
      fetch: () => {
        throw new Error(`no network for ${urls[0]}`);
      },
    }),
    "NETWORK",
    urls,
  );
});
