// Local Azure Resource Manager emulator for managed disks and snapshots (Node 20, no dependencies).
// startEmulator(options) starts an HTTP server that answers like ARM: bearer-token checks,
// api-version rules, ARM error bodies and headers, paging, Compute long-running operations,
// incremental-snapshot rules, fault injection, CORS for browser callers, and a control API; the
// Blob service of disk content (/blob/…) and an Entra token endpoint (/{tenant}/oauth2/v2.0/token).
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { ArmError, armJson } from "./util.mjs";
import { Store } from "./store.mjs";
import { applySeed, validateSeed, START_SEED_LIMITS } from "./seed.mjs";
import { FaultSet, faultReply } from "./faults.mjs";
import { routeArm, checkApiVersion } from "./routes/index.mjs";
import { createBlobService } from "./blob/index.mjs";
import { writeDisk } from "./content.mjs";
import { Entra, tokenResources } from "./entra.mjs";
import {
  handleControl,
  controlAccess,
  hasSecret,
  checkStartOptions,
  CONTROL_MAX_BODY,
  SECRET_HEADER,
} from "./control.mjs";

export { DEMO_SUBSCRIPTION, SEED_BASE_MS } from "./seed.mjs";

const MAX_BODY = 4 * 1024 * 1024;
const EXPOSE_HEADERS = [
  "ETag",
  "Location",
  "Azure-AsyncOperation",
  "Retry-After",
  "retry-after-ms",
  "x-ms-retry-after-ms",
  "x-ms-request-id",
  "x-ms-correlation-request-id",
  "x-ms-client-request-id",
  "x-ms-error-code",
  "x-ms-ratelimit-remaining-subscription-reads",
  "x-ms-ratelimit-remaining-subscription-writes",
  "x-ms-ratelimit-remaining-resource",
  "x-ms-failure-cause",
].join(", ");
const ALLOW_HEADERS =
  "authorization, content-type, accept, if-match, if-none-match, x-ms-client-request-id, x-ms-correlation-request-id, x-ms-return-client-request-id, x-ms-useragent, x-ms-command-name, commandname, parametersetname, user-agent";
const MAX_LOG = 100000;

