// The ARM errors the routes throw, worded and coded as ARM words and codes them.
import { ArmError, normLocation } from "../util.mjs";

const gateway = () => ({ "x-ms-failure-cause": "gateway" });

export const notFound = (type, name, rg) =>
  new ArmError(
    404,
    "ResourceNotFound",
    `The Resource 'Microsoft.Compute/${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    { headers: gateway() },
  );
export const invalidParam = (message, target) => new ArmError(400, "InvalidParameter", message, { target });
export const notAllowed = (message) => new ArmError(409, "OperationNotAllowed", message);
export const noRoute = (ctx) => new ArmError(404, "NotFound", `No route matches '${ctx.path}'.`);
export const locationRequired = () =>
  new ArmError(400, "LocationRequired", "The location property is required for this definition.");
export const resourceGroupNotFound = (name) =>
  new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`, { headers: gateway() });
export const subscriptionNotFound = (id) =>
  new ArmError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`, { headers: gateway() });

export function methodNotAllowed(ctx) {
  return new ArmError(
    405,
    "MethodNotAllowed",
    `The requested method '${ctx.method}' is not allowed for this resource.`,
  );
}

export function invalidResourceType(ctx, ns = "Microsoft.Compute", type = "") {
  return new ArmError(
    404,
    "InvalidResourceType",
    `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${ctx.apiVersion}'.`,
  );
}

/** PUT on an existing name in another region: refused, the name is taken there. */
export function checkSameLocation(body, r) {
  if (body.location !== undefined && normLocation(body.location) !== r.location) {
    throw new ArmError(
      409,
      "InvalidResourceLocation",
      `The resource '${r.name}' already exists in location '${r.location}' in resource group '${r.resourceGroup}'. A resource with the same name cannot be created in location '${normLocation(body.location)}'. Please select a new resource name.`,
    );
  }
}
