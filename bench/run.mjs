#!/usr/bin/env node
// Benchmarks of the azure-incremental-snapshots package against @azure/arm-compute and the
// physical floor (raw fetch + JSON.parse + a JS filter), side by side in one run.
// Prints a table and writes target/bench/results.json. Needs pkg/ built (npm run build).
//
//   node bench/run.mjs                 everything (about 2–4 minutes on 2 cores)
//   node bench/run.mjs --quick         fewer runs, for a smoke test
//   node bench/run.mjs --only=list,page,create,size,startup
//   node bench/run.mjs --out=path.json write the results elsewhere
//
// Every figure is the median of several runs after warm-ups, with min/max, quartiles and the runs.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem, platform, arch, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { summarize, cell, ratio } from "./lib/stats.mjs";
import { bulkOptions, spawnEmulator } from "./lib/spawn-emulator.mjs";
import { matchArmJson, sortArmJson, filterArmJson, matchSdkModels, sortSdkModels } from "./lib/jsfilter.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, "..");
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};

// A forced GC before each measured call keeps one contender's garbage off the next one's clock.
if (typeof globalThis.gc !== "function" && !process.env.BENCH_NO_REEXEC) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...argv], {
    stdio: "inherit",
    env: { ...process.env, BENCH_NO_REEXEC: "1" },
  });
  process.exit(r.status ?? 1);
}
const gc = typeof globalThis.gc === "function" ? globalThis.gc : () => {};

const QUICK = flag("quick");
const WARMUPS = QUICK ? 1 : 2;
const RUNS = QUICK ? 3 : 9;
const ONLY = new Set(opt("only", "list,page,create,size,startup").split(","));
// Runs are written under target/ (untracked); the figures worth keeping go into bench/README.md.
const OUT = resolve(opt("out", join(root, "target", "bench", "results.json")));
const TOKEN = "bench-token";
const API = "2025-01-02";

const pkgNode = join(root, "pkg", "node.mjs");
if (!existsSync(pkgNode)) {
  console.error("bench: pkg/ is not built; run `npm run build` (or `npm run bench`, which builds first)");
  process.exit(1);
}
const pkg = await import(pathToFileURL(pkgNode).href);
const { startEmulator } = await import(pathToFileURL(join(root, "emulator", "index.mjs")).href);
const { sdkClient, sdkListChain } = await import("./lib/sdk.mjs");

