// Backup policies at scale and under trouble, against the emulator's bulk seed (200 disks tagged
// backup=daily in rg-bulk): one policy over all of them (every run done, one snapshot each, the
// same slot again creates nothing; the worker's ARM and token requests counted), an expired
// service-principal token (401 ExpiredAuthenticationToken → a new token, the run succeeds), a 429
// storm on snapshot writes (runs re-arm, nothing made twice), and workerd stopped mid-run and
// restarted on the same persist dir (the alarms resume, the create step adopts its snapshot).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countOutbound, poll, prerequisites, startStack } from "./helpers.mjs";

const missing = await prerequisites();
const N = Number(process.env.POLICY_SCALE_DISKS || 200);
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000b001";
const SECRET = "sp-secret-Scale-Value-0987654321";
const TOKEN = "user-token-scale";
const CRON = "0 * * * *";
const SPREAD_SECONDS = 5;

describe("backup policies at scale", { skip: missing ?? false, timeout: 600_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  let persistDir;
  let disks;
  let sub;

  const call = (path, opts = {}) => s.call(path, { token: TOKEN, ...opts });
  const snapshotsOfPolicy = (name) =>
    [...s.emu.store.snapshots.values()].filter((x) => x.tags && x.tags["backup-policy"] === name);
  const sourceOf = (x) => String(x.creationData?.sourceResourceId ?? "").toLowerCase();
  const scheduled = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });
  const open = (d) => d.status === "pending" || d.status === "running";
  /** Polls the history until the newest run has `count` disks, none of them open. */
  async function doneRun(name, count, { tries = 240, ms = 1000 } = {}) {
    return poll(
      async () => {
        const r = await call(`/v1/policies/${name}/runs`, { timeoutMs: 30_000 });
        assert.equal(r.status, 200, r.text);
        const run = r.body.runs[0];
        return run && run.disks.length === count && !run.disks.some(open) ? run : null;
      },
      { tries, ms },
    );
  }
  async function putPolicy(name, body) {
    const r = await call(`/v1/policies/${name}`, { method: "PUT", json: body });
    assert.equal(r.status, 201, r.text);
  }
  /** Every disk of `ids` has exactly one snapshot of policy `name` (no disk twice, none missing). */
  function assertOneEach(name, ids) {
    const made = snapshotsOfPolicy(name);
    const bySource = new Map();
    for (const m of made) bySource.set(sourceOf(m), (bySource.get(sourceOf(m)) ?? 0) + 1);
    const twice = [...bySource].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], "no disk twice");
    for (const id of ids) assert.equal(bySource.get(id.toLowerCase()), 1, `one snapshot of ${id}`);
    assert.equal(made.length, ids.length);
    return made;
  }

  before(async () => {
    persistDir = mkdtempSync(join(tmpdir(), "worker-do-scale-"));
    s = await startStack({
      persistDir,
      emulator: { seed: { kind: "bulk", snapshots: 0, disks: N } },
      bindings: (emu) => ({
        AZURE_TENANT_ID: emu.seedInfo.tenantId,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: SECRET,
        AZURE_AUTHORITY_HOST: emu.url,
        POLICY_SPREAD_SECONDS: String(SPREAD_SECONDS),
        POLICY_POLL_MS: "200",
        ARM_MAX_RETRIES: "0",
      }),
    });
    s.emu.registerServicePrincipal({ tenantId: s.emu.seedInfo.tenantId, clientId: CLIENT_ID, secret: SECRET });
    sub = s.emu.seedInfo.subscriptionId;
    disks = s.emu.seedInfo.disks.filter((id) => /\/resourceGroups\/rg-bulk\//i.test(id));
    assert.equal(disks.length, N);
    for (const d of s.emu.store.disks.values())
      if (d.key.includes("/resourcegroups/rg-bulk/")) d.tags = { ...(d.tags ?? {}), backup: "daily" };
  });
  after(async () => {
    if (s) await s.close();
    if (persistDir) rmSync(persistDir, { recursive: true, force: true });
  });

  test(`${N} disks under one policy: every run done, one snapshot each, the same slot again creates nothing`, async () => {
    await putPolicy("daily", {
      scope: `/subscriptions/${sub}/resourceGroups/rg-bulk`,
      disks: { tags: { backup: "daily" } },
      schedule: { everyHours: 24, at: "03:00" },
      retention: { keepLast: 7 },
    });
    const day = new Date();
    const slot = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 3, 0, 0) - 86_400_000;
    const runTag = `daily@${new Date(slot).toISOString().replace(/\.000Z$/, "Z")}`;
    s.reset();
    const tokensBefore = s.emu.tokenRequests.length;
    const t0 = Date.now();
    assert.equal((await scheduled(slot + 60_000)).outcome, "ok");
    const run = await doneRun("daily", N);
    const wallMs = Date.now() - t0;
    const counts = countOutbound(s.outbound);
    const tokenRequests = s.emu.tokenRequests.slice(tokensBefore).filter((t) => t.clientId === CLIENT_ID);
    assert.equal(run.run, runTag);
    assert.equal(run.selected, N);
    assert.equal(run.status, "succeeded", JSON.stringify(run.disks.find((d) => d.status !== "succeeded")));
    const made = assertOneEach("daily", disks);
    for (const m of made) {
      assert.equal(m.tags["backup-run"], runTag);
      assert.equal(m.tags["backup-policy"], "daily");
      assert.equal(m.incremental, true);
    }
    const figures = {
      disks: N,
      created: made.length,
      duplicates: made.length - new Set(made.map(sourceOf)).size,
      wallSeconds: Math.round(wallMs / 100) / 10,
      armRequestsByMethod: counts.arm,
      armRequests: counts.armTotal,
      tokenRequests: counts.token,
      entraTokenRequestsSeen: tokenRequests.length,
      permissionChecks: counts.permissions,
      spreadSeconds: SPREAD_SECONDS,
    };
    console.log(`policies-scale figures ${JSON.stringify(figures)}`);
    assert.equal(counts.other, 0, "nothing sent elsewhere");
    assert.equal(tokenRequests.length, 1, "one token for the whole run (cached, shared)");
    assert.equal(counts.arm.PUT, N, "one snapshot PUT per disk");

    // the same slot again, and a late tick in it: nothing sent to ARM, nothing created
    s.reset();
    assert.equal((await scheduled(slot + 60_000)).outcome, "ok");
    assert.equal((await scheduled(slot + 3 * 3_600_000)).outcome, "ok");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(snapshotsOfPolicy("daily").length, N, "created once");
    assert.equal(countOutbound(s.outbound).arm.PUT ?? 0, 0, "no snapshot PUT");
    const again = await call("/v1/policies/daily/runs");
    assert.equal(again.body.runs.filter((x) => x.run === runTag).length, 1);
  });

  test("an expired service-principal token: ARM's 401 → a new token, and the run succeeds", async () => {
    const ids = disks.slice(0, 2);
    await putPolicy("later", {
      scope: `/subscriptions/${sub}/resourceGroups/rg-bulk`,
      disks: { ids },
      schedule: { everyHours: 24 },
      retention: { keepLast: 10 },
    });
    s.reset();
    const tokensBefore = s.emu.tokenRequests.length;
    // the cached token (from the run above) expires in the emulator's time, not in the worker's
    s.emu.advanceClock(2 * 3_600_000);
    const r = await call("/v1/policies/later/run", { method: "POST" });
    assert.equal(r.status, 202, r.text);
    const run = await doneRun("later", 2, { tries: 100, ms: 200 });
    assert.equal(run.status, "succeeded", JSON.stringify(run));
    assert.deepEqual(run.errors, []);
    const refused = s.armRequests().filter((x) => x.status === 401);
    assert.ok(refused.length >= 1, "ARM refused the old token");
    const fresh = s.emu.tokenRequests.slice(tokensBefore).filter((t) => t.clientId === CLIENT_ID);
    assert.equal(fresh.length, 1, "one new token");
    assert.equal(fresh[0].status, 200);
    assertOneEach("later", ids);

    // the token expires between the listing and a run's step (its GET of the disk is slow): the
    // step gets the 401, takes a new token and runs again
    const ids2 = disks.slice(2, 4);
    await putPolicy("midstep", {
      scope: `/subscriptions/${sub}/resourceGroups/rg-bulk`,
      disks: { ids: ids2 },
      schedule: { everyHours: 24 },
      retention: { keepLast: 10 },
    });
    s.reset();
    const before2 = s.emu.tokenRequests.length;
    s.emu.addFault({ route: "GET /providers/Microsoft.Compute/disks/", kind: "latency", ms: 1500, count: 2 });
    const r2 = await call("/v1/policies/midstep/run", { method: "POST" });
    assert.equal(r2.status, 202, r2.text);
    s.emu.advanceClock(2 * 3_600_000);
    const run2 = await doneRun("midstep", 2, { tries: 100, ms: 200 });
    assert.equal(run2.status, "succeeded", JSON.stringify(run2));
    for (const d of run2.disks) assert.deepEqual(d.errors, [], "the retry left no error");
    assert.ok(
      s.armRequests().some((x) => x.status === 401 && /\/disks\/bulk-disk-/i.test(x.url)),
      "the step's GET of the disk got the 401",
    );
    const fresh2 = s.emu.tokenRequests.slice(before2).filter((t) => t.clientId === CLIENT_ID);
    assert.equal(fresh2.length, 1, "one new token for both runs (the drop keeps a newer token)");
    assertOneEach("midstep", ids2);
  });

  test("a 429 storm on snapshot writes: the runs re-arm after Retry-After and all complete, nothing twice", async () => {
    const ids = disks.slice(10, 20);
    await putPolicy("storm", {
      scope: `/subscriptions/${sub}/resourceGroups/rg-bulk`,
      disks: { ids },
      schedule: { everyHours: 12 },
      retention: { keepLast: 10 },
    });
    s.reset();
    const STORM = 25;
    s.emu.addFault({
      route: "PUT /providers/Microsoft.Compute/snapshots/",
      kind: "throttle",
      count: STORM,
      retryAfter: 1,
    });
    const r = await call("/v1/policies/storm/run", { method: "POST" });
    assert.equal(r.status, 202, r.text);
    const run = await doneRun("storm", ids.length, { tries: 120, ms: 500 });
    assert.equal(run.status, "succeeded", JSON.stringify(run.disks.find((d) => d.status !== "succeeded")));
    const throttled = s.armRequests().filter((x) => x.method === "PUT" && x.status === 429);
    assert.equal(throttled.length, STORM, "the whole storm was answered");
    const recorded = run.disks.flatMap((d) => d.errors).filter((e) => e.code === "THROTTLED");
    assert.ok(recorded.length >= Math.min(STORM, 20), `${recorded.length} throttles recorded`);
    assert.ok(recorded.every((e) => e.step === "create"));
    assertOneEach("storm", ids);
  });

  test("workerd stopped mid-run and restarted on the same persist dir: the alarms resume, one snapshot each", async () => {
    const ids = disks.slice(30, 36);
    await putPolicy("restart", {
      scope: `/subscriptions/${sub}/resourceGroups/rg-bulk`,
      disks: { ids },
      schedule: { everyHours: 24 },
      retention: { keepLast: 10 },
    });
    s.reset();
    // slow snapshot PUTs: workerd stops while they are in flight, so ARM makes snapshots whose
    // answers the worker never reads (the create step must adopt them, not make them again)
    s.emu.addFault({ route: "PUT /providers/Microsoft.Compute/snapshots/", kind: "latency", ms: 2500, count: -1 });
    const r = await call("/v1/policies/restart/run", { method: "POST" });
    assert.equal(r.status, 202, r.text);
    await poll(() => s.outbound.filter((x) => x.method === "PUT").length >= 2, { tries: 300, ms: 25 });
    const putsSent = s.outbound.filter((x) => x.method === "PUT").length;
    const atStop = snapshotsOfPolicy("restart").length;
    await s.stop();
    await new Promise((res) => setTimeout(res, 3500)); // the PUTs in flight at the stop end in ARM
    const afterStop = snapshotsOfPolicy("restart").length;
    console.log(
      `policies-scale restart: ${putsSent} PUTs in flight at the stop, ${atStop} snapshots then, ${afterStop} made while workerd was down`,
    );
    assert.ok(afterStop > atStop, "ARM made snapshots the worker never heard of");
    s.emu.clearFaults();
    s.outbound.length = 0;
    await s.restart();
    const run = await doneRun("restart", ids.length, { tries: 120, ms: 500 });
    assert.equal(run.status, "succeeded", JSON.stringify(run.disks.find((d) => d.status !== "succeeded")));
    assert.equal(
      s.outbound.filter((x) => x.method === "PUT").length,
      ids.length - afterStop,
      "after the restart, PUTs only for the disks with no snapshot yet",
    );
    assertOneEach("restart", ids);
  });
});
