// The retention view's form values as a policy: the retention rules as the package reads them
// (`planRetention`'s policy and options; the package alone judges them), the schedule checks of the
// worker's policy body, the disks a selector picks, and that body (`PUT /v1/policies/{name}`) with
// its curl example. Pure: no DOM, no state.

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
export function workerBody({ scope, selector, disks, schedule, policy, enabled }) {
  const body = { scope };
  body.disks = selector.mode === "tags" ? { tags: selector.tags } : { ids: disks.map((d) => d.id) };
  body.schedule = { everyHours: Number(schedule.everyHours), at: String(schedule.at).trim() };
  body.retention = { ...policy };
  body.enabled = Boolean(enabled);
  return body;
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
