// ArmClient.restoreDisk against the ARM emulator over HTTP: a disk from a snapshot with its
// hydration reported, a disk imported from a blob replicateSnapshots wrote (byte-equal), every
// refusal before any request, concurrent creates of one name (exactly one wins), the 6th
// concurrent restore from one snapshot, and hostile inputs (throwing getters, Proxy, wrong types,
// a foreign sourceUri: the token never goes to a blob URL, a signature never into an error).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator } from "../../emulator/index.mjs";
import { diskRef, snapshotRef } from "../../emulator/content.mjs";
import { HYDRATION_MS } from "../../emulator/routes/restore.mjs";
import { loadPackage } from "./load-package.mjs";

const TOKEN = "arm-token-never-on-blob";
const SIG = "c2lnbmF0dXJlLW9mLXRoZS1ibG9i";
let lib;
let emu;
let sub;
let snap;
let n = 0;

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({ port: 0, seed: "empty", retryAfterSeconds: 0, lroPolls: 1, enforceRateLimit: false });
  sub = emu.seedInfo.subscriptionId;
  await arm("PUT", `/subscriptions/${sub}/resourceGroups/rg1?api-version=2021-04-01`, { location: "westeurope" });
  await arm("PUT", `/subscriptions/${sub}/resourceGroups/rg2?api-version=2021-04-01`, { location: "westeurope" });
  const diskId = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1`;
  const r = await arm("PUT", `${diskId}?api-version=2025-01-02`, {
    location: "westeurope",
    sku: { name: "Standard_LRS" },
    properties: { creationData: { createOption: "Empty" }, diskSizeGB: 1 },
  });
  assert.equal(r.status, 202);
  emu.writeDisk(diskId, [
    { offset: 0, length: 8192, byte: 9 },
    { offset: 3 << 20, length: 4096, dataBase64: Buffer.alloc(4096, "restored bytes").toString("base64") },
  ]);
  snap = await client().c.createIncrementalSnapshot(diskId, { name: "s1" });
});
after(async () => {
  await emu?.close();
});

async function arm(method, path, body) {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A client whose fetch records every request and checks the token stays on ARM. */
function client(extra = {}) {
  const log = [];
  const fetchFn = (request) => {
    const auth = request.headers.get("authorization");
    log.push({ method: request.method, url: request.url, auth, ifNoneMatch: request.headers.get("if-none-match") });
    if (!request.url.startsWith(emu.url)) assert.equal(auth, null, "no token off ARM");
    return fetch(request);
  };
  const c = new lib.ArmClient({
    token: TOKEN,
    endpoint: emu.url,
    retryDelayMs: 5,
    pollIntervalMs: 5,
    completionPollMs: 5,
    maxRetries: 0,
    requestTimeoutMs: 5000,
    fetch: fetchFn,
    ...extra,
  });
  return { c, log };
}

async function rejects(promise, code, field) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, `rejected (${code})`);
  assert.equal(err.code, code, `${err.code}: ${err.message}`);
  if (field) assert.equal(err.field, field, err.message);
  const all = `${err.message}${JSON.stringify(err)}${JSON.stringify(err.violations ?? [])}`;
  assert.ok(!all.includes(TOKEN), "no token in the error");
  assert.ok(!all.includes(SIG), "no signature in the error");
  return err;
}

const name = (p) => `${p}-${++n}`;
const record = (id) => [...emu.store.disks.values()].find((d) => d.id.toLowerCase() === id.toLowerCase());
const snapRecord = () => [...emu.store.snapshots.values()].find((s) => s.name === "s1");

/** Pages with data and their bytes. */
function content(ref) {
  return emu.blob.pageList(ref.familyId, { snapshot: ref.snapshot || undefined }).map((r) => ({
    start: r.start,
    end: r.end,
    hex: emu.blob
      .read(ref.familyId, { snapshot: ref.snapshot || undefined, offset: r.start, length: r.end + 1 - r.start })
      .toString("hex"),
  }));
}

test("restoreDisk from a snapshot: If-None-Match: *, the LRO followed, hydration reported until 100, same bytes", async () => {
  const { c, log } = client();
  const progress = [];
  const diskName = name("v2");
  // The emulator clock moves on while the client waits (bounded: the test's own timer).
  const timer = setInterval(() => emu.advanceClock(HYDRATION_MS / 8), 15);
  let disk;
  try {
    disk = await c.restoreDisk(snap, {
      name: diskName,
      sku: "PremiumV2_LRS",
      onProgress: (p) => progress.push(p),
    });
  } finally {
    clearInterval(timer);
  }
  assert.equal(disk.name, diskName);
  assert.equal(disk.properties.creationData.sourceResourceId.toLowerCase(), snap.id.toLowerCase());
  assert.equal(disk.properties.completionPercent, 100);
  const put = log.filter((r) => r.method === "PUT");
  assert.equal(put.length, 1);
  assert.equal(put[0].ifNoneMatch, "*");
  const hydrating = progress.filter((p) => p.phase === "hydrating").map((p) => p.completionPercent);
  assert.ok(hydrating.length >= 1, JSON.stringify(progress));
  assert.ok(
    hydrating.every((p, i) => i === 0 || p >= hydrating[i - 1]),
    hydrating.join(),
  );
  assert.ok(hydrating.every((p) => p < 100));
  assert.equal(progress.at(-1).phase, "done");
  assert.ok(progress.some((p) => p.phase === "provisioning" || p.phase === "submitting"));
  assert.deepEqual(content(diskRef(emu.store, record(disk.id))), content(snapshotRef(emu.store, snapRecord())));
  // By id (read first); a Standard disk reports no hydration: done once the LRO ends.
  const byId = await c.restoreDisk(snap.id, { name: name("std"), tags: { from: "s1" } });
  assert.equal(byId.properties.completionPercent, undefined);
  assert.deepEqual(byId.tags, { from: "s1" });
  // wait: false: the PUT's answer, Updating.
  const quick = await c.restoreDisk(snap, { name: name("quick"), wait: false });
  assert.equal(quick.properties.provisioningState, "Updating");
});

test("restoreDisk from a blob written by replicateSnapshots: Import, the disk byte-equal to the snapshot", async () => {
  const { c, log } = client();
  const targetUrl = emu.blob.targetUrl("backupacct", "replicas", "d1.vhd");
  const r = await c.replicateSnapshots(snap.properties.creationData.sourceResourceId, { targetUrl });
  assert.equal(r.replicated.length, 1);
  const ts = r.replicated[0].targetSnapshot;
  const storageAccountId = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/backupacct`;
  const sourceUri = `https://backupacct.blob.core.windows.net/replicas/d1.vhd?snapshot=${encodeURIComponent(ts)}`;
  const before = log.length;
  const disk = await c.restoreDisk({ sourceUri, storageAccountId }, { name: name("imp"), location: "westeurope" });
  assert.equal(disk.properties.creationData.createOption, "Import");
  assert.equal(disk.properties.diskSizeGB, 1);
  assert.ok(
    log.slice(before).every((x) => x.url.startsWith(`${emu.url}/subscriptions/`)),
    "restoreDisk talks to ARM only",
  );
  assert.deepEqual(content(diskRef(emu.store, record(disk.id))), content(snapshotRef(emu.store, snapRecord())));
  // buildDiskConfig gives the same body the PUT carried.
  const config = lib.buildDiskConfig({ sourceUri, storageAccountId }, { name: "x", location: "westeurope" });
  assert.equal(config.createOption, "Import");
  assert.deepEqual(config.body.properties.creationData, { createOption: "Import", sourceUri, storageAccountId });
});

