// Size benchmark entry: the smallest SDK bundle possible — its internal modular functions,
// imported by file path (they are not a public entry of @azure/arm-compute 25), so that only the
// context, disks.get and snapshots.listByResourceGroup are bundled.
import { createComputeManagement } from "../../node_modules/@azure/arm-compute/dist/browser/api/computeManagementContext.js";
import { get as getDisk } from "../../node_modules/@azure/arm-compute/dist/browser/api/disks/operations.js";
import { listByResourceGroup } from "../../node_modules/@azure/arm-compute/dist/browser/api/snapshots/operations.js";
import { filterSdkModels } from "../lib/jsfilter.mjs";

export async function diskChain(token, diskId) {
  const [, , subscriptionId, , resourceGroup, , , , diskName] = diskId.split("/");
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  const context = createComputeManagement(credential, subscriptionId);
  const disk = await getDisk(context, resourceGroup, diskName);
  const all = [];
  for await (const s of listByResourceGroup(context, resourceGroup)) all.push(s);
  return filterSdkModels({ id: disk.id, properties: { uniqueId: disk.uniqueId } }, all);
}
