// The built npm package as users get it: `npm pack pkg/`, `npm install` the tarball into a clean
// project, then use it from every kind of consumer, each in its own process (or browser):
//   - Node ESM (`import`), Node CJS (`require`), workerd (`--conditions=workerd`, with .wasm imports
//     given as a WebAssembly.Module as wrangler/miniflare do), headless Chromium (`<script
//     type="module">` + `await init()`);
//   - every `exports` condition and every types entry resolves to a file that is in the tarball.
// The calls are a table (CALLS): add a row per export to check it everywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { pkgDir, resolveExport } from "./load-package.mjs";

const NAME = "azure-incremental-snapshots";
const DISK_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d1";
const DISK = {
  id: DISK_ID,
  name: "d1",
  type: "Microsoft.Compute/disks",
  location: "westeurope",
  properties: { uniqueId: "11111111-1111-1111-1111-111111111111" },
};

/**
 * Each row: `fn` called with `args`; then either `expect` (properties of the result, compared
 * deeply, dotted paths allowed) or `throws` (properties of the thrown Error).
 */
export const CALLS = [
  {
    fn: "parseResourceId",
    args: [DISK_ID],
    expect: { kind: "resource", name: "d1", resourceGroup: "rg", resourceType: "Microsoft.Compute/disks" },
  },
  {
    fn: "parseResourceId",
    args: ["/subscriptions/not/a/disk/id"],
    throws: { code: "INVALID_RESOURCE_ID", field: "id", name: "AzureSnapshotsError" },
  },
  { fn: "parseResourceId", args: [42], throws: { code: "INVALID_ARGUMENT", field: "id" } },
  {
    fn: "buildSnapshotConfig",
    args: [DISK, { now: 0 }],
    expect: {
      name: "d1-snap-19700101-000000",
      "body.properties.incremental": true,
      "body.properties.creationData.sourceResourceId": DISK_ID,
    },
  },
  { fn: "buildSnapshotConfig", args: [null], throws: { code: "INVALID_ARGUMENT", field: "disk" } },
  {
    fn: "buildSnapshotConfig",
    args: [DISK_ID, { location: "westeurope", now: 0 }],
    expect: { name: "d1-snap-19700101-000000", "body.location": "westeurope", "body.properties.incremental": true },
  },
  { fn: "buildSnapshotConfig", args: [DISK_ID], throws: { code: "INVALID_ARGUMENT", field: "options.location" } },
  // The type guard: true for what the package throws (the error of `errorOf`), false for the rest.
  { fn: "isAzureSnapshotsError", errorOf: { fn: "parseResourceId", args: ["x"] }, returns: true },
  { fn: "isAzureSnapshotsError", errorOf: { fn: "planRetention", args: [[], {}] }, returns: true },
  { fn: "isAzureSnapshotsError", args: [{ name: "AzureSnapshotsError", code: "NOT_FOUND" }], returns: false },
  { fn: "isAzureSnapshotsError", args: [null], returns: false },
  { fn: "isAzureSnapshotsError", args: ["AzureSnapshotsError"], returns: false },
  { fn: "filterIncrementalSnapshots", args: [DISK, []], expect: { length: 0 } },
  { fn: "groupSnapshotChains", args: [{ value: [] }], expect: { total: 0 } },
  { fn: "planRetention", args: [[], { keepLast: 1 }], expect: { "chains.length": 0 } },
  { fn: "planRetention", args: [[], {}], throws: { code: "INVALID_ARGUMENT", name: "AzureSnapshotsError" } },
  {
    fn: "buildSnapshotTemplate",
    args: [],
    expect: {
      contentVersion: "1.0.0.0",
      "resources.0.properties.incremental": true,
      "parameters.diskName.type": "string",
    },
  },
  {
    fn: "buildSnapshotTemplate",
    args: [{ disks: [DISK_ID, DISK], layout: "perDisk" }],
    throws: { code: "INVALID_ARGUMENT", field: "options.disks[1]" },
  },
  {
    fn: "buildTemplateParameters",
    args: [{ disk: DISK }],
    expect: { "parameters.diskResourceId.value": DISK_ID, "parameters.diskName.value": "d1" },
  },
];

/**
 * The body of every consumer: runs CALLS against the module namespace `m`, returns one result per
 * row. Serialized with Function.prototype.toString into Node scripts and the browser page.
 */
