#!/usr/bin/env node
// The main job of `npm start`: the web page (www/), the npm package (pkg/, at /pkg) and the ARM
// emulator with demo data, all on one origin, http://127.0.0.1:8080 by default (PORT and HOST
// change it). The page finds the emulator at /__emulator and offers demo mode; being on the
// emulator's own origin, it also gets the run's control secret there (for the "simulate a
// problem" buttons), which no other origin can read. The same files work from any static host
// against real Azure.
//
// @azure/msal-browser ships ES modules with bare imports, which a browser cannot load as they are;
// esbuild bundles it once into target/www-vendor/msal-browser.mjs (git-ignored), served at
// /vendor/msal-browser.mjs. The page imports it only when the user picks Entra ID sign-in.
//
//   node scripts/serve.mjs                     serve until SIGINT / SIGTERM
//   import { start } from "./scripts/serve.mjs"; const s = await start({ port: 0 }); … await s.close();
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startEmulator } from "../emulator/index.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const vendorDir = join(root, "target", "www-vendor");

/** Bundle msal-browser to one ES module (once; rebuilt when the installed package is newer). */
export async function bundleMsal({ quiet = false } = {}) {
  const entry = join(root, "node_modules/@azure/msal-browser/dist/index.mjs");
  const out = join(vendorDir, "msal-browser.mjs");
  if (!existsSync(entry)) {
    if (!quiet) console.error("serve: @azure/msal-browser is not installed; Entra ID sign-in will be unavailable");
    return null;
  }
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(entry).mtimeMs) return out;
  mkdirSync(vendorDir, { recursive: true });
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "inline",
    outfile: out,
    logLevel: "warning",
  });
  return out;
}

/**
 * Start the page, the package and the emulator on one origin.
 * options: port (default PORT or 8080; 0 = a free one), host (default HOST or 127.0.0.1),
 * seed (default "demo"), emulator (more startEmulator options), quiet.
 * Resolves to { url, close(), emulator }.
 */
export async function start(options = {}) {
  const port = options.port ?? Number(process.env.PORT ?? 8080);
  const host = options.host ?? process.env.HOST ?? "127.0.0.1";
  if (!existsSync(join(root, "pkg", "web.js"))) {
    throw new Error("pkg/web.js is missing: build the package first (npm run build)");
  }
  let msal = null;
  try {
    msal = await bundleMsal({ quiet: options.quiet });
  } catch (e) {
    if (!options.quiet)
      console.error(`serve: could not bundle @azure/msal-browser (${e.message}); Entra ID sign-in will be unavailable`);
  }
  // Most specific prefixes first: the emulator tries the mounts in order.
  const mounts = [
    { prefix: "/pkg", dir: join(root, "pkg") },
    ...(msal ? [{ prefix: "/vendor", dir: vendorDir }] : []),
    { prefix: "/", dir: join(root, "www") },
  ];
  const emulator = await startEmulator({ seed: "demo", ...(options.emulator ?? {}), port, host, static: mounts });
  let closed = false;
  return {
    url: `${emulator.url}/`,
    emulator,
    close: async () => {
      if (closed) return;
      closed = true;
      await emulator.close();
    },
  };
}

// Run as a script: serve until a signal.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let server;
  try {
    server = await start();
  } catch (e) {
    console.error(`serve: ${e.message}`);
    process.exit(1);
  }
  const info = server.emulator.seedInfo;
  console.log(`Incremental snapshots page: ${server.url}`);
  console.log(
    `  demo mode: the local ARM emulator on the same origin (subscription ${info.subscriptionId}, ${info.disks.length} disks, ${info.snapshots} snapshots)`,
  );
  console.log("  press Ctrl+C to stop");
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nserve: ${signal}, closing`);
    const timer = setTimeout(() => process.exit(1), 5000);
    timer.unref();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
