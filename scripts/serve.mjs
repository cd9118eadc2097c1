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
// The files are served through the emulator's `otherPaths` hook (GET and HEAD outside the ARM
// and control paths), by staticFiles(mounts) below, with the emulator's CORS headers.
//
//   node scripts/serve.mjs                     serve until SIGINT / SIGTERM
//   node scripts/serve.mjs --static <dir>      also serve <dir> at / (before www/); --static /prefix=dir
//   import { start } from "./scripts/serve.mjs"; const s = await start({ port: 0 }); … await s.close();
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startEmulator } from "../emulator/index.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const vendorDir = join(root, "target", "www-vendor");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

/**
 * The emulator's `otherPaths` hook serving files: `mounts` is a directory (served at /) or
 * [{ prefix, dir }], tried in order (most specific prefix first). A directory answers with its
 * index.html; a path with '..' or outside a mount's directory is never served. Returns true if
 * it answered.
 */
export function staticFiles(mounts) {
  const list = typeof mounts === "string" ? [{ prefix: "/", dir: mounts }] : mounts;
  return (req, res, { seg, headers }) => {
    const urlPath = `/${seg.join("/")}`;
    for (const { prefix, dir } of list) {
      const p = prefix.endsWith("/") ? prefix : `${prefix}/`;
      if (!(`${urlPath}/`.startsWith(p) || urlPath === prefix)) continue;
      const rel = urlPath.slice(p.length - 1).replace(/^\/+/, "");
      if (rel.split("/").some((s) => s === "..")) continue;
      const base = resolve(dir);
      let file = resolve(base, rel || "index.html");
      if (!file.startsWith(base)) continue;
      try {
        if (statSync(file).isDirectory()) file = join(file, "index.html");
        const data = readFileSync(file);
        const type = MIME[extname(file).toLowerCase()] || "application/octet-stream";
        res.writeHead(200, {
          "Content-Type": type,
          "Content-Length": String(data.length),
          "Cache-Control": "no-cache",
          ...headers,
        });
        res.end(req.method === "HEAD" ? undefined : data);
        return true;
      } catch {
        /* try the next mount */
      }
    }
    return false;
  };
}

/** `--static <dir>` or `--static /prefix=dir` as a mount. */
function parseMount(v) {
  const eq = v.indexOf("=");
  return eq > 0 && v.startsWith("/") ? { prefix: v.slice(0, eq), dir: v.slice(eq + 1) } : { prefix: "/", dir: v };
}

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
 * seed (default "demo"), emulator (more startEmulator options), mounts (more [{ prefix, dir }] to
 * serve, before the page's own at the same prefix), quiet.
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
  // Most specific prefixes first: the mounts are tried in order (a stable sort keeps the caller's
  // before the page's at the same prefix).
  const mounts = [
    ...(options.mounts ?? []),
    { prefix: "/pkg", dir: join(root, "pkg") },
    ...(msal ? [{ prefix: "/vendor", dir: vendorDir }] : []),
    { prefix: "/", dir: join(root, "www") },
  ].sort((x, y) => y.prefix.length - x.prefix.length);
  const emulator = await startEmulator({
    seed: "demo",
    ...(options.emulator ?? {}),
    port,
    host,
    otherPaths: staticFiles(mounts),
  });
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
  const usage = "Usage: node scripts/serve.mjs [--static <dir> | --static /prefix=dir]... (PORT, HOST)";
  const argv = process.argv.slice(2);
  const mounts = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--static" && i + 1 < argv.length) mounts.push(parseMount(argv[++i]));
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(usage);
      process.exit(0);
    } else {
      console.error(`serve: unknown option '${argv[i]}'\n${usage}`);
      process.exit(2);
    }
  }
  let server;
  try {
    server = await start({ mounts });
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
