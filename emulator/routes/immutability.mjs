// Snapshot immutability (api-version 2026-03-02): POST …/snapshots/{name}/updateImmutabilityPolicy
// (type Unlocked: set, extend or shorten) and …/updateImmutabilityPolicyLock (type Locked: lock,
// then only extend), body ImmutabilityPolicyData { immutabilityDurationDays, type }, a
// long-running operation answered 202 with Location and Retry-After (final-state-via location:
// the monitor URL answers the ImmutabilityPolicyData). The policy is stored on the snapshot as
// { days, type, startMs }: the duration counts from the policy's start, which an update of an
// active policy keeps and a policy set after expiry renews; it expires on the emulator clock.
// Assumed (not in the spec excerpt): a snapshot read at 2026-03-02 reports
// properties.immutabilityPolicy { immutabilityDurationDays, type, policyStartTime,
// policyExpirationTime, isPolicyExpired } (the SDKs' model), and a DELETE under an active policy
// is 409 OperationNotAllowed (./snapshots.mjs asks `deleteRefusal`).
import { apiAtLeast, armTime } from "../util.mjs";
import { invalidParam, invalidResourceType, methodNotAllowed, notAllowed } from "./errors.mjs";
import { findResource, requireObjectBody, resourceOperation } from "./resources.mjs";
import { operationUrls } from "../lro.mjs";

/** The first api-version with the two actions. */
export const IMMUTABILITY_API_VERSION = "2026-03-02";
/** int32, as the spec types immutabilityDurationDays. */
const MAX_DAYS = 2147483647;
const DAY_MS = 86400000;

export const isImmutabilityAction = (lo) => lo === "updateimmutabilitypolicy" || lo === "updateimmutabilitypolicylock";

const expiresAt = (p) => p.startMs + p.days * DAY_MS;
/** The stored policy of `s` while it protects it (not expired on the emulator clock), or null. */
export function activePolicy(store, s) {
  const p = s.immutability;
  return p && store.now() < expiresAt(p) ? p : null;
}

/** properties.immutabilityPolicy of a snapshot read at 2026-03-02 (undefined: none was ever set). */
export function renderImmutabilityPolicy(store, s, apiVersion) {
  const p = s.immutability;
  if (!p || !apiVersion || !apiAtLeast(apiVersion, IMMUTABILITY_API_VERSION)) return undefined;
  return {
    immutabilityDurationDays: p.days,
    type: p.type,
    policyStartTime: armTime(p.startMs),
    policyExpirationTime: armTime(expiresAt(p)),
    isPolicyExpired: store.now() >= expiresAt(p),
  };
}

/** Why a DELETE of `s` is refused now, or null. */
export function deleteRefusal(store, s) {
  const p = activePolicy(store, s);
  if (!p) return null;
  return notAllowed(
    `Snapshot '${s.name}' cannot be deleted: it is protected by a ${p.type.toLowerCase()} immutability policy until ${new Date(expiresAt(p)).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
  );
}

function readPolicyData(body, want) {
  const days = body.immutabilityDurationDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw invalidParam(
      `Required parameter 'immutabilityDurationDays' must be a whole number of days from 1 to ${MAX_DAYS}.`,
      "immutabilityPolicyData.immutabilityDurationDays",
    );
  }
  const type =
    typeof body.type === "string"
      ? ["Unlocked", "Locked"].find((t) => t.toLowerCase() === body.type.toLowerCase())
      : null;
  if (!type) throw invalidParam("Parameter 'type' must be 'Unlocked' or 'Locked'.", "immutabilityPolicyData.type");
  if (type !== want) {
    throw invalidParam(
      want === "Locked"
        ? "updateImmutabilityPolicyLock sets a policy of type 'Locked'."
        : "updateImmutabilityPolicy sets a policy of type 'Unlocked'; use updateImmutabilityPolicyLock to lock it.",
      "immutabilityPolicyData.type",
    );
  }
  return { days, type };
}

/** The policy `s` would have after the request, or the refusal. */
function nextPolicy(store, s, { days, type }) {
  const current = activePolicy(store, s);
  if (!current) return { days, type, startMs: store.now() };
  if (current.type === "Locked") {
    if (type === "Unlocked") {
      throw notAllowed(
        `The immutability policy of snapshot '${s.name}' is locked: it cannot be changed to unlocked, only extended with updateImmutabilityPolicyLock.`,
      );
    }
    if (days < current.days) {
      throw notAllowed(
        `The immutability policy of snapshot '${s.name}' is locked at ${current.days} days: a locked policy can only be extended, not shortened to ${days}.`,
      );
    }
  }
  return { days, type, startMs: current.startMs };
}

export function updateImmutability(ctx, name, action) {
  if (!apiAtLeast(ctx.apiVersion, IMMUTABILITY_API_VERSION))
    throw invalidResourceType(ctx, "Microsoft.Compute", `snapshots/${ctx.seg[8]}`);
  if (ctx.method !== "POST") throw methodNotAllowed(ctx);
  const store = ctx.store;
  const s = findResource(ctx, "snapshots", name);
  const asked = readPolicyData(
    requireObjectBody(ctx),
    action === "updateimmutabilitypolicylock" ? "Locked" : "Unlocked",
  );
  if (s.provisioningState !== "Succeeded")
    throw notAllowed(`'${s.name}' is not ready: provisioningState is ${s.provisioningState}.`);
  nextPolicy(store, s, asked);
  let applied = null;
  const op = resourceOperation(ctx, "immutability", s, {
    finish: (outcome) => {
      if (outcome !== "Succeeded" || !store.snapshots.has(s.key)) return;
      // Checked again at the end: a lock that landed in between still holds.
      try {
        applied = nextPolicy(store, s, asked);
      } catch {
        applied = activePolicy(store, s);
        return;
      }
      s.immutability = applied;
      store.touch(s);
    },
    output: () => (applied ? { immutabilityDurationDays: applied.days, type: applied.type } : undefined),
  });
  const headers = { Location: operationUrls(op, ctx.baseUrl).location };
  const retry = store.options.retryAfterSeconds;
  if (retry !== null && retry !== undefined) headers["Retry-After"] = String(retry);
  return { status: 202, headers };
}
