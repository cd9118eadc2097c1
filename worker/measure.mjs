#!/usr/bin/env node
// Measures the worker: bundle size (raw and gzip, esbuild bundle as workerd loads it, and
// wrangler's own dry-run upload when wrangler runs here) and cold start in workerd through
// miniflare against the local ARM emulator. Prints one JSON object.
//
//   node worker/measure.mjs [--runs N]      (default 3 runs; needs pkg/ built and miniflare)
//
// Cold start = from `new Miniflare(...)` (which spawns a fresh workerd process and loads the
// bundle, wasm included) to the first response of GET /v1/health; then the first request of a
// real route (GET .../incremental-snapshots: the ARM client's first use, 2 ARM calls to the
// emulator on loopback), and a warm repeat of each for comparison.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker, measure, root, workerDir } from "./bundle.mjs";

const argv = process.argv.slice(2);
const runsArg = argv.indexOf("--runs");
const RUNS = Math.min(20, Math.max(1, Number(runsArg >= 0 ? argv[runsArg + 1] : 3) || 3));
const TIMEOUT = 30_000;

/** Workers script size limits (compressed upload): Free plan 3 MB, Paid plan 10 MB. */
export const LIMITS = { freeGzip: 3 * 1024 * 1024, paidGzip: 10 * 1024 * 1024, startupMs: 1000 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

/**
 * `wrangler deploy --dry-run --outdir <tmp>` with worker/wrangler.toml, offline. Wrangler 4's
 * launcher refuses Node < 22.12; its CLI itself runs on Node 20, so that is called directly.
 * Returns { files, raw, gzip, reported } or { error }.
 */
export function wranglerDryRun() {
  const cli = join(root, "node_modules", "wrangler", "wrangler-dist", "cli.js");
  if (!existsSync(cli)) return { error: "wrangler is not installed" };
  const out = mkdtempSync(join(tmpdir(), "worker-wrangler-"));
  try {
    const text = execFileSync(
      process.execPath,
      [cli, "deploy", "--dry-run", "--outdir", out, "-c", join(workerDir, "wrangler.toml")],
      {
        cwd: workerDir,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1", FORCE_COLOR: "0" },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 120_000,
      },
    );
    const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(text);
    const sizes = measure(out);
    return { ...sizes, reported: m ? { rawKiB: Number(m[1]), gzipKiB: Number(m[2]) } : null };
  } catch (e) {
    return {
      error: String(e.stderr || e.message)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" "),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function timed(fn) {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

async function main() {
  const { Miniflare } = await import("miniflare");
  const { startEmulator } = await import(join(root, "emulator", "index.mjs"));
  const dir = mkdtempSync(join(tmpdir(), "worker-measure-"));
  const emu = await startEmulator({ seed: "demo", retryAfterSeconds: 0, enforceRateLimit: false });
  const result = { bundle: null, wrangler: null, limits: LIMITS, coldStart: null };
  try {
    const b = await bundleWorker(dir);
    result.bundle = {
      raw: b.raw,
      gzip: b.gzip,
      files: b.files,
      withinFree: b.gzip <= LIMITS.freeGzip,
      withinPaid: b.gzip <= LIMITS.paidGzip,
    };
    result.wrangler = wranglerDryRun();
    const disk = emu.seedInfo.disks[0].replace(/\/providers\/Microsoft\.Compute/i, "");
    const route = `/v1${disk}/incremental-snapshots`;
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const get = async (mf, path, headers = {}) => {
        const r = await mf.dispatchFetch(`http://worker.test${path}`, {
          headers,
          signal: AbortSignal.timeout(TIMEOUT),
        });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      };
      const t0 = performance.now();
      const mf = new Miniflare({
        modules: true,
        scriptPath: join(dir, "index.js"),
        modulesRoot: dir,
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2025-09-01",
        bindings: { ARM_ENDPOINT: emu.url, ALLOWED_ORIGINS: "" },
      });
      try {
        await mf.ready;
        const readyMs = performance.now() - t0;
        await get(mf, "/v1/health");
        const healthMs = performance.now() - t0;
        const [routeMs] = await timed(() => get(mf, route, { authorization: "Bearer measure" }));
        const [warmHealthMs] = await timed(() => get(mf, "/v1/health"));
        const [warmRouteMs] = await timed(() => get(mf, route, { authorization: "Bearer measure" }));
        samples.push({ readyMs, healthMs, routeMs, warmHealthMs, warmRouteMs });
      } finally {
        await mf.dispose();
      }
    }
    // The same for a one-line worker: what workerd and miniflare cost by themselves.
    const baseline = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const mf = new Miniflare({
        modules: true,
        script: 'export default { fetch() { return new Response("ok") } }',
        compatibilityDate: "2025-09-01",
      });
      try {
        const r = await mf.dispatchFetch("http://worker.test/", { signal: AbortSignal.timeout(TIMEOUT) });
        await r.arrayBuffer();
        baseline.push(performance.now() - t0);
      } finally {
        await mf.dispose();
      }
    }
    const pick = (k) => round(median(samples.map((s) => s[k])));
    result.coldStart = {
      runs: RUNS,
      median: {
        newMiniflareToReadyMs: pick("readyMs"),
        newMiniflareToFirstHealthMs: pick("healthMs"),
        firstRealRouteMs: pick("routeMs"),
        newMiniflareToFirstRealRouteMs: round(median(samples.map((s) => s.healthMs + s.routeMs))),
        warmHealthMs: pick("warmHealthMs"),
        warmRealRouteMs: pick("warmRouteMs"),
        trivialWorkerNewMiniflareToFirstResponseMs: round(median(baseline)),
      },
      samples: samples.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]))),
      route: `GET ${route} (disk get + snapshot list against the emulator on loopback)`,
    };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const hardStop = setTimeout(() => {
    console.error("measure: gave up after 5 minutes");
    process.exit(1);
  }, 300_000);
  hardStop.unref();
  main().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e.stack || e.message);
      process.exit(1);
    },
  );
}
