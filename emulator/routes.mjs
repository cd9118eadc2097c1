// ARM routes: subscriptions, resource groups, Microsoft.Compute disks and snapshots (get, list with
// paging, create/replace, update, delete, grant/revoke access, CopyStart) and DiskOperations polls.
// Each handler gets a request context and returns { status, body?, headers? } or throws ArmError.
import {
  ArmError,
  parseComputeId,
  resourceKey,
  normLocation,
  isPlainObject,
  clone,
  live,
  validDiskOrSnapshotName,
  validResourceGroupName,
  isComputeApiVersion,
  dateLikeVersionAtLeast,
  COMPUTE_API_VERSIONS,
  GIB,
} from "./util.mjs";
import {
  DISK_SKUS,
  SNAPSHOT_SKUS,
  PASSTHROUGH_PROPS,
  canonicalSku,
  isBackgroundCopySku,
  diskPerformance,
  encodeSkipToken,
  decodeSkipToken,
} from "./store.mjs";
import { createOperation, operationHeaders, tickOperation, operationBody } from "./lro.mjs";

const FIVE_MINUTES = 5 * 60 * 1000;
const SNAPSHOT_CREATE_OPTIONS = [
  "Copy",
  "CopyStart",
  "Import",
  "Upload",
  "ImportSecure",
  "UploadPreparedSecure",
  "CopyFromSanSnapshot",
  "Restore",
];
const DISK_CREATE_OPTIONS = [
  "Empty",
  "Attach",
  "FromImage",
  "Import",
  "Copy",
  "Restore",
  "Upload",
  "CopyStart",
  "ImportSecure",
  "UploadPreparedSecure",
  "CopyFromSanSnapshot",
];

// Errors ------------------------------------------------------------------------------------

const notFound = (type, name, rg) =>
  new ArmError(
    404,
    "ResourceNotFound",
    `The Resource 'Microsoft.Compute/${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    { headers: { "x-ms-failure-cause": "gateway" } },
  );
const invalidParam = (message, target) => new ArmError(400, "InvalidParameter", message, { target });
const notAllowed = (message) => new ArmError(409, "OperationNotAllowed", message);

// Conditional requests ------------------------------------------------------------------------

/** The entity tags of an If-Match / If-None-Match header: '*' or a list of opaque tags. */
function etagList(value) {
  const text = Array.isArray(value) ? value.join(",") : String(value);
  if (text.trim() === "*") return "*";
  return text
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .filter((t) => t !== "");
}
const bareEtag = (etag) => String(etag || "").replace(/^W\//, "");

/**
 * ARM's conditional PUT: `If-None-Match: *` only creates, `If-Match: *` only updates, and
 * `If-Match: <etag>` updates only the version the caller has seen. Checked before anything else
 * about the resource, in the same synchronous step as the create or update itself (no await in
 * between), so two concurrent creates of one name cannot both pass.
 */
function checkConditions(ctx, existing, what) {
  const h = ctx.headers || {};
  const failed = (message) => new ArmError(412, "PreconditionFailed", message);
  if (h["if-match"] !== undefined) {
    const tags = etagList(h["if-match"]);
    if (!existing)
      throw failed(
        `The condition 'If-Match: ${tags === "*" ? "*" : tags.join(", ")}' was not met: ${what} does not exist.`,
      );
    if (tags !== "*" && !tags.includes(bareEtag(existing.etag))) {
      throw failed(`The condition 'If-Match' was not met: the current ETag of ${what} is ${existing.etag}.`);
    }
  }
  if (h["if-none-match"] !== undefined) {
    const tags = etagList(h["if-none-match"]);
    if (existing && (tags === "*" || tags.includes(bareEtag(existing.etag)))) {
      throw failed(
        `The condition 'If-None-Match: ${tags === "*" ? "*" : tags.join(", ")}' was not met: ${what} already exists.`,
      );
    }
  }
}
const etagHeader = (r) => (r && r.etag ? { ETag: r.etag } : {});

// Dispatch ----------------------------------------------------------------------------------

/** Which api-version rule a path falls under: 'compute' (DiskRP list) or 'lenient'. */
export function apiVersionKind(lo) {
  if (lo[0] === "subscriptions" && lo[2] === "providers" && lo[3] === "microsoft.compute") return "compute";
  if (lo[0] === "subscriptions" && lo[2] === "resourcegroups" && lo[4] === "providers" && lo[5] === "microsoft.compute")
    return "compute";
  return "lenient";
}

export function checkApiVersion(ctx) {
  const v = ctx.apiVersion;
  if (v === null || v === "") {
    throw new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  const kind = apiVersionKind(ctx.lo);
  const ok = kind === "compute" ? isComputeApiVersion(v) : dateLikeVersionAtLeast(v, "2016-01-01");
  if (!ok) {
    const supported = kind === "compute" ? COMPUTE_API_VERSIONS.join(", ") : "any YYYY-MM-DD from 2016-01-01";
    const what =
      kind === "compute"
        ? `resource type '${ctx.lo[ctx.lo.length > 6 ? 6 : 4] || "compute"}' in namespace 'Microsoft.Compute'`
        : "this request";
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${v}' is invalid. The supported versions for ${what} are '${supported}'.`,
    );
  }
}

function methodNotAllowed(ctx) {
  return new ArmError(
    405,
    "MethodNotAllowed",
    `The requested method '${ctx.method}' is not allowed for this resource.`,
  );
}

