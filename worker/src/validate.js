// Validation of everything a request brings before any ARM call: the bearer token, the path
// segments (rebuilt into an ARM id and checked with the package's parseResourceId), the query.
import { blobUrlAllowed } from "./arm.js";
import { HttpError } from "./http.js";

/** RFC 6750 b64token: what a bearer token may contain. */
const TOKEN_RE = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN = 16 * 1024;

/** The caller's bearer token, or a 401. */
export function bearerToken(request) {
  const header = request.headers.get("authorization");
  if (!header) throw new HttpError(401, "UNAUTHORIZED", "an Authorization: Bearer <ARM token> header is required");
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m || m[1].length > MAX_TOKEN || !TOKEN_RE.test(m[1])) {
    throw new HttpError(401, "UNAUTHORIZED", "the Authorization header must be 'Bearer <ARM token>'");
  }
  return m[1];
}

/**
 * The path of the request as segments, decoded, refusing anything that could change what the
 * path means once decoded: encoded dots, slashes, backslashes, NULs, dot segments, empty segments.
 * `rawUrl` is the request URL as the runtime gives it (before any normalisation of ours).
 */
export function pathSegments(rawUrl) {
  const afterScheme = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const rawPath = afterScheme.split(/[?#]/, 1)[0] || "/";
  if (rawPath.length > 4096) throw new HttpError(414, "URI_TOO_LONG", "the path is too long");
  if (/%(2e|2f|5c|00|25)/i.test(rawPath) || rawPath.includes("\\")) {
    throw bad("the path contains an encoded '.', '/', '\\', '%' or NUL");
  }
  const parts = rawPath.split("/").slice(1);
  if (parts.length && parts[parts.length - 1] === "") parts.pop(); // one trailing slash is fine
  const segments = [];
  for (const part of parts) {
    if (part === "") throw bad("the path contains an empty segment ('//')");
    let seg;
    try {
      seg = decodeURIComponent(part);
    } catch {
      throw bad("the path contains a malformed percent-encoding");
    }
    if (seg === "." || seg === ".." || /[\u0000-\u001f\u007f/\\%]/.test(seg)) {
      throw bad(`the path segment '${printable(seg)}' is not allowed`);
    }
    segments.push(seg);
  }
  return segments;
}

function printable(s) {
  return s.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
}

function bad(message) {
  return new HttpError(400, "INVALID_RESOURCE_ID", message);
}

/**
 * Builds the ARM id of a resource from validated segments and checks it with the package's
 * parseResourceId; the parse must give back exactly the same parts (so nothing was smuggled).
 */
export function resourceId(pkg, { subscriptionId, resourceGroup, type, name }) {
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${type}/${name}`;
  const parsed = parse(pkg, id);
  if (
    parsed.kind !== "resource" ||
    String(parsed.resourceType).toLowerCase() !== `microsoft.compute/${type}` ||
    parsed.subscriptionId?.toLowerCase() !== subscriptionId.toLowerCase() ||
    parsed.resourceGroup?.toLowerCase() !== resourceGroup.toLowerCase() ||
    parsed.name !== name
  ) {
    throw bad(`not a ${type} id: ${printable(id)}`);
  }
  return parsed.id ?? id;
}

/** A snapshot id given as path segments (`subscriptions/…/snapshots/{name}`). */
export function snapshotIdFromSegments(pkg, segments) {
  if (segments.length !== 8)
    throw bad("expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/snapshots/{name}");
  return snapshotId(pkg, "/" + segments.join("/"));
}

/** Checks that `id` is the ARM id of a snapshot (any casing of the fixed segments). */
export function snapshotId(pkg, id) {
  if (typeof id !== "string" || id.length > 1024) throw bad("not a snapshot id");
  const parsed = parse(pkg, id);
  if (
    parsed.kind !== "resource" ||
    String(parsed.resourceType).toLowerCase() !== "microsoft.compute/snapshots" ||
    !parsed.resourceGroup
  ) {
    throw bad(`not a snapshot id: ${printable(id)}`);
  }
  return resourceId(pkg, {
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    type: "snapshots",
    name: parsed.name,
  });
}

function parse(pkg, id) {
  try {
    return pkg.parseResourceId(id);
  } catch (e) {
    if (e && e.name === "AzureSnapshotsError") {
      throw new HttpError(400, "INVALID_RESOURCE_ID", printable(String(e.message)), e.field ? { field: e.field } : {});
    }
    throw e;
  }
}

/** A boolean query flag: absent → false; true/1/yes → true; false/0/no → false; else 400. */
export function flag(url, name) {
  const v = url.searchParams.get(name);
  if (v === null) return false;
  if (/^(true|1|yes|)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new HttpError(400, "INVALID_ARGUMENT", `query parameter '${name}' must be true or false`, { field: name });
}

/** Only the listed query parameters, each at most once. */
export function onlyQuery(url, names) {
  const seen = new Set();
  for (const key of url.searchParams.keys()) {
    if (!names.includes(key)) {
      throw new HttpError(400, "INVALID_ARGUMENT", `unknown query parameter '${printable(key)}'`, {
        field: printable(key),
      });
    }
    if (seen.has(key))
      throw new HttpError(400, "INVALID_ARGUMENT", `query parameter '${key}' is repeated`, { field: key });
    seen.add(key);
  }
}

// ---- operation tokens ----------------------------------------------------------------------

const KINDS = ["create", "copy"];

function b64urlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlDecode(token) {
  const b64 = token.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((token.length + 3) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The operation token: base64url of `{ id, kind }`. It never holds the bearer token. */
export function operationToken(id, kind) {
  return b64urlEncode(JSON.stringify({ id, kind }));
}

export function readOperationToken(pkg, token) {
  const invalid = () =>
    new HttpError(400, "INVALID_ARGUMENT", "not an operation token of this API", { field: "operation" });
  if (typeof token !== "string" || token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let value;
  try {
    value = JSON.parse(b64urlDecode(token));
  } catch {
    throw invalid();
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || !KINDS.includes(value.kind)) throw invalid();
  if (Object.keys(value).some((k) => k !== "id" && k !== "kind")) throw invalid();
  return { id: snapshotId(pkg, value.id), kind: value.kind };
}

// ---- replication targets -----------------------------------------------------------------

const MAX_TARGET_URL = 4096;

/**
 * The target of a replication: a page blob SAS URL (https, or http on loopback when ARM is on
 * loopback; a `sig`; a container and a blob). No message repeats any part of it: it is a secret.
 */
export function targetBlobUrl(value, armOrigin) {
  const bad = (why) => new HttpError(400, "INVALID_ARGUMENT", `targetUrl ${why}`, { field: "targetUrl" });
  if (typeof value !== "string" || value === "") throw bad("(a page blob SAS URL) is required");
  if (value.length > MAX_TARGET_URL) throw bad(`is longer than ${MAX_TARGET_URL} characters`);
  let url;
  try {
    url = new URL(value);
  } catch {
    throw bad("is not a URL");
  }
  if (!blobUrlAllowed(url, armOrigin)) throw bad("must be https (and carry no user name or password)");
  if (url.hash) throw bad("must not have a fragment");
  if (!url.searchParams.get("sig")) throw bad("must be a SAS URL (with a sig)");
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts.length < 2) throw bad("must name a container and a blob");
  if (url.searchParams.has("snapshot")) throw bad("must name a blob, not a blob snapshot");
  return value;
}