const log = (...a) => console.error("bench:", ...a);
const ms = () => performance.now();
function assert(cond, message) {
  if (!cond) throw new Error(`bench: ASSERTION FAILED: ${message}`);
}
function withTimeout(promise, limitMs, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bench: ${what} took more than ${limitMs} ms`)), limitMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
async function getJson(url) {
  const r = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`GET ${url} → ${r.status} ${await r.text()}`);
  return r.json();
}
const ids = (chain) => chain.map((s) => s.id);
function sameChain(a, b) {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

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

/** Runs each contender `WARMUPS + RUNS` times, rotating the order each round; returns ms lists. */
async function rounds(contenders, { warmups = WARMUPS, runs = RUNS, check } = {}) {
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

// ---------------------------------------------------------------------------------------------
// 1. List and filter over HTTP, and 2. filter one fetched page.
// ---------------------------------------------------------------------------------------------
/** The bulk emulator, in this process or in a child process of its own. */
async function bulkEmulator(n, separate) {
  const options = bulkOptions(n);
  if (!separate) {
    const emu = await startEmulator(options);
    return { url: emu.url, seedInfo: emu.seedInfo, close: () => emu.close() };
  }
  return spawnEmulator(options);
}

async function listFilter(n, { separate = false } = {}) {
  const emu = await bulkEmulator(n, separate);
  try {
    const origin = new URL(emu.url).origin;
    const info = emu.seedInfo;
    const rg = info.resourceGroup;
    const diskId = info.disks[0];
    const expected = info.chains[diskId];
    const disk = await getJson(`${origin}${diskId}?api-version=${API}`);
    assert(disk.properties?.uniqueId, "the disk has a uniqueId");
    const listUrl = `${origin}/subscriptions/${info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots?api-version=${API}`;

    const client = new pkg.ArmClient({ token: TOKEN, endpoint: origin });
    const sdk = sdkClient({ url: origin, token: TOKEN, subscriptionId: info.subscriptionId });
    const pageUrls = [];
    const floor = async () => {
      let next = listUrl;
      let chain = [];
      for (let page = 0; next; page++) {
        if (page > 10_000) throw new Error("floor listing did not end");
        if (pageUrls.length === page) pageUrls.push(next);
        const r = await fetch(next, {
          headers: { Authorization: `Bearer ${TOKEN}` },
          signal: AbortSignal.timeout(60_000),
        });
        if (!r.ok) throw new Error(`floor: ${r.status}`);
        const body = JSON.parse(await r.text());
        chain = chain.concat(matchArmJson(disk, body.value));
        next = body.nextLink || null;
      }
      return sortArmJson(chain);
    };
    const contenders = {
      ours: () =>
        withTimeout(
          client.listIncrementalSnapshots(disk, { signal: AbortSignal.timeout(60_000) }),
          60_000,
          "ours list",
        ),
      sdk: () => withTimeout(sdkListChain(sdk, rg, disk, matchSdkModels, sortSdkModels), 60_000, "sdk list"),
      floor: () => withTimeout(floor(), 60_000, "floor list"),
    };
    const check = (out, round) => {
      const a = ids(out.ours);
      assert(
        a.length === expected,
        `N=${n} round ${round}: ours returned ${a.length} snapshots, the seed holds ${expected} in the chain`,
      );
      assert(sameChain(a, ids(out.sdk)), `N=${n} round ${round}: ours and the SDK returned different chains`);
      assert(sameChain(a, ids(out.floor)), `N=${n} round ${round}: ours and the floor returned different chains`);
      // ARM JSON is handed back verbatim: the first match must equal the floor's parsed object.
      assert(JSON.stringify(out.ours[0]) === JSON.stringify(out.floor[0]), `N=${n}: ours changed a snapshot's JSON`);
    };
    const t = await rounds(contenders, { check });

    // Where the floor's (and our) time goes: the same pages, step by step.
    const texts = [];
    const splits = await rounds(
      {
        transfer: async () => {
          let bytes = 0;
          for (const u of pageUrls) {
            const r = await fetch(u, {
              headers: { Authorization: `Bearer ${TOKEN}` },
              signal: AbortSignal.timeout(60_000),
            });
            bytes += (await r.arrayBuffer()).byteLength;
          }
          return bytes;
        },
        transfer_text: async () => {
          texts.length = 0;
          for (const u of pageUrls) {
            const r = await fetch(u, {
              headers: { Authorization: `Bearer ${TOKEN}` },
              signal: AbortSignal.timeout(60_000),
            });
            texts.push(await r.text());
          }
          return texts.length;
        },
      },
      {},
    );
    const parsed = texts.map((x) => JSON.parse(x));
    const encoder = new TextEncoder();
    const scratch = new Uint8Array(Math.max(...texts.map((x) => x.length)) * 3);
    const cpu = await rounds({
      json_parse: async () => texts.map((x) => JSON.parse(x).value.length),
      js_filter: async () => sortArmJson(parsed.flatMap((p) => matchArmJson(disk, p.value))),
      utf8_encode: async () => texts.reduce((k, x) => k + encoder.encodeInto(x, scratch).written, 0),
      wasm_filter_text: async () => texts.flatMap((x) => pkg.filterIncrementalSnapshots(disk, x)),
    });
    const bytes = texts.reduce((k, x) => k + Buffer.byteLength(x), 0);
    const row = {
      n,
      emulator: separate ? "separate process" : "same process",
      pages: pageUrls.length,
      bytes,
      chain: expected,
      ours_ms: summarize(t.ours).median,
      sdk_ms: summarize(t.sdk).median,
      floor_ms: summarize(t.floor).median,
      ours_over_sdk: ratio(summarize(t.ours).median, summarize(t.sdk).median),
      ours_over_floor: ratio(summarize(t.ours).median, summarize(t.floor).median),
      // The client's own share: each contender minus the median transfer (fetch + arrayBuffer of
      // the same pages, which includes the emulator's serving). Rough, as differences of medians.
      client_ms_estimate: {
        ours: Number((summarize(t.ours).median - summarize(splits.transfer).median).toFixed(1)),
        sdk: Number((summarize(t.sdk).median - summarize(splits.transfer).median).toFixed(1)),
        floor: Number((summarize(t.floor).median - summarize(splits.transfer).median).toFixed(1)),
        best_possible_sdk_ratio: Number((summarize(t.sdk).median / summarize(splits.transfer).median).toFixed(2)),
      },
      ours_spread: summarize(t.ours),
      sdk_spread: summarize(t.sdk),
      floor_spread: summarize(t.floor),
      splits: {
        note: "same pages, measured apart: transfer = fetch + arrayBuffer (includes the in-process emulator serving), transfer_text = fetch + text(), json_parse / js_filter on the fetched texts, utf8_encode = TextEncoder.encodeInto of the texts (what passing a string into wasm costs), wasm_filter_text = filterIncrementalSnapshots(disk, pageText) per page",
        transfer_ms: summarize(splits.transfer),
        transfer_text_ms: summarize(splits.transfer_text),
        json_parse_ms: summarize(cpu.json_parse),
        js_filter_ms: summarize(cpu.js_filter),
        utf8_encode_ms: summarize(cpu.utf8_encode),
        wasm_filter_text_ms: summarize(cpu.wasm_filter_text),
      },
    };
    client.free?.();
    return { row, firstPageText: texts[0], disk };
  } finally {
    await emu.close();
  }
}

