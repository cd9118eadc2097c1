// How a snapshot's facts are shown, in one place: created time (seconds, the user's time zone and
// its name, the ISO time as a title), age, size (provisioned, plus changed bytes when known), sku,
// tags as chips, resource group, state, copy progress and kind. `snapshotFacts` reads the facts as
// plain values (for sorting and filtering); the `*Cell` functions return DOM built with `h()`.
// Pure: no state, no requests; only dom.js is imported (so Node can test it with a small fake
// document).
import { h, fmtBytes } from "./dom.js";

const GIB = 2 ** 30;

/** The user's time zone name ("Europe/Paris"), or "UTC" when Intl cannot tell. */
export function userTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Milliseconds since the epoch of an ISO time, or null. */
export function timeOf(iso) {
  if (typeof iso !== "string" || !iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/**
 * A time with seconds in the given (default: the user's) time zone, with the zone's short name:
 * "Dec 01, 2026, 16:40:12 CET". "—" when there is none; the text itself when it is not a time.
 */
export function fmtCreated(iso, { timeZone, locale } = {}) {
  if (!iso) return "—";
  const t = timeOf(iso);
  if (t === null) return String(iso);
  const opts = {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: timeZone || undefined }).format(t);
  } catch {
    // An unknown zone name: say so in UTC rather than fail.
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: "UTC" }).format(t);
  }
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago", "4 mo ago", "1 y ago"; "in 2 min" ahead; "" without a time. */
export function fmtAge(iso, now = Date.now()) {
  const t = timeOf(iso);
  if (t === null || !Number.isFinite(now)) return "";
  const diff = Math.round((now - t) / 1000);
  const abs = Math.abs(diff);
  let text;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.floor(abs / 3600)} h`;
  else if (abs < 86400 * 60) text = `${Math.floor(abs / 86400)} d`;
  else if (abs < 86400 * 365) text = `${Math.floor(abs / (86400 * 30))} mo`;
  else text = `${Math.floor(abs / (86400 * 365))} y`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

const lower = (v) => (typeof v === "string" ? v.toLowerCase() : "");

/**
 * What a snapshot is: "imported" (from a VHD: Import / ImportSecure / a sourceUri, no source
 * resource), "copy" (CopyStart, or a Copy of another snapshot), "full" (not incremental) or
 * "incremental".
 */
export function snapshotKind(snap) {
  const p = snap?.properties || {};
  const c = p.creationData || {};
  const option = lower(c.createOption);
  if (option === "import" || option === "importsecure" || (!c.sourceResourceId && c.sourceUri)) return "imported";
  if (option === "copystart" || /\/microsoft\.compute\/snapshots\//i.test(String(c.sourceResourceId || "")))
    return "copy";
  if (p.incremental !== true) return "full";
  return "incremental";
}

export const KINDS = ["incremental", "full", "imported", "copy"];

/** The resource group named in an ARM id, or "". */
export function resourceGroupOf(id) {
  const m = /\/resourceGroups\/([^/]+)/i.exec(String(id || ""));
  return m ? m[1] : "";
}

/** The provisioned size in bytes (diskSizeBytes, else diskSizeGB), or null. */
export function sizeBytesOf(snap) {
  const p = snap?.properties || {};
  if (typeof p.diskSizeBytes === "number" && Number.isFinite(p.diskSizeBytes)) return p.diskSizeBytes;
  if (typeof p.diskSizeGB === "number" && Number.isFinite(p.diskSizeGB)) return p.diskSizeGB * GIB;
  return null;
}

/** The tags as [key, value] pairs, sorted by key; [] for none or a non-object. */
export function tagPairs(tags) {
  if (!tags || typeof tags !== "object" || Array.isArray(tags)) return [];
  return Object.entries(tags)
    .map(([k, v]) => [k, v === null || v === undefined ? "" : String(v)])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** completionPercent as a number, or null. */
export function completionOf(snap) {
  const v = snap?.properties?.completionPercent;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The state in one word: "failed" (a copy error or provisioning Failed), "creating" (provisioning
 * not Succeeded), "copying" (completionPercent below 100), else "ready".
 */
export function stateOf(snap) {
  const p = snap?.properties || {};
  if (p.copyCompletionError || lower(p.provisioningState) === "failed") return "failed";
  if (p.provisioningState && lower(p.provisioningState) !== "succeeded") return "creating";
  const pct = completionOf(snap);
  if (pct !== null && pct < 100) return "copying";
  return "ready";
}

/** The facts of a snapshot as plain values, for sorting and filtering. */
export function snapshotFacts(snap) {
  const p = snap?.properties || {};
  const c = p.creationData || {};
  return {
    id: String(snap?.id || ""),
    name: String(snap?.name || ""),
    location: String(snap?.location || ""),
    resourceGroup: resourceGroupOf(snap?.id),
    kind: snapshotKind(snap),
    created: timeOf(p.timeCreated),
    sizeBytes: sizeBytesOf(snap),
    sku: String(snap?.sku?.name || ""),
    tags: tagPairs(snap?.tags),
    state: stateOf(snap),
    completionPercent: completionOf(snap),
    sourceResourceId: c.sourceResourceId ? String(c.sourceResourceId) : null,
    sourceUniqueId: c.sourceUniqueId ? String(c.sourceUniqueId) : null,
    accessState: p.snapshotAccessState ? String(p.snapshotAccessState) : null,
  };
}

// --- cells ------------------------------------------------------------------------------------

/** `<time>` with seconds and the zone's name; the full ISO time and the zone as its title. */
export function createdCell(snap, { timeZone = userTimeZone(), locale } = {}) {
  const iso = snap?.properties?.timeCreated;
  if (!iso) return h("span.muted", "—");
  return h(
    "time.created",
    { datetime: String(iso), title: `${iso} (shown in ${timeZone})` },
    fmtCreated(iso, { timeZone, locale }),
  );
}

/** "3 h ago", with the ISO time as its title. */
export function ageCell(snap, { now = Date.now() } = {}) {
  const iso = snap?.properties?.timeCreated;
  const text = fmtAge(iso, now);
  if (!text) return h("span.muted", "—");
  return h("span.age", { title: String(iso) }, text);
}

/** Provisioned GiB, plus "· 4 MiB changed" when changedBytes is known (a number). */
export function sizeCell(snap, { changedBytes } = {}) {
  const bytes = sizeBytesOf(snap);
  const size = bytes === null ? h("span.muted", "—") : h("span.size", fmtGiBBytes(bytes));
  return h(
    "span.size-cell",
    size,
    typeof changedBytes === "number" && changedBytes >= 0
      ? h(
          "span.muted.small.changed",
          { title: `${changedBytes.toLocaleString()} bytes changed` },
          ` · ${fmtBytes(changedBytes)} changed`,
        )
      : null,
  );
}

/** Changed bytes when known, else "—" (nothing fetched here). */
export function changedCell(changedBytes) {
  if (typeof changedBytes !== "number" || !(changedBytes >= 0)) return h("span.muted", "—");
  return h("span.changed-bytes", { title: `${changedBytes.toLocaleString()} bytes` }, fmtBytes(changedBytes));
}

function fmtGiBBytes(bytes) {
  const gib = bytes / GIB;
  if (gib >= 1024 && Number.isInteger(gib / 1024)) return `${gib / 1024} TiB`;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(2)} GiB`;
}

