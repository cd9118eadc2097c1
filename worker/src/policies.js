// Backup policies: a schedule, a selection of disks and a retention policy, run by the worker's
// service principal (sp.js) with no user present.
//
// - `PolicyStore` (one SQLite Durable Object, named "policies") holds the policies, the last
//   scheduled slot of each, and the run history reported by the runs.
// - The Cron Trigger (`runDue`) computes each enabled policy's current slot (its scheduled time),
//   lists the scope's disks with the principal's token, and hands each selected disk to
//   `PolicyRun`, one SQLite Durable Object per (policy, disk). A run is keyed by its slot: a repeated
//   or late tick for the same slot creates nothing twice.
// - A `PolicyRun` does one short step per alarm: create (tagged backup-policy / backup-run; a
//   snapshot already carrying the run's tag is adopted, never made again) → wait (provisioning and
//   completionPercent) → copy (CopyStart) → wait → retention (applyRetention on the disk's chain).
//   Before a write it checks the 7-per-5-minutes rule and the 500-per-disk limit (a chain near 500
//   gets retention first). 429 re-arms the alarm after Retry-After. Writes of one slot are spread
//   over POLICY_SPREAD_SECONDS by a deterministic delay per disk.
// - ARM's 401 to the principal's cached token (expired early, revoked) drops it: the listing or
//   the step runs once more with a new token.
// - Callers' tokens are used for the permission check of a request only and never stored; every
//   error text that is stored goes through `scrub` (the principal's secret, key and tokens).
import { DurableObject } from "cloudflare:workers";
import * as pkg from "../../pkg/workerd.js";
import { HttpError } from "./http.js";
import { armEndpoint, freeClient, makeClient, settings } from "./arm.js";
import { replicateBatch, scrub, secretsOf as targetSecretsOf } from "./replication.js";
import { dropToken, isUnauthorized, secretsOf, spToken } from "./sp.js";

export const EVERY_HOURS = [1, 2, 4, 6, 8, 12, 24];
export const POLICY_KEYS = ["scope", "disks", "schedule", "retention", "snapshotResourceGroup", "copy", "enabled"];
export const TAG_POLICY = "backup-policy";
export const TAG_RUN = "backup-run";
export const REQUIRED_ACTIONS = ["Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots/delete"];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const SCOPE_RE =
  /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\/resourceGroups\/([-\w.()]{1,90}))?$/;
const RG_RE = /^[-\w.()]{1,90}$/;
const LOCATION_RE = /^[a-z0-9]{2,40}$/;
const AT_RE = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const MAX_IDS = 500;
const MAX_TAGS = 10;
/** Disks one policy may select (a larger scope is cut and the cut reported). */
export const MAX_DISKS = 1000;
/** Azure's incremental snapshots per disk, and the count from which retention runs first. */
const DISK_LIMIT = 500;
const NEAR_LIMIT = 490;
/** Azure's rule: at most 7 incremental snapshots of a disk per 5 minutes. */
const BURST = 7;
const BURST_MS = 5 * 60_000;
const HOUR = 3_600_000;
/** Runs kept per policy in the history. */
const HISTORY_SLOTS = 100;
const MAX_ERRORS = 20;
const MAX_FAILURES = 5;
const MAX_THROTTLES = 50;

// ---- validation -----------------------------------------------------------------------------

function v(field, rule, message) {
  return { field, rule, message };
}

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

/** The policy name of a path: 400 unless 1-63 letters, digits, `_ . -` (starting with a letter or digit). */
export function policyName(raw) {
  if (typeof raw !== "string" || !NAME_RE.test(raw)) {
    throw new HttpError(
      400,
      "INVALID_ARGUMENT",
      "a policy name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit",
      { field: "name" },
    );
  }
  return raw;
}

/**
 * A PUT body read into a policy, or one 400 with every violation. `retention` is checked by the
 * package's planRetention (on an empty listing), so its rules stay in one place.
 */
