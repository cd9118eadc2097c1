// Errors in plain words. The package throws AzureSnapshotsError objects with a stable `code`,
// `field`, `violations`, `status`, `armCode`, `requestId`, `retryAfterMs`; anything else (a bug,
// a failed module load) is shown too, never swallowed.

/** A title for each error code of the package (every code of `errorCodes()`, checked by tests/node/error-codes.test.mjs). */
export const TITLES = {
  INVALID_ARGUMENT: "Some values are not valid",
  INVALID_RESOURCE_ID: "That is not a valid Azure resource id",
  INVALID_JSON: "Azure sent something this page could not read",
  NOT_FOUND: "Not found",
  UNAUTHORIZED: "Your sign-in has expired or is not valid",
  FORBIDDEN: "You don't have permission to do that",
  CONFLICT: "That conflicts with what already exists",
  THROTTLED: "Azure is throttling requests",
  OPERATION_FAILED: "The operation failed in Azure",
  ARM_ERROR: "Azure Resource Manager returned an error",
  NETWORK: "Azure could not be reached",
  ABORTED: "Cancelled",
  UNTRUSTED_URL: "A reply pointed somewhere this page does not trust",
  INVALID_RESPONSE: "A reply from Azure could not be read",
  TIMEOUT: "This is taking longer than the page waits",
};

function advice(e) {
  const secs = e.retryAfterMs ? Math.max(1, Math.ceil(e.retryAfterMs / 1000)) : null;
  switch (e.code) {
    case "UNAUTHORIZED":
      return e.armCode === "ExpiredAuthenticationToken"
        ? "The access token has expired. Sign in again (or paste a fresh token from az account get-access-token)."
        : "Azure did not accept the access token. Sign in again, and check that the token is for this cloud's Resource Manager.";
    case "FORBIDDEN":
      return "Your account lacks the role needed here, for example Disk Snapshot Contributor or Contributor on the resource group. Ask an owner of the subscription, then sign in again.";
    case "NOT_FOUND":
      return "It may have been deleted or renamed, or it is in another subscription. Go back and refresh the list.";
    case "THROTTLED":
      return `Too many requests in a short time; the page already retried. ${secs ? `Wait about ${secs} s` : "Wait a little"} and try again.`;
    case "CONFLICT":
      if (isRateLimited(e)) {
        const at = nextAllowedAt(e);
        return `Azure allows 7 snapshots of one disk per 5 minutes; the next one is possible at ${at ? fmtClock(at) : "about 5 minutes after the oldest of the last 7"}.`;
      }
      if (e.armCode === "OperationNotAllowed") return "Azure does not allow this now; the message above says why.";
      return "Something with that name already exists or is busy. Pick another snapshot name, or refresh to see the current state.";
    case "NETWORK":
      return "Check your connection. If you use a proxy or a firewall, it must allow the Resource Manager endpoint.";
    case "ABORTED":
      return "Nothing more will be waited for. If Azure had already accepted the request, the operation may still finish there: refresh to see.";
    case "OPERATION_FAILED":
      return "Azure accepted the request but the operation did not complete. The details below say why.";
    case "TIMEOUT":
      return "Azure may still be working on it. Refresh in a while to see the result.";
    case "UNTRUSTED_URL":
      return "The request was stopped so that the token is never sent to another host.";
    default:
      return "";
  }
}

/**
 * ARM's 409 OperationNotAllowed for the 8th incremental snapshot of one disk in 5 minutes: by its
 * words, or because the caller saw the disk's chain at the limit (`rateLimited`).
 */
export function isRateLimited(e) {
  return (
    Boolean(e) &&
    e.code === "CONFLICT" &&
    e.armCode === "OperationNotAllowed" &&
    (e.rateLimited === true || /5 minutes|per disk|too many/i.test(String(e.message || "")))
  );
}

/**
 * When the next snapshot of the disk is possible (a Date), from what the page knows: a time the
 * caller attached (`nextAllowedAt`, from the chain), else the "Retry after <time>" of ARM's
 * message, else null.
 */
export function nextAllowedAt(e) {
  const given = e?.nextAllowedAt;
  if (given instanceof Date && !Number.isNaN(given.getTime())) return given;
  const m = /retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/i.exec(String(e?.message || ""));
  const d = m ? new Date(m[1]) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

/** A time of day to the second, as the user reads it: "09:20:13". */
export function fmtClock(d) {
  return new Date(d).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
}

/** { title, message, facts: [[label, value]], code, violations } */
export function describeError(e) {
  if (!e || typeof e !== "object") {
    return { title: "Something went wrong", message: String(e), advice: "", facts: [], code: null, violations: [] };
  }
  const code = e.code && TITLES[e.code] ? e.code : null;
  const facts = [];
  if (e.armCode) facts.push(["ARM code", e.armCode]);
  if (e.status) facts.push(["HTTP status", String(e.status)]);
  if (e.requestId) facts.push(["Request id", e.requestId]);
  if (code) facts.push(["Error code", code]);
  if (e.field) facts.push(["Field", e.field]);
  if (e.target) facts.push(["Target", e.target]);
  if (e.retryAfterMs) facts.push(["Retry after", `${Math.ceil(e.retryAfterMs / 1000)} s`]);
  const rateLimited = isRateLimited(e);
  return {
    title: rateLimited ? "Too many snapshots of this disk in 5 minutes" : code ? TITLES[code] : "Something went wrong",
    message: e.message || String(e),
    // A caller that already put the advice in its message says so with adviceText.
    advice:
      typeof e.adviceText === "string"
        ? e.adviceText
        : code
          ? advice(e)
          : "This is probably a bug in the page. Reload it; if it happens again, report what you did.",
    facts,
    code,
    armCode: e.armCode || null,
    requestId: e.requestId || null,
    violations: Array.isArray(e.violations) ? e.violations : [],
    details: Array.isArray(e.details) ? e.details : [],
  };
}
