// Shared set-up of the worker suites: bundle the worker, start the ARM emulator on loopback and
// the worker in workerd through miniflare, with every outbound request of the worker recorded.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SUB = "11111111-2222-3333-4444-555555555555";
export const WASM_RULES = [{ type: "CompiledWasm", include: ["**/*.wasm"] }];
export const COMPAT_DATE = "2025-09-01";
export const ALLOWED = "https://backup.example.com";

/** Something a suite needs that is not there (pkg/ not built, miniflare not installed). */
export async function prerequisites() {
  const { existsSync } = await import("node:fs");
  if (!existsSync(join(root, "pkg", "workerd.js"))) return "pkg/ is not built (npm run build)";
  try {
    await import("miniflare");
  } catch {
    return "miniflare is not installed (devDependency)";
  }
  return null;
}

/** Bundles the worker into a fresh temporary directory; returns { outdir, files, raw, gzip, cleanup }. */
export async function bundle() {
  const { bundleWorker } = await import(join(root, "worker", "bundle.mjs"));
  const dir = mkdtempSync(join(tmpdir(), "worker-bundle-"));
  const result = await bundleWorker(dir);
  return { ...result, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts the emulator (demo seed) and the bundled worker pointed at it. Every fetch the worker
 * makes goes through `outbound` (recorded in `env.outbound`) and only the emulator's origin is
 * forwarded: anything else is recorded and answered 599, so a test can prove it was never sent.
 * `bindings` may be a function of the emulator (for vars that name its URL).
 */
export async function startStack({ bindings = {}, emulator = {}, persistDir } = {}) {
  const { Miniflare } = await import("miniflare");
  const { startEmulator } = await import(join(root, "emulator", "index.mjs"));
  const emu = await startEmulator({ seed: "demo", retryAfterSeconds: 0, enforceRateLimit: false, ...emulator });
  let built;
  try {
    built = await bundle();
  } catch (e) {
    await emu.close();
    throw e;
  }
  const outbound = [];
  /** Every line workerd wrote (the worker's console output included), for secret checks. */
  const logs = [];
  const proxy = await startRecordingProxy(emu.url, outbound);
  const options = (extra = {}) => ({
    modules: true,
    scriptPath: join(built.outdir, "index.js"),
    modulesRoot: built.outdir,
    modulesRules: WASM_RULES,
    compatibilityDate: COMPAT_DATE,
    // workerd sends every outbound request of the worker to this loopback proxy (plain HTTP)
    outboundService: { external: { address: `127.0.0.1:${proxy.port}`, http: {} } },
    // one SQLite-backed Durable Object per replication job; on disk when a test restarts workerd
    durableObjects: {
      REPLICATIONS: { className: "ReplicationJob", useSQLite: true },
      POLICY_STORE: { className: "PolicyStore", useSQLite: true },
      POLICY_RUNS: { className: "PolicyRun", useSQLite: true },
    },
    ...(persistDir ? { durableObjectsPersist: persistDir } : {}),
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.setEncoding("utf8");
        stream.on("data", (chunk) => {
          if (logs.length < 10_000) logs.push(chunk);
        });
      }
    },
    bindings: Object.fromEntries(
      Object.entries({
        ARM_ENDPOINT: emu.url,
        ALLOWED_ORIGINS: `${ALLOWED}, https://ops.example.com`,
        ...(typeof bindings === "function" ? bindings(emu) : bindings),
        ...extra,
      }).filter(([, v]) => v !== undefined),
    ),
  });
  let mf = new Miniflare(options());
  let stopped = false;
  let url;
  try {
    url = new URL(String(await mf.ready));
  } catch (e) {
    await Promise.allSettled([mf.dispose(), emu.close(), proxy.close()]);
    built.cleanup();
    throw e;
  }
  const stack = {
    emu,
    get mf() {
      return mf;
    },
    get url() {
      return url;
    },
    outbound,
    logs,
    bundle: built,
    options,
    /** A second, independent worker instance on the same bundle. */
    async another(extra) {
      const other = new Miniflare(options(extra));
      await other.ready;
      return other;
    },
    /** Stops workerd (as a crash would: nothing is flushed by the worker) and starts it again. */
    async restart() {
      if (!stopped) await mf.dispose();
      stopped = false;
      mf = new Miniflare(options());
      url = new URL(String(await mf.ready));
    },
    /** Stops workerd only (a later restart() starts it again). */
    async stop() {
      stopped = true;
      await mf.dispose();
    },
    /** dispatchFetch with a bounded wait; `path` is relative to the worker. */
    async call(path, { method = "GET", token, headers = {}, body, json, timeoutMs = 20_000, via = mf } = {}) {
      const h = { ...headers };
      if (token !== undefined) h.authorization = token === null ? undefined : `Bearer ${token}`;
      if (json !== undefined) {
        h["content-type"] = "application/json";
        body = JSON.stringify(json);
      }
      for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
      const r = await via.dispatchFetch(new URL(path, "http://worker.test").href, {
        method,
        headers: h,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await r.text();
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = text;
      }
      return { status: r.status, headers: r.headers, body: data, text };
    },
    /** A request sent byte for byte over a socket (no URL normalisation by the client). */
    raw(path, { method = "GET", headers = {}, body, chunks, timeoutMs = 20_000 } = {}) {
      return new Promise((resolvePromise, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, method, path, headers, timeout: timeoutMs },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (text += c));
            res.on("end", () => {
              let data = null;
              try {
                data = text ? JSON.parse(text) : null;
              } catch {
                data = text;
              }
              resolvePromise({ status: res.statusCode, headers: res.headers, body: data, text });
            });
          },
        );
        req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
        req.on("error", reject);
        if (chunks) {
          (async () => {
            for (const c of chunks) {
              if (!req.write(c)) await new Promise((r) => req.once("drain", r));
            }
            req.end();
          })().catch(reject);
        } else req.end(body);
      });
    },
    /** ARM requests the emulator saw since the last reset. */
    armRequests() {
      return emu.requests.filter((r) => !String(r.url).startsWith("/__emulator"));
    },
    reset() {
      emu.clearFaults();
      emu.resetRequests();
      outbound.length = 0;
    },
    async close() {
      await Promise.race([
        Promise.allSettled([mf.dispose(), emu.close(), proxy.close()]),
        new Promise((r) => setTimeout(r, 10_000)),
      ]);
      built.cleanup();
    },
  };
  return stack;
}

