// Fault injection. A fault is `{ route, kind, count = 1, ... }`; `route` is "*", a RegExp tested
// against "METHOD /path?query", or a string "METHOD pattern" where pattern is a case-insensitive
// substring of the path+query (or "re:<regex>"); METHOD may be "*" or left out.
// Immediate kinds answer the request themselves (throttle, status, drop, truncate, latency);
// deferred kinds change what the request produces (lroFailed, lroCanceled, foreignNextLink,
// foreignPoll) and are used up when that thing is produced.

export const IMMEDIATE_KINDS = ['throttle', 'status', 'drop', 'truncate', 'latency'];
export const DEFERRED_KINDS = ['lroFailed', 'lroCanceled', 'foreignNextLink', 'foreignPoll'];
const KINDS = [...IMMEDIATE_KINDS, ...DEFERRED_KINDS];

/** Check and normalise one fault; throws a message string when it is not usable. */
export function normalizeFault(f) {
  if (!f || typeof f !== 'object') throw new Error('a fault must be an object');
  const kind = f.kind;
  if (!KINDS.includes(kind)) throw new Error(`unknown fault kind '${kind}'; expected one of ${KINDS.join(', ')}`);
  const route = f.route ?? '*';
  if (!(route instanceof RegExp) && typeof route !== 'string') throw new Error('route must be a string or RegExp');
  let count = f.count ?? 1;
  if (count === -1 || count === null || count === 'Infinity') count = Infinity;
  if (typeof count !== 'number' || !(count > 0)) throw new Error('count must be a positive number (or -1 for always)');
  if (kind === 'status' && f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) {
    throw new Error('status must be an HTTP error status');
  }
  return { ...f, route, kind, count, fired: 0 };
}

function compileRoute(route) {
  if (route instanceof RegExp) return (method, url) => route.test(`${method} ${url}`);
  const text = route.trim();
  if (text === '*' || text === '') return () => true;
  let method = '*';
  let pattern = text;
  const m = /^([A-Za-z]+|\*)\s+(.*)$/.exec(text);
  if (m && /^(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS|\*)$/i.test(m[1])) {
    method = m[1].toUpperCase();
    pattern = m[2].trim();
  }
  let test;
  if (pattern.startsWith('re:')) {
    const re = new RegExp(pattern.slice(3), 'i');
    test = (url) => re.test(url);
  } else {
    const needle = pattern.toLowerCase();
    test = (url) => pattern === '*' || url.toLowerCase().includes(needle);
  }
  return (m2, url) => (method === '*' || method === m2) && test(url);
}

export class FaultSet {
  constructor(initial = []) {
    this.list = [];
    for (const f of initial) this.add(f);
  }
  add(f) {
    const n = normalizeFault(f);
    n.matches = compileRoute(n.route);
    this.list.push(n);
    return n;
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
  408: ['RequestTimeout', 'The request timed out.'],
  500: ['InternalServerError', 'Encountered internal server error. Diagnostic information: timestamp, tracking ids.'],
  502: ['BadGateway', 'The gateway did not receive a response from the resource provider within the specified time period.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response within the specified time period.'],
};

/** Status, code, message and headers of an error-answering fault (throttle or status). */
export function faultReply(f) {
  const headers = {};
  if (f.kind === 'throttle') {
    const retryAfter = f.retryAfter === undefined ? 1 : f.retryAfter;
    if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
    if (f.retryAfterMs !== undefined && f.retryAfterMs !== null) {
      headers['retry-after-ms'] = String(f.retryAfterMs);
      headers['x-ms-retry-after-ms'] = String(f.retryAfterMs);
    }
    return {
      status: f.status ?? 429,
      code: f.code ?? 'TooManyRequests',
      message: f.message ?? 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:03:00. For more information, see - https://aka.ms/throttling',
      headers,
    };
  }
  const status = f.status ?? 500;
  const [code, message] = STATUS_CODES[status] || ['InternalServerError', `Injected failure with status ${status}.`];
  if (f.retryAfter !== undefined && f.retryAfter !== null) headers['Retry-After'] = String(f.retryAfter);
  return { status, code: f.code ?? code, message: f.message ?? message, headers };
}