export const DEFAULTS = {
  port: 0,
  host: "127.0.0.1",
  seed: undefined,
  pageSize: 1000,
  latencyMs: 0,
  faults: [],
  retryAfterSeconds: 1,
  lroPolls: 1,
  copyPolls: 3,
  logRequests: true,
  enforceRateLimit: true,
  completionPercentAlways: false,
  maxSnapshotsPerDisk: 500,
  // (req, res, { seg, headers }) => boolean: answers a GET or HEAD outside the ARM and control
  // paths (seg: the decoded path segments; headers: the CORS headers of the emulator's answers)
  // and returns true, or returns false to leave it to the emulator (an ARM error). scripts/serve.mjs
  // serves the page and the package so.
  otherPaths: undefined,
  allowedControlOrigins: [],
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start the emulator. Resolves to
 * { url, port, controlSecret, close(), addFault(f), clearFaults(), requests, resetRequests(), state,
 *   seedInfo, options, faults, advanceClock(ms), setOptions(patch), reset(seed?) }.
 */
export async function startEmulator(opts = {}) {
  checkStartOptions(opts);
  const startSeedError = validateSeed(opts.seed, START_SEED_LIMITS);
  if (startSeedError) throw new RangeError(`startEmulator: ${startSeedError}`);
  const options = { ...DEFAULTS, ...opts, allowedControlOrigins: [...(opts.allowedControlOrigins || [])] };
  const emu = {
    url: "",
    port: 0,
    options,
    requests: [],
    faults: new FaultSet(options.faults || []),
    store: null,
    state: null,
    seedInfo: null,
    // A fresh secret per run: every control request but GET /__emulator must send it.
    controlSecret: randomBytes(32).toString("hex"),
  };
  // The Blob service of disk and snapshot content (/blob/…), on the emulator's clock.
  emu.blob = createBlobService({ now: () => (emu.store ? emu.store.now() : Date.now()) });
  emu.reset = (seed = options.seed) => {
    emu.blob.reset();
    const store = new Store(options);
    store.blob = emu.blob;
    const seedInfo = applySeed(store, seed);
    emu.store = store;
    emu.state = store;
    emu.seedInfo = seedInfo;
    return seedInfo;
  };
  emu.reset();
  // Entra: service principals, their tokens and the callers' permissions (kept across reseeds)
  emu.entra = new Entra({ now: () => emu.store.now() });
  emu.tokenRequests = emu.entra.tokenRequests;
  emu.registerServicePrincipal = (p) => emu.entra.register(p);
  emu.setPermissions = (who, scope, perms) => emu.entra.setPermissions(who, scope, perms);
  emu.clearPermissions = (who) => emu.entra.clearPermissions(who);
  emu.addFault = (f) => {
    emu.faults.add(f);
  };
  emu.clearFaults = () => emu.faults.clear();
  emu.resetRequests = () => {
    emu.requests.length = 0;
  };
  emu.advanceClock = (ms) => emu.store.advanceClock(ms);
  /** Write to a disk as its VM would: writes [{ offset, length, byte? | dataBase64?, clear? }]. */
  emu.writeDisk = (diskId, writes) => {
    const d = typeof diskId === "string" ? emu.store.disks.get(diskId.toLowerCase()) : undefined;
    if (!d) throw new RangeError(`writeDisk: no disk '${String(diskId).slice(0, 300)}'`);
    return writeDisk(emu.store, d, writes);
  };
  emu.setOptions = (patch) => {
    Object.assign(options, patch);
  };
  const budget = { reads: 12000, writes: 1200, at: Date.now() };
  emu.budget = budget;

  const sockets = new Set();
  const server = http.createServer((req, res) => {
    handle(emu, budget, req, res).catch((e) => {
      // last resort: never crash on a request
      try {
        if (!res.headersSent)
          sendJson(
            emu,
            req,
            res,
            500,
            new ArmError(500, "InternalServerError", `Emulator error: ${e && e.message}`).body(),
            {},
            "InternalServerError",
          );
        else res.destroy();
      } catch {
        /* socket gone */
      }
    });
  });
  server.keepAliveTimeout = 5000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (err, socket) => {
    try {
      socket.destroy();
    } catch {
      /* ignore */
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  emu.port = addr.port;
  const hostForUrl = addr.family === "IPv6" || String(addr.family) === "6" ? `[${addr.address}]` : addr.address;
  emu.url = `http://${hostForUrl}:${addr.port}`;
  emu.blob.origin = emu.url;
  emu.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      emu.blob.releaseHung();
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
    });
  return emu;
}

function corsHeaders(req) {
  if (req.controlCors) return req.controlCors; // control responses: only for a listed origin
  const origin = req.headers.origin;
  return {
    "Access-Control-Allow-Origin": origin || "*",
    ...(origin ? { Vary: "Origin" } : {}),
    "Access-Control-Expose-Headers": EXPOSE_HEADERS,
  };
}

/** The headers an ARM preflight allows: ours plus what was asked for, never the control secret. */
function allowHeaders(requested) {
  const extra = String(requested || "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => /^[a-z0-9-]{1,100}$/.test(h) && h !== SECRET_HEADER)
    .slice(0, 50);
  return extra.length ? `${ALLOW_HEADERS}, ${extra.join(", ")}` : ALLOW_HEADERS;
}

function log(emu, entry) {
  if (!emu.options.logRequests) return;
  emu.requests.push(entry);
  if (emu.requests.length > MAX_LOG) emu.requests.splice(0, emu.requests.length - MAX_LOG);
}

function refillBudget(budget) {
  const now = Date.now();
  const dt = (now - budget.at) / 1000;
  budget.at = now;
  budget.reads = Math.min(12000, budget.reads + dt * (12000 / 3600));
  budget.writes = Math.min(1200, budget.writes + dt * (1200 / 3600));
}

/** Common ARM headers of every response. */
function armHeaders(emu, req, extra = {}) {
  const h = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-cache",
    Pragma: "no-cache",
    Expires: "-1",
    "x-ms-request-id": req.requestId,
    "x-ms-correlation-request-id": req.correlationId,
    ...corsHeaders(req),
  };
  if (req.headers["x-ms-client-request-id"])
    h["x-ms-client-request-id"] = String(req.headers["x-ms-client-request-id"]);
  if (req.budgetHeader) Object.assign(h, req.budgetHeader);
  return { ...h, ...extra };
}

function sendJson(emu, req, res, status, body, headers = {}, errorCode, { truncate = false } = {}) {
  const text = body === undefined || status === 204 ? "" : armJson(body);
  const buf = Buffer.from(text, "utf8");
  const h = armHeaders(emu, req, headers);
  if (errorCode) h["x-ms-error-code"] = errorCode;
  h["Content-Length"] = String(buf.length);
  if (status === 204) delete h["Content-Length"];
  req.logEntry.status = status;
  res.writeHead(status, h);
  if (truncate && buf.length > 1) {
    res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => {
      res.socket?.destroy();
    });
    return;
  }
  res.end(req.method === "HEAD" ? undefined : buf);
}