/**
 * The worker's outbound HTTP: every request is recorded as { method, url, origin }; requests for
 * the emulator's host are forwarded to it byte for byte (a dropped upstream connection drops this
 * one too, so workerd sees a network failure), anything else is answered 599 without being sent.
 */
async function startRecordingProxy(emuUrl, outbound) {
  const emu = new URL(emuUrl);
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? "";
    const url = /^[a-z]+:\/\//i.test(req.url) ? req.url : `http://${host}${req.url}`;
    let origin = null;
    try {
      origin = new URL(url).origin;
    } catch {
      /* recorded as is */
    }
    outbound.push({ method: req.method, url, origin, authorization: req.headers.authorization !== undefined });
    if (origin !== emu.origin) {
      req.resume();
      res.writeHead(599, { "content-type": "text/plain" }).end("refused by the test proxy");
      return;
    }
    const up = http.request(
      {
        host: emu.hostname,
        port: emu.port,
        method: req.method,
        path: new URL(url).pathname + new URL(url).search,
        headers: req.headers,
        timeout: 20_000,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.rawHeaders);
        upRes.pipe(res);
        upRes.on("error", () => res.destroy());
        upRes.on("aborted", () => res.destroy());
      },
    );
    up.on("timeout", () => up.destroy(new Error("upstream timeout")));
    up.on("error", () => req.socket.destroy());
    req.pipe(up);
  });
  server.on("connection", (sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => r());
      }),
  };
}

/** Path of a disk's routes: /v1/subscriptions/{sub}/resourceGroups/{rg}/disks/{disk}. */
export function diskPath(diskId) {
  return "/v1" + diskId.replace(/\/providers\/Microsoft\.Compute/i, "");
}

/** Polls `fn` until it returns truthy, at most `tries` times, `ms` apart. */
export async function poll(fn, { tries = 20, ms = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    const v = await fn(i);
    if (v) return v;
    await new Promise((r) => setTimeout(r, ms));
  }
  throw new Error(`condition not met after ${tries} tries`);
}

/**
 * The worker's recorded outbound requests counted: `arm` by method (the principal's ARM traffic),
 * `token` (Entra token requests), `permissions` (the callers' permission checks), `other`.
 */
export function countOutbound(outbound) {
  const out = { arm: {}, armTotal: 0, token: 0, permissions: 0, other: 0 };
  for (const r of outbound) {
    const u = String(r.url);
    if (/\/oauth2\/v2\.0\/token/i.test(u)) out.token++;
    else if (/\/providers\/Microsoft\.Authorization\/permissions/i.test(u)) out.permissions++;
    else if (/\/subscriptions\//i.test(u)) {
      out.arm[r.method] = (out.arm[r.method] ?? 0) + 1;
      out.armTotal++;
    } else out.other++;
  }
  return out;
}
