// The retention view's form values as a policy: the retention rules as the package reads them
// (`planRetention`'s policy and options; the package alone judges them), the schedule checks of the
// worker's policy body, the disks a selector picks, the copy of each new snapshot (the worker's
// `copy` rules), and that body (`PUT /v1/policies/{name}`) with its curl example, shown with a
// SAS URL's signature replaced by a placeholder. Pure: no DOM, no state.

/** The count rules, in the order the package documents them. */
export const COUNT_RULES = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"];

/** The worker's schedule: every N hours, from these. */
export const EVERY_HOURS = [1, 2, 4, 6, 8, 12, 24];

/**
 * A count field's text as the policy value: "" leaves the rule out, a number is a number (the
 * package refuses negatives and fractions), anything else is handed on as text for the package
 * to refuse on that field.
 */
function countValue(text) {
  const t = String(text ?? "").trim();
  if (!t) return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/**
 * Form values → { policy, options }: policy `{ keepLast…keepYearly, keepWithin }` (only the rules
 * set), options `{ includeOrphans, lockTag? }` (lockTag left out when empty: the package's default).
 */
export function retentionOf(values) {
  const policy = {};
  for (const k of COUNT_RULES) {
    const v = countValue(values[k]);
    if (v !== undefined) policy[k] = v;
  }
  const within = String(values.keepWithin ?? "").trim();
  if (within) policy.keepWithin = within;
  const options = { includeOrphans: Boolean(values.includeOrphans) };
  const lockTag = String(values.lockTag ?? "").trim();
  if (lockTag) options.lockTag = lockTag;
  return { policy, options };
}

/** The schedule's violations ({ field, message }), the worker's rules: every N of EVERY_HOURS hours, at HH:MM UTC. */
export function scheduleViolations({ everyHours, at }) {
  const out = [];
  if (!EVERY_HOURS.includes(Number(everyHours)))
    out.push({ field: "schedule.everyHours", message: `every must be one of ${EVERY_HOURS.join(", ")} hours` });
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(String(at ?? "").trim()))
    out.push({ field: "schedule.at", message: "at must be a UTC time HH:MM, 00:00 to 23:59" });
  return out;
}

/** The policy name's violations: it is a path segment of the worker's URL. */
export function nameViolations(name) {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(String(name ?? ""))
    ? []
    : [
        {
          field: "name",
          message: "a name of 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
        },
      ];
}

/** "env=prod, app=web" → { tags: { env: "prod", app: "web" }, violations }. */
export function parseTagSelector(text) {
  const tags = {};
  const violations = [];
  for (const part of String(text ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf("=");
    const key = i > 0 ? part.slice(0, i).trim() : "";
    if (!key) violations.push({ field: "disks.tags", message: `"${part}" is not key=value` });
    else tags[key] = part.slice(i + 1).trim();
  }
  if (!violations.length && !Object.keys(tags).length)
    violations.push({ field: "disks.tags", message: "type at least one tag as key=value" });
  return { tags, violations };
}

/** Whether a disk carries every tag of the selector (tag names compared ignoring case, as Azure does; values exactly). */
export function diskHasTags(disk, tags) {
  const own = Object.entries(disk.tags || {});
  return Object.entries(tags).every(([k, v]) =>
    own.some(([ok, ov]) => ok.toLowerCase() === k.toLowerCase() && ov === v),
  );
}

/**
 * The disks a selector picks: { mode: "all" } every disk of the scope, { mode: "tags", tags },
 * { mode: "ids", ids } (lower-case ids).
 */
export function selectDisks(disks, selector) {
  if (selector.mode === "tags") return disks.filter((d) => diskHasTags(d, selector.tags));
  if (selector.mode === "ids") return disks.filter((d) => selector.ids.has(d.id.toLowerCase()));
  return disks;
}

/**
 * The worker's policy body: { scope, disks: { tags } | { ids }, schedule, retention, enabled }. The
 * worker selects by tags or by ids only, so "all disks" is the ids of the scope's disks now; its
 * `retention` is the package's policy alone (it runs applyRetention per disk with the default
 * options: orphans kept, lock tag retention-lock).
 */
export function workerBody({ scope, selector, disks, schedule, policy, copy, enabled }) {
  const body = { scope };
  body.disks = selector.mode === "tags" ? { tags: selector.tags } : { ids: disks.map((d) => d.id) };
  body.schedule = { everyHours: Number(schedule.everyHours), at: String(schedule.at).trim() };
  body.retention = { ...policy };
  const c = copyOf(copy);
  if (c) body.copy = c;
  body.enabled = Boolean(enabled);
  return body;
}

// ---- the copy of each new snapshot (the worker's `copy`: worker/src/policies.js) -------------

/** The choices: no copy, CopyStart to a region (`copy.location`), differential copy to a page blob (`copy.targetUrl`). */
export const COPY_MODES = ["none", "location", "targetUrl"];

/** What stands for a SAS URL's signature wherever the page shows it (the worker shows, and refuses, the same). */
export const SIG_PLACEHOLDER = "REDACTED";

const LOCATION_RE = /^[a-z0-9]{2,40}$/;
const MAX_TARGET_URL = 4096;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The form's copy values `{ mode, location, targetUrl }` as the body's `copy`, or undefined (no copy). */
export function copyOf(copy) {
  if (copy?.mode === "location") return { location: String(copy.location ?? "").trim() };
  if (copy?.mode === "targetUrl") return { targetUrl: String(copy.targetUrl ?? "").trim() };
  return undefined;
}

/**
 * Why `value` is not a target of the worker's differential copy ({ rule, message }), or null: the
 * worker's rules in its order (a page blob SAS URL: https, or http on loopback; no user or
 * password, no fragment; a `sig` that is not the placeholder; a container and a blob, not a blob
 * snapshot). No message repeats any part of the URL: it is a secret.
 */
export function targetUrlProblem(value) {
  const no = (rule, message) => ({ rule: `copy.targetUrl.${rule}`, message: `the SAS URL ${message}` });
  if (typeof value !== "string" || value === "") return no("type", "is required: a page blob SAS URL");
  if (value.length > MAX_TARGET_URL) return no("length", `is longer than ${MAX_TARGET_URL} characters`);
  let url;
  try {
    url = new URL(value);
  } catch {
    return no("format", "is not a URL");
  }
  const ok = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!ok || url.username || url.password)
    return no("https", "must be https (http only on loopback), without a user name or password");
  if (url.hash) return no("format", "must not have a fragment");
  const sig = url.searchParams.get("sig");
  if (!sig) return no("sas", "must be a SAS URL (with a sig)");
  if (sig === SIG_PLACEHOLDER)
    return no("redacted", `has the placeholder sig=${SIG_PLACEHOLDER}: paste the SAS URL itself`);
  if (url.pathname.split("/").filter(Boolean).length < 2) return no("blob", "must name a container and a blob");
  if (url.searchParams.has("snapshot")) return no("blob", "must name a blob, not a blob snapshot");
  return null;
}

