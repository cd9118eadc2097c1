// Backup policies' copy steps, in workerd against the emulator's ARM and Blob service:
// - copy.targetUrl (differential copy through replication.js's replicateBatch): the first run copies
//   its snapshot in full, the next one only the diff from it; the target's blob snapshots are
//   byte-equal to the ARM snapshots; the SAS URL is refused when it is not one, shown redacted, and
//   never in run history, errors, answers or logs;
// - copy.location (CopyStart): the copy made in the other region, tagged with the policy and the
//   run, in the history, and not made twice by a repeated tick; a CopyStart whose PUT landed but
//   whose answer was lost is adopted by the step's retry (one PUT, one copy), and a copy of that
//   name that is not this run's is never adopted.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { SUB, poll, prerequisites, root, startStack } from "./helpers.mjs";
import { MiB, assertSameBytes, sourceBlob, spreadWrites } from "./blob-helpers.mjs";
import { copyViolations, shownBody, workerBody } from "../../www/js/policy-model.js";

/** The slot of a daily policy at `hh`:00 UTC, yesterday: a tick in it is due, and its names are known. */
function yesterdayAt(hh) {
  const day = new Date();
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hh, 0, 0) - 86_400_000;
}
/** The run's snapshot name (`<disk>-bp-<yyyyMMdd-HHmmss>`, worker/src/policies.js) and its copy's. */
function runNames(diskName, slot, location) {
  const stamp = new Date(slot).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const snapshot = `${diskName}-bp-${stamp}`;
  return { snapshot, copy: `${snapshot}-${location}` };
}

