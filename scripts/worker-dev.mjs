#!/usr/bin/env node
// Runs the worker locally in workerd (through miniflare) on http://127.0.0.1:8787 (PORT changes it),
// against the ARM emulator with demo data, which it starts itself, or against ARM_ENDPOINT when that
// environment variable is set (then no emulator is started).
//
//   node scripts/worker-dev.mjs
//   PORT=9000 ALLOWED_ORIGINS=http://localhost:5173 node scripts/worker-dev.mjs
//   ARM_ENDPOINT=https://management.azure.com node scripts/worker-dev.mjs
//
// Backup policies: with the emulator, a demo service principal (a fresh secret each run) is
// registered and configured, and the Cron Trigger can be fired by hand (the printed
// /cdn-cgi/handler/scheduled URL: miniflare's local trigger, never part of a deployed worker).
// Against another ARM_ENDPOINT, set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or
// AZURE_CLIENT_CERTIFICATE_PEM + AZURE_CLIENT_PRIVATE_KEY_PEM) and AZURE_AUTHORITY_HOST yourself.
//
// Other variables: HOST (default 127.0.0.1), EMULATOR_PORT, WORKER_DIST (where the bundle goes,
// default worker/dist), DO_PERSIST (a directory keeping the replication jobs' Durable Objects
// across runs; default: in memory), and the worker's own vars ARM_MAX_RETRIES, WAIT_TIMEOUT_MS,
// ARM_TIMEOUT_MS, STATUS_RETRY_AFTER_SECONDS, REPLICATION_BATCH_CHECKPOINTS, REPLICATION_BATCH_MS,
// REPLICATION_BATCH_GAP_MS, REPLICATION_CONCURRENCY, REPLICATION_RETAIN_HOURS, POLICY_SPREAD_SECONDS,
// POLICY_POLL_MS, POLICY_RETENTION_SECONDS (see worker/wrangler.toml and worker/README.md).
// ALLOWED_ORIGINS defaults to the worker's own origin and the page of `npm start` (port 8080), so
// the Retention view's worker panel can call it.
// Needs pkg/ (npm run build) and the miniflare devDependency.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes, randomUUID } from "node:crypto";
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
  ALLOWED_ORIGINS:
    process.env.ALLOWED_ORIGINS ??
    `http://127.0.0.1:${port},http://localhost:${port},http://127.0.0.1:8080,http://localhost:8080`,
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
  "POLICY_SPREAD_SECONDS",
  "POLICY_POLL_MS",
  "POLICY_RETENTION_SECONDS",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PEM",
  "AZURE_CLIENT_PRIVATE_KEY_PEM",
  "AZURE_AUTHORITY_HOST",
]) {
  if (process.env[k]) vars[k] = process.env[k];
}
let demoPrincipal = null;
if (emulator && !vars.AZURE_CLIENT_ID) {
  // The demo's service principal: registered in the emulator's Entra, in the seeded tenant.
  demoPrincipal = { tenantId: emulator.seedInfo.tenantId, clientId: randomUUID() };
  const secret = randomBytes(24).toString("base64url");
  emulator.registerServicePrincipal({ ...demoPrincipal, secret });
  Object.assign(vars, {
    AZURE_TENANT_ID: demoPrincipal.tenantId,
    AZURE_CLIENT_ID: demoPrincipal.clientId,
    AZURE_CLIENT_SECRET: secret,
    AZURE_AUTHORITY_HOST: emulator.url,
  });
  vars.POLICY_SPREAD_SECONDS ??= "0";
  vars.POLICY_POLL_MS ??= "1000";
}

const mf = new Miniflare({
  modules: true,
  scriptPath: join(bundle.outdir, "index.js"),
  modulesRoot: bundle.outdir,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2025-09-01",
  bindings: vars,
  // one SQLite-backed Durable Object per replication job (wrangler.toml's binding and migration)
  durableObjects: {
    REPLICATIONS: { className: "ReplicationJob", useSQLite: true },
    POLICY_STORE: { className: "PolicyStore", useSQLite: true },
    POLICY_RUNS: { className: "PolicyRun", useSQLite: true },
  },
  // GET /cdn-cgi/handler/scheduled?cron=…&time=… fires the Cron Trigger (local only)
  unsafeTriggerHandlers: true,
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
const base = String(url).replace(/\/$/, "");
if (demoPrincipal) {
  console.log(`policies   run as the demo service principal ${demoPrincipal.clientId} (emulator Entra)`);
  const sub = emulator.seedInfo.subscriptionId;
  console.log(
    `           curl -X PUT -H 'Authorization: Bearer demo' -H 'content-type: application/json' ${base}/v1/policies/web -d '{"scope":"/subscriptions/${sub}","disks":{"tags":{"app":"web"}},"schedule":{"everyHours":1},"retention":{"keepLast":5}}'`,
  );
}
console.log(`cron       curl '${base}/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*'   (fires the Cron Trigger now)`);
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