export function skuCell(snap) {
  const sku = snap?.sku?.name;
  return sku ? h("span.sku", String(sku)) : h("span.muted", "—");
}

/** Tags as small chips "key: value"; "—" for none. */
export function tagsCell(tags) {
  const pairs = tagPairs(tags);
  if (!pairs.length) return h("span.muted", "—");
  return h(
    "span.tags",
    pairs.map(([k, v]) => h("span.tag", { title: `${k}: ${v}` }, `${k}: ${v}`)),
  );
}

export function resourceGroupCell(snap) {
  const rg = resourceGroupOf(snap?.id);
  return rg ? h("span.rg", rg) : h("span.muted", "—");
}

/** Provisioning / completion, a granted access (SAS), snapshotAccessState and instant access, as badges. */
export function stateCell(snap) {
  const p = snap?.properties || {};
  const state = stateOf(snap);
  const badges = [];
  if (p.copyCompletionError)
    badges.push(
      h(
        "span.badge.badge-bad",
        { title: String(p.copyCompletionError.errorMessage || "") },
        `Copy failed: ${p.copyCompletionError.errorCode || "error"}`,
      ),
    );
  else if (state === "failed") badges.push(h("span.badge.badge-bad", "Failed"));
  else if (state === "creating") badges.push(h("span.badge.badge-warn", String(p.provisioningState)));
  else if (state === "copying") badges.push(h("span.badge.badge-running", "Copying"));
  else badges.push(h("span.badge.badge-ok", "Ready"));
  if (lower(p.diskState) === "activesas" || lower(p.diskState) === "activesasfrozen")
    badges.push(h("span.badge.badge-warn", { title: `diskState ${p.diskState}` }, "Access granted"));
  const access = p.snapshotAccessState ? String(p.snapshotAccessState) : "";
  const instantMinutes = p.creationData?.instantAccessDurationMinutes;
  if (/instantaccess/i.test(access))
    badges.push(h("span.badge.badge-running", { title: `snapshotAccessState ${access}` }, "Instant access"));
  else if (typeof instantMinutes === "number")
    badges.push(
      h(
        "span.badge.badge-muted",
        { title: "creationData.instantAccessDurationMinutes" },
        `Instant access ${instantMinutes} min`,
      ),
    );
  if (access && !/instantaccess/i.test(access) && lower(access) !== "available")
    badges.push(h("span.badge.badge-muted", { title: "snapshotAccessState" }, access));
  return h("span.state-cell", { dataset: { state } }, badges);
}

/** completionPercent as a bar for CopyStart copies and background copies; "—" otherwise. */
export function copyProgressCell(snap) {
  const pct = completionOf(snap);
  const option = lower(snap?.properties?.creationData?.createOption);
  if (pct === null || (option !== "copystart" && pct >= 100)) return h("span.muted", "—");
  const v = Math.max(0, Math.min(100, pct));
  const fill = h("div.progress-fill");
  fill.style.width = `${v}%`;
  const label = `Copy of ${snap?.name || "snapshot"}`;
  return h(
    "div.progress-wrap",
    h(
      "div.progress",
      {
        role: "progressbar",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": String(Math.round(v)),
        "aria-label": label,
      },
      fill,
    ),
    h("span.progress-text", `${v.toFixed(0)} %`),
  );
}

const KIND_LABEL = { incremental: "incremental", full: "full", imported: "imported", copy: "copy" };
const KIND_CLASS = { incremental: "badge-ok", full: "badge-muted", imported: "badge-warn", copy: "badge-running" };

export function kindCell(snap) {
  const kind = snapshotKind(snap);
  return h(`span.badge.kind.${KIND_CLASS[kind]}`, { dataset: { kind } }, KIND_LABEL[kind]);
}
