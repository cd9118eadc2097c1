// Fault injection. A fault is `{ route, kind, count = 1, ... }`; `route` is "*", a string
// "METHOD pattern" where pattern is a case-insensitive piece of the path+query in which `*`
// matches any run of characters and every other character is itself (METHOD may be "*" or left
// out), or, from code in the same process only, a RegExp tested against "METHOD /path?query".
// Patterns are never compiled to regular expressions, so no input can make matching slow.
// Immediate kinds answer the request themselves (throttle, status, drop, truncate, latency);
// deferred kinds change what the request produces (lroFailed, lroCanceled, foreignNextLink,
// foreignPoll) and are used up when that thing is produced.

export const IMMEDIATE_KINDS = ["throttle", "status", "drop", "truncate", "latency"];
export const DEFERRED_KINDS = ["lroFailed", "lroCanceled", "foreignNextLink", "foreignPoll"];
const KINDS = [...IMMEDIATE_KINDS, ...DEFERRED_KINDS];

/** Bounds of a fault and of the list of active faults. */
export const FAULT_LIMITS = {
  active: 100, // active faults at a time (and faults per request)
  route: 200, // characters of a route
  count: 1000000, // a finite count (-1 = always)
  latencyMs: 120000, // a latency fault's delay
  retryAfter: 86400, // seconds
  retryAfterMs: 86400000,
  code: 200,
  message: 2000,
};
const FAULT_KEYS = new Set([
  "route",
  "kind",
  "count",
  "status",
  "retryAfter",
  "retryAfterMs",
  "ms",
  "latencyMs",
  "code",
  "message",
]);
const L = FAULT_LIMITS;

const isNum = (v, lo, hi) => typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi;

/** Check and normalise one fault; throws an Error with a message for the caller when it is not usable. */
export function normalizeFault(f) {
  if (!f || typeof f !== "object" || Array.isArray(f) || f instanceof RegExp)
    throw new Error("a fault must be a JSON object");
  for (const k of Object.keys(f)) {
    if (!FAULT_KEYS.has(k))
      throw new Error(`unknown fault property '${String(k).slice(0, 40)}'; known: ${[...FAULT_KEYS].join(", ")}`);
  }
  const kind = f.kind;
  if (typeof kind !== "string" || !KINDS.includes(kind))
    throw new Error(`unknown fault kind '${String(kind).slice(0, 40)}'; expected one of ${KINDS.join(", ")}`);
  const route = f.route ?? "*";
  if (!(route instanceof RegExp) && typeof route !== "string")
    throw new Error('route must be a string such as "GET /providers/Microsoft.Compute/snapshots" or "PUT snapshots/*"');
  if (typeof route === "string" && route.length > L.route)
    throw new Error(`route must be at most ${L.route} characters`);
  let count = f.count ?? 1;
  if (count === -1 || count === null || count === "Infinity") count = Infinity;
  else if (!(Number.isInteger(count) && count >= 1 && count <= L.count))
    throw new Error(`count must be an integer from 1 to ${L.count}, or -1 for always`);
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) {
    throw new Error("status must be an HTTP error status (400 to 599)");
  }
  if (f.retryAfter !== undefined && f.retryAfter !== null && !isNum(f.retryAfter, 0, L.retryAfter)) {
    throw new Error(`retryAfter must be a number of seconds from 0 to ${L.retryAfter}, or null`);
  }
  if (f.retryAfterMs !== undefined && f.retryAfterMs !== null && !isNum(f.retryAfterMs, 0, L.retryAfterMs)) {
    throw new Error(`retryAfterMs must be a number from 0 to ${L.retryAfterMs}, or null`);
  }
  for (const k of ["ms", "latencyMs"]) {
    if (f[k] !== undefined && !isNum(f[k], 0, L.latencyMs))
      throw new Error(`${k} must be a number of milliseconds from 0 to ${L.latencyMs}`);
  }
  if (f.code !== undefined && !(typeof f.code === "string" && /^[A-Za-z0-9_.-]{1,200}$/.test(f.code))) {
    throw new Error(`code must be 1 to ${L.code} letters, digits, '_', '.' or '-'`);
  }
  if (f.message !== undefined && !(typeof f.message === "string" && f.message.length <= L.message)) {
    throw new Error(`message must be a string of at most ${L.message} characters`);
  }
  const out = { route, kind, count, fired: 0 };
  for (const k of ["status", "retryAfter", "retryAfterMs", "ms", "latencyMs", "code", "message"])
    if (f[k] !== undefined) out[k] = f[k];
  return out;
}

