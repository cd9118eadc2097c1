// What the disk and snapshot routes share: the request body, names, sources, SKUs, the fields an
// update may change, and the long-running operations of a create, delete, grant or revoke.
import {
  ArmError,
  parseComputeId,
  resourceKey,
  normLocation,
  isPlainObject,
  clone,
  validDiskOrSnapshotName,
} from "../util.mjs";
import { PASSTHROUGH_PROPS, canonicalSku } from "../store.mjs";
import { createOperation, operationHeaders, tickOperation } from "../lro.mjs";
import { checkConditions, etagHeader } from "./conditional.mjs";
import { invalidParam, methodNotAllowed, notFound } from "./errors.mjs";

export function requireObjectBody(ctx) {
  if (!isPlainObject(ctx.body)) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: the body must be a JSON object.",
    );
  }
  return ctx.body;
}

export function checkName(name, type) {
  if (!validDiskOrSnapshotName(name)) {
    throw new ArmError(
      400,
      "InvalidResourceName",
      `The resource name '${name}' is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
      { target: type === "snapshots" ? "snapshotName" : "diskName" },
    );
  }
}

/** The stored disk or snapshot `name` of the request's resource group, or a 404. */
export function findResource(ctx, type, name) {
  const key = resourceKey(ctx.sub.subscriptionId, ctx.rg.name, type, name);
  const r = type === "snapshots" ? ctx.store.snapshots.get(key) : ctx.store.disks.get(key);
  if (!r) throw notFound(type, name, ctx.rg.name);
  return r;
}

/**
 * One disk or snapshot `name` (of `type`, called `what` in messages): GET, PUT (a create or a
 * replace), PATCH and DELETE, each handed the stored resource (a create its key instead).
 */
export function resourceItem(ctx, type, what, name, { get, create, replace, update, remove }) {
  const key = resourceKey(ctx.sub.subscriptionId, ctx.rg.name, type, name);
  const r = type === "snapshots" ? ctx.store.snapshots.get(key) : ctx.store.disks.get(key);
  switch (ctx.method) {
    case "GET":
      if (!r) throw notFound(type, name, ctx.rg.name);
      return get(ctx, r);
    case "PUT":
      checkName(name, type);
      checkConditions(ctx, r, `${what} '${name}'`);
      return r ? replace(ctx, r) : create(ctx, name, key);
    case "PATCH":
      if (!r) throw notFound(type, name, ctx.rg.name);
      return update(ctx, r);
    case "DELETE":
      if (!r) return { status: 204 };
      return remove(ctx, r);
    default:
      throw methodNotAllowed(ctx);
  }
}

/** Let the operation a resource waits on move one poll on. */
export function pendingTick(store, r) {
  if (!r.pendingOp) return;
  const op = store.operations.get(r.pendingOp);
  if (!op) {
    r.pendingOp = null;
    return;
  }
  tickOperation(store, op);
}

// Long-running operations -----------------------------------------------------------------------

/** An operation on resource `r` (in its region and subscription). */
export function resourceOperation(ctx, kind, r, { finish, output } = {}) {
  return createOperation(ctx.store, ctx, {
    kind,
    region: r.location,
    subscriptionId: r.subscriptionId,
    finish,
    output,
  });
}

/**
 * The operation of a create: `rec` stays Updating until it ends, then is Succeeded or Failed,
 * or (canceled) is gone from `map` again.
 */
export function startCreate(ctx, rec, kind, map, output) {
  const store = ctx.store;
  const op = resourceOperation(ctx, kind, rec, {
    finish: (outcome) => {
      rec.pendingOp = null;
      store.touch(rec);
      if (outcome === "Succeeded") rec.provisioningState = "Succeeded";
      else if (outcome === "Failed") rec.provisioningState = "Failed";
      else if (map.get(rec.key) === rec) map.delete(rec.key);
    },
    output,
  });
  rec.pendingOp = op.id.toLowerCase();
  return op;
}

/** The 202 that starts an operation. */
export function accepted(ctx, op, body, resource) {
  return {
    status: 202,
    body,
    headers: { ...operationHeaders(op, ctx.baseUrl, ctx.store.options.retryAfterSeconds), ...etagHeader(resource) },
  };
}

const READ_ONLY_PROPS = new Set([
  "timeCreated",
  "diskSizeBytes",
  "diskState",
  "uniqueId",
  "provisioningState",
  "incrementalSnapshotFamilyId",
  "completionPercent",
  "copyCompletionError",
  "snapshotAccessState",
  "shareInfo",
  "LastOwnershipUpdateTime",
  "burstingEnabledTime",
  "propertyUpdatesInProgress",
  "managedByExtended",
]);

/** The 202 body: the request echoed with name, id, type and provisioningState Updating. */
export function acceptedBody(ctx, id, name, typeName, body) {
  const out = { name, id, type: typeName, location: normLocation(body.location) };
  if (body.tags !== undefined) out.tags = clone(body.tags);
  if (body.managedBy !== undefined) out.managedBy = body.managedBy;
  if (body.sku !== undefined) out.sku = clone(body.sku);
  if (body.zones !== undefined) out.zones = clone(body.zones);
  if (body.extendedLocation !== undefined) out.extendedLocation = clone(body.extendedLocation);
  const props = {};
  for (const [k, v] of Object.entries(isPlainObject(body.properties) ? body.properties : {})) {
    if (!READ_ONLY_PROPS.has(k)) props[k] = clone(v);
  }
  if (isPlainObject(props.creationData)) {
    delete props.creationData.sourceUniqueId;
  }
  props.provisioningState = "Updating";
  out.properties = props;
  return out;
}

// Sources ---------------------------------------------------------------------------------------

/** Resolve creationData.sourceResourceId to a stored disk or snapshot. */
export function resolveSource(ctx, cd) {
  let raw = cd.sourceResourceId;
  let target = "sourceResourceId";
  if (
    (raw === undefined || raw === null || raw === "") &&
    typeof cd.sourceUri === "string" &&
    /^\/?subscriptions\//i.test(cd.sourceUri)
  ) {
    raw = cd.sourceUri; // PowerShell's New-AzSnapshotConfig -SourceUri <disk id>
    target = "sourceUri";
  }
  if (raw === undefined || raw === null || raw === "") {
    throw invalidParam("Required parameter 'sourceResourceId' is missing (null).", "sourceResourceId");
  }
  if (typeof raw !== "string") throw invalidParam(`The value of parameter '${target}' must be a string.`, target);
  const p = parseComputeId(raw);
  if (!p) throw invalidParam(`Resource id '${raw}' is invalid. It must be the id of a disk or snapshot.`, target);
  if (p.unsupported)
    throw invalidParam(`Resource '${raw}' is not a disk or a snapshot. Entity not of expected type.`, target);
  const store = ctx.store;
  const key = resourceKey(p.subscriptionId, p.resourceGroup, p.type, p.name);
  const r = p.type === "disks" ? store.disks.get(key) : store.snapshots.get(key);
  if (!r) throw notFound(p.type, p.name, p.resourceGroup);
  if (p.subscriptionId.toLowerCase() !== ctx.sub.subscriptionId.toLowerCase()) {
    throw invalidParam(
      `The source resource '${raw}' is in another subscription; copying across subscriptions is not supported here.`,
      target,
    );
  }
  return { type: p.type, r, raw, target };
}

export function sameSourceId(a, b) {
  const n = (x) => (typeof x === "string" ? x.replace(/^\/+/, "").replace(/\/+$/, "").toLowerCase() : (x ?? null));
  return n(a) === n(b);
}

/** The stored extra properties: those of `base` (a source), then the request's own. */
export function extraFrom(props, base = {}) {
  const extra = clone(base) || {};
  for (const k of [...PASSTHROUGH_PROPS, "encryptionSettingsCollection"]) {
    if (props[k] !== undefined) extra[k] = clone(props[k]);
  }
  return extra;
}

// SKUs and updates ------------------------------------------------------------------------------

export function skuOf(body, allowed, fallback, target = "sku.name") {
  if (body.sku === undefined || body.sku === null) return fallback;
  if (!isPlainObject(body.sku) || typeof body.sku.name !== "string") {
    if (isPlainObject(body.sku) && body.sku.name === undefined) return fallback;
    throw invalidParam("The value of sku.name must be a string.", target);
  }
  const s = canonicalSku(body.sku.name, allowed);
  if (!s)
    throw invalidParam(
      `The value '${body.sku.name}' of parameter 'sku.name' is not allowed. Allowed values are ${allowed.join(", ")}.`,
      target,
    );
  return s;
}

/** An update's tags and SKU (a SKU among `allowed`). */
export function updateTagsAndSku(r, body, allowed) {
  if (body.tags !== undefined) r.tags = clone(body.tags);
  if (body.sku !== undefined && body.sku !== null) r.sku = skuOf(body, allowed, r.sku);
}

const UPDATABLE_EXTRA = ["supportsHibernation", "supportedCapabilities", "osType", "encryptionSettingsCollection"];

/** An update's properties: `own` ones stored on the resource as given, the rest among its extras. */
export function updateProperties(r, props, own) {
  for (const k of own) {
    if (props[k] !== undefined) r[k] = props[k];
  }
  for (const k of UPDATABLE_EXTRA) {
    if (props[k] !== undefined) r.extra[k] = clone(props[k]);
  }
}
