// The ARM level of differential copy (ArmClient.getSnapshotChanges, replicateSnapshots) against
// the ARM emulator and its Blob service: refusals before any grant, every grant revoked on
// failure and on abort, and the success paths: the demo disk's diffs, byte-exact replication of a
// disk written by the test, at most two source grants, abort and resume, `from`, no token on blobs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage } from "./load-package.mjs";

const TOKEN = "arm-token-never-on-blob";
let lib;
let emu;

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({ port: 0, seed: "demo", retryAfterSeconds: 0, lroPolls: 1, logRequests: true });
});
after(async () => {
  await emu?.close();
});

/** A client whose fetch records every request and checks the token stays on ARM. */
function client() {
  const log = [];
  const fetchFn = (request) => {
    const auth = request.headers.get("authorization");
    log.push({ method: request.method, url: request.url, auth });
    if (!request.url.startsWith(emu.url)) assert.equal(auth, null, "no token off ARM");
    if (auth) assert.ok(request.url.startsWith(emu.url));
    return fetch(request);
  };
  const c = new lib.ArmClient({
    token: TOKEN,
    endpoint: emu.url,
    retryDelayMs: 5,
    pollIntervalMs: 5,
    completionPollMs: 5,
    maxRetries: 0,
    requestTimeoutMs: 3000,
    fetch: fetchFn,
  });
  return { c, log };
}
const grants = (log) => log.filter((r) => r.url.includes("/beginGetAccess")).length;
const revokes = (log) => log.filter((r) => r.url.includes("/endGetAccess")).length;

async function rejects(promise, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, `rejected (${code})`);
  assert.equal(err.code, code, `${err.code}: ${err.message}`);
  assert.ok(!`${err.message}${JSON.stringify(err)}`.includes(TOKEN), "no token in the error");
  assert.ok(
    !/sig=(?!\[redacted\])[A-Za-z0-9%]/.test(`${err.message}${JSON.stringify(err)}`),
    "no signature in the error",
  );
  return err;
}

async function chains() {
  const { c } = client();
  const [sub] = await c.listSubscriptions();
  const disks = await c.listDisks(`/subscriptions/${sub.subscriptionId}`);
  const out = [];
  for (const d of disks) {
    const chain = await c.listIncrementalSnapshots(d.id);
    if (chain.length) out.push({ disk: d, chain });
  }
  const all = await c.listSnapshots(`/subscriptions/${sub.subscriptionId}`);
  return { out, all };
}

test("getSnapshotChanges refuses pairs before any grant", async () => {
  const { out, all } = await chains();
  const withTwo = out.find((x) => x.chain.length >= 2);
  assert.ok(withTwo, "the demo seed has a disk with two incremental snapshots");
  const [older, newer] = withTwo.chain;
  const { c, log } = client();
  // Older not created first.
  let e = await rejects(c.getSnapshotChanges(older.id, newer.id), "INVALID_ARGUMENT");
  assert.match(e.field, /timeCreated/);
  // Two families.
  const other = out.find((x) => x !== withTwo);
  if (other) {
    e = await rejects(c.getSnapshotChanges(newer.id, other.chain[0].id), "INVALID_ARGUMENT");
    assert.match(e.field, /incremental|Family/i);
  }
  // Not incremental.
  const full = all.find((s) => !s.properties?.incremental);
  if (full) await rejects(c.getSnapshotChanges(newer.id, full.id), "INVALID_ARGUMENT");
  // Bad arguments.
  await rejects(c.getSnapshotChanges("not-an-id"), "INVALID_RESOURCE_ID");
  await rejects(c.getSnapshotChanges(newer.id, older.id, { signal: 1 }), "INVALID_ARGUMENT");
  await rejects(c.getSnapshotChanges(newer.id, older.id, { signal: 1 }), "INVALID_ARGUMENT");
  assert.equal(grants(log), 0, "no grant for a refused pair");
});

