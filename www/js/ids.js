// ARM ids, read by the package's parseResourceId (the one set of id rules): the page never
// parses an id itself.
import { app } from "./state.js";

/** The parts of an ARM id (`parseResourceId`'s result), or null when it is not a valid id. */
export function idParts(id) {
  if (typeof id !== "string" || !app.lib) return null;
  try {
    return app.lib.parseResourceId(id);
  } catch {
    return null;
  }
}

/** The resource group an id names, or `fallback`. */
export const resourceGroupOf = (id, fallback = "") => idParts(id)?.resourceGroup || fallback;

/** The subscription an id names, or undefined. */
export const subscriptionOf = (id) => idParts(id)?.subscriptionId;

/** A top-level resource's id from its resource group on (`…/resourceGroups/rg/providers/…`), else the id. */
export function shortId(id) {
  const p = idParts(id);
  if (!p || p.kind !== "resource" || !p.resourceGroup) return id;
  const marker = "/resourceGroups/"; // the canonical id spells its keywords so
  return `…${marker}${p.id.slice(p.id.indexOf(marker) + marker.length)}`;
}

/** A resource directly in a resource group (a disk, a snapshot): `{ subscriptionId, resourceGroup, name }`, else null. */
export function topLevelResource(id) {
  const p = idParts(id);
  if (!p || p.kind !== "resource" || !p.resourceGroup || p.resourceType.split("/").length !== 2) return null;
  return { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.name };
}
