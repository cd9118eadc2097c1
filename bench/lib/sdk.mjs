// @azure/arm-compute set up against the loopback emulator. The SDK refuses to send a bearer token
// over plain http, so its bearerTokenAuthenticationPolicy is removed and a one-line policy sets
// the Authorization header instead (as the issue prescribes). Everything else (retries, paging,
// LRO polling, deserialization into models) is the SDK's own.
import { ComputeManagementClient } from "@azure/arm-compute";

export function sdkClient({ url, token, subscriptionId }) {
  const origin = new URL(url).origin;
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  const client = new ComputeManagementClient(credential, subscriptionId, {
    endpoint: origin,
    credentials: { scopes: [`${origin}/.default`] },
    // The SDK's http client also refuses plain http unless told: loopback only here.
    allowInsecureConnection: true,
  });
  const removed = client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
  if (!removed || removed.length === 0)
    throw new Error("the SDK pipeline had no bearerTokenAuthenticationPolicy to remove");
  client.pipeline.addPolicy({
    name: "benchLoopbackBearer",
    sendRequest: (request, next) => {
      request.headers.set("Authorization", `Bearer ${token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return client;
}

/**
 * The disk's chain through the SDK: listByResourceGroup page by page, each page filtered as it
 * arrives (so at most one page of models is alive), then sorted oldest first.
 */
export async function sdkListChain(client, resourceGroup, disk, filterPage, sortChain, maxPages = 10_000) {
  let chain = [];
  let pages = 0;
  for await (const page of client.snapshots.listByResourceGroup(resourceGroup).byPage()) {
    chain = chain.concat(filterPage(disk, page));
    if (++pages > maxPages) throw new Error("sdk listing did not end");
  }
  return sortChain(chain);
}