test("getSnapshotChanges revokes what it granted when the diff fails, and when aborted", async () => {
  const { out } = await chains();
  const { chain } = out.find((x) => x.chain.length >= 2);
  const [older, newer] = chain;
  const { c, log } = client();
  try {
    const r = await c.getSnapshotChanges(newer.id, older.id);
    // With the emulator's Blob service wired into beginGetAccess, the diff succeeds.
    assert.equal(typeof r.contentLength, "number");
    assert.equal(
      r.changedBytes + r.clearedBytes,
      r.ranges.reduce((n, x) => n + x.end - x.start + 1, 0),
    );
  } catch (e) {
    assert.ok(
      ["NETWORK", "TIMEOUT", "FORBIDDEN", "NOT_FOUND", "INVALID_ARGUMENT"].includes(e.code),
      `${e.code}: ${e.message}`,
    );
    assert.ok(!JSON.stringify(e).includes(TOKEN));
  }
  assert.equal(grants(log), 2);
  assert.equal(revokes(log), 2, "both grants revoked");
  // Aborted after the first grant: still revoked, with the revoke's own bounds.
  const { c: c2, log: log2 } = client();
  const ac = new AbortController();
  const p = c2.getSnapshotChanges(newer.id, older.id, { signal: ac.signal });
  const timer = setInterval(() => {
    if (grants(log2) >= 1) ac.abort();
  }, 1);
  await rejects(p, "ABORTED").finally(() => clearInterval(timer));
  assert.ok(grants(log2) >= 1);
  assert.equal(revokes(log2), grants(log2), "every grant revoked after the abort");
  const blob = log2.filter((r) => !r.url.startsWith(emu.url));
  assert.ok(blob.every((r) => r.auth === null));
});

test("replicateSnapshots refuses bad options and other chains before any grant, revokes on failure", async () => {
  const { out } = await chains();
  const { disk, chain } = out.find((x) => x.chain.length >= 2);
  const { c, log } = client();
  const targetUrl = "http://127.0.0.1:9/blob/acct.blob.core.windows.net/ctr/b?sv=1&sig=secretsig";
  await rejects(c.replicateSnapshots(disk.id), "INVALID_ARGUMENT");
  await rejects(c.replicateSnapshots(disk.id, { targetUrl: "http://example.com/c/b?sig=x" }), "UNTRUSTED_URL");
  await rejects(c.replicateSnapshots(disk.id, { targetUrl, form: "x" }), "INVALID_ARGUMENT");
  let e = await rejects(c.replicateSnapshots(disk.id, { targetUrl, from: "no-such-snapshot" }), "INVALID_ARGUMENT");
  assert.equal(e.field, "options.from");
  const otherTarget = { origin: "http://127.0.0.1:9", path: "/blob/acct.blob.core.windows.net/ctr/other" };
  e = await rejects(
    c.replicateSnapshots(disk.id, { targetUrl, checkpoint: { version: 1, target: otherTarget, replicated: [] } }),
    "INVALID_ARGUMENT",
  );
  assert.equal(e.field, "checkpoint");
  await rejects(c.replicateSnapshots(disk.id, { targetUrl, checkpoint: { version: 1 } }), "INVALID_JSON");
  assert.equal(grants(log), 0, "nothing granted");
  // A target nobody answers: the copy fails; every grant is revoked.
  const progress = [];
  await assert.rejects(
    c.replicateSnapshots(disk.id, { targetUrl, from: chain.at(-1).name, onProgress: (p) => progress.push(p) }),
    (err) => {
      assert.ok(!JSON.stringify(err).includes("secretsig") && !err.message.includes("secretsig"));
      return true;
    },
  );
  assert.ok(grants(log) >= 1 && grants(log) <= 2, "at most two grants open");
  assert.equal(revokes(log), grants(log), "every grant revoked after the failure");
});

// --- Success paths -------------------------------------------------------------------------

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const armGrants = () => emu.requests.filter((r) => r.url.includes("/beginGetAccess")).length;
const armRevokes = () => emu.requests.filter((r) => r.url.includes("/endGetAccess")).length;
/** Put Page and Put Page From URL requests to the backup account's blobs. */
const putPages = () =>
  emu.blob.requests.filter(
    (r) => r.method === "PUT" && r.headers.includes("x-ms-page-write") && r.path.includes("backup"),
  );
