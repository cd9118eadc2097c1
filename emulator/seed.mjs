// Seed data: "empty" (a subscription only), "demo" (three resource groups with disks of every
// kind, an attached disk, a deleted-and-recreated disk with an orphaned chain, full snapshots,
// incremental chains, cross-region copies) and "bulk" (thousands of snapshots for benchmarks).
// Deterministic: ids come from a PRNG seeded by the seed's name, times from a fixed base date.
import { makeRng, armTime, GIB } from "./util.mjs";
import { diskPerformance, isBackgroundCopySku } from "./store.mjs";
import { seedHistory } from "./content.mjs";

export const DEMO_SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const DEMO_TENANT = "8d2c0f5e-6b0a-4c1e-9f7a-3e5b2d1c4a90";
/** Fixed base date of the seeded history (seeded resources are older than this). */
export const SEED_BASE_MS = Date.UTC(2025, 4, 1, 2, 0, 0);
const DAY = 86400000;
const HOUR = 3600000;

/** Bounds of a seed given through the control API, and (looser, for benchmarks) at start. */
export const CONTROL_SEED_LIMITS = { snapshots: 10000, disks: 10000, resourceGroups: 10000, string: 200 };
export const START_SEED_LIMITS = { snapshots: 1000000, disks: 10000, resourceGroups: 10000, string: 200 };
const SEED_KINDS = ["empty", "demo", "bulk"];
const SEED_STRINGS = ["seed", "name", "displayName", "location", "resourceGroup", "subscriptionId", "tenantId"];
const SEED_KEYS = new Set(["kind", ...SEED_STRINGS, "resourceGroups", "snapshots", "disks", "chainShare"]);
const SAFE_ID = /^[A-Za-z0-9._-]+$/;
const SAFE_RG = /^[-\w._()]+$/;

/** Check a seed against bounds; returns an error message, or null when it can be applied. */
export function validateSeed(seed, limits = CONTROL_SEED_LIMITS) {
  if (seed === undefined || seed === null) return null;
  if (typeof seed === "string") {
    return SEED_KINDS.includes(seed.toLowerCase())
      ? null
      : `unknown seed '${seed.slice(0, 40)}' (expected empty, demo or bulk)`;
  }
  if (typeof seed !== "object" || Array.isArray(seed))
    return 'a seed must be "empty", "demo", "bulk" or an object { kind, ... }';
  for (const k of Object.keys(seed)) {
    if (!SEED_KEYS.has(k))
      return `unknown seed property '${String(k).slice(0, 40)}' (known: ${[...SEED_KEYS].join(", ")})`;
  }
  if (seed.kind !== undefined && !(typeof seed.kind === "string" && SEED_KINDS.includes(seed.kind.toLowerCase()))) {
    return `unknown seed kind '${String(seed.kind).slice(0, 40)}' (expected empty, demo or bulk)`;
  }
  for (const k of SEED_STRINGS) {
    const v = seed[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length === 0 || v.length > limits.string)
      return `seed.${k} must be a string of 1 to ${limits.string} characters`;
    if ((k === "subscriptionId" || k === "tenantId") && !SAFE_ID.test(v))
      return `seed.${k} may hold only letters, digits, '.', '_' and '-'`;
    if (k === "resourceGroup" && !SAFE_RG.test(v)) return "seed.resourceGroup is not a valid resource group name";
  }
  const int = (k, lo, hi) =>
    seed[k] === undefined || (Number.isInteger(seed[k]) && seed[k] >= lo && seed[k] <= hi)
      ? null
      : `seed.${k} must be an integer from ${lo} to ${hi}`;
  const e = int("snapshots", 0, limits.snapshots) || int("disks", 1, limits.disks);
  if (e) return e;
  if (
    seed.chainShare !== undefined &&
    !(typeof seed.chainShare === "number" && seed.chainShare >= 0 && seed.chainShare <= 1)
  )
    return "seed.chainShare must be a number from 0 to 1";
  if (seed.resourceGroups !== undefined) {
    const rgs = seed.resourceGroups;
    if (!Array.isArray(rgs) || rgs.length > limits.resourceGroups)
      return `seed.resourceGroups must be an array of at most ${limits.resourceGroups} { name, location?, tags? }`;
    for (const rg of rgs) {
      if (!rg || typeof rg !== "object" || Array.isArray(rg))
        return "each of seed.resourceGroups must be an object { name, location?, tags? }";
      for (const k of Object.keys(rg))
        if (!["name", "location", "tags"].includes(k))
          return `unknown property '${String(k).slice(0, 40)}' in seed.resourceGroups`;
      if (typeof rg.name !== "string" || rg.name.length === 0 || rg.name.length > 90 || !SAFE_RG.test(rg.name))
        return "seed.resourceGroups[].name must be a resource group name (1 to 90 characters)";
      if (
        rg.location !== undefined &&
        !(typeof rg.location === "string" && rg.location.length > 0 && rg.location.length <= limits.string)
      )
        return `seed.resourceGroups[].location must be a string of 1 to ${limits.string} characters`;
      if (rg.tags !== undefined) {
        if (!rg.tags || typeof rg.tags !== "object" || Array.isArray(rg.tags))
          return "seed.resourceGroups[].tags must be an object of strings";
        const entries = Object.entries(rg.tags);
        if (entries.length > 50 || entries.some(([k, v]) => k.length > 512 || typeof v !== "string" || v.length > 256))
          return "seed.resourceGroups[].tags: at most 50 string tags (names up to 512, values up to 256 characters)";
      }
    }
  }
  return null;
}

