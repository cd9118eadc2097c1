// The built package's ArmClient over real HTTP against the local ARM emulator, in Node:
// every method, and every fault the emulator can inject.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage } from "./load-package.mjs";

const TOKEN = "secret-token-do-not-leak";
let lib;
let emu;

function client(options = {}) {
  return new lib.ArmClient({
    token: TOKEN,
    endpoint: emu.url,
    retryDelayMs: 5,
    pollIntervalMs: 5,
    completionPollMs: 5,
    ...options,
  });
}

async function rejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Error, "a real Error");
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.ok(!String(e.message).includes(TOKEN), "the token is never in a message");
    assert.ok(!JSON.stringify(e).includes(TOKEN));
    return e;
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({ port: 0, seed: "demo", pageSize: 3, retryAfterSeconds: 0, lroPolls: 1, copyPolls: 2 });
});

after(async () => {
  await emu?.close();
});

async function world() {
  const c = client();
  const [sub] = await c.listSubscriptions();
  const scope = `/subscriptions/${sub.subscriptionId}`;
  const disks = await c.listDisks(scope);
  return { c, sub, scope, disks };
}

/** All items of a list URL, following nextLink by hand: an independent count. */
async function rawList(path) {
  let url = `${emu.url}${path}`;
  const items = [];
  for (let i = 0; url && i < 1000; i++) {
    const r = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = await r.json();
    items.push(...page.value);
    url = page.nextLink;
  }
  return items;
}

test("lists follow every page without losing or repeating an item", async () => {
  const { c, sub, scope, disks } = await world();
  const groups = await c.listResourceGroups(sub.subscriptionId);
  assert.ok(groups.length >= 2);
  const raw = await rawList(`${scope}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02`);
  const snaps = await c.listSnapshots(scope);
  assert.ok(raw.length > 3, "the demo spans several pages of 3");
  assert.deepEqual(snaps.map((s) => s.id).sort(), raw.map((s) => s.id).sort());
  assert.equal(new Set(snaps.map((s) => s.id)).size, snaps.length);
  assert.ok(disks.length >= 4);
  const rg = groups[0].id;
  for (const d of await c.listDisks(rg)) assert.ok(d.id.toLowerCase().startsWith(rg.toLowerCase()));
});

test("get a disk and a snapshot; a missing one is NOT_FOUND with ARM's code and request id", async () => {
  const { c, disks } = await world();
  const disk = await c.getDisk(disks[0].id);
  assert.equal(disk.id.toLowerCase(), disks[0].id.toLowerCase());
  assert.equal(typeof disk.properties.uniqueId, "string");
  const missing = disks[0].id.replace(/disks\/[^/]+$/, "disks/no-such-disk");
  const e = await rejects(c.getDisk(missing), "NOT_FOUND");
  assert.equal(e.status, 404);
  assert.equal(e.armCode, "ResourceNotFound");
  assert.ok(e.requestId);
  await rejects(c.getDisk("not-an-id"), "INVALID_RESOURCE_ID");
});

