// The snapshot form's model (no DOM): its values per disk, their defaults from
// buildSnapshotConfig(disk), the mapping of values to buildSnapshotConfig options, and validation
// with every broken rule assigned to its field. The create form (create.js) edits these values; the
// export tab (export.js) renders templates and commands from them.
import { sameId } from "./dom.js";

/** The create form's values per disk (lower-cased id), kept while the page lives (memory only). */
export const formState = new Map();

/** The form's fields, in the order they are shown. */
export const FIELDS = [
  "name",
  "resourceGroup",
  "sku",
  "tags",
  "networkAccessPolicy",
  "diskAccessId",
  "publicNetworkAccess",
  "dataAccessAuthMode",
  "instantAccessDurationMinutes",
];

/** The storage types an incremental snapshot takes (Premium_LRS is refused by Azure). */
export const SNAPSHOT_SKUS = ["Standard_LRS", "Standard_ZRS"];

/** Disk types whose snapshots offer instant access. */
export const INSTANT_ACCESS_DISK_SKUS = ["PremiumV2_LRS", "UltraSSD_LRS"];

/** Why the disk's snapshots cannot have instant access (a sentence), or null when they can. */
export function instantAccessUnavailable(disk) {
  const sku = disk?.sku?.name || "";
  if (INSTANT_ACCESS_DISK_SKUS.some((k) => k.toLowerCase() === sku.toLowerCase())) return null;
  return `Only for Premium SSD v2 and Ultra disks; this disk is ${sku || "of another type"}.`;
}

/** Azure's limit on incremental snapshots of one disk: 7 per 5 minutes. */
export const RATE_LIMIT = { count: 7, windowMs: 5 * 60 * 1000 };

/**
 * How many of the chain's snapshots were made in the last 5 minutes, and when the next one is
 * possible (a Date) if the limit is reached, else null.
 */
export function rateWindow(chain, now = Date.now()) {
  const recent = (chain || [])
    .map((s) => new Date(s?.properties?.timeCreated || 0).getTime())
    .filter((t) => Number.isFinite(t) && t > now - RATE_LIMIT.windowMs && t <= now + 60000)
    .sort((a, b) => a - b);
  const full = recent.length >= RATE_LIMIT.count;
  // The window frees up when the oldest of the newest 7 leaves it.
  const nextAt = full ? new Date(recent[recent.length - RATE_LIMIT.count] + RATE_LIMIT.windowMs) : null;
  return { recent: recent.length, nextAt };
}

/** The form's defaults, from what buildSnapshotConfig makes of the disk with no options. */
export function defaultsFor(lib, disk) {
  const cfg = lib.buildSnapshotConfig(disk, {});
  const p = cfg.body.properties;
  return {
    name: cfg.name,
    resourceGroup: cfg.resourceGroup,
    sku: cfg.body.sku?.name || "",
    tags: Object.entries(cfg.body.tags || {})
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
    networkAccessPolicy: p.networkAccessPolicy || "AllowAll",
    diskAccessId: p.diskAccessId || "",
    publicNetworkAccess: p.publicNetworkAccess || "Enabled",
    dataAccessAuthMode: p.dataAccessAuthMode || "",
    instantAccessDurationMinutes: p.creationData.instantAccessDurationMinutes
      ? String(p.creationData.instantAccessDurationMinutes)
      : "",
  };
}

export function valuesFor(lib, disk) {
  const key = disk.id.toLowerCase();
  if (!formState.has(key)) formState.set(key, defaultsFor(lib, disk));
  return formState.get(key);
}

/** Form values → buildSnapshotConfig options, plus problems the package cannot see (tag syntax). */
export function optionsFrom(values) {
  const options = {};
  const local = {};
  if (values.name.trim()) options.name = values.name.trim();
  if (values.resourceGroup.trim()) options.resourceGroup = values.resourceGroup.trim();
  if (values.sku) options.sku = values.sku;
  const tags = {};
  values.tags.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    const eq = t.indexOf("=");
    if (eq < 0) {
      local.tags ??= `Line ${i + 1}: write tags as name=value, one per line.`;
      return;
    }
    tags[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  });
  if (Object.keys(tags).length) options.tags = tags;
  if (values.networkAccessPolicy) options.networkAccessPolicy = values.networkAccessPolicy;
  if (values.networkAccessPolicy === "AllowPrivate" || values.diskAccessId.trim()) {
    if (values.diskAccessId.trim()) options.diskAccessId = values.diskAccessId.trim();
  }
  if (values.publicNetworkAccess) options.publicNetworkAccess = values.publicNetworkAccess;
  if (values.dataAccessAuthMode) options.dataAccessAuthMode = values.dataAccessAuthMode;
  if (values.instantAccessDurationMinutes.trim()) {
    const n = Number(values.instantAccessDurationMinutes);
    if (!Number.isInteger(n)) local.instantAccessDurationMinutes = "A whole number of minutes.";
    else options.instantAccessDurationMinutes = n;
  }
  return { options, local };
}

/** Which form field a violation's field path belongs to ("options.tags.x" → "tags"). */
function fieldOf(path) {
  const p = String(path || "").replace(/^options\./, "");
  const head = p.split(/[.[]/)[0];
  return FIELDS.includes(head) ? head : null;
}

/** Validate: { config } or { error, byField, general }. */
export function validate(lib, disk, values, existing = []) {
  const { options, local } = optionsFrom(values);
  const byField = { ...local };
  let config = null;
  let error = null;
  try {
    config = lib.buildSnapshotConfig(disk, options);
  } catch (e) {
    error = e;
  }
  const general = [];
  if (error) {
    const violations = error.violations?.length
      ? error.violations
      : [{ field: error.field, rule: error.code, message: error.message }];
    for (const v of violations) {
      const f = fieldOf(v.field);
      if (f) byField[f] = byField[f] ? `${byField[f]} ${v.message}` : v.message;
      else general.push(v);
    }
  }
  if (config && existing.some((s) => sameId(s.id, config.id))) {
    byField.name = `A snapshot named ${config.name} already exists in ${config.resourceGroup}. Pick another name.`;
  }
  if (values.sku && !SNAPSHOT_SKUS.includes(values.sku)) {
    byField.sku = "Incremental snapshots take Standard_LRS or Standard_ZRS only.";
  }
  const iaReason = instantAccessUnavailable(disk);
  if (iaReason && values.instantAccessDurationMinutes.trim()) byField.instantAccessDurationMinutes = iaReason;
  const ok = Boolean(config) && Object.keys(byField).length === 0;
  return { ok, config, error, byField, general, options };
}
