#!/usr/bin/env node
// Runs the worker locally in workerd (through miniflare) on http://127.0.0.1:8787 (PORT changes it),
// against the ARM emulator with demo data, which it starts itself, or against ARM_ENDPOINT when that
// environment variable is set (then no emulator is started).
//
//   node scripts/worker-dev.mjs
//   PORT=9000 ALLOWED_ORIGINS=http://localhost:5173 node scripts/worker-dev.mjs
//   ARM_ENDPOINT=https://management.azure.com node scripts/worker-dev.mjs
//
// Other variables: HOST (default 127.0.0.1), EMULATOR_PORT, WORKER_DIST (where the bundle goes,
// default worker/dist), DO_PERSIST (a directory keeping the replication jobs' Durable Objects
// across runs; default: in memory), and the worker's own vars ARM_MAX_RETRIES, WAIT_TIMEOUT_MS,
// ARM_TIMEOUT_MS, STATUS_RETRY_AFTER_SECONDS, REPLICATION_BATCH_CHECKPOINTS, REPLICATION_BATCH_MS,
// REPLICATION_BATCH_GAP_MS, REPLICATION_CONCURRENCY, REPLICATION_RETAIN_HOURS (see worker/wrangler.toml).
// Needs pkg/ (npm run build) and the miniflare devDependency.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "../worker/bundle.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? "127.0.0.1";

let Miniflare;
try {
  ({ Miniflare } = await import("miniflare"));
} catch {
  console.error("miniflare is not installed: npm install (it is a devDependency)");
  process.exit(1);
}

let emulator = null;
let armEndpoint = process.env.ARM_ENDPOINT;
if (!armEndpoint) {
  const { startEmulator } = await import(join(root, "emulator", "index.mjs"));
  emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0), seed: "demo" });
  armEndpoint = emulator.url;
}

const bundle = await bundleWorker(process.env.WORKER_DIST ? resolve(process.env.WORKER_DIST) : undefined);
const vars = {
  ARM_ENDPOINT: armEndpoint,
  ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? `http://127.0.0.1:${port},http://localhost:${port}`,
};
for (const k of [
  "ARM_MAX_RETRIES",
  "WAIT_TIMEOUT_MS",
  "ARM_TIMEOUT_MS",
  "STATUS_RETRY_AFTER_SECONDS",
  "REPLICATION_BATCH_CHECKPOINTS",
  "REPLICATION_BATCH_MS",
  "REPLICATION_BATCH_GAP_MS",
  "REPLICATION_CONCURRENCY",
  "REPLICATION_RETAIN_HOURS",
]) {
  if (process.env[k]) vars[k] = process.env[k];
}

const mf = new Miniflare({
  modules: true,
  scriptPath: join(bundle.outdir, "index.js"),
  modulesRoot: bundle.outdir,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2025-09-01",
  bindings: vars,
  // one SQLite-backed Durable Object per replication job (wrangler.toml's binding and migration)
  durableObjects: { REPLICATIONS: { className: "ReplicationJob", useSQLite: true } },
  ...(process.env.DO_PERSIST ? { durableObjectsPersist: resolve(process.env.DO_PERSIST) } : {}),
  host,
  port,
});
const url = await mf.ready;

console.log(
  `worker     ${String(url).replace(/\/$/, "")}  (workerd via miniflare; bundle ${bundle.raw} B, ${bundle.gzip} B gzipped)`,
);
console.log(
  `ARM        ${armEndpoint}${emulator ? "  (emulator, demo seed; any bearer token works, 'expired' gets 401)" : ""}`,
);
if (emulator) {
  const disk = emulator.seedInfo.disks[0].replace("/providers/Microsoft.Compute", "");
  console.log(
    `try        curl -H 'Authorization: Bearer demo' ${String(url).replace(/\/$/, "")}/v1${disk}/incremental-snapshots`,
  );
}
console.log("Ctrl-C stops.");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.race([Promise.allSettled([mf.dispose(), emulator?.close()]), new Promise((r) => setTimeout(r, 5000))]);
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
