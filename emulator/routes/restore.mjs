// Disks restored from a snapshot (createOption Copy of a snapshot) or imported from a page blob
// (createOption Import), as ARM checks them: the snapshot in the disk's region, a size not
// smaller than the source's, a 4096-byte-sector snapshot only to Premium SSD v2 or Ultra, at
// most MAX_CONCURRENT_RESTORES disks at once from one snapshot (409 OperationNotAllowed), and an
// Import's sourceUri a blob of this emulator's own Blob service (its content becomes the disk's).
// A disk restored to (or from a snapshot of) a Premium SSD v2 or Ultra disk hydrates in the
// background: `completionPercent` rises on the emulator clock, over HYDRATION_MS.
import { ArmError, GIB } from "../util.mjs";
import { isBackgroundCopySku } from "../store.mjs";
import { invalidParam, notAllowed } from "./errors.mjs";
import { sameSourceId } from "./resources.mjs";

export const MAX_CONCURRENT_RESTORES = 5;
/** Emulator-clock milliseconds a restored disk takes to hydrate (0 → 100%). */
export const HYDRATION_MS = 10000;
const PAGE = 512;

/** A background hydration: `step` (of `total`) follows the emulator clock; writes are ignored. */
function hydration(store, startMs) {
  const total = 1000;
  return {
    total,
    error: null,
    hydration: true,
    get step() {
      return Math.max(0, Math.min(total, Math.floor(((store.now() - startMs) / HYDRATION_MS) * total)));
    },
    set step(_ignored) {},
  };
}

/** Is disk `d` still being made: provisioning, or hydrating? */
function unfinished(store, d) {
  return (d.provisioningState !== "Succeeded" && d.provisioningState !== "Failed") || store.isCopying(d);
}

/** A disk from snapshot `s` (`d` is the new record, `props` the request's properties). */
export function restoreFromSnapshot(ctx, d, props, s) {
  const store = ctx.store;
  if (s.location !== d.location) {
    throw invalidParam(
      `The source snapshot '${s.id}' is in region '${s.location}'; a disk can only be created from a snapshot in its own region ('${d.location}'). Copy the snapshot to '${d.location}' first (createOption CopyStart).`,
      "location",
    );
  }
  if (props.diskSizeGB !== undefined && (!Number.isInteger(props.diskSizeGB) || props.diskSizeGB < s.diskSizeGB)) {
    throw new ArmError(
      400,
      "BadRequest",
      `The disk size '${props.diskSizeGB}' GB is smaller than the size of the source snapshot '${s.name}' (${s.diskSizeGB} GB). A disk cannot be smaller than its source.`,
      { target: "diskSizeGB" },
    );
  }
  if (s.creationData?.logicalSectorSize === 4096 && !isBackgroundCopySku(d.sku)) {
    throw invalidParam(
      `The snapshot '${s.name}' has a logical sector size of 4096 bytes; only PremiumV2_LRS and UltraSSD_LRS disks can be created from it (not ${d.sku}).`,
      "sku.name",
    );
  }
  let running = 0;
  for (const x of store.disks.values()) {
    if (x.subscriptionId.toLowerCase() !== d.subscriptionId.toLowerCase()) continue;
    if (!sameSourceId(x.creationData?.sourceResourceId, s.id)) continue;
    if (x.pendingOp) {
      const op = store.operations.get(x.pendingOp);
      if (!op) x.pendingOp = null;
    }
    if (unfinished(store, x)) running += 1;
  }
  if (running >= MAX_CONCURRENT_RESTORES) {
    throw notAllowed(
      `${running} disks are already being created from snapshot '${s.name}'. At most ${MAX_CONCURRENT_RESTORES} disks can be created from one snapshot at a time; retry after one of them has finished.`,
    );
  }
  if (isBackgroundCopySku(d.sku) || isBackgroundCopySku(s.sourceSku)) d.copy = hydration(store, store.now());
}

/**
 * An Import: `cd.sourceUri` must name a blob of this emulator's Blob service, either as it serves
 * it (`<origin>/blob/<host>/<container>/<blob>`) or by its real https URL
 * (`https://<account>.blob.core.windows.net/<container>/<blob>`, `?snapshot=` for a blob
 * snapshot); `storageAccountId` is required. Returns { ref, snapshot, size } for the content copy.
 */
export function importSource(ctx, d, props, cd) {
  if (
    typeof cd.storageAccountId !== "string" ||
    !/\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i.test(cd.storageAccountId)
  ) {
    throw invalidParam(
      "Required parameter 'storageAccountId' is missing or is not a storage account id.",
      "storageAccountId",
    );
  }
  if (typeof cd.sourceUri !== "string")
    throw invalidParam("Required parameter 'sourceUri' is missing (null).", "sourceUri");
  let u;
  try {
    u = new URL(cd.sourceUri);
  } catch {
    throw invalidParam("The value of parameter 'sourceUri' is not a valid URL.", "sourceUri");
  }
  const shown = `${u.origin}${u.pathname}`;
  const own = u.origin === ctx.baseUrl && u.pathname.startsWith("/blob/");
  const real = u.protocol === "https:" && !u.pathname.startsWith("/blob/");
  const blob = ctx.store.blob;
  let b = null;
  if (own || real) {
    try {
      b = blob.resolve(`${u.origin}${u.pathname}`);
    } catch {
      b = null;
    }
  }
  if (!b) {
    throw invalidParam(
      `The blob '${shown}' could not be found, or is not a blob of this storage service.`,
      "sourceUri",
    );
  }
  const ref = { host: b.host, container: b.container, blob: b.name };
  const snapshot = u.searchParams.get("snapshot") || undefined;
  let size;
  try {
    size = blob.properties(ref, snapshot).size;
  } catch {
    throw invalidParam(`The blob snapshot '${snapshot}' of '${shown}' does not exist.`, "sourceUri");
  }
  const sizeGB = Math.max(1, Math.ceil(Math.max(size - PAGE, 1) / GIB));
  if (props.diskSizeGB !== undefined && (!Number.isInteger(props.diskSizeGB) || props.diskSizeGB < sizeGB)) {
    throw new ArmError(
      400,
      "BadRequest",
      `The disk size '${props.diskSizeGB}' GB is smaller than the blob '${shown}' (${sizeGB} GB).`,
      { target: "diskSizeGB" },
    );
  }
  d.diskSizeGB = Number.isInteger(props.diskSizeGB) ? props.diskSizeGB : sizeGB;
  return { ref, snapshot, size };
}