const toRange = (r) => ({ start: r.start, end: r.end, cleared: r.kind === "clear" });
const bytesOf = (ranges, cleared) =>
  ranges.filter((r) => r.cleared === cleared).reduce((n, r) => n + r.end - r.start + 1, 0);
const snapshotRecord = (id) => [...emu.store.snapshots.values()].find((s) => s.id.toLowerCase() === id.toLowerCase());

function assertNoSecrets(where) {
  const bad = emu.blob.requests.filter((r) => r.authorization);
  assert.equal(bad.length, 0, `${where}: no blob request carries an Authorization header`);
}

test("getSnapshotChanges between each consecutive pair of the demo disk equals the seed's diffs", async () => {
  const content = emu.seedInfo.content[0];
  const { c, log } = client();
  const grants0 = armGrants();
  const revokes0 = armRevokes();
  for (let i = 1; i < content.snapshots.length; i++) {
    const want = content.diffs[i - 1];
    const r = await c.getSnapshotChanges(content.snapshots[i], content.snapshots[i - 1]);
    assert.equal(r.contentLength, content.size, "contentLength is the blob's (disk + footer)");
    assert.deepEqual(r.ranges, want.ranges.map(toRange), `diff ${i - 1}→${i}`);
    assert.equal(r.changedBytes + r.clearedBytes, want.changedBytes, `changedBytes ${i - 1}→${i}`);
    assert.equal(r.changedBytes, want.writtenBytes);
    assert.equal(r.clearedBytes, want.clearedBytes);
    assert.equal(emu.blob.openGrants(content.familyId), 0, "nothing left open");
  }
  // Without olderId: the valid pages of the oldest (its full content, the footer included).
  const full = await c.getSnapshotChanges(content.snapshots[0]);
  assert.deepEqual(full.ranges, content.full.ranges.map(toRange));
  assert.equal(full.changedBytes, content.full.bytes);
  assert.equal(full.clearedBytes, 0);
  // With the options in the second place.
  const again = await c.getSnapshotChanges(content.snapshots[0], { signal: new AbortController().signal });
  assert.deepEqual(again, full);
  assert.equal(grants(log), 2 * (content.snapshots.length - 1) + 2);
  assert.equal(revokes(log), grants(log), "every grant revoked (client side)");
  assert.equal(armGrants() - grants0, grants(log));
  assert.equal(armRevokes() - revokes0, grants(log), "every grant revoked (the emulator's log)");
  assert.equal(emu.blob.openGrants(content.familyId), 0);
  assert.equal(emu.blob.openGrants(), 0);
  assertNoSecrets("getSnapshotChanges");
});

/** An empty `gib` GiB disk in the demo's resource group, created through ARM. */
async function makeDisk(name, gib = 1) {
  const demo = emu.seedInfo.content[0].diskId;
  const rg = demo.slice(0, demo.indexOf("/providers/"));
  const id = `${rg}/providers/Microsoft.Compute/disks/${name}`;
  const { c } = client();
  const location = (await c.getDisk(demo)).location;
  const put = await fetch(`${emu.url}${id}?api-version=2023-04-02`, {
    method: "PUT",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ location, properties: { creationData: { createOption: "Empty" }, diskSizeGB: gib } }),
  });
  assert.ok(put.status === 200 || put.status === 201 || put.status === 202, `disk PUT ${put.status}`);
  await put.arrayBuffer();
  for (let i = 0; i < 200; i++) {
    const d = await c.getDisk(id);
    if (d.properties?.provisioningState === "Succeeded") return d;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the disk was not provisioned");
}

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A `gib` GiB disk with `snaps` incremental snapshots (made with createIncrementalSnapshot), random
 * writes and clears before each; `touched` lists every range written or cleared.
 */