/** Seed the store. `seed`: undefined | "empty" | "demo" | "bulk" | { kind, ... }. Returns seedInfo. */
export function applySeed(store, seed) {
  const spec =
    typeof seed === "string" || seed === undefined || seed === null
      ? { kind: seed || "empty" }
      : { kind: "empty", ...seed };
  const kind = String(spec.kind).toLowerCase();
  const rng = makeRng(`${kind}:${spec.seed ?? spec.name ?? ""}`);
  const sb = new SeedBuilder(store, rng);
  if (kind === "empty") {
    const sub = store.addSubscription({
      subscriptionId: spec.subscriptionId || DEMO_SUBSCRIPTION,
      displayName: spec.displayName || "Demo subscription",
      tenantId: spec.tenantId || DEMO_TENANT,
    });
    for (const rg of spec.resourceGroups || [])
      store.addResourceGroup(sub.subscriptionId, rg.name, rg.location || "westeurope", rg.tags);
    return info(store, sub.subscriptionId, sb);
  }
  if (kind === "demo" || kind === "bulk") {
    const result = kind === "demo" ? seedDemo(store, sb, spec) : seedBulk(store, sb, spec);
    resequenceByTime(store);
    return result;
  }
  throw new Error(`unknown seed '${spec.kind}' (expected empty, demo or bulk)`);
}

/** Seeded snapshots are listed in creation-time order, like ones created through the API. */
function resequenceByTime(store) {
  const all = [...store.snapshots.values()].sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  store.snapshots.clear();
  for (const s of all) store.insertSnapshot(s);
}

function info(store, subscriptionId, sb, extra = {}) {
  const sub = store.getSubscription(subscriptionId);
  return {
    subscriptionId,
    tenantId: sub.tenantId,
    resourceGroups: [...store.resourceGroups.values()]
      .filter((r) => r.subscriptionId === subscriptionId)
      .map((r) => r.name),
    disks: [...store.disks.values()].map((d) => d.id),
    snapshots: store.snapshots.size,
    chains: sb.chains,
    ...extra,
  };
}

