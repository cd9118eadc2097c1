// Seeds (demo, bulk), determinism, and the command line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { start, call, API } from "./helpers.mjs";
import { SEED_BASE_MS, DEMO_SUBSCRIPTION } from "../../emulator/index.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function listAll(emu, p, maxPages = 100) {
  const out = [];
  let url = `${emu.url}${p}?api-version=${API}`;
  for (let i = 0; url && i < maxPages; i++) {
    const r = await call(emu, "GET", url, { api: null });
    assert.equal(r.status, 200);
    out.push(...r.body.value);
    url = r.body.nextLink;
  }
  assert.equal(url, undefined, "all pages read");
  return out;
}

test("demo seed: contents", async (t) => {
  const emu = await start({ seed: "demo" });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  assert.equal(sub, DEMO_SUBSCRIPTION);
  assert.deepEqual(emu.seedInfo.resourceGroups, ["rg-prod-westeurope", "rg-data-eastus", "rg-dev"]);
  const disks = await listAll(emu, `/subscriptions/${sub}/providers/Microsoft.Compute/disks`);
  const skus = new Set(disks.map((d) => d.sku.name));
  for (const s of ["Premium_LRS", "StandardSSD_LRS", "Standard_LRS", "PremiumV2_LRS", "UltraSSD_LRS", "Premium_ZRS"])
    assert.ok(skus.has(s), s);
  assert.ok(
    disks.some((d) => d.managedBy?.endsWith("/virtualMachines/vm-web-01") && d.properties.diskState === "Attached"),
  );
  assert.ok(disks.some((d) => d.zones?.length));
  assert.ok(new Set(disks.map((d) => d.location)).size >= 3);
  const snaps = await listAll(emu, `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`);
  for (const s of snaps) assert.ok(Date.parse(s.properties.timeCreated) < SEED_BASE_MS + 1000, s.name);
  const times = snaps.map((s) => Date.parse(s.properties.timeCreated));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    "listed in creation order",
  );
  assert.ok(snaps.filter((s) => !s.properties.incremental).length >= 3, "full snapshots");
  // chains of 3..8 for every disk that has one
  for (const d of disks) {
    const chain = snaps.filter(
      (s) =>
        s.properties.incremental &&
        s.properties.creationData.createOption === "Copy" &&
        s.properties.creationData.sourceResourceId.toLowerCase() === d.id.toLowerCase() &&
        s.properties.creationData.sourceUniqueId === d.properties.uniqueId,
    );
    if (chain.length) assert.ok(chain.length >= 3 && chain.length <= 8, `${d.name}: ${chain.length}`);
    if (chain.length) assert.equal(new Set(chain.map((s) => s.properties.incrementalSnapshotFamilyId)).size, 1);
    assert.equal(emu.seedInfo.chains[d.id] || 0, chain.length, d.name);
  }
  // the recreated disk: snapshots with its id and another uniqueId, in another family
  const legacy = disks.find((d) => d.name === "legacy-app-disk");
  const orphans = snaps.filter(
    (s) =>
      s.properties.creationData.sourceResourceId === legacy.id &&
      s.properties.creationData.sourceUniqueId !== legacy.properties.uniqueId,
  );
  const current = snaps.filter(
    (s) =>
      s.properties.creationData.sourceResourceId === legacy.id &&
      s.properties.creationData.sourceUniqueId === legacy.properties.uniqueId,
  );
  assert.equal(orphans.length, 3);
  assert.equal(current.length, 3);
  assert.notEqual(orphans[0].properties.incrementalSnapshotFamilyId, current[0].properties.incrementalSnapshotFamilyId);
  // a disk that no longer exists at all, cross-region copies, a copy still in progress
  assert.ok(snaps.some((s) => s.name.startsWith("dev-old-disk-")));
  assert.ok(snaps.some((s) => s.properties.creationData.createOption === "CopyStart" && s.location === "eastus"));
  assert.ok(snaps.some((s) => s.properties.completionPercent !== undefined && s.properties.completionPercent < 100));
  // a cross-region copy whose source snapshot is gone (deleted since), and an imported snapshot
  const ids = new Set(snaps.map((s) => s.id.toLowerCase()));
  const orphanCopies = snaps.filter(
    (s) =>
      s.properties.creationData.createOption === "CopyStart" &&
      !ids.has(s.properties.creationData.sourceResourceId.toLowerCase()),
  );
  assert.deepEqual(
    orphanCopies.map((s) => s.name),
    ["vm-web-01-osdisk-20250421-0200-eastus"],
  );
  assert.ok(snaps.some((s) => s.properties.creationData.createOption === "Import"));
  assert.equal(emu.seedInfo.snapshots, snaps.length);
  // realistic sizes
  const avg = JSON.stringify(snaps).length / snaps.length;
  assert.ok(avg > 700 && avg < 1400, String(avg));
});

