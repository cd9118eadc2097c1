// Blob page-blob service of the emulator (Node 20, no dependencies): the Blob REST operations a
// differential copy of managed-disk incremental snapshots uses, on sparse page blobs, with
// managed-disk style SAS URLs. It runs inside the emulator's loopback HTTP server under /blob/.
//
// URL scheme (path-style addressing of the real virtual-host URLs):
//   real      https://md-s1f0l2zctgzf.z33.blob.storage.azure.net/htk1xm3mlzf2/abcd?snapshot=…&sv=…&sr=bs&si=…&sig=…
//   emulated  http://127.0.0.1:<port>/blob/md-s1f0l2zctgzf.z33.blob.storage.azure.net/htk1xm3mlzf2/abcd?snapshot=…&sv=…&sr=bs&si=…&sig=…
// i.e. `/blob/<host>/<container>/<blob>`. A managed-disk family is one page blob on an
// `md-<12>.z<NN>.blob.storage.azure.net` host, container `<12 letters/digits>`, blob `abcd`; its
// incremental snapshots are blob snapshots of it. Upload targets live on ordinary accounts,
// host `<account>.blob.core.windows.net`. Inside a SAS URL handed to this service
// (x-ms-copy-source, x-ms-previous-snapshot-url) both the emulated form and the real form
// (`https://<host>/<container>/<blob>?…`) are understood, whatever the origin.
//
// API (all synchronous except handle):
//   const blob = createBlobService({ now = () => Date.now(), faults = [], origin = "" })
//   blob.origin = "http://127.0.0.1:8090"            // where grant()/targetUrl() URLs point
//   await blob.handle(req, res, url?, body?) → boolean  // false (untouched) unless the path is /blob/…
//   blob.createFamily(familyId, sizeBytes, { host?, container?, blob? }) → { familyId, host, container, blob, size }
//   blob.writePages(familyId, offset, buffer)         // 512-aligned offset and length ("the VM writes")
//   blob.clearPages(familyId, offset, length)         // 512-aligned (TRIM / zeroing)
//   blob.resize(ref, sizeBytes)                       // 512-aligned; shrinking drops the pages beyond
//   blob.snapshot(ref) → "2025-05-01T02:00:00.0000000Z"   // a blob snapshot (x-ms-snapshot value)
//   blob.deleteSnapshot(ref, snapshot) → boolean      // later diffs against it get PreviousSnapshotNotFound
//   blob.deleteFamily(familyId) → boolean
//   blob.grant({ blob: ref, snapshot?, permissions = "r", expiresAt }) → SAS URL
//       managed (family) blobs: sv=2018-11-09, sr=bs with snapshot, sr=b without; si = 64 hex
//   blob.revoke(urlOrSi) → boolean; blob.revokeAll(familyId) → how many open grants it ended
//   blob.openGrants(familyId?) → number of grants neither revoked nor expired
//   blob.createContainer(account, container)          // an ordinary account (idempotent)
//   blob.targetUrl(account, container, blobName, { expiresAt, permissions = "racwd" }) → SAS URL
//       creates the account and container; the blob itself is created by the client (Put Blob)
//   blob.read(ref, snapshot? | { snapshot?, offset?, length? }) → Buffer   // for assertions
//   blob.pageList(ref, { snapshot?, prevSnapshot? }) → [{ kind: "page"|"clear", start, end }]
//   blob.properties(ref, snapshot?) → { size, etag, lastModified, snapshots: [time…], bytesHeld }
//   blob.addFault(f) / blob.clearFaults() / blob.faults (list) / blob.releaseHung()
//   blob.requests (log of { method, path, query: [names], headers: [names], authorization: bool,
//     status, at, fault? }: no query values, so no signature) / blob.resetRequests() / blob.reset()
// A `ref` is a familyId, a SAS or plain blob URL of this service, or { host | account, container, blob }.
// Sizes: families up to 32 TiB + 512 (upload disks), ordinary page blobs up to 8 TiB.
//
// Faults (checked before anything else, like a front end): { route = "*", kind, count = 1, status,
// retryAfter, code, message, ms }, `route` a "METHOD glob" over "/blob/<host>/<c>/<b>?<query>"
// (e.g. "PUT comp=page", "GET comp=pagelist", "HEAD /blob/md-*") or a RegExp tested against
// "METHOD /path?query"; count -1 = always. Kinds: throttle (503 ServerBusy + Retry-After, default
// 1 s), status (status default 500: 500 InternalError, 503 ServerBusy, 429 TooManyRequests, …;
// optional Retry-After), drop (socket destroyed), latency (wait `ms`, then answer), hang (never
// answer; releaseHung() or closing the server ends it).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { globMatcher } from "../faults.mjs";
import { PageStore, PAGE, MAX_PUT_PAGE } from "./pages.mjs";
import { SasGrants } from "./sas.mjs";
import { BlobError, E, pageListXml, snapshotTime, etagOf, ticksOf, httpDate, parseRange, XML_DECL } from "./xml.mjs";

export { PAGE, MAX_PUT_PAGE } from "./pages.mjs";
export const BLOB_PREFIX = "/blob/";
export const TIB = 1024 ** 4;
/** Largest ordinary page blob (8 TiB) and largest managed-disk blob (32 TiB + the VHD footer). */
export const MAX_PAGE_BLOB = 8 * TIB;
export const MAX_MANAGED_BLOB = 32 * TIB + PAGE;
/** Most elements of one Get Page Ranges answer. */
export const MAX_RESULTS = 10000;
/** Oldest x-ms-version that may send x-ms-previous-snapshot-url. */
export const PREV_SNAPSHOT_URL_MIN_VERSION = "2019-07-07";
const SERVER = "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0";
const MAX_LOG = 100000;
const READ_CHUNK = 1024 * 1024;