const stamp = (ms) => {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 13)}${d.slice(14, 16)}`;
};

class SeedBuilder {
  constructor(store, rng) {
    this.store = store;
    this.rng = rng;
    this.chains = {}; // disk id → number of incremental snapshots of its current incarnation
  }

  time(ms) {
    return armTime(ms + this.rng.int(0, 999), this.rng.int(0, 9999));
  }

  /** A disk record (inserted unless `ghost`: a deleted incarnation, or a disk outside the emulator). */
  disk({ sub, rg, name, location, sku, sizeGB, zones, managedBy, createdMs, tags, osType, iops, mbps, ghost = false }) {
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;
    const perf = diskPerformance(sku, sizeGB, { diskIOPSReadWrite: iops, diskMBpsReadWrite: mbps });
    const extra = {};
    if (osType) {
      extra.osType = osType;
      extra.hyperVGeneration = "V2";
    }
    const d = {
      kind: "disk",
      key: id.toLowerCase(),
      name,
      subscriptionId: sub,
      resourceGroup: rg,
      id,
      location,
      tags,
      managedBy,
      sku,
      zones,
      extendedLocation: undefined,
      extra,
      creationData: osType
        ? {
            createOption: "FromImage",
            imageReference: {
              id: `/Subscriptions/${sub}/Providers/Microsoft.Compute/Locations/${location}/Publishers/canonical/ArtifactTypes/VMImage/Offers/ubuntu-24_04-lts/Skus/server/Versions/24.04.202504010`,
            },
          }
        : { createOption: "Empty" },
      diskSizeGB: sizeGB,
      encryption: { type: "EncryptionAtRestWithPlatformKey" },
      networkAccessPolicy: "AllowAll",
      publicNetworkAccess: "Enabled",
      dataAccessAuthMode: undefined,
      diskAccessId: undefined,
      maxShares: undefined,
      timeCreated: this.time(createdMs),
      provisioningState: "Succeeded",
      diskState: managedBy ? "Attached" : "Unattached",
      uniqueId: this.rng.uuid(),
      sas: null,
      pendingOp: null,
      copy: null,
      iops: perf.iops,
      mbps: perf.mbps,
      tier: perf.tier,
      lastOwnershipUpdateTime: managedBy ? this.time(createdMs + 60000) : undefined,
    };
    if (!ghost) this.store.insertDisk(d);
    return d;
  }

  /** A snapshot of a disk (incremental by default), created at `ms`. */
  snapshotOf(d, { rg = d.resourceGroup, name, ms, incremental = true, sku, tags, copyStep, insert = true }) {
    const sub = d.subscriptionId;
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots/${name}`;
    const copying = isBackgroundCopySku(d.sku);
    const s = {
      kind: "snapshot",
      key: id.toLowerCase(),
      id,
      name,
      subscriptionId: sub,
      resourceGroup: rg,
      location: d.location,
      tags,
      extendedLocation: undefined,
      extra: { ...d.extra },
      creationData: { createOption: "Copy", sourceResourceId: d.id, sourceUniqueId: d.uniqueId },
      createOption: "Copy",
      incremental,
      familyId: incremental ? this.store.familyId(`disk|${d.key}|${d.uniqueId}`, this.rng) : undefined,
      sku: sku || "Standard_LRS",
      diskSizeGB: d.diskSizeGB,
      encryption: { type: "EncryptionAtRestWithPlatformKey" },
      networkAccessPolicy: d.networkAccessPolicy,
      publicNetworkAccess: d.publicNetworkAccess,
      dataAccessAuthMode: undefined,
      diskAccessId: undefined,
      createdMs: ms,
      timeCreated: this.time(ms),
      provisioningState: "Succeeded",
      diskState: "Unattached",
      uniqueId: this.rng.uuid(),
      copy: copying
        ? {
            step: copyStep ?? this.store.options.copyPolls,
            total: this.store.options.copyPolls,
            sourceKey: null,
            error: null,
          }
        : null,
      sas: null,
      sourceDiskKey: d.key,
      sourceDiskUniqueId: d.uniqueId,
      sourceSku: d.sku,
      pendingOp: null,
    };
    if (insert) this.store.insertSnapshot(s);
    if (incremental && insert && this.store.disks.get(d.key)?.uniqueId === d.uniqueId) {
      this.chains[d.id] = (this.chains[d.id] || 0) + 1;
    }
    return s;
  }

  /** A cross-region copy (CopyStart) of an incremental snapshot. */
  copyStart(src, { rg, location, name, ms, copyStep }) {
    const id = `/subscriptions/${src.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots/${name}`;
    const s = {
      ...src,
      key: id.toLowerCase(),
      id,
      name,
      resourceGroup: rg,
      location,
      tags: { purpose: "disaster-recovery" },
      extra: { ...src.extra },
      creationData: { createOption: "CopyStart", sourceResourceId: src.id, sourceUniqueId: src.uniqueId },
      createOption: "CopyStart",
      familyId: this.store.familyId(`copystart|${src.familyId}|${location}`, this.rng),
      createdMs: ms,
      timeCreated: this.time(ms),
      uniqueId: this.rng.uuid(),
      copy: {
        step: copyStep ?? this.store.options.copyPolls,
        total: this.store.options.copyPolls,
        sourceKey: src.key,
        error: null,
      },
      sourceDiskKey: undefined,
      sourceDiskUniqueId: undefined,
    };
    this.store.insertSnapshot(s);
    return s;
  }
}