test("demo seed is deterministic", async (t) => {
  const a = await start({ seed: "demo" });
  const b = await start({ seed: "demo" });
  t.after(() => Promise.all([a.close(), b.close()]));
  const p = `/subscriptions/${DEMO_SUBSCRIPTION}/providers/Microsoft.Compute/snapshots`;
  const la = await listAll(a, p);
  const lb = await listAll(b, p);
  assert.deepEqual(la, lb);
  assert.deepEqual(
    await listAll(a, `/subscriptions/${DEMO_SUBSCRIPTION}/providers/Microsoft.Compute/disks`),
    await listAll(b, `/subscriptions/${DEMO_SUBSCRIPTION}/providers/Microsoft.Compute/disks`),
  );
});

test("bulk seed: 10000 snapshots, pages of 1000, chains of about chainShare", async (t) => {
  const t0 = Date.now();
  const emu = await start({
    seed: { kind: "bulk", snapshots: 10000, disks: 5, chainShare: 0.1 },
    pageSize: 1000,
    logRequests: false,
  });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  assert.equal(emu.seedInfo.snapshots, 10000);
  assert.equal(emu.seedInfo.disks.length, 5);
  const all = await listAll(emu, `/subscriptions/${sub}/resourceGroups/rg-bulk/providers/Microsoft.Compute/snapshots`);
  assert.equal(all.length, 10000);
  assert.equal(new Set(all.map((s) => s.id)).size, 10000);
  const disks = await listAll(emu, `/subscriptions/${sub}/resourceGroups/rg-bulk/providers/Microsoft.Compute/disks`);
  let chained = 0;
  for (const d of disks) {
    const n = all.filter(
      (s) =>
        s.properties.incremental &&
        s.properties.creationData.sourceResourceId === d.id &&
        s.properties.creationData.sourceUniqueId === d.properties.uniqueId,
    ).length;
    assert.ok(n > 0);
    assert.equal(emu.seedInfo.chains[d.id], n);
    chained += n;
  }
  assert.equal(chained, 1000);
  // interleaved, with orphans and full snapshots
  const first100 = all.slice(0, 100);
  assert.ok(
    first100.some((s) => disks.some((d) => s.properties.creationData.sourceUniqueId === d.properties.uniqueId)),
  );
  assert.ok(all.some((s) => !s.properties.incremental));
  assert.ok(
    all.some((s) =>
      disks.some(
        (d) =>
          s.properties.creationData.sourceResourceId === d.id &&
          s.properties.creationData.sourceUniqueId !== d.properties.uniqueId,
      ),
    ),
  );
  const avg = JSON.stringify(all).length / all.length;
  assert.ok(avg > 700 && avg < 1300, String(avg));
  assert.ok(Date.now() - t0 < 15000);
});

test("command line: prints the URL, serves, stops on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "emulator/cli.mjs"),
      "--port",
      "0",
      "--seed",
      "demo",
      "--page-size",
      "5",
      "--retry-after",
      "0",
      "--quiet",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10000);
      child.stdout.on("data", (c) => {
        out += c;
        const m = /^(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const r = await fetch(
      `${url}/subscriptions/${DEMO_SUBSCRIPTION}/providers/Microsoft.Compute/snapshots?api-version=${API}`,
      { headers: { authorization: "Bearer x" } },
    );
    assert.equal(r.status, 200);
    assert.equal((await r.json()).value.length, 5);
  } finally {
    const code = await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("killed");
      }, 5000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
  }
});

test("command line: bad options exit 2", async () => {
  const child = spawn(process.execPath, [path.join(ROOT, "emulator/cli.mjs"), "--bogus"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 2);
});
