// Long-running operations the Compute way: a 202 with both `Azure-AsyncOperation` and `Location`
// (…/providers/Microsoft.Compute/locations/{region}/DiskOperations/{id}?p=…), an operation body
// `{ startTime, endTime?, status, properties: { output }, name }`, and a monitor (Location) URL
// that answers 202 while running and the final result when done.
import { live } from "./util.mjs";

const FOREIGN_ORIGIN = "https://evil.example.com";

/**
 * Create an operation.
 * - finish(outcome) applies the result to the state once the operation ends.
 * - output() gives the `properties.output` / Location body of a successful operation (or undefined).
 */
export function createOperation(store, ctx, { kind, region, subscriptionId, finish, output, polls }) {
  const lroFault = ctx.takeFault(["lroFailed", "lroCanceled"]);
  const foreign = ctx.takeFault(["foreignPoll"]);
  const op = {
    id: live.uuid(),
    p: live.uuid(),
    kind,
    region,
    subscriptionId,
    apiVersion: ctx.apiVersion,
    remaining: polls ?? store.options.lroPolls,
    outcome: lroFault ? (lroFault.kind === "lroFailed" ? "Failed" : "Canceled") : "Succeeded",
    errorMessage: lroFault?.message,
    startMs: store.now(),
    startTime: store.timestamp(),
    endTime: undefined,
    status: "InProgress",
    finish,
    output,
    result: undefined,
    foreign: Boolean(foreign),
  };
  store.operations.set(op.id.toLowerCase(), op);
  if (store.operations.size > 20000) {
    const oldest = store.operations.keys().next().value;
    store.operations.delete(oldest);
  }
  return op;
}

export function operationUrls(op, baseUrl) {
  const origin = op.foreign ? FOREIGN_ORIGIN : baseUrl;
  const base = `${origin}/subscriptions/${op.subscriptionId}/providers/Microsoft.Compute/locations/${op.region}/DiskOperations/${op.id}?p=${op.p}`;
  const t = `&t=${(BigInt(op.startMs) * 10000n + 621355968000000000n).toString()}`;
  return {
    asyncOperation: `${base}&api-version=${op.apiVersion}${t}`,
    location: `${base}&monitor=true&api-version=${op.apiVersion}${t}`,
  };
}

/** Headers of the 202 that starts an operation. */
export function operationHeaders(op, baseUrl, retryAfterSeconds) {
  const urls = operationUrls(op, baseUrl);
  const h = { "Azure-AsyncOperation": urls.asyncOperation, Location: urls.location };
  if (retryAfterSeconds !== null && retryAfterSeconds !== undefined) h["Retry-After"] = String(retryAfterSeconds);
  return h;
}

/** Complete the operation now (idempotent). */
export function completeOperation(store, op) {
  if (op.status !== "InProgress") return op;
  op.status = op.outcome;
  op.endTime = store.timestamp();
  try {
    op.finish?.(op.outcome);
  } finally {
    if (op.outcome === "Succeeded" && op.output) op.result = op.output();
  }
  return op;
}

/** One observation of a running operation: counts down, then completes. Returns true if done. */
export function tickOperation(store, op) {
  if (op.status !== "InProgress") return true;
  if (op.remaining > 0) {
    op.remaining -= 1;
    return false;
  }
  completeOperation(store, op);
  return true;
}

/** Body of an Azure-AsyncOperation poll. */
export function operationBody(op) {
  const body = { startTime: op.startTime };
  if (op.status !== "InProgress") body.endTime = op.endTime;
  body.status = op.status;
  if (op.status === "Succeeded" && op.result !== undefined) body.properties = { output: op.result };
  if (op.status === "Failed") {
    body.error = {
      code: "InternalOperationError",
      message: op.errorMessage || "An internal execution error occurred. Please retry later.",
    };
  }
  if (op.status === "Canceled") {
    body.error = { code: "OperationCanceled", message: op.errorMessage || "The operation was canceled." };
  }
  body.name = op.id;
  return body;
}