function runCalls(m, calls) {
  const pick = (v, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), v);
  return calls.map(({ fn, args, expect, throws, returns, errorOf }) => {
    if (typeof m[fn] !== "function") return { fn, ok: false, why: `${fn} is not exported` };
    if (errorOf) {
      try {
        m[errorOf.fn](...errorOf.args);
        return { fn, ok: false, why: `${errorOf.fn} did not throw` };
      } catch (e) {
        args = [e];
      }
    }
    try {
      const value = m[fn](...args);
      if (throws) return { fn, ok: false, why: "did not throw" };
      if (returns !== undefined && value !== returns)
        return { fn, ok: false, why: `returned ${JSON.stringify(value)} !== ${JSON.stringify(returns)}` };
      for (const [k, want] of Object.entries(expect ?? {})) {
        const got = pick(value, k);
        if (JSON.stringify(got) !== JSON.stringify(want))
          return { fn, ok: false, why: `${k}: ${JSON.stringify(got)} !== ${JSON.stringify(want)}` };
      }
      return { fn, ok: true };
    } catch (e) {
      if (!throws) return { fn, ok: false, why: `threw ${e && e.code} ${e && e.message}` };
      if (!(e instanceof Error)) return { fn, ok: false, why: "threw a non-Error" };
      for (const [k, want] of Object.entries(throws)) {
        if (e[k] !== want)
          return { fn, ok: false, why: `error.${k}: ${JSON.stringify(e[k])} !== ${JSON.stringify(want)}` };
      }
      return { fn, ok: true };
    }
  });
}

function checkResults(results, who) {
  assert.equal(results.length, CALLS.length, `${who}: one result per call`);
  const failures = results.map((r, i) => ({ ...r, row: i })).filter((r) => !r.ok);
  assert.deepEqual(failures, [], `${who}: failed calls`);
}

let work; // temp dir: the tarball and a clean consumer project
let project;
let installed; // node_modules/azure-incremental-snapshots
let manifest;

