// The emulator's own HTTP control API under /__emulator (no bearer token), so a browser page or
// another process can inject faults, read the request log, reseed, move the clock or change
// options:
//   GET    /__emulator              info (seedInfo, options, faults; controlSecret to same-origin callers)
//   GET    /__emulator/faults       active faults        POST (one fault or an array)   DELETE (all)
//   GET    /__emulator/requests     request log          DELETE (clear)
//   POST   /__emulator/reset        reseed; body { seed? } (default: the seed it started with)
//   POST   /__emulator/clock        { advanceMs } moves the emulator clock forward
//   POST   /__emulator/options      { lroPolls, copyPolls, retryAfterSeconds, latencyMs, pageSize, ... }
//   POST   /__emulator/disks/writes { diskId, writes: [{ offset, length, byte? | dataBase64?, clear? }] }
//                                    writes to a disk as its VM would → { diskId, familyId, writes, bytesWritten, bytesCleared }
//   POST   /__emulator/blob/targets { account?, container?, blob?, expiresInSeconds? } → 201 { url }: a
//                                    writable SAS URL of a page blob on an ordinary account (the blob not made yet)
//   GET    /__emulator/blob/requests the Blob service's request log   DELETE (clear)
//   POST   /__emulator/service-principals { tenantId, clientId, secret?, certificatePem? | publicKeyPem?,
//                                    thumbprint?, thumbprintSha256?, tokenLifetimeSeconds? } → 201 (no secret
//                                    in the answer)   GET (list)   DELETE (all, and the tokens issued to them)
//   GET    /__emulator/token-requests the token endpoint's log (no credentials)   DELETE (clear)
//   POST   /__emulator/permissions  { token | clientId, scope, actions, notActions?, dataActions?, notDataActions? }
//                                    restricts what Microsoft.Authorization/permissions answers that caller
//                                    GET (list)   DELETE (all: every caller back to ['*'])
//   GET    /__emulator/blob/faults   Blob faults   POST (one or an array)   DELETE (all); POST /__emulator/faults
//                                    hands a fault whose route names /blob/ to the Blob service too
//
// Who may call it (controlAccess): requests to a loopback name or an IP literal (never a DNS
// name, which a rebinding attack could point here), from the emulator's own origin or an origin
// listed in `allowedControlOrigins`, with the per-run secret in `x-emulator-secret` (all but the
// plain GET /__emulator). Every input is bounded and checked; bad input is a 400.
import { timingSafeEqual } from "node:crypto";
import { validateSeed, CONTROL_SEED_LIMITS } from "./seed.mjs";
import { FAULT_LIMITS } from "./faults.mjs";
import { randomUUID } from "node:crypto";

export const SECRET_HEADER = "x-emulator-secret";
/** Largest control request body. */
export const CONTROL_MAX_BODY = 64 * 1024;
/** Largest clock advance: 10 years. */
export const MAX_ADVANCE_MS = 10 * 365 * 86400000;

export const MUTABLE_OPTIONS = [
  "lroPolls",
  "copyPolls",
  "retryAfterSeconds",
  "latencyMs",
  "pageSize",
  "enforceRateLimit",
  "completionPercentAlways",
  "maxSnapshotsPerDisk",
  "logRequests",
];
const BOOLEAN_OPTIONS = ["enforceRateLimit", "completionPercentAlways", "logRequests"];
/** Integer options and their inclusive bounds. */
export const OPTION_BOUNDS = {
  lroPolls: [0, 1000],
  copyPolls: [0, 1000],
  latencyMs: [0, 60000],
  pageSize: [1, 100000],
  maxSnapshotsPerDisk: [1, 100000],
};
const MAX_RETRY_AFTER_SECONDS = 3600;

export function publicOptions(options) {
  const out = {};
  for (const k of ["port", "host", "seed", ...MUTABLE_OPTIONS]) out[k] = options[k];
  return out;
}

const isPlain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The message for one bad option value, or null. */
function optionError(k, v) {
  if (!MUTABLE_OPTIONS.includes(k))
    return `option '${String(k).slice(0, 40)}' cannot be changed (changeable: ${MUTABLE_OPTIONS.join(", ")})`;
  if (BOOLEAN_OPTIONS.includes(k)) return typeof v === "boolean" ? null : `${k} must be a boolean`;
  if (k === "retryAfterSeconds") {
    return v === null || (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_RETRY_AFTER_SECONDS)
      ? null
      : `retryAfterSeconds must be a number from 0 to ${MAX_RETRY_AFTER_SECONDS}, or null`;
  }
  const [lo, hi] = OPTION_BOUNDS[k];
  return Number.isInteger(v) && v >= lo && v <= hi ? null : `${k} must be an integer from ${lo} to ${hi}`;
}