async function writtenDisk(seed, { snaps = 3, ops = 10, gib = 1 } = {}) {
  const rand = prng(seed);
  const disk = await makeDisk(`arm-repl-${seed}-${Math.floor(rand() * 1e9)}`, gib);
  const size = gib * GiB;
  const touched = [];
  const chain = [];
  const { c } = client();
  for (let s = 0; s < snaps; s++) {
    const writes = [];
    for (let i = 0; i < ops; i++) {
      const pages = 1 + Math.floor(rand() * 3000); // up to 1.5 MiB
      const offset = Math.floor(rand() * (size / 512 - pages)) * 512;
      const length = pages * 512;
      if (s > 0 && rand() < 0.3) writes.push({ offset, length, clear: true });
      else {
        const buf = Buffer.alloc(length);
        for (let b = 0; b < length; b += 61) buf[b] = 1 + Math.floor(rand() * 255);
        writes.push({ offset, length, dataBase64: buf.toString("base64") });
      }
      touched.push({ offset, length });
    }
    if (gib > 1) {
      // Across the first 1 GiB listing window's end (written, then cleared in part).
      const offset = GiB - 512 * (1 + Math.floor(rand() * 100));
      const length = 512 * (200 + Math.floor(rand() * 100));
      writes.push(s === 1 ? { offset: offset + 512, length: 1024, clear: true } : { offset, length, byte: 1 + s });
      touched.push({ offset, length });
    }
    emu.writeDisk(disk.id, writes);
    chain.push(await c.createIncrementalSnapshot(disk.id, { name: `${disk.name}-s${s}` }));
  }
  const familyId =
    snapshotRecord(chain[0].id).properties?.incrementalSnapshotFamilyId ?? snapshotRecord(chain[0].id).familyId;
  return { disk, chain, touched, size, familyId, rand };
}

/** Asserts the target's blob snapshot equals the source snapshot over the touched ranges, the footer and random ranges. */
function assertSame(src, targetUrl, targetSnapshot, w, what) {
  const rec = snapshotRecord(src.id);
  assert.ok(rec?.blob, `${what}: the source snapshot has a blob`);
  const total = emu.blob.properties(rec.blob.familyId, rec.blob.snapshot).size;
  assert.equal(emu.blob.properties(targetUrl, targetSnapshot).size, total, `${what}: same length`);
  const ranges = [...w.touched, { offset: total - 512, length: 512 }];
  for (let i = 0; i < 8; i++) {
    const length = 512 * (1 + Math.floor(w.rand() * 4096));
    ranges.push({ offset: Math.floor(w.rand() * ((total - length) / 512)) * 512, length });
  }
  for (const { offset, length } of ranges) {
    const a = emu.blob.read(rec.blob.familyId, { snapshot: rec.blob.snapshot, offset, length });
    const b = emu.blob.read(targetUrl, { snapshot: targetSnapshot, offset, length });
    assert.ok(Buffer.compare(a, b) === 0, `${what}: bytes [${offset}, ${offset + length}) equal`);
  }
  const footer = emu.blob.read(targetUrl, { snapshot: targetSnapshot, offset: total - 512, length: 8 });
  assert.equal(footer.toString("latin1"), "conectix", `${what}: the VHD footer was copied`);
}

