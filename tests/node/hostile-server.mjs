// A scriptable HTTP server on loopback that plays a hostile ARM for the fault-matrix tests
// (tests/node/hostile.test.mjs, tests/node/soak.test.mjs, the worker and browser variants).
//
// Each test sets `server.handler = (req, res, rec) => ...` (or `server.handle(...)` with a route
// table); the server records every request it sees (method, url, headers, body, time) in
// `server.requests`, so a test can prove what reached this origin and what reached the second,
// "foreign" server. The helpers below reply whatever a hostile ARM might: any status, redirects
// (301/302/307/308) to the foreign origin, ARM error bodies echoing the Authorization token in
// every field and header (raw, JSON-escaped, URL-encoded), gzip bombs (~1.1 MB inflating to
// 1.125 GiB), endless bodies, connections that are accepted and never answered, headers then a
// stalled body, truncated JSON, Retry-After as HTTP dates, and a long-running operation that
// never completes.
//
//   const { arm, foreign } = await startHostilePair();
//   arm.handler = (req, res, rec) => H.redirect(res, 307, `${foreign.url}/x`);
//   ...
//   await Promise.all([arm.close(), foreign.close()]);
import http from "node:http";
import zlib from "node:zlib";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadPackage, resolveExport } from "./load-package.mjs";

/**
 * The built package, from pkg/ (as load-package.mjs does), or from HOSTILE_PKG_DIR when set: a
 * copy of pkg/ kept aside, so a run is not disturbed by a rebuild of pkg/ in the middle of it.
 */
export async function loadPkg(conditions = ["node", "import"]) {
  const dir = process.env.HOSTILE_PKG_DIR;
  if (!dir) return loadPackage(conditions);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const target = resolveExport(manifest.exports?.["."] ?? manifest.exports, conditions);
  return import(pathToFileURL(resolve(dir, target)).href);
}

export const SUB = "11111111-2222-3333-4444-555555555555";
export const RG = "rg-hostile";
export const DISK_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/disks/disk1`;
export const SNAP_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/snap1`;
export const SCOPE = `/subscriptions/${SUB}/resourceGroups/${RG}`;
export const UNIQUE_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

/** A disk as ARM returns it. */
export function disk(overrides = {}) {
  return {
    id: DISK_ID,
    name: "disk1",
    type: "Microsoft.Compute/disks",
    location: "eastus",
    sku: { name: "Premium_LRS", tier: "Premium" },
    properties: {
      creationData: { createOption: "Empty" },
      diskSizeGB: 32,
      diskSizeBytes: 34359738368,
      uniqueId: UNIQUE_ID,
      provisioningState: "Succeeded",
      diskState: "Unattached",
      networkAccessPolicy: "AllowAll",
      publicNetworkAccess: "Enabled",
      timeCreated: "2026-01-01T00:00:00.0000000+00:00",
    },
    ...overrides,
  };
}

