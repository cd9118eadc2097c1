// In-memory state of the emulator: subscriptions, resource groups, disks, snapshots, operations,
// incremental-snapshot families, the emulator clock, and how each resource is rendered as JSON.
// Lookups ignore case; stored resources keep the casing they were created with.
import { armTime, apiAtLeast, clone, live, GIB } from "./util.mjs";
import { renderImmutabilityPolicy } from "./routes/immutability.mjs";

export const SKU_TIER = {
  standard_lrs: "Standard",
  standard_zrs: "Standard",
  premium_lrs: "Premium",
  premium_zrs: "Premium",
  standardssd_lrs: "StandardSSD",
  standardssd_zrs: "StandardSSD",
  ultrassd_lrs: "Ultra",
  premiumv2_lrs: "PremiumV2",
};
export const DISK_SKUS = [
  "Standard_LRS",
  "Premium_LRS",
  "StandardSSD_LRS",
  "UltraSSD_LRS",
  "Premium_ZRS",
  "StandardSSD_ZRS",
  "PremiumV2_LRS",
];
export const SNAPSHOT_SKUS = ["Standard_LRS", "Premium_LRS", "Standard_ZRS"];

/** Premium SSD v2 and Ultra disks: snapshots need a background copy (completionPercent). */
export function isBackgroundCopySku(skuName) {
  const s = String(skuName || "").toLowerCase();
  return s === "premiumv2_lrs" || s === "ultrassd_lrs";
}

export function canonicalSku(name, allowed) {
  return allowed.find((s) => s.toLowerCase() === String(name).toLowerCase());
}

const PREMIUM_TIERS = [
  [4, "P1", 120, 25],
  [8, "P2", 120, 25],
  [16, "P3", 120, 25],
  [32, "P4", 120, 25],
  [64, "P6", 240, 50],
  [128, "P10", 500, 100],
  [256, "P15", 1100, 125],
  [512, "P20", 2300, 150],
  [1024, "P30", 5000, 200],
  [2048, "P40", 7500, 250],
  [4096, "P50", 7500, 250],
  [8192, "P60", 16000, 500],
  [16384, "P70", 18000, 750],
  [32767, "P80", 20000, 900],
];

/** Performance figures Compute reports for a disk of a sku and size. */
export function diskPerformance(skuName, sizeGB, body = {}) {
  const s = skuName.toLowerCase();
  if (s.startsWith("premium_")) {
    const t = PREMIUM_TIERS.find(([max]) => sizeGB <= max) || PREMIUM_TIERS[PREMIUM_TIERS.length - 1];
    return { iops: t[2], mbps: t[3], tier: t[1] };
  }
  if (s === "premiumv2_lrs" || s === "ultrassd_lrs") {
    return { iops: body.diskIOPSReadWrite ?? 3000, mbps: body.diskMBpsReadWrite ?? 125 };
  }
  if (s.startsWith("standardssd")) return sizeGB <= 1024 ? { iops: 500, mbps: 60 } : { iops: 2000, mbps: 400 };
  return sizeGB <= 1024 ? { iops: 500, mbps: 60 } : { iops: 1300, mbps: 300 };
}

// Writable properties copied from a PUT body as they are, rendered before creationData.
export const PASSTHROUGH_PROPS = [
  "osType",
  "hyperVGeneration",
  "purchasePlan",
  "supportedCapabilities",
  "supportsHibernation",
  "securityProfile",
];

export class Store {
  constructor(options) {
    this.options = options;
    this.clockOffsetMs = 0;
    this.seq = 0;
    this.subscriptions = new Map(); // lower sub id → sub
    this.resourceGroups = new Map(); // lower `${sub}/${rg}` → rg (insertion = creation order)
    this.disks = new Map(); // resource key → disk record
    this.snapshots = new Map(); // resource key → snapshot record
    this.operations = new Map(); // lower op id → op
    this.families = new Map(); // family source key → family id
    this.creations = new Map(); // disk family key → [createdMs, ...] (incremental snapshot creations)
    this.timeTick = 0;
    this.blob = null; // the Blob service holding disk and snapshot content (./content.mjs)
    this.blobSync = new Map(); // CopyStart target family id → the source blob snapshot it holds
  }

  now() {
    return Date.now() + this.clockOffsetMs;
  }
  /** Move the clock forward by 0 … 10 years (the total offset too), so every date stays valid. */
  advanceClock(ms) {
    const max = 10 * 365 * 86400000;
    if (
      !(typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms <= max) ||
      this.clockOffsetMs + ms > 10 * max
    ) {
      throw new RangeError(`advanceMs must be a number of milliseconds from 0 to ${max} (10 years)`);
    }
    this.clockOffsetMs += ms;
    return this.now();
  }
  nextSeq() {
    return ++this.seq;
  }
  /** A Compute timestamp of the emulator clock, now. */
  timestamp(ms = this.now()) {
    this.timeTick = (this.timeTick + 7919) % 10000;
    return armTime(ms, this.timeTick);
  }

  // Subscriptions and resource groups -------------------------------------------------------