/**
 * A matcher for a glob: a case-insensitive piece of the text where `*` is any run of characters.
 * Leftmost matching of each literal part in turn is exact for unanchored globs, takes
 * O(text × pattern) at worst, and never backtracks.
 */
export function globMatcher(pattern) {
  const parts = pattern
    .toLowerCase()
    .split("*")
    .filter((p) => p !== "");
  return (text) => {
    const t = text.toLowerCase();
    let at = 0;
    for (const part of parts) {
      const i = t.indexOf(part, at);
      if (i < 0) return false;
      at = i + part.length;
    }
    return true;
  };
}

const METHODS = new Set(["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"]);

function compileRoute(route) {
  if (route instanceof RegExp) return (method, url) => route.test(`${method} ${url}`);
  const text = route.trim();
  if (text === "*" || text === "") return () => true;
  let method = "*";
  let pattern = text;
  const space = text.search(/\s/);
  if (space > 0 && METHODS.has(text.slice(0, space).toUpperCase())) {
    method = text.slice(0, space).toUpperCase();
    pattern = text.slice(space).trim();
  }
  const test = globMatcher(pattern);
  return (m2, url) => (method === "*" || method === m2) && test(url);
}

export class FaultSet {
  constructor(initial = []) {
    this.list = [];
    for (const f of initial) this.add(f);
  }
  add(f) {
    return this.addAll([f])[0];
  }
  /** Add faults all or none: each is checked, and the list stays within FAULT_LIMITS.active. */
  addAll(faults) {
    if (!Array.isArray(faults) || faults.length === 0) throw new Error("give one fault or a non-empty array of faults");
    if (this.list.length + faults.length > L.active) {
      throw new Error(`at most ${L.active} faults may be active at a time (${this.list.length} are); clear some first`);
    }
    const ns = faults.map((f) => {
      const n = normalizeFault(f);
      n.matches = compileRoute(n.route);
      return n;
    });
    this.list.push(...ns);
    return ns;
  }
  clear() {
    this.list = [];
  }
  describe() {
    return this.list.map(({ matches, ...rest }) => ({
      ...rest,
      route: rest.route instanceof RegExp ? String(rest.route) : rest.route,
      count: rest.count === Infinity ? -1 : rest.count,
    }));
  }
  use(f) {
    f.count -= 1;
    f.fired += 1;
    if (f.count <= 0) this.list = this.list.filter((x) => x !== f);
    return f;
  }
  /** The first immediate fault matching the request, used up by one. */
  takeImmediate(method, url) {
    const f = this.list.find((x) => IMMEDIATE_KINDS.includes(x.kind) && x.matches(method, url));
    return f ? this.use(f) : null;
  }
  /** The first deferred fault of one of `kinds` matching the request, used up by one. */
  takeDeferred(kinds, method, url) {
    const f = this.list.find((x) => kinds.includes(x.kind) && x.matches(method, url));
    return f ? this.use(f) : null;
  }
}

const STATUS_CODES = {
  408: ["RequestTimeout", "The request timed out."],
  500: ["InternalServerError", "Encountered internal server error. Diagnostic information: timestamp, tracking ids."],
  502: [
    "BadGateway",
    "The gateway did not receive a response from the resource provider within the specified time period.",
  ],
  503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry later."],
  504: ["GatewayTimeout", "The gateway did not receive a response within the specified time period."],
};

/** Status, code, message and headers of an error-answering fault (throttle or status). */
export function faultReply(f) {
  const headers = {};
  if (f.kind === "throttle") {
    const retryAfter = f.retryAfter === undefined ? 1 : f.retryAfter;
    if (retryAfter !== null) headers["Retry-After"] = String(retryAfter);
    if (f.retryAfterMs !== undefined && f.retryAfterMs !== null) {
      headers["retry-after-ms"] = String(f.retryAfterMs);
      headers["x-ms-retry-after-ms"] = String(f.retryAfterMs);
    }
    return {
      status: f.status ?? 429,
      code: f.code ?? "TooManyRequests",
      message:
        f.message ??
        "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:03:00. For more information, see - https://aka.ms/throttling",
      headers,
    };
  }
  const status = f.status ?? 500;
  const [code, message] = STATUS_CODES[status] || ["InternalServerError", `Injected failure with status ${status}.`];
  if (f.retryAfter !== undefined && f.retryAfter !== null) headers["Retry-After"] = String(f.retryAfter);
  return { status, code: f.code ?? code, message: f.message ?? message, headers };
}
