// Restores: `POST /v1/restores` makes a managed disk from an incremental snapshot (createOption
// Copy, in its region) or from a page blob the differential copy wrote (Import), with the
// caller's token, through the package's `ArmClient.restoreDisk`; `GET /v1/restores/{operation}`
// reports the disk's provisioning and hydration. Every rule is the package's, checked before any
// request; the blob URL goes to ARM in the body and is never fetched (its SAS never shown).
import { HttpError, json, readJsonObject, toHttpError } from "./http.js";
import { freeClient, makeClient, settings } from "./arm.js";
import { bearerToken, flag, onlyQuery } from "./validate.js";

/** Keys the worker sets itself, or that are not JSON. */
const RESERVED = ["wait", "signal", "onProgress", "fetch", "token", "endpoint"];
const MAX_TOKEN = 2048;

const b64url = (text) => {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

function unb64url(token) {
  const bin = atob(token.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((token.length + 3) % 4));
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** The status path of a restored disk: base64url of `{ restore: diskId }` (never a token or SAS). */
export const restoreStatusPath = (diskId) => `/v1/restores/${b64url(JSON.stringify({ restore: diskId }))}`;

/** The disk id of a status token, checked to be a disk id by the package. */
function diskIdOf(pkg, token) {
  const invalid = () =>
    new HttpError(400, "INVALID_ARGUMENT", "not a restore operation of this API", { field: "operation" });
  if (typeof token !== "string" || token.length > MAX_TOKEN || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let value;
  try {
    value = JSON.parse(unb64url(token));
  } catch {
    throw invalid();
  }
  if (!value || typeof value !== "object" || Object.keys(value).join() !== "restore") throw invalid();
  let parsed;
  try {
    parsed = pkg.parseResourceId(value.restore);
  } catch {
    throw invalid();
  }
  if (String(parsed.resourceType).toLowerCase() !== "microsoft.compute/disks") throw invalid();
  return parsed.id;
}

function answer(ctx, disk, diskId, status) {
  const path = restoreStatusPath(diskId);
  const headers = { location: new URL(path, ctx.url).href };
  if (status === 202) headers["retry-after"] = String(settings(ctx.env).retryAfter);
  return json({ disk, status: path }, status, headers);
}

/** `POST /v1/restores[?wait=true]` with `{ source, name, ...restoreDisk options }`. */
export async function postRestore(ctx, pkg) {
  onlyQuery(ctx.url, ["wait"]);
  const wait = flag(ctx.url, "wait");
  const token = bearerToken(ctx.request);
  const body = await readJsonObject(ctx.request);
  for (const k of RESERVED) {
    if (Object.prototype.hasOwnProperty.call(body, k)) {
      const hint = k === "wait" ? " (use the ?wait=true query parameter)" : "";
      throw new HttpError(400, "INVALID_ARGUMENT", `'${k}' cannot be set in the body${hint}`, { field: k });
    }
  }
  const { source, ...options } = body;
  if (source === undefined || source === null) {
    throw new HttpError(
      400,
      "INVALID_ARGUMENT",
      "source is required: a snapshot id or { sourceUri, storageAccountId }",
      {
        field: "source",
      },
    );
  }
  const s = settings(ctx.env);
  const ms = wait ? s.waitMs : s.callMs;
  const signal = AbortSignal.timeout(ms);
  const client = makeClient(ctx.env, token);
  let id = null;
  const onProgress = (p) => {
    if (p && typeof p.id === "string") id = p.id;
  };
  try {
    const disk = await client.restoreDisk(source, { ...options, wait, signal, onProgress });
    return answer(ctx, disk, disk?.id ?? id, wait ? 201 : 202);
  } catch (err) {
    if (signal.aborted && err && err.code === "ABORTED") {
      if (!wait || !id) throw new HttpError(504, "TIMEOUT", `ARM did not answer within ${Math.round(ms / 1000)} s`);
      // Still hydrating: the status URL tells the rest.
      return answer(ctx, { id }, id, 202);
    }
    throw toHttpError(err);
  } finally {
    freeClient(client);
  }
}

/** `GET /v1/restores/{operation}`: 202 while provisioning or hydrating, else 200 with the outcome. */
export async function restoreStatus(ctx, pkg) {
  onlyQuery(ctx.url, []);
  const diskId = diskIdOf(pkg, ctx.params.token);
  const client = makeClient(ctx.env, bearerToken(ctx.request));
  try {
    const disk = await client.getDisk(diskId, { signal: AbortSignal.timeout(settings(ctx.env).callMs) });
    const props = disk?.properties ?? {};
    const state = String(props.provisioningState ?? "");
    const percent = typeof props.completionPercent === "number" ? props.completionPercent : null;
    const read = pkg.operationStatus(state);
    let status = "InProgress";
    if (read === "Failed") status = "Failed";
    else if (read === "Succeeded" && (percent === null || percent >= 100)) status = "Succeeded";
    const out = { status, kind: "restore", provisioningState: state || null, completionPercent: percent, disk };
    if (status !== "InProgress") return json(out, 200);
    return json(out, 202, { "retry-after": String(settings(ctx.env).retryAfter), location: ctx.url.href });
  } catch (err) {
    throw toHttpError(err);
  } finally {
    freeClient(client);
  }
}
