// Disks: GET, PUT (create or update), PATCH and DELETE of one.
import { ArmError, normLocation, isPlainObject, clone, live, GIB } from "../util.mjs";
import { DISK_SKUS, isBackgroundCopySku, diskPerformance } from "../store.mjs";
import { etagHeader } from "./conditional.mjs";
import { diskCreated, diskImported, diskRemoved, diskResized } from "../content.mjs";
import { importSource, restoreFromSnapshot } from "./restore.mjs";
import { checkSameLocation, invalidParam, locationRequired, notAllowed } from "./errors.mjs";
import {
  resourceItem,
  requireObjectBody,
  resolveSource,
  skuOf,
  extraFrom,
  updateTagsAndSku,
  updateProperties,
  pendingTick,
  startCreate,
  resourceOperation,
  accepted,
  acceptedBody,
} from "./resources.mjs";

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

export function diskItem(ctx, name) {
  return resourceItem(ctx, "disks", "disk", name, {
    get: getDisk,
    create: createDisk,
    replace: replaceDisk,
    update: updateDisk,
    remove: deleteDisk,
  });
}

function getDisk(ctx, d) {
  pendingTick(ctx.store, d);
  return { status: 200, body: ctx.store.renderDisk(d), headers: etagHeader(d) };
}

function createDisk(ctx, name, key) {
  const store = ctx.store;
  const body = requireObjectBody(ctx);
  if (typeof body.location !== "string" || body.location === "") throw locationRequired();
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
  const src = sizeNewDisk(ctx, d, props, cd, createOption);
  const imported = createOption === "Import" ? importSource(ctx, d, props, cd) : null;
  const perf = diskPerformance(sku, d.diskSizeGB, props);
  d.iops = perf.iops;
  d.mbps = perf.mbps;
  d.tier = props.tier ?? perf.tier;
  const op = startCreate(ctx, d, "disk-put", store.disks, () => store.renderDisk(d, { mode: "output" }));
  store.insertDisk(d);
  diskCreated(store, d, src); // a copy starts with its source's bytes; other disks get a blob on first use
  if (imported) diskImported(store, d, imported); // an Import starts with the blob's bytes
  return accepted(ctx, op, acceptedBody(ctx, d.id, name, "Microsoft.Compute/disks", body), d);
}

/**
 * A new disk's size: its source's (or larger), an upload's, the request's, or an image's 30 GB.
 * Returns the source ({ type, r }) of a copy, else null.
 */
function sizeNewDisk(ctx, d, props, cd, createOption) {
  if (createOption === "Copy" || createOption === "Restore" || createOption === "CopyStart") {
    const src = resolveSource(ctx, cd);
    if (src.type === "snapshots" && createOption === "Copy") restoreFromSnapshot(ctx, d, props, src.r);
    d.diskSizeGB =
      Number.isInteger(props.diskSizeGB) && props.diskSizeGB > src.r.diskSizeGB ? props.diskSizeGB : src.r.diskSizeGB;
    d.creationData.sourceUniqueId = src.r.uniqueId;
    d.extra = extraFrom(props, src.r.extra);
    return src;
  } else if (createOption === "Upload" || createOption === "UploadPreparedSecure") {
    if (!Number.isInteger(cd.uploadSizeBytes) || cd.uploadSizeBytes <= 0)
      throw invalidParam("Required parameter 'uploadSizeBytes' is missing (null).", "uploadSizeBytes");
    d.diskSizeGB = Math.ceil(cd.uploadSizeBytes / GIB);
    d.diskState = "ReadyToUpload";
  } else if (createOption === "Import") {
    d.diskSizeGB = 1; // sized from the blob by importSource
  } else if (Number.isInteger(props.diskSizeGB) && props.diskSizeGB > 0) {
    d.diskSizeGB = props.diskSizeGB;
  } else if (createOption === "FromImage") {
    d.diskSizeGB = 30;
  } else {
    throw invalidParam("Required parameter 'diskSizeGB' is missing (null).", "diskSizeGB");
  }
  return null;
}

/** PATCH, and what a PUT on an existing disk changes: tags, SKU, a larger size, and more. */
function applyDiskUpdate(d, body) {
  const props = isPlainObject(body.properties) ? body.properties : {};
  updateTagsAndSku(d, body, DISK_SKUS);
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
  updateProperties(d, props, [
    "networkAccessPolicy",
    "publicNetworkAccess",
    "dataAccessAuthMode",
    "diskAccessId",
    "maxShares",
  ]);
  const perf = diskPerformance(d.sku, d.diskSizeGB, props);
  d.iops = props.diskIOPSReadWrite ?? perf.iops;
  d.mbps = props.diskMBpsReadWrite ?? perf.mbps;
  d.tier = perf.tier ?? undefined;
}

function updateDisk(ctx, d) {
  applyDiskUpdate(d, requireObjectBody(ctx));
  diskResized(ctx.store, d);
  ctx.store.touch(d);
  return { status: 200, body: ctx.store.renderDisk(d), headers: etagHeader(d) };
}

function replaceDisk(ctx, d) {
  const body = requireObjectBody(ctx);
  checkSameLocation(body, d);
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
  if (d.pendingOp) pendingTick(ctx.store, d);
  return updateDisk(ctx, d);
}

function deleteDisk(ctx, d) {
  const store = ctx.store;
  store.expireSas(d);
  if (d.managedBy)
    throw notAllowed(`Disk '${d.name}' is attached to VM '${d.managedBy}'. Detach the disk before deleting it.`);
  if (d.sas)
    throw notAllowed(`Disk '${d.name}' has an active shared access signature. Revoke access before deleting it.`);
  const op = resourceOperation(ctx, "disk-delete", d);
  if (op.outcome === "Succeeded") {
    store.disks.delete(d.key);
    diskRemoved(store, d);
  }
  return accepted(ctx, op, undefined);
}
