// Subscriptions and resource groups: list and get subscriptions; list, get, HEAD and PUT groups.
import { ArmError, normLocation, validResourceGroupName } from "../util.mjs";
import { checkConditions, etagHeader } from "./conditional.mjs";
import { locationRequired, methodNotAllowed, resourceGroupNotFound } from "./errors.mjs";
import { nextLink, skipTokenOf } from "./lists.mjs";
import { requireObjectBody } from "./resources.mjs";

export function renderSubscription(s) {
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

export function listResourceGroups(ctx) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  const all = [...store.resourceGroups.values()].filter((r) => r.subscriptionId === subId);
  const scope = `rg:${subId}`.toLowerCase();
  const after = skipTokenOf(ctx, scope);
  const pageSize = store.options.pageSize;
  const rest = all.filter((r) => r.seq > after);
  const items = rest.slice(0, pageSize);
  const body = { value: items.map((r) => store.renderResourceGroup(r)) };
  if (rest.length > items.length) body.nextLink = nextLink(ctx, items[items.length - 1].seq, scope);
  return { status: 200, body };
}

export function resourceGroup(ctx, name) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  if (ctx.method === "GET" || ctx.method === "HEAD") {
    const rg = store.getResourceGroup(subId, name);
    if (!rg) {
      if (ctx.method === "HEAD") return { status: 404 };
      throw resourceGroupNotFound(name);
    }
    return ctx.method === "HEAD"
      ? { status: 204, headers: etagHeader(rg) }
      : { status: 200, body: store.renderResourceGroup(rg), headers: etagHeader(rg) };
  }
  if (ctx.method === "PUT") return putResourceGroup(ctx, name);
  throw methodNotAllowed(ctx);
}

function putResourceGroup(ctx, name) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
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
  if (!body.location && !existing) throw locationRequired();
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
