// What the suites of bench/run.mjs share: the built package, the emulator, the run counts, and
// rounds() (every contender, warm-ups then measured runs, rotating order, a GC before each call).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, flag } from "./args.mjs";

const gc = typeof globalThis.gc === "function" ? globalThis.gc : () => {};

export const QUICK = flag("quick");
export const WARMUPS = QUICK ? 1 : 2;
export const RUNS = QUICK ? 3 : 9;
export const TOKEN = "bench-token";
export const API = "2025-01-02";

const pkgNode = join(root, "pkg", "node.mjs");
if (!existsSync(pkgNode)) {
  console.error("bench: pkg/ is not built; run `npm run build` (or `npm run bench`, which builds first)");
  process.exit(1);
}
export const pkg = await import(pathToFileURL(pkgNode).href);
export const { startEmulator } = await import(pathToFileURL(join(root, "emulator", "index.mjs")).href);

export const log = (...a) => console.error("bench:", ...a);
export const ms = () => performance.now();
export function assert(cond, message) {
  if (!cond) throw new Error(`bench: ASSERTION FAILED: ${message}`);
}
export function withTimeout(promise, limitMs, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bench: ${what} took more than ${limitMs} ms`)), limitMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
export async function getJson(url) {
  const r = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`GET ${url} → ${r.status} ${await r.text()}`);
  return r.json();
}
/** One of the goals the project set itself, against its figure. */
export const target = (text, value, met) => ({ target: text, value, met });
export const ids = (chain) => chain.map((s) => s.id);
export function sameChain(a, b) {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Runs each contender `WARMUPS + RUNS` times, rotating the order each round; returns ms lists. */
export async function rounds(contenders, { warmups = WARMUPS, runs = RUNS, check } = {}) {
  const names = Object.keys(contenders);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmups + runs; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const outputs = {};
    for (const name of order) {
      gc();
      const t0 = ms();
      outputs[name] = await contenders[name]();
      const t = ms() - t0;
      if (round >= warmups) times[name].push(t);
    }
    if (check) check(outputs, round);
  }
  return times;
}
