// Operation polls: GET …/locations/{region}/DiskOperations/{id}, the Azure-AsyncOperation status
// (always 200 with the operation body) and the Location monitor (202 while running, then the result).
import { ArmError, normLocation } from "../util.mjs";
import { operationHeaders, tickOperation, operationBody } from "../lro.mjs";

export function pollOperation(ctx, region, opId) {
  const store = ctx.store;
  const op = store.operations.get(String(opId).toLowerCase());
  const p = ctx.query.get("p");
  if (
    !op ||
    op.subscriptionId.toLowerCase() !== ctx.sub.subscriptionId.toLowerCase() ||
    op.region !== normLocation(region) ||
    (p !== null && p !== op.p)
  ) {
    throw new ArmError(404, "NotFound", `The operation '${opId}' could not be found in location '${region}'.`);
  }
  tickOperation(store, op);
  const monitor = (ctx.query.get("monitor") || "").toLowerCase() === "true";
  if (!monitor) return { status: 200, body: operationBody(op) };
  if (op.status === "InProgress") {
    const h = operationHeaders(op, ctx.baseUrl, store.options.retryAfterSeconds);
    return {
      status: 202,
      headers: { Location: h.Location, ...(h["Retry-After"] ? { "Retry-After": h["Retry-After"] } : {}) },
    };
  }
  if (op.status === "Succeeded") {
    return op.result === undefined ? { status: 200 } : { status: 200, body: op.result };
  }
  const b = operationBody(op);
  throw new ArmError(op.status === "Failed" ? 500 : 409, b.error.code, b.error.message);
}
