#!/usr/bin/env node
// Benchmarks of the azure-incremental-snapshots package against @azure/arm-compute and the
// physical floor (raw fetch + JSON.parse + a JS filter), side by side in one run.
// Prints a table and writes target/bench/results.json. Needs pkg/ built (npm run build).
// The suites are bench/suites/{list,page,create,size,startup,replicate}.mjs, run in that order.
//
//   node bench/run.mjs                 everything (about 7–9 minutes on 2 cores; replicate alone ~5)
//   node bench/run.mjs size create     only the named suites (any of list page create size startup replicate)
//   node bench/run.mjs --only=list,page the same
//   node bench/run.mjs --quick         fewer runs, for a smoke test
//   node bench/run.mjs --out=path.json write the results elsewhere
//
// Every figure is the median of several runs after warm-ups, with min/max, quartiles and the runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, arch, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { root, argv, opt } from "./lib/args.mjs";

const SUITES = ["list", "page", "create", "size", "startup", "replicate"];

// A forced GC before each measured call keeps one contender's garbage off the next one's clock.
if (typeof globalThis.gc !== "function" && !process.env.BENCH_NO_REEXEC) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...argv], {
    stdio: "inherit",
    env: { ...process.env, BENCH_NO_REEXEC: "1" },
  });
  process.exit(r.status ?? 1);
}

const named = [...argv.filter((a) => !a.startsWith("--")), ...(opt("only", "") ? opt("only", "").split(",") : [])];
const unknown = named.filter((n) => !SUITES.includes(n));
if (unknown.length) {
  console.error(`bench: unknown suite ${unknown.map((n) => `'${n}'`).join(", ")} (the suites: ${SUITES.join(", ")})`);
  process.exit(2);
}
const ONLY = new Set(named.length ? named : SUITES);
// Runs are written under target/ (untracked); the figures worth keeping go into bench/README.md.
const OUT = resolve(opt("out", join(root, "target", "bench", "results.json")));

const { WARMUPS, RUNS, ms } = await import("./lib/harness.mjs");
const suites = [];
for (const name of SUITES) if (ONLY.has(name)) suites.push(await import(`./suites/${name}.mjs`));

const results = {
  schema: 1,
  timestamp: new Date().toISOString(),
  machine: {
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGB: Number((totalmem() / 2 ** 30).toFixed(1)),
    loadavg_at_start: loadavg().map((x) => Number(x.toFixed(2))),
  },
  method: { warmups: WARMUPS, runs: RUNS, note: "ms fields are medians; *_spread gives min/max/q1/q3 and the runs" },
};
try {
  results.package = JSON.parse(readFileSync(join(root, "pkg", "package.json"), "utf8")).version;
  results.sdk = {
    "@azure/arm-compute": JSON.parse(readFileSync(join(root, "node_modules/@azure/arm-compute/package.json"), "utf8"))
      .version,
  };
} catch {
  /* informational only */
}

// Run the suites (they share the list's first page), print, write.
const started = ms();
const shared = { pageSource: null };
for (const suite of suites) await suite.run(results, shared);
results.durationSeconds = Number(((ms() - started) / 1000).toFixed(1));
results.machine.loadavg_at_end = loadavg().map((x) => Number(x.toFixed(2)));

// The size and speed goals the project set itself, each printed against its figure.
const targets = suites.flatMap((suite) => suite.targets(results));
results.targets = targets;

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);

// The table.
const lines = [];
lines.push(`azure-incremental-snapshots benchmarks — ${results.timestamp}`);
lines.push(
  `node ${results.machine.node}, ${results.machine.cpu} × ${results.machine.cores}, load average ${results.machine.loadavg_at_start[0]} → ${results.machine.loadavg_at_end[0]}; median (min–max) of ${RUNS} runs after ${WARMUPS} warm-ups`,
);
lines.push("");
for (const suite of suites) suite.print(results, lines);
lines.push("Targets");
for (const t of targets) lines.push(`   ${t.met ? "met   " : "MISSED"} ${t.target}: ${t.value}`);
lines.push("");
lines.push(`wrote ${OUT} in ${results.durationSeconds} s`);
console.log(lines.join("\n"));
