// `npm run worker` (scripts/worker-dev.mjs): the worker in workerd on loopback, against the
// emulator it starts itself, or against ARM_ENDPOINT when that is set; Ctrl-C (SIGTERM) stops it.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prerequisites, root } from "./helpers.mjs";

const missing = await prerequisites();
const children = new Set();

/** Starts the dev script; resolves when it has printed the worker's URL (bounded). */
function startDev(env) {
  const dist = mkdtempSync(join(tmpdir(), "worker-dev-"));
  const child = spawn(process.execPath, [join(root, "scripts", "worker-dev.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: "0", EMULATOR_PORT: "0", WORKER_DIST: dist, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  const ready = new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 60 s: ${out} ${err}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^worker\s+(http:\/\/127\.0\.0\.1:\d+)/m.exec(out);
      if (m && /Ctrl-C stops/.test(out)) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out} ${err}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const r = await Promise.race([exited, new Promise((res) => setTimeout(() => res(null), 15_000))]);
    if (r === null) child.kill("SIGKILL");
    children.delete(child);
    rmSync(dist, { recursive: true, force: true });
    return r;
  };
  return { ready, stop, output: () => out };
}

const get = (url, headers = {}) => fetch(url, { headers, signal: AbortSignal.timeout(20_000) });

describe("npm run worker (scripts/worker-dev.mjs)", { skip: missing ?? false, timeout: 180_000 }, () => {
  after(async () => {
    for (const c of children) c.kill("SIGKILL");
  });

  test("starts the emulator and the worker on loopback; the printed example works; SIGTERM stops it", async () => {
    const dev = startDev({});
    let base;
    try {
      base = await dev.ready;
      const h = await get(`${base}/v1/health`);
      assert.equal(h.status, 200);
      assert.equal((await h.json()).ok, true);
      const curl = /curl -H 'Authorization: Bearer demo' (\S+)/.exec(dev.output());
      assert.ok(curl, dev.output());
      assert.ok(curl[1].startsWith(`${base}/v1/subscriptions/`));
      const r = await get(curl[1], { authorization: "Bearer demo" });
      assert.equal(r.status, 200);
      const body = await r.json();
      assert.ok(body.disk.id && Array.isArray(body.snapshots) && body.snapshots.length > 0);
      // CORS for the dev origins only
      const pre = await fetch(`${base}/v1/health`, {
        method: "OPTIONS",
        headers: { origin: "https://elsewhere.example", "access-control-request-method": "GET" },
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(pre.status, 403);
    } finally {
      const r = await dev.stop();
      assert.ok(r, "stopped within 15 s");
      // 0 from the script's own handler, or 143 (128 + SIGTERM) from miniflare's exit hook
      assert.ok(r.code === 0 || r.code === 143, JSON.stringify(r));
    }
    // workerd went with it: the port no longer answers
    await assert.rejects(get(`${base}/v1/health`));
  });

  test("policies run as the demo service principal; the printed cron URL fires the Cron Trigger", async () => {
    const dev = startDev({});
    try {
      const base = await dev.ready;
      const put =
        /curl -X PUT -H 'Authorization: Bearer demo' -H 'content-type: application\/json' (\S+) -d '([^']+)'/.exec(
          dev.output(),
        );
      assert.ok(put, dev.output());
      const r = await fetch(put[1], {
        method: "PUT",
        headers: { authorization: "Bearer demo", "content-type": "application/json" },
        body: put[2],
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(r.status, 201, await r.text());
      const cron = /curl '(\S+\/cdn-cgi\/handler\/scheduled\S*)'/.exec(dev.output());
      assert.ok(cron, dev.output());
      assert.equal((await get(cron[1])).status, 200);
      let last = null;
      for (let i = 0; i < 150; i++) {
        const h = await get(`${base}/v1/policies/web/runs`, { authorization: "Bearer demo" });
        last = await h.json();
        if (last.runs?.[0]?.disks?.length && last.runs[0].status !== "running") break;
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(last.runs[0].status, "succeeded", JSON.stringify(last));
      assert.ok(last.runs[0].disks.every((d) => d.created?.id));
    } finally {
      await dev.stop();
    }
  });

  test("with ARM_ENDPOINT set it starts no emulator and calls that endpoint", async () => {
    const { startEmulator } = await import(join(root, "emulator", "index.mjs"));
    const emu = await startEmulator({ seed: "demo", retryAfterSeconds: 0 });
    const dev = startDev({ ARM_ENDPOINT: emu.url, PORT: "0" });
    try {
      const base = await dev.ready;
      assert.match(dev.output(), new RegExp(`^ARM\\s+${emu.url.replace(/[.]/g, "\\.")}\\s*$`, "m"));
      assert.doesNotMatch(dev.output(), /emulator, demo seed/);
      emu.resetRequests();
      const disk = emu.seedInfo.disks[0].replace("/providers/Microsoft.Compute", "");
      const r = await get(`${base}/v1${disk}/incremental-snapshots`, { authorization: "Bearer demo" });
      assert.equal(r.status, 200);
      assert.ok(
        emu.requests.some((q) => q.method === "GET" && /\/disks\//.test(q.url)),
        "the given endpoint was called",
      );
    } finally {
      await dev.stop();
      await emu.close();
    }
  });
});
