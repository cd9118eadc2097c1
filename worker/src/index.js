// Cloudflare Worker (module syntax): an HTTP API over the azure-incremental-snapshots package.
// It holds no secrets: every call that reaches ARM carries the caller's own bearer token, which is
// forwarded to the configured ARM endpoint only (ARM_ENDPOINT, default https://management.azure.com).
import * as pkg from "../../pkg/workerd.js";
import { version } from "../../pkg/package.json";
import openapi from "./openapi.json";
import { HttpError, corsHeaders, errorResponse, json, preflight, readJsonObject, toHttpError } from "./http.js";
import { armEndpoint, freeClient, makeClient, settings } from "./arm.js";
import { ReplicationJob } from "./replication.js";
import { postRestore, restoreStatus } from "./restore.js";
import {
  PolicyRun,
  PolicyStore,
  policyName,
  preview,
  requireAccess,
  runDue,
  scopesOf,
  startRuns,
  store,
  validatePolicy,
} from "./policies.js";
import { requirePrincipal } from "./sp.js";
import {
  bearerToken,
  flag,
  onlyQuery,
  operationToken,
  pathSegments,
  readOperationToken,
  resourceId,
  snapshotId,
  snapshotIdFromSegments,
  targetBlobUrl,
} from "./validate.js";

export { ReplicationJob, PolicyStore, PolicyRun };

/** Options of the package callers may not set in a body (the worker sets them, or they are not JSON). */
const RESERVED_OPTIONS = ["wait", "signal", "onProgress", "fetch", "token", "endpoint"];

export default {
  async fetch(request, env, ctx) {
    const requestId = crypto.randomUUID();
    let response;
    try {
      if (request.method === "OPTIONS") {
        response = preflight(request, env);
      } else {
        const route = match(request);
        response = await route.handler({ request, env, ctx, url: new URL(request.url), ...route });
      }
    } catch (err) {
      const e = toHttpError(err);
      if (e.status >= 500 && e.code === "INTERNAL")
        console.error("unhandled", err && err.stack ? err.stack : String(err));
      response = errorResponse(e);
    }
    const headers = new Headers(response.headers);
    headers.set("x-request-id", requestId);
    if (request.method !== "OPTIONS") for (const [k, v] of Object.entries(corsHeaders(request, env))) headers.set(k, v);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  },

  /** The Cron Trigger (wrangler.toml [triggers]): starts the due runs of every enabled policy. */
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      runDue(env, controller.scheduledTime).catch((err) =>
        console.error("scheduled policies failed", String(err?.code ?? "INTERNAL")),
      ),
    );
  },
};

// ---- routing ----------------------------------------------------------------------------------

