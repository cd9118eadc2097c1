// Backup policies and Azure's 500 incremental snapshots per disk, in workerd against the emulator
// reseeded through its control API (POST /__emulator/reset with a bulk seed): a chain of 495 runs
// retention before the create (noted in the history, the deletes recorded; a pass cut short by
// POLICY_RETENTION_SECONDS goes on at the next alarm); a chain of 500 that
// retention leaves at 500 creates nothing and the run fails with SNAPSHOT_LIMIT.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SUB, poll, prerequisites, startStack } from "./helpers.mjs";

const missing = await prerequisites();
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000e001";
const SECRET = "sp-secret-policy-limit-0123456789";
const TOKEN = "user-token-policy-limit";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-bulk`;
const DISK = `${RG}/providers/Microsoft.Compute/disks/bulk-disk-000`;

describe("backup policies: 500 snapshots per disk", { skip: missing ?? false, timeout: 120_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;

  const call = (path, opts = {}) => s.call(path, { token: TOKEN, ...opts });
  const chain = () =>
    [...s.emu.store.snapshots.values()].filter(
      (x) => x.incremental && String(x.creationData?.sourceResourceId ?? "").toLowerCase() === DISK.toLowerCase(),
    );
  /** Reseeds the emulator through its control API: one disk whose chain has `n` snapshots. */
  async function reseed(n) {
    const r = await fetch(`${s.emu.url}/__emulator/reset`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-secret": s.emu.controlSecret },
      body: JSON.stringify({ seed: { kind: "bulk", snapshots: n, disks: 1, chainShare: 1 } }),
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(r.status, 200, await r.text());
    assert.equal(chain().length, n, "the seeded chain");
  }
  async function runOnce(name, retention) {
    const body = { scope: RG, disks: { ids: [DISK] }, schedule: { everyHours: 24 }, retention };
    const put = await call(`/v1/policies/${name}`, { method: "PUT", json: body });
    assert.equal(put.status, 201, put.text);
    s.reset();
    const run = await call(`/v1/policies/${name}/run`, { method: "POST" });
    assert.equal(run.status, 202, run.text);
    const runs = await poll(
      async () => {
        const r = await call(`/v1/policies/${name}/runs`);
        assert.equal(r.status, 200, r.text);
        const x = r.body.runs[0];
        return x && x.status !== "running" && x.disks.length ? r.body.runs : null;
      },
      { tries: 400, ms: 100 },
    );
    return runs[0];
  }

  before(async () => {
    // each delete is a long-running operation (a poll waits 1 s at least): a retention pass of 4 s
    // is cut short and goes on at the next alarm
    s = await startStack({
      emulator: { lroPolls: 0 },
      bindings: (emu) => ({
        AZURE_TENANT_ID: emu.seedInfo.tenantId,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: SECRET,
        AZURE_AUTHORITY_HOST: emu.url,
        POLICY_SPREAD_SECONDS: "0",
        POLICY_POLL_MS: "100",
        ARM_MAX_RETRIES: "0",
        POLICY_RETENTION_SECONDS: "4",
      }),
    });
    s.emu.registerServicePrincipal({ tenantId: s.emu.seedInfo.tenantId, clientId: CLIENT_ID, secret: SECRET });
  });
  after(async () => {
    if (s) await s.close();
  });

  test("495 snapshots: retention runs before the create, and the history says so", async () => {
    await reseed(495);
    const oldest = chain()
      .sort((a, b) => a.createdMs - b.createdMs)
      .slice(0, 10)
      .map((x) => x.id.toLowerCase());
    const run = await runOnce("near", { keepLast: 485 });
    const d = run.disks[0];
    assert.equal(d.status, "succeeded", JSON.stringify({ ...d, deleted: d.deleted.length }));
    assert.ok(
      (d.notes ?? []).some((n) => /^retention ran first: the chain had 495 of 500 snapshots; it deleted \d+/.test(n)),
      JSON.stringify(d.notes),
    );
    assert.ok(
      (d.notes ?? []).some((n) => /out of time: it goes on/.test(n)),
      `a pass was cut short: ${JSON.stringify(d.notes)}`,
    );
    // 10 by the end (495 → 485, some before the create, the rest after it), 1 after it (486 → 485)
    assert.equal(
      d.deleted.length,
      11,
      JSON.stringify({ notes: d.notes, errors: d.errors, n: d.deleted.length, chain: chain().length }),
    );
    assert.equal(new Set(d.deleted.map((x) => x.toLowerCase())).size, 11, "none twice");
    const deleted = new Set(d.deleted.map((x) => x.toLowerCase()));
    for (const id of oldest) assert.ok(deleted.has(id), `the oldest ${id} deleted`);
    assert.equal(chain().length, 485);
    assert.ok(
      chain().some((x) => x.id.toLowerCase() === d.created.id.toLowerCase()),
      "the new snapshot is kept",
    );
    // the deletes came before the PUT of the snapshot
    const reqs = s.armRequests();
    const put = reqs.findIndex((r) => r.method === "PUT" && /\/snapshots\//i.test(r.url));
    const firstDelete = reqs.findIndex((r) => r.method === "DELETE");
    assert.ok(firstDelete !== -1 && put !== -1 && firstDelete < put, "retention before the create");
  });

  test("500 snapshots and nothing to prune: no snapshot made, the run fails with SNAPSHOT_LIMIT", async () => {
    await reseed(500);
    const run = await runOnce("full", { keepLast: 500 });
    const d = run.disks[0];
    assert.equal(d.status, "failed", JSON.stringify({ ...d, deleted: d.deleted.length }));
    assert.equal(run.status, "completedWithErrors");
    assert.equal(d.created, undefined);
    assert.deepEqual(d.deleted, []);
    const e = d.errors.find((x) => x.code === "SNAPSHOT_LIMIT");
    assert.ok(e, JSON.stringify(d.errors));
    assert.equal(e.step, "create");
    assert.match(e.message, /500 incremental snapshots/);
    assert.ok(!s.armRequests().some((r) => r.method === "PUT" && /\/snapshots\//i.test(r.url)), "no PUT sent");
    assert.equal(chain().length, 500);
  });
});
