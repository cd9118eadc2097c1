#!/usr/bin/env node
// Builds the npm package `azure-incremental-snapshots` into pkg/ (git-ignored):
//   1. cargo build --release --target wasm32-unknown-unknown
//   2. wasm-bindgen --target web (ESM glue with `init()` / `initSync()`)
//   3. wasm-opt -Oz --converge --low-memory-unused with the wasm features rustc enabled (read from the module)
//   4. one entry per runtime over the same glue and .wasm, package.json with `exports`
//   5. sizes (raw and gzip) of what each consumer loads, printed and written to pkg/size.json
// Run through `npm run build` (which runs scripts/setup.sh first). `--no-opt` skips wasm-opt.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { homedir } from "node:os";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
const NAME = "azure_incremental_snapshots"; // wasm-bindgen --out-name
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target");
const CRATE_WASM = join(targetDir, "wasm32-unknown-unknown/release/azure_incremental_snapshots.wasm");
const BG = `${NAME}_bg.wasm`;
const args = new Set(process.argv.slice(2));
const started = performance.now();

// Tools installed by cargo live in ~/.cargo/bin, which a fresh shell may not have on PATH.
const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin");
const env = { ...process.env, PATH: `${cargoBin}:${process.env.PATH}` };

function run(cmd, argv, opts = {}) {
  console.log(`build: $ ${[cmd, ...argv].join(" ")}`);
  const t = performance.now();
  const out = execFileSync(cmd, argv, {
    cwd: root,
    env,
    stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  console.log(`build:   (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  return out;
}

const cargoToml = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = cargoToml.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms)?.[1];
const license = cargoToml.match(/^\[package\][^[]*?^license\s*=\s*"([^"]+)"/ms)?.[1] ?? "UNLICENSED";
const description = cargoToml.match(/^\[package\][^[]*?^description\s*=\s*"([^"]+)"/ms)?.[1];
const repository = cargoToml.match(/^\[package\][^[]*?^repository\s*=\s*"([^"]+)"/ms)?.[1];
if (!version) throw new Error("could not read the package version from Cargo.toml");

// The smaller entries, `azure-incremental-snapshots/<dir>`: each its own wasm, built from fewer of
// the facade's API groups (Cargo.toml [features]), with its own glue and runtime files in
// pkg/<dir>/. Their functions are the main entry's, the same code and the same contract; an entry
// just has fewer of them, so a consumer that needs only those loads less (README "Entries").
// They are built before the main entry, so cargo's output is the full build when this ends
// (bench/lib/named-build.mjs and the anatomy read it).
// Their API groups are Cargo.toml's features entry-<dir>.
const SUBSET_ENTRIES = [
  // A consumer that fetches list pages itself: the chain of a disk out of a page.
  { dir: "filter", features: ["entry-filter"] },
  // The documented flow: list and filter, create, copy, delete, access; configs and templates.
  { dir: "client", features: ["entry-client"] },
];

// wasm-opt's feature flags: exactly the features the compiler enabled (rustc records them in the
// module's target_features section; wasm-bindgen may drop that section, so read it from cargo's
// output).
const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
function wasmFeatures() {
  const printed = run(wasmOpt, [CRATE_WASM, "--print-features", "-o", "/dev/null"], { capture: true });
  let features = printed.split(/\s+/).filter((f) => f.startsWith("--enable-"));
  if (features.length === 0) {
    // No target_features section: what rustc >= 1.82 enables by default for wasm32-unknown-unknown.
    features = [
      "--enable-bulk-memory",
      "--enable-nontrapping-float-to-int",
      "--enable-sign-ext",
      "--enable-mutable-globals",
      "--enable-reference-types",
      "--enable-multivalue",
    ];
  }
  return features;
}

/** Steps 1–3 for one entry: cargo (all API groups, or `features` only), wasm-bindgen into `out`, wasm-opt. */
function compile(out, features) {
  // 1. The crate, for wasm32.
  const which = features ? ["--no-default-features", "--features", features.join(",")] : [];
  run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--lib", ...which]);
  // 2. JS glue.
  mkdirSync(out, { recursive: true });
  run("wasm-bindgen", ["--target", "web", "--out-dir", out, "--out-name", NAME, CRATE_WASM]);
  // wasm-bindgen writes a .gitignore with "*" into its out-dir; npm pack would honour it.
  rmSync(join(out, ".gitignore"), { force: true });
  // 3. wasm-opt.
  if (args.has("--no-opt")) return;
  const enabled = wasmFeatures();
  console.log(`build: wasm features: ${enabled.map((f) => f.slice(9)).join(", ")}`);
  const before = statSync(join(out, BG)).size;
  // --converge repeats -Oz while it still shrinks; --low-memory-unused lets binaryen fold
  // constant offsets into loads and stores, assuming no pointer is in the low 1 KiB: rustc's
  // wasm32 layout puts a 1 MiB stack first (data from 1 MiB up), so the low 1 KiB is only the
  // last KiB of a stack that is already overflowing. Measured: -1.8 KB gzip (0.7%).
  run(wasmOpt, ["-Oz", "--converge", "--low-memory-unused", ...enabled, join(out, BG), "-o", join(out, BG)]);
  console.log(`build: wasm-opt ${before} → ${statSync(join(out, BG)).size} bytes`);
}

// pkg/ is rebuilt from scratch so no stale file ships.
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
for (const entry of SUBSET_ENTRIES) compile(join(pkg, entry.dir), entry.features);
compile(pkg, null);

// 4. Types: the generated .d.ts already holds src/wasm/types.d.ts when the crate embeds it as a
// typescript_custom_section; append it only when it is missing.
const dts = join(pkg, `${NAME}.d.ts`);
const handTypes = join(root, "src/wasm/types.d.ts");
if (existsSync(handTypes)) {
  const hand = readFileSync(handTypes, "utf8");
  const probe = hand.split("\n").find((l) => /^export /.test(l));
  if (probe && !readFileSync(dts, "utf8").includes(probe)) {
    writeFileSync(dts, `${readFileSync(dts, "utf8")}\n${hand}`);
    console.log("build: appended src/wasm/types.d.ts to the generated .d.ts");
  }
}

// Runtime files. Every entry also exports `default` (the glue's `init`), a no-op once the module
// is instantiated, so `await init()` is correct code in every runtime, and `isAzureSnapshotsError`
// (declared in src/wasm/types.d.ts): the type guard for a `catch`, by the same rule everywhere.
// It never throws: a hostile value (a Proxy whose traps throw) is simply not one of ours.
const header = "// Generated by scripts/build.mjs.\n";
const guard =
  `import { errorCodes as __errorCodes } from "./${NAME}.js";\n` +
  `export function isAzureSnapshotsError(e) {\n` +
  `  try {\n` +
  `    return e instanceof Error && e.name === "AzureSnapshotsError" && typeof e.code === "string" && __errorCodes().includes(e.code);\n` +
  `  } catch {\n` +
  `    return false;\n` +
  `  }\n` +
  `}\n`;
const reexports = `export * from "./${NAME}.js";\nexport { default } from "./${NAME}.js";\n${guard}`;
const esbuild = await import("esbuild");

/** web.js, node.mjs, workerd.js and node.cjs over the glue and the .wasm in `dir`. */
async function writeRuntimeFiles(dir) {
  const files = {
    // Browsers and bundlers: `await init()` fetches the .wasm next to the glue (new URL(…, import.meta.url)).
    "web.js": `${header}${reexports}`,
    // Node, ES modules: ready on import.
    "node.mjs":
      `${header}import { readFileSync } from "node:fs";\nimport { initSync } from "./${NAME}.js";\n` +
      `initSync({ module: readFileSync(new URL("./${BG}", import.meta.url)) });\n` +
      reexports,
    // workerd / Cloudflare Workers: wrangler and miniflare import a .wasm file as a WebAssembly.Module.
    "workerd.js":
      `${header}import wasmModule from "./${BG}";\nimport { initSync } from "./${NAME}.js";\n` +
      `initSync({ module: wasmModule });\n` +
      reexports,
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);

  // Node, CommonJS: the same glue bundled to CJS by esbuild, instantiated synchronously from the file
  // next to it. `import.meta.url` (only used by the default `init()` path) maps to this file's URL.
  await esbuild.build({
    stdin: {
      contents:
        `import { initSync } from "./${NAME}.js";\n` +
        `initSync({ module: require("node:fs").readFileSync(require("node:path").join(__dirname, "${BG}")) });\n` +
        reexports,
      resolveDir: dir,
      sourcefile: "node-cjs-entry.js",
      loader: "js",
    },
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outfile: join(dir, "node.cjs"),
    banner: {
      js: `${header.trim()}\n"use strict";\nconst __import_meta_url = require("node:url").pathToFileURL(__filename).href;`,
    },
    define: { "import.meta.url": "__import_meta_url" },
    logLevel: "warning",
  });
}

// One declaration file per entry (`${NAME}.d.ts`); its runtime files' .d.ts re-export it. The CJS
// file gets a copy as .d.cts (TypeScript treats a .d.ts in a "type": "module" package as ESM).
const reexport = `export * from "./${NAME}.js";\nexport { default } from "./${NAME}.js";\n`;
function writeRuntimeTypes(dir, declarations) {
  for (const f of ["web.d.ts", "node.d.mts", "workerd.d.ts"]) writeFileSync(join(dir, f), reexport);
  writeFileSync(join(dir, "node.d.cts"), declarations);
}
await writeRuntimeFiles(pkg);
writeRuntimeTypes(pkg, readFileSync(dts, "utf8"));

// A smaller entry's declarations: the main entry's, narrowed to what its module exports (read
// from the built module itself, so they cannot disagree): its functions by name, and ArmClient as
// the main class with only the members this entry's class has. All types are re-exported.
for (const entry of SUBSET_ENTRIES) {
  const dir = join(pkg, entry.dir);
  await writeRuntimeFiles(dir);
  const glue = await import(pathToFileURL(join(dir, `${NAME}.js`)).href);
  glue.initSync({ module: readFileSync(join(dir, BG)) });
  const functions = Object.keys(glue)
    .filter((k) => k !== "default" && k !== "ArmClient" && typeof glue[k] === "function")
    .concat("isAzureSnapshotsError")
    .sort();
  entry.functions = functions;
  let text =
    `// Generated by scripts/build.mjs: the "${entry.dir}" entry, a part of the package's API (same types, same behaviour).\n` +
    `export type * from "../${NAME}.js";\n` +
    `export { ${functions.join(", ")} } from "../${NAME}.js";\n` +
    `export { default } from "../${NAME}.js";\n`;
  if (glue.ArmClient) {
    const members = Object.getOwnPropertyNames(glue.ArmClient.prototype)
      .filter((k) => k !== "constructor" && !k.startsWith("__"))
      .sort();
    entry.clientMembers = members;
    text +=
      `import type { ArmClient as FullArmClient, ArmClientOptions } from "../${NAME}.js";\n` +
      `/** The package's ArmClient with only the members of this entry. */\n` +
      `export type ArmClient = Pick<FullArmClient, ${members.map((m) => JSON.stringify(m)).join(" | ")}>;\n` +
      `export declare const ArmClient: { new (options: ArmClientOptions): ArmClient; readonly prototype: ArmClient };\n`;
  }
  writeFileSync(join(dir, `${NAME}.d.ts`), text);
  writeRuntimeTypes(dir, text);
  rmSync(join(dir, `${BG}.d.ts`), { force: true });
  console.log(
    `build: entry ${entry.dir}: ${functions.join(", ")}${glue.ArmClient ? `; ArmClient: ${entry.clientMembers.join(", ")}` : ""}`,
  );
}

// The package's own README (install, the runtimes, the API with examples, the error codes), not the
// repository's (its test suites and links to files that are not in the tarball), and the license.
// Its error-code table must list errorCodes() exactly, in order (tests/node/readme-examples.test.mjs
// checks that too, and that every relative link resolves in the tarball).
const pkgReadme = join(root, "pkg-readme/README.md");
const readmeText = readFileSync(pkgReadme, "utf8");
{
  const glue = await import(pathToFileURL(join(pkg, `${NAME}.js`)).href);
  glue.initSync({ module: readFileSync(join(pkg, BG)) });
  const listed = [...readmeText.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  const codes = [...glue.errorCodes()];
  if (JSON.stringify(listed) !== JSON.stringify(codes))
    throw new Error(`pkg-readme/README.md error codes ${listed.join(",")} != errorCodes() ${codes.join(",")}`);
}
writeFileSync(join(pkg, "README.md"), readmeText);
if (!existsSync(join(root, "LICENSE"))) throw new Error("LICENSE is missing");
copyFileSync(join(root, "LICENSE"), join(pkg, "LICENSE"));

// What an entry (the main one at the top, a smaller one in <dir>/) is made of, and the `exports`
// conditions that pick its runtime file: the same for every entry.
const ENTRY_FILES = [
  `${NAME}.js`,
  `${NAME}.d.ts`,
  BG,
  "web.js",
  "web.d.ts",
  "node.mjs",
  "node.d.mts",
  "node.cjs",
  "node.d.cts",
  "workerd.js",
  "workerd.d.ts",
];
const conditionsOf = (at) => ({
  workerd: { types: `${at}workerd.d.ts`, default: `${at}workerd.js` },
  worker: { types: `${at}workerd.d.ts`, default: `${at}workerd.js` },
  browser: { types: `${at}web.d.ts`, default: `${at}web.js` },
  node: {
    require: { types: `${at}node.d.cts`, default: `${at}node.cjs` },
    default: { types: `${at}node.d.mts`, default: `${at}node.mjs` },
  },
  require: { types: `${at}node.d.cts`, default: `${at}node.cjs` },
  default: { types: `${at}web.d.ts`, default: `${at}web.js` },
});
// The files that instantiate the module on import: a bundler must never drop them.
const instantiating = (at) => [`${at}node.mjs`, `${at}node.cjs`, `${at}workerd.js`];

const manifest = {
  name: "azure-incremental-snapshots",
  version,
  description,
  license,
  ...(repository ? { repository: { type: "git", url: `git+${repository}.git` } } : {}),
  type: "module",
  main: "./node.cjs",
  module: "./web.js",
  browser: "./web.js",
  types: `./${NAME}.d.ts`,
  exports: {
    ".": conditionsOf("./"),
    "./web": { types: "./web.d.ts", default: "./web.js" },
    "./web.js": { types: "./web.d.ts", default: "./web.js" },
    "./node": {
      require: { types: "./node.d.cts", default: "./node.cjs" },
      default: { types: "./node.d.mts", default: "./node.mjs" },
    },
    "./workerd": { types: "./workerd.d.ts", default: "./workerd.js" },
    [`./${BG}`]: `./${BG}`,
    ...Object.fromEntries(SUBSET_ENTRIES.map(({ dir }) => [`./${dir}`, conditionsOf(`./${dir}/`)])),
    ...Object.fromEntries(SUBSET_ENTRIES.map(({ dir }) => [`./${dir}/${BG}`, `./${dir}/${BG}`])),
    "./package.json": "./package.json",
  },
  files: [
    ...ENTRY_FILES,
    `${BG}.d.ts`,
    "size.json",
    "README.md",
    "LICENSE",
    ...SUBSET_ENTRIES.flatMap(({ dir }) => ENTRY_FILES.map((f) => `${dir}/${f}`)),
  ],
  sideEffects: [...instantiating("./"), ...SUBSET_ENTRIES.flatMap(({ dir }) => instantiating(`./${dir}/`))],
  engines: { node: ">=20" },
  keywords: ["azure", "snapshot", "incremental", "managed-disk", "arm", "wasm", "cloudflare-workers"],
};
for (const f of manifest.files)
  if (f !== "size.json" && !existsSync(join(pkg, f))) throw new Error(`pkg/${f} was not produced`);
writeFileSync(join(pkg, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

// 5. Sizes of what each consumer loads.
const size = (...fs) => {
  const buf = Buffer.concat(fs.map((f) => readFileSync(join(pkg, f))));
  return { files: fs, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
// An entry's wasm and its JS per runtime (the runtime file with the glue it imports).
const entrySizes = (at) => ({
  wasm: size(`${at}${BG}`),
  glue: {
    browser: size(`${at}web.js`, `${at}${NAME}.js`),
    nodeImport: size(`${at}node.mjs`, `${at}${NAME}.js`),
    nodeRequire: size(`${at}node.cjs`),
    workerd: size(`${at}workerd.js`, `${at}${NAME}.js`),
  },
});
const sizes = { ...entrySizes(""), entries: {} };
for (const { dir, features, functions, clientMembers } of SUBSET_ENTRIES) {
  sizes.entries[dir] = { features, functions, ...(clientMembers ? { clientMembers } : {}), ...entrySizes(`${dir}/`) };
}
writeFileSync(join(pkg, "size.json"), `${JSON.stringify(sizes, null, 2)}\n`);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`build: ${BG}: ${kb(sizes.wasm.raw)} raw, ${kb(sizes.wasm.gzip)} gzip`);
for (const [who, s] of Object.entries(sizes.glue))
  console.log(`build: JS for ${who} (${s.files.join(" + ")}): ${kb(s.raw)} raw, ${kb(s.gzip)} gzip`);
for (const [dir, e] of Object.entries(sizes.entries)) {
  const largestGlue = Math.max(...Object.values(e.glue).map((g) => g.gzip));
  console.log(
    `build: entry ${dir}: wasm ${kb(e.wasm.raw)} raw, ${kb(e.wasm.gzip)} gzip; glue ≤ ${kb(largestGlue)} gzip; ` +
      `one consumer loads ≤ ${((e.wasm.gzip + largestGlue) / 1000).toFixed(1)} kB gzip`,
  );
}
const listing = readdirSync(pkg).sort().join(" ");
console.log(`build: pkg/ = ${listing}`);
console.log(`build: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