test("every refusal comes before any request, every violation at once, no signature shown", async () => {
  const { c, log } = client();
  const blob = (sourceUri, storageAccountId) => ({ sourceUri, storageAccountId });
  const account = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/a`;
  const cases = [
    [snap, {}, "name.required"],
    [snap, { name: "-x" }, "name.start"],
    [snap, { name: "x", location: "eastus" }, "restore.sameRegion"],
    [snap, { name: "x", diskSizeGB: 0 }, "diskSize.range"],
    [snap, { name: "x", zones: ["1", "2"] }, "zones.count"],
    [snap, { name: "x", sku: "Premium_ZRS", zones: ["1"] }, "zones.zrs"],
    [snap, { name: "x", sku: "Gold" }, "sku.name"],
    [snap, { name: "x", nmae: "y" }, "options.unknown"],
    [snap.id, { nmae: "y" }, "options.unknown"],
    [snap.id, {}, "name.required"],
    [
      { ...snap, properties: { ...snap.properties, creationData: { logicalSectorSize: 4096 } } },
      { name: "x" },
      "sectorSize.sku",
    ],
    [
      blob(`http://a.blob.core.windows.net/c/b?sig=${SIG}`, account),
      { name: "x", location: "westeurope" },
      "sourceUri.https",
    ],
    [
      blob(`https://a.blob.core.windows.net/c?sig=${SIG}`, account),
      { name: "x", location: "westeurope" },
      "sourceUri.blob",
    ],
    [
      blob(`https://a.blob.core.windows.net/c/b?sig=${SIG}`, snap.id),
      { name: "x", location: "westeurope" },
      "storageAccountId.format",
    ],
    [blob(`https://a.blob.core.windows.net/c/b?sig=${SIG}`, account), { name: "x" }, "location.required"],
  ];
  for (const [source, options, rule] of cases) {
    const e = await rejects(c.restoreDisk(source, options), "INVALID_ARGUMENT");
    assert.ok(
      e.violations.some((v) => v.rule === rule),
      `${rule}: ${JSON.stringify(e.violations)}`,
    );
    assert.throws(
      () => lib.buildDiskConfig(source, options),
      (x) => x.code === "INVALID_ARGUMENT",
    );
  }
  const many = await rejects(
    c.restoreDisk(snap, { name: "a b", location: "eastus", zones: ["7"] }),
    "INVALID_ARGUMENT",
  );
  assert.deepEqual(
    many.violations.map((v) => v.rule),
    ["restore.sameRegion", "name.chars", "zones.value"],
  );
  assert.equal(log.length, 0, "no request for a refused restore");
});

