#!/usr/bin/env node
// Compares builds of the package on the two hot paths (for trying a src/ change before it lands):
// filterIncrementalSnapshots on one 1,000-snapshot page, and listIncrementalSnapshots over HTTP
// (emulator in its own process), against JSON.parse + JS filter and raw fetch + JSON.parse.
//
//   node --expose-gc bench/compare-builds.mjs [label=path/to/glue.js[,path/to/_bg.wasm] ...]
//
// pkg/ is always included as "pkg". A glue path is a wasm-bindgen --target web output; the .wasm
// defaults to <glue>_bg.wasm next to it.
import { bulkOptions, spawnEmulator } from "./lib/spawn-emulator.mjs";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { summarize, cell } from "./lib/stats.mjs";
import { filterArmJson, matchArmJson, sortArmJson } from "./lib/jsfilter.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, "..");
const TOKEN = "bench-token";
const RUNS = 7;
const gc = globalThis.gc ?? (() => {});

const builds = { pkg: await import(pathToFileURL(join(root, "pkg", "node.mjs")).href) };
for (const arg of process.argv.slice(2)) {
  const [label, spec] = arg.split("=");
  const [gluePath, wasmPath] = spec.split(",");
  const glue = await import(pathToFileURL(resolve(gluePath)).href);
  glue.initSync({ module: readFileSync(resolve(wasmPath ?? gluePath.replace(/\.js$/, "_bg.wasm"))) });
  builds[label] = glue;
}

const emulator = await spawnEmulator(bulkOptions(10000));
try {
  const { url, seedInfo } = emulator;
  const origin = new URL(url).origin;
  const auth = { headers: { Authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(60_000) };
  const disk = await (await fetch(`${origin}${seedInfo.disks[0]}?api-version=2025-01-02`, auth)).json();
  const listUrl = `${origin}/subscriptions/${seedInfo.subscriptionId}/resourceGroups/${seedInfo.resourceGroup}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02`;
  const page = await (await fetch(listUrl, auth)).text();
  const expected = filterArmJson(disk, JSON.parse(page).value)
    .map((s) => s.id)
    .join();

  const time = async (fn, k) => {
    const runs = [];
    for (let i = 0; i < 2 + RUNS; i++) {
      gc();
      const t0 = performance.now();
      for (let j = 0; j < k; j++) await fn();
      if (i >= 2) runs.push((performance.now() - t0) / k);
    }
    return summarize(runs, 3);
  };
  console.log("filter one 1,000-snapshot page (ms per call):");
  console.log(`  JSON.parse + JS filter   ${cell(await time(() => filterArmJson(disk, JSON.parse(page).value), 10))}`);
  for (const [label, m] of Object.entries(builds)) {
    const got = m
      .filterIncrementalSnapshots(disk, page)
      .map((s) => s.id)
      .join();
    if (got !== expected) throw new Error(`${label}: filterIncrementalSnapshots returned another chain`);
    console.log(`  ${label.padEnd(24)} ${cell(await time(() => m.filterIncrementalSnapshots(disk, page), 10))}`);
  }
  console.log("list and filter, N = 10,000 over HTTP, emulator in its own process (ms):");
  const floor = async () => {
    let chain = [];
    for (let next = listUrl, i = 0; next && i < 1000; i++) {
      const body = JSON.parse(await (await fetch(next, auth)).text());
      chain = chain.concat(matchArmJson(disk, body.value));
      next = body.nextLink;
    }
    return sortArmJson(chain);
  };
  console.log(`  floor (fetch+JSON.parse) ${cell(await time(floor, 1))}`);
  for (const [label, m] of Object.entries(builds)) {
    const client = new m.ArmClient({ token: TOKEN, endpoint: origin });
    console.log(`  ${label.padEnd(24)} ${cell(await time(() => client.listIncrementalSnapshots(disk), 1))}`);
  }
} finally {
  await emulator.close();
}
setTimeout(() => process.exit(0), 100).unref();
