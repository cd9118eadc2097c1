// ARM routes: subscriptions and resource groups (./subscriptions.mjs), Microsoft.Compute disks
// (./disks.mjs) and snapshots (./snapshots.mjs, ./snapshot-create.mjs): get, list with paging
// (./lists.mjs), create/replace, update, delete, grant/revoke access (./access.mjs), CopyStart,
// snapshot immutability policies at 2026-03-02 (./immutability.mjs);
// DiskOperations polls (./operations.mjs); and Microsoft.Authorization/permissions of a
// subscription, group or resource (./permissions.mjs). This module checks the api-version and
// dispatches.
// Each handler gets a request context and returns { status, body?, headers? } or throws ArmError.
import { ArmError, isComputeApiVersion, dateLikeVersionAtLeast, COMPUTE_API_VERSIONS } from "../util.mjs";
import {
  invalidResourceType,
  methodNotAllowed,
  noRoute,
  resourceGroupNotFound,
  subscriptionNotFound,
} from "./errors.mjs";
import { renderSubscription, listResourceGroups, resourceGroup } from "./subscriptions.mjs";
import { listResources } from "./lists.mjs";
import { snapshotItem } from "./snapshots.mjs";
import { diskItem } from "./disks.mjs";
import { beginGetAccess, endGetAccess } from "./access.mjs";
import { isImmutabilityAction, updateImmutability } from "./immutability.mjs";
import { pollOperation } from "./operations.mjs";
import { listPermissions, checkTokenTenant } from "./permissions.mjs";
import { resourceKey } from "../util.mjs";
import { notFound } from "./errors.mjs";
import { isGuid } from "../entra.mjs";

/** Does the path end in /providers/Microsoft.Authorization/permissions? */
const isPermissions = (lo) =>
  lo.length >= 5 &&
  lo[lo.length - 3] === "providers" &&
  lo[lo.length - 2] === "microsoft.authorization" &&
  lo[lo.length - 1] === "permissions";

/** Which api-version rule a path falls under: 'compute' (DiskRP list) or 'lenient'. */
export function apiVersionKind(lo) {
  if (isPermissions(lo)) return "lenient";
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

/** A GET-only route: `answer()` for a GET, 405 otherwise. */
function getOnly(ctx, answer) {
  if (ctx.method !== "GET") throw methodNotAllowed(ctx);
  return answer();
}

/** Route an ARM request. `ctx.seg` are the decoded path segments, `ctx.lo` the same lower-cased. */
export function routeArm(ctx) {
  const { seg, lo } = ctx;
  const store = ctx.store;
  if (lo[0] !== "subscriptions") throw noRoute(ctx);
  if (seg.length === 1)
    return getOnly(ctx, () => ({
      status: 200,
      body: { value: [...store.subscriptions.values()].map(renderSubscription) },
    }));
  const sub = store.getSubscription(seg[1]);
  if (!sub) throw subscriptionNotFound(seg[1]);
  ctx.sub = sub;
  if (ctx.caller) checkTokenTenant(ctx, sub, isGuid);
  if (seg.length === 2) return getOnly(ctx, () => ({ status: 200, body: renderSubscription(sub) }));
  if (lo[2] === "resourcegroups") return routeResourceGroups(ctx);
  if (lo[2] === "providers") return routeSubscriptionProviders(ctx);
  throw noRoute(ctx);
}

/** /subscriptions/{sub}/resourceGroups[/{rg}[/providers/Microsoft.Compute/{disks|snapshots}/…]] */
function routeResourceGroups(ctx) {
  const { seg, lo, method } = ctx;
  if (seg.length === 3) return getOnly(ctx, () => listResourceGroups(ctx));
  if (seg.length === 4) return resourceGroup(ctx, seg[3]);
  const rg = ctx.store.getResourceGroup(ctx.sub.subscriptionId, seg[3]);
  if (!rg) throw resourceGroupNotFound(seg[3]);
  ctx.rg = rg;
  if (seg.length === 7 && isPermissions(lo))
    return listPermissions(ctx, `/subscriptions/${subId(ctx)}/resourceGroups/${rg.name}`);
  if (lo[4] !== "providers" || seg.length < 7) throw noRoute(ctx);
  if (lo[5] !== "microsoft.compute") throw invalidResourceType(ctx, seg[5], seg[6]);
  const type = lo[6];
  if (type !== "disks" && type !== "snapshots") throw invalidResourceType(ctx, "Microsoft.Compute", seg[6]);
  if (seg.length === 7) return getOnly(ctx, () => listResources(ctx, type, rg.name));
  const name = seg[7];
  if (seg.length === 11 && isPermissions(lo)) {
    const key = resourceKey(ctx.sub.subscriptionId, rg.name, type, name);
    if (!(type === "snapshots" ? ctx.store.snapshots : ctx.store.disks).has(key)) throw notFound(type, name, rg.name);
    return listPermissions(
      ctx,
      `/subscriptions/${subId(ctx)}/resourceGroups/${rg.name}/providers/Microsoft.Compute/${type}/${name}`,
    );
  }
  if (seg.length === 8) return type === "snapshots" ? snapshotItem(ctx, name) : diskItem(ctx, name);
  if (seg.length === 9 && (lo[8] === "begingetaccess" || lo[8] === "endgetaccess")) {
    if (method !== "POST") throw methodNotAllowed(ctx);
    return lo[8] === "begingetaccess" ? beginGetAccess(ctx, type, name) : endGetAccess(ctx, type, name);
  }
  if (seg.length === 9 && type === "snapshots" && isImmutabilityAction(lo[8]))
    return updateImmutability(ctx, name, lo[8]);
  throw invalidResourceType(ctx, "Microsoft.Compute", `${seg[6]}/${seg[8]}`);
}

/** /subscriptions/{sub}/providers/Microsoft.Compute/{disks|snapshots} and DiskOperations polls. */
function routeSubscriptionProviders(ctx) {
  const { seg, lo } = ctx;
  if (seg.length === 5 && isPermissions(lo)) return listPermissions(ctx, `/subscriptions/${subId(ctx)}`);
  if (seg.length < 5) throw noRoute(ctx);
  if (lo[3] !== "microsoft.compute") throw invalidResourceType(ctx, seg[3], seg[4]);
  if (seg.length === 5 && (lo[4] === "disks" || lo[4] === "snapshots"))
    return getOnly(ctx, () => listResources(ctx, lo[4], null));
  if (seg.length === 8 && lo[4] === "locations" && lo[6] === "diskoperations")
    return getOnly(ctx, () => pollOperation(ctx, seg[5], seg[7]));
  throw invalidResourceType(ctx, "Microsoft.Compute", seg.slice(4).join("/"));
}

const subId = (ctx) => ctx.sub.subscriptionId;