const missing = await prerequisites();
const openapi = JSON.parse(readFileSync(join(root, "worker", "src", "openapi.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openapi, "openapi.json");
function assertSchema(name, value) {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 300)}`);
}
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000c001";
const SECRET = "sp-secret-policy-copy-0123456789";
const TOKEN = "user-token-policy-copy";
const CRON = "*/15 * * * *";
const DEV = `/subscriptions/${SUB}/resourceGroups/rg-dev`;
const PROD = `/subscriptions/${SUB}/resourceGroups/rg-prod-westeurope`;

describe("backup policies: copy steps", { skip: missing ?? false, timeout: 300_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  const answers = [];
  const targets = [];
  let scratch;

  async function call(path, opts = {}) {
    const r = await s.call(path, { token: TOKEN, ...opts });
    answers.push(r.text);
    return r;
  }
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
  const done = (rs) => rs[0] && rs[0].status !== "running" && rs[0].disks.length > 0;
  function target(name) {
    const url = s.emu.blob.targetUrl("backupacct", "policies", name);
    targets.push(url);
    return url;
  }

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
        REPLICATION_BATCH_CHECKPOINTS: "4",
        REPLICATION_BATCH_GAP_MS: "20",
        REPLICATION_CONCURRENCY: "3",
      }),
    });
    s.emu.registerServicePrincipal({ tenantId: s.emu.seedInfo.tenantId, clientId: CLIENT_ID, secret: SECRET });
    scratch = s.emu.seedInfo.disks.find((id) => id.endsWith("/dev-scratch"));
    assert.ok(scratch, "demo disk dev-scratch");
  });
  after(async () => {
    if (s) await s.close();
    // no answer and no line workerd logged holds a target URL or its signature
    const texts = [...answers, ...(s ? s.logs : [])];
    for (const url of targets) {
      const sig = new URL(url).searchParams.get("sig");
      for (const t of texts)
        assert.ok(!t.includes(sig) && !t.includes(encodeURIComponent(sig)), `a signature in: ${t.slice(0, 300)}`);
    }
    for (const t of texts) assert.ok(!t.includes(SECRET) && !t.includes(TOKEN), "a secret in an answer or log");
  });

  test("PUT refuses a target that is not a page blob SAS URL, each with its rule, and stores nothing", async () => {
    const good = target("refused");
    const base = { scope: DEV, disks: { ids: [scratch] }, schedule: { everyHours: 24 }, retention: { keepLast: 5 } };
    const u = new URL(good);
    const cases = [
      [42, "copy.targetUrl.type"],
      ["not a url", "copy.targetUrl.format"],
      [good.replace(/^http:\/\/127\.0\.0\.1/, "http://blob.example.com"), "copy.targetUrl.https"],
      [good.replace(/^http:\/\//, "http://user:pw@"), "copy.targetUrl.https"],
      [`${u.origin}${u.pathname}?sv=2021-06-08`, "copy.targetUrl.sas"],
      [good.replace(/sig=[^&]*/, "sig=REDACTED"), "copy.targetUrl.redacted"],
      ["https://acct.blob.core.windows.net/container?sv=2021-06-08&sig=abc", "copy.targetUrl.blob"],
      [`${good}&snapshot=2026-01-01T00:00:00.0000000Z`, "copy.targetUrl.blob"],
      [`${good}#frag`, "copy.targetUrl.format"],
      [`${good}&x=${"a".repeat(5000)}`, "copy.targetUrl.length"],
    ];
    for (const [targetUrl, rule] of cases) {
      const r = await call("/v1/policies/refused", { method: "PUT", json: { ...base, copy: { targetUrl } } });
      assert.equal(r.status, 400, r.text);
      const rules = r.body.error.violations.map((x) => x.rule);
      assert.ok(rules.includes(rule), `${rule} in ${rules.join(", ")} for ${String(targetUrl).slice(0, 80)}`);
      assert.ok(!r.text.includes(u.searchParams.get("sig")), "the message repeats no signature");
    }
    // one target blob per disk: a tag selection or two ids are refused; so is another snapshot group
    const two = await call("/v1/policies/refused", {
      method: "PUT",
      json: { ...base, disks: { tags: { env: "dev" } }, copy: { targetUrl: good } },
    });
    assert.ok(
      two.body.error.violations.some((x) => x.rule === "copy.targetUrl.oneDisk"),
      two.text,
    );
    const rg = await call("/v1/policies/refused", {
      method: "PUT",
      json: { ...base, snapshotResourceGroup: "rg-snapshots", copy: { targetUrl: good } },
    });
    assert.ok(
      rg.body.error.violations.some((x) => x.rule === "copy.targetUrl.snapshotResourceGroup"),
      rg.text,
    );
    const none = await call("/v1/policies/refused", { method: "PUT", json: { ...base, copy: {} } });
    assert.ok(
      none.body.error.violations.some((x) => x.rule === "copy.required"),
      none.text,
    );
    assert.equal((await call("/v1/policies/refused")).status, 404, "nothing stored");
  });

  test("the Retention page's copy rules (www/js/policy-model.js) are the worker's: the same cases, the same verdicts", async () => {
    const good = target("page-rules");
    const u = new URL(good);
    const one = [{ id: scratch, name: "dev-scratch" }];
    const two = [...one, { id: `${DEV}/providers/Microsoft.Compute/disks/other`, name: "other" }];
    const ids = { mode: "ids" };
    const cases = [
      [{ mode: "none" }, ids, one],
      [{ mode: "location", location: "northeurope" }, ids, one],
      [{ mode: "location", location: "North Europe" }, ids, one],
      [{ mode: "location", location: "" }, ids, one],
      [{ mode: "location", location: "a".repeat(41) }, ids, two],
      [{ mode: "targetUrl", targetUrl: good }, ids, one],
      [{ mode: "targetUrl", targetUrl: good }, { mode: "all" }, one],
      [{ mode: "targetUrl", targetUrl: good }, ids, two],
      [{ mode: "targetUrl", targetUrl: good }, { mode: "tags", tags: { env: "dev" } }, one],
      [{ mode: "targetUrl", targetUrl: "" }, ids, one],
      [{ mode: "targetUrl", targetUrl: "not a url" }, ids, one],
      [{ mode: "targetUrl", targetUrl: good.replace(/^http:\/\/127\.0\.0\.1/, "http://blob.example.com") }, ids, one],
      [{ mode: "targetUrl", targetUrl: `${u.origin}${u.pathname}?sv=2021-06-08` }, ids, one],
      [{ mode: "targetUrl", targetUrl: shownBody({ copy: { targetUrl: good } }).copy.targetUrl }, ids, one],
      [{ mode: "targetUrl", targetUrl: `${u.origin}/onlycontainer?sig=abc` }, ids, one],
      [{ mode: "targetUrl", targetUrl: `${good}&snapshot=2026-01-01T00:00:00.0000000Z` }, ids, one],
      [{ mode: "targetUrl", targetUrl: `${good}#frag` }, ids, one],
      [{ mode: "targetUrl", targetUrl: `${good}&x=${"a".repeat(5000)}` }, ids, two],
    ];
    let accepted = 0;
    for (const [copy, selector, disks] of cases) {
      const body = workerBody({
        scope: DEV,
        selector,
        disks,
        schedule: { everyHours: 24, at: "02:00" },
        policy: { keepLast: 5 },
        copy,
        enabled: false,
      });
      const page = copyViolations(copy, { selector, disks })
        .map((x) => x.rule)
        .sort();
      const r = await call("/v1/policies/page-rules", { method: "PUT", json: body });
      const what = `${JSON.stringify(copy).slice(0, 100)} ${selector.mode} ${disks.length}`;
      if (r.status === 201) {
        accepted += 1;
        assert.deepEqual(page, [], `the worker takes ${what}`);
        assert.equal((await call("/v1/policies/page-rules", { method: "DELETE" })).status, 200);
      } else {
        assert.equal(r.status, 400, r.text);
        const worker = r.body.error.violations
          .map((x) => x.rule)
          .filter((x) => x.startsWith("copy"))
          .sort();
        assert.ok(worker.length > 0, `refused for its copy: ${r.text.slice(0, 300)}`);
        assert.deepEqual(page, worker, what);
      }
    }
    assert.equal(accepted, 4, "none, a region, one disk by id, the only disk");
  });

  test("copy.targetUrl: two runs, a full copy then a diff; the target's snapshots equal the ARM snapshots", async () => {
    const targetUrl = target("dev-scratch");
    const body = {
      scope: DEV,
      disks: { ids: [scratch] },
      schedule: { everyHours: 24 },
      retention: { keepLast: 20 },
      copy: { targetUrl },
    };
    assertSchema("PolicyRequest", body);
    const put = await call("/v1/policies/diffcopy", { method: "PUT", json: body });
    assert.equal(put.status, 201, put.text);
    assertSchema("Policy", put.body);
    const shown = new URL(put.body.copy.targetUrl);
    assert.equal(shown.searchParams.get("sig"), "REDACTED");
    assert.equal(shown.pathname, new URL(targetUrl).pathname, "the rest of the URL is shown");
    for (const r of [await call("/v1/policies/diffcopy"), await call("/v1/policies")]) {
      assert.equal(r.status, 200);
      assert.ok(r.text.includes("sig=REDACTED"), r.text.slice(0, 300));
    }

    const random = Buffer.alloc(64 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    s.emu.writeDisk(scratch, [
      ...spreadWrites(6, { base: 0, gap: 4 * MiB, length: 128 * 1024 }),
      { offset: 100 * MiB, length: random.length, dataBase64: random.toString("base64") },
    ]);
    assert.equal((await call("/v1/policies/diffcopy/run", { method: "POST" })).status, 202);
    let runs = await runsUntil("diffcopy", done);
    const first = runs[0].disks[0];
    assert.equal(first.status, "succeeded", JSON.stringify(first));
    assert.equal(first.replicated.kind, "full");
    assert.equal(first.replicated.snapshots.length, 1);
    assert.equal(first.replicated.snapshots[0].snapshotId.toLowerCase(), first.created.id.toLowerCase());
    assert.ok(first.replicated.copiedBytes >= 6 * 128 * 1024, JSON.stringify(first.replicated));

    s.emu.writeDisk(scratch, [
      ...spreadWrites(3, { base: 2 * MiB, gap: 8 * MiB, length: 64 * 1024, byte: 0x80 }),
      { offset: 4 * MiB, length: 128 * 1024, clear: true },
    ]);
    await new Promise((r) => setTimeout(r, 5));
    s.emu.blob.resetRequests();
    s.reset();
    assert.equal((await call("/v1/policies/diffcopy/run", { method: "POST" })).status, 202);
    runs = await runsUntil("diffcopy", (rs) => rs.length === 2 && done(rs));
    assertSchema("PolicyRuns", { policy: "diffcopy", runs });
    const second = runs[0].disks[0];
    assert.equal(second.status, "succeeded", JSON.stringify(second));
    assert.equal(second.replicated.kind, "diff");
    assert.equal(second.replicated.from.toLowerCase(), first.created.id.toLowerCase());
    assert.equal(second.replicated.snapshots.length, 1);
    assert.equal(second.replicated.snapshots[0].snapshotId.toLowerCase(), second.created.id.toLowerCase());
    // only the diff was sent: the 3 writes (64 KiB each) and one clear, far below the first copy
    assert.ok(second.replicated.copiedBytes <= 3 * 64 * 1024 + 4096, JSON.stringify(second.replicated));
    assert.ok(second.replicated.clearedBytes >= 128 * 1024, JSON.stringify(second.replicated));
    assert.ok(
      !s.emu.blob.requests.some((r) => r.headers.includes("authorization")),
      "no Authorization on a blob request",
    );
    // the grants the copy made were all revoked
    const grants = s.armRequests().filter((r) => /beginGetAccess/i.test(r.url)).length;
    const revokes = s.armRequests().filter((r) => /endGetAccess/i.test(r.url)).length;
    assert.ok(grants >= 2, `grants: ${grants}`);
    assert.equal(revokes, grants, "every grant revoked");

    for (const d of [first, second]) {
      const x = d.replicated.snapshots[0];
      const src = sourceBlob(s.emu, x.snapshotId);
      const n = assertSameBytes(
        s.emu,
        { ref: src.familyId, snapshot: src.snapshot },
        { ref: targetUrl, snapshot: x.targetSnapshot },
        `${x.snapshotId} → target snapshot ${x.targetSnapshot}`,
      );
      assert.ok(n > 0, "bytes compared");
    }
    // the history holds no part of the target URL
    const hist = JSON.stringify(runs);
    assert.ok(!hist.includes(new URL(targetUrl).pathname), "no target path in the history");
    assert.equal((await call("/v1/policies/diffcopy", { method: "DELETE" })).status, 200);
  });

  test("an expired target SAS: the copy step fails with the blob's code, and no signature is in the history", async () => {
    const targetUrl = s.emu.blob.targetUrl("backupacct", "policies", "expired", {
      expiresAt: s.emu.store.now() - 60_000,
    });
    targets.push(targetUrl);
    const body = {
      scope: DEV,
      disks: { ids: [scratch] },
      schedule: { everyHours: 24 },
      retention: { keepLast: 20 },
      copy: { targetUrl },
    };
    assert.equal((await call("/v1/policies/expired", { method: "PUT", json: body })).status, 201);
    assert.equal((await call("/v1/policies/expired/run", { method: "POST" })).status, 202);
    const runs = await runsUntil("expired", done);
    const d = runs[0].disks[0];
    assert.equal(d.status, "failed", JSON.stringify(d));
    assert.ok(d.created?.id, "the snapshot was made before the copy");
    const e = d.errors.find((x) => x.step === "replicate");
    assert.ok(e, JSON.stringify(d.errors));
    assert.equal(e.code, "FORBIDDEN", JSON.stringify(e));
    const text = JSON.stringify(runs);
    assert.ok(!text.includes(new URL(targetUrl).searchParams.get("sig")), "no signature in the history");
    assert.ok(!/sig=(?!\[REDACTED\]|REDACTED)[^&"]/i.test(text), "no sig= value in the history");
    assert.equal((await call("/v1/policies/expired", { method: "DELETE" })).status, 200);
  });

  test("copy.location (CopyStart): one tagged copy in the other region, in the history, not made twice", async () => {
    const disk = `${PROD}/providers/Microsoft.Compute/disks/legacy-app-disk`;
    const body = {
      scope: PROD,
      disks: { ids: [disk] },
      schedule: { everyHours: 24, at: "02:00" },
      retention: { keepLast: 50 },
      copy: { location: "northeurope" },
    };
    assert.equal((await call("/v1/policies/geo", { method: "PUT", json: body })).status, 201);
    const day = new Date();
    const slot = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 2, 0, 0) - 86_400_000;
    const runTag = `geo@${new Date(slot).toISOString().replace(/\.000Z$/, "Z")}`;
    const copiesOf = () =>
      [...s.emu.store.snapshots.values()].filter(
        (x) => x.tags?.["backup-run"] === runTag && String(x.location).toLowerCase() === "northeurope",
      );
    const fire = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });
    assert.equal((await fire(slot + 60_000)).outcome, "ok");
    const runs = await runsUntil("geo", done);
    const d = runs[0].disks[0];
    assert.equal(d.status, "succeeded", JSON.stringify(d));
    assert.equal(d.copied.location, "northeurope");
    const copies = copiesOf();
    assert.equal(copies.length, 1);
    const copy = copies[0];
    assert.equal(copy.id.toLowerCase(), d.copied.id.toLowerCase());
    assert.equal(copy.tags["backup-policy"], "geo");
    assert.equal(copy.creationData?.createOption, "CopyStart");
    assert.equal(String(copy.creationData?.sourceResourceId).toLowerCase(), d.created.id.toLowerCase());
    // the same slot again, and a late tick in it: no second copy, one run in the history
    assert.equal((await fire(slot + 60_000)).outcome, "ok");
    assert.equal((await fire(slot + 5 * 3_600_000)).outcome, "ok");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(copiesOf().length, 1, "copied once");
    const again = await call("/v1/policies/geo/runs");
    assert.equal(again.body.runs.filter((x) => x.run === runTag).length, 1);
  });

  test("copy.location: a CopyStart PUT that landed but lost its answer is adopted on the retry, never sent twice", async () => {
    const disk = `${PROD}/providers/Microsoft.Compute/disks/vm-web-01-osdisk`;
    const slot = yesterdayAt(3);
    const names = runNames("vm-web-01-osdisk", slot, "northeurope");
    const body = {
      scope: PROD,
      disks: { ids: [disk] },
      schedule: { everyHours: 24, at: "03:00" },
      retention: { keepLast: 50 },
      copy: { location: "northeurope" },
    };
    assert.equal((await call("/v1/policies/adopt", { method: "PUT", json: body })).status, 201);
    s.reset();
    // the emulator makes the copy, then cuts its answer short: the step fails after the PUT landed
    s.emu.addFault({ route: `PUT /snapshots/${names.copy}?`, kind: "truncate", count: 1 });
    const fire = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });
    assert.equal((await fire(slot + 60_000)).outcome, "ok");
    const runs = await runsUntil("adopt", done);
    const d = runs[0].disks[0];
    assert.equal(d.status, "succeeded", JSON.stringify(d));
    assert.equal(d.created.name, names.snapshot);
    // the lost answer is in the history as the copy step's error, then the retry adopted the copy
    const lost = d.errors.filter((e) => e.step === "copy");
    assert.equal(lost.length, 1, JSON.stringify(d.errors));
    assert.notEqual(lost[0].code, "CONFLICT", JSON.stringify(lost[0]));
    const copyUrl = (r) =>
      new URL(r.url, "http://x").pathname.toLowerCase().endsWith(`/snapshots/${names.copy}`.toLowerCase());
    const puts = s.armRequests().filter((r) => r.method === "PUT" && copyUrl(r));
    assert.equal(puts.length, 1, "one CopyStart PUT");
    assert.equal(puts[0].status, 202, "the PUT was accepted (its answer cut short)");
    const copies = [...s.emu.store.snapshots.values()].filter(
      (x) => x.tags?.["backup-policy"] === "adopt" && String(x.location).toLowerCase() === "northeurope",
    );
    assert.equal(copies.length, 1, "one copy");
    assert.equal(copies[0].name, names.copy);
    assert.equal(copies[0].creationData?.createOption, "CopyStart");
    assert.equal(copies[0].tags["backup-run"], runs[0].run);
    assert.equal(d.copied.id.toLowerCase(), copies[0].id.toLowerCase(), "the run records the adopted copy");
    assert.equal(d.copied.location, "northeurope");
    assert.equal((await call("/v1/policies/adopt", { method: "DELETE" })).status, 200);
  });

  test("copy.location: a copy of the run's name that another run tagged is not adopted: CONFLICT, nothing copied", async () => {
    const { ArmClient } = await import(join(root, "pkg", "node.mjs"));
    const disk = `${PROD}/providers/Microsoft.Compute/disks/vm-web-01-osdisk`;
    const slot = yesterdayAt(4);
    const names = runNames("vm-web-01-osdisk", slot, "northeurope");
    // someone else's copy, under the name this run's copy will have
    const arm = new ArmClient({ token: "t", endpoint: s.emu.url, pollIntervalMs: 10, completionPollMs: 10 });
    const other = [...s.emu.store.snapshots.values()].find(
      (x) => x.name.startsWith("vm-web-01-osdisk-") && x.incremental && x.location === "westeurope",
    );
    assert.ok(other, "a snapshot of the OS disk in the demo");
    const foreign = await arm.copySnapshot(other.id, {
      location: "northeurope",
      name: names.copy,
      tags: { "backup-policy": "foreign", "backup-run": "foreign@2020-01-01T00:00:00Z" },
    });
    arm.free();
    const body = {
      scope: PROD,
      disks: { ids: [disk] },
      schedule: { everyHours: 24, at: "04:00" },
      retention: { keepLast: 50 },
      copy: { location: "northeurope" },
    };
    assert.equal((await call("/v1/policies/foreign", { method: "PUT", json: body })).status, 201);
    s.reset();
    const fire = async (t) => (await s.mf.getWorker()).scheduled({ cron: CRON, scheduledTime: new Date(t) });
    assert.equal((await fire(slot + 60_000)).outcome, "ok");
    const runs = await runsUntil("foreign", done);
    const d = runs[0].disks[0];
    assert.equal(d.status, "failed", JSON.stringify(d));
    assert.equal(d.created.name, names.snapshot, "the snapshot was made");
    assert.equal(d.copied, undefined, "no copy recorded");
    const e = d.errors.find((x) => x.step === "copy");
    assert.equal(e?.code, "CONFLICT", JSON.stringify(d.errors));
    const kept = [...s.emu.store.snapshots.values()].find((x) => x.id.toLowerCase() === foreign.id.toLowerCase());
    assert.equal(kept?.tags?.["backup-run"], "foreign@2020-01-01T00:00:00Z", "the other copy is untouched");
    const puts = s.armRequests().filter((r) => r.method === "PUT" && r.url.includes(names.copy));
    assert.equal(puts.length, 0, "no PUT over the existing name");
    assert.equal((await call("/v1/policies/foreign", { method: "DELETE" })).status, 200);
  });
});