export function validatePolicy(body) {
  const out = [];
  for (const k of Object.keys(body)) {
    if (!POLICY_KEYS.includes(k))
      out.push(v(String(k).slice(0, 40), "policy.unknown", `unknown property (known: ${POLICY_KEYS.join(", ")})`));
  }
  let scope = null;
  let subscriptionId = null;
  if (typeof body.scope !== "string") {
    out.push(
      v(
        "scope",
        "scope.required",
        "scope is required: /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}",
      ),
    );
  } else {
    const m = body.scope.match(SCOPE_RE);
    if (!m) {
      out.push(
        v("scope", "scope.format", "scope must be /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}"),
      );
    } else {
      subscriptionId = m[1].toLowerCase();
      scope = `/subscriptions/${subscriptionId}${m[2] ? `/resourceGroups/${m[2]}` : ""}`;
    }
  }
  const disks = {};
  if (!isObject(body.disks)) {
    out.push(v("disks", "disks.required", "disks is required: { tags: { name: value } } or { ids: [disk ids] }"));
  } else {
    const keys = Object.keys(body.disks);
    for (const k of keys)
      if (k !== "tags" && k !== "ids")
        out.push(v(`disks.${String(k).slice(0, 40)}`, "disks.unknown", "disks has tags or ids only"));
    if ("tags" in body.disks === "ids" in body.disks)
      out.push(v("disks", "disks.one", "disks needs exactly one of tags or ids"));
    if ("tags" in body.disks) {
      const t = body.disks.tags;
      if (!isObject(t) || Object.keys(t).length === 0 || Object.keys(t).length > MAX_TAGS) {
        out.push(v("disks.tags", "disks.tags", `disks.tags must be an object of 1-${MAX_TAGS} tags`));
      } else {
        for (const [name, value] of Object.entries(t)) {
          if (name === "" || name.length > 512 || typeof value !== "string" || value.length > 256)
            out.push(
              v(
                `disks.tags.${name.slice(0, 40)}`,
                "disks.tags.value",
                "each tag is a name (1-512) and a string value (0-256)",
              ),
            );
        }
        disks.tags = { ...t };
      }
    }
    if ("ids" in body.disks) {
      const ids = body.disks.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS) {
        out.push(v("disks.ids", "disks.ids", `disks.ids must be an array of 1-${MAX_IDS} disk ids`));
      } else {
        disks.ids = [];
        ids.forEach((id, i) => {
          const d = diskIdOrNull(id);
          if (!d) out.push(v(`disks.ids[${i}]`, "disks.ids.format", "not the ARM id of a managed disk"));
          else if (scope && !d.toLowerCase().startsWith(scope.toLowerCase() + "/"))
            out.push(v(`disks.ids[${i}]`, "disks.ids.scope", "the disk is not inside the policy's scope"));
          else disks.ids.push(d);
        });
      }
    }
  }
  let schedule = null;
  if (!isObject(body.schedule)) {
    out.push(v("schedule", "schedule.required", "schedule is required: { everyHours, at? }"));
  } else {
    for (const k of Object.keys(body.schedule))
      if (k !== "everyHours" && k !== "at")
        out.push(v(`schedule.${String(k).slice(0, 40)}`, "schedule.unknown", "schedule has everyHours and at only"));
    if (!EVERY_HOURS.includes(body.schedule.everyHours))
      out.push(v("schedule.everyHours", "schedule.everyHours", `everyHours must be one of ${EVERY_HOURS.join(", ")}`));
    const at = body.schedule.at ?? "00:00";
    if (typeof at !== "string" || !AT_RE.test(at))
      out.push(v("schedule.at", "schedule.at", "at must be HH:MM (UTC), 00:00-23:59"));
    schedule = { everyHours: body.schedule.everyHours, at };
  }
  let retention = null;
  if (!isObject(body.retention)) {
    out.push(
      v("retention", "retention.required", "retention is required: a planRetention policy such as { keepLast: 7 }"),
    );
  } else {
    try {
      pkg.planRetention([], body.retention);
      retention = { ...body.retention };
    } catch (err) {
      const list =
        Array.isArray(err?.violations) && err.violations.length
          ? err.violations
          : [{ field: "policy", rule: "policy", message: String(err?.message ?? err) }];
      for (const x of list)
        out.push(
          v(
            String(x.field ?? "policy").replace(/^policy/, "retention"),
            String(x.rule ?? "retention"),
            String(x.message),
          ),
        );
    }
  }
  let snapshotResourceGroup = null;
  if (body.snapshotResourceGroup !== undefined && body.snapshotResourceGroup !== null) {
    const rg = body.snapshotResourceGroup;
    if (typeof rg !== "string" || !RG_RE.test(rg) || rg.endsWith("."))
      out.push(
        v(
          "snapshotResourceGroup",
          "snapshotResourceGroup.format",
          "a resource group name (1-90 characters, not ending in '.')",
        ),
      );
    else snapshotResourceGroup = rg;
  }
  let copy = null;
  if (body.copy !== undefined && body.copy !== null) {
    if (!isObject(body.copy)) out.push(v("copy", "copy.format", "copy must be { location?, targetUrl? }"));
    else {
      for (const k of Object.keys(body.copy))
        if (k !== "location" && k !== "targetUrl")
          out.push(v(`copy.${String(k).slice(0, 40)}`, "copy.unknown", "copy has location and targetUrl only"));
      copy = {};
      if (body.copy.location === undefined && body.copy.targetUrl === undefined)
        out.push(v("copy", "copy.required", "copy needs location (CopyStart), targetUrl (differential copy) or both"));
      if (body.copy.location !== undefined) {
        if (typeof body.copy.location !== "string" || !LOCATION_RE.test(body.copy.location))
          out.push(v("copy.location", "copy.location", "copy.location must be a region name such as westeurope"));
        else copy.location = body.copy.location;
      }
      if (body.copy.targetUrl !== undefined) {
        const why = targetUrlProblem(body.copy.targetUrl);
        if (why) out.push(v("copy.targetUrl", why[0], `copy.targetUrl ${why[1]}`));
        else copy.targetUrl = body.copy.targetUrl;
        // one target blob holds one disk's chain
        if (!(isObject(body.disks) && Array.isArray(body.disks.ids) && body.disks.ids.length === 1))
          out.push(
            v("copy.targetUrl", "copy.targetUrl.oneDisk", "copy.targetUrl needs disks.ids with exactly one disk"),
          );
        // replicateSnapshots reads the chain in the disk's own resource group
        if (typeof body.snapshotResourceGroup === "string" && body.snapshotResourceGroup !== "") {
          const m = typeof body.scope === "string" ? body.scope.match(SCOPE_RE) : null;
          if (!m || !m[2] || m[2].toLowerCase() !== body.snapshotResourceGroup.toLowerCase())
            out.push(
              v(
                "copy.targetUrl",
                "copy.targetUrl.snapshotResourceGroup",
                "copy.targetUrl needs the snapshots in the disk's own resource group (no other snapshotResourceGroup)",
              ),
            );
        }
      }
    }
  }
  let enabled = true;
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== "boolean") out.push(v("enabled", "enabled.type", "enabled must be true or false"));
    else enabled = body.enabled;
  }
  if (out.length) {
    throw new HttpError(400, "INVALID_ARGUMENT", `${out.length} problem${out.length > 1 ? "s" : ""} with the policy`, {
      violations: out,
    });
  }
  return { scope, subscriptionId, disks, schedule, retention, snapshotResourceGroup, copy, enabled };
}

function diskIdOrNull(id) {
  if (typeof id !== "string") return null;
  try {
    const p = pkg.parseResourceId(id);
    if (String(p.resourceType).toLowerCase() !== "microsoft.compute/disks" || !p.resourceGroup) return null;
    return `/subscriptions/${String(p.subscriptionId).toLowerCase()}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Compute/disks/${p.name}`;
  } catch {
    return null;
  }
}

const MAX_TARGET_URL = 4096;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why `value` is not a target for a policy's differential copy ([rule, text]), or null: a page
 * blob SAS URL, https (or http on loopback, the emulator), no user or password, no fragment, a
 * `sig`, a container and a blob, not a blob snapshot, not the redacted form the worker shows.
 * No text repeats any part of the URL: it is a secret.
 */
export function targetUrlProblem(value) {
  if (typeof value !== "string" || value === "") return ["copy.targetUrl.type", "must be a page blob SAS URL"];
  if (value.length > MAX_TARGET_URL) return ["copy.targetUrl.length", `is longer than ${MAX_TARGET_URL} characters`];
  let url;
  try {
    url = new URL(value);
  } catch {
    return ["copy.targetUrl.format", "is not a URL"];
  }
  const ok = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!ok || url.username || url.password)
    return ["copy.targetUrl.https", "must be https (http only on loopback), without a user name or password"];
  if (url.hash) return ["copy.targetUrl.format", "must not have a fragment"];
  const sig = url.searchParams.get("sig");
  if (!sig) return ["copy.targetUrl.sas", "must be a SAS URL (with a sig)"];
  if (sig === REDACTED)
    return ["copy.targetUrl.redacted", "is the redacted form the worker shows: send the SAS URL itself"];
  if (url.pathname.split("/").filter(Boolean).length < 2)
    return ["copy.targetUrl.blob", "must name a container and a blob"];
  if (url.searchParams.has("snapshot")) return ["copy.targetUrl.blob", "must name a blob, not a blob snapshot"];
  return null;
}

export const REDACTED = "REDACTED";

/** A SAS URL as the worker shows it: its `sig` value replaced by REDACTED (the rest kept). */
export function redactUrl(value) {
  try {
    const u = new URL(value);
    if (u.searchParams.has("sig")) u.searchParams.set("sig", REDACTED);
    return u.href;
  } catch {
    return REDACTED;
  }
}

/** The policy as the API shows it: copy.targetUrl redacted. */
export function shownSpec(spec) {
  if (!spec?.copy?.targetUrl) return spec;
  return { ...spec, copy: { ...spec.copy, targetUrl: redactUrl(spec.copy.targetUrl) } };
}

/** Every secret form of a policy's target URL (for scrubbing texts that leave). */
const targetSecrets = (policy) => (policy?.copy?.targetUrl ? targetSecretsOf(policy.copy.targetUrl) : []);

