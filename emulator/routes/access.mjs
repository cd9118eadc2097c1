// Grant and revoke access (beginGetAccess / endGetAccess) on a disk or snapshot: a SAS URL for a
// while, diskState ActiveSAS, and ARM's limits on who may have one.
import { live } from "../util.mjs";
import { invalidParam, notAllowed } from "./errors.mjs";
import { accepted, findResource, requireObjectBody, resourceOperation } from "./resources.mjs";

function sasUrl() {
  return `https://md-${live.lower(12)}.z${live.digits(2)}.blob.storage.azure.net/${live.lower(12)}/abcd?sv=2018-03-28&sr=b&si=${live.uuid()}&sig=${Buffer.from(live.uuid()).toString("base64").slice(0, 43)}%3D`;
}

/** grantAccessData: access Read or Write, for a positive number of seconds. */
function readGrant(body) {
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
}

/** May `r` get a SAS now? Not attached, provisioned, copied, and its family under 5 active SAS. */
function checkGrantable(store, type, r) {
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
}

export function beginGetAccess(ctx, type, name) {
  const store = ctx.store;
  const r = findResource(ctx, type, name);
  const body = requireObjectBody(ctx);
  readGrant(body);
  store.expireSas(r);
  checkGrantable(store, type, r);
  const prev = r.sas ? r.sas : null;
  const sas = {
    expiresMs: store.now() + body.durationInSeconds * 1000,
    prevState: prev ? prev.prevState : r.diskState,
    url: sasUrl(),
  };
  r.sas = sas;
  r.diskState = "ActiveSAS";
  store.touch(r);
  const op = resourceOperation(ctx, "grant", r, {
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

export function endGetAccess(ctx, type, name) {
  const store = ctx.store;
  const r = findResource(ctx, type, name);
  const op = resourceOperation(ctx, "revoke", r);
  if (op.outcome === "Succeeded" && r.sas) {
    r.diskState = r.sas.prevState;
    r.sas = null;
    store.touch(r);
  }
  return accepted(ctx, op, undefined);
}
