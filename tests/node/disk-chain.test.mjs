// groupSnapshotChains(listing, { disks }) carries each disk's own chain (`disks[i].snapshots`), so
// the page and the worker read a disk view in one pass: it must be exactly what
// filterIncrementalSnapshots returns, on every disk of the emulator's demo data (subscription and
// resource-group listings) and on crafted listings where the chains alone could not tell (the
// disk's snapshots over several family ids, a CopyStart snapshot that names the disk).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadPackage } from "./load-package.mjs";
import { startEmulator } from "../../emulator/index.mjs";

let lib;
let emu;
let client;

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({ seed: "demo", logRequests: false, retryAfterSeconds: 0 });
  client = new lib.ArmClient({ token: "disk-chain-test", endpoint: emu.url, retryDelayMs: 10 });
});

after(async () => {
  client?.free?.();
  await emu?.close();
});

test("every demo disk: the report's disk chain equals filterIncrementalSnapshots", async () => {
  const sub = `/subscriptions/${emu.seedInfo.subscriptionId}`;
  const whole = await client.listSnapshots(sub);
  let disks = 0;
  let nonEmpty = 0;
  let orphaned = 0;
  for (const rg of emu.seedInfo.resourceGroups) {
    const scope = `${sub}/resourceGroups/${rg}`;
    const inGroup = await client.listSnapshots(scope);
    for (const disk of await client.listDisks(scope)) {
      for (const listing of [whole, inGroup]) {
        const report = lib.groupSnapshotChains(listing, { disks: [disk] });
        assert.equal(report.disks.length, 1);
        assert.equal(report.disks[0].id.toLowerCase(), disk.id.toLowerCase());
        assert.equal(report.disks[0].uniqueId, disk.properties.uniqueId);
        const chain = report.disks[0].snapshots;
        assert.deepEqual(chain, lib.filterIncrementalSnapshots(disk, listing), disk.name);
        if (chain.length) nonEmpty++;
        if (report.chains.some((c) => c.orphaned)) orphaned++;
      }
      disks++;
    }
  }
  assert.ok(disks >= 3 && nonEmpty > 0 && orphaned > 0, `demo data covers chains and orphans (${disks} disks)`);
});

test("without disks the report has no disks field (the report is unchanged for callers that pass none)", async () => {
  const listing = await client.listSnapshots(`/subscriptions/${emu.seedInfo.subscriptionId}`);
  assert.equal("disks" in lib.groupSnapshotChains(listing), false);
});

const SUB = "00000000-0000-0000-0000-000000000000";
const diskIdOf = (name) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/${name}`;
const disk = (name, uniqueId) => ({ id: diskIdOf(name), name, properties: { uniqueId } });

function snap(name, { source = diskIdOf("d1"), unique = "u-1", family = "fam-1", time, incremental = true, option }) {
  return {
    name,
    id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/${name}`,
    location: "westeurope",
    properties: {
      incremental,
      ...(time === undefined ? {} : { timeCreated: time }),
      creationData: { createOption: option ?? "Copy", sourceResourceId: source, sourceUniqueId: unique },
      ...(family === null ? {} : { incrementalSnapshotFamilyId: family }),
    },
  };
}

const cases = {
  "ids in other case, equal times, sub-millisecond times, a missing time, full and other-disk snapshots": {
    disk: disk("d1", "U-1"),
    listing: [
      snap("c", { time: "2024-01-01T00:00:00.0000002+00:00" }),
      snap("b", { source: diskIdOf("D1").toUpperCase(), time: "2024-01-01T00:00:00.0000001Z" }),
      snap("a2", { time: "2024-01-01T00:00:00Z" }),
      snap("a1", { time: "2024-01-01T00:00:00+00:00" }),
      snap("none", {}),
      snap("full", { incremental: false, time: "2023-01-01T00:00:00Z" }),
      snap("other", { source: diskIdOf("d2"), time: "2023-01-01T00:00:00Z" }),
      snap("old-incarnation", { unique: "u-0", family: "fam-0", time: "2022-01-01T00:00:00Z" }),
    ],
    expected: ["a1", "a2", "b", "c", "none"],
  },
  "no snapshot of the disk": {
    disk: disk("d1", "u-1"),
    listing: [snap("other", { source: diskIdOf("d2"), time: "2023-01-01T00:00:00Z" })],
    expected: [],
  },
  "the disk's snapshots over two family ids (and one without)": {
    disk: disk("d1", "u-1"),
    listing: [
      snap("x3", { family: "fam-2", time: "2024-01-03T00:00:00Z" }),
      snap("x1", { time: "2024-01-01T00:00:00Z" }),
      snap("x2", { family: null, time: "2024-01-02T00:00:00Z" }),
      snap("x0", { family: "fam-2", time: "2023-12-31T00:00:00Z" }),
    ],
    expected: ["x0", "x1", "x2", "x3"],
  },
  "a CopyStart snapshot that names the disk": {
    disk: disk("d1", "u-1"),
    listing: [
      snap("s1", { time: "2024-01-01T00:00:00Z" }),
      snap("s2", { option: "CopyStart", time: "2024-01-02T00:00:00Z" }),
    ],
    expected: ["s1", "s2"],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`crafted listing: ${name}`, () => {
    const chain = lib.groupSnapshotChains(c.listing, { disks: [c.disk] }).disks[0].snapshots;
    const filtered = lib.filterIncrementalSnapshots(c.disk, c.listing);
    assert.deepEqual(
      filtered.map((s) => s.name),
      c.expected,
    );
    assert.deepEqual(chain, filtered);
  });
}