  addSubscription({
    subscriptionId,
    displayName = "Emulated subscription",
    tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47",
  }) {
    const sub = { id: `/subscriptions/${subscriptionId}`, subscriptionId, displayName, state: "Enabled", tenantId };
    this.subscriptions.set(subscriptionId.toLowerCase(), sub);
    return sub;
  }
  getSubscription(subscriptionId) {
    return this.subscriptions.get(String(subscriptionId).toLowerCase());
  }
  addResourceGroup(subscriptionId, name, location, tags) {
    const sub = this.getSubscription(subscriptionId);
    const key = `${sub.subscriptionId}/${name}`.toLowerCase();
    const existing = this.resourceGroups.get(key);
    if (existing) {
      if (tags !== undefined) existing.tags = tags;
      this.touch(existing);
      return { rg: existing, created: false };
    }
    const rg = {
      subscriptionId: sub.subscriptionId,
      name,
      location: location.replace(/\s+/g, "").toLowerCase(),
      tags,
      seq: this.nextSeq(),
    };
    this.touch(rg);
    this.resourceGroups.set(key, rg);
    return { rg, created: true };
  }
  getResourceGroup(subscriptionId, name) {
    return this.resourceGroups.get(`${subscriptionId}/${name}`.toLowerCase());
  }
  renderResourceGroup(rg) {
    const out = {
      id: `/subscriptions/${rg.subscriptionId}/resourceGroups/${rg.name}`,
      name: rg.name,
      type: "Microsoft.Resources/resourceGroups",
      location: rg.location,
    };
    if (rg.tags !== undefined) out.tags = rg.tags;
    out.properties = { provisioningState: "Succeeded" };
    return out;
  }

  // Disks and snapshots ---------------------------------------------------------------------

  insertDisk(d) {
    d.seq = this.nextSeq();
    if (!d.etag) this.touch(d);
    this.disks.set(d.key, d);
    return d;
  }
  insertSnapshot(s) {
    s.seq = this.nextSeq();
    if (!s.etag) this.touch(s);
    this.snapshots.set(s.key, s);
    return s;
  }
  /** A write: give the resource a new etag (sent as the ETag header, compared by If-Match). */
  touch(r) {
    r.etag = `"${live.uuid()}"`;
    return r;
  }

  /** One stable family id per source (a disk incarnation, or a source family + target region). */
  familyId(sourceKey, rng) {
    const k = sourceKey.toLowerCase();
    let f = this.families.get(k);
    if (!f) {
      f = rng ? rng.uuid() : live.uuid();
      this.families.set(k, f);
    }
    return f;
  }

  /** Snapshots that count against a disk incarnation (same disk id and uniqueId, incremental). */
  incrementalSnapshotsOf(diskKey, diskUniqueId) {
    const out = [];
    for (const s of this.snapshots.values()) {
      if (
        s.incremental &&
        s.sourceDiskKey === diskKey &&
        s.sourceDiskUniqueId === diskUniqueId &&
        s.createOption === "Copy"
      )
        out.push(s);
    }
    return out;
  }

  /** Progress of a background copy, 0..100 with one decimal. */
  completionOf(s) {
    if (!s.copy) return 100;
    const total = s.copy.total;
    if (total <= 0) return 100;
    return Math.min(100, Math.round((s.copy.step / total) * 1000) / 10);
  }
  isCopying(s) {
    return Boolean(s.copy) && !s.copy.error && this.completionOf(s) < 100;
  }
  /** A read of the snapshot moves its background copy on by one step (after it was reported). */
  advanceCopy(s) {
    if (s.copy && !s.copy.error && s.copy.step < s.copy.total) s.copy.step += 1;
  }

  /** SAS grants expire on the emulator clock. */
  expireSas(r) {
    if (r.sas && r.sas.expiresMs <= this.now()) {
      r.diskState = r.sas.prevState;
      r.sas = null;
    }
  }

