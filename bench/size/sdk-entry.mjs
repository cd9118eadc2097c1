// Size benchmark entry: the same app with @azure/arm-compute's documented client, the disk read
// and listByResourceGroup, filtered in JS (the documented rule). No credential library.
import { ComputeManagementClient } from "@azure/arm-compute";
import { filterSdkModels } from "../lib/jsfilter.mjs";

export async function diskChain(token, diskId) {
  const [, , subscriptionId, , resourceGroup, , , , diskName] = diskId.split("/");
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  const client = new ComputeManagementClient(credential, subscriptionId);
  const disk = await client.disks.get(resourceGroup, diskName);
  const all = [];
  for await (const s of client.snapshots.listByResourceGroup(resourceGroup)) all.push(s);
  return filterSdkModels({ id: disk.id, properties: { uniqueId: disk.uniqueId } }, all);
}