function sendError(emu, req, res, err, opts) {
  sendJson(emu, req, res, err.status, err.body(), err.headers || {}, err.code, opts);
}

/** 413 for a body over the limit, and the connection closed (the rest of it is not read). */
function tooLarge(emu, req, res, message) {
  res.setHeader("Connection", "close");
  sendError(emu, req, res, new ArmError(413, "RequestEntityTooLarge", message));
}

/**
 * Read a request body of at most `limit` bytes. Past it, the rest is read and dropped up to
 * `drain` bytes (so the client sees the 413 rather than a reset), then the read stops.
 */
async function readBody(req, limit = MAX_BODY, drain = 0) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) {
      if (size > limit + drain) return { tooLarge: true };
      continue;
    }
    chunks.push(chunk);
  }
  if (size > limit) return { tooLarge: true };
  return { text: Buffer.concat(chunks).toString("utf8") };
}

const CONTROL_CORS_HEADERS = `content-type, ${SECRET_HEADER}`;

/** /__emulator/...: same origin (or a listed one), the secret, bounded bodies, 400 for bad input. */
async function handleControlRequest(emu, req, res, method, seg) {
  const access = controlAccess(emu, req);
  const forbid = (code, message) => {
    res.setHeader("Connection", "close");
    sendJson(emu, req, res, 403, { error: { code, message } }, {}, code);
  };
  // A foreign page gets no CORS headers at all: it can neither read the answer nor send the header.
  req.controlCors = access.listed ? { "Access-Control-Allow-Origin": req.headers.origin, Vary: "Origin" } : {};
  if (access.foreign) {
    forbid(
      "ForbiddenOrigin",
      "The emulator's control API answers only its own origin (and origins listed in allowedControlOrigins), on a loopback host name or IP address.",
    );
    return;
  }
  if (method === "OPTIONS") {
    res.writeHead(204, {
      ...req.controlCors,
      "Access-Control-Allow-Methods": "GET, POST, DELETE",
      "Access-Control-Allow-Headers": CONTROL_CORS_HEADERS,
      "Access-Control-Max-Age": "600",
      "Content-Length": "0",
    });
    res.end();
    return;
  }
  const sub = `/${seg.slice(1).join("/")}`.replace(/^\/$/, "");
  const isInfo = method === "GET" && sub === "";
  if (!isInfo && !hasSecret(emu, req)) {
    forbid(
      "InvalidControlSecret",
      `Control requests need the header '${SECRET_HEADER}' with this run's secret (GET /__emulator gives it to the emulator's own origin; startEmulator returns it as controlSecret; the command line prints it).`,
    );
    return;
  }
  const body = await readBody(req, CONTROL_MAX_BODY, 8 * 1024 * 1024);
  if (body.tooLarge) {
    tooLarge(emu, req, res, `A control request body may be at most ${CONTROL_MAX_BODY} bytes.`);
    return;
  }
  let b;
  if (body.text && body.text.trim() !== "") {
    try {
      b = JSON.parse(body.text);
    } catch (e) {
      sendError(
        emu,
        req,
        res,
        new ArmError(
          400,
          "InvalidRequestContent",
          `The request content was invalid and could not be deserialized: '${String(e.message).slice(0, 200)}'.`,
        ),
      );
      return;
    }
  }
  const r = handleControl(emu, method, sub, b, access);
  sendJson(
    emu,
    req,
    res,
    r.status,
    r.body,
    { "Cache-Control": "no-store" },
    r.status >= 400 ? r.body?.error?.code : undefined,
  );
}