function invalidResourceType(ctx, ns = "Microsoft.Compute", type = "") {
  return new ArmError(
    404,
    "InvalidResourceType",
    `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${ctx.apiVersion}'.`,
  );
}

/** Route an ARM request. `ctx.seg` are the decoded path segments, `ctx.lo` the same lower-cased. */
export function routeArm(ctx) {
  const { seg, lo, method } = ctx;
  const store = ctx.store;
  if (lo[0] !== "subscriptions") throw new ArmError(404, "NotFound", `No route matches '${ctx.path}'.`);
  if (seg.length === 1) {
    if (method !== "GET") throw methodNotAllowed(ctx);
    return { status: 200, body: { value: [...store.subscriptions.values()].map(renderSubscription) } };
  }
  const sub = store.getSubscription(seg[1]);
  if (!sub) {
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${seg[1]}' could not be found.`, {
      headers: { "x-ms-failure-cause": "gateway" },
    });
  }
  ctx.sub = sub;
  if (seg.length === 2) {
    if (method !== "GET") throw methodNotAllowed(ctx);
    return { status: 200, body: renderSubscription(sub) };
  }
  if (lo[2] === "resourcegroups") {
    if (seg.length === 3) {
      if (method !== "GET") throw methodNotAllowed(ctx);
      return listResourceGroups(ctx);
    }
    if (seg.length === 4) return resourceGroup(ctx, seg[3]);
    const rg = store.getResourceGroup(sub.subscriptionId, seg[3]);
    if (!rg)
      throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${seg[3]}' could not be found.`, {
        headers: { "x-ms-failure-cause": "gateway" },
      });
    ctx.rg = rg;
    if (lo[4] !== "providers" || seg.length < 7) throw new ArmError(404, "NotFound", `No route matches '${ctx.path}'.`);
    if (lo[5] !== "microsoft.compute") throw invalidResourceType(ctx, seg[5], seg[6]);
    const type = lo[6];
    if (type !== "disks" && type !== "snapshots") throw invalidResourceType(ctx, "Microsoft.Compute", seg[6]);
    if (seg.length === 7) {
      if (method !== "GET") throw methodNotAllowed(ctx);
      return listResources(ctx, type, rg.name);
    }
    const name = seg[7];
    if (seg.length === 8) return type === "snapshots" ? snapshotItem(ctx, name) : diskItem(ctx, name);
    if (seg.length === 9 && (lo[8] === "begingetaccess" || lo[8] === "endgetaccess")) {
      if (method !== "POST") throw methodNotAllowed(ctx);
      return lo[8] === "begingetaccess" ? beginGetAccess(ctx, type, name) : endGetAccess(ctx, type, name);
    }
    throw invalidResourceType(ctx, "Microsoft.Compute", `${seg[6]}/${seg[8]}`);
  }
  if (lo[2] === "providers") {
    if (seg.length < 5) throw new ArmError(404, "NotFound", `No route matches '${ctx.path}'.`);
    if (lo[3] !== "microsoft.compute") throw invalidResourceType(ctx, seg[3], seg[4]);
    if (seg.length === 5 && (lo[4] === "disks" || lo[4] === "snapshots")) {
      if (method !== "GET") throw methodNotAllowed(ctx);
      return listResources(ctx, lo[4], null);
    }
    if (seg.length === 8 && lo[4] === "locations" && lo[6] === "diskoperations") {
      if (method !== "GET") throw methodNotAllowed(ctx);
      return pollOperation(ctx, seg[5], seg[7]);
    }
    throw invalidResourceType(ctx, "Microsoft.Compute", seg.slice(4).join("/"));
  }
  throw new ArmError(404, "NotFound", `No route matches '${ctx.path}'.`);
}

// Subscriptions and resource groups ---------------------------------------------------------

function renderSubscription(s) {
  return {
    id: s.id,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
  };
}

function listResourceGroups(ctx) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  const all = [...store.resourceGroups.values()].filter((r) => r.subscriptionId === subId);
  const scope = `rg:${subId}`.toLowerCase();
  const after = skipTokenOf(ctx, scope);
  const pageSize = store.options.pageSize;
  const rest = all.filter((r) => r.seq > after);
  const items = rest.slice(0, pageSize);
  const body = { value: items.map((r) => store.renderResourceGroup(r)) };
  if (rest.length > items.length) body.nextLink = nextLink(ctx, encodeSkipToken(items[items.length - 1].seq, scope));
  return { status: 200, body };
}

function resourceGroup(ctx, name) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  if (ctx.method === "GET" || ctx.method === "HEAD") {
    const rg = store.getResourceGroup(subId, name);
    if (!rg) {
      if (ctx.method === "HEAD") return { status: 404 };
      throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`, {
        headers: { "x-ms-failure-cause": "gateway" },
      });
    }
    return ctx.method === "HEAD"
      ? { status: 204, headers: etagHeader(rg) }
      : { status: 200, body: store.renderResourceGroup(rg), headers: etagHeader(rg) };
  }
  if (ctx.method === "PUT") {
    const body = requireObjectBody(ctx);
    if (!validResourceGroupName(name)) {
      throw new ArmError(
        400,
        "InvalidResourceGroupName",
        `Resource group name '${name}' is invalid. It can include alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters that match the allowed characters.`,
      );
    }
    const existing = store.getResourceGroup(subId, name);
    checkConditions(ctx, existing, `resource group '${name}'`);
    if (!body.location && !existing)
      throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
    if (existing && body.location && normLocation(body.location) !== existing.location) {
      throw new ArmError(
        409,
        "InvalidResourceGroupLocation",
        `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const { rg, created } = store.addResourceGroup(subId, name, body.location || existing.location, body.tags);
    return { status: created ? 201 : 200, body: store.renderResourceGroup(rg), headers: etagHeader(rg) };
  }
  throw methodNotAllowed(ctx);
}

