// Size benchmark entry: a browser app that lists a disk's incremental chain with the package.
import init, { ArmClient } from "../../pkg/web.js";

export async function diskChain(token, diskId) {
  await init();
  const client = new ArmClient({ token });
  return client.listIncrementalSnapshots(diskId);
}