function isArmPath(lo) {
  return lo[0] === "subscriptions" || lo[0] === "providers" || lo[0] === "tenants";
}

async function handle(emu, budget, req, res) {
  const started = Date.now();
  const method = req.method.toUpperCase();
  req.requestId = randomUUID();
  req.correlationId = req.headers["x-ms-correlation-request-id"]
    ? String(req.headers["x-ms-correlation-request-id"])
    : randomUUID();
  const rawUrl = req.url || "/";
  req.logEntry = { method, url: rawUrl, status: 0, at: started };
  const qIndex = rawUrl.indexOf("?");
  const rawPath = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl;
  const query = new URLSearchParams(qIndex >= 0 ? rawUrl.slice(qIndex + 1) : "");
  let seg;
  try {
    seg = rawPath
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
  } catch {
    seg = rawPath.split("/").filter((s) => s !== "");
  }
  const lo = seg.map((s) => s.toLowerCase());
  // the Blob service: SAS-authenticated, no ARM headers, CORS or budgets; the body stays bytes
  if (lo[0] === "blob") {
    await emu.blob.handle(req, res);
    return;
  }
  const isControl = lo[0] === "__emulator";
  if (isControl) {
    await handleControlRequest(emu, req, res, method, seg);
    return;
  }

  // CORS preflight
  if (method === "OPTIONS") {
    const h = {
      ...corsHeaders(req),
      "Access-Control-Allow-Methods": "GET, PUT, PATCH, DELETE, POST, HEAD, OPTIONS",
      "Access-Control-Allow-Headers": allowHeaders(req.headers["access-control-request-headers"]),
      "Access-Control-Max-Age": "600",
      "Content-Length": "0",
    };
    res.writeHead(204, h);
    res.end();
    req.logEntry.status = 204;
    log(emu, req.logEntry);
    return;
  }

  // the Entra token endpoint
  if (seg.length === 4 && lo[1] === "oauth2" && lo[2] === "v2.0" && lo[3] === "token") {
    await handleToken(emu, req, res, method, seg[0], rawPath, started);
    return;
  }

  // other paths (optional: scripts/serve.mjs serves the page and the package from them)
  if (!isArmPath(lo) && emu.options.otherPaths && (method === "GET" || method === "HEAD")) {
    if (emu.options.otherPaths(req, res, { seg, headers: corsHeaders(req) })) return;
  }

  const body = await readBody(req);
  log(emu, req.logEntry);
  if (body.tooLarge) {
    tooLarge(emu, req, res, `The request body is larger than the limit of ${MAX_BODY} bytes.`);
    req.logEntry.durationMs = Date.now() - started;
    return;
  }

  let parsed;
  const parseBody = () => {
    if (!body.text || body.text.trim() === "") return undefined;
    try {
      return JSON.parse(body.text);
    } catch (e) {
      throw new ArmError(
        400,
        "InvalidRequestContent",
        `The request content was invalid and could not be deserialized: '${e.message}'.`,
      );
    }
  };

  if (emu.options.latencyMs > 0) await sleep(emu.options.latencyMs);

  // rate-limit budgets (reported; ARM's real budgets are not enforced here)
  refillBudget(budget);
  const isRead = method === "GET" || method === "HEAD";
  if (isRead) {
    budget.reads = Math.max(0, budget.reads - 1);
    req.budgetHeader = { "x-ms-ratelimit-remaining-subscription-reads": String(Math.floor(budget.reads)) };
  } else {
    budget.writes = Math.max(0, budget.writes - 1);
    req.budgetHeader = { "x-ms-ratelimit-remaining-subscription-writes": String(Math.floor(budget.writes)) };
  }

  // injected faults that answer the request themselves
  const { answered, truncate } = await applyImmediateFault(req, emu.faults.takeImmediate(method, rawUrl), (fault) => {
    const r = faultReply(fault);
    sendJson(emu, req, res, r.status, { error: { code: r.code, message: r.message } }, r.headers, r.code);
    req.logEntry.durationMs = Date.now() - started;
  });
  if (answered) return;

  const ctx = {
    method,
    seg,
    lo,
    query,
    rawPath,
    path: rawPath,
    store: emu.store,
    headers: req.headers,
    apiVersion: query.get("api-version"),
    baseUrl: req.headers.host ? `http://${req.headers.host}` : emu.url,
    body: undefined,
    takeFault: (kinds) => {
      const f = emu.faults.takeDeferred(kinds, method, rawUrl);
      if (f) req.logEntry.fault = f.kind;
      return f;
    },
  };
  try {
    // authentication first, as ARM does
    const auth = req.headers.authorization;
    const m = /^Bearer\s+(.+)$/i.exec(auth || "");
    if (!m || !m[1].trim()) {
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing or is not a bearer token.",
        {
          headers: {
            "WWW-Authenticate":
              'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
          },
        },
      );
    }
    const token = m[1].trim();
    if (token === "expired") {
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
        {
          headers: {
            "WWW-Authenticate":
              'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token has expired."',
          },
        },
      );
    }
    if (token === "forbidden") {
      throw new ArmError(
        403,
        "AuthorizationFailed",
        `The client does not have authorization to perform action on scope '${rawPath}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    ctx.caller = emu.entra.authenticate(token);
    ctx.entra = emu.entra;
    checkApiVersion(ctx);
    if (method === "PUT" || method === "PATCH" || method === "POST") ctx.body = parseBody();
    const reply = routeArm(ctx);
    const headers = { ...(reply.headers || {}) };
    if (lo[2] === "resourcegroups" || lo[2] === "providers")
      headers["x-ms-ratelimit-remaining-resource"] = resourceBudget(method, lo);
    sendJson(emu, req, res, reply.status, reply.body, headers, undefined, { truncate });
  } catch (e) {
    if (e instanceof ArmError) sendError(emu, req, res, e, { truncate });
    else
      sendError(emu, req, res, new ArmError(500, "InternalServerError", `Emulator error: ${e && e.message}`), {
        truncate,
      });
  }
  req.logEntry.durationMs = Date.now() - started;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra's own fault answers: throttled (429) or unavailable (5xx), in its error shape. */
function entraFaultBody(fault, correlationId) {
  const r = faultReply(fault);
  const code = r.status === 429 ? 90055 : 50000; // TenantThrottlingError; an error of the sign-in service
  const traceId = randomUUID();
  const ts = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
  const text =
    fault.message ??
    (r.status === 429
      ? "There are too many incoming requests. This exception is thrown for blocked tenants."
      : "There was an error issuing a token or an issue with our sign-in service.");
  return {
    status: r.status,
    headers: r.headers,
    body: {
      error: fault.code ?? (r.status === 429 || r.status === 503 ? "temporarily_unavailable" : "server_error"),
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${ts}`,
      error_codes: [code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/**
 * POST /{tenant}/oauth2/v2.0/token (form-encoded), answered as login.microsoftonline.com does.
 * Logged in emu.requests by path only, and in emu.tokenRequests without any credential.
 */
async function handleToken(emu, req, res, method, tenant, rawPath, started) {
  req.logEntry.url = rawPath; // never the query (a client might put a secret there)
  const body = await readBody(req, 1024 * 1024, 8 * 1024 * 1024);
  log(emu, req.logEntry);
  const cid = req.headers["client-request-id"];
  const correlationId = typeof cid === "string" && UUID_RE.test(cid) ? cid : randomUUID();
  const send = (status, json, extra = {}, truncate = false) => {
    const buf = Buffer.from(JSON.stringify(json), "utf8");
    const h = {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store, no-cache",
      Pragma: "no-cache",
      Expires: "-1",
      "x-ms-request-id": json.trace_id || req.requestId,
      ...(typeof cid === "string" ? { "client-request-id": cid.slice(0, 200) } : {}),
      ...corsHeaders(req),
      ...extra,
      "Content-Length": String(buf.length),
    };
    req.logEntry.status = status;
    res.writeHead(status, h);
    if (truncate && buf.length > 1) res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
    else res.end(buf);
    req.logEntry.durationMs = Date.now() - started;
  };
  if (body.tooLarge) {
    res.setHeader("Connection", "close");
    send(413, { error: "invalid_request", error_description: "The request body is too large." });
    return;
  }
  if (emu.options.latencyMs > 0) await sleep(emu.options.latencyMs);
  const { answered, truncate } = await applyImmediateFault(req, emu.faults.takeImmediate(method, rawPath), (fault) => {
    const r = entraFaultBody(fault, correlationId);
    send(r.status, r.body, r.headers);
  });
  if (answered) return;
  const origins = [...new Set([emu.url, ...(req.headers.host ? [`http://${req.headers.host}`] : [])])];
  const r = emu.entra.token({
    tenant,
    method,
    form: new URLSearchParams(body.text || ""),
    endpoints: origins.map((o) => `${o}/${tenant}/oauth2/v2.0/token`),
    resources: tokenResources(origins),
    tenants: [...emu.store.subscriptions.values()].map((s) => s.tenantId),
    correlationId,
  });
  send(r.status, r.body, {}, truncate);
}

let resourceCounter = 0;
function resourceBudget(method, lo) {
  resourceCounter = (resourceCounter + 1) % 1000;
  if (lo.includes("diskoperations"))
    return `Microsoft.Compute/GetOperation3Min;${49999 - resourceCounter},Microsoft.Compute/GetOperation30Min;${399999 - resourceCounter}`;
  if (method === "PUT" && lo.includes("snapshots"))
    return `Microsoft.Compute/HighCostSnapshotCreateHydrate3Min;${999 - (resourceCounter % 999)},Microsoft.Compute/HighCostSnapshotCreateHydrate30Min;${7999 - resourceCounter}`;
  if (method === "GET")
    return `Microsoft.Compute/LowCostGet3Min;${14999 - resourceCounter},Microsoft.Compute/LowCostGet30Min;${119999 - resourceCounter}`;
  return `Microsoft.Compute/DeleteDisks3Min;${2999 - (resourceCounter % 2999)},Microsoft.Compute/DeleteDisks30Min;${23999 - resourceCounter}`;
}

/**
 * A fault that acts on the request itself, the same for ARM and Entra requests: "drop" closes the
 * socket, "latency" waits, "throttle" and "status" are answered by `answer(fault)`, "truncate" is
 * handed back for the reply to cut. `answered`: nothing more may be sent.
 */
async function applyImmediateFault(req, fault, answer) {
  if (!fault) return { answered: false, truncate: false };
  req.logEntry.fault = fault.kind;
  if (fault.kind === "drop") {
    req.logEntry.status = 0;
    req.socket.destroy();
    return { answered: true, truncate: false };
  }
  if (fault.kind === "latency") await sleep(Number(fault.ms ?? fault.latencyMs ?? 1000));
  if (fault.kind === "throttle" || fault.kind === "status") {
    answer(fault);
    return { answered: true, truncate: false };
  }
  return { answered: false, truncate: fault.kind === "truncate" };
}
