// Backup policies, in workerd against the emulator:
// - retention with a `snapshotResourceGroup` elsewhere: the run plans and prunes the disk's chain in
//   that group only; another disk's snapshots there, and the disk's own group, are never touched;
// - missed slots: a tick after whole slots were missed runs the latest slot once and records the
//   skipped ones in the run history (`missedSlots`).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SUB, poll, prerequisites, startStack } from "./helpers.mjs";

const missing = await prerequisites();
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000d001";
const SECRET = "sp-secret-policy-retention-0123456789";
const TOKEN = "user-token-policy-retention";
const CRON = "*/15 * * * *";
const HOUR = 3_600_000;
const PROD = `/subscriptions/${SUB}/resourceGroups/rg-prod-westeurope`;
const SQL_DISK = `${PROD}/providers/Microsoft.Compute/disks/sql-data-01`;
const LEGACY_DISK = `${PROD}/providers/Microsoft.Compute/disks/legacy-app-disk`;
const SNAP_RG = "rg-snapshots";

describe("backup policies: retention elsewhere, missed slots", { skip: missing ?? false, timeout: 300_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;

  const call = (path, opts = {}) => s.call(path, { token: TOKEN, ...opts });
  async function runsUntil(name, pred) {
    return poll(
      async () => {
        const r = await call(`/v1/policies/${name}/runs`);
        assert.equal(r.status, 200, r.text);
        return pred(r.body.runs) ? r.body.runs : null;
      },
      { tries: 400, ms: 100 },
    );
  }
  const settled = (n) => (rs) => rs.length === n && rs.every((x) => x.status !== "running" && x.disks.length > 0);
  const rgOf = (id) => id.split("/")[4].toLowerCase();
  /** The emulator's incremental snapshots of `diskId`, in resource group `rg` (or any). */
  const chainOf = (diskId, rg) =>
    [...s.emu.store.snapshots.values()].filter(
      (x) =>
        x.incremental &&
        String(x.creationData?.sourceResourceId ?? "").toLowerCase() === diskId.toLowerCase() &&
        (!rg || rgOf(x.id) === rg.toLowerCase()),
    );
  const fire = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });

  before(async () => {
    s = await startStack({
      bindings: (emu) => ({
        AZURE_TENANT_ID: emu.seedInfo.tenantId,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: SECRET,
        AZURE_AUTHORITY_HOST: emu.url,
        POLICY_SPREAD_SECONDS: "0",
        POLICY_POLL_MS: "100",
        ARM_MAX_RETRIES: "0",
      }),
    });
    s.emu.registerServicePrincipal({ tenantId: s.emu.seedInfo.tenantId, clientId: CLIENT_ID, secret: SECRET });
    s.emu.store.addResourceGroup(SUB, SNAP_RG, "westeurope");
  });
  after(async () => {
    if (s) await s.close();
  });

  test("snapshotResourceGroup: retention prunes that disk's chain in that group, nothing else", async () => {
    const policy = (disk, keepLast) => ({
      scope: PROD,
      disks: { ids: [disk] },
      schedule: { everyHours: 24 },
      retention: { keepLast },
      snapshotResourceGroup: SNAP_RG,
    });
    // another disk's snapshots in the same group, by another policy that keeps them all
    assert.equal((await call("/v1/policies/other", { method: "PUT", json: policy(LEGACY_DISK, 50) })).status, 201);
    assert.equal((await call("/v1/policies/moved", { method: "PUT", json: policy(SQL_DISK, 50) })).status, 201);
    const ownBefore = chainOf(SQL_DISK, "rg-prod-westeurope").map((x) => x.id);
    for (let i = 0; i < 3; i++) {
      assert.equal((await call("/v1/policies/other/run", { method: "POST" })).status, 202);
      assert.equal((await call("/v1/policies/moved/run", { method: "POST" })).status, 202);
      await runsUntil("moved", settled(i + 1));
      await new Promise((r) => setTimeout(r, 5));
    }
    await runsUntil("other", settled(3));
    const others = chainOf(LEGACY_DISK, SNAP_RG).map((x) => x.id);
    assert.equal(others.length, 3, "the other disk's snapshots in the group");
    const moved = chainOf(SQL_DISK, SNAP_RG);
    assert.equal(moved.length, 3);
    for (const m of moved) assert.equal(m.tags["backup-policy"], "moved");

    // keepLast 2: the 4th run's retention deletes the 2 oldest of this disk's chain in the group
    const put = await call("/v1/policies/moved", { method: "PUT", json: policy(SQL_DISK, 2) });
    assert.equal(put.status, 200, put.text);
    // the preview plans the same chain in the same group (a dry run: nothing deleted)
    const pv = await call("/v1/policies/moved/preview", { method: "POST" });
    assert.equal(pv.status, 200, pv.text);
    const remove = pv.body.disks[0].retention.remove.map((x) => x.id.toLowerCase());
    assert.equal(remove.length, 1, pv.text);
    assert.ok(
      remove.every((id) => rgOf(id) === SNAP_RG),
      pv.text,
    );
    assert.equal(chainOf(SQL_DISK, SNAP_RG).length, 3, "nothing deleted by the preview");
    assert.equal((await call("/v1/policies/moved/run", { method: "POST" })).status, 202);
    const runs = await runsUntil("moved", settled(4));
    const d = runs[0].disks[0];
    assert.equal(d.status, "succeeded", JSON.stringify(d));
    assert.equal(rgOf(d.created.id), SNAP_RG);
    assert.equal(d.deleted.length, 2, JSON.stringify(d));
    const oldest = moved
      .sort((a, b) => a.createdMs - b.createdMs)
      .slice(0, 2)
      .map((x) => x.id.toLowerCase());
    assert.deepEqual(d.deleted.map((x) => x.toLowerCase()).sort(), oldest.sort());
    const left = chainOf(SQL_DISK, SNAP_RG);
    assert.equal(left.length, 2);
    assert.ok(
      left.some((x) => x.id.toLowerCase() === d.created.id.toLowerCase()),
      "the new snapshot kept",
    );
    assert.deepEqual(
      chainOf(LEGACY_DISK, SNAP_RG).map((x) => x.id),
      others,
      "another disk's snapshots in the group are untouched",
    );
    assert.deepEqual(
      chainOf(SQL_DISK, "rg-prod-westeurope").map((x) => x.id),
      ownBefore,
      "the disk's snapshots in its own group are untouched",
    );
    for (const name of ["moved", "other"])
      assert.equal((await call(`/v1/policies/${name}`, { method: "DELETE" })).status, 200);
  });

  test("missed slots: the latest slot runs once, the skipped ones are in the history", async () => {
    const disk = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Compute/disks/dev-scratch`;
    const body = {
      scope: `/subscriptions/${SUB}/resourceGroups/rg-dev`,
      disks: { ids: [disk] },
      schedule: { everyHours: 2, at: "01:00" },
      retention: { keepLast: 30 },
    };
    assert.equal((await call("/v1/policies/hourly", { method: "PUT", json: body })).status, 201);
    const now = Date.now();
    const period = 2 * HOUR;
    const cur = Math.floor((now - HOUR) / period) * period + HOUR; // the current slot
    const t0 = cur - 5 * period;
    assert.equal((await fire(t0 + 60_000)).outcome, "ok");
    let runs = await runsUntil("hourly", settled(1));
    assert.equal(runs[0].scheduledTime, new Date(t0).toISOString());
    assert.equal(runs[0].missedSlots, undefined, "no slot missed yet (the policy was made after earlier ones)");
    // the worker was down for 4 whole slots: one tick in the 5th
    assert.equal((await fire(cur + 60_000)).outcome, "ok");
    runs = await runsUntil("hourly", settled(2));
    assert.equal(runs.length, 2, "one run for the latest slot only");
    for (const x of runs[0].missedSlots) assert.ok(!Number.isNaN(Date.parse(x)));
    assert.equal(runs[0].scheduledTime, new Date(cur).toISOString());
    assert.deepEqual(
      runs[0].missedSlots,
      [1, 2, 3, 4].map((k) => new Date(t0 + k * period).toISOString()),
    );
    const made = chainOf(disk).filter((x) => x.tags?.["backup-policy"] === "hourly");
    assert.equal(made.length, 2, "two snapshots: the first slot and the latest");
    // a tick again in the same slot adds nothing
    assert.equal((await fire(cur + 30 * 60_000)).outcome, "ok");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await call("/v1/policies/hourly/runs")).body.runs.length, 2);
  });
});
