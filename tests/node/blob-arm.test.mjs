// The ARM level of differential copy (ArmClient.getSnapshotChanges, replicateSnapshots) against
// the ARM emulator: refusals before any grant, and every grant revoked on failure and on abort.
// (The success paths need the emulator's beginGetAccess to hand out URLs of its Blob service.)
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