function seedDemo(store, sb, spec) {
  const sub = spec.subscriptionId || DEMO_SUBSCRIPTION;
  store.addSubscription({
    subscriptionId: sub,
    displayName: spec.displayName || "Demo subscription",
    tenantId: DEMO_TENANT,
  });
  const base = SEED_BASE_MS;
  const P = "rg-prod-westeurope";
  const D = "rg-data-eastus";
  const V = "rg-dev";
  store.addResourceGroup(sub, P, "westeurope", { environment: "production" });
  store.addResourceGroup(sub, D, "eastus", { environment: "production", owner: "data-team" });
  store.addResourceGroup(sub, V, "westus2", { environment: "dev" });
  const vm = `/subscriptions/${sub}/resourceGroups/${P}/providers/Microsoft.Compute/virtualMachines/vm-web-01`;
  // A disk of the demo: resource group, name, region, SKU, size (GB), age (days), and the rest.
  const disk = (rg, name, location, sku, sizeGB, ageDays, more = {}) =>
    sb.disk({ sub, rg, name, location, sku, sizeGB, createdMs: base - ageDays * DAY, ...more });
  const daily = (d, days, hour = 2, opts = {}) => {
    const out = [];
    for (let i = days; i >= 1; i--) {
      const ms = base - i * DAY + (hour - 2) * HOUR + sb.rng.int(0, 59) * 1000;
      out.push(
        sb.snapshotOf(d, {
          name: `${d.name}-${stamp(ms)}`,
          ms,
          tags: { createdBy: "azure-incremental-snapshots" },
          ...opts,
        }),
      );
    }
    return out;
  };

  // Production, West Europe: a VM with an OS and a data disk, a Premium SSD v2 database disk,
  // and a disk that was deleted and recreated under the same name.
  const os = disk(P, "vm-web-01-osdisk", "westeurope", "Premium_LRS", 128, 120, {
    zones: ["1"],
    managedBy: vm,
    osType: "Linux",
    tags: { app: "web" },
  });
  const data = disk(P, "vm-web-01-data", "westeurope", "Premium_ZRS", 512, 119, {
    managedBy: vm,
    tags: { app: "web" },
  });
  const sql = disk(P, "sql-data-01", "westeurope", "PremiumV2_LRS", 1024, 90, {
    zones: ["2"],
    iops: 5000,
    mbps: 200,
    tags: { app: "sql" },
  });
  sb.snapshotOf(os, {
    name: "vm-web-01-osdisk-full-20250401",
    ms: base - 30 * DAY,
    incremental: false,
    tags: { reason: "before-upgrade" },
  });
  const osChain = daily(os, 7);
  const dataChain = daily(data, 4, 3);
  const sqlChain = daily(sql, 4, 4);
  // the newest snapshot of the v2 disk is still copying in the background
  const ms = base - 2 * HOUR;
  sqlChain.push(
    sb.snapshotOf(sql, {
      name: `sql-data-01-${stamp(ms)}`,
      ms,
      copyStep: 1,
      tags: { createdBy: "azure-incremental-snapshots" },
    }),
  );

  const oldLegacy = disk(P, "legacy-app-disk", "westeurope", "StandardSSD_LRS", 64, 60, { ghost: true });
  for (const days of [20, 15, 12]) {
    const t = base - days * DAY;
    sb.snapshotOf(oldLegacy, { name: `legacy-app-disk-${stamp(t)}`, ms: t });
  }
  const legacy = disk(P, "legacy-app-disk", "westeurope", "StandardSSD_LRS", 64, 9);
  daily(legacy, 3, 5);

  // Data, East US: an Ultra disk, a big HDD with a long chain, and disaster-recovery copies
  // (CopyStart) of the web server's OS disk snapshots from West Europe.
  const ultra = disk(D, "analytics-ultra-01", "eastus", "UltraSSD_LRS", 256, 45, {
    zones: ["1"],
    iops: 7680,
    mbps: 480,
  });
  daily(ultra, 3, 6);
  const archive = disk(D, "archive-hdd-01", "eastus", "Standard_LRS", 2048, 200);
  sb.snapshotOf(archive, {
    name: "archive-hdd-01-full-20250301",
    ms: base - 61 * DAY,
    incremental: false,
    sku: "Standard_ZRS",
  });
  daily(archive, 8, 1);
  const [a, b] = osChain.slice(-2);
  sb.copyStart(a, { rg: D, location: "eastus", name: `${a.name}-eastus`, ms: a.createdMs + 10 * 60000 });
  sb.copyStart(b, { rg: D, location: "eastus", name: `${b.name}-eastus`, ms: b.createdMs + 10 * 60000, copyStep: 1 });

  // Dev, West US 2: an unprotected scratch disk, snapshots of a disk deleted long ago,
  // an imported image and a manual full snapshot.
  const scratch = disk(V, "dev-scratch", "westus2", "Standard_LRS", 32, 14);
  const gone = disk(V, "dev-old-disk", "westus2", "StandardSSD_LRS", 128, 100, { ghost: true });
  for (const days of [21, 20]) {
    const t = base - days * DAY + 7 * HOUR;
    sb.snapshotOf(gone, { name: `dev-old-disk-${stamp(t)}`, ms: t });
  }
  const t = base - 5 * DAY;
  const imported = sb.snapshotOf(scratch, { name: "imported-golden-image", ms: t, incremental: false });
  imported.creationData = {
    createOption: "Import",
    storageAccountId: `/subscriptions/${sub}/resourceGroups/${V}/providers/Microsoft.Storage/storageAccounts/devimages001`,
    sourceUri: "https://devimages001.blob.core.windows.net/vhds/golden-image.vhd",
  };
  imported.createOption = "Import";
  imported.sourceDiskKey = undefined;
  imported.extra = { osType: "Linux", hyperVGeneration: "V2" };
  sb.snapshotOf(scratch, {
    name: "manual-before-upgrade",
    ms: base - 2 * DAY,
    incremental: false,
    tags: { owner: "alice", reason: "manual" },
  });
  const content = [seedContent(store, data, dataChain, DATA_DISK_HISTORY)];
  // A disaster-recovery copy in East US whose source is gone: the OS disk's snapshot of 10 days
  // ago was copied, then deleted in West Europe (never inserted here). Made last, so the PRNG
  // gives everything above the same ids and times as before.
  const goneMs = base - 10 * DAY;
  const goneSource = sb.snapshotOf(os, { name: `${os.name}-${stamp(goneMs)}`, ms: goneMs, insert: false });
  sb.copyStart(goneSource, {
    rg: D,
    location: "eastus",
    name: `${goneSource.name}-eastus`,
    ms: goneMs + 10 * 60000,
  });
  return info(store, sub, sb, { base: new Date(base).toISOString(), content });
}

