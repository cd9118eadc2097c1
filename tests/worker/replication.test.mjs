// POST /v1/replications: a differential copy of a disk's incremental snapshots into a page blob,
// run by one Durable Object per job in bounded batches (one per alarm), through the worker in
// workerd against the emulator's ARM and Blob service. The job is killed mid-copy (workerd
// disposed) and started again on the same persist dir: paused, resumed with a token, byte-exact.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prerequisites, startStack } from "./helpers.mjs";
import {
  MiB,
  TOKEN,
  assertSameBytes,
  poll,
  putPages,
  sourceBlob,
  spreadWrites,
  twoSnapshots,
} from "./blob-helpers.mjs";

const missing = await prerequisites();
/** Chunks in flight per job (REPLICATION_CONCURRENCY): what a stop or a crash may lose. */
const CONCURRENCY = 3;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe("replication jobs", { skip: missing ?? false, timeout: 300_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  let persistDir;
  let diskId;
  let snaps;
  /** Every answer of the worker in this suite, to prove no target URL or signature is in any. */
  const answers = [];
  const targets = [];
  let baselinePuts = null;
  let baselineBatches = null;

  async function call(path, opts) {
    const r = await s.call(path, opts);
    answers.push(r.text);
    return r;
  }
  function target(name) {
    const url = s.emu.blob.targetUrl("backupacct", "replicas", name);
    targets.push(url);
    return url;
  }
  const job = (id) => call(`/v1/replications/${id}`, { token: TOKEN });
  async function waitFor(id, pred, { tries = 600, ms = 100 } = {}) {
    return poll(
      async () => {
        const r = await job(id);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (r.body.status === "failed") assert.fail(`job failed: ${JSON.stringify(r.body.error)}`);
        return pred(r.body) ? r.body : null;
      },
      { tries, ms },
    );
  }
  function assertReplicatedExactly(body, targetUrl) {
    assert.ok(Array.isArray(body.replicated) && body.replicated.length >= 1, JSON.stringify(body));
    const ours = body.replicated.filter((x) =>
      [snaps.first, snaps.second].some((id) => id.toLowerCase() === x.snapshotId.toLowerCase()),
    );
    assert.equal(ours.length, 2, `both snapshots replicated: ${JSON.stringify(body.replicated)}`);
    for (const x of body.replicated) {
      const src = sourceBlob(s.emu, x.snapshotId);
      assertSameBytes(
        s.emu,
        { ref: src.familyId, snapshot: src.snapshot },
        { ref: targetUrl, snapshot: x.targetSnapshot },
        `${x.snapshotId} → target snapshot ${x.targetSnapshot}`,
      );
    }
    const last = body.replicated[body.replicated.length - 1];
    const src = sourceBlob(s.emu, last.snapshotId);
    assertSameBytes(s.emu, { ref: src.familyId, snapshot: src.snapshot }, { ref: targetUrl }, "the target blob itself");
  }

  before(
    async () => {
      persistDir = mkdtempSync(join(tmpdir(), "worker-do-"));
      s = await startStack({
        persistDir,
        bindings: {
          ARM_MAX_RETRIES: "1",
          WAIT_TIMEOUT_MS: "8000",
          REPLICATION_BATCH_CHECKPOINTS: "2",
          REPLICATION_BATCH_GAP_MS: "20",
          REPLICATION_CONCURRENCY: String(CONCURRENCY),
        },
      });
      diskId = s.emu.seedInfo.disks.find((id) => id.endsWith("/dev-scratch"));
      assert.ok(diskId, "demo disk dev-scratch");
      const random = Buffer.alloc(64 * 1024);
      for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
      snaps = await twoSnapshots(
        s,
        diskId,
        "rep",
        [
          ...spreadWrites(8, { base: 0, gap: 4 * MiB, length: 128 * 1024 }),
          { offset: 200 * MiB, length: random.length, dataBase64: random.toString("base64") },
        ],
        [
          ...spreadWrites(4, { base: 2 * MiB, gap: 8 * MiB, length: 64 * 1024, byte: 0x80 }),
          { offset: 4 * MiB, length: 128 * 1024, clear: true },
        ],
      );
    },
    { timeout: 90_000 },
  );
  after(async () => {
    if (s) await s.close();
    if (persistDir) rmSync(persistDir, { recursive: true, force: true });
    // no answer and no line workerd logged holds a target URL, its signature or the token
    const texts = [...answers, ...(s ? s.logs : [])];
    for (const url of targets) {
      const sig = new URL(url).searchParams.get("sig");
      for (const t of texts) {
        assert.ok(
          !t.includes(url) && !t.includes(sig) && !t.includes(encodeURIComponent(sig)),
          `a secret in: ${t.slice(0, 300)}`,
        );
      }
    }
    for (const t of texts) assert.ok(!t.includes(TOKEN), "the token in an answer or a log line");
  });

  test("a job copies both snapshots byte-exact, in several batches, without Authorization on blob requests", async () => {
    s.reset();
    s.emu.blob.resetRequests();
    const targetUrl = target("scratch-a");
    const r = await call("/v1/replications", {
      method: "POST",
      token: TOKEN,
      json: { disk: diskId, targetUrl, from: snaps.first },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.match(r.body.id, /^[0-9a-f]{64}$/);
    assert.equal(r.body.status, "running");
    assert.equal(r.body.statusUrl, `/v1/replications/${r.body.id}`);
    assert.equal(r.headers.get("location"), `http://worker.test/v1/replications/${r.body.id}`);
    const done = await waitFor(r.body.id, (b) => b.status === "succeeded");
    assert.equal(done.disk.toLowerCase(), diskId.toLowerCase());
    assert.ok(done.progress.batches > 1, `several alarms: ${JSON.stringify(done.progress)}`);
    assert.equal(done.error, undefined);
    assert.equal(done.targetUrl, undefined);
    assertReplicatedExactly(done, targetUrl);
    baselinePuts = putPages(s.emu);
    baselineBatches = done.progress.batches;
    assert.ok(baselinePuts > 0);
    const blob = s.outbound.filter((o) => new URL(o.url).pathname.startsWith("/blob/"));
    assert.ok(blob.length > 0);
    assert.ok(
      blob.every((o) => !o.authorization),
      "no blob request carries Authorization",
    );
    assert.ok(
      s.outbound.every((o) => new URL(o.url).origin === s.emu.url.replace(/\/$/, "")),
      "loopback only",
    );
  });

  test("killed mid-copy and restarted: paused, needs a token; resumed, byte-exact, no finished chunk sent again", async () => {
    assert.ok(baselinePuts, "the first test ran");
    s.reset();
    s.emu.blob.resetRequests();
    s.emu.blob.addFault({ route: "PUT comp=page", kind: "latency", ms: 150, count: -1 });
    const targetUrl = target("scratch-b");
    const r = await call("/v1/replications", {
      method: "POST",
      token: TOKEN,
      json: { disk: diskId, targetUrl, from: snaps.first },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const id = r.body.id;
    await waitFor(id, (b) => b.progress.checkpoints >= 3, { tries: 200, ms: 50 });
    await s.stop(); // as a crash: workerd goes, the object's memory (the token) with it
    s.emu.blob.clearFaults();
    s.emu.blob.releaseHung();
    await s.restart();
    const paused = await waitFor(id, (b) => b.status === "paused", { tries: 100, ms: 100 });
    assert.equal(paused.error.code, "TOKEN_NEEDED");
    assert.match(paused.error.message, /POST \/v1\/replications\/\{id\}\/resume/);
    const putsAtPause = putPages(s.emu);
    await sleep(300);
    assert.equal(putPages(s.emu), putsAtPause, "a paused job sends nothing");

    const noToken = await call(`/v1/replications/${id}/resume`, { method: "POST" });
    assert.equal(noToken.status, 401);
    const resumed = await call(`/v1/replications/${id}/resume`, { method: "POST", token: TOKEN });
    assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
    assert.equal(resumed.body.status, "running");
    const done = await waitFor(id, (b) => b.status === "succeeded");
    assertReplicatedExactly(done, targetUrl);
    // Chunks sent twice are at most those in flight when a batch stopped or workerd died: one
    // concurrency's worth per batch boundary (every batch here is two checkpoints) and the crash.
    const puts = putPages(s.emu);
    const again = puts - baselinePuts;
    const boundaries = done.progress.batches; // every batch ends at a boundary, the crash is one more
    assert.ok(again >= 0, `${puts} Put Page against ${baselinePuts}`);
    assert.ok(again <= boundaries * CONCURRENCY, `${again} Put Page sent again over ${boundaries} batches`);
    assert.ok(done.progress.batches >= 2);
  });

  test("DELETE cancels: nothing is sent after, the job stays cancelled, resume is 409", async () => {
    s.reset();
    s.emu.blob.resetRequests();
    s.emu.blob.addFault({ route: "PUT comp=page", kind: "latency", ms: 150, count: -1 });
    try {
      const targetUrl = target("scratch-c");
      const r = await call("/v1/replications", {
        method: "POST",
        token: TOKEN,
        json: { disk: diskId, targetUrl, from: snaps.first },
      });
      assert.equal(r.status, 202);
      await waitFor(r.body.id, (b) => b.progress.checkpoints >= 1, { tries: 200, ms: 50 });
      const del = await call(`/v1/replications/${r.body.id}`, { method: "DELETE", token: TOKEN });
      assert.equal(del.status, 200, JSON.stringify(del.body));
      assert.equal(del.body.status, "cancelled");
      await sleep(400); // requests in flight at the cancel end
      const puts = putPages(s.emu);
      await sleep(600);
      assert.equal(putPages(s.emu), puts, "nothing sent after the cancel");
      assert.equal((await job(r.body.id)).body.status, "cancelled");
      const again = await call(`/v1/replications/${r.body.id}`, { method: "DELETE", token: TOKEN });
      assert.equal(again.status, 200);
      const resume = await call(`/v1/replications/${r.body.id}/resume`, { method: "POST", token: TOKEN });
      assert.equal(resume.status, 409);
    } finally {
      s.emu.blob.clearFaults();
    }
  });

  test("refusals: no token, bad disk, bad target URLs (never echoed), unknown keys and jobs", async () => {
    const good = target("scratch-d");
    const post = (json, token = TOKEN) => call("/v1/replications", { method: "POST", token, json });
    assert.equal((await post({ disk: diskId, targetUrl: good }, null)).status, 401);
    const cases = [
      [{ targetUrl: good }, "disk"],
      [{ disk: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/snapshots/z", targetUrl: good }, "disk"],
      [{ disk: diskId }, "targetUrl"],
      [{ disk: diskId, targetUrl: good.replace(/[?&]sig=[^&]*/, "") }, "targetUrl"],
      [{ disk: diskId, targetUrl: good.replace(/^http:\/\/127\.0\.0\.1/, "http://backup.example.com") }, "targetUrl"],
      [{ disk: diskId, targetUrl: `${good}&snapshot=2025-01-01T00:00:00.0000000Z` }, "targetUrl"],
      [{ disk: diskId, targetUrl: good.replace(/^http:/, "ftp:") }, "targetUrl"],
      [{ disk: diskId, targetUrl: good, from: 42 }, "from"],
      [{ disk: diskId, targetUrl: good, checkpoint: {} }, "checkpoint"],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 200)} → ${r.text}`);
      assert.equal(r.body.error.field, field, r.text);
    }
    const missingDisk = await post({ disk: diskId.replace("dev-scratch", "no-such-disk"), targetUrl: good });
    assert.equal(missingDisk.status, 404, missingDisk.text);
    assert.equal((await call(`/v1/replications/${"0".repeat(64)}`, { token: TOKEN })).status, 404);
    assert.equal((await call("/v1/replications/not-a-job", { token: TOKEN })).status, 404);
    assert.equal((await call(`/v1/replications/${"0".repeat(64)}`)).status, 401);
    assert.equal((await call("/v1/replications", { token: TOKEN })).status, 405);
  });
});