test("replicateSnapshots: byte-exact target snapshots, at most two source grants, all revoked", async () => {
  const w = await writtenDisk(11, { gib: 2 });
  const targetUrl = emu.blob.targetUrl("backup", "disks", "arm-repl-11");
  const { c, log } = client();
  let maxOpen = 0;
  const sample = () => {
    maxOpen = Math.max(maxOpen, emu.blob.openGrants(w.familyId));
  };
  const progress = [];
  const checkpoints = [];
  const r = await c.replicateSnapshots(w.disk.id, {
    targetUrl,
    chunkBytes: 256 * 1024,
    concurrency: 4,
    onProgress: (p) => {
      sample();
      progress.push(p);
    },
    onCheckpoint: (cp) => {
      sample();
      checkpoints.push(cp);
    },
  });
  assert.equal(r.replicated.length, w.chain.length);
  for (let i = 0; i < w.chain.length; i++) {
    const item = r.replicated[i];
    assert.equal(item.snapshotId.toLowerCase(), w.chain[i].id.toLowerCase());
    assert.equal(typeof item.targetSnapshot, "string");
    assertSame(w.chain[i], targetUrl, item.targetSnapshot, w, `snapshot ${i}`);
  }
  const replicateGrants = grants(log);
  assert.equal(revokes(log), replicateGrants);
  assert.equal(replicateGrants, w.chain.length, "each snapshot granted once (the next diff keeps its older side)");
  // The diffs agree with the service's page lists, merged across the 1 GiB listing windows.
  for (let i = 0; i < w.chain.length; i++) {
    const ch = await c.getSnapshotChanges(w.chain[i].id, i ? w.chain[i - 1].id : undefined);
    const rec = snapshotRecord(w.chain[i].id);
    const prev = i ? snapshotRecord(w.chain[i - 1].id).blob.snapshot : undefined;
    const want = emu.blob.pageList(rec.blob.familyId, { snapshot: rec.blob.snapshot, prevSnapshot: prev });
    assert.deepEqual(ch.ranges, want.map(toRange), `changes ${i}`);
    if (i !== 1)
      assert.ok(
        ch.ranges.some((x) => x.start < GiB && x.end >= GiB),
        "one range across the window end",
      );
    const extra = r.replicated[i].copiedBytes - bytesOf(ch.ranges, false);
    assert.ok(extra === 0 || extra === 512, `copied = changed (+ the footer): ${extra}`);
    assert.equal(r.replicated[i].clearedBytes, bytesOf(ch.ranges, true));
  }
  assert.ok(maxOpen >= 1 && maxOpen <= 2, `at most two source grants open (saw ${maxOpen})`);
  assert.equal(emu.blob.openGrants(w.familyId), 0, "every grant revoked");
  assert.equal(revokes(log), grants(log));
  // Progress and checkpoints name the snapshots, never a signature.
  assert.ok(progress.length > 0);
  assert.deepEqual(Object.keys(progress[0]).sort(), [
    "chunksDone",
    "chunksTotal",
    "count",
    "index",
    "phase",
    "snapshotId",
  ]);
  assert.equal(progress.at(-1).index, w.chain.length - 1);
  assert.ok(checkpoints.length > w.chain.length);
  assert.ok(!JSON.stringify(checkpoints).includes("sig="), "no signature in a checkpoint");
  assert.equal(checkpoints.at(-1).replicated.length, w.chain.length);
  assertNoSecrets("replicateSnapshots");
});

test("replicateSnapshots: abort from onCheckpoint, resume from the last checkpoint, byte-exact", async () => {
  const w = await writtenDisk(23, { snaps: 3, ops: 14 });
  const targetUrl = emu.blob.targetUrl("backup", "disks", "arm-repl-23");
  const concurrency = 3;
  const chunkBytes = 128 * 1024;
  // Where to stop: in the first copy, between two snapshots, in the middle of the second copy.
  const stops = {
    first: (cp, n) => cp.replicated.length === 0 && n === 3,
    between: (cp) => cp.replicated.length === 1 && !cp.current,
    second: (cp, n) => cp.replicated.length === 1 && cp.current && n >= 2,
  };
  for (const [where, stopHere] of Object.entries(stops)) {
    const name = `arm-repl-23-${where}`;
    const target = emu.blob.targetUrl("backup", "disks", name);
    const { c, log } = client();
    const ac = new AbortController();
    let last;
    const perStep = [];
    let stopped = false;
    const before = putPages().length;
    await rejects(
      c.replicateSnapshots(w.disk.id, {
        targetUrl: target,
        chunkBytes,
        concurrency,
        signal: ac.signal,
        onCheckpoint: (cp) => {
          last = structuredClone(cp);
          const k = cp.replicated.length;
          if (cp.current) perStep[k] = (perStep[k] ?? 0) + 1;
          if (!stopped && stopHere(cp, perStep[k] ?? 0)) {
            stopped = true;
            ac.abort();
          }
        },
      }),
      "ABORTED",
    );
    assert.equal(revokes(log), grants(log), "every grant revoked after the abort");
    assert.equal(emu.blob.openGrants(w.familyId), 0);
    assert.ok(stopped && last, "stopped at a checkpoint");
    const sentFirst = putPages().length - before;
    const grantsBefore = grants(log);
    // Resume with a fresh client and fresh grants.
    const { c: c2, log: log2 } = client();
    const mid = putPages().length;
    const r = await c2.replicateSnapshots(w.disk.id, { targetUrl: target, chunkBytes, concurrency, checkpoint: last });
    const resent = putPages().length - mid;
    assert.ok(grants(log2) >= 1, "fresh SAS grants for the resume");
    assert.equal(revokes(log2), grants(log2));
    assert.equal(emu.blob.openGrants(w.familyId), 0);
    assert.equal(r.replicated.length, w.chain.length);
    for (let i = 0; i < w.chain.length; i++)
      assertSame(w.chain[i], target, r.replicated[i].targetSnapshot, w, `${name} ${i}`);
    // A straight run's page writes, for comparison.
    const straight = putPages().length;
    const { c: c3 } = client();
    const ref = emu.blob.targetUrl("backup", "disks", `${name}-ref`);
    await c3.replicateSnapshots(w.disk.id, { targetUrl: ref, chunkBytes, concurrency });
    const full = putPages().length - straight;
    assert.ok(
      sentFirst + resent <= full + concurrency,
      `re-sent at most the chunks in flight at the stop (${sentFirst} + ${resent} vs ${full})`,
    );
    assert.ok(grantsBefore >= 1);
  }
  assert.ok(targetUrl);
  assertNoSecrets("resume");
});