/** Validate option changes, all of them before any is applied; returns an error message or null. */
export function setOptions(options, patch) {
  if (!isPlain(patch)) return "options must be a JSON object";
  for (const [k, v] of Object.entries(patch)) {
    const e = optionError(k, v);
    if (e) return e;
  }
  Object.assign(options, patch);
  return null;
}

/** The options startEmulator was given, checked with the same bounds; throws on the first bad one. */
export function checkStartOptions(opts) {
  for (const k of MUTABLE_OPTIONS) {
    if (opts[k] === undefined) continue;
    const e = optionError(k, opts[k]);
    if (e) throw new RangeError(`startEmulator: ${e}`);
  }
  const a = opts.allowedControlOrigins;
  if (a !== undefined) {
    if (!Array.isArray(a) || a.length > 100)
      throw new TypeError("startEmulator: allowedControlOrigins must be an array of at most 100 origins");
    for (const o of a) {
      if (typeof o !== "string" || !/^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}|\*))?$/i.test(o)) {
        throw new TypeError(
          `startEmulator: allowedControlOrigins: '${String(o).slice(0, 80)}' is not an origin such as 'http://127.0.0.1:8000' or 'http://127.0.0.1:*' (any port)`,
        );
      }
    }
  }
}

/** Is the Host header a loopback name or an IP literal, on the emulator's port? */
function localHost(host, port) {
  if (typeof host !== "string") return false;
  const m = /^(\[[0-9a-f:.]+\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|localhost)(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  return Number(m[2] ?? 80) === port;
}

function originListed(origin, list) {
  const o = origin.toLowerCase();
  for (const entry of list || []) {
    const e = entry.toLowerCase();
    if (e.endsWith(":*") ? o.startsWith(e.slice(0, -1)) && /^\d{1,5}$/.test(o.slice(e.length - 1)) : o === e)
      return true;
  }
  return false;
}

/**
 * Who is asking. Returns { foreign, own, listed, origin }:
 * - own: the emulator's own origin (no Origin header, or Origin = http://<Host>) on a local Host;
 * - listed: an Origin from allowedControlOrigins (a test runner's page), on a local Host;
 * - foreign: everything else, refused before anything is read.
 */
export function controlAccess(emu, req) {
  const origin = req.headers.origin;
  const site = req.headers["sec-fetch-site"];
  const hostOk = localHost(req.headers.host, emu.port);
  const ownOrigin = hostOk ? `http://${String(req.headers.host).toLowerCase()}` : null;
  let own = false;
  let listed = false;
  if (hostOk) {
    if (origin === undefined) own = site === undefined || site === "same-origin" || site === "none";
    else if (String(origin).toLowerCase() === ownOrigin) own = true;
    else listed = originListed(String(origin), emu.options.allowedControlOrigins);
  }
  return {
    own,
    listed,
    foreign: !own && !listed,
    origin,
    strictlySameOrigin:
      own &&
      (origin === undefined || String(origin).toLowerCase() === ownOrigin) &&
      (site === undefined || site === "same-origin"),
  };
}

/** Does the request carry the secret? (constant time) */
export function hasSecret(emu, req) {
  const got = req.headers[SECRET_HEADER];
  if (typeof got !== "string") return false;
  const a = Buffer.from(got, "utf8");
  const b = Buffer.from(emu.controlSecret, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

const bad = (message) => ({ status: 400, body: { error: { code: "BadRequest", message } } });

/** A fault route for the Blob service: "/blob/…" or "METHOD /blob/…". */
const isBlobRoute = (route) => typeof route === "string" && /^\s*(?:[A-Za-z*]+\s+)?\/blob\//i.test(route);

/** Check one Blob fault given over HTTP (the Blob service checks its shape); returns a message or null. */
function blobFaultError(f) {
  if (!isPlain(f)) return "a blob fault must be a JSON object";
  if (f.route !== undefined && !(typeof f.route === "string" && f.route.length <= FAULT_LIMITS.route))
    return `route must be a string of at most ${FAULT_LIMITS.route} characters`;
  if (
    f.count !== undefined &&
    f.count !== -1 &&
    !(Number.isInteger(f.count) && f.count >= 1 && f.count <= FAULT_LIMITS.count)
  )
    return `count must be an integer from 1 to ${FAULT_LIMITS.count}, or -1 for always`;
  if (f.ms !== undefined && !(typeof f.ms === "number" && f.ms >= 0 && f.ms <= FAULT_LIMITS.latencyMs))
    return `ms must be a number of milliseconds from 0 to ${FAULT_LIMITS.latencyMs}`;
  if (
    f.retryAfter !== undefined &&
    f.retryAfter !== null &&
    !(Number.isInteger(f.retryAfter) && f.retryAfter >= 0 && f.retryAfter <= FAULT_LIMITS.retryAfter)
  )
    return `retryAfter must be an integer number of seconds from 0 to ${FAULT_LIMITS.retryAfter}, or null`;
  if (f.code !== undefined && !(typeof f.code === "string" && /^[A-Za-z0-9_.-]{1,200}$/.test(f.code)))
    return "code must be 1 to 200 letters, digits, '_', '.' or '-'";
  if (f.message !== undefined && !(typeof f.message === "string" && f.message.length <= FAULT_LIMITS.message))
    return `message must be a string of at most ${FAULT_LIMITS.message} characters`;
  return null;
}

function addBlobFaults(emu, list) {
  if (emu.blob.faults.length + list.length > FAULT_LIMITS.active)
    return `at most ${FAULT_LIMITS.active} blob faults at once`;
  for (const f of list) {
    const e = blobFaultError(f);
    if (e) return e;
  }
  const added = [];
  try {
    for (const f of list) added.push(emu.blob.addFault(f));
  } catch (e) {
    emu.blob.faultList = emu.blob.faultList.filter((x) => !added.includes(x));
    return e.message;
  }
  return null;
}

const NAME_RE = { account: /^[a-z0-9]{3,24}$/, container: /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/ };

/** POST /blob/targets: a writable target SAS URL (the blob itself is created by the client's Put Blob). */
function blobTarget(emu, body) {
  const b = body === undefined ? {} : body;
  if (!isPlain(b)) return bad("the body must be a JSON object { account?, container?, blob?, expiresInSeconds? }");
  for (const k of Object.keys(b))
    if (!["account", "container", "blob", "expiresInSeconds"].includes(k))
      return bad(
        `unknown property '${String(k).slice(0, 40)}' (expected { account?, container?, blob?, expiresInSeconds? })`,
      );
  const account = b.account ?? "emulatortarget";
  const container = b.container ?? "restores";
  const name = b.blob ?? `restore-${randomUUID()}.vhd`;
  if (typeof account !== "string" || !NAME_RE.account.test(account))
    return bad("account must be 3 to 24 lower-case letters and digits");
  if (typeof container !== "string" || !NAME_RE.container.test(container))
    return bad("container must be 3 to 63 lower-case letters, digits and single dashes");
  if (typeof name !== "string" || name.length === 0 || name.length > 1024 || /[\u0000-\u001f]/.test(name))
    return bad("blob must be a name of 1 to 1024 characters, no control characters");
  const secs = b.expiresInSeconds ?? 86400;
  if (!(Number.isInteger(secs) && secs > 0 && secs <= 60 * 86400))
    return bad("expiresInSeconds must be an integer from 1 to 5184000 (60 days)");
  const url = emu.blob.targetUrl(account, container, name, { expiresAt: emu.store.now() + secs * 1000 });
  return { status: 201, body: { url, account, container, blob: name } };
}

/** Handle a control request; returns { status, body }. `access` is controlAccess's answer. */
export function handleControl(emu, method, sub, body, access = {}) {
  switch (`${method} ${sub}`) {
    case "GET ":
    case "GET /": {
      const info = {
        url: emu.url,
        seedInfo: emu.seedInfo,
        options: publicOptions(emu.options),
        faults: emu.faults.describe(),
        now: new Date(emu.store.now()).toISOString(),
      };
      // the page learns the secret from its own server; no other page can read it
      if (access.strictlySameOrigin)
        Object.assign(info, { controlSecret: emu.controlSecret, controlSecretHeader: SECRET_HEADER });
      return { status: 200, body: info };
    }
    case "GET /faults":
      return { status: 200, body: { faults: emu.faults.describe() } };
    case "POST /faults": {
      const list = Array.isArray(body) ? body : [body];
      if (list.length > FAULT_LIMITS.active) return bad(`at most ${FAULT_LIMITS.active} faults at once`);
      const blobList = list.filter((f) => isPlain(f) && isBlobRoute(f.route));
      const armList = list.filter((f) => !blobList.includes(f));
      if (blobList.length) {
        const e = addBlobFaults(emu, blobList);
        if (e) return bad(e);
      }
      try {
        if (armList.length || !blobList.length) emu.faults.addAll(armList);
      } catch (e) {
        return bad(e.message);
      }
      return { status: 201, body: { faults: emu.faults.describe(), blobFaults: emu.blob.faults } };
    }
    case "GET /blob/faults":
      return { status: 200, body: { faults: emu.blob.faults } };
    case "POST /blob/faults": {
      const list = Array.isArray(body) ? body : [body];
      const e = addBlobFaults(emu, list);
      if (e) return bad(e);
      return { status: 201, body: { faults: emu.blob.faults } };
    }
    case "DELETE /blob/faults":
      emu.blob.clearFaults();
      return { status: 204 };
    case "GET /blob/requests":
      return { status: 200, body: { requests: emu.blob.requests } };
    case "DELETE /blob/requests":
      emu.blob.resetRequests();
      return { status: 204 };
    case "POST /blob/targets":
      return blobTarget(emu, body);
    case "POST /disks/writes": {
      if (!isPlain(body)) return bad("the body must be a JSON object { diskId, writes }");
      for (const k of Object.keys(body))
        if (k !== "diskId" && k !== "writes")
          return bad(`unknown property '${String(k).slice(0, 40)}' (expected { diskId, writes })`);
      if (typeof body.diskId !== "string" || body.diskId.length > 1000)
        return bad("diskId must be a disk's resource id");
      try {
        return { status: 200, body: emu.writeDisk(body.diskId, body.writes) };
      } catch (e) {
        if (e instanceof RangeError && /^writeDisk: no disk/.test(e.message))
          return { status: 404, body: { error: { code: "NotFound", message: e.message } } };
        return bad(e.message);
      }
    }
    case "POST /service-principals":
      try {
        return { status: 201, body: emu.registerServicePrincipal(body) };
      } catch (e) {
        return bad(e.message);
      }
    case "GET /service-principals":
      return { status: 200, body: { servicePrincipals: emu.entra.listPrincipals() } };
    case "DELETE /service-principals":
      emu.entra.clearPrincipals();
      return { status: 204 };
    case "GET /token-requests":
      return { status: 200, body: { tokenRequests: emu.tokenRequests } };
    case "DELETE /token-requests":
      emu.tokenRequests.length = 0;
      return { status: 204 };
    case "POST /permissions": {
      if (!isPlain(body))
        return bad("the body must be a JSON object { token | clientId, scope, actions, notActions? }");
      const { token, clientId, scope, ...perms } = body;
      if ((token === undefined) === (clientId === undefined)) return bad("give one of token or clientId");
      try {
        return {
          status: 201,
          body: emu.setPermissions(token !== undefined ? { token } : { clientId }, scope, perms),
        };
      } catch (e) {
        return bad(e.message);
      }
    }
    case "GET /permissions":
      return { status: 200, body: { permissions: emu.entra.describePermissions() } };
    case "DELETE /permissions":
      emu.clearPermissions();
      return { status: 204 };
    case "DELETE /faults":
      emu.faults.clear();
      emu.blob.clearFaults();
      return { status: 204 };
    case "GET /requests":
      return { status: 200, body: { requests: emu.requests } };
    case "DELETE /requests":
      emu.resetRequests();
      return { status: 204 };
    case "POST /reset": {
      if (body !== undefined && !isPlain(body)) return bad("the body must be a JSON object { seed? }");
      for (const k of Object.keys(body || {}))
        if (k !== "seed") return bad(`unknown property '${String(k).slice(0, 40)}' (expected { seed? })`);
      const seed = body && body.seed !== undefined ? body.seed : undefined;
      if (seed !== undefined) {
        const err = validateSeed(seed, CONTROL_SEED_LIMITS);
        if (err) return bad(err);
      }
      try {
        emu.reset(seed);
      } catch (e) {
        return bad(e.message);
      }
      return { status: 200, body: { seedInfo: emu.seedInfo } };
    }
    case "POST /clock": {
      if (!isPlain(body)) return bad("the body must be a JSON object { advanceMs }");
      for (const k of Object.keys(body))
        if (k !== "advanceMs") return bad(`unknown property '${String(k).slice(0, 40)}' (expected { advanceMs })`);
      const ms = body.advanceMs;
      if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms <= MAX_ADVANCE_MS)) {
        return bad(`advanceMs must be a number of milliseconds from 0 to ${MAX_ADVANCE_MS} (10 years)`);
      }
      try {
        return { status: 200, body: { now: new Date(emu.advanceClock(ms)).toISOString() } };
      } catch (e) {
        return bad(e.message);
      }
    }
    case "POST /options": {
      const err = setOptions(emu.options, body);
      if (err) return bad(err);
      return { status: 200, body: { options: publicOptions(emu.options) } };
    }
    default:
      return {
        status: 404,
        body: {
          error: { code: "NotFound", message: `No control route '${method} /__emulator${String(sub).slice(0, 200)}'.` },
        },
      };
  }
}
