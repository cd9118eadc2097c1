#!/usr/bin/env node
// Bundles the worker for workerd with esbuild: worker/dist/index.js plus the package's .wasm
// beside it (imported as a compiled WebAssembly module, the way wrangler deploys it).
//   node worker/bundle.mjs [outdir]     → prints { outdir, files, raw, gzip } as JSON
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const workerDir = dirname(fileURLToPath(import.meta.url));
export const root = resolve(workerDir, "..");
const WASM = "azure_incremental_snapshots_bg.wasm";

/** Bundles into `outdir` (default worker/dist); returns the files and their sizes. */
export async function bundleWorker(outdir = join(workerDir, "dist")) {
  const pkgDir = join(root, "pkg");
  if (!existsSync(join(pkgDir, "workerd.js")) || !existsSync(join(pkgDir, WASM))) {
    throw new Error("pkg/ is not built (pkg/workerd.js and the .wasm are needed): run npm run build");
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(workerDir, "src", "index.js")],
    outfile: join(outdir, "index.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["*.wasm", "cloudflare:*"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
  });
  for (const w of result.warnings) console.error("esbuild warning:", w.text);
  copyFileSync(join(pkgDir, WASM), join(outdir, WASM));
  return { outdir, ...measure(outdir) };
}

/** Raw and gzipped size of every file of a bundle (what Workers' limits count: the upload). */
export function measure(dir) {
  const files = {};
  let raw = 0;
  let gzip = 0;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isFile() || name.endsWith(".map") || name === "README.md") continue;
    const data = readFileSync(p);
    const gz = gzipSync(data, { level: 9 }).length;
    files[name] = { raw: data.length, gzip: gz };
    raw += data.length;
    gzip += gz;
  }
  return { files, raw, gzip };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  bundleWorker(out).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