test("replicateSnapshots from the 2nd snapshot copies it in full, then the diffs", async () => {
  const w = await writtenDisk(37, { snaps: 3, ops: 8 });
  const targetUrl = emu.blob.targetUrl("backup", "disks", "arm-repl-37");
  const { c, log } = client();
  const r = await c.replicateSnapshots(w.disk.id, { targetUrl, from: w.chain[1].name });
  assert.equal(r.replicated.length, 2);
  assert.equal(r.replicated[0].snapshotId.toLowerCase(), w.chain[1].id.toLowerCase());
  for (let i = 0; i < 2; i++) assertSame(w.chain[i + 1], targetUrl, r.replicated[i].targetSnapshot, w, `from ${i}`);
  assert.equal(revokes(log), grants(log));
  assert.equal(emu.blob.openGrants(w.familyId), 0);
  // By id too, into another target.
  const t2 = emu.blob.targetUrl("backup", "disks", "arm-repl-37b");
  const r2 = await c.replicateSnapshots(w.disk.id, { targetUrl: t2, from: w.chain[1].id });
  assert.deepEqual(
    r2.replicated.map((x) => [x.copiedBytes, x.clearedBytes]),
    r.replicated.map((x) => [x.copiedBytes, x.clearedBytes]),
  );
  assertNoSecrets("from");
});

test("replicateSnapshots failures mid-chain: every grant revoked, no token or signature in the error", async () => {
  const w = await writtenDisk(41, { snaps: 3, ops: 6 });
  // ARM refuses the second grant.
  {
    const { c, log } = client();
    const target = emu.blob.targetUrl("backup", "disks", "arm-repl-41a");
    let seen = 0;
    const p = c.replicateSnapshots(w.disk.id, {
      targetUrl: target,
      onCheckpoint: (cp) => {
        seen += 1;
        if (cp.replicated.length === 1 && !cp.current)
          emu.addFault({ route: /beginGetAccess/, kind: "status", status: 500, count: 1 });
      },
    });
    const e = await rejects(p, "ARM_ERROR");
    assert.equal(e.status, 500);
    assert.ok(seen > 0);
    assert.equal(revokes(log), grants(log), "every grant (the refused one too) revoked");
    assert.equal(emu.blob.openGrants(w.familyId), 0);
    emu.clearFaults();
  }
  // The target's writes are refused mid-copy (its SAS revoked): FORBIDDEN, grants revoked.
  {
    const { c, log } = client();
    const target = emu.blob.targetUrl("backup", "disks", "arm-repl-41b");
    let n = 0;
    const e = await rejects(
      c.replicateSnapshots(w.disk.id, {
        targetUrl: target,
        chunkBytes: 64 * 1024,
        concurrency: 2,
        onCheckpoint: () => {
          n += 1;
          if (n === 2) emu.blob.revoke(target);
        },
      }),
      "FORBIDDEN",
    );
    assert.ok(!e.message.includes(new URL(target).searchParams.get("sig")));
    assert.equal(revokes(log), grants(log));
    assert.equal(emu.blob.openGrants(w.familyId), 0);
  }
  assertNoSecrets("failures");
});