const MIB = 1024 * 1024;
/**
 * What the demo's vm-web-01-data disk was written with (its VM's writes): step i before its
 * i-th snapshot, the last step after the newest (the disk now). Pairs of consecutive snapshots
 * differ by a few MiB written and cleared, so a differential copy has something to show.
 */
const DATA_DISK_HISTORY = [
  [
    { offset: 0, length: 4 * MIB, byte: 0x11 },
    { offset: GIB, length: 2 * MIB, byte: 0x22 },
  ],
  [
    { offset: 8 * MIB, length: 1 * MIB, byte: 0x33 },
    { offset: GIB, length: 512 * 1024, byte: 0x44 },
  ],
  [
    { offset: 0, length: 1 * MIB, clear: true },
    { offset: 100 * GIB, length: 3 * MIB, byte: 0x55 },
    { offset: 50 * GIB, length: 1 * MIB, clear: true }, // never written: no change
  ],
  [
    { offset: 200 * GIB, length: 2 * MIB, byte: 0x66 },
    { offset: GIB, length: 2 * MIB, clear: true },
    { offset: 8 * MIB, length: 256 * 1024, byte: 0x33 }, // the same bytes again: still a change
  ],
  [{ offset: 300 * GIB, length: 1 * MIB, byte: 0x77 }],
];

/**
 * Apply a disk's seeded history and describe what a diff of each consecutive pair must show,
 * from a model of its own (pages written or cleared, not the Blob service's store):
 * { diskId, familyId, size, snapshots: [ids], full: { ranges, bytes }, diffs: [{ from, to,
 * ranges: [{ kind: "page" | "clear", start, end }], changedBytes, writtenBytes, clearedBytes }] }.
 */