const eq = (a, b) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** Finds the route of a request: 404 for unknown paths, 405 for known paths with another method. */
function match(request) {
  const segs = pathSegments(request.url);
  const method = request.method.toUpperCase();
  const found = find(segs);
  if (!found) throw new HttpError(404, "NOT_FOUND", "no such route (see GET /v1/openapi.json)");
  const handler = found.methods[method];
  if (!handler) {
    const allow = [...Object.keys(found.methods), "OPTIONS"].join(", ");
    throw Object.assign(new HttpError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed here (allowed: ${allow})`), {
      headers: { allow },
    });
  }
  return { handler, params: found.params };
}

function find(s) {
  if (!eq(s[0], "v1")) return null;
  if (s.length === 2 && s[1] === "health") return { methods: { GET: health }, params: {} };
  if (s.length === 2 && s[1] === "openapi.json") return { methods: { GET: openapiDoc }, params: {} };
  if (s.length === 2 && s[1] === "templates") return { methods: { POST: postTemplate }, params: {} };
  if (s.length === 3 && s[1] === "operations") return { methods: { GET: operationStatus }, params: { token: s[2] } };
  if (s.length === 8 && eq(s[1], "subscriptions") && eq(s[3], "resourceGroups") && eq(s[5], "disks")) {
    const params = { subscriptionId: s[2], resourceGroup: s[4], disk: s[6] };
    if (s[7] === "incremental-snapshots") return { methods: { GET: listSnapshots, POST: createSnapshot }, params };
    if (s[7] === "snapshot-template") return { methods: { GET: diskTemplate }, params };
    return null;
  }
  if (s[1] === "restores" && s.length === 2) return { methods: { POST: (ctx) => postRestore(ctx, pkg) }, params: {} };
  if (s[1] === "restores" && s.length === 3)
    return { methods: { GET: (ctx) => restoreStatus(ctx, pkg) }, params: { token: s[2] } };
  if (s[1] === "replications") {
    if (s.length === 2) return { methods: { POST: postReplication }, params: {} };
    if (s.length === 3) return { methods: { GET: getReplication, DELETE: cancelReplication }, params: { job: s[2] } };
    if (s.length === 4 && s[3] === "resume") return { methods: { POST: resumeReplication }, params: { job: s[2] } };
    return null;
  }
  if (s[1] === "policies") {
    if (s.length === 2) return { methods: { GET: listPolicies }, params: {} };
    if (s.length === 3)
      return { methods: { GET: getPolicy, PUT: putPolicy, DELETE: deletePolicy }, params: { name: s[2] } };
    if (s.length === 4 && s[3] === "runs") return { methods: { GET: policyRuns }, params: { name: s[2] } };
    if (s.length === 4 && s[3] === "run") return { methods: { POST: runPolicy }, params: { name: s[2] } };
    if (s.length === 4 && s[3] === "preview") return { methods: { POST: previewPolicy }, params: { name: s[2] } };
    return null;
  }
  if (s.length >= 3 && s[1] === "snapshots") {
    const rest = s.slice(2);
    if (rest[rest.length - 1] === "copy" && rest.length === 9)
      return { methods: { POST: copySnapshot }, params: { idSegments: rest.slice(0, -1) } };
    if (rest[rest.length - 1] === "changes" && rest.length === 9)
      return { methods: { GET: snapshotChanges }, params: { idSegments: rest.slice(0, -1) } };
    return { methods: { DELETE: deleteSnapshot }, params: { idSegments: rest } };
  }
  return null;
}

// ---- shared helpers ---------------------------------------------------------------------------

/** An ArmClient with the caller's token (see arm.js: ARM requests to the endpoint only). */
function armClient(ctx, opts) {
  return makeClient(ctx.env, bearerToken(ctx.request), opts);
}

/** Runs `fn(client, signal)` with a bounded signal; ABORTED from that bound becomes TIMEOUT 504. */
async function withArm(ctx, ms, fn, opts) {
  const client = armClient(ctx, opts);
  const signal = AbortSignal.timeout(ms);
  try {
    return await fn(client, signal);
  } catch (err) {
    if (signal.aborted && err && err.code === "ABORTED") {
      throw new HttpError(504, "TIMEOUT", `ARM did not answer within ${Math.round(ms / 1000)} s`);
    }
    throw err;
  } finally {
    freeClient(client);
  }
}

function diskIdOf(ctx) {
  return resourceId(pkg, {
    subscriptionId: ctx.params.subscriptionId,
    resourceGroup: ctx.params.resourceGroup,
    type: "disks",
    name: ctx.params.disk,
  });
}

/** A create/copy body: buildSnapshotConfig options; the worker's own options are refused (400). */
function options(body) {
  for (const k of RESERVED_OPTIONS) {
    if (Object.prototype.hasOwnProperty.call(body, k)) {
      const hint = k === "wait" ? " (use the ?wait=true query parameter)" : "";
      throw new HttpError(400, "INVALID_ARGUMENT", `'${k}' cannot be set in the body${hint}`, { field: k });
    }
  }
  return body;
}

function statusPath(id, kind) {
  return `/v1/operations/${operationToken(id, kind)}`;
}

function accepted(ctx, snapshot, id, kind) {
  const status = statusPath(id, kind);
  return json({ snapshot, status }, 202, {
    location: new URL(status, ctx.url).href,
    "retry-after": String(settings(ctx.env).retryAfter),
  });
}

function requireFunction(name) {
  const fn = pkg[name];
  if (typeof fn !== "function") throw new HttpError(501, "NOT_IMPLEMENTED", `this build of the package has no ${name}`);
  return fn;
}

function packageCall(fn) {
  try {
    return fn();
  } catch (err) {
    throw toHttpError(err);
  }
}

// ---- handlers ---------------------------------------------------------------------------------

function health() {
  return json({ ok: true, version });
}

function openapiDoc() {
  return json(openapi);
}

async function listSnapshots(ctx) {
  onlyQuery(ctx.url, ["scope", "include"]);
  const scope = ctx.url.searchParams.get("scope") ?? "resourceGroup";
  if (scope !== "resourceGroup" && scope !== "subscription") {
    throw new HttpError(400, "INVALID_ARGUMENT", "scope must be resourceGroup or subscription", { field: "scope" });
  }
  const include = (ctx.url.searchParams.get("include") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of include) {
    if (i !== "chains")
      throw new HttpError(400, "INVALID_ARGUMENT", "include may only be 'chains'", { field: "include" });
  }
  const diskId = diskIdOf(ctx);
  return withArm(ctx, settings(ctx.env).callMs, async (client, signal) => {
    const disk = await client.getDisk(diskId, { signal });
    if (!include.includes("chains")) {
      const snapshots = await client.listIncrementalSnapshots(disk, { scope, signal });
      return json({ disk, snapshots });
    }
    const { subscriptionId, resourceGroup } = ctx.params;
    const scopeId =
      scope === "subscription"
        ? `/subscriptions/${subscriptionId}`
        : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
    const listing = await client.listSnapshots(scopeId, { signal });
    // One pass: the report carries the disk's own chain (filterIncrementalSnapshots' answer).
    const chains = packageCall(() => pkg.groupSnapshotChains(listing, { disks: [disk] }));
    const snapshots = chains.disks[0].snapshots;
    return json({ disk, snapshots, chains });
  });
}

/** Shared by create and copy: submit, or wait within the platform's time and fall back to 202. */
async function submit(ctx, kind, start) {
  const wait = flag(ctx.url, "wait");
  const s = settings(ctx.env);
  const client = armClient(ctx);
  const ms = wait ? s.waitMs : s.callMs;
  const signal = AbortSignal.timeout(ms);
  let id = null;
  const onProgress = (p) => {
    if (p && typeof p.id === "string") id = p.id;
  };
  try {
    const snapshot = await start(client, { wait, signal, onProgress });
    const snapId = snapshot?.id ?? id;
    if (!wait) return accepted(ctx, snapshot, snapId, kind);
    const status = statusPath(snapId, kind);
    return json({ snapshot, status }, 201, { location: new URL(status, ctx.url).href });
  } catch (err) {
    if (signal.aborted && err && err.code === "ABORTED") {
      if (!wait || !id) throw new HttpError(504, "TIMEOUT", `ARM did not answer within ${Math.round(ms / 1000)} s`);
      // Still running: hand back the status URL, with the snapshot as ARM shows it now.
      let snapshot = { id };
      try {
        snapshot = await client.getSnapshot(id, { signal: AbortSignal.timeout(3000) });
      } catch {
        /* the status URL will tell */
      }
      return accepted(ctx, snapshot, id, kind);
    }
    throw err;
  } finally {
    freeClient(client);
  }
}

async function createSnapshot(ctx) {
  onlyQuery(ctx.url, ["wait"]);
  flag(ctx.url, "wait");
  const diskId = diskIdOf(ctx);
  bearerToken(ctx.request);
  const body = options(await readJsonObject(ctx.request));
  return submit(ctx, "create", (client, extra) => client.createIncrementalSnapshot(diskId, { ...body, ...extra }));
}

async function copySnapshot(ctx) {
  onlyQuery(ctx.url, ["wait"]);
  flag(ctx.url, "wait");
  const id = snapshotIdFromSegments(pkg, ctx.params.idSegments);
  bearerToken(ctx.request);
  const body = options(await readJsonObject(ctx.request));
  if (typeof body.location !== "string" || body.location === "") {
    throw new HttpError(400, "INVALID_ARGUMENT", "location (the target region) is required", { field: "location" });
  }
  return submit(ctx, "copy", (client, extra) => client.copySnapshot(id, { ...body, ...extra }));
}

async function deleteSnapshot(ctx) {
  onlyQuery(ctx.url, []);
  const id = snapshotIdFromSegments(pkg, ctx.params.idSegments);
  return withArm(ctx, settings(ctx.env).callMs, async (client, signal) => {
    const { deleted } = await client.deleteSnapshot(id, { signal });
    return json({ deleted, id });
  });
}

async function operationStatus(ctx) {
  onlyQuery(ctx.url, []);
  const { id, kind } = readOperationToken(pkg, ctx.params.token);
  return withArm(ctx, settings(ctx.env).callMs, async (client, signal) => {
    const snapshot = await client.getSnapshot(id, { signal });
    const props = snapshot?.properties ?? {};
    const state = String(props.provisioningState ?? "");
    const percent = typeof props.completionPercent === "number" ? props.completionPercent : null;
    let status;
    const read = pkg.operationStatus(state);
    if (read === "Failed" || props.copyCompletionError) status = "Failed";
    else if (read === "Succeeded" && (percent === null || percent >= 100)) status = "Succeeded";
    else status = "InProgress";
    const body = { status, kind, provisioningState: state || null, completionPercent: percent, snapshot };
    if (props.copyCompletionError) body.error = props.copyCompletionError;
    if (status !== "InProgress") return json(body, 200);
    return json(body, 202, {
      "retry-after": String(settings(ctx.env).retryAfter),
      location: ctx.url.href,
    });
  });
}

async function diskTemplate(ctx) {
  onlyQuery(ctx.url, ["parameters", "apiVersion"]);
  const parameters = flag(ctx.url, "parameters");
  const apiVersion = ctx.url.searchParams.get("apiVersion");
  const diskId = diskIdOf(ctx);
  const build = requireFunction(parameters ? "buildTemplateParameters" : "buildSnapshotTemplate");
  return withArm(ctx, settings(ctx.env).callMs, async (client, signal) => {
    const disk = await client.getDisk(diskId, { signal });
    const opts = { disk };
    if (apiVersion !== null) opts.apiVersion = apiVersion;
    return json(packageCall(() => build(opts)));
  });
}

async function postTemplate(ctx) {
  onlyQuery(ctx.url, ["parameters"]);
  const parameters = flag(ctx.url, "parameters");
  const build = requireFunction(parameters ? "buildTemplateParameters" : "buildSnapshotTemplate");
  // TemplateOptions as JSON; the package refuses unknown keys and broken rules (400).
  const body = await readJsonObject(ctx.request);
  return json(packageCall(() => build(body)));
}

// ---- differential copy ------------------------------------------------------------------------

/** The pages that differ between a snapshot and an older one of its family (or all of its pages). */
async function snapshotChanges(ctx) {
  onlyQuery(ctx.url, ["since", "ranges"]);
  const withRanges = flag(ctx.url, "ranges");
  const id = snapshotIdFromSegments(pkg, ctx.params.idSegments);
  const since = olderSnapshot(ctx, id);
  bearerToken(ctx.request);
  return withArm(
    ctx,
    settings(ctx.env).callMs,
    async (client, signal) => {
      if (typeof client.getSnapshotChanges !== "function") {
        throw new HttpError(501, "NOT_IMPLEMENTED", "this build of the package has no getSnapshotChanges");
      }
      const c = await client.getSnapshotChanges(id, since ?? undefined, { signal });
      const ranges = Array.isArray(c?.ranges) ? c.ranges : [];
      const body = {
        snapshot: id,
        since,
        contentLength: c.contentLength,
        changedBytes: c.changedBytes,
        clearedBytes: c.clearedBytes,
        rangeCount: ranges.length,
      };
      if (withRanges) body.ranges = ranges.map((r) => ({ start: r.start, end: r.end, cleared: Boolean(r.cleared) }));
      return json(body);
    },
    { blob: true },
  );
}

/** `?since=`: a snapshot name in the newer one's resource group, or a snapshot id; null when absent. */
function olderSnapshot(ctx, newerId) {
  const raw = ctx.url.searchParams.get("since");
  if (raw === null) return null;
  if (raw === "") throw new HttpError(400, "INVALID_ARGUMENT", "since must name a snapshot", { field: "since" });
  if (raw.startsWith("/")) return snapshotId(pkg, raw);
  const parsed = pkg.parseResourceId(newerId);
  return resourceId(pkg, {
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    type: "snapshots",
    name: raw,
  });
}

const JOB_ID_RE = /^[0-9a-f]{64}$/;
const REPLICATION_KEYS = ["disk", "targetUrl", "from"];

function replications(env) {
  const ns = env?.REPLICATIONS;
  if (!ns || typeof ns.idFromString !== "function") {
    throw new HttpError(501, "NOT_IMPLEMENTED", "replications need the REPLICATIONS Durable Object binding");
  }
  return ns;
}

/** The job's Durable Object; 404 for anything that is not an id this namespace made. */
function jobStub(ctx) {
  const ns = replications(ctx.env);
  const notFound = () => new HttpError(404, "NOT_FOUND", "no such replication job");
  const id = ctx.params.job;
  if (!JOB_ID_RE.test(id)) throw notFound();
  let doId;
  try {
    doId = ns.idFromString(id);
  } catch {
    throw notFound();
  }
  return ns.get(doId);
}

function jobPath(id) {
  return `/v1/replications/${id}`;
}

/** The caller's token may read the job's disk (asked of ARM): who may see or steer a job. */
async function authorizeDisk(ctx, disk) {
  return withArm(ctx, settings(ctx.env).callMs, (client, signal) => client.getDisk(disk, { signal }));
}

function jobResponse(ctx, job, status = 200) {
  const headers = {};
  if (job.status === "running") headers["retry-after"] = String(settings(ctx.env).retryAfter);
  return json(job, status, headers);
}

async function postReplication(ctx) {
  onlyQuery(ctx.url, []);
  const ns = replications(ctx.env);
  const token = bearerToken(ctx.request);
  if (typeof pkg.ArmClient.prototype.replicateSnapshots !== "function") {
    throw new HttpError(501, "NOT_IMPLEMENTED", "this build of the package has no replicateSnapshots");
  }
  const body = await readJsonObject(ctx.request);
  for (const k of Object.keys(body)) {
    if (!REPLICATION_KEYS.includes(k)) {
      throw new HttpError(
        400,
        "INVALID_ARGUMENT",
        `unknown property '${String(k).slice(0, 40)}' (known: disk, targetUrl, from)`,
        {
          field: String(k).slice(0, 40),
        },
      );
    }
  }
  if (typeof body.disk !== "string" || body.disk === "") {
    throw new HttpError(400, "INVALID_ARGUMENT", "disk (the ARM id of a managed disk) is required", { field: "disk" });
  }
  const parsed = (() => {
    try {
      return pkg.parseResourceId(body.disk);
    } catch {
      throw new HttpError(400, "INVALID_RESOURCE_ID", "disk is not the ARM id of a managed disk", { field: "disk" });
    }
  })();
  if (String(parsed.resourceType).toLowerCase() !== "microsoft.compute/disks" || !parsed.resourceGroup) {
    throw new HttpError(400, "INVALID_RESOURCE_ID", "disk is not the ARM id of a managed disk", { field: "disk" });
  }
  const disk = resourceId(pkg, {
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    type: "disks",
    name: parsed.name,
  });
  const targetUrl = targetBlobUrl(body.targetUrl, armEndpoint(ctx.env));
  let from;
  if (body.from !== undefined && body.from !== null) {
    if (typeof body.from !== "string")
      throw new HttpError(400, "INVALID_ARGUMENT", "from must be a snapshot id", { field: "from" });
    from = snapshotId(pkg, body.from);
  }
  // Ask ARM, with the caller's token, before anything is stored: the disk exists and they may read it.
  await authorizeDisk(ctx, disk);
  const stub = ns.get(ns.newUniqueId());
  const { job } = await stub.start({ disk, targetUrl, from, token });
  const statusUrl = jobPath(job.id);
  return json({ id: job.id, status: job.status, statusUrl }, 202, {
    location: new URL(statusUrl, ctx.url).href,
    "retry-after": String(settings(ctx.env).retryAfter),
  });
}

/** The job, after the caller's token was shown to read its disk. */
async function readJob(ctx, stub) {
  bearerToken(ctx.request);
  const job = await stub.status();
  if (!job) throw new HttpError(404, "NOT_FOUND", "no such replication job");
  await authorizeDisk(ctx, job.disk);
  return job;
}

async function getReplication(ctx) {
  onlyQuery(ctx.url, []);
  bearerToken(ctx.request);
  const stub = jobStub(ctx);
  const job = await readJob(ctx, stub);
  return jobResponse(ctx, job);
}

async function cancelReplication(ctx) {
  onlyQuery(ctx.url, []);
  bearerToken(ctx.request);
  const stub = jobStub(ctx);
  await readJob(ctx, stub);
  const r = await stub.cancel();
  if (!r) throw new HttpError(404, "NOT_FOUND", "no such replication job");
  if (r.ended && r.job.status !== "cancelled") {
    throw new HttpError(409, "CONFLICT", `the job has ended (${r.job.status})`, { jobStatus: r.job.status });
  }
  return jobResponse(ctx, r.job);
}

async function resumeReplication(ctx) {
  onlyQuery(ctx.url, []);
  const token = bearerToken(ctx.request);
  const stub = jobStub(ctx);
  await readJob(ctx, stub);
  const r = await stub.resume(token);
  if (!r) throw new HttpError(404, "NOT_FOUND", "no such replication job");
  if (r.ended) throw new HttpError(409, "CONFLICT", `the job has ended (${r.job.status})`, { jobStatus: r.job.status });
  return jobResponse(ctx, r.job, 202);
}

// ---- backup policies (worker/src/policies.js) --------------------------------------------------

/** The stored policy the caller may manage (ARM says so for its scopes, with their own token). */
async function managedPolicy(ctx) {
  const token = bearerToken(ctx.request);
  const name = policyName(ctx.params.name);
  const policy = await store(ctx.env).get(name);
  if (!policy) throw new HttpError(404, "NOT_FOUND", "no such policy");
  await requireAccess(ctx.env, token, scopesOf(policy));
  return policy;
}

async function putPolicy(ctx) {
  onlyQuery(ctx.url, []);
  const token = bearerToken(ctx.request);
  const name = policyName(ctx.params.name);
  const body = await readJsonObject(ctx.request);
  const spec = validatePolicy(body);
  await requireAccess(ctx.env, token, scopesOf(spec));
  const { created, policy } = await store(ctx.env).put(name, spec);
  return json(policy, created ? 201 : 200, created ? { location: new URL(`/v1/policies/${name}`, ctx.url).href } : {});
}

async function listPolicies(ctx) {
  onlyQuery(ctx.url, []);
  const token = bearerToken(ctx.request);
  const all = await store(ctx.env).list();
  // Only the policies whose scopes the caller may manage; one permission check per scope.
  const verdict = new Map();
  const out = [];
  for (const p of all) {
    let ok = true;
    for (const scope of scopesOf(p)) {
      const key = scope.toLowerCase();
      if (!verdict.has(key)) {
        if (verdict.size >= 50) {
          verdict.set(key, false);
        } else {
          try {
            await requireAccess(ctx.env, token, [scope]);
            verdict.set(key, true);
          } catch (err) {
            if (err instanceof HttpError && (err.status === 403 || err.status === 404)) verdict.set(key, false);
            else throw err;
          }
        }
      }
      ok = ok && verdict.get(key);
    }
    if (ok) out.push(p);
  }
  return json({ policies: out });
}

async function getPolicy(ctx) {
  onlyQuery(ctx.url, []);
  return json(await managedPolicy(ctx));
}

async function deletePolicy(ctx) {
  onlyQuery(ctx.url, []);
  const policy = await managedPolicy(ctx);
  await store(ctx.env).remove(policy.name);
  return json({ deleted: true, name: policy.name });
}

async function policyRuns(ctx) {
  onlyQuery(ctx.url, ["limit"]);
  const raw = ctx.url.searchParams.get("limit");
  const limit = raw === null ? 20 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new HttpError(400, "INVALID_ARGUMENT", "limit must be an integer 1-100", { field: "limit" });
  }
  const policy = await managedPolicy(ctx);
  return json({ policy: policy.name, runs: await store(ctx.env).runs(policy.name, limit) });
}

async function runPolicy(ctx) {
  onlyQuery(ctx.url, []);
  const policy = await managedPolicy(ctx);
  requirePrincipal(ctx.env);
  const slot = Date.now();
  const r = await startRuns(ctx.env, policy, slot, "manual");
  const path = `/v1/policies/${policy.name}/runs`;
  return json(
    { policy: policy.name, scheduledTime: new Date(slot).toISOString(), disks: r.disks, errors: r.errors, runs: path },
    r.ok ? 202 : 502,
    { location: new URL(path, ctx.url).href },
  );
}

async function previewPolicy(ctx) {
  onlyQuery(ctx.url, []);
  const policy = await managedPolicy(ctx);
  return json(await preview(ctx.env, policy));
}
