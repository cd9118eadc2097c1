// Grant and revoke access (beginGetAccess / endGetAccess) on a disk or snapshot: a SAS URL of the
// emulator's Blob service for a while (./content.mjs maps the resource to its blob), diskState
// ActiveSAS (ActiveUpload for an upload disk), and ARM's limits on who may have one. The
// records are the truth for ARM and for the 5-per-family count; each holds the one URL of its
// grant, which the Blob service honours until its expiry or until endGetAccess revokes it.
import { invalidParam, notAllowed } from "./errors.mjs";
import { accepted, findResource, requireObjectBody, resourceOperation } from "./resources.mjs";
import { refOf } from "../content.mjs";

/** Longest grant: 60 days (longer requests are a client error). */
export const MAX_SAS_SECONDS = 60 * 86400;

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
  if (body.durationInSeconds > MAX_SAS_SECONDS) {
    throw invalidParam(
      `The value ${body.durationInSeconds} of 'durationInSeconds' is too large: access may be granted for at most ${MAX_SAS_SECONDS} seconds (60 days).`,
      "grantAccessData.durationInSeconds",
    );
  }
  return access;
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
  const access = readGrant(body);
  store.expireSas(r);
  checkGrantable(store, type, r);
  const prev = r.sas ? r.sas : null;
  const expiresMs = store.now() + body.durationInSeconds * 1000;
  // Write: a writable SAS on a blob (a disk, a full or upload snapshot); a blob snapshot only reads.
  const ref = refOf(store, type, r);
  const permissions = access === "Write" && !ref.snapshot ? "rw" : "r";
  const url = store.blob.grant({
    blob: ref.familyId,
    snapshot: ref.snapshot || undefined,
    permissions,
    expiresAt: expiresMs,
  });
  const prevState = prev ? prev.prevState : r.diskState;
  const sas = { expiresMs, prevState, url };
  r.sas = sas;
  r.diskState = prevState === "ReadyToUpload" && permissions === "rw" ? "ActiveUpload" : "ActiveSAS";
  store.touch(r);
  const op = resourceOperation(ctx, "grant", r, {
    finish: (outcome) => {
      // A second grant replaces the first: its URL ends, so the records and the Blob service agree.
      if (outcome === "Succeeded" && prev) store.blob.revoke(prev.url);
      if (outcome !== "Succeeded" && r.sas === sas) {
        store.blob.revoke(sas.url);
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
    store.blob.revoke(r.sas.url);
    // an upload disk is done uploading once revoked
    r.diskState = r.sas.prevState === "ReadyToUpload" ? "Unattached" : r.sas.prevState;
    r.sas = null;
    store.touch(r);
  }
  return accepted(ctx, op, undefined);
}