function seedContent(store, d, chain, steps) {
  const familyId = seedHistory(store, d, chain, steps);
  const size = store.blob.family(familyId).size;
  const held = new Set([Math.floor((size - 512) / 512)]); // the VHD footer
  const states = [];
  const expectDiff = (writes) => {
    const before = new Set(held);
    const written = new Set();
    const cleared = new Set();
    for (const w of writes) {
      for (let p = w.offset / 512; p < (w.offset + w.length) / 512; p++) {
        if (w.clear) {
          if (before.has(p)) cleared.add(p);
          written.delete(p);
          held.delete(p);
        } else {
          written.add(p);
          cleared.delete(p);
          held.add(p);
        }
      }
    }
    return { written, cleared };
  };
  const ranges = (sets) => {
    const all = [...sets.flatMap(([kind, set]) => [...set].map((p) => [p, kind]))].sort((a, b) => a[0] - b[0]);
    const out = [];
    for (const [p, kind] of all) {
      const last = out[out.length - 1];
      if (last && last.kind === kind && last.end + 1 === p * 512) last.end += 512;
      else out.push({ kind, start: p * 512, end: p * 512 + 511 });
    }
    return out;
  };
  const diffs = [];
  steps.forEach((writes, i) => {
    const { written, cleared } = expectDiff(writes);
    if (i === 0) states.push(new Set(held));
    else if (i < chain.length) {
      diffs.push({
        from: chain[i - 1].id,
        to: chain[i].id,
        ranges: ranges([
          ["page", written],
          ["clear", cleared],
        ]),
        changedBytes: (written.size + cleared.size) * 512,
        writtenBytes: written.size * 512,
        clearedBytes: cleared.size * 512,
      });
    }
  });
  const full = ranges([["page", states[0]]]);
  return {
    diskId: d.id,
    familyId,
    size,
    snapshots: chain.map((s) => s.id),
    full: { ranges: full, bytes: full.reduce((n, r) => n + r.end + 1 - r.start, 0) },
    diffs,
  };
}

/**
 * Bulk: one resource group `rg-bulk` with `disks` disks whose incremental chains hold about
 * `chainShare × snapshots` snapshots, interleaved with snapshots of disks the emulator doesn't
 * know, full snapshots and orphans (snapshots of earlier incarnations of the same disks).
 */
function seedBulk(store, sb, spec) {
  const sub = spec.subscriptionId || DEMO_SUBSCRIPTION;
  const total = Math.max(0, Math.floor(spec.snapshots ?? 10000));
  const nDisks = Math.max(1, Math.floor(spec.disks ?? 5));
  const share = Math.min(1, Math.max(0, spec.chainShare ?? 0.1));
  const rg = spec.resourceGroup || "rg-bulk";
  const location = spec.location || "westeurope";
  store.addSubscription({
    subscriptionId: sub,
    displayName: spec.displayName || "Bulk subscription",
    tenantId: DEMO_TENANT,
  });
  store.addResourceGroup(sub, rg, location);
  const base = SEED_BASE_MS;
  const rng = sb.rng;
  const skus = ["Premium_LRS", "StandardSSD_LRS", "Standard_LRS", "Premium_ZRS"];
  const disks = [];
  const ghosts = [];
  for (let i = 0; i < nDisks; i++) {
    const name = `bulk-disk-${String(i).padStart(3, "0")}`;
    const opts = {
      sub,
      rg,
      name,
      location,
      sku: skus[i % skus.length],
      sizeGB: [64, 128, 256, 512, 1024][i % 5],
      createdMs: base - 400 * DAY,
    };
    ghosts.push(sb.disk({ ...opts, ghost: true }));
    disks.push(sb.disk({ ...opts, createdMs: base - 366 * DAY }));
  }
  const others = [];
  for (let i = 0; i < Math.max(4, nDisks * 4); i++) {
    others.push(
      sb.disk({
        sub,
        rg: `rg-app-${i % 7}`,
        name: `app-disk-${String(i).padStart(3, "0")}`,
        location,
        sku: skus[i % skus.length],
        sizeGB: 128,
        createdMs: base - 500 * DAY,
        ghost: true,
      }),
    );
  }
  const chainCount = Math.round(total * share);
  const kinds = [];
  for (let i = 0; i < total; i++) {
    if (i < chainCount) kinds.push(["chain", disks[i % nDisks]]);
    else {
      const r = rng.next();
      if (r < 0.5) kinds.push(["other", rng.pick(others)]);
      else if (r < 0.7) kinds.push(["full", rng.pick(rng.next() < 0.5 ? disks : others)]);
      else kinds.push(["orphan", rng.pick(ghosts)]);
    }
  }
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const step = total > 0 ? Math.floor((365 * DAY) / total) : DAY;
  let ms = base - 365 * DAY;
  let n = 0;
  for (const [kind, d] of kinds) {
    ms += step;
    n += 1;
    const name = `${d.name}-${kind === "full" ? "full-" : ""}${stamp(ms)}-${String(n).padStart(6, "0")}`;
    sb.snapshotOf(d, {
      rg,
      name,
      ms,
      incremental: kind !== "full",
      tags: kind === "other" ? { app: d.resourceGroup } : {},
      copyStep: undefined,
    });
  }
  return info(store, sub, sb, { resourceGroup: rg });
}
