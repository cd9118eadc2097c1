// 5. Start-up: fresh Node processes from import to the first filter call (ours and the SDK's),
// and what the package adds to a workerd cold start (miniflare, against a worker without it).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize, cell } from "../lib/stats.mjs";
import { filterArmJson } from "../lib/jsfilter.mjs";
import { benchDir, root } from "../lib/args.mjs";
import { QUICK, WARMUPS, assert, log, ms, withTimeout, target } from "../lib/harness.mjs";
import { firstPage } from "./list.mjs";

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

export async function run(results, shared) {
  const pageSource = await firstPage(shared);
  log("start-up: node …");
  const fixture = smallFixture(pageSource.disk, pageSource.text);
  const dir = mkdtempSync(join(tmpdir(), "bench-startup-"));
  const fixturePath = join(dir, "fixture.json");
  writeFileSync(fixturePath, JSON.stringify(fixture));
  let node;
  let nodeClient;
  let nodeFilter;
  let nodeSdk;
  try {
    node = nodeStartup(fixturePath, "ours", QUICK ? 3 : 9);
    nodeClient = nodeStartup(fixturePath, "ours-client", QUICK ? 3 : 9);
    nodeFilter = nodeStartup(fixturePath, "ours-filter", QUICK ? 3 : 9);
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
    node_client_entry: nodeClient,
    node_filter_entry: nodeFilter,
    node_sdk: nodeSdk,
    workerd,
    note: "node_ms: inside a fresh node process, from before `import('pkg/node.mjs')` to after the first filterIncrementalSnapshots call on a 10-snapshot page. node_client_entry: the same with pkg/client/node.mjs, plus new ArmClient (what the SDK run does); node_filter_entry: pkg/filter/node.mjs, import + filter. node_sdk: the same for import('@azure/arm-compute') + new ComputeManagementClient + JS filter. workerd_ms: time to the first response of a tiny module worker importing pkg/workerd.js, minus the same for a worker without the package (both started by miniflare, alternated).",
  };
}

export function targets({ startup: r }) {
  const out = [];
  const sdk = r.node_sdk?.total?.median;
  if (sdk) {
    out.push(
      target(
        "5. start-up in Node: ≥25x faster than the SDK's (main entry: import + filter)",
        `${(sdk / r.node_ms).toFixed(1)}x (${r.node_ms} vs ${sdk} ms)`,
        sdk / r.node_ms >= 25,
      ),
    );
    for (const [key, what] of [
      ["node_client_entry", "client entry: import + client + filter, as the SDK run"],
      ["node_filter_entry", "filter entry: import + filter"],
    ]) {
      const t = r[key]?.total?.median;
      if (t)
        out.push(
          target(
            `5. start-up in Node: ≥25x faster than the SDK's (${what})`,
            `${(sdk / t).toFixed(1)}x (${t} vs ${sdk} ms)`,
            sdk / t >= 25,
          ),
        );
    }
  }
  if (typeof r.workerd_ms === "number")
    out.push(target("5. start-up in workerd (what the package adds)", `${r.workerd_ms} ms`, true));
  return out;
}

export function print(results, lines) {
  const r = results.startup;
  lines.push("5. Start-up");
  lines.push(
    `   Node, import + instantiate + first call: ${cell(r.node.total, " ms")} (import ${cell(r.node.import, " ms")}, first call ${cell(r.node.first_call, " ms")}); whole process ${cell(r.node.process_wall, " ms")}`,
  );
  if (r.node_client_entry)
    lines.push(
      `   Node, the client entry, import + new ArmClient + first call: ${cell(r.node_client_entry.total, " ms")} (import ${cell(r.node_client_entry.import, " ms")})`,
    );
  if (r.node_filter_entry)
    lines.push(
      `   Node, the filter entry, import + first call: ${cell(r.node_filter_entry.total, " ms")} (import ${cell(r.node_filter_entry.import, " ms")})`,
    );
  lines.push(`   Node, @azure/arm-compute import + client + filter: ${cell(r.node_sdk.total, " ms")}`);
  if (r.workerd.error) lines.push(`   workerd: ${r.workerd.error}`);
  else
    lines.push(
      `   workerd (miniflare): first response ${cell(r.workerd.ours.total, " ms")} vs ${cell(r.workerd.baseline.total, " ms")} without the package → ${r.workerd.package_ms} ms; first request ${cell(r.workerd.ours.first_request, " ms")}, second ${cell(r.workerd.ours.second_request, " ms")}`,
    );
  lines.push("");
}
