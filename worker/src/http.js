// HTTP plumbing of the worker: JSON responses, errors, CORS, bounded body reading.

/** A failure the worker answers with: `{ error: { code, message, ... } }` and `status`. */
export class HttpError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/**
 * HTTP status for each error code of the package (every code of `errorCodes()`, checked by
 * tests/node/error-codes.test.mjs). ARM_ERROR answers with ARM's own status when it is 4xx/5xx.
 */
export const STATUS_OF_CODE = {
  INVALID_ARGUMENT: 400,
  INVALID_RESOURCE_ID: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  THROTTLED: 429,
  ARM_ERROR: 502,
  OPERATION_FAILED: 502,
  UNTRUSTED_URL: 502,
  INVALID_RESPONSE: 502,
  NETWORK: 502,
  TIMEOUT: 504,
  ABORTED: 504,
};

/**
 * Maps anything thrown to an HttpError. The package's errors come already scrubbed of every form
 * of the caller's token (in every field, once, in the core); anything else becomes a generic 500
 * with no message of its own, so nothing here repeats that rule.
 */
export function toHttpError(err) {
  if (err instanceof HttpError) return err;
  if (err && typeof err === "object" && err.name === "AzureSnapshotsError" && typeof err.code === "string") {
    let status = STATUS_OF_CODE[err.code];
    if (err.code === "ARM_ERROR") {
      status = Number.isInteger(err.status) && err.status >= 400 && err.status <= 599 ? err.status : 502;
    }
    if (!status) status = 502;
    const extra = {};
    if (err.field) extra.field = err.field;
    if (Array.isArray(err.violations) && err.violations.length) extra.violations = err.violations;
    if (err.armCode) extra.armCode = err.armCode;
    if (err.requestId) extra.requestId = err.requestId;
    if (err.target) extra.target = err.target;
    if (Number.isInteger(err.status)) extra.armStatus = err.status;
    if (Array.isArray(err.details) && err.details.length) extra.details = err.details;
    const e = new HttpError(status, err.code, String(err.message ?? err.code), extra);
    if (typeof err.retryAfterMs === "number" && err.retryAfterMs >= 0) e.retryAfterMs = err.retryAfterMs;
    return e;
  }
  return new HttpError(500, "INTERNAL", "the worker failed to handle the request");
}

const BASE_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function json(body, status = 200, headers = {}) {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { ...BASE_HEADERS, ...headers },
  });
}

export function errorResponse(err) {
  const error = { code: err.code, message: err.message, ...err.extra };
  const headers = { ...(err.headers ?? {}) };
  if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="azure-incremental-snapshots"';
  if (err.retryAfterMs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  else if (err.status === 429) headers["retry-after"] = "1";
  return json({ error }, err.status, headers);
}

// ---- CORS -------------------------------------------------------------------------------------

export const ALLOWED_METHODS = "GET, PUT, POST, DELETE, OPTIONS";
const ALLOWED_HEADERS = "Authorization, Content-Type";
const EXPOSED_HEADERS = "Location, Retry-After, X-Request-Id";

/** The configured origins, normalised (scheme://host[:port], lower case, no trailing slash). */
export function allowedOrigins(env) {
  return new Set(
    String(env?.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase().replace(/\/+$/, ""))
      .filter((s) => s && s !== "*" && s !== "null"),
  );
}

export function originAllowed(origin, env) {
  if (!origin) return false;
  return allowedOrigins(env).has(origin.toLowerCase());
}

/** The CORS headers for an actual (non-preflight) response: none unless the origin is listed. */
export function corsHeaders(request, env) {
  const origin = request.headers.get("origin");
  if (!originAllowed(origin, env)) return { vary: "Origin" };
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": EXPOSED_HEADERS,
    vary: "Origin",
  };
}

/** OPTIONS: 204 with the preflight headers for a listed origin, 403 for any other. */
export function preflight(request, env) {
  const origin = request.headers.get("origin");
  if (!origin) {
    return new Response(null, { status: 204, headers: { allow: ALLOWED_METHODS, "cache-control": "no-store" } });
  }
  if (!originAllowed(origin, env)) {
    throw new HttpError(403, "ORIGIN_NOT_ALLOWED", "this origin is not allowed to call the API");
  }
  const method = (request.headers.get("access-control-request-method") ?? "").toUpperCase();
  if (method && !["GET", "PUT", "POST", "DELETE"].includes(method)) {
    throw new HttpError(403, "ORIGIN_NOT_ALLOWED", `method ${method} is not allowed`);
  }
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "600",
      vary: "Origin",
      "cache-control": "no-store",
    },
  });
}

// ---- bodies -----------------------------------------------------------------------------------

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON object body of at most `limit` bytes (413 above it), `{}` when empty. */
export async function readJsonObject(request, limit = MAX_BODY_BYTES) {
  const type = request.headers.get("content-type");
  if (type && !/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be JSON (Content-Type: application/json)");
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new HttpError(413, "PAYLOAD_TOO_LARGE", `the body is larger than ${limit} bytes`);
  }
  if (!request.body) return {};
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, "PAYLOAD_TOO_LARGE", `the body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the body is not valid UTF-8");
  }
  if (text.trim() === "") return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "INVALID_ARGUMENT", "the body must be a JSON object", { field: "body" });
  }
  return value;
}
