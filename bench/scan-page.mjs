#!/usr/bin/env node
// Focused micro-benchmark of the page filter (src/scan.rs behind filterIncrementalSnapshots):
// one 1,000-snapshot page from the bulk emulator seed, ours on text and on bytes against
// JSON.parse + the JS filter, in one process, rounds rotated, medians.
//
//   node bench/scan-page.mjs                      the package in pkg/
//   node bench/scan-page.mjs --build=/tmp/scanb   first builds the crate into that directory
//                                                 (its own CARGO_TARGET_DIR; pkg/ untouched)
//   node bench/scan-page.mjs --save=/tmp/page     also writes page.json and disk.json there
//                                                 (for the native timing test in tests/it/scan.rs)
//   --reuse=/tmp/scanb                            the build an earlier --build left there
//   --names                                       keep function names in that build (for --cpu-prof)
//   --only=ours_bytes                             time one contender (for a profile)
//   --runs=15 --k=20
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { bulkOptions } from "./lib/spawn-emulator.mjs";
import { filterArmJson } from "./lib/jsfilter.mjs";
import { root, argv, opt } from "./lib/args.mjs";

const RUNS = Number(opt("runs", "15"));
const K = Number(opt("k", "20"));
const NAME = "azure_incremental_snapshots";

let pkg;
const buildDir = opt("build", null);
const reuse = opt("reuse", null);
if (reuse) {
  // A directory an earlier --build made: its pkg/ as it is.
  const out = join(resolve(reuse), "pkg");
  const glue = await import(pathToFileURL(join(out, `${NAME}.js`)).href);
  glue.initSync({ module: readFileSync(join(out, `${NAME}_bg.wasm`)) });
  pkg = glue;
} else if (buildDir) {
  const dir = resolve(buildDir);
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    PATH: `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}`,
    CARGO_TARGET_DIR: join(dir, "target"),
  };
  const sh = (cmd, args, capture) =>
    execFileSync(cmd, args, {
      cwd: root,
      env,
      stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
      encoding: "utf8",
    });
  sh("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--lib"]);
  const crateWasm = join(dir, "target/wasm32-unknown-unknown/release", `${NAME}.wasm`);
  const out = join(dir, "pkg");
  sh("wasm-bindgen", ["--target", "web", "--out-dir", out, "--out-name", NAME, crateWasm]);
  const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
  const features = sh(wasmOpt, [crateWasm, "--print-features", "-o", "/dev/null"], true)
    .split(/\s+/)
    .filter((f) => f.startsWith("--enable-"));
  const wasm = join(out, `${NAME}_bg.wasm`);
  sh(wasmOpt, ["-Oz", ...(argv.includes("--names") ? ["-g"] : []), ...features, wasm, "-o", wasm]);
  const bytes = readFileSync(wasm);
  console.log(`wasm: ${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzip`);
  const glue = await import(pathToFileURL(join(out, `${NAME}.js`)).href);
  glue.initSync({ module: bytes });
  pkg = glue;
} else {
  pkg = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
}

const { startEmulator } = await import(pathToFileURL(join(root, "emulator", "index.mjs")).href);
const emu = await startEmulator(bulkOptions(1000));
let disk, text;
try {
  const origin = new URL(emu.url).origin;
  const info = emu.seedInfo;
  const headers = { Authorization: "Bearer bench-token" };
  disk = await (await fetch(`${origin}${info.disks[0]}?api-version=2025-01-02`, { headers })).json();
  const listUrl = `${origin}/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02`;
  text = await (await fetch(listUrl, { headers })).text();
} finally {
  await emu.close();
}
const save = opt("save", null);
if (save) {
  mkdirSync(save, { recursive: true });
  writeFileSync(join(save, "page.json"), text);
  writeFileSync(join(save, "disk.json"), JSON.stringify(disk));
}
const bytes = new TextEncoder().encode(text);
const contenders = {
  ours_text: () => {
    let r;
    for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, text);
    return r;
  },
  ours_bytes: () => {
    let r;
    for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, bytes);
    return r;
  },
  jsonparse: () => {
    let r;
    for (let i = 0; i < K; i++) r = filterArmJson(disk, JSON.parse(text).value);
    return r;
  },
};
const names = opt("only", null) ? [opt("only", null)] : Object.keys(contenders);
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < RUNS + 3; round++) {
  const outs = {};
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + round) % names.length];
    globalThis.gc?.();
    const t0 = performance.now();
    outs[name] = contenders[name]();
    if (round >= 3) times[name].push((performance.now() - t0) / K);
  }
  const ids = (c) => c.map((s) => s.id).join("\n");
  if (
    names.length === 3 &&
    (ids(outs.ours_text) !== ids(outs.jsonparse) || JSON.stringify(outs.ours_bytes) !== JSON.stringify(outs.ours_text))
  ) {
    throw new Error("outputs differ");
  }
}
const median = (l) => [...l].sort((a, b) => a - b)[l.length >> 1];
const m = Object.fromEntries(names.map((n) => [n, median(times[n])]));
console.log(
  `page: ${bytes.length} B, ${JSON.parse(text).value.length} snapshots, chain ${contenders.jsonparse().length}`,
);
for (const n of names) console.log(`${n.padEnd(11)} ${m[n].toFixed(3)} ms  (min ${Math.min(...times[n]).toFixed(3)})`);
if (names.length === 3) console.log(`ratio text  ${(m.jsonparse / m.ours_text).toFixed(2)}x`);
if (names.length === 3) console.log(`ratio bytes ${(m.jsonparse / m.ours_bytes).toFixed(2)}x`);
