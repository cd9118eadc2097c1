// Backup policies (/v1/policies): CRUD with every violation, the caller's permission check, the
// service principal's token (secret and certificate assertion, cached), the Cron Trigger and the
// PolicyRun Durable Objects (create with tags → wait → retention), idempotent slots, run now,
// preview as a dry run, a 429 that re-arms the run, and no secret or token in any answer or log.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { SUB, poll, prerequisites, root, startStack } from "./helpers.mjs";
import { makeCredential } from "../emulator/entra-helpers.mjs";

const missing = await prerequisites();
const openapi = JSON.parse(readFileSync(join(root, "worker", "src", "openapi.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openapi, "openapi.json");
function assertSchema(name, value) {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  assert.ok(validate, `schema ${name}`);
  assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 300)}`);
}
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000a001";
const CERT_CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000a002";
const SECRET = "sp-secret-Very-Long-Value-1234567890";
const TOKEN = "user-token-policies";
const RESTRICTED = "user-token-restricted";
const CRON = "*/15 * * * *";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod-westeurope`;
const SQL_DISK = `${RG}/providers/Microsoft.Compute/disks/sql-data-01`;
const LEGACY_DISK = `${RG}/providers/Microsoft.Compute/disks/legacy-app-disk`;

describe("backup policies", { skip: missing ?? false, timeout: 300_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  const answers = [];
  let cred;

  async function call(path, opts = {}) {
    const r = await s.call(path, { token: TOKEN, ...opts });
    answers.push(r.text);
    return r;
  }
  const snapshotsOf = (runTag) =>
    [...s.emu.store.snapshots.values()].filter((x) => x.tags && x.tags["backup-run"] === runTag);
  const chainOf = (diskId) =>
    [...s.emu.store.snapshots.values()].filter(
      (x) => x.incremental && String(x.creationData?.sourceResourceId ?? "").toLowerCase() === diskId.toLowerCase(),
    );
  async function runsUntil(name, pred, via) {
    return poll(
      async () => {
        const r = await call(`/v1/policies/${name}/runs`, via ? { via } : {});
        assert.equal(r.status, 200, r.text);
        return pred(r.body.runs) ? r.body.runs : null;
      },
      { tries: 300, ms: 100 },
    );
  }
  const scheduled = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });

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
    cred = makeCredential();
    s.emu.registerServicePrincipal({
      tenantId: s.emu.seedInfo.tenantId,
      clientId: CERT_CLIENT_ID,
      certificatePem: cred.certificatePem,
    });
  });
  after(async () => {
    if (s) await s.close();
  });

  test("PUT refuses a body with every violation at once, and stores nothing", async () => {
    const r = await call("/v1/policies/bad", {
      method: "PUT",
      json: {
        scope: "/subscriptions/not-a-guid",
        disks: { tags: {}, ids: ["x"] },
        schedule: { everyHours: 5, at: "25:00", when: 1 },
        retention: { keepLast: -1, keepWithin: "7D" },
        copy: { location: "West Europe" },
        enabled: "yes",
        extra: true,
      },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, "INVALID_ARGUMENT");
    const fields = r.body.error.violations.map((x) => x.field).sort();
    for (const f of [
      "extra",
      "scope",
      "disks",
      "disks.tags",
      "disks.ids[0]",
      "schedule.when",
      "schedule.everyHours",
      "schedule.at",
      "retention.keepLast",
      "retention.keepWithin",
      "copy.location",
      "enabled",
    ])
      assert.ok(fields.includes(f), `${f} missing in ${fields.join(", ")}`);
    const empty = await call("/v1/policies/bad2", { method: "PUT", json: {} });
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.body.error.violations.map((x) => x.field).sort(), [
      "disks",
      "retention",
      "schedule",
      "scope",
    ]);
    const keepsNothing = await call("/v1/policies/bad3", {
      method: "PUT",
      json: { scope: RG, disks: { ids: [SQL_DISK] }, schedule: { everyHours: 24 }, retention: {} },
    });
    assert.equal(keepsNothing.status, 400);
    assert.equal(keepsNothing.body.error.violations[0].field, "retention");
    assert.equal((await call("/v1/policies/bad")).status, 404);
    assert.equal((await call("/v1/policies/bad name")).status, 400);
    assert.equal((await call("/v1/policies/x", { method: "PUT", token: null, json: {} })).status, 401);
  });

  test("CRUD: create 201, replace 200, read, list, delete", async () => {
    const body = {
      scope: RG,
      disks: { ids: [LEGACY_DISK] },
      schedule: { everyHours: 6, at: "01:30" },
      retention: { keepDaily: 7 },
    };
    const c = await call("/v1/policies/crud", { method: "PUT", json: body });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.name, "crud");
    assertSchema("Policy", c.body);
    assertSchema("PolicyRequest", body);
    assert.equal(c.body.enabled, true);
    assert.deepEqual(c.body.schedule, { everyHours: 6, at: "01:30" });
    const u = await call("/v1/policies/crud", { method: "PUT", json: { ...body, enabled: false } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.enabled, false);
    const g = await call("/v1/policies/crud");
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.disks.ids, [LEGACY_DISK]);
    const l = await call("/v1/policies");
    assertSchema("PolicyList", l.body);
    assert.ok(l.body.policies.some((p) => p.name === "crud"));
    const d = await call("/v1/policies/crud", { method: "DELETE" });
    assert.equal(d.status, 200);
    assert.equal((await call("/v1/policies/crud")).status, 404);
    assert.equal((await call("/v1/policies/crud", { method: "DELETE" })).status, 404);
  });

  test("a caller without snapshot write and delete at the scope gets 403 and nothing is stored or shown", async () => {
    const scope = `/subscriptions/${SUB}`;
    const body = {
      scope: RG,
      disks: { tags: { app: "web" } },
      schedule: { everyHours: 24 },
      retention: { keepLast: 3 },
    };
    s.emu.setPermissions(RESTRICTED, scope, { actions: ["Microsoft.Compute/*/read"] });
    let r = await call("/v1/policies/denied", { method: "PUT", json: body, token: RESTRICTED });
    assert.equal(r.status, 403, r.text);
    assert.ok(r.body.error.missing.includes("Microsoft.Compute/snapshots/write"));
    // wildcards minus notActions
    s.emu.setPermissions(RESTRICTED, scope, {
      actions: ["Microsoft.Compute/*"],
      notActions: ["Microsoft.Compute/snapshots/delete"],
    });
    r = await call("/v1/policies/denied", { method: "PUT", json: body, token: RESTRICTED });
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body.error.missing, ["Microsoft.Compute/snapshots/delete"]);
    assert.equal((await call("/v1/policies/denied")).status, 404, "nothing stored");
    // a stored policy is neither listed nor shown to the restricted caller
    assert.equal((await call("/v1/policies/shown", { method: "PUT", json: body })).status, 201);
    assert.equal((await call("/v1/policies/shown", { token: RESTRICTED })).status, 403);
    assert.equal((await call("/v1/policies/shown/runs", { token: RESTRICTED })).status, 403);
    assert.equal((await call("/v1/policies/shown", { method: "DELETE", token: RESTRICTED })).status, 403);
    const l = await call("/v1/policies", { token: RESTRICTED });
    assert.equal(l.status, 200);
    assert.ok(!l.body.policies.some((p) => p.name === "shown"));
    // Microsoft.Compute/* alone is enough
    s.emu.setPermissions(RESTRICTED, scope, { actions: ["Microsoft.Compute/*"] });
    assert.equal((await call("/v1/policies/shown", { token: RESTRICTED })).status, 200);
    s.emu.clearPermissions(RESTRICTED);
    assert.equal((await call("/v1/policies/shown", { method: "DELETE" })).status, 200);
  });

  test("cron: snapshots created with tags, keepLast applied, history recorded; the token is cached", async () => {
    const body = {
      scope: RG,
      disks: { tags: { app: "web" } },
      schedule: { everyHours: 24, at: "03:00" },
      retention: { keepLast: 3 },
    };
    assert.equal((await call("/v1/policies/daily", { method: "PUT", json: body })).status, 201);
    const day = new Date();
    const slot = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 3, 0, 0) - 86_400_000;
    const runTag = `daily@${new Date(slot).toISOString().replace(/\.000Z$/, "Z")}`;
    const before = s.emu.tokenRequests.length;
    const osdisk = s.emu.seedInfo.disks[0];
    const chainBefore = chainOf(osdisk).length;
    assert.ok(chainBefore > 3, `the demo chain has ${chainBefore}`);
    const out = await scheduled(slot + 5 * 60_000);
    assert.equal(out.outcome, "ok");
    const runs = await runsUntil("daily", (rs) => rs[0] && rs[0].status !== "running" && rs[0].disks.length === 2);
    const run = runs[0];
    assertSchema("PolicyRuns", { policy: "daily", runs });
    assert.equal(run.run, runTag);
    assert.equal(run.trigger, "schedule");
    assert.equal(run.status, "succeeded", JSON.stringify(run));
    assert.equal(run.selected, 2);
    for (const d of run.disks) {
      assert.equal(d.status, "succeeded", JSON.stringify(d));
      assert.ok(d.created.id.includes("/snapshots/"));
    }
    const made = snapshotsOf(runTag);
    assert.equal(made.length, 2);
    for (const m of made) assert.equal(m.tags["backup-policy"], "daily");
    const os = run.disks.find((d) => d.disk.toLowerCase() === osdisk.toLowerCase());
    assert.ok(os.deleted.length > 0, "retention deleted some of the demo chain");
    assert.ok(chainOf(osdisk).length < chainBefore, "the chain is shorter");
    assert.ok(
      chainOf(osdisk).some((x) => x.tags?.["backup-run"] === runTag),
      "the new snapshot is kept",
    );
    const mine = s.emu.tokenRequests.slice(before).filter((t) => t.clientId === CLIENT_ID);
    assert.equal(mine.length, 1, "one token request for the whole run (cached)");
    assert.equal(mine[0].credential, "secret");
    assert.equal(mine[0].status, 200);

    // the same scheduled time again, and a late tick in the same slot: nothing new
    assert.equal((await scheduled(slot + 5 * 60_000)).outcome, "ok");
    assert.equal((await scheduled(slot + 3 * 3_600_000)).outcome, "ok");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(snapshotsOf(runTag).length, 2, "created once");
    const again = await call("/v1/policies/daily/runs");
    assert.equal(again.body.runs.filter((x) => x.run === runTag).length, 1);
    assert.equal(s.emu.tokenRequests.slice(before).filter((t) => t.clientId === CLIENT_ID).length, 1);
  });

  test("preview is a dry run: the disks and what retention would delete, nothing deleted", async () => {
    s.reset();
    const r = await call("/v1/policies/daily/preview", { method: "POST" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.selected, 2);
    assertSchema("PolicyPreview", r.body);
    for (const d of r.body.disks) {
      assert.equal(d.create.tags["backup-policy"], "daily");
      assert.ok(Array.isArray(d.retention.remove));
    }
    assert.ok(!s.armRequests().some((x) => x.method === "DELETE"), "no delete sent");
    assert.ok(!s.armRequests().some((x) => x.method === "PUT"), "no snapshot made");
  });

  test("run now; a 429 from ARM re-arms the step and the run completes later", async () => {
    const body = { scope: RG, disks: { ids: [SQL_DISK] }, schedule: { everyHours: 12 }, retention: { keepLast: 2 } };
    assert.equal((await call("/v1/policies/sql", { method: "PUT", json: body })).status, 201);
    s.emu.addFault({ route: "PUT /providers/Microsoft.Compute/snapshots/", kind: "throttle", count: 2, retryAfter: 1 });
    const r = await call("/v1/policies/sql/run", { method: "POST" });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.body.disks, [SQL_DISK]);
    assertSchema("PolicyRunStarted", r.body);
    const runs = await runsUntil("sql", (rs) => rs[0] && rs[0].status !== "running");
    const d = runs[0].disks[0];
    assert.equal(runs[0].trigger, "manual");
    assert.equal(d.status, "succeeded", JSON.stringify(d));
    assert.ok(d.errors.filter((e) => e.code === "THROTTLED").length >= 2, JSON.stringify(d.errors));
    assert.ok(d.errors.every((e) => e.step === "create"));
    assert.equal(snapshotsOf(runs[0].run).length, 1);
    assert.ok(chainOf(SQL_DISK).length <= 2 + 1, "keepLast 2 (plus what protections keep)");
  });

  test("Azure's 7 snapshots per 5 minutes: the 8th run of a disk waits, with a note", async () => {
    const disk = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Compute/disks/dev-scratch`;
    const body = {
      scope: `/subscriptions/${SUB}/resourceGroups/rg-dev`,
      disks: { ids: [disk] },
      schedule: { everyHours: 1 },
      retention: { keepLast: 20 },
    };
    assert.equal((await call("/v1/policies/burst", { method: "PUT", json: body })).status, 201);
    for (let i = 0; i < 8; i++) {
      assert.equal((await call("/v1/policies/burst/run", { method: "POST" })).status, 202);
      await new Promise((r) => setTimeout(r, 5)); // distinct slots (ms)
    }
    const runs = await runsUntil(
      "burst",
      (rs) =>
        rs.length === 8 &&
        rs.filter((x) => x.status === "succeeded").length === 7 &&
        (rs[0].disks[0]?.notes ?? []).length > 0,
    );
    const waiting = runs[0];
    assert.equal(waiting.status, "running");
    assert.ok(
      waiting.disks[0].notes.some((n) => /7 snapshots per 5 minutes/.test(n)),
      JSON.stringify(waiting.disks[0]),
    );
    assert.equal(waiting.disks[0].created, undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(chainOf(disk).filter((x) => x.tags?.["backup-policy"] === "burst").length, 7);
    assert.equal((await call("/v1/policies/burst", { method: "DELETE" })).status, 200);
  });

  test("the certificate assertion (RS256, x5t#S256) gets the token", async () => {
    const pkcs8 = cred.privateKey.export({ type: "pkcs8", format: "pem" });
    const other = await s.another({
      AZURE_CLIENT_ID: CERT_CLIENT_ID,
      AZURE_CLIENT_SECRET: undefined,
      AZURE_CLIENT_CERTIFICATE_PEM: cred.certificatePem,
      AZURE_CLIENT_PRIVATE_KEY_PEM: pkcs8,
    });
    try {
      // `other` has Durable Objects of its own: the policy is stored there first
      const body = {
        scope: RG,
        disks: { ids: [LEGACY_DISK] },
        schedule: { everyHours: 24 },
        retention: { keepLast: 5 },
      };
      const put = await s.call("/v1/policies/cert", { method: "PUT", token: TOKEN, json: body, via: other });
      assert.equal(put.status, 201, put.text);
      const before = s.emu.tokenRequests.length;
      const r = await s.call("/v1/policies/cert/run", { method: "POST", token: TOKEN, via: other });
      answers.push(r.text);
      assert.equal(r.status, 202, r.text);
      await poll(
        async () => {
          const h = await s.call("/v1/policies/cert/runs", { token: TOKEN, via: other });
          answers.push(h.text);
          return h.body.runs[0]?.status === "succeeded";
        },
        { tries: 300, ms: 100 },
      );
      const mine = s.emu.tokenRequests.slice(before).filter((t) => t.clientId === CERT_CLIENT_ID);
      assert.ok(mine.length >= 1, "a token request");
      assert.equal(mine[0].credential, "assertion");
      assert.equal(mine[0].alg, "RS256");
      assert.equal(mine[0].status, 200, JSON.stringify(mine[0]));
      assert.ok(!answers.join("").includes("PRIVATE KEY"));
    } finally {
      await other.dispose();
    }
  });

  test("no answer or log carries the secret or a token", async () => {
    const text = answers.join("\n") + s.logs.join("");
    assert.ok(!text.includes(SECRET));
    assert.ok(!/emusp_/.test(text), "no service-principal token");
    assert.ok(!text.includes(TOKEN));
  });
});
