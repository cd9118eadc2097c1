// PUT of a new snapshot, in steps: read the request, make the record, take what the source gives
// (a disk or snapshot to Copy, an incremental snapshot to CopyStart to another region, a blob to
// Import, or an Upload), apply the defaults, start the operation. Incremental copies of a disk
// obey ARM's limits: snapshots per disk, three background copies at a time, 7 per 5 minutes.
import { ArmError, normLocation, isPlainObject, clone, live, GIB } from "../util.mjs";
import { SNAPSHOT_SKUS, isBackgroundCopySku } from "../store.mjs";
import { snapshotCreated, snapshotRemoved } from "../content.mjs";
import { invalidParam, locationRequired, notAllowed } from "./errors.mjs";
import {
  accepted,
  acceptedBody,
  extraFrom,
  pendingTick,
  requireObjectBody,
  resolveSource,
  skuOf,
  startCreate,
} from "./resources.mjs";

const FIVE_MINUTES = 5 * 60 * 1000;
const DEFAULT_SKU = "Standard_LRS";
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

export function createSnapshot(ctx, name, key) {
  const store = ctx.store;
  const req = readCreateRequest(ctx);
  const rec = newSnapshotRecord(ctx, name, key, req);
  const step = SOURCE_STEPS[req.createOption];
  if (!step) {
    throw invalidParam(
      `The value '${req.cd.createOption}' of createOption is not supported by this emulator for snapshots.`,
      "creationData.createOption",
    );
  }
  const { rateKey, skuFallback } = step(ctx, rec, req);
  applyDefaults(rec, req, skuFallback);
  // Step 5: the content, at this moment: a blob snapshot of the family, or a blob of its own.
  snapshotCreated(store, rec, req.src || null);
  const op = startCreate(ctx, rec, "snapshot-put", store.snapshots, () =>
    store.renderSnapshot(rec, { mode: "output", apiVersion: ctx.apiVersion }),
  );
  const finish = op.finish;
  op.finish = (outcome) => {
    finish(outcome);
    if (outcome === "Canceled") snapshotRemoved(store, rec);
  };
  store.insertSnapshot(rec);
  if (rateKey) store.creations.set(rateKey, [...recentCreations(store, rateKey, rec.createdMs), rec.createdMs]);
  return accepted(ctx, op, acceptedBody(ctx, rec.id, name, "Microsoft.Compute/snapshots", req.body), rec);
}

/** Step 1: the body's location, properties, creationData, createOption and incremental, checked. */
function readCreateRequest(ctx) {
  const body = requireObjectBody(ctx);
  if (body.location === undefined || body.location === null || body.location === "") throw locationRequired();
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
  return { body, location, props, cd, createOption, incremental: props.incremental === true };
}

