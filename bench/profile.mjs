#!/usr/bin/env node
// Where the time of list-and-filter goes: profiles the package's listIncrementalSnapshots (and
// filterIncrementalSnapshots on one page) with V8's sampling profiler and prints self time by
// function, grouped into fetch / copy into wasm / parse in wasm / JS objects / GC.
//
//   node bench/profile.mjs                        the package in pkg/ (wasm functions unnamed)
//   node bench/profile.mjs --named                first builds a copy of the wasm with its function
//                                                 names kept (wasm-bindgen + wasm-opt -Oz -g, ~30 s)
//   node bench/profile.mjs --glue=/tmp/x/azure_incremental_snapshots.js   another build (-g keeps names)
//   node bench/profile.mjs --n=10000 --runs=15 --out=bench/profile.json
//
// The emulator runs in a child process so its JSON serialization is not in the profile.
import { bulkOptions, spawnEmulator } from "./lib/spawn-emulator.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { root, argv, opt } from "./lib/args.mjs";

const N = Number(opt("n", "10000"));
const RUNS = Number(opt("runs", "15"));
const TOKEN = "bench-token";

// The package: pkg/ as built, or a names-kept build of the same crate output.
let pkg;
let cleanup = () => {};
if (argv.includes("--named")) {
  const { namedBuild } = await import("./lib/named-build.mjs");
  const built = namedBuild(root);
  cleanup = built.cleanup;
  const glue = await import(pathToFileURL(built.glue).href);
  glue.initSync({ module: readFileSync(built.wasm) });
  pkg = glue;
} else if (opt("glue", null)) {
  // Another build of the same crate (wasm-bindgen --target web output), e.g. a src/ change on trial.
  const gluePath = resolve(opt("glue", null));
  const glue = await import(pathToFileURL(gluePath).href);
  glue.initSync({ module: readFileSync(opt("wasm", gluePath.replace(/\.js$/, "_bg.wasm"))) });
  pkg = glue;
} else {
  pkg = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
}

const emulator = await spawnEmulator(bulkOptions(N));
const { url, seedInfo } = emulator;
const origin = new URL(url).origin;

function classify(node) {
  const { functionName: fn, url: u } = node.callFrame;
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(idle)" || fn === "(program)" || fn === "(root)") return fn;
  if (u.startsWith("wasm://")) {
    if (/contains_ignore_ascii_case|eq_ignore_ascii_case|pattern::|Searcher/.test(fn))
      return "wasm: uniqueId pre-scan (contains_ignore_ascii_case)";
    if (/serde_json|serde_core|Deserializ|RawValue|from_raw_item|listing_items|on_page|parse_str|ignore_/.test(fn))
      return "wasm: JSON parsing (serde_json)";
    if (/memcpy|memmove|malloc|free|realloc|dlmalloc|alloc::/.test(fn)) return "wasm: memory (memcpy/malloc)";
    if (/from_utf8|utf8|str::/.test(fn)) return "wasm: UTF-8 validation";
    return "wasm: other";
  }
  if (/azure_incremental_snapshots\.js$|bench-named-|\/a\.js$/.test(u)) {
    if (/getStringFromWasm|decode|passStringToWasm|encode|string_get/.test(fn))
      return "glue: strings across the boundary (passStringToWasm0 / TextDecoder)";
    return "glue: other";
  }
  if (fn === "parse" && u === "") return "JSON.parse (native)";
  if (/undici|internal\/deps|node:internal\/(http|net|stream|streams|webstreams)|internal\/webstreams|fetch/.test(u))
    return "fetch / streams (JS)";
  if (u === "") return `native: ${fn || "(anonymous)"}`;
  return "other JS";
}

async function profiled(label, fn) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await fn(); // warm-up outside the profile
  await fn();
  globalThis.gc?.();
  await session.post("Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) await fn();
  const wall = (performance.now() - t0) / RUNS;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    self.set(n, (self.get(n) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  const groups = new Map();
  const fns = new Map();
  for (const [n, t] of self) {
    const g = classify(n);
    groups.set(g, (groups.get(g) ?? 0) + t / RUNS);
    const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\//, "")}`;
    fns.set(key, (fns.get(key) ?? 0) + t / RUNS);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Number(v.toFixed(2))]);
  return { label, wall_ms: Number(wall.toFixed(2)), groups_ms: sorted(groups), top_ms: sorted(fns).slice(0, 30) };
}

const disk = await (
  await fetch(`${origin}${seedInfo.disks[0]}?api-version=2025-01-02`, { headers: { Authorization: `Bearer ${TOKEN}` } })
).json();
const client = new pkg.ArmClient({ token: TOKEN, endpoint: origin });
const listUrl = `${origin}/subscriptions/${seedInfo.subscriptionId}/resourceGroups/${seedInfo.resourceGroup}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02`;
const firstPage = await (await fetch(listUrl, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
const out = { n: N, runs: RUNS, named: argv.includes("--named"), profiles: [] };
try {
  out.profiles.push(await profiled(`listIncrementalSnapshots, N = ${N}`, () => client.listIncrementalSnapshots(disk)));
  const pageUrls = [];
  for (let next = listUrl, i = 0; next && i < 1000; i++) {
    pageUrls.push(next);
    next = JSON.parse(await (await fetch(next, { headers: { Authorization: `Bearer ${TOKEN}` } })).text()).nextLink;
  }
  out.profiles.push(
    await profiled(`transfer only: fetch + arrayBuffer of the same ${pageUrls.length} pages`, async () => {
      for (const u of pageUrls) await (await fetch(u, { headers: { Authorization: `Bearer ${TOKEN}` } })).arrayBuffer();
    }),
  );
  out.profiles.push(
    await profiled(`floor: fetch + text + JSON.parse + JS filter of the same ${pageUrls.length} pages`, async () => {
      let chain = [];
      for (const u of pageUrls) {
        const v = JSON.parse(await (await fetch(u, { headers: { Authorization: `Bearer ${TOKEN}` } })).text()).value;
        chain = chain.concat(
          v.filter(
            (s) =>
              s.properties?.incremental === true &&
              s.properties.creationData?.sourceUniqueId === disk.properties.uniqueId,
          ),
        );
      }
      return chain;
    }),
  );
  out.profiles.push(
    await profiled("filterIncrementalSnapshots(disk, pageText) × 10, one 1,000-snapshot page", async () => {
      for (let i = 0; i < 10; i++) pkg.filterIncrementalSnapshots(disk, firstPage);
    }),
  );
  out.profiles.push(
    await profiled("JSON.parse + JS filter × 10, the same page", async () => {
      for (let i = 0; i < 10; i++) {
        const v = JSON.parse(firstPage).value;
        v.filter(
          (s) =>
            s.properties?.incremental === true &&
            s.properties.creationData?.sourceUniqueId === disk.properties.uniqueId,
        );
      }
    }),
  );
} finally {
  await emulator.close();
  cleanup();
}
for (const p of out.profiles) {
  console.log(`\n${p.label}: ${p.wall_ms} ms per run`);
  for (const [g, t] of p.groups_ms) if (t >= 0.05) console.log(`  ${String(t.toFixed(2)).padStart(8)} ms  ${g}`);
  console.log("  top functions (self time):");
  for (const [f, t] of p.top_ms.slice(0, 15))
    console.log(`  ${String(t.toFixed(2)).padStart(8)} ms  ${f.slice(0, 110)}`);
}
const outPath = opt("out", null);
if (outPath) writeFileSync(resolve(outPath), `${JSON.stringify(out, null, 2)}\n`);
setTimeout(() => process.exit(0), 100).unref();