const FAULT_KINDS = ["throttle", "status", "drop", "latency", "hang"];
const FAULT_KEYS = new Set(["route", "kind", "count", "status", "retryAfter", "code", "message", "ms"]);
const FAULT_STATUS = {
  408: ["OperationTimedOut", "The operation could not be completed within the permitted time."],
  429: ["TooManyRequests", "The request is being throttled."],
  500: ["InternalError", "The server encountered an internal error. Please retry the request."],
  502: ["BadGateway", "The gateway did not receive a response in time."],
  503: ["ServerBusy", "The server is currently unable to receive requests. Please retry your request."],
  504: ["GatewayTimeout", "The gateway did not receive a response in time."],
};
const METHODS = new Set(["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"]);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alnum = (n) => {
  const a = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += a[bytes[i] % a.length];
  return s;
};
const toMs = (t) => (t instanceof Date ? t.getTime() : typeof t === "string" ? Date.parse(t) : Number(t));
const versionRe = /^\d{4}-\d{2}-\d{2}$/;

function compileFault(f) {
  if (!f || typeof f !== "object" || Array.isArray(f)) throw new TypeError("a blob fault must be an object");
  for (const k of Object.keys(f)) if (!FAULT_KEYS.has(k)) throw new TypeError(`unknown blob fault property '${k}'`);
  if (!FAULT_KINDS.includes(f.kind)) throw new TypeError(`blob fault kind must be one of ${FAULT_KINDS.join(", ")}`);
  let count = f.count ?? 1;
  if (count === -1) count = Infinity;
  else if (!(Number.isInteger(count) && count >= 1)) throw new TypeError("count must be a positive integer or -1");
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599))
    throw new TypeError("status must be 400 … 599");
  const route = f.route ?? "*";
  let matches;
  if (route instanceof RegExp) matches = (m, u) => route.test(`${m} ${u}`);
  else if (typeof route !== "string") throw new TypeError("route must be a string or a RegExp");
  else {
    const text = route.trim();
    let method = "*";
    let pattern = text;
    const space = text.search(/\s/);
    if (space > 0 && METHODS.has(text.slice(0, space).toUpperCase())) {
      method = text.slice(0, space).toUpperCase();
      pattern = text.slice(space).trim();
    } else if (METHODS.has(text.toUpperCase())) {
      method = text.toUpperCase();
      pattern = "";
    }
    const test = pattern === "" || pattern === "*" ? () => true : globMatcher(pattern);
    matches = (m, u) => (method === "*" || method === m) && test(u);
  }
  return { ...f, route, count, fired: 0, matches };
}

/** Split "/blob/<host>/<container>/<blob…>" (or "/<container>/<blob…>" with a host) into parts. */
function blobParts(pathname, hostname) {
  let segs = pathname.split("/").slice(1);
  let host = hostname;
  if (pathname.startsWith(BLOB_PREFIX)) {
    segs = pathname.slice(BLOB_PREFIX.length).split("/");
    host = segs.shift();
  }
  let dec;
  try {
    dec = segs.map((s) => decodeURIComponent(s));
    host = decodeURIComponent(host || "");
  } catch {
    return null;
  }
  const [container, ...rest] = dec;
  const blob = rest.join("/");
  if (!host || !container || !blob) return null;
  return { host: host.toLowerCase(), container, blob };
}

class Blob {
  constructor({ host, container, name, size, managed, familyId, at, etag }) {
    Object.assign(this, { host, container, name, size, managed, familyId });
    this.store = new PageStore();
    this.created = at;
    this.lastModified = at;
    this.etag = etag;
    this.sequenceNumber = 0;
    /** @type {Map<string, { time, gen, size, etag, lastModified, copyId }>} */
    this.snapshots = new Map();
  }
}

export class BlobService {
  constructor({ now = () => Date.now(), faults = [], origin = "" } = {}) {
    this.now = now;
    this.origin = origin;
    this.requests = [];
    this.faultList = [];
    this.hung = new Set();
    this.reset();
    for (const f of faults) this.addFault(f);
  }

  /** Forget every blob, container, snapshot and grant (faults and the log stay). */
  reset() {
    /** @type {Map<string, { managed: boolean, containers: Map<string, Map<string, Blob>> }>} */
    this.hosts = new Map();
    /** @type {Map<string, Blob>} */
    this.families = new Map();
    this.sas = new SasGrants();
    this.gen = 0;
    this.lastTicks = 0n;
    this.lastSnap = { ms: -1, tick: 0 };
  }

  // --- faults and log -------------------------------------------------------------------

  addFault(f) {
    const c = compileFault(f);
    this.faultList.push(c);
    return c;
  }
  clearFaults() {
    this.faultList = [];
  }
  get faults() {
    return this.faultList.map(({ matches, ...rest }) => ({
      ...rest,
      route: String(rest.route),
      count: rest.count === Infinity ? -1 : rest.count,
    }));
  }
  takeFault(method, url) {
    const f = this.faultList.find((x) => x.matches(method, url));
    if (!f) return null;
    f.count -= 1;
    f.fired += 1;
    if (f.count <= 0) this.faultList = this.faultList.filter((x) => x !== f);
    return f;
  }
  /** End every request a `hang` fault is holding (their sockets are destroyed). */
  releaseHung() {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }
  resetRequests() {
    this.requests.length = 0;
  }

  // --- storage --------------------------------------------------------------------------