/** The scopes the caller must be able to write and delete snapshots at. */
export function scopesOf(policy) {
  const scopes = [policy.scope];
  if (policy.snapshotResourceGroup) {
    const rg = `/subscriptions/${policy.subscriptionId}/resourceGroups/${policy.snapshotResourceGroup}`;
    if (rg.toLowerCase() !== policy.scope.toLowerCase()) scopes.push(rg);
  }
  return scopes;
}

// ---- the caller's permissions ---------------------------------------------------------------

function actionRe(pattern) {
  const esc = String(pattern)
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${esc}$`, "i");
}

/** Does a permissions listing allow `action` (some entry's actions match it and none of its notActions)? */
export function allows(entries, action) {
  return entries.some(
    (e) =>
      Array.isArray(e?.actions) &&
      e.actions.some((a) => actionRe(a).test(action)) &&
      !(Array.isArray(e.notActions) && e.notActions.some((a) => actionRe(a).test(action))),
  );
}

/**
 * Asks ARM, with the caller's own token, for their permissions at each scope; 403 unless they may
 * write and delete snapshots at every one. The token is used for these requests only.
 */
export async function requireAccess(env, token, scopes) {
  const origin = armEndpoint(env);
  for (const scope of scopes) {
    const entries = [];
    let url = `${origin}${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`;
    for (let page = 0; url && page < 10; page++) {
      let res;
      try {
        res = await fetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          signal: AbortSignal.timeout(settings(env).callMs),
        });
      } catch {
        throw new HttpError(502, "NETWORK", "ARM could not be reached for the caller's permissions");
      }
      let body = null;
      try {
        body = await res.json();
      } catch {
        /* below */
      }
      if (res.status === 401) throw new HttpError(401, "UNAUTHORIZED", "ARM refused the caller's token");
      if (res.status === 403) throw new HttpError(403, "FORBIDDEN", `the caller may not read permissions at ${scope}`);
      if (res.status === 404) throw new HttpError(404, "NOT_FOUND", `the scope ${scope} was not found`);
      if (res.status === 429) {
        const e = new HttpError(429, "THROTTLED", "ARM throttled the permission check");
        e.retryAfterMs = 1000 * (Number(res.headers.get("retry-after")) || 1);
        throw e;
      }
      if (!res.ok || !body || !Array.isArray(body.value))
        throw new HttpError(502, "ARM_ERROR", `ARM answered ${res.status} to the permission check`);
      entries.push(...body.value);
      url = typeof body.nextLink === "string" && body.nextLink.startsWith(origin + "/") ? body.nextLink : null;
    }
    const missing = REQUIRED_ACTIONS.filter((a) => !allows(entries, a));
    if (missing.length) {
      throw new HttpError(
        403,
        "FORBIDDEN",
        `the caller may not manage snapshots at ${scope} (missing ${missing.join(", ")})`,
        {
          scope,
          missing,
        },
      );
    }
  }
}

// ---- schedule -------------------------------------------------------------------------------

/** The latest slot (epoch ms) of `schedule` at or before `t`: every everyHours hours from `at`, UTC. */
export function slotAt(schedule, t) {
  const period = schedule.everyHours * HOUR;
  const [h, m] = String(schedule.at ?? "00:00")
    .split(":")
    .map(Number);
  const offset = ((h * 60 + m) * 60_000) % period;
  return Math.floor((t - offset) / period) * period + offset;
}

export function nextSlot(schedule, t) {
  return slotAt(schedule, t) + schedule.everyHours * HOUR;
}

export const runIdOf = (name, slot) => `${name}@${new Date(slot).toISOString().replace(/\.000Z$/, "Z")}`;

/** A small deterministic delay (ms) of one disk within a slot, below `spreadMs`. */
export function spreadDelay(name, diskId, spreadMs) {
  if (!(spreadMs > 0)) return 0;
  let h = 0x811c9dc5;
  for (const c of `${name}|${diskId.toLowerCase()}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % spreadMs;
}

export function policySettings(env) {
  const num = (x, d, min, max) => {
    const n = Number(x);
    return x !== undefined && x !== "" && Number.isFinite(n) && n >= min && n <= max ? n : d;
  };
  return {
    spreadMs: num(env?.POLICY_SPREAD_SECONDS, 600, 0, 3600) * 1000,
    pollMs: num(env?.POLICY_POLL_MS, 30_000, 50, 600_000),
    // one retention pass (its deletes, each a long-running operation); the next alarm goes on
    retentionMs: num(env?.POLICY_RETENTION_SECONDS, 240, 1, 840) * 1000,
  };
}

/** Does a disk (as ARM lists it) match the policy's selection? */
export function selects(policy, disk) {
  if (policy.disks.ids) return policy.disks.ids.some((id) => id.toLowerCase() === String(disk.id).toLowerCase());
  const tags = disk.tags ?? {};
  const byName = new Map(Object.entries(tags).map(([k, val]) => [k.toLowerCase(), val]));
  return Object.entries(policy.disks.tags).every(([k, val]) => byName.get(k.toLowerCase()) === val);
}

// ---- errors ---------------------------------------------------------------------------------

/** An error as a run records it: code, message and ARM's details, scrubbed of every secret. */
export function errorOf(err, secrets, step) {
  let e;
  if (err instanceof HttpError) e = { code: err.code, message: err.message };
  else if (err && typeof err === "object" && err.name === "AzureSnapshotsError") {
    e = { code: String(err.code), message: String(err.message ?? err.code) };
    if (err.armCode) e.armCode = String(err.armCode);
    if (Number.isInteger(err.status)) e.armStatus = err.status;
    if (err.requestId) e.requestId = String(err.requestId);
  } else e = { code: "INTERNAL", message: "the step failed unexpectedly" };
  if (step) e.step = step;
  e.at = new Date().toISOString();
  return scrub(e, secrets);
}

function retryAfterOf(err) {
  if (err && typeof err.retryAfterMs === "number" && err.retryAfterMs >= 0) return err.retryAfterMs;
  return null;
}

// ---- the store ------------------------------------------------------------------------------

const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS policy (
  name TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  last_slot INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS run (
  policy TEXT NOT NULL,
  slot INTEGER NOT NULL,
  disk TEXT NOT NULL,
  trigger TEXT NOT NULL,
  view TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (policy, slot, disk)
);
`;

export class PolicyStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => this.sql.exec(STORE_SCHEMA));
  }

  /** A policy as the API shows it (copy.targetUrl redacted: the SAS URL itself never leaves). */
  view(row) {
    return {
      name: row.name,
      ...shownSpec(JSON.parse(row.spec)),
      lastScheduledRun: row.last_slot ? new Date(row.last_slot).toISOString() : null,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async put(name, spec) {
    const now = Date.now();
    const old = this.sql.exec("SELECT name FROM policy WHERE name = ?", name).toArray()[0];
    if (old)
      this.sql.exec("UPDATE policy SET spec = ?, updated_at = ? WHERE name = ?", JSON.stringify(spec), now, name);
    else
      this.sql.exec(
        "INSERT INTO policy (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?)",
        name,
        JSON.stringify(spec),
        now,
        now,
      );
    return { created: !old, policy: await this.get(name) };
  }

  async get(name) {
    const row = this.sql.exec("SELECT * FROM policy WHERE name = ?", name).toArray()[0];
    return row ? this.view(row) : null;
  }

  /** The policy as stored, the target URL included: for the runs only, never for an answer. */
  async spec(name) {
    const row = this.sql.exec("SELECT * FROM policy WHERE name = ?", name).toArray()[0];
    return row ? { ...this.view(row), ...JSON.parse(row.spec) } : null;
  }

  async list() {
    return this.sql
      .exec("SELECT * FROM policy ORDER BY name LIMIT 1000")
      .toArray()
      .map((r) => this.view(r));
  }

  async remove(name) {
    const row = this.sql.exec("SELECT name FROM policy WHERE name = ?", name).toArray()[0];
    if (!row) return false;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM policy WHERE name = ?", name);
      this.sql.exec("DELETE FROM run WHERE policy = ?", name);
    });
    return true;
  }

  /** Marks `slot` as scheduled for the policy; false when it (or a later one) already was. */
  async claim(name, slot) {
    const row = this.sql.exec("SELECT last_slot FROM policy WHERE name = ?", name).toArray()[0];
    if (!row || row.last_slot >= slot) return false;
    this.sql.exec("UPDATE policy SET last_slot = ? WHERE name = ?", slot, name);
    return true;
  }

  /** A run's view of one disk (disk "" = the policy-level record of the slot), as the run reports it. */
  async record(policy, slot, disk, trigger, view) {
    if (!this.sql.exec("SELECT name FROM policy WHERE name = ?", policy).toArray()[0]) return false;
    this.sql.exec(
      "INSERT INTO run (policy, slot, disk, trigger, view, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy, slot, disk) DO UPDATE SET view = excluded.view, updated_at = excluded.updated_at",
      policy,
      slot,
      disk,
      trigger,
      JSON.stringify(view),
      Date.now(),
    );
    const old = this.sql
      .exec("SELECT DISTINCT slot FROM run WHERE policy = ? ORDER BY slot DESC LIMIT 1 OFFSET ?", policy, HISTORY_SLOTS)
      .toArray()[0];
    if (old) this.sql.exec("DELETE FROM run WHERE policy = ? AND slot <= ?", policy, old.slot);
    return true;
  }

  /** The history, newest run first: per run, its disks' records. */
  async runs(policy, limit = 20) {
    const slots = this.sql
      .exec("SELECT DISTINCT slot FROM run WHERE policy = ? ORDER BY slot DESC LIMIT ?", policy, limit)
      .toArray()
      .map((r) => r.slot);
    return slots.map((slot) => {
      const rows = this.sql
        .exec("SELECT * FROM run WHERE policy = ? AND slot = ? ORDER BY disk", policy, slot)
        .toArray();
      const top = rows.find((r) => r.disk === "");
      const disks = rows.filter((r) => r.disk !== "").map((r) => JSON.parse(r.view));
      const head = top ? JSON.parse(top.view) : {};
      const statuses = disks.map((d) => d.status);
      let status = "succeeded";
      if ((head.errors ?? []).length && !disks.length) status = "failed";
      else if (statuses.some((s) => s === "pending" || s === "running")) status = "running";
      else if (statuses.some((s) => s !== "succeeded")) status = "completedWithErrors";
      return {
        run: runIdOf(policy, slot),
        scheduledTime: new Date(slot).toISOString(),
        trigger: rows[0]?.trigger ?? null,
        status,
        ...(head.selected !== undefined ? { selected: head.selected } : {}),
        ...(head.missedSlots ? { missedSlots: head.missedSlots } : {}),
        errors: head.errors ?? [],
        disks,
      };
    });
  }
}

export function store(env) {
  const ns = env?.POLICY_STORE;
  if (!ns || typeof ns.idFromName !== "function") {
    throw new HttpError(501, "NOT_IMPLEMENTED", "policies need the POLICY_STORE Durable Object binding");
  }
  return ns.get(ns.idFromName("policies"));
}

function runStub(env, name, diskId) {
  const ns = env?.POLICY_RUNS;
  if (!ns || typeof ns.idFromName !== "function") {
    throw new HttpError(501, "NOT_IMPLEMENTED", "policies need the POLICY_RUNS Durable Object binding");
  }
  return ns.get(ns.idFromName(`${name}\n${diskId.toLowerCase()}`));
}

// ---- selecting and starting -----------------------------------------------------------------

/** The disks a policy selects now, listed with the principal's token: { disks, missing, cut }. */
export async function selectDisks(env, policy, token) {
  const client = makeClient(env, token);
  try {
    const all = await client.listDisks(policy.scope, { signal: AbortSignal.timeout(settings(env).callMs) });
    const picked = all.filter((d) => selects(policy, d));
    const missing = policy.disks.ids
      ? policy.disks.ids.filter((id) => !picked.some((d) => String(d.id).toLowerCase() === id.toLowerCase()))
      : [];
    return { disks: picked.slice(0, MAX_DISKS), missing, cut: Math.max(0, picked.length - MAX_DISKS) };
  } finally {
    freeClient(client);
  }
}

/**
 * Starts the runs of one slot: lists and selects the disks, then hands each to its PolicyRun.
 * Idempotent per slot (a PolicyRun ignores a slot it has). Records a policy-level error on failure.
 */
export async function startRuns(env, policy, slot, trigger, { missedSlots = [] } = {}) {
  const st = store(env);
  const { spreadMs } = policySettings(env);
  const head = { selected: 0, errors: [], ...(missedSlots.length ? { missedSlots } : {}) };
  let selection;
  try {
    let token = await spToken(env);
    try {
      selection = await selectDisks(env, policy, token);
    } catch (err) {
      // ARM refused the cached token (expired early, revoked): forget it and try once more
      if (!isUnauthorized(err)) throw err;
      const refused = token;
      dropToken(env, refused);
      token = await spToken(env);
      if (token === refused) throw err;
      selection = await selectDisks(env, policy, token);
    }
  } catch (err) {
    head.errors.push(errorOf(err, secretsOf(env), "select"));
    await st.record(policy.name, slot, "", trigger, head);
    return { ok: false, disks: [], errors: head.errors };
  }
  head.selected = selection.disks.length;
  for (const id of selection.missing)
    head.errors.push({ code: "NOT_FOUND", message: `the disk ${id} is not in the scope's listing`, step: "select" });
  if (selection.cut)
    head.errors.push({
      code: "LIMIT",
      message: `${selection.cut} more disks matched; at most ${MAX_DISKS} run`,
      step: "select",
    });
  await st.record(policy.name, slot, "", trigger, head);
  const started = [];
  for (const disk of selection.disks) {
    const delayMs = trigger === "schedule" ? spreadDelay(policy.name, disk.id, spreadMs) : 0;
    try {
      await runStub(env, policy.name, disk.id).start({
        policy,
        diskId: disk.id,
        slot,
        trigger,
        notBefore: slot + delayMs,
      });
      started.push(disk.id);
    } catch (err) {
      head.errors.push(errorOf(err, secretsOf(env), "start"));
    }
  }
  if (started.length < selection.disks.length) await st.record(policy.name, slot, "", trigger, head);
  return { ok: true, disks: started, errors: head.errors };
}

/** Missed slots recorded per run at most (the latest ones). */
export const MAX_MISSED = 48;

/**
 * The slots of `policy` that no tick started (the worker was down, the Cron Trigger paused):
 * those after the last scheduled one (or the policy's creation) and before `slot`, as ISO times,
 * oldest first, at most MAX_MISSED of the latest. They are not run: only the latest slot is.
 */
export function missedSlots(policy, slot) {
  const period = policy.schedule.everyHours * HOUR;
  const last = policy.lastScheduledRun ? Date.parse(policy.lastScheduledRun) : NaN;
  const created = policy.createdAt ? Date.parse(policy.createdAt) : NaN;
  const after = Number.isFinite(last) ? last : Number.isFinite(created) ? created : slot;
  const out = [];
  for (let t = slot - period; t > after && out.length < MAX_MISSED; t -= period) out.push(t);
  return out.reverse().map((t) => new Date(t).toISOString());
}

/** The Cron Trigger: every enabled policy whose current slot was not scheduled yet is started. */
export async function runDue(env, scheduledTime) {
  const st = store(env);
  const policies = await st.list();
  const results = [];
  for (const policy of policies) {
    if (!policy.enabled) continue;
    const slot = slotAt(policy.schedule, scheduledTime);
    if (policy.lastScheduledRun && Date.parse(policy.lastScheduledRun) >= slot) continue;
    const r = await startRuns(env, policy, slot, "schedule", { missedSlots: missedSlots(policy, slot) });
    if (r.ok) await st.claim(policy.name, slot);
    results.push({ policy: policy.name, slot, disks: r.disks.length });
  }
  return results;
}

/** What the next run would do: the disks selected, each one's snapshot, and retention as a dry run. */
export async function preview(env, policy, now = Date.now()) {
  const token = await spToken(env);
  const { disks, missing, cut } = await selectDisks(env, policy, token);
  const slot = nextSlot(policy.schedule, now);
  const client = makeClient(env, token);
  const out = [];
  try {
    for (const disk of disks.slice(0, 50)) {
      const entry = { disk: disk.id, create: createPlan(policy, disk, slot) };
      try {
        const r = await retainChain(policy, disk, client, AbortSignal.timeout(settings(env).callMs), {
          dryRun: true,
        });
        entry.retention = {
          keep: r.plan.chains.reduce((n, c) => n + c.keep.length, 0),
          remove: r.plan.chains.flatMap((c) =>
            c.remove.map((x) => ({ id: x.id, name: x.name, timeCreated: x.timeCreated })),
          ),
        };
      } catch (err) {
        entry.error = errorOf(err, [...secretsOf(env), token]);
      }
      out.push(entry);
    }
  } finally {
    freeClient(client);
  }
  return {
    policy: policy.name,
    nextRun: new Date(slot).toISOString(),
    selected: disks.length,
    disks: out,
    ...(disks.length > 50 ? { truncated: disks.length - 50 } : {}),
    ...(missing.length ? { missing } : {}),
    ...(cut ? { cut } : {}),
    note: "retention is planned on the chain as it is now (dry run: nothing deleted); the run plans again after its snapshot",
  };
}

/** yyyyMMdd-HHmmss of a slot, and -SSS when it has milliseconds (manual runs: one name each). */
function stamp(ms) {
  const base = new Date(ms).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return ms % 1000 ? `${base}-${String(ms % 1000).padStart(3, "0")}` : base;
}

function createPlan(policy, disk, slot) {
  const diskName = String(disk.name ?? String(disk.id).split("/").pop());
  const tags = { [TAG_POLICY]: policy.name, [TAG_RUN]: runIdOf(policy.name, slot) };
  const out = { name: `${diskName.slice(0, 55)}-bp-${stamp(slot)}`, tags };
  if (policy.snapshotResourceGroup) out.resourceGroup = policy.snapshotResourceGroup;
  return out;
}

// ---- one run per (policy, disk) -------------------------------------------------------------

const RUN_SCHEMA = `
CREATE TABLE IF NOT EXISTS run (
  slot INTEGER PRIMARY KEY,
  policy TEXT NOT NULL,
  disk TEXT NOT NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  step TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  snapshot TEXT,
  copy TEXT,
  deleted TEXT NOT NULL DEFAULT '[]',
  errors TEXT NOT NULL DEFAULT '[]',
  notes TEXT NOT NULL DEFAULT '[]',
  failures INTEGER NOT NULL DEFAULT 0,
  throttles INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE TABLE IF NOT EXISTS run_copy (
  slot INTEGER PRIMARY KEY,
  target_key TEXT,
  base TEXT,
  progress TEXT,
  replicated TEXT,
  error TEXT
);
CREATE TABLE IF NOT EXISTS copy_part (seq INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS copy_base (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  target_key TEXT NOT NULL,
  target TEXT NOT NULL,
  entry TEXT NOT NULL
);
`;
const KEEP_ENDED = 20;
/** Largest piece of a copy checkpoint in one row (a row holds at most 2 MB). */
const PART_CHARS = 512 * 1024;
const sameId = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

/** The target blob a SAS URL names (origin and path, no query): what a copy base belongs to. */
function blobKey(targetUrl) {
  const u = new URL(targetUrl);
  return `${u.origin.toLowerCase()}${u.pathname}`;
}

export class PolicyRun extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => this.sql.exec(RUN_SCHEMA));
    this.busy = false;
  }

  row(slot) {
    return this.sql.exec("SELECT * FROM run WHERE slot = ?", slot).toArray()[0] ?? null;
  }

  update(slot, fields) {
    const keys = Object.keys(fields);
    this.sql.exec(
      `UPDATE run SET ${keys.map((k) => `${k} = ?`).join(", ")}, updated_at = ? WHERE slot = ?`,
      ...keys.map((k) => fields[k]),
      Date.now(),
      slot,
    );
  }

  view(r) {
    const out = { disk: r.disk, status: r.status, step: r.step };
    if (r.snapshot) out.created = JSON.parse(r.snapshot);
    if (r.copy) out.copied = JSON.parse(r.copy);
    const rc = this.sql.exec("SELECT * FROM run_copy WHERE slot = ?", r.slot).toArray()[0];
    if (rc) {
      const rep = rc.replicated ? JSON.parse(rc.replicated) : { status: rc.error ? "failed" : "copying" };
      if (!rc.replicated && rc.progress) rep.progress = JSON.parse(rc.progress);
      out.replicated = rep;
    }
    out.deleted = JSON.parse(r.deleted);
    out.errors = JSON.parse(r.errors);
    const notes = JSON.parse(r.notes);
    if (notes.length) out.notes = notes;
    out.startedAt = new Date(r.created_at).toISOString();
    if (r.ended_at) out.endedAt = new Date(r.ended_at).toISOString();
    return out;
  }

  async report(slot) {
    const r = this.row(slot);
    if (!r) return true;
    try {
      return await store(this.env).record(r.policy, r.slot, r.disk, r.trigger, this.view(r));
    } catch {
      return true; // the history is informative; the run goes on
    }
  }

  /** Adds the run of `slot` (nothing when this disk already has that slot). */
  async start({ policy, diskId, slot, trigger, notBefore }) {
    const now = Date.now();
    const cur = this.sql.exec("SELECT slot FROM run WHERE slot = ?", slot).toArray()[0];
    if (cur) return { started: false };
    this.sql.exec(
      "INSERT INTO run (slot, policy, disk, trigger, status, step, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 'create', ?, ?, ?)",
      slot,
      policy.name,
      diskId,
      trigger,
      Math.max(now, notBefore),
      now,
      now,
    );
    this.prune();
    await this.report(slot);
    await this.arm();
    return { started: true };
  }

  prune() {
    const old = this.sql
      .exec(
        "SELECT slot FROM run WHERE status NOT IN ('pending', 'running') ORDER BY slot DESC LIMIT 1 OFFSET ?",
        KEEP_ENDED,
      )
      .toArray()[0];
    if (old) {
      this.sql.exec("DELETE FROM run WHERE status NOT IN ('pending', 'running') AND slot <= ?", old.slot);
      this.sql.exec("DELETE FROM run_copy WHERE slot NOT IN (SELECT slot FROM run)");
    }
  }

  /** When the next step is due: the oldest open run's time (runs go one at a time, in slot order). */
  nextTime() {
    const r = this.sql
      .exec("SELECT not_before FROM run WHERE status IN ('pending', 'running') ORDER BY slot LIMIT 1")
      .toArray()[0];
    return r ? r.not_before : null;
  }

  /** Sets the alarm for the next step (unless a step runs: it sets the alarm when it ends). */
  async arm() {
    const t = this.nextTime();
    if (t === null || this.busy) return;
    const cur = await this.ctx.storage.getAlarm();
    if (cur === null || cur > t) await this.ctx.storage.setAlarm(Math.max(Date.now(), t));
  }

  async alarm() {
    if (this.busy) return;
    this.busy = true;
    try {
      const r = this.sql
        .exec("SELECT * FROM run WHERE status IN ('pending', 'running') ORDER BY slot LIMIT 1")
        .toArray()[0];
      if (!r) return;
      if (r.not_before > Date.now()) return;
      await this.step(r);
      await this.report(r.slot);
    } catch (err) {
      console.error("policy run step failed", String(err?.code ?? "INTERNAL"));
    } finally {
      this.busy = false;
    }
    const t = this.nextTime();
    if (t !== null) await this.ctx.storage.setAlarm(Math.max(Date.now(), t));
  }

  end(r, status, fields = {}) {
    this.update(r.slot, { status, step: "done", ended_at: Date.now(), ...fields });
  }

  pushJson(r, column, value, max = MAX_ERRORS) {
    const list = JSON.parse(this.row(r.slot)[column]);
    list.push(value);
    return JSON.stringify(list.slice(-max));
  }

  /** One short step of the open run `r`. */
  async step(r) {
    const policy = await store(this.env).spec(r.policy);
    if (!policy) {
      this.end(r, "cancelled", { notes: this.pushJson(r, "notes", "the policy was deleted") });
      return;
    }
    if (r.status === "pending") this.update(r.slot, { status: "running" });
    let token = null;
    const client = { c: null };
    const signal = AbortSignal.timeout(settings(this.env).callMs);
    try {
      token = await spToken(this.env, { signal });
      client.c = makeClient(this.env, token);
      try {
        await this.stepWith(r, policy, client.c, signal, token);
      } catch (err) {
        // ARM refused the cached token (expired early, revoked): forget it and run the step once
        // more with a new one (every step is safe to repeat: create adopts its tagged snapshot)
        // (another run may have replaced the token already: then that newer one is used)
        if (!isUnauthorized(err)) throw err;
        const refused = token;
        dropToken(this.env, refused);
        freeClient(client.c);
        client.c = null;
        token = await spToken(this.env, { signal });
        if (token === refused) throw err;
        client.c = makeClient(this.env, token);
        await this.stepWith(this.row(r.slot), policy, client.c, signal, token);
      }
    } catch (err) {
      const e = errorOf(err, [...secretsOf(this.env), token, ...targetSecrets(policy)].filter(Boolean), r.step);
      const now = this.row(r.slot);
      const errors = this.pushJson(r, "errors", e);
      const wait = retryAfterOf(err);
      if (
        (e.code === "THROTTLED" || e.armStatus === 429 || (e.code === "SP_TOKEN" && wait !== null)) &&
        now.throttles < MAX_THROTTLES
      ) {
        this.update(r.slot, {
          errors,
          throttles: now.throttles + 1,
          not_before: Date.now() + Math.max(1000, wait ?? 30_000),
        });
      } else if (
        (["NETWORK", "TIMEOUT", "ABORTED", "SP_TOKEN"].includes(e.code) || (e.armStatus ?? 0) >= 500) &&
        now.failures + 1 < MAX_FAILURES
      ) {
        this.update(r.slot, {
          errors,
          failures: now.failures + 1,
          not_before: Date.now() + Math.min(300_000, 2000 * 2 ** now.failures),
        });
      } else {
        this.end(r, "failed", { errors });
      }
    } finally {
      if (client.c) freeClient(client.c);
    }
  }

  async stepWith(r, policy, c, signal, token) {
    if (r.step === "create") await this.create(r, policy, c, signal);
    else if (r.step === "replicate") await this.replicate(r, policy, c, signal, token);
    else if (r.step === "wait") await this.waitFor(r, policy, c, signal, "snapshot");
    else if (r.step === "copy") await this.copy(r, policy, c, signal);
    else if (r.step === "copywait") await this.waitFor(r, policy, c, signal, "copy");
    else if (r.step === "retention") await this.retention(r, policy, c, signal);
    else
      this.end(r, "failed", {
        errors: this.pushJson(r, "errors", { code: "INTERNAL", message: `unknown step ${r.step}` }),
      });
  }

  async create(r, policy, c, signal) {
    const disk = await c.getDisk(r.disk, { signal });
    const plan = createPlan(policy, disk, r.slot);
    const scope = otherGroupOf(policy, r.disk) ? "subscription" : "resourceGroup";
    let chain = await c.listIncrementalSnapshots(disk, { scope, signal });
    // A snapshot of this run already there (an earlier alarm made it and stopped): adopt it.
    const mine = chain.find((s) => s?.tags?.[TAG_RUN] === plan.tags[TAG_RUN]);
    if (mine) {
      this.update(r.slot, { snapshot: JSON.stringify({ id: mine.id, name: mine.name }), step: "wait", failures: 0 });
      return;
    }
    if (chain.length >= NEAR_LIMIT) {
      // Azure refuses a disk's 501st incremental snapshot: retention makes room first.
      const res = await this.retain(policy, disk, c);
      const deleted = JSON.parse(this.row(r.slot).deleted).concat(res.deleted);
      this.update(r.slot, {
        deleted: JSON.stringify(deleted),
        notes: this.pushJson(
          r,
          "notes",
          `retention ran first: the chain had ${chain.length} of ${DISK_LIMIT} snapshots; it deleted ${res.deleted.length}${res.complete ? "" : " (out of time: it goes on)"}`,
        ),
        ...(res.failed.length ? { errors: this.failedErrors(r, res.failed) } : {}),
      });
      if (!res.complete) return; // the next alarm lists the chain again
      chain = await c.listIncrementalSnapshots(disk, { scope, signal });
      if (chain.length >= DISK_LIMIT) {
        this.end(r, "failed", {
          errors: this.pushJson(r, "errors", {
            code: "SNAPSHOT_LIMIT",
            message: `the disk has ${chain.length} incremental snapshots (Azure's limit is ${DISK_LIMIT}) and retention removes none of them: no snapshot made`,
            step: "create",
            at: new Date().toISOString(),
          }),
        });
        return;
      }
    }
    const now = Date.now();
    const recent = chain
      .map((s) => Date.parse(s?.properties?.timeCreated ?? ""))
      .filter((t) => Number.isFinite(t) && now - t < BURST_MS)
      .sort((a, b) => a - b);
    if (recent.length >= BURST) {
      const at = recent[recent.length - BURST] + BURST_MS + 1000;
      this.update(r.slot, {
        not_before: at,
        notes: this.pushJson(
          r,
          "notes",
          `waiting for Azure's ${BURST} snapshots per 5 minutes rule until ${new Date(at).toISOString()}`,
        ),
      });
      return;
    }
    const opts = { name: plan.name, tags: plan.tags, wait: false, signal };
    if (plan.resourceGroup) opts.resourceGroup = plan.resourceGroup;
    const snap = await c.createIncrementalSnapshot(disk, opts);
    this.update(r.slot, { snapshot: JSON.stringify({ id: snap.id, name: snap.name }), step: "wait", failures: 0 });
  }

  /** The errors column with retention's failed deletes added. */
  failedErrors(r, failed) {
    let errors = JSON.parse(this.row(r.slot).errors);
    for (const f of failed)
      errors.push({ code: String(f.code), message: String(f.message), id: f.id, step: "retention" });
    return JSON.stringify(scrub(errors.slice(-MAX_ERRORS), secretsOf(this.env)));
  }

  /**
   * One retention pass within POLICY_RETENTION_SECONDS: `{ deleted, failed, complete }`. Past the
   * budget no further delete starts (`complete: false`, what was deleted is kept) and the caller's
   * step goes on at the next alarm; a hung call is cut a minute later (a failed step).
   */
  async retain(policy, disk, c) {
    const { retentionMs } = policySettings(this.env);
    const signal = AbortSignal.timeout(retentionMs + 60_000);
    return retainChain(policy, disk, c, signal, { deadline: Date.now() + retentionMs });
  }

  async waitFor(r, policy, c, signal, which) {
    const ref = JSON.parse(which === "copy" ? r.copy : r.snapshot);
    const snap = await c.getSnapshot(ref.id, { signal });
    const props = snap?.properties ?? {};
    const state = pkg.operationStatus(String(props.provisioningState ?? ""));
    const pct = typeof props.completionPercent === "number" ? props.completionPercent : null;
    if (state === "Failed" || props.copyCompletionError) {
      this.end(r, "failed", {
        errors: this.pushJson(r, "errors", {
          code: "OPERATION_FAILED",
          message: `the ${which} failed in Azure`,
          step: r.step,
        }),
      });
      return;
    }
    if (state === "Succeeded" && (pct === null || pct >= 100)) {
      const done = { ...ref, ...(pct !== null ? { completionPercent: pct } : {}) };
      const next = which === "snapshot" ? afterSnapshot(policy) : "retention";
      this.update(r.slot, { [which === "copy" ? "copy" : "snapshot"]: JSON.stringify(done), step: next, failures: 0 });
      return;
    }
    this.update(r.slot, { not_before: Date.now() + policySettings(this.env).pollMs });
  }

  async copy(r, policy, c, signal) {
    const src = JSON.parse(r.snapshot);
    const name = `${String(src.name).slice(0, 60)}-${policy.copy.location}`.slice(0, 80);
    const tags = { [TAG_POLICY]: policy.name, [TAG_RUN]: runIdOf(policy.name, r.slot) };
    let snap;
    try {
      snap = await c.copySnapshot(src.id, { location: policy.copy.location, name, tags, wait: false, signal });
    } catch (err) {
      // An earlier alarm's PUT landed and the step stopped before it was recorded: adopt that
      // copy when it carries this run's tag (never a second copy, never someone else's).
      if (err?.code !== "CONFLICT") throw err;
      const id = src.id.replace(/\/snapshots\/[^/]+$/i, `/snapshots/${name}`);
      const found = await c.getSnapshot(id, { signal }).catch(() => null);
      if (found?.tags?.[TAG_RUN] !== tags[TAG_RUN]) throw err;
      snap = found;
    }
    this.update(r.slot, {
      copy: JSON.stringify({ id: snap.id, name: snap.name, location: policy.copy.location }),
      step: "copywait",
      failures: 0,
    });
  }

  // ---- the differential copy (copy.targetUrl), through replication.js's replicateBatch ----

  readParts() {
    const parts = this.sql.exec("SELECT text FROM copy_part ORDER BY seq").toArray();
    return parts.length ? JSON.parse(parts.map((p) => p.text).join("")) : undefined;
  }

  saveParts(cp) {
    const text = JSON.stringify(cp);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM copy_part");
      for (let i = 0, seq = 0; i < text.length; i += PART_CHARS, seq++)
        this.sql.exec("INSERT INTO copy_part (seq, text) VALUES (?, ?)", seq, text.slice(i, i + PART_CHARS));
    });
  }

  /**
   * Copies the run's snapshot into the target page blob as the diff from the snapshot this disk's
   * last copy left there (the copy base: a replication checkpoint whose `replicated` is that one
   * snapshot), or in full when there is none (the first copy, or another target blob). The base
   * gone from the chain (deleted by hand) is COPY_BASE_MISSING: a diff from anything else would be
   * wrong, so nothing is copied until copy.targetUrl names a new blob. One bounded batch per alarm;
   * the checkpoint is kept between them.
   */
  async replicate(r, policy, c, signal, token) {
    const targetUrl = policy.copy.targetUrl;
    const secrets = targetSecrets(policy);
    const key = blobKey(targetUrl);
    const snap = JSON.parse(r.snapshot);
    this.sql.exec("INSERT INTO run_copy (slot) VALUES (?) ON CONFLICT (slot) DO NOTHING", r.slot);
    const rc = this.sql.exec("SELECT * FROM run_copy WHERE slot = ?", r.slot).toArray()[0];
    let checkpoint = this.readParts();
    let from;
    let base = rc.base ? JSON.parse(rc.base) : null;
    if (checkpoint !== undefined && rc.target_key !== key) {
      // copy.targetUrl names another blob since the last batch: that copy is dropped, this one starts
      this.sql.exec("DELETE FROM copy_part");
      checkpoint = undefined;
    }
    if (checkpoint === undefined) {
      const b = this.sql.exec("SELECT * FROM copy_base WHERE id = 1").toArray()[0];
      base = b && b.target_key === key ? JSON.parse(b.entry) : null;
      if (base) {
        const chain = await c.listIncrementalSnapshots(r.disk, { signal });
        if (!chain.some((x) => sameId(x.id, base.snapshotId))) {
          const e = {
            code: "COPY_BASE_MISSING",
            message: `the snapshot last copied to the target (${base.snapshotId}) is no longer in the disk's chain: a diff from another one would be wrong; point copy.targetUrl at a new blob`,
            step: "replicate",
            at: new Date().toISOString(),
          };
          this.sql.exec("UPDATE run_copy SET error = ? WHERE slot = ?", JSON.stringify(e), r.slot);
          this.update(r.slot, { errors: this.pushJson(r, "errors", e), step: afterReplicate(policy), failures: 0 });
          return;
        }
        checkpoint = { version: 1, target: JSON.parse(b.target), replicated: [base] };
      } else from = snap.id;
      this.sql.exec(
        "UPDATE run_copy SET base = ?, target_key = ? WHERE slot = ?",
        base ? JSON.stringify(base) : null,
        key,
        r.slot,
      );
    }
    let target = null;
    const out = await replicateBatch(this.env, token, {
      disk: r.disk,
      targetUrl,
      from,
      checkpoint,
      controller: new AbortController(),
      progress: rc.progress,
      onProgress: (p) =>
        this.sql.exec("UPDATE run_copy SET progress = ? WHERE slot = ?", JSON.stringify(scrub(p, secrets)), r.slot),
      onCheckpoint: (cp) => {
        target = cp.target;
        this.saveParts(cp);
      },
    });
    if (!out.done) {
      this.update(r.slot, { not_before: Date.now() + settings(this.env).batchGapMs });
      return;
    }
    const copied = out.replicated.filter((x) => !(base && sameId(x.snapshotId, base.snapshotId)));
    const last = out.replicated[out.replicated.length - 1];
    const view = scrub(
      {
        status: "succeeded",
        kind: base ? "diff" : "full",
        ...(base ? { from: base.snapshotId } : {}),
        snapshots: copied,
        copiedBytes: copied.reduce((n, x) => n + (x.copiedBytes ?? 0), 0),
        clearedBytes: copied.reduce((n, x) => n + (x.clearedBytes ?? 0), 0),
      },
      secrets,
    );
    this.ctx.storage.transactionSync(() => {
      if (last && target)
        this.sql.exec(
          "INSERT INTO copy_base (id, target_key, target, entry) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET target_key = excluded.target_key, target = excluded.target, entry = excluded.entry",
          key,
          JSON.stringify(target),
          JSON.stringify(last),
        );
      this.sql.exec("DELETE FROM copy_part");
      this.sql.exec("UPDATE run_copy SET replicated = ?, progress = NULL WHERE slot = ?", JSON.stringify(view), r.slot);
      this.update(r.slot, { step: afterReplicate(policy), failures: 0 });
    });
  }

  async retention(r, policy, c, signal) {
    const res = await this.retain(policy, r.disk, c);
    const deleted = JSON.parse(this.row(r.slot).deleted).concat(res.deleted);
    if (!res.complete) {
      // out of time: what was deleted is recorded, the next alarm plans and deletes the rest
      this.update(r.slot, { deleted: JSON.stringify(deleted), errors: this.failedErrors(r, res.failed) });
      return;
    }
    const copyFailed = this.sql
      .exec("SELECT error FROM run_copy WHERE slot = ? AND error IS NOT NULL", r.slot)
      .toArray();
    this.end(r, res.failed.length || copyFailed.length ? "completedWithErrors" : "succeeded", {
      deleted: JSON.stringify(deleted),
      errors: this.failedErrors(r, res.failed),
    });
  }
}