/** Step 2: the stored record, Updating, before its source is known. */
function newSnapshotRecord(ctx, name, key, { body, location, props, cd, createOption, incremental }) {
  const store = ctx.store;
  const now = store.now();
  const rec = {
    kind: "snapshot",
    key,
    id: `/subscriptions/${ctx.sub.subscriptionId}/resourceGroups/${ctx.rg.name}/providers/Microsoft.Compute/snapshots/${name}`,
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
  return rec;
}

// Step 3: the source. Each step fills `rec` from it and returns { rateKey, skuFallback }: the
// key of the disk whose creations count against its rate limit (or null), and the SKU a request
// without one gets (the family's latest for an incremental snapshot).

const SOURCE_STEPS = {
  Copy: fromCopySource,
  CopyStart: fromCopyStart,
  Import: fromImport,
  ImportSecure: fromImport,
  Upload: fromUpload,
  UploadPreparedSecure: fromUpload,
};

/** What a copy takes from its source disk or snapshot (of which `sourceSku` is the disk's SKU). */
function inherit(rec, props, src, sourceSku) {
  rec.creationData.sourceUniqueId = src.uniqueId;
  rec.diskSizeGB = src.diskSizeGB;
  rec.sourceSku = sourceSku;
  rec.extra = extraFrom(props, src.extra);
  rec.encryption = clone(src.encryption);
  rec.networkAccessPolicy ??= src.networkAccessPolicy;
  rec.publicNetworkAccess ??= src.publicNetworkAccess;
}

const plainSource = () => ({ rateKey: null, skuFallback: DEFAULT_SKU });
const backgroundCopy = (store, sourceKey) => ({ step: 0, total: store.options.copyPolls, sourceKey, error: null });

function fromCopySource(ctx, rec, req) {
  const src = resolveSource(ctx, req.cd);
  req.src = src;
  return src.type === "disks" ? fromDisk(ctx, rec, req, src.r) : fromSnapshot(ctx, rec, req, src.r);
}

function fromDisk(ctx, rec, { props, incremental }, d) {
  const store = ctx.store;
  if (d.provisioningState !== "Succeeded" && d.pendingOp) pendingTick(store, d);
  rec.sourceDiskKey = d.key;
  rec.sourceDiskUniqueId = d.uniqueId;
  inherit(rec, props, d, d.sku);
  const out = plainSource();
  if (incremental) {
    const family = store.incrementalSnapshotsOf(d.key, d.uniqueId);
    checkFamilyLimits(store, d, family);
    out.rateKey = `${d.key}|${d.uniqueId}`;
    checkRateLimit(store, d, out.rateKey, rec.createdMs);
    rec.familyId = store.familyId(`disk|${d.key}|${d.uniqueId}`);
    let latest = null;
    for (const x of family) if (!latest || x.seq > latest.seq) latest = x;
    if (latest) out.skuFallback = latest.sku;
  }
  if (isBackgroundCopySku(d.sku)) rec.copy = backgroundCopy(store, null);
  return out;
}

/** At most maxSnapshotsPerDisk incremental snapshots, and 3 background copies at a time. */
function checkFamilyLimits(store, d, family) {
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
}

/** The times of the incremental snapshots of one disk created in the last 5 minutes. */
const recentCreations = (store, rateKey, now) =>
  (store.creations.get(rateKey) || []).filter((t) => t > now - FIVE_MINUTES);

/** At most 7 incremental snapshots of a disk every 5 minutes (unless enforceRateLimit is off). */
function checkRateLimit(store, d, rateKey, now) {
  if (!store.options.enforceRateLimit) return;
  const recent = recentCreations(store, rateKey, now);
  if (recent.length >= 7) {
    throw notAllowed(
      `Too many incremental snapshots of disk '${d.name}': at most 7 may be created every 5 minutes. Retry after ${new Date(recent[0] + FIVE_MINUTES).toISOString()}.`,
    );
  }
}

function fromSnapshot(ctx, rec, { props, incremental }, s) {
  if (incremental && !s.incremental) {
    throw invalidParam(
      "An incremental snapshot can only be copied from a disk or from an incremental snapshot.",
      "incremental",
    );
  }
  inherit(rec, props, s, s.sourceSku);
  if (incremental) rec.familyId = s.familyId;
  if (isBackgroundCopySku(s.sourceSku)) rec.copy = backgroundCopy(ctx.store, s.key);
  return { rateKey: null, skuFallback: incremental ? s.sku : DEFAULT_SKU };
}

/** CopyStart: an incremental snapshot into another region, a background copy in a new family. */
function fromCopyStart(ctx, rec, req) {
  const { cd, props, location, incremental } = req;
  const src = resolveSource(ctx, cd);
  req.src = src;
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
  inherit(rec, props, s, s.sourceSku);
  rec.familyId = ctx.store.familyId(`copystart|${s.familyId}|${location}`);
  rec.copy = backgroundCopy(ctx.store, s.key);
  if (s.copy && s.copy.error) rec.copy.error = clone(s.copy.error);
  return plainSource();
}

function fromImport(ctx, rec, { cd, props, incremental }) {
  if (typeof cd.sourceUri !== "string" || !/^https:\/\//i.test(cd.sourceUri)) {
    throw invalidParam("Required parameter 'sourceUri' is missing or is not an https URL.", "sourceUri");
  }
  if (incremental) throw invalidParam("An imported snapshot cannot be incremental.", "incremental");
  rec.diskSizeGB = Number.isInteger(props.diskSizeGB) ? props.diskSizeGB : 128;
  rec.extra = extraFrom(props);
  return plainSource();
}

function fromUpload(ctx, rec, { cd, props }) {
  if (!Number.isInteger(cd.uploadSizeBytes) || cd.uploadSizeBytes <= 0) {
    throw invalidParam("Required parameter 'uploadSizeBytes' is missing (null).", "uploadSizeBytes");
  }
  rec.diskSizeGB = Math.ceil(cd.uploadSizeBytes / GIB);
  rec.diskState = "ReadyToUpload";
  rec.extra = extraFrom(props);
  return plainSource();
}

/** Step 4: the SKU (the request's, else the fallback), open network access, the request's encryption. */
function applyDefaults(rec, { body, props }, skuFallback) {
  rec.sku = skuOf(body, SNAPSHOT_SKUS, skuFallback);
  rec.networkAccessPolicy ??= "AllowAll";
  rec.publicNetworkAccess ??= "Enabled";
  if (isPlainObject(props.encryption)) rec.encryption = clone(props.encryption);
}
