// www/js/disk-chain.js (used by the page and the worker) reads a disk's chain off one
// groupSnapshotChains report: the same snapshots in the same order as filterIncrementalSnapshots,
// on every disk of the emulator's demo data (subscription and resource-group listings) without
// calling the filter, and on the listings where the report alone cannot tell (then by the filter).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadPackage } from "./load-package.mjs";
import { startEmulator } from "../../emulator/index.mjs";
import { diskChains } from "../../www/js/disk-chain.js";

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

/** The package with filterIncrementalSnapshots counted. */
function counted() {
  const calls = { filter: 0 };
  const wrapped = {
    groupSnapshotChains: (...a) => lib.groupSnapshotChains(...a),
    filterIncrementalSnapshots: (...a) => {
      calls.filter++;
      return lib.filterIncrementalSnapshots(...a);
    },
  };
  return { wrapped, calls };
}

test("every demo disk: the chain equals filterIncrementalSnapshots, in one groupSnapshotChains pass", async () => {
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
        const { wrapped, calls } = counted();
        const { chain, report } = diskChains(wrapped, disk, listing);
        assert.deepEqual(chain, lib.filterIncrementalSnapshots(disk, listing), disk.name);
        assert.deepEqual(report, lib.groupSnapshotChains(listing, { disks: [disk] }), disk.name);
        assert.equal(calls.filter, 0, `${disk.name}: no second pass`);
        if (chain.length) nonEmpty++;
        if (report.chains.some((c) => c.orphaned)) orphaned++;
      }
      disks++;
    }
  }
  assert.ok(disks >= 3 && nonEmpty > 0 && orphaned > 0, `demo data covers chains and orphans (${disks} disks)`);
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
    filterCalls: 0,
  },
  "no snapshot of the disk": {
    disk: disk("d1", "u-1"),
    listing: [snap("other", { source: diskIdOf("d2"), time: "2023-01-01T00:00:00Z" })],
    filterCalls: 0,
  },
  "the disk's snapshots over two family ids (and one without)": {
    disk: disk("d1", "u-1"),
    listing: [
      snap("x3", { family: "fam-2", time: "2024-01-03T00:00:00Z" }),
      snap("x1", { time: "2024-01-01T00:00:00Z" }),
      snap("x2", { family: null, time: "2024-01-02T00:00:00Z" }),
      snap("x0", { family: "fam-2", time: "2023-12-31T00:00:00Z" }),
    ],
    filterCalls: 1,
  },
  "a CopyStart snapshot that names the disk": {
    disk: disk("d1", "u-1"),
    listing: [
      snap("s1", { time: "2024-01-01T00:00:00Z" }),
      snap("s2", { option: "CopyStart", time: "2024-01-02T00:00:00Z" }),
    ],
    filterCalls: 1,
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`crafted listing: ${name}`, () => {
    const { wrapped, calls } = counted();
    const { chain } = diskChains(wrapped, c.disk, c.listing);
    const expected = lib.filterIncrementalSnapshots(c.disk, c.listing);
    assert.deepEqual(
      chain.map((s) => s.name),
      expected.map((s) => s.name),
    );
    assert.deepEqual(chain, expected);
    assert.equal(calls.filter, c.filterCalls, "the filter is called only when the report cannot tell");
  });
}