  nextEtag() {
    let ft = ticksOf(this.now());
    if (ft <= this.lastTicks) ft = this.lastTicks + 1n;
    this.lastTicks = ft;
    return etagOf(ft);
  }

  /** Every change: a new write generation, Last-Modified and ETag. */
  touch(b) {
    this.gen += 1;
    b.lastModified = this.now();
    b.etag = this.nextEtag();
    return this.gen;
  }

  container(host, name, create = false, managed = false) {
    let h = this.hosts.get(host);
    if (!h) {
      if (!create) return null;
      h = { managed, containers: new Map() };
      this.hosts.set(host, h);
    }
    let c = h.containers.get(name);
    if (!c && create) {
      c = new Map();
      h.containers.set(name, c);
    }
    return c || null;
  }

  /** The Blob of a ref (familyId, URL, or { host | account, container, blob }); throws if none. */
  resolve(ref) {
    if (typeof ref === "string" && this.families.has(ref)) return this.families.get(ref);
    let parts;
    if (typeof ref === "string") {
      let u;
      try {
        u = new URL(ref);
      } catch {
        throw new RangeError(`blob: no family '${ref}' and not a URL`);
      }
      parts = blobParts(u.pathname, u.hostname);
    } else if (ref && typeof ref === "object") {
      const host = ref.host || (ref.account ? `${ref.account}.blob.core.windows.net` : "");
      parts = { host: String(host).toLowerCase(), container: ref.container, blob: ref.blob };
    }
    const b = parts && this.container(parts.host, parts.container)?.get(parts.blob);
    if (!b) throw new RangeError(`blob: no blob ${JSON.stringify(parts || ref)}`);
    return b;
  }

  family(familyId) {
    const b = this.families.get(familyId);
    if (!b) throw new RangeError(`blob: no family '${familyId}'`);
    return b;
  }

  createFamily(familyId, sizeBytes, { host, container, blob = "abcd" } = {}) {
    if (typeof familyId !== "string" || familyId === "") throw new TypeError("familyId must be a non-empty string");
    if (this.families.has(familyId)) throw new RangeError(`blob: family '${familyId}' exists`);
    checkSize(sizeBytes, MAX_MANAGED_BLOB);
    const h = (
      host || `md-${alnum(12)}.z${String(10 + (randomBytes(1)[0] % 50))}.blob.storage.azure.net`
    ).toLowerCase();
    const c = container || alnum(12);
    const cont = this.container(h, c, true, true);
    if (cont.has(blob)) throw new RangeError(`blob: ${h}/${c}/${blob} exists`);
    const at = this.now();
    const b = new Blob({ host: h, container: c, name: blob, size: sizeBytes, managed: true, familyId, at, etag: "" });
    b.etag = this.nextEtag();
    cont.set(blob, b);
    this.families.set(familyId, b);
    return { familyId, host: h, container: c, blob, size: sizeBytes };
  }

  deleteFamily(familyId) {
    const b = this.families.get(familyId);
    if (!b) return false;
    this.families.delete(familyId);
    this.container(b.host, b.container)?.delete(b.name);
    for (const g of this.sas.grants.values()) if (g.familyId === familyId) g.revoked = true;
    return true;
  }

