#!/usr/bin/env node
// Builds the page as a static site for any static host (no server code of ours): www/, the
// package files the browser loads (pkg/web.js, its glue and the .wasm) under pkg/, and the bundled
// @azure/msal-browser under vendor/. Output: site/ (or the folder given), replaced whole.
//
//   npm run build && node scripts/build-site.mjs [outdir]
//
// Without the emulator next to it, the page offers Azure only (Entra ID sign-in or a pasted token).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleMsal } from "./serve.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The package files a browser loads through pkg/web.js. */
const BROWSER_FILES = ["web.js", "azure_incremental_snapshots.js", "azure_incremental_snapshots_bg.wasm"];

export async function buildSite(outDir = join(root, "site")) {
  for (const f of BROWSER_FILES) {
    if (!existsSync(join(root, "pkg", f))) throw new Error(`pkg/${f} is missing: run npm run build first`);
  }
  const msal = await bundleMsal({ quiet: true });
  if (!msal) throw new Error("@azure/msal-browser is not installed: run npm run setup");
  rmSync(outDir, { recursive: true, force: true });
  cpSync(join(root, "www"), outDir, { recursive: true });
  mkdirSync(join(outDir, "pkg"), { recursive: true });
  for (const f of BROWSER_FILES) cpSync(join(root, "pkg", f), join(outDir, "pkg", f));
  mkdirSync(join(outDir, "vendor"), { recursive: true });
  cpSync(msal, join(outDir, "vendor", "msal-browser.mjs"));
  const files = [];
  const walk = (dir, prefix = "") => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files.push({ file: `${prefix}${name}`, bytes: statSync(path).size });
    }
  };
  walk(outDir);
  return { outDir, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  buildSite(out).then(
    ({ outDir, files }) => {
      const total = files.reduce((n, f) => n + f.bytes, 0);
      console.log(`site: ${files.length} files, ${(total / 1024).toFixed(1)} KiB in ${outDir}`);
    },
    (e) => {
      console.error(`site: ${e.message}`);
      process.exit(1);
    },
  );
}
