// Microsoft.Authorization/permissions: what the caller may do at a subscription, a resource group
// or a disk or snapshot, as ARM answers it ({ value: [{ actions, notActions, dataActions,
// notDataActions }] }, one entry per role assignment that applies). By default every caller has
// ['*']; emu.setPermissions (or POST /__emulator/permissions) restricts a token or a principal.
import { ArmError } from "../util.mjs";
import { methodNotAllowed } from "./errors.mjs";

export function listPermissions(ctx, scope) {
  if (ctx.method !== "GET") throw methodNotAllowed(ctx);
  return { status: 200, body: { value: ctx.entra.permissionsAt(ctx.caller, scope) } };
}

/** A service principal's token used on a subscription of another tenant: 401, as ARM answers it. */
export function checkTokenTenant(ctx, sub, isGuid) {
  const c = ctx.caller;
  if (!c || c.kind !== "servicePrincipal" || !isGuid(c.tenantId) || !isGuid(sub.tenantId)) return;
  if (c.tenantId.toLowerCase() === sub.tenantId.toLowerCase()) return;
  throw new ArmError(
    401,
    "InvalidAuthenticationTokenTenant",
    `The access token is from the wrong issuer 'https://sts.windows.net/${c.tenantId}/'. It must match the tenant 'https://sts.windows.net/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${sub.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    {
      headers: {
        "WWW-Authenticate": `Bearer authorization_uri="https://login.windows.net/${sub.tenantId}", error="invalid_token", error_description="The access token is from the wrong issuer."`,
      },
    },
  );
}