/** A snapshot of `disk()` as ARM returns it. */
export function snapshot(name = "snap1", overrides = {}) {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${name}`,
    name,
    type: "Microsoft.Compute/snapshots",
    location: "eastus",
    sku: { name: "Standard_LRS", tier: "Standard" },
    properties: {
      creationData: { createOption: "Copy", sourceResourceId: DISK_ID, sourceUniqueId: UNIQUE_ID },
      diskSizeGB: 32,
      incremental: true,
      provisioningState: "Succeeded",
      timeCreated: "2026-01-02T00:00:00.0000000+00:00",
      uniqueId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      networkAccessPolicy: "AllowAll",
      completionPercent: 100,
    },
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// Reply helpers: (res, ...) => void. They never throw when the client has gone away.

function safe(fn) {
  try {
    fn();
  } catch {
    /* the client hung up */
  }
}

/** Any status, headers and body (string, Buffer or JSON value). */
export function reply(res, status = 200, body = "", headers = {}) {
  safe(() => {
    let data = body;
    const h = { ...headers };
    if (data !== null && typeof data === "object" && !Buffer.isBuffer(data)) {
      data = JSON.stringify(data);
      if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type"))
        h["content-type"] = "application/json; charset=utf-8";
    }
    res.writeHead(status, h);
    res.end(data ?? "");
  });
}

export const json = (res, value, status = 200, headers = {}) => reply(res, status, value, headers);

/** An ARM error reply. */
export function armError(res, status, code, message, extra = {}, headers = {}) {
  reply(
    res,
    status,
    { error: { code, message, ...extra } },
    { "x-ms-error-code": code, "x-ms-request-id": "req-0001", ...headers },
  );
}

/** A redirect to `location` (301, 302, 303, 307, 308), with a body that looks like ARM's answer. */
export function redirect(res, status, location, body = disk()) {
  reply(res, status, body, { location });
}

/** Every form of the token a server could echo. */
export function tokenForms(token) {
  const json = JSON.stringify(token).slice(1, -1);
  return [
    ...new Set([token, `Bearer ${token}`, json, encodeURIComponent(token), encodeURIComponent(`Bearer ${token}`)]),
  ];
}

/**
 * An error reply that echoes the request's Authorization header everywhere ARM puts text:
 * error.message, error.target, error.code-adjacent fields, details[].message/target/code,
 * additionalInfo, and the x-ms-error-code / x-ms-request-id / x-ms-correlation-request-id headers.
 * The token is included raw, JSON-escaped (the JSON body escapes it once more) and URL-encoded.
 */
export function echoAuth(res, req, status = 400) {
  const auth = String(req.headers.authorization ?? "");
  const token = auth.replace(/^Bearer\s+/i, "");
  const enc = encodeURIComponent(auth);
  const encTok = encodeURIComponent(token);
  const jsonTok = JSON.stringify(token).slice(1, -1);
  const body = {
    error: {
      code: `InvalidAuthenticationToken${token}`,
      message: `The header '${auth}' is invalid; token=${token}; escaped=${jsonTok}; encoded=${enc}; raw-encoded=${encTok}`,
      target: `${auth}|${encTok}`,
      details: [
        { code: token, message: `details ${auth} ${encTok}`, target: token },
        { code: `X${encTok}`, message: jsonTok, target: `/subscriptions/${encTok}` },
      ],
      additionalInfo: [{ type: "Token", info: { token, auth } }],
      innererror: { token, auth },
    },
  };
  // Header values must be Latin-1; the URL-encoded form always is.
  const headerSafe = /^[\x20-\x7e]*$/.test(token) ? token : encTok;
  reply(res, status, body, {
    "x-ms-error-code": `Code${headerSafe}`,
    "x-ms-request-id": headerSafe,
    "x-ms-correlation-request-id": encTok,
    "www-authenticate": `Bearer error="${encTok}"`,
  });
}

/** The JSON text cut in the middle, with a content-length that matches what is sent. */
export function truncatedJson(res, value = disk(), status = 200) {
  const text = JSON.stringify(value);
  reply(res, status, text.slice(0, Math.floor(text.length / 2)), { "content-type": "application/json" });
}

/**
 * Declares `content-length: declared` and then streams JSON-looking bytes as fast as the client
 * reads them (stops when it hangs up), so a client that trusts content-length cannot be fed the
 * whole of it by accident.
 */
export function hugeByLength(res, declared = 64 * 1024 * 1024) {
  streamForever(res, { "content-length": String(declared) }, declared);
}

/** An endless body (no content-length, chunked), streamed with backpressure until the client hangs up. */
export function endless(res) {
  streamForever(res, {});
}

function streamForever(res, headers, limit = Infinity) {
  const chunk = Buffer.from(`{"value":[${'{"id":"x","name":"y"},'.repeat(3000)}`.slice(0, 64 * 1024));
  let sent = 0;
  let stopped = false;
  const stop = () => (stopped = true);
  res.on("close", stop);
  res.on("error", stop);
  safe(() => res.writeHead(200, { "content-type": "application/json", ...headers }));
  const pump = () => {
    while (!stopped && sent < limit) {
      const piece = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
      sent += piece.length;
      let ok = false;
      try {
        ok = res.write(piece);
      } catch {
        return;
      }
      if (!ok) {
        res.once("drain", pump);
        return;
      }
    }
    if (!stopped) safe(() => res.end());
  };
  pump();
}

let bombCache = null;
/**
 * A gzip member of 1,172,900 bytes that inflates to 72 × 16 MiB = 1.125 GiB of zeros (computed
 * once per process in about a second: one 16 MiB block deflated with a full flush is repeated,
 * then the CRC and size trailer of the whole).
 */
export function gzipBomb() {
  if (bombCache) return bombCache;
  const CHUNK = 16 << 20;
  const N = 72;
  const zero = Buffer.alloc(CHUNK);
  const block = zlib.deflateRawSync(zero, { level: 9, memLevel: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const final = zlib.deflateRawSync(Buffer.alloc(0));
  let crc = 0;
  for (let i = 0; i < N; i++) crc = zlib.crc32(zero, crc);
  const head = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((CHUNK * N) % 2 ** 32, 4);
  bombCache = { body: Buffer.concat([head, ...Array(N).fill(block), final, trailer]), inflated: CHUNK * N };
  return bombCache;
}

/** The gzip bomb with content-encoding: gzip and a JSON content type. */
export function sendGzipBomb(res, status = 200) {
  const { body } = gzipBomb();
  safe(() => {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": String(body.length),
    });
    res.end(body);
  });
}

/** Accepts the request and never answers (the socket stays open until the server closes). */
export function hang() {}

/** Sends the status and headers and the first bytes of a body, then nothing more. */
export function stallBody(res, status = 200, first = '{"id":"/subscriptions/') {
  safe(() => {
    res.writeHead(status, { "content-type": "application/json", "content-length": "100000" });
    res.write(first);
  });
}

/** An HTTP date `offsetMs` from now (negative: in the past). */
export function httpDate(offsetMs) {
  return new Date(Date.now() + offsetMs).toUTCString();
}

/**
 * The answer to a PUT/DELETE/POST that starts a long-running operation polled at `pollPath` on the
 * same origin (Azure-AsyncOperation and Location), with `Retry-After`.
 */
export function startLro(res, server, pollPath, { status = 202, retryAfter = "0", body = "" } = {}) {
  const headers = { "azure-asyncoperation": `${server.url}${pollPath}`, location: `${server.url}${pollPath}` };
  if (retryAfter !== null) headers["retry-after"] = retryAfter;
  if (status === 201 || status === 200)
    return reply(
      res,
      status,
      body || snapshot("snap1", { properties: { ...snapshot().properties, provisioningState: "Creating" } }),
      headers,
    );
  reply(res, status, body, headers);
}

/** An operation status that stays InProgress (the LRO never completes). */
export function lroInProgress(res, retryAfter = "0") {
  const headers = {};
  if (retryAfter !== null) headers["retry-after"] = retryAfter;
  reply(res, 200, { status: "InProgress", name: "op", startTime: new Date().toISOString() }, headers);
}

// ---------------------------------------------------------------------------------------------
// The server.

/**
 * Starts one recording server on 127.0.0.1:0. `name` labels its records. The returned object:
 * `url`, `origin`, `port`, `requests` (records), `handler` (settable), `handle(routes)`,
 * `reset()`, `count(pred)`, `close()`.
 */
export async function startHostileServer({ name = "arm", maxBodyRecord = 1 << 20 } = {}) {
  const sockets = new Set();
  const requests = [];
  const server = http.createServer();
  const state = {
    name,
    requests,
    /** (req, res, rec, server) => void; default: 404 with an ARM error. */
    handler: null,
    url: "",
    origin: "",
    port: 0,
  };
  const defaultHandler = (req, res) => armError(res, 404, "NoHandler", `no handler for ${req.method} ${req.url}`);
  server.on("request", (req, res) => {
    const rec = {
      server: name,
      method: req.method,
      url: req.url,
      path: req.url.split("?")[0],
      headers: { ...req.headers },
      body: "",
      time: Date.now(),
    };
    requests.push(rec);
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      if (size < maxBodyRecord) chunks.push(c);
      size += c.length;
    });
    req.on("error", () => {});
    res.on("error", () => {});
    req.on("end", () => {
      rec.body = Buffer.concat(chunks).toString("utf8");
      rec.bodySize = size;
      try {
        (state.handler ?? defaultHandler)(req, res, rec, state);
      } catch (e) {
        reply(res, 599, `hostile handler threw: ${e?.message}`);
      }
    });
  });
  server.on("connection", (sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => {});
  });
  server.on("clientError", (err, sock) => safe(() => sock.destroy()));
  // Never let the server's own timeouts answer for the hostile script.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.port = server.address().port;
  state.origin = `http://127.0.0.1:${state.port}`;
  state.url = state.origin;
  /** Routes: [[method|"*", RegExp|string prefix, (req, res, rec) => void], ...]; first match wins. */
  state.handle = (routes, fallback = defaultHandler) => {
    state.handler = (req, res, rec, s) => {
      for (const [method, path, fn] of routes) {
        if (method !== "*" && method !== req.method) continue;
        const hit = typeof path === "string" ? rec.path.toLowerCase().includes(path.toLowerCase()) : path.test(rec.url);
        if (hit) return fn(req, res, rec, s);
      }
      return fallback(req, res, rec, s);
    };
  };
  state.reset = () => {
    requests.length = 0;
    state.handler = null;
    // Hung connections of the last test go away, so they cannot hold the next one up.
    for (const sock of sockets) safe(() => sock.destroy());
  };
  state.count = (pred = () => true) => requests.filter(pred).length;
  state.openSockets = () => sockets.size;
  state.close = () =>
    new Promise((resolve) => {
      for (const sock of sockets) safe(() => sock.destroy());
      server.closeAllConnections?.();
      server.close(() => resolve());
      setTimeout(resolve, 2000).unref();
    });
  return state;
}

/** The hostile ARM and a second, foreign origin it redirects and links to (both recorded). */
export async function startHostilePair() {
  const arm = await startHostileServer({ name: "arm" });
  const foreign = await startHostileServer({ name: "foreign" });
  // Whatever reaches the foreign origin looks like a perfectly good answer: a test must prove it never arrived.
  foreign.handler = (req, res) => json(res, req.method === "GET" ? disk() : snapshot());
  return {
    arm,
    foreign,
    reset() {
      arm.reset();
      foreign.reset();
      foreign.handler = (req, res) => json(res, req.method === "GET" ? disk() : snapshot());
    },
    close: () => Promise.all([arm.close(), foreign.close()]),
  };
}

/** A handler serving a small healthy ARM: the disk, a missing snapshot name, a created snapshot. */
export function healthyArm(server) {
  return (req, res, rec) => {
    const p = rec.path.toLowerCase();
    if (p === "/subscriptions")
      return json(res, {
        value: [{ id: `/subscriptions/${SUB}`, subscriptionId: SUB, displayName: "Hostile", state: "Enabled" }],
      });
    if (p.includes("/disks/") && req.method === "GET") return json(res, disk());
    if (p.endsWith("/providers/microsoft.compute/snapshots") && req.method === "GET")
      return json(res, { value: [snapshot("snap1")] });
    if (p.includes("/snapshots/") && req.method === "GET") {
      if (rec.url.includes("snap1")) return json(res, snapshot("snap1"));
      return armError(res, 404, "ResourceNotFound", "The Resource was not found.");
    }
    if (p.includes("/snapshots/") && req.method === "PUT") {
      const name = rec.path.split("/").pop();
      return json(res, snapshot(name), 201);
    }
    if (p.includes("/snapshots/") && req.method === "DELETE") return reply(res, 200, "");
    if (p.endsWith("/resourcegroups") && req.method === "GET")
      return json(res, { value: [{ id: SCOPE, name: RG, location: "eastus" }] });
    if (p.endsWith("/providers/microsoft.compute/disks") && req.method === "GET") return json(res, { value: [disk()] });
    if (p.endsWith("/begingetaccess") && req.method === "POST")
      return json(res, { accessSAS: "https://md-hostile.blob.core.windows.net/x/abcd?sv=2018-03-28&sig=zzz" });
    if (p.endsWith("/endgetaccess") && req.method === "POST") return reply(res, 200, "");
    return armError(res, 404, "NoHandler", `healthy ARM has no ${req.method} ${rec.path}`);
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile argument values (the fault matrix and the entries suite use the same ones).

/** An object whose every interesting property is a getter that throws. */
export function throwingGetters() {
  const o = {};
  for (const k of [
    "id",
    "name",
    "type",
    "location",
    "properties",
    "sku",
    "tags",
    "value",
    "nextLink",
    "token",
    "endpoint",
    "signal",
    "toJSON",
    "then",
    "disks",
    "disk",
    "scope",
    "wait",
  ]) {
    Object.defineProperty(o, k, {
      enumerable: true,
      get() {
        throw new Error(`getter ${k} throws`);
      },
    });
  }
  return o;
}

/** A Proxy whose every trap throws. */
export function throwingProxy(target = {}) {
  const trap = (name) => () => {
    throw new Error(`trap ${name} throws`);
  };
  return new Proxy(
    target,
    Object.fromEntries(
      [
        "get",
        "set",
        "has",
        "ownKeys",
        "getOwnPropertyDescriptor",
        "defineProperty",
        "deleteProperty",
        "getPrototypeOf",
        "setPrototypeOf",
        "isExtensible",
        "preventExtensions",
        "apply",
        "construct",
      ].map((n) => [n, trap(n)]),
    ),
  );
}

/** A revoked Proxy (of `target`): every operation on it throws. */
export function revokedProxy(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A string look-alike whose conversions throw. */
export function throwingString() {
  return {
    [Symbol.toPrimitive]() {
      throw new Error("toPrimitive throws");
    },
    toString() {
      throw new Error("toString throws");
    },
    valueOf() {
      throw new Error("valueOf throws");
    },
  };
}