  /**
   * Snapshot JSON. mode: 'get' (GET / list), 'output' (LRO result: no completionPercent, as the
   * recording shows). apiVersion enables newer read-only fields (snapshotAccessState 2026-03-02+).
   */
  renderSnapshot(s, { mode = "get", apiVersion } = {}) {
    this.expireSas(s);
    const out = { name: s.name, id: s.id, type: "Microsoft.Compute/snapshots", location: s.location };
    if (s.tags !== undefined) out.tags = clone(s.tags);
    out.sku = { name: s.sku, tier: SKU_TIER[s.sku.toLowerCase()] || "Standard" };
    if (s.extendedLocation !== undefined) out.extendedLocation = clone(s.extendedLocation);
    const p = {};
    for (const k of PASSTHROUGH_PROPS) if (s.extra[k] !== undefined) p[k] = clone(s.extra[k]);
    p.creationData = clone(s.creationData);
    p.diskSizeGB = s.diskSizeGB;
    if (s.extra.encryptionSettingsCollection !== undefined)
      p.encryptionSettingsCollection = clone(s.extra.encryptionSettingsCollection);
    p.encryption = clone(s.encryption);
    p.incremental = s.incremental;
    p.networkAccessPolicy = s.networkAccessPolicy;
    if (s.diskAccessId !== undefined) p.diskAccessId = s.diskAccessId;
    p.publicNetworkAccess = s.publicNetworkAccess;
    if (s.dataAccessAuthMode !== undefined) p.dataAccessAuthMode = s.dataAccessAuthMode;
    p.timeCreated = s.timeCreated;
    p.provisioningState = s.provisioningState;
    p.diskState = s.diskState;
    p.diskSizeBytes = s.diskSizeGB * GIB;
    p.uniqueId = s.uniqueId;
    if (mode !== "output") {
      if (s.copy) p.completionPercent = this.completionOf(s);
      else if (this.options.completionPercentAlways) p.completionPercent = 100;
      if (s.copy && s.copy.error) p.copyCompletionError = clone(s.copy.error);
    }
    if (s.incremental && s.familyId) p.incrementalSnapshotFamilyId = s.familyId;
    if (apiVersion && apiAtLeast(apiVersion, "2026-03-02")) {
      p.snapshotAccessState = this.isCopying(s) ? "Pending" : "Available";
    }
    const policy = renderImmutabilityPolicy(this, s, apiVersion);
    if (policy) p.immutabilityPolicy = policy;
    out.properties = p;
    return out;
  }

  renderDisk(d, { mode = "get" } = {}) {
    this.expireSas(d);
    const out = { name: d.name, id: d.id, type: "Microsoft.Compute/disks", location: d.location };
    if (d.tags !== undefined) out.tags = clone(d.tags);
    if (d.managedBy) out.managedBy = d.managedBy;
    out.sku = { name: d.sku, tier: SKU_TIER[d.sku.toLowerCase()] || "Standard" };
    if (d.zones !== undefined) out.zones = clone(d.zones);
    if (d.extendedLocation !== undefined) out.extendedLocation = clone(d.extendedLocation);
    const p = {};
    for (const k of PASSTHROUGH_PROPS) if (d.extra[k] !== undefined) p[k] = clone(d.extra[k]);
    p.creationData = clone(d.creationData);
    p.diskSizeGB = d.diskSizeGB;
    p.diskIOPSReadWrite = d.iops;
    p.diskMBpsReadWrite = d.mbps;
    if (d.extra.encryptionSettingsCollection !== undefined)
      p.encryptionSettingsCollection = clone(d.extra.encryptionSettingsCollection);
    p.encryption = clone(d.encryption);
    if (d.maxShares !== undefined) p.maxShares = d.maxShares;
    p.networkAccessPolicy = d.networkAccessPolicy;
    if (d.diskAccessId !== undefined) p.diskAccessId = d.diskAccessId;
    p.publicNetworkAccess = d.publicNetworkAccess;
    if (d.dataAccessAuthMode !== undefined) p.dataAccessAuthMode = d.dataAccessAuthMode;
    if (d.lastOwnershipUpdateTime) p.LastOwnershipUpdateTime = d.lastOwnershipUpdateTime;
    p.timeCreated = d.timeCreated;
    p.provisioningState = d.provisioningState;
    p.diskState = d.diskState;
    p.diskSizeBytes = d.diskSizeGB * GIB;
    p.uniqueId = d.uniqueId;
    if (d.tier) p.tier = d.tier;
    if (mode !== "output" && d.copy) p.completionPercent = this.completionOf(d);
    out.properties = p;
    return out;
  }

  /** Resources of one type in a scope (subscription, optionally resource group), creation order. */
  *scan(type, subscriptionId, resourceGroup) {
    const map = type === "disks" ? this.disks : this.snapshots;
    const sub = subscriptionId.toLowerCase();
    const rg = resourceGroup ? resourceGroup.toLowerCase() : null;
    for (const r of map.values()) {
      if (r.subscriptionId.toLowerCase() !== sub) continue;
      if (rg && r.resourceGroup.toLowerCase() !== rg) continue;
      yield r;
    }
  }

  /**
   * One page of a list. The position is the creation sequence number of the last item served,
   * so deleting items between pages neither skips nor repeats any of the others.
   */
  page(type, subscriptionId, resourceGroup, afterSeq, pageSize) {
    const items = [];
    let more = false;
    for (const r of this.scan(type, subscriptionId, resourceGroup)) {
      if (r.seq <= afterSeq) continue;
      if (items.length >= pageSize) {
        more = true;
        break;
      }
      items.push(r);
    }
    return { items, more, lastSeq: items.length ? items[items.length - 1].seq : afterSeq };
  }
}

/** Opaque `$skiptoken` encoding the list position. */
export function encodeSkipToken(lastSeq, scope) {
  return Buffer.from(JSON.stringify({ v: 1, s: lastSeq, c: scope })).toString("base64url");
}
export function decodeSkipToken(token, scope) {
  try {
    const t = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8"));
    if (t && t.v === 1 && Number.isInteger(t.s) && t.s >= 0 && t.c === scope) return t.s;
  } catch {
    /* fall through */
  }
  return null;
}