  writePages(ref, offset, buffer) {
    const b = this.resolve(ref);
    const buf = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer);
    checkAligned(offset, buf.length, b.size);
    b.store.write(offset, buf, this.touch(b));
  }

  clearPages(ref, offset, length) {
    const b = this.resolve(ref);
    checkAligned(offset, length, b.size);
    b.store.clear(offset, length, this.touch(b));
  }

  resize(ref, sizeBytes) {
    const b = this.resolve(ref);
    checkSize(sizeBytes, b.managed ? MAX_MANAGED_BLOB : MAX_PAGE_BLOB);
    this.setSize(b, sizeBytes);
  }

  setSize(b, size) {
    const g = this.touch(b);
    if (size < b.size) b.store.clear(size, Math.ceil((b.size - size) / PAGE) * PAGE, g);
    b.size = size;
  }

  snapshot(ref) {
    return this.takeSnapshot(this.resolve(ref)).time;
  }

  takeSnapshot(b) {
    let ms = this.now();
    if (ms <= this.lastSnap.ms) ms = this.lastSnap.ms;
    const tick = ms === this.lastSnap.ms ? this.lastSnap.tick + 1 : 0;
    this.lastSnap = { ms, tick };
    const time = snapshotTime(ms, tick);
    const snap = {
      time,
      gen: this.gen,
      size: b.size,
      etag: b.etag,
      lastModified: b.lastModified,
      at: ms,
      copyId: randomUUID(),
    };
    b.snapshots.set(time, snap);
    return snap;
  }

  deleteSnapshot(ref, snapshot) {
    return this.resolve(ref).snapshots.delete(snapshot);
  }

  /** The state of a blob or one of its snapshots: { blob, snap, size, etag, lastModified, gen }. */
  view(b, snapshot) {
    if (!snapshot)
      return { blob: b, snap: null, size: b.size, etag: b.etag, lastModified: b.lastModified, gen: Infinity };
    const snap = b.snapshots.get(snapshot);
    if (!snap) return null;
    return { blob: b, snap, size: snap.size, etag: snap.etag, lastModified: snap.lastModified, gen: snap.gen };
  }

  grant({ blob, snapshot, permissions = "r", expiresAt } = {}) {
    const b = this.resolve(blob);
    if (snapshot && !b.snapshots.has(snapshot)) throw new RangeError(`blob: no snapshot '${snapshot}'`);
    const exp = toMs(expiresAt ?? this.now() + 3600000);
    const q = this.sas.add({
      host: b.host,
      container: b.container,
      blob: b.name,
      snapshot: snapshot || null,
      perms: permissions,
      expiresAt: exp,
      managed: b.managed,
      familyId: b.familyId,
    });
    return `${this.blobUrl(b)}?${q}`;
  }

  blobUrl(b) {
    const name = b.name.split("/").map(encodeURIComponent).join("/");
    return `${this.origin}${BLOB_PREFIX}${b.host}/${encodeURIComponent(b.container)}/${name}`;
  }

  revoke(urlOrId) {
    return this.sas.revoke(urlOrId);
  }

  revokeAll(familyId) {
    let n = 0;
    for (const g of this.sas.grants.values())
      if (g.familyId === familyId && !g.revoked) {
        g.revoked = true;
        if (g.expiresAt > this.now()) n += 1;
      }
    return n;
  }

  openGrants(familyId) {
    return this.sas.open(this.now(), familyId);
  }

  createContainer(account, container) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) throw new RangeError("account: 3 to 24 lower-case letters and digits");
    if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container))
      throw new RangeError("container: 3 to 63 lower-case letters, digits and single dashes");
    this.container(`${account}.blob.core.windows.net`, container, true, false);
    return { host: `${account}.blob.core.windows.net`, container };
  }

  targetUrl(account, container, blobName, { expiresAt, permissions = "racwd" } = {}) {
    const { host } = this.createContainer(account, container);
    if (typeof blobName !== "string" || blobName === "" || blobName.length > 1024)
      throw new RangeError("blob name: 1 to 1024 characters");
    const exp = toMs(expiresAt ?? this.now() + 3600000);
    const q = this.sas.add({
      host,
      container,
      blob: blobName,
      snapshot: null,
      perms: permissions,
      expiresAt: exp,
      managed: false,
    });
    const name = blobName.split("/").map(encodeURIComponent).join("/");
    return `${this.origin}${BLOB_PREFIX}${host}/${encodeURIComponent(container)}/${name}?${q}`;
  }

  read(ref, opts) {
    const o = typeof opts === "string" ? { snapshot: opts } : opts || {};
    const v = this.view(this.resolve(ref), o.snapshot);
    if (!v) throw new RangeError(`blob: no snapshot '${o.snapshot}'`);
    const offset = o.offset ?? 0;
    const length = o.length ?? v.size - offset;
    if (length > 1024 ** 3) throw new RangeError("blob.read: at most 1 GiB at a time (give offset and length)");
    return v.blob.store.read(offset, length, v.gen);
  }

  pageList(ref, { snapshot, prevSnapshot } = {}) {
    const b = this.resolve(ref);
    const v = this.view(b, snapshot);
    const p = prevSnapshot ? this.view(b, prevSnapshot) : null;
    if (!v || (prevSnapshot && !p)) throw new RangeError("blob: no such snapshot");
    if (v.size === 0) return [];
    return b.store.ranges(0, Math.floor((v.size - 1) / PAGE), v.gen, p ? p.gen : undefined);
  }

  properties(ref, snapshot) {
    const b = this.resolve(ref);
    const v = this.view(b, snapshot);
    if (!v) throw new RangeError(`blob: no snapshot '${snapshot}'`);
    return {
      host: b.host,
      container: b.container,
      blob: b.name,
      size: v.size,
      etag: v.etag,
      lastModified: httpDate(v.lastModified),
      snapshots: [...b.snapshots.keys()],
      bytesHeld: b.store.bytesHeld(),
    };
  }

  // --- HTTP -----------------------------------------------------------------------------

  /**
   * Answer a request whose path starts with /blob/; resolves to false (request untouched)
   * otherwise. `url` is the request URL (string or URL; default req.url); `body` a Buffer if the
   * caller already read the body (it must not be decoded as text), else it is read here (up to
   * 4 MiB; more gets 413 RequestBodyTooLarge).
   */
  async handle(req, res, url, body) {
    const u = url instanceof URL ? url : new URL(String(url ?? req.url ?? "/"), "http://localhost");
    if (!u.pathname.startsWith(BLOB_PREFIX)) return false;
    const method = String(req.method).toUpperCase();
    const pathAndQuery = `${u.pathname}${u.search}`;
    const ctx = {
      req,
      res,
      method,
      url: u,
      query: u.searchParams,
      requestId: randomUUID(),
      log: {
        method,
        path: u.pathname,
        query: [...u.searchParams.keys()],
        headers: Object.keys(req.headers),
        authorization: req.headers.authorization !== undefined,
        status: 0,
        at: this.now(),
      },
      headOnly: method === "HEAD",
    };
    this.requests.push(ctx.log);
    if (this.requests.length > MAX_LOG) this.requests.splice(0, this.requests.length - MAX_LOG);
    try {
      const fault = this.takeFault(method, pathAndQuery);
      if (fault) {
        ctx.log.fault = fault.kind;
        if (fault.kind === "hang") {
          this.hung.add(res);
          res.on("close", () => this.hung.delete(res));
          req.resume();
          return true;
        }
        if (fault.kind === "drop") {
          req.socket?.destroy();
          return true;
        }
        if (fault.kind === "latency") await sleep(fault.ms ?? 1000);
        else {
          const status = fault.status ?? (fault.kind === "throttle" ? 503 : 500);
          const [code, message] =
            fault.kind === "throttle" && !fault.status
              ? ["ServerBusy", "Operations per second is over the account limit."]
              : FAULT_STATUS[status] || ["InternalError", `Injected failure with status ${status}.`];
          const retryAfter = fault.retryAfter === undefined ? (fault.kind === "throttle" ? 1 : null) : fault.retryAfter;
          throw new BlobError(status, fault.code ?? code, fault.message ?? message, {
            headers: retryAfter === null ? {} : { "Retry-After": String(retryAfter) },
          });
        }
      }
      let buf = body;
      let tooLarge = false;
      if (buf === undefined) {
        if (method === "PUT") {
          const r = await readBody(req, MAX_PUT_PAGE);
          buf = r.buf;
          tooLarge = r.tooLarge;
        } else {
          req.resume();
          buf = Buffer.alloc(0);
        }
      } else if (!Buffer.isBuffer(buf)) buf = Buffer.from(buf);
      if (buf.length > MAX_PUT_PAGE) tooLarge = true;
      ctx.body = buf;
      ctx.tooLarge = tooLarge;
      this.route(ctx);
    } catch (e) {
      if (e instanceof BlobError) this.sendError(ctx, e);
      else this.sendError(ctx, new BlobError(500, "InternalError", `Emulator error: ${e && e.message}`));
    }
    return true;
  }

  headers(ctx, extra = {}) {
    const h = { Server: SERVER, "x-ms-request-id": ctx.requestId, "x-ms-version": ctx.version || "2018-11-09" };
    const crid = ctx.req.headers["x-ms-client-request-id"];
    if (crid) h["x-ms-client-request-id"] = String(crid).slice(0, 1024);
    return { ...h, ...extra };
  }

  send(ctx, status, headers, body) {
    ctx.log.status = status;
    const { res } = ctx;
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) {
      const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
      const h = this.headers(ctx, headers);
      if (buf && !("Content-Length" in h) && !h["Transfer-Encoding"]) h["Content-Length"] = String(buf.length);
      res.writeHead(status, h);
      res.end(ctx.headOnly ? undefined : buf);
    }
  }

  sendError(ctx, e) {
    const { res } = ctx;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    ctx.version ||= versionRe.test(String(ctx.req.headers["x-ms-version"] || ""))
      ? ctx.req.headers["x-ms-version"]
      : ctx.query.get("sv") || undefined;
    const h = { "x-ms-error-code": e.code, ...e.headers };
    if (ctx.tooLarge) h.Connection = "close";
    if (e.status === 304) {
      ctx.log.status = 304;
      res.writeHead(304, this.headers(ctx, h));
      res.end();
      return;
    }
    const xml = e.xml(ctx.requestId, snapshotTime(this.now(), 0));
    this.send(ctx, e.status, { "Content-Type": "application/xml", ...h }, xml);
  }

  route(ctx) {
    const { req, query, method } = ctx;
    const v = req.headers["x-ms-version"];
    if (v !== undefined && !versionRe.test(String(v))) throw E.badHeader("x-ms-version", v);
    ctx.version = v ? String(v) : query.get("sv") || undefined;
    const parts = blobParts(ctx.url.pathname, "");
    if (!parts) throw E.invalidUri();
    const snapshot = query.get("snapshot") || null;
    if (snapshot !== null && Number.isNaN(Date.parse(snapshot)))
      throw E.badQuery("snapshot", snapshot, "not a snapshot time");
    const comp = query.get("comp");
    const write = method === "PUT";
    if (write && snapshot) throw E.badQuery("snapshot", snapshot, "a snapshot cannot be written");
    const op =
      method === "HEAD" && comp === null
        ? "props"
        : method === "GET" && comp === null
          ? "get"
          : method === "GET" && comp === "pagelist"
            ? "pagelist"
            : method === "PUT" && comp === null
              ? "put"
              : method === "PUT" && comp === "page"
                ? "page"
                : method === "PUT" && comp === "properties"
                  ? "setprops"
                  : method === "PUT" && comp === "snapshot"
                    ? "snapshot"
                    : null;
    if (!op) {
      if (!["GET", "HEAD", "PUT"].includes(method)) throw E.verb();
      throw E.badQuery("comp", comp, "not an operation of this emulator's page blobs");
    }
    const need = op === "put" ? "c" : write ? "w" : "r";
    const grant = this.sas.check(query, { ...parts, snapshot }, need, this.now());
    ctx.grant = grant;
    const cont = this.container(parts.host, parts.container);
    if (!cont) throw E.containerNotFound();
    const b = cont.get(parts.blob);
    if (op === "put") return this.putBlob(ctx, cont, parts, b);
    if (!b) throw E.blobNotFound();
    const view = this.view(b, snapshot);
    if (!view) throw E.blobNotFound();
    ctx.view = view;
    switch (op) {
      case "props":
        return this.getProperties(ctx, view);
      case "get":
        return this.getBlob(ctx, view);
      case "pagelist":
        return this.getPageRanges(ctx, view);
      case "page":
        return this.putPage(ctx, b);
      case "setprops":
        return this.setProperties(ctx, b);
      default:
        return this.snapshotBlob(ctx, b);
    }
  }

  /**
   * If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since. Reads answer 304
   * (If-None-Match, If-Modified-Since) or 412; writes always 412. ETags compare without quotes
   * (the recordings send them unquoted).
   */
  conditions(ctx, etag, lastModified, read) {
    const h = ctx.req.headers;
    const tags = (s) =>
      String(s)
        .split(",")
        .map((t) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, ""));
    const mine = etag.replace(/^"|"$/g, "");
    const lmSec = Math.floor(lastModified / 1000);
    const notMet = () => E.conditionNotMet();
    const notModified = () => (read ? new BlobError(304, "ConditionNotMet", "") : notMet());
    if (h["if-match"] !== undefined) {
      const t = tags(h["if-match"]);
      if (!t.includes("*") && !t.includes(mine)) throw notMet();
    }
    if (h["if-unmodified-since"] !== undefined) {
      const d = Date.parse(h["if-unmodified-since"]);
      if (!Number.isNaN(d) && lmSec > Math.floor(d / 1000)) throw notMet();
    }
    if (h["if-none-match"] !== undefined) {
      const t = tags(h["if-none-match"]);
      if (t.includes("*") || t.includes(mine)) throw notModified();
    }
    if (h["if-modified-since"] !== undefined) {
      const d = Date.parse(h["if-modified-since"]);
      if (!Number.isNaN(d) && lmSec <= Math.floor(d / 1000)) throw notModified();
    }
  }

  blobHeaders(view) {
    const b = view.blob;
    const h = {
      "Last-Modified": httpDate(view.lastModified),
      ETag: view.etag,
      "Accept-Ranges": "bytes",
      "x-ms-creation-time": httpDate(b.created),
      "x-ms-blob-type": "PageBlob",
      "x-ms-blob-sequence-number": String(b.sequenceNumber),
      "x-ms-server-encrypted": "true",
    };
    if (!b.managed) Object.assign(h, { "x-ms-lease-state": "available", "x-ms-lease-status": "unlocked" });
    if (b.managed && view.snap) {
      Object.assign(h, {
        "x-ms-copy-id": view.snap.copyId,
        "x-ms-copy-status": "success",
        "x-ms-copy-progress": `${view.size}/${view.size}`,
        "x-ms-copy-completion-time": httpDate(view.snap.at),
        "x-ms-copy-destination-snapshot": view.snap.time,
        "x-ms-incremental-copy": "true",
      });
    }
    return h;
  }

  getProperties(ctx, view) {
    this.conditions(ctx, view.etag, view.lastModified, true);
    this.send(
      ctx,
      200,
      { ...this.blobHeaders(view), "Content-Length": String(view.size), "Content-Type": "application/octet-stream" },
      Buffer.alloc(0),
    );
  }

  getBlob(ctx, view) {
    this.conditions(ctx, view.etag, view.lastModified, true);
    const h = ctx.req.headers;
    const rangeHeader = h["x-ms-range"] !== undefined ? "x-ms-range" : "range";
    const r = parseRange(h[rangeHeader], () => E.badHeader(rangeHeader, h[rangeHeader]), { openEnd: true });
    let start = 0;
    let end = view.size - 1;
    let status = 200;
    const extra = {};
    if (r) {
      if (r.start >= view.size || (r.end !== undefined && r.end < r.start)) throw E.invalidRange(view.size);
      start = r.start;
      end = Math.min(r.end ?? view.size - 1, view.size - 1);
      status = 206;
      extra["Content-Range"] = `bytes ${start}-${end}/${view.size}`;
    }
    const length = end - start + 1;
    ctx.log.status = status;
    const { res } = ctx;
    res.writeHead(
      status,
      this.headers(ctx, {
        ...this.blobHeaders(view),
        "Content-Length": String(length),
        "Content-Type": "application/octet-stream",
        ...extra,
      }),
    );
    // Streamed in 1 MiB chunks, so a large read never sits in memory whole.
    const store = view.blob.store;
    let at = start;
    const pump = () => {
      while (at <= end) {
        if (res.destroyed) return;
        const n = Math.min(READ_CHUNK, end - at + 1);
        const chunk = store.read(at, n, view.gen);
        at += n;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  }

  getPageRanges(ctx, view) {
    const { req, query } = ctx;
    const h = req.headers;
    const b = view.blob;
    this.conditions(ctx, view.etag, view.lastModified, true);
    // the older snapshot of a diff: x-ms-previous-snapshot-url (managed disks) or prevsnapshot
    const prevUrl = h["x-ms-previous-snapshot-url"];
    const prevQuery = query.get("prevsnapshot");
    let prev = null;
    if (prevUrl !== undefined && prevQuery !== null)
      throw E.badQuery("prevsnapshot", prevQuery, "give prevsnapshot or x-ms-previous-snapshot-url, not both");
    if (prevUrl !== undefined) {
      if (!ctx.version || ctx.version < PREV_SNAPSHOT_URL_MIN_VERSION)
        throw E.unsupportedHeader("x-ms-previous-snapshot-url", prevUrl);
      let pu;
      try {
        pu = new URL(String(prevUrl));
      } catch {
        throw E.badHeader("x-ms-previous-snapshot-url", prevUrl, "not an absolute URL");
      }
      const pp = blobParts(pu.pathname, pu.hostname);
      const ps = pu.searchParams.get("snapshot");
      if (!pp || !ps) throw E.badHeader("x-ms-previous-snapshot-url", prevUrl, "must name a blob snapshot");
      this.sas.check(pu.searchParams, { ...pp, snapshot: ps }, "r", this.now());
      if (pp.host !== b.host || pp.container !== b.container || pp.blob !== b.name) throw E.prevNotFound();
      prev = b.snapshots.get(ps);
      if (!prev) throw E.prevNotFound();
    } else if (prevQuery !== null) {
      prev = b.snapshots.get(prevQuery);
      if (!prev) throw E.prevNotFound();
    }
    // x-ms-snapshot times sort as text (one format, 7 fractional digits)
    if (prev && view.snap && prev.time > view.snap.time) throw E.prevNewer();
    // the window
    const rangeHeader = h["x-ms-range"] !== undefined ? "x-ms-range" : "range";
    const r = parseRange(h[rangeHeader], () => E.badHeader(rangeHeader, h[rangeHeader]));
    let firstIdx = 0;
    let lastIdx = Math.floor((view.size - 1) / PAGE);
    if (r) {
      if (r.end < r.start || r.start >= view.size) throw E.invalidRange(view.size);
      firstIdx = Math.floor(r.start / PAGE);
      lastIdx = Math.floor(Math.min(r.end, view.size - 1) / PAGE);
    }
    // paging
    let limit = MAX_RESULTS;
    const mr = query.get("maxresults");
    if (mr !== null) {
      if (!/^\d{1,10}$/.test(mr) || Number(mr) < 1)
        throw E.badQuery("maxresults", mr, "must be an integer of at least 1");
      limit = Math.min(Number(mr), MAX_RESULTS);
    }
    const marker = query.get("marker");
    if (marker !== null && marker !== "") {
      const at = decodeMarker(marker);
      if (at === null) throw E.badQuery("marker", marker, "not a marker this service gave");
      firstIdx = Math.max(firstIdx, at / PAGE);
    }
    let elements =
      view.size === 0 || firstIdx > lastIdx
        ? []
        : b.store.ranges(firstIdx, lastIdx, view.gen, prev ? prev.gen : undefined, limit);
    let nextMarker;
    if (elements.length > limit) {
      nextMarker = encodeMarker(elements[limit].start);
      elements = elements.slice(0, limit);
    }
    const xml = pageListXml(elements, { nextMarker, emptyNextMarker: !b.managed });
    this.send(
      ctx,
      200,
      {
        "Content-Type": "application/xml",
        ETag: view.etag,
        "Last-Modified": httpDate(view.lastModified),
        "x-ms-blob-content-length": String(view.size),
        "Transfer-Encoding": "chunked",
      },
      xml,
    );
  }

  putBlob(ctx, cont, parts, existing) {
    const h = ctx.req.headers;
    if (this.hosts.get(parts.host)?.managed)
      throw E.operationNotAllowed("A managed disk's blob cannot be created or replaced through the Blob service.");
    if (existing) {
      if (String(h["if-none-match"] ?? "").trim() === "*") throw E.blobExists();
      this.conditions(ctx, existing.etag, existing.lastModified, false);
    } else if (h["if-match"] !== undefined) throw E.conditionNotMet();
    const type = h["x-ms-blob-type"];
    if (type === undefined) throw E.missingHeader("x-ms-blob-type");
    if (type !== "PageBlob")
      throw E.badHeader(
        "x-ms-blob-type",
        type,
        "this emulator holds page blobs only (BlockBlob and AppendBlob are not emulated)",
      );
    const size = this.contentLengthHeader(h, MAX_PAGE_BLOB, true);
    if (ctx.body.length !== 0 || ctx.tooLarge)
      throw E.badHeader("Content-Length", h["content-length"], "a page blob is created empty");
    const seq = h["x-ms-blob-sequence-number"];
    if (seq !== undefined && !/^\d{1,19}$/.test(String(seq))) throw E.badHeader("x-ms-blob-sequence-number", seq);
    let b = existing;
    if (b) {
      // Replacing keeps the snapshots: the old pages are cleared at a new generation.
      const g = this.touch(b);
      if (b.size > 0) b.store.clear(0, Math.ceil(b.size / PAGE) * PAGE, g);
      b.size = size;
      b.created = this.now();
    } else {
      const at = this.now();
      b = new Blob({
        host: parts.host,
        container: parts.container,
        name: parts.blob,
        size,
        managed: false,
        at,
        etag: "",
      });
      this.gen += 1;
      b.etag = this.nextEtag();
      cont.set(parts.blob, b);
    }
    b.sequenceNumber = seq === undefined ? 0 : Number(seq);
    this.send(
      ctx,
      201,
      {
        ETag: b.etag,
        "Last-Modified": httpDate(b.lastModified),
        "x-ms-request-server-encrypted": "true",
        "Content-Length": "0",
      },
      Buffer.alloc(0),
    );
  }

  /** x-ms-blob-content-length: a multiple of 512 up to `max`. */
  contentLengthHeader(h, max, required) {
    const v = h["x-ms-blob-content-length"];
    if (v === undefined) {
      if (required) throw E.missingHeader("x-ms-blob-content-length");
      return undefined;
    }
    const n = /^\d{1,16}$/.test(String(v)) ? Number(v) : NaN;
    if (!(n >= 0 && n <= max && n % PAGE === 0))
      throw E.badHeader("x-ms-blob-content-length", v, `a multiple of ${PAGE} up to ${max}`);
    return n;
  }

  setProperties(ctx, b) {
    const h = ctx.req.headers;
    if (b.managed && h["x-ms-blob-content-length"] !== undefined)
      throw E.operationNotAllowed("A managed disk's blob is resized through the disk (ARM), not the Blob service.");
    this.conditions(ctx, b.etag, b.lastModified, false);
    const size = this.contentLengthHeader(h, b.managed ? MAX_MANAGED_BLOB : MAX_PAGE_BLOB, false);
    if (size !== undefined) this.setSize(b, size);
    else this.touch(b);
    this.send(
      ctx,
      200,
      {
        ETag: b.etag,
        "Last-Modified": httpDate(b.lastModified),
        "x-ms-blob-sequence-number": String(b.sequenceNumber),
        "Content-Length": "0",
      },
      Buffer.alloc(0),
    );
  }

  snapshotBlob(ctx, b) {
    if (b.managed)
      throw E.operationNotAllowed("Snapshots of a managed disk are made through ARM (an incremental snapshot).");
    this.conditions(ctx, b.etag, b.lastModified, false);
    const snap = this.takeSnapshot(b);
    this.send(
      ctx,
      201,
      {
        "x-ms-snapshot": snap.time,
        ETag: b.etag,
        "Last-Modified": httpDate(b.lastModified),
        "x-ms-request-server-encrypted": "false",
        "Content-Length": "0",
      },
      Buffer.alloc(0),
    );
  }

  putPage(ctx, b) {
    const h = ctx.req.headers;
    const mode = h["x-ms-page-write"];
    if (mode === undefined) throw E.missingHeader("x-ms-page-write");
    const m = String(mode).toLowerCase();
    if (m !== "update" && m !== "clear") throw E.badHeader("x-ms-page-write", mode, "update or clear");
    const source = h["x-ms-copy-source"];
    const rangeHeader = h["x-ms-range"] !== undefined ? "x-ms-range" : "range";
    const r = parseRange(h[rangeHeader], () => E.badHeader(rangeHeader, h[rangeHeader], "bytes=start-end"));
    if (!r) throw E.missingHeader("x-ms-range");
    const { start, end } = r;
    if (end < start || start % PAGE !== 0 || (end + 1) % PAGE !== 0) throw E.invalidPageRange();
    if (end >= b.size) throw E.invalidPageRange();
    const length = end - start + 1;
    let data = null;
    if (source !== undefined) {
      if (m !== "update") throw E.badHeader("x-ms-page-write", mode, "Put Page From URL writes with update");
      if (ctx.body.length !== 0 || ctx.tooLarge)
        throw E.badHeader("Content-Length", h["content-length"], "Put Page From URL sends no body");
      const sr = h["x-ms-source-range"];
      if (sr === undefined) throw E.missingHeader("x-ms-source-range");
      const s = parseRange(sr, () => E.badHeader("x-ms-source-range", sr, "bytes=start-end"));
      if (s.end < s.start || s.end - s.start + 1 !== length)
        throw E.badHeader("x-ms-source-range", sr, "the source range must be as long as x-ms-range");
      if (length > MAX_PUT_PAGE) throw E.badHeader(rangeHeader, h[rangeHeader], "at most 4 MiB per request");
      this.conditions(ctx, b.etag, b.lastModified, false);
      data = this.readSource(String(source), s);
    } else if (m === "update") {
      if (ctx.tooLarge) throw E.bodyTooLarge(MAX_PUT_PAGE);
      if (ctx.body.length !== length)
        throw E.badHeader("Content-Length", h["content-length"] ?? ctx.body.length, "must equal the range's length");
      this.conditions(ctx, b.etag, b.lastModified, false);
      data = ctx.body;
    } else {
      if (ctx.body.length !== 0 || ctx.tooLarge)
        throw E.badHeader("Content-Length", h["content-length"], "a clear sends no body");
      this.conditions(ctx, b.etag, b.lastModified, false);
    }
    const g = this.touch(b);
    if (data) b.store.write(start, data, g);
    else b.store.clear(start, length, g);
    const out = {
      ETag: b.etag,
      "Last-Modified": httpDate(b.lastModified),
      "x-ms-blob-sequence-number": String(b.sequenceNumber),
      "Content-Length": "0",
    };
    if (data) {
      out["Content-MD5"] = createHash("md5").update(data).digest("base64");
      out["x-ms-request-server-encrypted"] = "true";
    }
    this.send(ctx, 201, out, Buffer.alloc(0));
  }

  /** The bytes of x-ms-copy-source's range; its SAS is checked like a request's. */
  readSource(source, s) {
    let u;
    try {
      u = new URL(source);
    } catch {
      throw E.badHeader("x-ms-copy-source", source, "not an absolute URL");
    }
    const parts = blobParts(u.pathname, u.hostname);
    if (!parts) throw E.copySource(404, "The specified blob does not exist.");
    const snapshot = u.searchParams.get("snapshot") || null;
    try {
      this.sas.check(u.searchParams, { ...parts, snapshot }, "r", this.now());
    } catch (e) {
      if (e instanceof BlobError) throw E.copySource(e.status, e.message);
      throw e;
    }
    const b = this.container(parts.host, parts.container)?.get(parts.blob);
    const v = b && this.view(b, snapshot);
    if (!v) throw E.copySource(404, "The specified blob does not exist.");
    if (s.end >= v.size)
      throw E.copySource(416, "The range specified is invalid for the current size of the resource.");
    return b.store.read(s.start, s.end - s.start + 1, v.gen);
  }
}

function checkSize(n, max) {
  if (!(Number.isSafeInteger(n) && n >= 0 && n <= max && n % PAGE === 0))
    throw new RangeError(`size must be a multiple of ${PAGE} from 0 to ${max}, not ${n}`);
}

function checkAligned(offset, length, size) {
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0))
    throw new RangeError("offset and length must be non-negative integers");
  if (offset % PAGE !== 0 || length % PAGE !== 0)
    throw new RangeError(`offset and length must be multiples of ${PAGE}`);
  if (offset + length > size) throw new RangeError(`pages [${offset}, ${offset + length}) are beyond the size ${size}`);
}

/** Opaque paging markers: base64url of "pl1!<offset>". */
function encodeMarker(offset) {
  return Buffer.from(`pl1!${offset}`, "utf8").toString("base64url");
}
function decodeMarker(text) {
  const m = /^pl1!(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (!m) return null;
  const n = Number(m[1]);
  return n % PAGE === 0 ? n : null;
}

/** Read a body of at most `limit` bytes; past it the rest is drained (up to 2 × limit). */
async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) {
      if (size > 2 * limit) break;
      continue;
    }
    chunks.push(chunk);
  }
  if (size > limit) return { buf: Buffer.alloc(0), tooLarge: true };
  return { buf: Buffer.concat(chunks), tooLarge: false };
}

/** The blob service; see the top of this file for its API. */
export function createBlobService(opts = {}) {
  return new BlobService(opts);
}

export { XML_DECL };