before(() => {
  assert.ok(existsSync(join(pkgDir, "package.json")), "pkg/ is built (npm run build)");
  work = mkdtempSync(join(tmpdir(), "ais-package-"));
  const packed = JSON.parse(
    execFileSync("npm", ["pack", pkgDir, "--json", "--pack-destination", work], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const tgz = join(work, packed[0].filename);
  project = join(work, "consumer");
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  execFileSync(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", tgz],
    { cwd: project, stdio: ["ignore", "ignore", "inherit"] },
  );
  installed = join(project, "node_modules", NAME);
  manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs `source` as a file `file` in the consumer project; returns its JSON output. */
function runNode(file, source, nodeArgs = []) {
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [...nodeArgs, file], { cwd: project, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `${file} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const callsJson = () => JSON.stringify(CALLS);

test("the tarball holds exactly what package.json lists, and the manifest is complete", () => {
  assert.equal(manifest.name, NAME);
  const cargo = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
  assert.equal(manifest.version, cargo.match(/^version\s*=\s*"([^"]+)"/m)[1], "version from Cargo.toml");
  assert.equal(manifest.type, "module");
  assert.ok(manifest.license, "license");
  for (const f of manifest.files) assert.ok(existsSync(join(installed, f)), `${f} is in the tarball`);
  // Top level: the files listed, and the folders of the smaller entries' files ("filter/…").
  const listedTop = new Set(manifest.files.map((f) => f.split("/")[0]));
  const extra = readdirSync(installed).filter(
    (f) => !listedTop.has(f) && !["package.json", "README.md", "LICENSE"].includes(f),
  );
  for (const dir of new Set(manifest.files.filter((f) => f.includes("/")).map((f) => f.split("/")[0]))) {
    const strays = readdirSync(join(installed, dir)).filter((f) => !manifest.files.includes(`${dir}/${f}`));
    assert.deepEqual(strays, [], `no stray files in ${dir}/`);
  }
  assert.deepEqual(extra, [], "no stray files");
  assert.ok(existsSync(join(installed, manifest.types)), "types file");
});

test("the package's own README and the LICENSE are in the tarball (npm pack --dry-run lists them)", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json"], {
      cwd: pkgDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const listed = packed[0].files.map((f) => f.path);
  for (const f of ["README.md", "LICENSE", "package.json"]) assert.ok(listed.includes(f), `npm pack lists ${f}`);
  const readme = readFileSync(join(installed, "README.md"), "utf8");
  assert.equal(
    readme,
    readFileSync(new URL("../../pkg-readme/README.md", import.meta.url), "utf8"),
    "the package README",
  );
  assert.ok(!readme.includes("npm test"), "no repository test instructions");
  for (const [, link] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(link) || link.startsWith("#")) continue;
    assert.ok(existsSync(join(installed, link.split("#")[0])), `README link ${link} resolves in the installed package`);
  }
  const license = readFileSync(join(installed, "LICENSE"), "utf8");
  assert.match(license, /^MIT License/);
  assert.equal(manifest.license, "MIT");
});

test("every export condition resolves to files in the tarball, with types", () => {
  const root = manifest.exports["."];
  const cases = {
    "node import": ["node", "import"],
    "node require": ["node", "require"],
    workerd: ["workerd", "worker", "browser", "import"],
    worker: ["worker", "browser", "import"],
    browser: ["browser", "import"],
    "bundler (import)": ["import", "module"],
    "bundler (require)": ["require"],
  };
  const want = {
    "node import": "node.mjs",
    "node require": "node.cjs",
    workerd: "workerd.js",
    worker: "workerd.js",
    browser: "web.js",
    "bundler (import)": "web.js",
    "bundler (require)": "node.cjs",
  };
  for (const [who, conditions] of Object.entries(cases)) {
    const target = resolveExport(root, conditions);
    assert.equal(target, `./${want[who]}`, who);
    assert.ok(existsSync(join(installed, target)), `${who}: ${target} exists`);
    const types = resolveExport(root, ["types", ...conditions]);
    assert.match(types, /\.d\.[cm]?ts$/, `${who}: types`);
    assert.ok(existsSync(join(installed, types)), `${who}: ${types} exists`);
  }
  // The declarations name every export the table calls.
  const dts = readFileSync(join(installed, manifest.types), "utf8");
  for (const { fn } of CALLS) assert.match(dts, new RegExp(`export function ${fn}\\(`), `${fn} is declared`);
});

test("Node ESM: import from the package, ready on import", () => {
  const results = runNode(
    "esm.mjs",
    `import * as m from "${NAME}";\n` +
      `import init, { parseResourceId } from "${NAME}";\n` +
      `if (typeof parseResourceId !== "function") throw new Error("named import");\n` +
      `await init(); // a no-op: the module is ready\n` +
      `const runCalls = ${runCalls};\n` +
      `console.log(JSON.stringify(runCalls(m, ${callsJson()})));\n`,
  );
  checkResults(results, "ESM");
});

test("Node CJS: require the package, synchronously", () => {
  const results = runNode(
    "cjs.cjs",
    `const m = require("${NAME}");\n` +
      `if (require.resolve("${NAME}").endsWith(".mjs")) throw new Error("require resolved to ESM");\n` +
      `const runCalls = ${runCalls};\n` +
      `console.log(JSON.stringify(runCalls(m, ${callsJson()})));\n`,
  );
  checkResults(results, "CJS");
});

/** Loader hooks that give `import x from "./y.wasm"` the semantics of workerd/wrangler. */
function writeWasmHooks() {
  writeFileSync(
    join(project, "wasm-as-module-hooks.mjs"),
    `import { readFile } from "node:fs/promises";\n` +
      `export async function load(url, context, next) {\n` +
      `  if (url.endsWith(".wasm")) {\n` +
      `    const bytes = await readFile(new URL(url));\n` +
      `    return { format: "module", shortCircuit: true, source: "export default new WebAssembly.Module(new Uint8Array([" + bytes.join(",") + "]));" };\n` +
      `  }\n` +
      `  return next(url, context);\n` +
      `}\n`,
  );
  writeFileSync(
    join(project, "register-wasm-hooks.mjs"),
    `import { register } from "node:module";\nregister("./wasm-as-module-hooks.mjs", import.meta.url);\n`,
  );
}

test("workerd: the worker entry with .wasm imported as a WebAssembly.Module (as wrangler does)", () => {
  writeWasmHooks();
  const results = runNode(
    "worker.mjs",
    `import * as m from "${NAME}";\n` +
      `const resolved = import.meta.resolve("${NAME}");\n` +
      `if (!resolved.endsWith("/workerd.js")) throw new Error("resolved " + resolved);\n` +
      `const runCalls = ${runCalls};\n` +
      `console.log(JSON.stringify(runCalls(m, ${callsJson()})));\n`,
    ["--conditions=workerd", "--import", "./register-wasm-hooks.mjs"],
  );
  checkResults(results, "workerd");
});

// The smaller entries (`<name>/filter`, `<name>/client`): every condition resolves in the tarball,
// and each runs the rows of CALLS whose functions it has, in Node ESM, CJS and workerd.
const entrySpecs = () => {
  const size = JSON.parse(readFileSync(join(installed, "size.json"), "utf8"));
  return Object.fromEntries(Object.entries(size.entries).map(([dir, e]) => [dir, entryCalls(e.functions)]));
};
const entryCalls = (functions) =>
  CALLS.filter(({ fn, errorOf }) => functions.includes(fn) && (!errorOf || functions.includes(errorOf.fn)));

function checkEntryResults(results, calls, who) {
  assert.equal(results.length, calls.length, `${who}: one result per call`);
  assert.ok(calls.length >= 4, `${who}: at least 4 rows apply`);
  assert.deepEqual(
    results.filter((r) => !r.ok),
    [],
    `${who}: failed calls`,
  );
}

test("the smaller entries: every condition resolves to files in the tarball; ESM, CJS and workerd run their rows", () => {
  const specs = entrySpecs();
  assert.deepEqual(Object.keys(specs), ["filter", "client"]);
  writeWasmHooks();
  for (const [dir, calls] of Object.entries(specs)) {
    const entry = manifest.exports[`./${dir}`];
    const want = { node: "node.mjs", require: "node.cjs", workerd: "workerd.js", browser: "web.js", import: "web.js" };
    for (const [cond, file] of Object.entries(want)) {
      const conditions = cond === "node" ? ["node", "import"] : cond === "require" ? ["node", "require"] : [cond];
      assert.equal(resolveExport(entry, conditions), `./${dir}/${file}`, `${dir} ${cond}`);
      const types = resolveExport(entry, ["types", ...conditions]);
      assert.ok(existsSync(join(installed, types)), `${dir} ${cond}: types ${types}`);
    }
    const spec = `${NAME}/${dir}`;
    const body = `const runCalls = ${runCalls};\nconsole.log(JSON.stringify(runCalls(m, ${JSON.stringify(calls)})));\n`;
    // Each consumer: its file, how it loads the entry (and checks which file it resolved), node's flags.
    const consumers = {
      ESM: [`esm-${dir}.mjs`, `import * as m from "${spec}";\n`, []],
      CJS: [
        `cjs-${dir}.cjs`,
        `const m = require("${spec}");\n` +
          `if (!require.resolve("${spec}").endsWith("/${dir}/node.cjs")) throw new Error("resolved " + require.resolve("${spec}"));\n`,
        [],
      ],
      workerd: [
        `worker-${dir}.mjs`,
        `import * as m from "${spec}";\n` +
          `if (!import.meta.resolve("${spec}").endsWith("/${dir}/workerd.js")) throw new Error("resolved");\n`,
        ["--conditions=workerd", "--import", "./register-wasm-hooks.mjs"],
      ],
    };
    for (const [who, [file, load, flags]] of Object.entries(consumers))
      checkEntryResults(runNode(file, load + body, flags), calls, `${dir} ${who}`);
  }
});

function findChromium() {
  const candidates = [
    process.env.CHROME_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  return candidates.find((p) => p && existsSync(p));
}

test("browser: <script type=module>, import init from web.js, await init()", async (t) => {
  const executablePath = findChromium();
  if (!executablePath) return t.skip("no Chromium (scripts/setup.sh --browser installs it)");
  const { chromium } = await import("playwright-core");
  const types = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
  };
  writeFileSync(
    join(project, "index.html"),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>package test</title>\n<script type="module">\n` +
      `import init, * as m from "./node_modules/${NAME}/web.js";\n` +
      `const runCalls = ${runCalls};\n` +
      `try { await init(); window.results = runCalls(m, ${callsJson()}); } catch (e) { window.results = String(e && e.stack || e); }\n` +
      `window.entryResults = {};\n` +
      Object.entries(entrySpecs())
        .map(
          ([dir, calls]) =>
            `try { const e = await import("./node_modules/${NAME}/${dir}/web.js"); await e.default(); window.entryResults[${JSON.stringify(dir)}] = runCalls(e, ${JSON.stringify(calls)}); } catch (e) { window.entryResults[${JSON.stringify(dir)}] = String(e && e.stack || e); }\n`,
        )
        .join("") +
      `window.done = true;\n` +
      `</script>\n`,
  );
  const server = createServer((req, res) => {
    const path = join(project, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(project) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 30_000 });
    const results = await page.evaluate(() => window.results);
    assert.ok(Array.isArray(results), `page failed: ${results}`);
    checkResults(results, "browser");
    const entryResults = await page.evaluate(() => window.entryResults);
    for (const [dir, calls] of Object.entries(entrySpecs())) {
      assert.ok(Array.isArray(entryResults[dir]), `${dir} entry in the page failed: ${entryResults[dir]}`);
      checkEntryResults(entryResults[dir], calls, `${dir} browser`);
    }
    assert.deepEqual(errors, [], "no errors in the page");
  } finally {
    await browser.close();
    server.close();
  }
});