// Lists -------------------------------------------------------------------------------------

function skipTokenOf(ctx, scope) {
  const raw = ctx.query.get("$skiptoken") ?? ctx.query.get("%24skiptoken");
  if (raw === null || raw === undefined) return 0;
  const s = decodeSkipToken(raw, scope);
  if (s === null) throw invalidParam(`The value '${raw}' of the skip token is not valid.`, "$skiptoken");
  return s;
}

function nextLink(ctx, token) {
  const foreign = ctx.takeFault(["foreignNextLink"]);
  const origin = foreign ? "https://evil.example.com" : ctx.baseUrl;
  return `${origin}${ctx.rawPath}?api-version=${encodeURIComponent(ctx.apiVersion)}&$skiptoken=${token}`;
}

function listResources(ctx, type, rgName) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  const scope = `${type}:${subId}:${rgName ?? ""}`.toLowerCase();
  const after = skipTokenOf(ctx, scope);
  const { items, more, lastSeq } = store.page(type, subId, rgName, after, store.options.pageSize);
  const value = items.map((r) => {
    if (type === "snapshots") {
      const out = store.renderSnapshot(r, { apiVersion: ctx.apiVersion });
      if (!r.pendingOp) store.advanceCopy(r);
      return out;
    }
    return store.renderDisk(r);
  });
  const body = { value };
  if (more) body.nextLink = nextLink(ctx, encodeSkipToken(lastSeq, scope));
  return { status: 200, body };
}

// Helpers for resources -----------------------------------------------------------------------

function requireObjectBody(ctx) {
  if (!isPlainObject(ctx.body)) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: the body must be a JSON object.",
    );
  }
  return ctx.body;
}