async function pageFilter(disk, text) {
  const count = JSON.parse(text).value.length;
  const bytes = new TextEncoder().encode(text);
  const K = 20; // calls per measured run, so one run is well above the timer's resolution
  const t = await rounds(
    {
      ours: async () => {
        let r;
        for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, text);
        return r;
      },
      // The page's bytes, as `response.arrayBuffer()` gives them (no text decode, no encode).
      ours_bytes: async () => {
        let r;
        for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, bytes);
        return r;
      },
      jsonparse: async () => {
        let r;
        for (let i = 0; i < K; i++) r = filterArmJson(disk, JSON.parse(text).value);
        return r;
      },
    },
    {
      check: (out) => {
        assert(out.ours.length > 0, "the page holds part of the chain");
        assert(sameChain(ids(out.ours), ids(out.jsonparse)), "page filter: ours and JSON.parse + filter differ");
        assert(
          JSON.stringify(out.ours_bytes) === JSON.stringify(out.ours),
          "page filter: bytes and text inputs differ",
        );
      },
    },
  );
  const per = (list) =>
    summarize(
      list.map((x) => x / K),
      3,
    );
  const o = per(t.ours);
  const j = per(t.jsonparse);
  const ob = per(t.ours_bytes);
  return {
    n: count,
    bytes: Buffer.byteLength(text),
    ours_ms: o.median,
    ours_bytes_ms: ob.median,
    jsonparse_ms: j.median,
    ours_over_jsonparse: ratio(o.median, j.median),
    ours_spread: o,
    ours_bytes_spread: ob,
    jsonparse_spread: j,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Create and wait.
// ---------------------------------------------------------------------------------------------
async function createWait(retryAfterSeconds) {
  const emu = await startEmulator({
    seed: { kind: "bulk", snapshots: 40, disks: 2, chainShare: 0.5 },
    retryAfterSeconds,
    lroPolls: 1,
    enforceRateLimit: false,
    logRequests: true,
  });
  try {
    const origin = new URL(emu.url).origin;
    const info = emu.seedInfo;
    const disk = await getJson(`${origin}${info.disks[1]}?api-version=${API}`);
    const client = new pkg.ArmClient({ token: TOKEN, endpoint: origin });
    const sdk = sdkClient({ url: origin, token: TOKEN, subscriptionId: info.subscriptionId });
    let seq = 0;
    const requests = { ours: [], sdk: [] };
    const counted = (who, fn) => async () => {
      emu.resetRequests();
      const t0 = Date.now();
      const out = await fn(`bench-${who}-r${retryAfterSeconds}-${++seq}`);
      requests[who].push(
        emu.requests.map(
          (r) =>
            `${r.method} ${r.status} ${new URL(r.url, origin).pathname
              .split("/")
              .slice(-2)
              .join("/")
              .replace(/DiskOperations\/.*/, "DiskOperations/…")} @${r.at - t0}ms`,
        ),
      );
      return out;
    };
    const t = await rounds(
      {
        ours: counted("ours", (name) =>
          withTimeout(
            client.createIncrementalSnapshot(disk, { name, signal: AbortSignal.timeout(60_000) }),
            60_000,
            "ours create",
          ),
        ),
        sdk: counted("sdk", (name) => {
          // The same body ours sends (the package's config builder), in the SDK's flattened model.
          const config = pkg.buildSnapshotConfig(disk, { name });
          const { properties, ...top } = config.body;
          return withTimeout(
            sdk.snapshots.beginCreateOrUpdateAndWait(
              config.resourceGroup,
              config.name,
              { ...top, ...properties },
              { abortSignal: AbortSignal.timeout(60_000) },
            ),
            60_000,
            "sdk create",
          );
        }),
      },
      {
        warmups: 1,
        runs: QUICK ? 2 : 5,
        check: (out) => {
          assert(
            out.ours?.properties?.provisioningState === "Succeeded",
            `ours create did not succeed: ${JSON.stringify(out.ours?.properties?.provisioningState)}`,
          );
          assert(
            out.sdk?.provisioningState === "Succeeded" || out.sdk?.properties?.provisioningState === "Succeeded",
            "sdk create did not succeed",
          );
          assert(
            out.ours.properties.incremental === true &&
              (out.sdk.incremental ?? out.sdk.properties?.incremental) === true,
            "both made incremental snapshots",
          );
        },
      },
    );
    const counts = (who) => requests[who].map((r) => r.length);
    const oc = summarize(counts("ours"), 0);
    const sc = summarize(counts("sdk"), 0);
    const o = summarize(t.ours, 1);
    const s = summarize(t.sdk, 1);
    client.free?.();
    return {
      retryAfterSeconds,
      lroPolls: 1,
      ours_requests: oc.median,
      sdk_requests: sc.median,
      ours_ms: o.median,
      sdk_ms: s.median,
      ours_requests_spread: oc,
      sdk_requests_spread: sc,
      ours_spread: o,
      sdk_spread: s,
      ours_sequence: requests.ours.at(-1),
      sdk_sequence: requests.sdk.at(-1),
    };
  } finally {
    await emu.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Size.
// ---------------------------------------------------------------------------------------------
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
async function bundleSize(entry, extra = {}) {
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "bench-size-"));
  try {
    const outfile = join(dir, "out.js");
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      legalComments: "none",
      logLevel: "silent",
      loader: { ".wasm": "file" },
      ...extra,
    });
    const js = readFileSync(outfile);
    return { js_bytes: js.length, js_gzip_bytes: gz(js) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function size() {
  const p = (f) => join(root, "pkg", f);
  const NAME = "azure_incremental_snapshots";
  const wasm = readFileSync(p(`${NAME}_bg.wasm`));
  const glue = readFileSync(p(`${NAME}.js`));
  const web = Buffer.concat([readFileSync(p("web.js")), glue]);
  const node = Buffer.concat([readFileSync(p("node.mjs")), glue]);
  const ours = await bundleSize(join(benchDir, "size", "ours-entry.mjs"));
  const sdk = await bundleSize(join(benchDir, "size", "sdk-entry.mjs"));
  const sdkModular = await bundleSize(join(benchDir, "size", "sdk-modular-entry.mjs"));
  const wasmGzip = gz(wasm);
  const { sections, stripCustom } = await import("./lib/wasm-sections.mjs");
  const stripped = stripCustom(wasm);
  return {
    wasm_bytes: wasm.length,
    wasm_gzip_bytes: wasmGzip,
    js_bytes: web.length,
    js_gzip_bytes: gz(web),
    node_js_gzip_bytes: gz(node),
    package_gzip_bytes: wasmGzip + gz(web),
    ours_bundle: { ...ours, with_wasm_gzip_bytes: ours.js_gzip_bytes + wasmGzip },
    wasm_sections: sections(wasm).map((x) => ({ name: x.name, bytes: x.bytes })),
    wasm_without_custom_sections_gzip_bytes: gz(stripped),
    sdk_bytes: sdk.js_bytes,
    sdk_gzip_bytes: sdk.js_gzip_bytes,
    sdk_modular_bytes: sdkModular.js_bytes,
    sdk_modular_gzip_bytes: sdkModular.js_gzip_bytes,
    note: "gzip level 9. js = web.js + the wasm-bindgen glue (what a browser loads); package = wasm + js. Bundles: esbuild minified, platform browser, format esm, the same list-and-filter (bench/size/*-entry.mjs); sdk = ComputeManagementClient (the documented entry), sdk_modular = the SDK's internal modular functions imported by file path (smallest possible SDK bundle, not a public entry). The SDK bundles do not include a credential library (@azure/identity / msal), nor does ours.",
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Start-up.
// ---------------------------------------------------------------------------------------------
function smallFixture(disk, pageText) {
  // The first call of the start-up runs: a small page (the first 10 snapshots of the chain's
  // page plus the chain's first match), so the figure is start-up, not throughput.
  const page = JSON.parse(pageText);
  const chain = filterArmJson(disk, page.value);
  const value = page.value.slice(0, 10);
  if (!value.some((s) => s.id === chain[0].id)) value.push(chain[0]);
  return { disk, pageText: JSON.stringify({ value }) };
}

function nodeStartup(fixturePath, mode, runs) {
  const child = join(benchDir, "lib", "startup-child.mjs");
  const inside = [];
  const wall = [];
  for (let i = 0; i < WARMUPS + runs; i++) {
    const t0 = ms();
    const out = execFileSync(process.execPath, [child, mode, fixturePath], {
      cwd: root,
      encoding: "utf8",
      timeout: 30_000,
    });
    const t = ms() - t0;
    const r = JSON.parse(out.trim().split("\n").at(-1));
    assert(r.matches >= 1, `${mode} start-up: the first call found the chain`);
    if (i >= WARMUPS) {
      inside.push(r);
      wall.push(t);
    }
  }
  const s = (k) =>
    summarize(
      inside.map((r) => r[k]),
      2,
    );
  return {
    total: s("total_ms"),
    import: s("import_ms"),
    first_call: s("first_call_ms"),
    process_wall: summarize(wall, 1),
  };
}

async function workerdStartup(fixture, runs) {
  let Miniflare;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch (e) {
    return { error: `miniflare not available: ${e.message}` };
  }
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "bench-workerd-"));
  try {
    const fixturePath = join(dir, "fixture.json");
    writeFileSync(fixturePath, JSON.stringify(fixture));
    const WASM = "azure_incremental_snapshots_bg.wasm";
    const build = async (name) => {
      const outfile = join(dir, `${name}.js`);
      await esbuild.build({
        entryPoints: [join(benchDir, "workerd", `${name}.mjs`)],
        outfile,
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        minify: true,
        external: ["*.wasm"],
        logLevel: "silent",
        plugins: [
          { name: "fixture", setup: (b) => b.onResolve({ filter: /fixture\.json$/ }, () => ({ path: fixturePath })) },
        ],
      });
      return outfile;
    };
    const scripts = { ours: await build("ours"), baseline: await build("baseline") };
    writeFileSync(join(dir, WASM), readFileSync(join(root, "pkg", WASM)));
    const once = async (scriptPath) => {
      const t0 = ms();
      const mf = new Miniflare({
        modules: true,
        scriptPath,
        modulesRoot: dir,
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2025-09-01",
      });
      try {
        await withTimeout(mf.ready, 30_000, "miniflare start");
        const t1 = ms();
        const r1 = await withTimeout(mf.dispatchFetch("http://localhost/"), 30_000, "first request");
        const body = await r1.json();
        const t2 = ms();
        const r2 = await mf.dispatchFetch("http://localhost/");
        await r2.arrayBuffer();
        const t3 = ms();
        return { ready: t1 - t0, first: t2 - t1, second: t3 - t2, total: t2 - t0, matches: body.matches };
      } finally {
        await mf.dispose();
      }
    };
    const list = { ours: [], baseline: [] };
    for (let i = 0; i < 1 + runs; i++) {
      for (const name of i % 2 ? ["baseline", "ours"] : ["ours", "baseline"]) {
        const r = await once(scripts[name]);
        if (name === "ours") assert(r.matches >= 1, "workerd: the first call found the chain");
        if (i >= 1) list[name].push(r);
      }
    }
    const s = (name, k) =>
      summarize(
        list[name].map((r) => r[k]),
        1,
      );
    const out = {};
    for (const name of ["ours", "baseline"])
      out[name] = {
        total: s(name, "total"),
        ready: s(name, "ready"),
        first_request: s(name, "first"),
        second_request: s(name, "second"),
      };
    out.package_ms = Number((out.ours.total.median - out.baseline.total.median).toFixed(1));
    out.first_request_extra_ms = Number((out.ours.first_request.median - out.ours.second_request.median).toFixed(2));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Run, print, write.
// ---------------------------------------------------------------------------------------------
const started = ms();
let pageSource = null;
if (ONLY.has("list") || ONLY.has("page") || ONLY.has("startup")) {
  results.listFilter = [];
  results.listFilterSeparate = [];
  for (const n of ONLY.has("list") ? [1000, 10000] : [1000]) {
    log(`list and filter, N = ${n}, emulator in this process …`);
    const { row, firstPageText, disk } = await listFilter(n);
    if (ONLY.has("list")) results.listFilter.push(row);
    pageSource = { disk, text: firstPageText };
  }
  if (ONLY.has("list")) {
    for (const n of [1000, 10000]) {
      log(`list and filter, N = ${n}, emulator in a separate process …`);
      results.listFilterSeparate.push((await listFilter(n, { separate: true })).row);
    }
  } else {
    delete results.listFilter;
    delete results.listFilterSeparate;
  }
}
if (ONLY.has("page")) {
  log("filter one page …");
  results.pageFilter = await pageFilter(pageSource.disk, pageSource.text);
}
if (ONLY.has("create")) {
  log("create and wait (Retry-After 1 s, then 0 s) …");
  const r1 = await createWait(1);
  const r0 = await createWait(0);
  results.createWait = { ...r1, retryAfter0: r0 };
}
if (ONLY.has("size")) {
  log("size …");
  results.size = await size();
}
if (ONLY.has("startup")) {
  log("start-up: node …");
  const fixture = smallFixture(pageSource.disk, pageSource.text);
  const dir = mkdtempSync(join(tmpdir(), "bench-startup-"));
  const fixturePath = join(dir, "fixture.json");
  writeFileSync(fixturePath, JSON.stringify(fixture));
  let node;
  let nodeSdk;
  try {
    node = nodeStartup(fixturePath, "ours", QUICK ? 3 : 9);
    nodeSdk = nodeStartup(fixturePath, "sdk", QUICK ? 3 : 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log("start-up: workerd (miniflare) …");
  const workerd = await workerdStartup(fixture, QUICK ? 2 : 7);
  results.startup = {
    node_ms: node.total.median,
    workerd_ms: workerd.package_ms ?? null,
    node,
    node_sdk: nodeSdk,
    workerd,
    note: "node_ms: inside a fresh node process, from before `import('pkg/node.mjs')` to after the first filterIncrementalSnapshots call on a 10-snapshot page. node_sdk: the same for import('@azure/arm-compute') + new ComputeManagementClient + JS filter. workerd_ms: time to the first response of a tiny module worker importing pkg/workerd.js, minus the same for a worker without the package (both started by miniflare, alternated).",
  };
}
results.durationSeconds = Number(((ms() - started) / 1000).toFixed(1));
results.machine.loadavg_at_end = loadavg().map((x) => Number(x.toFixed(2)));

// The size and speed goals the project set itself, each printed against its figure.
const targets = [];
for (const r of [...(results.listFilter ?? []), ...(results.listFilterSeparate ?? [])]) {
  const where = r.emulator === "separate process" ? ", emulator in its own process" : "";
  targets.push({
    target: `1. list+filter N=${r.n}${where}: ≥1.8x faster than the SDK`,
    value: `${(r.sdk_ms / r.ours_ms).toFixed(2)}x`,
    met: r.sdk_ms / r.ours_ms >= 1.8,
  });
  targets.push({
    target: `1. list+filter N=${r.n}${where}: ≤0.8x the floor's time`,
    value: `${(r.ours_ms / r.floor_ms).toFixed(2)}x`,
    met: r.ours_ms <= 0.8 * r.floor_ms,
  });
}
if (results.pageFilter) {
  const r = results.pageFilter;
  targets.push({
    target: "2. page filter (text): ≥2.5x JSON.parse + filter",
    value: `${(r.jsonparse_ms / r.ours_ms).toFixed(2)}x`,
    met: r.jsonparse_ms / r.ours_ms >= 2.5,
  });
  if (r.ours_bytes_ms)
    targets.push({
      target: "2. page filter (bytes): ≥2.5x JSON.parse + filter",
      value: `${(r.jsonparse_ms / r.ours_bytes_ms).toFixed(2)}x`,
      met: r.jsonparse_ms / r.ours_bytes_ms >= 2.5,
    });
}
if (results.createWait) {
  const r = results.createWait;
  targets.push({
    target: "3. create+wait: ≤ 4 requests (no more than today)",
    value: `${r.ours_requests} (SDK ${r.sdk_requests})`,
    met: r.ours_requests <= 4,
  });
}
if (results.size) {
  const r = results.size;
  targets.push({
    target: "4. what one consumer loads ≤ 60 KB gzip (wasm + JS glue)",
    value: `${(r.package_gzip_bytes / 1024).toFixed(1)} KiB`,
    met: r.package_gzip_bytes <= 60 * 1024,
  });
}
if (results.startup) {
  const r = results.startup;
  const sdk = r.node_sdk?.total?.median;
  if (sdk)
    targets.push({
      target: "5. start-up in Node: ≥25x faster than the SDK's",
      value: `${(sdk / r.node_ms).toFixed(1)}x (${r.node_ms} vs ${sdk} ms)`,
      met: sdk / r.node_ms >= 25,
    });
  if (typeof r.workerd_ms === "number")
    targets.push({ target: "5. start-up in workerd (what the package adds)", value: `${r.workerd_ms} ms`, met: true });
}
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
if (results.listFilter) {
  lines.push("1. List and filter over HTTP (emulator on loopback, 1,000-item pages)");
  lines.push(
    "   N       emulator  ours ms               SDK ms                floor ms              ours/SDK  ours/floor",
  );
  for (const r of [...results.listFilter, ...(results.listFilterSeparate ?? [])]) {
    const where = r.emulator === "separate process" ? "own proc" : "in-proc";
    lines.push(
      `   ${String(r.n).padEnd(7)} ${where.padEnd(9)} ${cell(r.ours_spread).padEnd(21)} ${cell(r.sdk_spread).padEnd(21)} ${cell(r.floor_spread).padEnd(21)} ${r.ours_over_sdk.toFixed(2).padEnd(9)} ${r.ours_over_floor.toFixed(2)}`,
    );
  }
  for (const r of [...results.listFilter, ...(results.listFilterSeparate ?? [])]) {
    const s = r.splits;
    const c = r.client_ms_estimate;
    lines.push(
      `   N=${r.n} ${r.emulator === "separate process" ? "own proc" : "in-proc"} client time beyond transfer: ours ${c.ours}, SDK ${c.sdk}, floor ${c.floor} ms (a zero-cost client would be ${c.best_possible_sdk_ratio}x faster than the SDK)`,
    );
    lines.push(
      `   N=${r.n} ${r.emulator === "separate process" ? "own proc" : "in-proc"} splits (${(r.bytes / 1e6).toFixed(1)} MB, ${r.pages} pages): transfer ${cell(s.transfer_ms)}, +text ${cell(s.transfer_text_ms)}, JSON.parse ${cell(s.json_parse_ms)}, JS filter ${cell(s.js_filter_ms)}, UTF-8 encode ${cell(s.utf8_encode_ms)}, wasm filter on text ${cell(s.wasm_filter_text_ms)}`,
    );
  }
  lines.push("");
}
if (results.pageFilter) {
  const r = results.pageFilter;
  lines.push(`2. Filter one page (${r.n} snapshots, ${(r.bytes / 1e6).toFixed(2)} MB of JSON text)`);
  lines.push(
    `   filterIncrementalSnapshots(disk, text) ${cell(r.ours_spread, " ms")}   JSON.parse + JS filter ${cell(r.jsonparse_spread, " ms")}   ours/JSON.parse ${r.ours_over_jsonparse.toFixed(2)}`,
  );
  if (r.ours_bytes_spread)
    lines.push(
      `   filterIncrementalSnapshots(disk, bytes) ${cell(r.ours_bytes_spread, " ms")}   JSON.parse + JS filter is ${(r.jsonparse_ms / r.ours_bytes_ms).toFixed(2)}x its time`,
    );
  lines.push("");
}
if (results.createWait) {
  lines.push("3. Create an incremental snapshot and wait");
  for (const r of [results.createWait, results.createWait.retryAfter0]) {
    lines.push(
      `   Retry-After ${r.retryAfterSeconds} s: ours ${r.ours_requests} requests, ${cell(r.ours_spread, " ms")}; SDK ${r.sdk_requests} requests, ${cell(r.sdk_spread, " ms")}`,
    );
  }
  lines.push(`   ours: ${results.createWait.ours_sequence.join(" → ")}`);
  lines.push(`   SDK:  ${results.createWait.sdk_sequence.join(" → ")}`);
  lines.push("");
}
if (results.size) {
  const r = results.size;
  const k = (b) => `${(b / 1024).toFixed(1)} KiB`;
  lines.push("4. Size (gzip -9)");
  lines.push(
    `   wasm ${k(r.wasm_bytes)} raw / ${k(r.wasm_gzip_bytes)} gz; JS (web.js + glue) ${k(r.js_bytes)} raw / ${k(r.js_gzip_bytes)} gz; package ${k(r.package_gzip_bytes)} gz`,
  );
  lines.push(
    `   list-and-filter app bundled (esbuild, browser, minified): ours ${k(r.ours_bundle.js_gzip_bytes)} JS + ${k(r.wasm_gzip_bytes)} wasm = ${k(r.ours_bundle.with_wasm_gzip_bytes)} gz; @azure/arm-compute ${k(r.sdk_bytes)} raw / ${k(r.sdk_gzip_bytes)} gz (modular functions only: ${k(r.sdk_modular_gzip_bytes)} gz)`,
  );
  lines.push("");
}
if (results.startup) {
  const r = results.startup;
  lines.push("5. Start-up");
  lines.push(
    `   Node, import + instantiate + first call: ${cell(r.node.total, " ms")} (import ${cell(r.node.import, " ms")}, first call ${cell(r.node.first_call, " ms")}); whole process ${cell(r.node.process_wall, " ms")}`,
  );
  lines.push(`   Node, @azure/arm-compute import + client + filter: ${cell(r.node_sdk.total, " ms")}`);
  if (r.workerd.error) lines.push(`   workerd: ${r.workerd.error}`);
  else
    lines.push(
      `   workerd (miniflare): first response ${cell(r.workerd.ours.total, " ms")} vs ${cell(r.workerd.baseline.total, " ms")} without the package → ${r.workerd.package_ms} ms; first request ${cell(r.workerd.ours.first_request, " ms")}, second ${cell(r.workerd.ours.second_request, " ms")}`,
    );
  lines.push("");
}
lines.push("Targets");
for (const t of targets) lines.push(`   ${t.met ? "met   " : "MISSED"} ${t.target}: ${t.value}`);
lines.push("");
lines.push(`wrote ${OUT} in ${results.durationSeconds} s`);
console.log(lines.join("\n"));