test("create an incremental snapshot and wait: it joins the disk's chain", async () => {
  const { c, disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  const before = await c.listIncrementalSnapshots(disk.id);
  emu.resetRequests();
  const phases = [];
  const snap = await c.createIncrementalSnapshot(disk, {
    name: "node-test-1",
    tags: { by: "test" },
    onProgress: (p) => phases.push(p.phase),
  });
  const requests = emu.requests.length;
  assert.equal(snap.properties.provisioningState, "Succeeded");
  assert.equal(snap.properties.incremental, true);
  assert.equal(snap.properties.creationData.sourceUniqueId, disk.properties.uniqueId);
  assert.ok(requests <= 4, `create-and-wait took ${requests} requests`);
  assert.ok(phases.includes("submitting") && phases.at(-1) === "done", phases.join());
  const after = await c.listIncrementalSnapshots(disk.id);
  assert.equal(after.length, before.length + 1);
  assert.equal(after.at(-1).name, "node-test-1", "newest last");
  // Same name again: refused, and the existing snapshot is untouched.
  await rejects(c.createIncrementalSnapshot(disk, { name: "node-test-1", tags: { by: "other" } }), "CONFLICT");
  const kept = await c.getSnapshot(snap.id);
  assert.deepEqual(kept.tags, { by: "test" });
});

test("Premium SSD v2: wait covers completionPercent, reported through onProgress", async () => {
  const { c, disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "PremiumV2_LRS" || d.sku?.name === "UltraSSD_LRS");
  assert.ok(disk, "the demo has a Premium SSD v2 or Ultra disk");
  const seen = [];
  const snap = await c.createIncrementalSnapshot(disk.id, { name: "node-test-v2", onProgress: (p) => seen.push(p) });
  assert.equal(snap.properties.completionPercent, 100);
  assert.ok(
    seen.some((p) => p.phase === "copying" && p.completionPercent < 100),
    JSON.stringify(seen),
  );
  const quick = await c.createIncrementalSnapshot(disk.id, { name: "node-test-v2-nowait", wait: false });
  assert.equal(quick.name, "node-test-v2-nowait");
});

test("copy to another region with CopyStart, then delete it", async () => {
  const { c, disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  const source = await c.createIncrementalSnapshot(disk, { name: "node-copy-src" });
  const target = source.location === "eastus" ? "westus" : "eastus";
  const copy = await c.copySnapshot(source.id, { location: target, name: "node-copy-dst" });
  assert.equal(copy.location, target);
  assert.equal(copy.properties.creationData.createOption, "CopyStart");
  assert.equal(copy.properties.completionPercent, 100);
  await rejects(c.copySnapshot(source.id, { location: source.location }), "INVALID_ARGUMENT");
  assert.deepEqual(await c.deleteSnapshot(copy.id), { deleted: true });
  assert.deepEqual(await c.deleteSnapshot(copy.id), { deleted: false });
  await rejects(c.getSnapshot(copy.id), "NOT_FOUND");
});

test("grant and revoke access", async () => {
  const { c, disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  const snap = await c.createIncrementalSnapshot(disk, { name: "node-sas" });
  const sas = await c.grantAccess(snap.id, { durationInSeconds: 600 });
  assert.match(sas.accessSAS, /^http:\/\/127\.0\.0\.1:\d+\/blob\/md-/); // the emulator's Blob service
  await c.revokeAccess(snap.id);
  await rejects(c.grantAccess(snap.id, { durationInSeconds: 0 }), "INVALID_ARGUMENT");
});

test("a recreated disk's old chain is not its chain", async () => {
  const { c, scope } = await world();
  const all = await c.listSnapshots(scope);
  const report = lib.groupSnapshotChains(all);
  const orphan = report.chains.find((ch) => ch.orphaned);
  assert.ok(orphan, "the demo has an orphaned chain");
  const disk = await c.getDisk(orphan.sourceResourceId);
  const chain = await c.listIncrementalSnapshots(disk, { scope: "subscription" });
  assert.ok(chain.every((s) => s.properties.creationData.sourceUniqueId === disk.properties.uniqueId));
  assert.ok(!chain.some((s) => s.properties.creationData.sourceUniqueId === orphan.sourceUniqueId));
});

test("throttling is retried at Retry-After, then reported as THROTTLED", async () => {
  const { c, disks } = await world();
  emu.addFault({ route: "GET /disks/", kind: "throttle", count: 2, retryAfter: 0 });
  const d = await c.getDisk(disks[0].id);
  assert.ok(d.id);
  emu.addFault({ route: "GET /disks/", kind: "throttle", count: 5, retryAfter: 1 });
  const e = await rejects(client({ maxRetries: 0 }).getDisk(disks[0].id), "THROTTLED");
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 1000);
  emu.clearFaults();
});

test("5xx, dropped connections and truncated bodies are retried; persistent ones fail typed", async () => {
  const { c, disks } = await world();
  for (const fault of [
    { kind: "status", status: 503 },
    { kind: "status", status: 500 },
    { kind: "drop" },
    { kind: "truncate" },
  ]) {
    emu.clearFaults();
    emu.addFault({ route: "GET /disks/", count: 1, ...fault });
    const d = await c.getDisk(disks[0].id);
    assert.ok(d.id, JSON.stringify(fault));
  }
  emu.clearFaults();
  emu.addFault({ route: "GET /disks/", kind: "drop", count: 10 });
  await rejects(client({ maxRetries: 1 }).getDisk(disks[0].id), "NETWORK");
  emu.clearFaults();
  emu.addFault({ route: "GET /disks/", kind: "status", status: 500, count: 10 });
  const e = await rejects(client({ maxRetries: 1 }).getDisk(disks[0].id), "ARM_ERROR");
  assert.equal(e.status, 500);
  emu.clearFaults();
});

test("operations that end Failed or Canceled are OPERATION_FAILED", async () => {
  const { c, disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  for (const kind of ["lroFailed", "lroCanceled"]) {
    emu.clearFaults();
    emu.addFault({ route: "PUT /snapshots/", kind, count: 1 });
    await rejects(c.createIncrementalSnapshot(disk, { name: `node-${kind}` }), "OPERATION_FAILED");
  }
  emu.clearFaults();
});

test("foreign nextLink and poll URLs are refused: the token stays with ARM", async () => {
  const { c, scope, disks } = await world();
  emu.addFault({ route: "GET /providers/Microsoft.Compute/snapshots", kind: "foreignNextLink", count: 1 });
  await rejects(c.listSnapshots(scope), "UNTRUSTED_URL");
  emu.clearFaults();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  emu.addFault({ route: "PUT /snapshots/", kind: "foreignPoll", count: 1 });
  await rejects(c.createIncrementalSnapshot(disk, { name: "node-foreign-poll" }), "UNTRUSTED_URL");
  emu.clearFaults();
  await rejects(
    Promise.resolve().then(() => new lib.ArmClient({ token: TOKEN, endpoint: "http://example.com" })),
    "UNTRUSTED_URL",
  );
});

test("tokens: expired, forbidden, refreshed per request", async () => {
  const { disks } = await world();
  const e = await rejects(client({ token: "expired" }).getDisk(disks[0].id), "UNAUTHORIZED");
  assert.equal(e.armCode, "ExpiredAuthenticationToken");
  await rejects(client({ token: "forbidden" }).getDisk(disks[0].id), "FORBIDDEN");
  let calls = 0;
  const c = client({ token: async () => `${TOKEN}-${++calls}` });
  await c.getDisk(disks[0].id);
  await c.getDisk(disks[0].id);
  assert.equal(calls, 2);
  await rejects(
    Promise.resolve().then(() => new lib.ArmClient({ endpoint: emu.url })),
    "INVALID_ARGUMENT",
  );
});

test("an AbortSignal stops a wait at once", async () => {
  const { disks } = await world();
  const disk = disks.find((d) => d.sku?.name === "Premium_LRS" || d.sku?.name === "StandardSSD_LRS");
  const slow = client({ pollIntervalMs: 60_000 });
  emu.addFault({ route: "PUT /snapshots/", kind: "throttle", count: 1, retryAfter: 60 });
  const controller = new AbortController();
  const started = Date.now();
  const pending = slow.createIncrementalSnapshot(disk, { name: "node-abort", signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await rejects(pending, "ABORTED");
  assert.ok(Date.now() - started < 5000);
  emu.clearFaults();
});