function checkName(name, type) {
  if (!validDiskOrSnapshotName(name)) {
    throw new ArmError(
      400,
      "InvalidResourceName",
      `The resource name '${name}' is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
      { target: type === "snapshots" ? "snapshotName" : "diskName" },
    );
  }
}

function pendingTick(store, r) {
  if (!r.pendingOp) return;
  const op = store.operations.get(r.pendingOp);
  if (!op) {
    r.pendingOp = null;
    return;
  }
  tickOperation(store, op);
}

/** The 202 body: the request echoed with name, id, type and provisioningState Updating. */
function acceptedBody(ctx, id, name, typeName, body) {
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

function accepted(ctx, op, body, resource) {
  return {
    status: 202,
    body,
    headers: { ...operationHeaders(op, ctx.baseUrl, ctx.store.options.retryAfterSeconds), ...etagHeader(resource) },
  };
}

/** Resolve creationData.sourceResourceId to a stored disk or snapshot. */
function resolveSource(ctx, cd) {
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

function sameSourceId(a, b) {
  const n = (x) => (typeof x === "string" ? x.replace(/^\/+/, "").replace(/\/+$/, "").toLowerCase() : (x ?? null));
  return n(a) === n(b);
}

function extraFrom(props, base = {}) {
  const extra = clone(base) || {};
  for (const k of [...PASSTHROUGH_PROPS, "encryptionSettingsCollection"]) {
    if (props[k] !== undefined) extra[k] = clone(props[k]);
  }
  return extra;
}

function sasUrl() {
  return `https://md-${live.lower(12)}.z${live.digits(2)}.blob.storage.azure.net/${live.lower(12)}/abcd?sv=2018-03-28&sr=b&si=${live.uuid()}&sig=${Buffer.from(live.uuid()).toString("base64").slice(0, 43)}%3D`;
}

function skuOf(body, allowed, fallback, target = "sku.name") {
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

// Snapshots ---------------------------------------------------------------------------------

function snapshotItem(ctx, name) {
  const store = ctx.store;
  const key = resourceKey(ctx.sub.subscriptionId, ctx.rg.name, "snapshots", name);
  const s = store.snapshots.get(key);
  switch (ctx.method) {
    case "GET": {
      if (!s) throw notFound("snapshots", name, ctx.rg.name);
      pendingTick(store, s);
      const out = store.renderSnapshot(s, { apiVersion: ctx.apiVersion });
      if (!s.pendingOp) store.advanceCopy(s);
      return { status: 200, body: out, headers: etagHeader(s) };
    }
    case "PUT":
      checkName(name, "snapshots");
      checkConditions(ctx, s, `snapshot '${name}'`);
      return s ? replaceSnapshot(ctx, s) : createSnapshot(ctx, name, key);
    case "PATCH":
      if (!s) throw notFound("snapshots", name, ctx.rg.name);
      return patchSnapshot(ctx, s);
    case "DELETE":
      if (!s) return { status: 204 };
      return deleteSnapshot(ctx, s);
    default:
      throw methodNotAllowed(ctx);
  }
}

function createSnapshot(ctx, name, key) {
  const store = ctx.store;
  const body = requireObjectBody(ctx);
  if (body.location === undefined || body.location === null || body.location === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  }
  if (typeof body.location !== "string") throw invalidParam("The value of location must be a string.", "location");
  const location = normLocation(body.location);
  const props = body.properties;
  if (!isPlainObject(props) || !isPlainObject(props.creationData)) {
    throw invalidParam("Required parameter 'creationData' is missing (null).", "creationData");
  }
  const cd = props.creationData;
  if (typeof cd.createOption !== "string" || cd.createOption === "") {
    throw invalidParam(
      "Required parameter 'creationData.createOption' is missing (null).",
      "creationData.createOption",
    );
  }
  const createOption = SNAPSHOT_CREATE_OPTIONS.find((o) => o.toLowerCase() === cd.createOption.toLowerCase());
  if (!createOption || createOption === "Restore") {
    throw invalidParam(
      `The value '${cd.createOption}' of createOption is not supported for snapshots.`,
      "creationData.createOption",
    );
  }
  if (props.incremental !== undefined && typeof props.incremental !== "boolean") {
    throw invalidParam("The value of incremental must be a boolean.", "incremental");
  }
  const incremental = props.incremental === true;
  const id = `/subscriptions/${ctx.sub.subscriptionId}/resourceGroups/${ctx.rg.name}/providers/Microsoft.Compute/snapshots/${name}`;
  const now = store.now();
  const rec = {
    kind: "snapshot",
    key,
    id,
    name,
    subscriptionId: ctx.sub.subscriptionId,
    resourceGroup: ctx.rg.name,
    location,
    tags: body.tags === undefined ? undefined : clone(body.tags),
    extendedLocation: clone(body.extendedLocation),
    extra: {},
    creationData: clone(cd),
    createOption,
    incremental,
    familyId: undefined,
    diskSizeGB: undefined,
    encryption: { type: "EncryptionAtRestWithPlatformKey" },
    networkAccessPolicy: props.networkAccessPolicy,
    publicNetworkAccess: props.publicNetworkAccess,
    dataAccessAuthMode: props.dataAccessAuthMode,
    diskAccessId: props.diskAccessId,
    createdMs: now,
    timeCreated: store.timestamp(now),
    provisioningState: "Updating",
    diskState: "Unattached",
    uniqueId: live.uuid(),
    copy: null,
    sas: null,
    sourceDiskKey: undefined,
    sourceDiskUniqueId: undefined,
    sourceSku: undefined,
    pendingOp: null,
  };
  delete rec.creationData.sourceUniqueId;
  rec.creationData.createOption = createOption;
  let rateKey = null;
  let skuFallback = "Standard_LRS";

  if (createOption === "Copy") {
    const src = resolveSource(ctx, cd);
    if (src.type === "disks") {
      const d = src.r;
      if (d.provisioningState !== "Succeeded" && d.pendingOp) pendingTick(store, d);
      rec.sourceDiskKey = d.key;
      rec.sourceDiskUniqueId = d.uniqueId;
      rec.sourceSku = d.sku;
      rec.creationData.sourceUniqueId = d.uniqueId;
      rec.diskSizeGB = d.diskSizeGB;
      rec.extra = extraFrom(props, d.extra);
      rec.encryption = clone(d.encryption);
      rec.networkAccessPolicy ??= d.networkAccessPolicy;
      rec.publicNetworkAccess ??= d.publicNetworkAccess;
      if (incremental) {
        const family = store.incrementalSnapshotsOf(d.key, d.uniqueId);
        if (family.length >= store.options.maxSnapshotsPerDisk) {
          throw new ArmError(
            409,
            "SnapshotsLimitReached",
            `The limit of ${store.options.maxSnapshotsPerDisk} incremental snapshots per disk has been reached for disk '${d.id}'. Delete older incremental snapshots of this disk before creating new ones.`,
          );
        }
        if (isBackgroundCopySku(d.sku) && family.filter((x) => store.isCopying(x)).length >= 3) {
          throw notAllowed(
            `Disk '${d.name}' already has 3 snapshots whose background copy is in progress; wait until their completionPercent reaches 100 before creating another snapshot.`,
          );
        }
        rateKey = `${d.key}|${d.uniqueId}`;
        if (store.options.enforceRateLimit) {
          const recent = (store.creations.get(rateKey) || []).filter((t) => t > now - FIVE_MINUTES);
          if (recent.length >= 7) {
            throw notAllowed(
              `Too many incremental snapshots of disk '${d.name}': at most 7 may be created every 5 minutes. Retry after ${new Date(recent[0] + FIVE_MINUTES).toISOString()}.`,
            );
          }
        }
        rec.familyId = store.familyId(`disk|${d.key}|${d.uniqueId}`);
        let latest = null;
        for (const x of family) if (!latest || x.seq > latest.seq) latest = x;
        if (latest) skuFallback = latest.sku;
      }
      if (isBackgroundCopySku(d.sku))
        rec.copy = { step: 0, total: store.options.copyPolls, sourceKey: null, error: null };
    } else {
      const s = src.r;
      if (incremental && !s.incremental) {
        throw invalidParam(
          "An incremental snapshot can only be copied from a disk or from an incremental snapshot.",
          "incremental",
        );
      }
      rec.creationData.sourceUniqueId = s.uniqueId;
      rec.diskSizeGB = s.diskSizeGB;
      rec.sourceSku = s.sourceSku;
      rec.extra = extraFrom(props, s.extra);
      rec.encryption = clone(s.encryption);
      rec.networkAccessPolicy ??= s.networkAccessPolicy;
      rec.publicNetworkAccess ??= s.publicNetworkAccess;
      if (incremental) rec.familyId = s.familyId;
      if (incremental) skuFallback = s.sku;
      if (isBackgroundCopySku(s.sourceSku))
        rec.copy = { step: 0, total: store.options.copyPolls, sourceKey: s.key, error: null };
    }
  } else if (createOption === "CopyStart") {
    const src = resolveSource(ctx, cd);
    if (src.type !== "snapshots") {
      throw invalidParam(
        `Entity not of expected type: the source of a CopyStart must be an incremental snapshot, but '${src.raw}' is a disk.`,
        "sourceResourceId",
      );
    }
    const s = src.r;
    if (!s.incremental) {
      throw invalidParam(
        `The source snapshot '${s.name}' is not an incremental snapshot. Only incremental snapshots can be copied to another region with CopyStart.`,
        "sourceResourceId",
      );
    }
    if (!incremental) {
      throw invalidParam(
        "A snapshot created with createOption CopyStart must be incremental: set properties.incremental to true.",
        "incremental",
      );
    }
    if (s.location === location) {
      throw invalidParam(
        `CopyStart copies a snapshot to another region, but the source snapshot is already in '${location}'. Use createOption Copy within a region.`,
        "location",
      );
    }
    rec.creationData.sourceUniqueId = s.uniqueId;
    rec.diskSizeGB = s.diskSizeGB;
    rec.sourceSku = s.sourceSku;
    rec.extra = extraFrom(props, s.extra);
    rec.encryption = clone(s.encryption);
    rec.networkAccessPolicy ??= s.networkAccessPolicy;
    rec.publicNetworkAccess ??= s.publicNetworkAccess;
    rec.familyId = store.familyId(`copystart|${s.familyId}|${location}`);
    rec.copy = { step: 0, total: store.options.copyPolls, sourceKey: s.key, error: null };
    if (s.copy && s.copy.error) rec.copy.error = clone(s.copy.error);
  } else if (createOption === "Import" || createOption === "ImportSecure") {
    if (typeof cd.sourceUri !== "string" || !/^https:\/\//i.test(cd.sourceUri)) {
      throw invalidParam("Required parameter 'sourceUri' is missing or is not an https URL.", "sourceUri");
    }
    if (incremental) throw invalidParam("An imported snapshot cannot be incremental.", "incremental");
    rec.diskSizeGB = Number.isInteger(props.diskSizeGB) ? props.diskSizeGB : 128;
    rec.extra = extraFrom(props);
  } else if (createOption === "Upload" || createOption === "UploadPreparedSecure") {
    if (!Number.isInteger(cd.uploadSizeBytes) || cd.uploadSizeBytes <= 0) {
      throw invalidParam("Required parameter 'uploadSizeBytes' is missing (null).", "uploadSizeBytes");
    }
    rec.diskSizeGB = Math.ceil(cd.uploadSizeBytes / GIB);
    rec.diskState = "ReadyToUpload";
    rec.extra = extraFrom(props);
  } else {
    throw invalidParam(
      `The value '${cd.createOption}' of createOption is not supported by this emulator for snapshots.`,
      "creationData.createOption",
    );
  }
  rec.sku = skuOf(body, SNAPSHOT_SKUS, skuFallback);
  rec.networkAccessPolicy ??= "AllowAll";
  rec.publicNetworkAccess ??= "Enabled";
  if (isPlainObject(props.encryption)) rec.encryption = clone(props.encryption);

  const op = createOperation(store, ctx, {
    kind: "snapshot-put",
    region: location,
    subscriptionId: ctx.sub.subscriptionId,
    finish: (outcome) => {
      rec.pendingOp = null;
      store.touch(rec);
      if (outcome === "Succeeded") rec.provisioningState = "Succeeded";
      else if (outcome === "Failed") rec.provisioningState = "Failed";
      else if (store.snapshots.get(key) === rec) store.snapshots.delete(key);
    },
    output: () => store.renderSnapshot(rec, { mode: "output", apiVersion: ctx.apiVersion }),
  });
  rec.pendingOp = op.id.toLowerCase();
  store.insertSnapshot(rec);
  if (rateKey) {
    const list = (store.creations.get(rateKey) || []).filter((t) => t > now - FIVE_MINUTES);
    list.push(now);
    store.creations.set(rateKey, list);
  }
  return accepted(ctx, op, acceptedBody(ctx, id, name, "Microsoft.Compute/snapshots", body), rec);
}

/** PUT on an existing name: the same source is an update; another source is refused like ARM. */
function replaceSnapshot(ctx, s) {
  const store = ctx.store;
  const body = requireObjectBody(ctx);
  const props = isPlainObject(body.properties) ? body.properties : {};
  const cd = isPlainObject(props.creationData) ? props.creationData : {};
  if (body.location !== undefined && normLocation(body.location) !== s.location) {
    throw new ArmError(
      409,
      "InvalidResourceLocation",
      `The resource '${s.name}' already exists in location '${s.location}' in resource group '${s.resourceGroup}'. A resource with the same name cannot be created in location '${normLocation(body.location)}'. Please select a new resource name.`,
    );
  }
  const change = (prop) =>
    new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${prop}' is not allowed.`, { target: prop });
  if (cd.createOption !== undefined && String(cd.createOption).toLowerCase() !== s.createOption.toLowerCase())
    throw change("createOption");
  const newSource = cd.sourceResourceId ?? null;
  const oldSource = s.creationData.sourceResourceId ?? null;
  if (!sameSourceId(newSource, oldSource)) throw change("sourceResourceId");
  if ((cd.sourceUri ?? null) !== (s.creationData.sourceUri ?? null)) throw change("sourceUri");
  if (props.incremental !== undefined && Boolean(props.incremental) !== s.incremental) throw change("incremental");
  applySnapshotUpdate(s, body, props);
  store.touch(s);
  return { status: 200, body: store.renderSnapshot(s, { apiVersion: ctx.apiVersion }), headers: etagHeader(s) };
}

function applySnapshotUpdate(s, body, props) {
  if (body.tags !== undefined) s.tags = clone(body.tags);
  if (body.sku !== undefined && body.sku !== null) s.sku = skuOf(body, SNAPSHOT_SKUS, s.sku);
  for (const k of ["networkAccessPolicy", "publicNetworkAccess", "dataAccessAuthMode", "diskAccessId"]) {
    if (props[k] !== undefined) s[k] = props[k];
  }
  for (const k of ["supportsHibernation", "supportedCapabilities", "osType", "encryptionSettingsCollection"]) {
    if (props[k] !== undefined) s.extra[k] = clone(props[k]);
  }
  if (isPlainObject(props.encryption)) s.encryption = clone(props.encryption);
}

function patchSnapshot(ctx, s) {
  const body = requireObjectBody(ctx);
  const props = isPlainObject(body.properties) ? body.properties : {};
  applySnapshotUpdate(s, body, props);
  ctx.store.touch(s);
  return { status: 200, body: ctx.store.renderSnapshot(s, { apiVersion: ctx.apiVersion }), headers: etagHeader(s) };
}

function deleteSnapshot(ctx, s) {
  const store = ctx.store;
  store.expireSas(s);
  if (s.sas) {
    throw notAllowed(
      `Snapshot '${s.name}' has an active shared access signature (diskState ActiveSAS). Revoke access (endGetAccess) before deleting it.`,
    );
  }
  const op = createOperation(store, ctx, {
    kind: "snapshot-delete",
    region: s.location,
    subscriptionId: s.subscriptionId,
  });
  if (op.outcome === "Succeeded") removeSnapshot(store, s);
  return accepted(ctx, op, undefined);
}

function removeSnapshot(store, s) {
  store.snapshots.delete(s.key);
  for (const t of store.snapshots.values()) {
    if (t.copy && t.copy.sourceKey === s.key && !t.copy.error && store.completionOf(t) < 100) {
      t.copy.error = {
        errorCode: "CopySourceNotFound",
        errorMessage: `The source snapshot '${s.id}' was deleted before the copy completed.`,
      };
    }
  }
}

// Grant / revoke access -----------------------------------------------------------------------

function findResource(ctx, type, name) {
  const key = resourceKey(ctx.sub.subscriptionId, ctx.rg.name, type, name);
  const r = type === "snapshots" ? ctx.store.snapshots.get(key) : ctx.store.disks.get(key);
  if (!r) throw notFound(type, name, ctx.rg.name);
  return r;
}

function beginGetAccess(ctx, type, name) {
  const store = ctx.store;
  const r = findResource(ctx, type, name);
  const body = requireObjectBody(ctx);
  const access =
    typeof body.access === "string"
      ? ["Read", "Write", "None"].find((a) => a.toLowerCase() === body.access.toLowerCase())
      : undefined;
  if (!access || access === "None")
    throw invalidParam("Required parameter 'access' must be 'Read' or 'Write'.", "grantAccessData.access");
  if (!Number.isInteger(body.durationInSeconds) || body.durationInSeconds <= 0) {
    throw invalidParam(
      "Required parameter 'durationInSeconds' must be a positive integer.",
      "grantAccessData.durationInSeconds",
    );
  }
  store.expireSas(r);
  if (type === "disks" && r.managedBy)
    throw notAllowed(`Disk '${r.name}' is attached to '${r.managedBy}'; detach it before granting access.`);
  if (r.provisioningState !== "Succeeded")
    throw notAllowed(`'${r.name}' is not ready: provisioningState is ${r.provisioningState}.`);
  if (type === "snapshots" && store.isCopying(r)) {
    throw notAllowed(
      `Snapshot '${r.name}' cannot be accessed until its background copy completes (completionPercent ${store.completionOf(r)}).`,
    );
  }
  if (type === "snapshots" && r.incremental && r.familyId && !r.sas) {
    let active = 0;
    for (const x of store.snapshots.values()) {
      if (x !== r && x.familyId === r.familyId) {
        store.expireSas(x);
        if (x.sas) active += 1;
      }
    }
    if (active >= 5) {
      throw notAllowed(
        `At most 5 snapshots of one incremental snapshot family may have an active SAS at a time; family '${r.familyId}' already has ${active}. Revoke access on one of them first.`,
      );
    }
  }
  const prev = r.sas ? r.sas : null;
  const sas = {
    expiresMs: store.now() + body.durationInSeconds * 1000,
    prevState: prev ? prev.prevState : r.diskState,
    url: sasUrl(),
  };
  r.sas = sas;
  r.diskState = "ActiveSAS";
  store.touch(r);
  const op = createOperation(store, ctx, {
    kind: "grant",
    region: r.location,
    subscriptionId: r.subscriptionId,
    finish: (outcome) => {
      if (outcome !== "Succeeded" && r.sas === sas) {
        store.touch(r);
        r.sas = prev;
        r.diskState = prev ? "ActiveSAS" : sas.prevState;
      }
    },
    output: () => ({ accessSAS: sas.url }),
  });
  return accepted(ctx, op, undefined);
}

function endGetAccess(ctx, type, name) {
  const store = ctx.store;
  const r = findResource(ctx, type, name);
  const op = createOperation(store, ctx, { kind: "revoke", region: r.location, subscriptionId: r.subscriptionId });
  if (op.outcome === "Succeeded" && r.sas) {
    r.diskState = r.sas.prevState;
    r.sas = null;
    store.touch(r);
  }
  return accepted(ctx, op, undefined);
}

// Disks -------------------------------------------------------------------------------------

function diskItem(ctx, name) {
  const store = ctx.store;
  const key = resourceKey(ctx.sub.subscriptionId, ctx.rg.name, "disks", name);
  const d = store.disks.get(key);
  switch (ctx.method) {
    case "GET":
      if (!d) throw notFound("disks", name, ctx.rg.name);
      pendingTick(store, d);
      return { status: 200, body: store.renderDisk(d), headers: etagHeader(d) };
    case "PUT":
      checkName(name, "disks");
      checkConditions(ctx, d, `disk '${name}'`);
      return d ? replaceDisk(ctx, d) : createDisk(ctx, name, key);
    case "PATCH":
      if (!d) throw notFound("disks", name, ctx.rg.name);
      applyDiskUpdate(store, d, requireObjectBody(ctx));
      store.touch(d);
      return { status: 200, body: store.renderDisk(d), headers: etagHeader(d) };
    case "DELETE": {
      if (!d) return { status: 204 };
      store.expireSas(d);
      if (d.managedBy)
        throw notAllowed(`Disk '${d.name}' is attached to VM '${d.managedBy}'. Detach the disk before deleting it.`);
      if (d.sas)
        throw notAllowed(`Disk '${d.name}' has an active shared access signature. Revoke access before deleting it.`);
      const op = createOperation(store, ctx, {
        kind: "disk-delete",
        region: d.location,
        subscriptionId: d.subscriptionId,
      });
      if (op.outcome === "Succeeded") store.disks.delete(d.key);
      return accepted(ctx, op, undefined);
    }
    default:
      throw methodNotAllowed(ctx);
  }
}

function createDisk(ctx, name, key) {
  const store = ctx.store;
  const body = requireObjectBody(ctx);
  if (typeof body.location !== "string" || body.location === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  }
  const props = body.properties;
  if (!isPlainObject(props) || !isPlainObject(props.creationData)) {
    throw invalidParam("Required parameter 'creationData' is missing (null).", "creationData");
  }
  const cd = props.creationData;
  const createOption =
    typeof cd.createOption === "string"
      ? DISK_CREATE_OPTIONS.find((o) => o.toLowerCase() === cd.createOption.toLowerCase())
      : undefined;
  if (!createOption)
    throw invalidParam(
      "Required parameter 'creationData.createOption' is missing or invalid.",
      "creationData.createOption",
    );
  const sku = skuOf(body, DISK_SKUS, "Standard_LRS");
  const now = store.now();
  const d = {
    kind: "disk",
    key,
    name,
    subscriptionId: ctx.sub.subscriptionId,
    resourceGroup: ctx.rg.name,
    id: `/subscriptions/${ctx.sub.subscriptionId}/resourceGroups/${ctx.rg.name}/providers/Microsoft.Compute/disks/${name}`,
    location: normLocation(body.location),
    tags: clone(body.tags),
    managedBy: undefined,
    sku,
    zones: clone(body.zones),
    extendedLocation: clone(body.extendedLocation),
    extra: extraFrom(props),
    creationData: clone(cd),
    diskSizeGB: undefined,
    encryption: isPlainObject(props.encryption) ? clone(props.encryption) : { type: "EncryptionAtRestWithPlatformKey" },
    networkAccessPolicy: props.networkAccessPolicy ?? "AllowAll",
    publicNetworkAccess: props.publicNetworkAccess ?? "Enabled",
    dataAccessAuthMode: props.dataAccessAuthMode,
    diskAccessId: props.diskAccessId,
    maxShares: props.maxShares,
    timeCreated: store.timestamp(now),
    provisioningState: "Updating",
    diskState: "Unattached",
    uniqueId: live.uuid(),
    sas: null,
    pendingOp: null,
    copy: null,
  };
  delete d.creationData.sourceUniqueId;
  d.creationData.createOption = createOption;
  if (createOption === "Copy" || createOption === "Restore" || createOption === "CopyStart") {
    const src = resolveSource(ctx, cd);
    d.diskSizeGB =
      Number.isInteger(props.diskSizeGB) && props.diskSizeGB > src.r.diskSizeGB ? props.diskSizeGB : src.r.diskSizeGB;
    d.creationData.sourceUniqueId = src.r.uniqueId;
    d.extra = extraFrom(props, src.r.extra);
  } else if (createOption === "Upload" || createOption === "UploadPreparedSecure") {
    if (!Number.isInteger(cd.uploadSizeBytes) || cd.uploadSizeBytes <= 0)
      throw invalidParam("Required parameter 'uploadSizeBytes' is missing (null).", "uploadSizeBytes");
    d.diskSizeGB = Math.ceil(cd.uploadSizeBytes / GIB);
    d.diskState = "ReadyToUpload";
  } else if (Number.isInteger(props.diskSizeGB) && props.diskSizeGB > 0) {
    d.diskSizeGB = props.diskSizeGB;
  } else if (createOption === "FromImage") {
    d.diskSizeGB = 30;
  } else {
    throw invalidParam("Required parameter 'diskSizeGB' is missing (null).", "diskSizeGB");
  }
  const perf = diskPerformance(sku, d.diskSizeGB, props);
  d.iops = perf.iops;
  d.mbps = perf.mbps;
  d.tier = props.tier ?? perf.tier;
  const op = createOperation(store, ctx, {
    kind: "disk-put",
    region: d.location,
    subscriptionId: d.subscriptionId,
    finish: (outcome) => {
      d.pendingOp = null;
      store.touch(d);
      if (outcome === "Succeeded") d.provisioningState = "Succeeded";
      else if (outcome === "Failed") d.provisioningState = "Failed";
      else if (store.disks.get(key) === d) store.disks.delete(key);
    },
    output: () => store.renderDisk(d, { mode: "output" }),
  });
  d.pendingOp = op.id.toLowerCase();
  store.insertDisk(d);
  return accepted(ctx, op, acceptedBody(ctx, d.id, name, "Microsoft.Compute/disks", body), d);
}

function applyDiskUpdate(store, d, body) {
  const props = isPlainObject(body.properties) ? body.properties : {};
  if (body.tags !== undefined) d.tags = clone(body.tags);
  if (body.sku !== undefined && body.sku !== null) d.sku = skuOf(body, DISK_SKUS, d.sku);
  if (props.diskSizeGB !== undefined) {
    if (!Number.isInteger(props.diskSizeGB) || props.diskSizeGB < d.diskSizeGB) {
      throw new ArmError(
        400,
        "BadRequest",
        `Disk size can only be increased: '${props.diskSizeGB}' is smaller than the current size ${d.diskSizeGB} GB.`,
        { target: "diskSizeGB" },
      );
    }
    if (props.diskSizeGB !== d.diskSizeGB && d.managedBy && !isBackgroundCopySku(d.sku)) {
      throw notAllowed(`Disk '${d.name}' is attached to a running VM; resizing it is not supported while attached.`);
    }
    d.diskSizeGB = props.diskSizeGB;
  }
  for (const k of ["networkAccessPolicy", "publicNetworkAccess", "dataAccessAuthMode", "diskAccessId", "maxShares"]) {
    if (props[k] !== undefined) d[k] = props[k];
  }
  for (const k of ["supportsHibernation", "supportedCapabilities", "osType", "encryptionSettingsCollection"]) {
    if (props[k] !== undefined) d.extra[k] = clone(props[k]);
  }
  const perf = diskPerformance(d.sku, d.diskSizeGB, props);
  d.iops = props.diskIOPSReadWrite ?? perf.iops;
  d.mbps = props.diskMBpsReadWrite ?? perf.mbps;
  d.tier = perf.tier ?? undefined;
}

function replaceDisk(ctx, d) {
  const store = ctx.store;
  const body = requireObjectBody(ctx);
  if (body.location !== undefined && normLocation(body.location) !== d.location) {
    throw new ArmError(
      409,
      "InvalidResourceLocation",
      `The resource '${d.name}' already exists in location '${d.location}' in resource group '${d.resourceGroup}'. A resource with the same name cannot be created in location '${normLocation(body.location)}'. Please select a new resource name.`,
    );
  }
  const cd = isPlainObject(body.properties?.creationData) ? body.properties.creationData : {};
  if (
    cd.createOption !== undefined &&
    String(cd.createOption).toLowerCase() !== d.creationData.createOption.toLowerCase()
  ) {
    throw new ArmError(409, "PropertyChangeNotAllowed", "Changing property 'createOption' is not allowed.", {
      target: "createOption",
    });
  }
  // An update of an existing disk answers 200 with the disk, as a create's 202 would be wrong
  // (clients tell a create from an update by the status).
  if (d.pendingOp) pendingTick(store, d);
  applyDiskUpdate(store, d, body);
  store.touch(d);
  return { status: 200, body: store.renderDisk(d), headers: etagHeader(d) };
}

// Operation polls ---------------------------------------------------------------------------

function pollOperation(ctx, region, opId) {
  const store = ctx.store;
  const op = store.operations.get(String(opId).toLowerCase());
  const p = ctx.query.get("p");
  if (
    !op ||
    op.subscriptionId.toLowerCase() !== ctx.sub.subscriptionId.toLowerCase() ||
    op.region !== normLocation(region) ||
    (p !== null && p !== op.p)
  ) {
    throw new ArmError(404, "NotFound", `The operation '${opId}' could not be found in location '${region}'.`);
  }
  tickOperation(store, op);
  const monitor = (ctx.query.get("monitor") || "").toLowerCase() === "true";
  if (!monitor) return { status: 200, body: operationBody(op) };
  if (op.status === "InProgress") {
    const h = operationHeaders(op, ctx.baseUrl, store.options.retryAfterSeconds);
    return {
      status: 202,
      headers: { Location: h.Location, ...(h["Retry-After"] ? { "Retry-After": h["Retry-After"] } : {}) },
    };
  }
  if (op.status === "Succeeded") {
    return op.result === undefined ? { status: 200 } : { status: 200, body: op.result };
  }
  const b = operationBody(op);
  throw new ArmError(op.status === "Failed" ? 500 : 409, b.error.code, b.error.message);
}