test("concurrent restores of one name: exactly one disk, the others CONFLICT, nothing overwritten", async () => {
  const diskName = name("same");
  const results = await Promise.allSettled(
    Array.from({ length: 4 }, (_, i) =>
      client().c.restoreDisk(snap, { name: diskName, tags: { i: String(i) }, wait: false }),
    ),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.reason?.code ?? "ok")));
  for (const r of results.filter((x) => x.status === "rejected")) {
    assert.equal(r.reason.code, "CONFLICT", r.reason.message);
    assert.equal(r.reason.field, "options.name");
  }
  const stored = record(won[0].value.id);
  assert.deepEqual(stored.tags, won[0].value.tags);
  // Once it exists, a restore of that name is CONFLICT before any PUT.
  const { c, log } = client();
  await rejects(c.restoreDisk(snap, { name: diskName }), "CONFLICT", "options.name");
  assert.equal(log.filter((r) => r.method === "PUT").length, 0);
});

test("a 6th disk at once from one snapshot is refused: by the client (same group) and by ARM (another group)", async () => {
  const own = await client().c.createIncrementalSnapshot(snap.properties.creationData.sourceResourceId, { name: "s6" });
  const { c } = client();
  for (let i = 0; i < 5; i++) {
    const d = await c.restoreDisk(own, { name: name("six"), sku: "PremiumV2_LRS", wait: false });
    assert.equal(d.properties.provisioningState, "Updating");
  }
  const { c: c2, log } = client();
  const e = await rejects(c2.restoreDisk(own, { name: name("six"), sku: "PremiumV2_LRS" }), "CONFLICT", "source");
  assert.match(e.message, /at most 5 at once/);
  assert.equal(log.filter((r) => r.method === "PUT").length, 0, "refused before the PUT");
  // In another group the client sees none of them; ARM counts them all: 409 OperationNotAllowed.
  const arm409 = await rejects(
    c2.restoreDisk(own, { name: name("six"), sku: "PremiumV2_LRS", resourceGroup: "rg2" }),
    "CONFLICT",
  );
  assert.equal(arm409.armCode, "OperationNotAllowed");
});

test("hostile inputs: throwing getters, a Proxy, wrong types, a foreign sourceUri host never fetched", async () => {
  const { c, log } = client();
  const throwing = {
    get name() {
      throw new Error("getter boom");
    },
  };
  await rejects(c.restoreDisk(snap, throwing), "INVALID_ARGUMENT");
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error("proxy boom");
      },
      ownKeys() {
        throw new Error("proxy keys boom");
      },
    },
  );
  for (const source of [proxy, 5, null, undefined, [snap], true, () => snap.id]) {
    await assert.rejects(c.restoreDisk(source, { name: "x" }), (e) => typeof e.code === "string" && e instanceof Error);
  }
  await assert.rejects(c.restoreDisk(snap, proxy), (e) => e instanceof Error && typeof e.code === "string");
  for (const options of [
    { name: 5 },
    { name: "x", tags: 5 },
    { name: "x", zones: "1" },
    { name: "x", wait: "yes" },
    { name: "x", onProgress: 5 },
    { name: "x", signal: {} },
  ]) {
    await rejects(c.restoreDisk(snap, options), "INVALID_ARGUMENT");
  }
  assert.throws(
    () => lib.buildDiskConfig(proxy, { name: "x" }),
    (e) => e instanceof Error,
  );
  assert.throws(
    () => lib.buildRestoreTemplate(snap, throwing),
    (e) => e instanceof Error,
  );
  assert.equal(log.length, 0);
  // A foreign host: handed to ARM in the body (never fetched by the client), refused by ARM.
  const storageAccountId = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/evil`;
  const sourceUri = `https://evil.example.com/c/disk.vhd?sv=2022-11-02&sig=${SIG}`;
  const e = await rejects(
    c.restoreDisk({ sourceUri, storageAccountId }, { name: name("evil"), location: "westeurope" }),
    "ARM_ERROR",
  );
  assert.ok(
    log.every((r) => r.url.startsWith(emu.url)),
    "no request off ARM",
  );
  assert.ok(!log.some((r) => r.url.includes("evil.example.com")));
  assert.ok(e.message.length > 0);
  // A huge name: a typed error.
  await rejects(c.restoreDisk(snap, { name: "n".repeat(1_000_000) }), "INVALID_ARGUMENT");
});

test("buildRestoreTemplate: one disk resource, name parameter and output, the same checks", () => {
  const t = lib.buildRestoreTemplate(snap, { name: "restored", sku: "Premium_LRS" });
  assert.equal(t.resources.length, 1);
  assert.equal(t.resources[0].type, "Microsoft.Compute/disks");
  assert.equal(t.parameters.diskName.defaultValue, "restored");
  assert.equal(t.resources[0].properties.creationData.sourceResourceId, snap.id);
  assert.throws(
    () => lib.buildRestoreTemplate(snap, { name: "restored", location: "eastus" }),
    (e) => e.violations.some((v) => v.rule === "restore.sameRegion"),
  );
});