/**
 * Retention on one disk's chain, where the policy keeps its snapshots: the disk's resource group,
 * or `snapshotResourceGroup`. The disk's chain there (listIncrementalSnapshots, then that group's
 * snapshots only) is planned by the package's planRetention with `disks: [disk]` (its protections
 * apply; orphan chains are not listed, and a policy never deletes them anyway). It is planned
 * twice and only what both plans remove is deleted, one at a time, as applyRetention does; nothing
 * else in the group is ever planned or deleted. No delete starts after `deadline`
 * (`complete: false`). `dryRun`: the plan only.
 */
export async function retainChain(policy, disk, c, signal, { dryRun = false, deadline = Infinity } = {}) {
  if (typeof disk === "string" || !disk?.properties) disk = await c.getDisk(String(disk.id ?? disk), { signal });
  const other = otherGroupOf(policy, disk.id);
  const group = other ?? String(pkg.parseResourceId(disk.id).resourceGroup);
  const planned = async () => {
    // the disk's current chain, read by the package's scanner (only the items that name the
    // disk's uniqueId are read in full): in its own group, or across the subscription and then
    // the policy's group only (orphan chains are never deleted by a policy: no includeOrphans)
    const chain = await c.listIncrementalSnapshots(disk, { scope: other ? "subscription" : "resourceGroup", signal });
    const listing = chain.filter(
      (x) => String(pkg.parseResourceId(x.id).resourceGroup).toLowerCase() === group.toLowerCase(),
    );
    const plan = pkg.planRetention(listing, policy.retention, { disks: [disk] });
    const chains = plan.chains.filter((ch) => sameId(ch.sourceResourceId, disk.id));
    const ids = chains
      .flatMap((ch) => ch.remove.map((x) => x.id))
      .filter((id) => String(pkg.parseResourceId(id).resourceGroup).toLowerCase() === group.toLowerCase());
    return { plan: { chains }, ids };
  };
  const { plan, ids: first } = await planned();
  if (dryRun) return { plan, deleted: [], failed: [], complete: true };
  const fresh = new Set((first.length ? (await planned()).ids : []).map((id) => id.toLowerCase()));
  const deleted = [];
  const failed = [];
  for (const id of first) {
    if (!fresh.has(id.toLowerCase())) continue;
    if (Date.now() > deadline) return { plan, deleted, failed, complete: false };
    try {
      await c.deleteSnapshot(id, { signal });
      deleted.push(id);
    } catch (err) {
      if (err?.code === "ABORTED") throw err;
      failed.push({ id, code: String(err?.code ?? "INTERNAL"), message: String(err?.message ?? "delete failed") });
    }
  }
  return { plan, deleted, failed, complete: true };
}

/** The resource group of the policy's snapshots when it is not the disk's own, else null. */
function otherGroupOf(policy, diskId) {
  const rg = policy.snapshotResourceGroup;
  if (!rg) return null;
  return rg.toLowerCase() === String(pkg.parseResourceId(String(diskId)).resourceGroup).toLowerCase() ? null : rg;
}

/** The step after the snapshot is made: the differential copy, CopyStart, or retention. */
function afterSnapshot(policy) {
  if (policy.copy?.targetUrl) return "replicate";
  return afterReplicate(policy);
}

function afterReplicate(policy) {
  return policy.copy?.location ? "copy" : "retention";
}
