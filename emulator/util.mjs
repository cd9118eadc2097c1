// Small shared helpers for the ARM emulator: seeded PRNG and uuids, ARM-style timestamps,
// the ArmError type every handler throws, name and api-version rules, id parsing.
import { randomUUID } from "node:crypto";

/** An error that becomes an ARM error reply `{ error: { code, message, target?, details? } }`. */
export class ArmError extends Error {
  constructor(status, code, message, { target, details, headers } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target;
    this.details = details;
    this.headers = headers;
  }
  body() {
    const error = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** Deterministic PRNG (sfc32) seeded from a string: same seed, same sequence. */
export function makeRng(seedText) {
  let h = 1779033703 ^ String(seedText).length;
  const mix = [];
  const text = String(seedText);
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909 + k);
    mix.push((h ^= h >>> 16) >>> 0);
  }
  let [a, b, c, d] = mix;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    hex: (n) => {
      let s = "";
      for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
    lower: (n) => {
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(next() * 26));
      return s;
    },
    uuid: () => {
      const h = rng.hex(32).split("");
      h[12] = "4";
      h[16] = "89ab"[Math.floor(next() * 4)];
      const s = h.join("");
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
  return rng;
}

/** Random (non-deterministic) helpers used for resources created at run time. */
export const live = {
  uuid: () => randomUUID(),
  lower: (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(Math.random() * 26));
    return s;
  },
  digits: (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
    return s;
  },
};

/** ARM/Compute timestamp: 7 fractional digits and `+00:00`, e.g. 2023-11-06T03:59:15.0831857+00:00. */
export function armTime(ms, extra = 0) {
  const iso = new Date(ms).toISOString(); // 2023-11-06T03:59:15.083Z
  const frac = String(Math.abs(Math.trunc(extra)) % 10000).padStart(4, "0");
  return `${iso.slice(0, 23)}${frac}+00:00`;
}

/** Compute-style location: lower case, no spaces ("West US" → "westus"). */
export function normLocation(loc) {
  return String(loc).replace(/\s+/g, "").toLowerCase();
}

// Names -----------------------------------------------------------------------------------

const DISK_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;
const RG_NAME = /^[-\w.()]{1,90}$/;

export function validDiskOrSnapshotName(name) {
  return DISK_NAME.test(name);
}
export function validResourceGroupName(name) {
  return RG_NAME.test(name) && !name.endsWith(".");
}

// api-version -------------------------------------------------------------------------------

export const COMPUTE_API_VERSIONS = [
  "2019-03-01",
  "2019-07-01",
  "2019-11-01",
  "2020-05-01",
  "2020-06-30",
  "2020-09-30",
  "2020-12-01",
  "2021-04-01",
  "2021-08-01",
  "2021-12-01",
  "2022-03-02",
  "2022-07-02",
  "2023-01-02",
  "2023-04-02",
  "2023-10-02",
  "2024-03-02",
  "2025-01-02",
  "2026-03-02",
];

const DATE_VERSION = /^(\d{4}-\d{2}-\d{2})(-preview|-beta|-alpha|-privatepreview)?$/i;

/** Lenient check for non-Compute routes: any YYYY-MM-DD[-preview] on or after `min`. */
export function dateLikeVersionAtLeast(v, min) {
  const m = DATE_VERSION.exec(v || "");
  return Boolean(m) && m[1] >= min && !Number.isNaN(Date.parse(m[1]));
}

export function isComputeApiVersion(v) {
  return COMPUTE_API_VERSIONS.includes(v);
}

/** Compare two api-versions (YYYY-MM-DD prefixes). */
export function apiAtLeast(v, min) {
  return String(v || "").slice(0, 10) >= min;
}

// Resource ids -----------------------------------------------------------------------------

/**
 * Parse a Compute disk/snapshot id (leading `/` optional, any casing).
 * Returns { subscriptionId, resourceGroup, type: 'disks'|'snapshots', name } or null.
 */
export function parseComputeId(id) {
  if (typeof id !== "string") return null;
  const parts = id.replace(/^\/+/, "").replace(/\/+$/, "").split("/");
  if (parts.length !== 8) return null;
  const [s, sub, r, rg, p, ns, type, name] = parts;
  if (
    s.toLowerCase() !== "subscriptions" ||
    r.toLowerCase() !== "resourcegroups" ||
    p.toLowerCase() !== "providers" ||
    ns.toLowerCase() !== "microsoft.compute"
  )
    return null;
  const t = type.toLowerCase();
  if (t !== "disks" && t !== "snapshots")
    return { subscriptionId: sub, resourceGroup: rg, type: t, name, unsupported: true };
  if (!sub || !rg || !name) return null;
  return { subscriptionId: sub, resourceGroup: rg, type: t, name };
}

/** Key used for case-insensitive lookups of a resource. */
export function resourceKey(subscriptionId, resourceGroup, type, name) {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.compute/${type}/${name}`.toLowerCase();
}

export const GIB = 1073741824;

export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * JSON text as Compute writes it: `completionPercent` is a float on the wire (`0.0`, `100.0`).
 */
export function armJson(body) {
  return JSON.stringify(body).replace(/("completionPercent":)(-?\d+)(?=[,}])/g, "$1$2.0");
}
