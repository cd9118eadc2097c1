// Shared helpers of the emulator tests: start an emulator, call it, poll operations, and compare
// JSON bodies by shape (keys and value types) rather than by value.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startEmulator } from "../../emulator/index.mjs";

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/azure");
export const API = "2025-01-02";
export const SUB0 = "00000000-0000-0000-0000-000000000000";
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(\+00:00|Z)$/;

export function fixture(rel) {
  return JSON.parse(readFileSync(path.join(FIXTURES, rel), "utf8"));
}

/** Start an emulator with test-friendly defaults; use with `t.after(() => emu.close())`. */
export async function start(opts = {}) {
  return startEmulator({ retryAfterSeconds: 0, logRequests: true, ...opts });
}

/** Call the emulator. `p` is a path (with or without api-version) or an absolute URL. */
export async function call(emu, method, p, { body, token = "test-token", headers = {}, api = API, raw } = {}) {
  let url = /^https?:/.test(p) ? p : `${emu.url}${p}`;
  if (api && !/[?&]api-version=/.test(url)) url += `${url.includes("?") ? "&" : "?"}api-version=${api}`;
  const h = { ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["content-type"] = "application/json";
  }
  const res = await fetch(url, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

export const rgPath = (sub, rg) => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const snapPath = (sub, rg, name) => `${rgPath(sub, rg)}/providers/Microsoft.Compute/snapshots/${name}`;
export const diskPath = (sub, rg, name) => `${rgPath(sub, rg)}/providers/Microsoft.Compute/disks/${name}`;

/** Follow an operation's Azure-AsyncOperation URL until it ends (bounded). */
export async function waitOperation(emu, res, maxPolls = 20) {
  const url = res.headers.get("azure-asyncoperation");
  if (!url) throw new Error("no Azure-AsyncOperation header");
  for (let i = 0; i < maxPolls; i++) {
    const r = await call(emu, "GET", url, { api: null });
    if (r.status !== 200) throw new Error(`poll answered ${r.status}: ${r.text}`);
    if (r.body.status !== "InProgress") return r.body;
  }
  throw new Error("operation did not end");
}

export async function createRg(emu, sub, name, location = "westeurope") {
  const r = await call(emu, "PUT", rgPath(sub, name), { body: { location }, api: "2021-04-01" });
  if (r.status !== 201 && r.status !== 200) throw new Error(`rg: ${r.status} ${r.text}`);
  return r.body;
}

export async function createDisk(
  emu,
  sub,
  rg,
  name,
  { location = "westeurope", sku = "Premium_LRS", sizeGB = 128, extra = {} } = {},
) {
  const r = await call(emu, "PUT", diskPath(sub, rg, name), {
    body: {
      location,
      tags: {},
      sku: { name: sku },
      properties: { creationData: { createOption: "Empty" }, diskSizeGB: sizeGB, ...extra },
    },
  });
  if (r.status === 200) return r.body; // the name existed: an update (ARM answers 200, no operation)
  if (r.status !== 202) throw new Error(`disk: ${r.status} ${r.text}`);
  const op = await waitOperation(emu, r);
  return op.properties.output;
}

export function snapshotBody(
  sourceId,
  { location = "westeurope", incremental = true, createOption = "Copy", sku } = {},
) {
  const body = { location, properties: { creationData: { createOption, sourceResourceId: sourceId }, incremental } };
  if (sku) body.sku = { name: sku };
  return body;
}

/** Create a snapshot and wait for its operation; returns the final resource. */
export async function createSnapshot(emu, sub, rg, name, sourceId, opts) {
  const r = await call(emu, "PUT", snapPath(sub, rg, name), { body: snapshotBody(sourceId, opts) });
  if (r.status !== 202) throw new Error(`snapshot ${name}: ${r.status} ${r.text}`);
  const op = await waitOperation(emu, r);
  return op.properties.output;
}

/** Shape of a JSON value: objects keep their keys, arrays the shape of their items, leaves their type. */
export function shape(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = shape(v[k]);
    return out;
  }
  return typeof v;
}

/** Keys of `a` (recursively) that `b` lacks or types differently; empty when a ⊆ b. */
export function missingKeys(a, b, at = "") {
  const out = [];
  if (a === null || typeof a !== "object") {
    const ta = a === null ? "null" : typeof a;
    const tb = b === null ? "null" : typeof b;
    if (ta !== tb) out.push(`${at}: ${ta} vs ${tb}`);
    return out;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return [`${at}: array vs ${typeof b}`];
    if (a.length && b.length) out.push(...missingKeys(a[0], b[0], `${at}[0]`));
    return out;
  }
  if (b === null || typeof b !== "object" || Array.isArray(b))
    return [`${at}: object vs ${b === null ? "null" : typeof b}`];
  for (const k of Object.keys(a)) {
    if (!(k in b)) out.push(`${at}.${k} missing`);
    else out.push(...missingKeys(a[k], b[k], `${at}.${k}`));
  }
  return out;
}

/**
 * Compare values as well as shapes: uuids and timestamps only need to be uuids and timestamps;
 * everything else must be equal. Returns a list of differences.
 */
export function valueDiffs(rec, emu, at = "") {
  const out = [];
  if (rec === null || typeof rec !== "object") {
    if (typeof rec === "string" && UUID_RE.test(rec)) {
      if (!UUID_RE.test(String(emu))) out.push(`${at}: '${emu}' is not a uuid`);
    } else if (typeof rec === "string" && TIME_RE.test(rec)) {
      if (!TIME_RE.test(String(emu))) out.push(`${at}: '${emu}' is not a timestamp`);
    } else if (rec !== emu) out.push(`${at}: recorded ${JSON.stringify(rec)}, emulator ${JSON.stringify(emu)}`);
    return out;
  }
  if (emu === null || typeof emu !== "object") return [`${at}: recorded object, emulator ${JSON.stringify(emu)}`];
  const keys = new Set([...Object.keys(rec), ...Object.keys(emu)]);
  for (const k of keys) {
    if (!(k in emu)) out.push(`${at}.${k} missing in emulator`);
    else if (!(k in rec)) out.push(`${at}.${k} not in recording`);
    else out.push(...valueDiffs(rec[k], emu[k], `${at}.${k}`));
  }
  return out;
}
