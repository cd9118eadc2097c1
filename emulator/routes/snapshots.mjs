// Snapshots: GET, PUT (a create, in ./snapshot-create.mjs, or a replace), PATCH and DELETE of one.
import { ArmError, isPlainObject, clone } from "../util.mjs";
import { SNAPSHOT_SKUS } from "../store.mjs";
import { etagHeader } from "./conditional.mjs";
import { checkSameLocation, notAllowed } from "./errors.mjs";
import {
  accepted,
  pendingTick,
  requireObjectBody,
  resourceItem,
  resourceOperation,
  sameSourceId,
  updateProperties,
  updateTagsAndSku,
} from "./resources.mjs";
import { createSnapshot } from "./snapshot-create.mjs";
import { snapshotRemoved } from "../content.mjs";
import { deleteRefusal } from "./immutability.mjs";

export function snapshotItem(ctx, name) {
  return resourceItem(ctx, "snapshots", "snapshot", name, {
    get: getSnapshot,
    create: createSnapshot,
    replace: replaceSnapshot,
    update: updateSnapshot,
    remove: deleteSnapshot,
  });
}

function getSnapshot(ctx, s) {
  const store = ctx.store;
  pendingTick(store, s);
  const out = store.renderSnapshot(s, { apiVersion: ctx.apiVersion });
  if (!s.pendingOp) store.advanceCopy(s);
  return { status: 200, body: out, headers: etagHeader(s) };
}

/** PUT on an existing name: the same source is an update; another source is refused like ARM. */
function replaceSnapshot(ctx, s) {
  const body = requireObjectBody(ctx);
  const props = isPlainObject(body.properties) ? body.properties : {};
  const cd = isPlainObject(props.creationData) ? props.creationData : {};
  checkSameLocation(body, s);
  const change = (prop) =>
    new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${prop}' is not allowed.`, { target: prop });
  if (cd.createOption !== undefined && String(cd.createOption).toLowerCase() !== s.createOption.toLowerCase())
    throw change("createOption");
  const newSource = cd.sourceResourceId ?? null;
  const oldSource = s.creationData.sourceResourceId ?? null;
  if (!sameSourceId(newSource, oldSource)) throw change("sourceResourceId");
  if ((cd.sourceUri ?? null) !== (s.creationData.sourceUri ?? null)) throw change("sourceUri");
  if (props.incremental !== undefined && Boolean(props.incremental) !== s.incremental) throw change("incremental");
  return updateSnapshot(ctx, s);
}

/** PATCH, and what a replace may change: tags, SKU, network access, encryption and a few more. */
function updateSnapshot(ctx, s) {
  const body = requireObjectBody(ctx);
  const props = isPlainObject(body.properties) ? body.properties : {};
  updateTagsAndSku(s, body, SNAPSHOT_SKUS);
  updateProperties(s, props, ["networkAccessPolicy", "publicNetworkAccess", "dataAccessAuthMode", "diskAccessId"]);
  if (isPlainObject(props.encryption)) s.encryption = clone(props.encryption);
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
  const immutable = deleteRefusal(store, s);
  if (immutable) throw immutable;
  const op = resourceOperation(ctx, "snapshot-delete", s);
  if (op.outcome === "Succeeded") removeSnapshot(store, s);
  return accepted(ctx, op, undefined);
}

/** Forget `s`; copies still reading from it fail with CopySourceNotFound. */
function removeSnapshot(store, s) {
  store.snapshots.delete(s.key);
  snapshotRemoved(store, s);
  for (const t of store.snapshots.values()) {
    if (t.copy && t.copy.sourceKey === s.key && !t.copy.error && store.completionOf(t) < 100) {
      t.copy.error = {
        errorCode: "CopySourceNotFound",
        errorMessage: `The source snapshot '${s.id}' was deleted before the copy completed.`,
      };
    }
  }
}