/**
 * The copy's violations ({ field, rule, message }), the worker's rules: a region name (lower-case
 * letters and digits, 2 to 40); a SAS URL (`targetUrlProblem`) for exactly one disk, picked by id
 * (one target blob holds one disk's chain). `selector` and `disks` are the view's selection.
 */
export function copyViolations(copy, { selector, disks }) {
  const c = copyOf(copy);
  const out = [];
  if (c?.location !== undefined && !LOCATION_RE.test(c.location))
    out.push({
      field: "copy.location",
      rule: "copy.location",
      message: "a region name such as northeurope (lower-case letters and digits)",
    });
  if (c?.targetUrl !== undefined) {
    const why = targetUrlProblem(c.targetUrl);
    if (why) out.push({ field: "copy.targetUrl", ...why });
    if (selector?.mode === "tags" || (disks?.length ?? 0) !== 1)
      out.push({
        field: "copy.targetUrl",
        rule: "copy.targetUrl.oneDisk",
        message: `a copy to a blob takes exactly one disk, picked by hand or the only disk of the scope (${selector?.mode === "tags" ? "not a tag selection" : `${disks?.length ?? 0} selected`})`,
      });
  }
  return out;
}

/** A SAS URL with its `sig` value replaced by the placeholder (the rest as the URL parser writes it); the placeholder alone if unreadable. */
export function redactSas(value) {
  try {
    const u = new URL(value);
    if (u.searchParams.has("sig")) u.searchParams.set("sig", SIG_PLACEHOLDER);
    return u.href;
  } catch {
    return SIG_PLACEHOLDER;
  }
}

/** The body as the page shows it (JSON, curl): `copy.targetUrl` with the placeholder for its signature. */
export function shownBody(body) {
  if (!body?.copy?.targetUrl) return body;
  return { ...body, copy: { ...body.copy, targetUrl: redactSas(body.copy.targetUrl) } };
}

/** What the page may show of a SAS URL: the blob (origin and path) and its expiry, never the signature. */
export function sasSummary(value) {
  try {
    const u = new URL(value);
    return { blob: `${u.origin}${u.pathname}`, expires: u.searchParams.get("se") || null };
  } catch {
    return null;
  }
}

/** The options the worker's runs do not take (they use the package's defaults), as words; [] when none. */
export function optionsTheWorkerIgnores(options) {
  const out = [];
  if (options.includeOrphans) out.push("includeOrphans (the worker keeps orphans)");
  if (options.lockTag && options.lockTag.toLowerCase() !== "retention-lock")
    out.push(`lockTag "${options.lockTag}" (the worker's lock tag is retention-lock)`);
  return out;
}

/** A shell-quoted curl example of the PUT (the body as a single-quoted argument). */
export function curlExample(name, body) {
  const text = JSON.stringify(body, null, 2).replace(/'/g, "'\\''");
  return [
    `curl -X PUT "$WORKER_URL/v1/policies/${encodeURIComponent(name)}" \\`,
    `  -H "Authorization: Bearer $(az account get-access-token --query accessToken -o tsv)" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  --data '${text}'`,
  ].join("\n");
}
