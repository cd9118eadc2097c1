// Size benchmark entry: the same list-and-filter app with the package's smaller "client" entry.
import init, { ArmClient } from "../../pkg/client/web.js";

export async function diskChain(token, diskId) {
  await init();
  const client = new ArmClient({ token });
  return client.listIncrementalSnapshots(diskId);
}
