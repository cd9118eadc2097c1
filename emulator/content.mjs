// What disks and snapshots hold: their page-blob content on the emulator's Blob service
// (./blob/index.mjs, `store.blob`). The ARM records stay the truth for ARM; this module keeps
// the blobs in step with them.
//
// - A disk incarnation (disk key + uniqueId) owns one managed "family" page blob, keyed on the
//   Blob service by the incrementalSnapshotFamilyId its incremental snapshots get. A disk
//   recreated under the same name has a new uniqueId, so a new family.
// - An incremental snapshot is a blob snapshot of its family taken when the PUT arrives
//   (`rec.blob = { familyId, snapshot }`); one copied from an incremental snapshot shares its
//   source's blob snapshot (the blob snapshot goes when the last record naming it goes).
// - A full snapshot (and an Import or Upload snapshot) is its own managed blob, id
//   `snapshot:<uniqueId>` (`rec.blob = { familyId: "snapshot:…", snapshot: null }`), holding
//   the source's bytes at that moment (Import: none; the VHD at sourceUri is not read).
// - A CopyStart copy is a blob snapshot of a family in the target region that holds the source
//   snapshot's bytes: the target family is brought to the source snapshot (the pages changed
//   since the source snapshot it was last brought to, else all of them), then snapshotted.
// - A disk made from a disk or snapshot (Copy, Restore, CopyStart) starts with its bytes; an
//   imported one (Import) with the bytes of its source blob on this Blob service.
// - Sizes: a managed blob is diskSizeGB × GiB + 512 bytes (the recorded Content-Length of a
//   snapshot SAS is diskSizeBytes + 512: the fixed-VHD footer); its last page holds a VHD
//   footer ("conectix", fixed disk). An Upload disk or snapshot is exactly uploadSizeBytes
//   (rounded up to 512) and starts empty: the uploader writes the footer.
// - Everything is lazy: a family blob is made the first time it is needed (a write, a
//   snapshot, a grant, a copy), and then every existing snapshot of the family that has no
//   blob snapshot yet gets one, in creation order, so seeded history costs nothing until used
//   (the bulk seed stays cheap) and seeded snapshots diff as "no change" unless the seed wrote.
import { createHash } from "node:crypto";
import { GIB } from "./util.mjs";

export const PAGE = 512;
/** Bytes a VM may write to a disk, and the managed blob's size (the disk plus the VHD footer). */
export const diskBytes = (sizeGB) => sizeGB * GIB;
export const managedBlobSize = (sizeGB) => sizeGB * GIB + PAGE;
/** Largest byte run one control write may fill (byte / dataBase64); clears are unbounded. */
export const MAX_WRITE_BYTES = 256 * 1024 * 1024;
const COPY_CHUNK = 4 * 1024 * 1024;

/** The family id of a disk incarnation (the same one its incremental snapshots get). */
export function diskFamilyId(store, d) {
  return store.familyId(`disk|${d.key}|${d.uniqueId}`);
}

/** A 512-byte fixed-VHD footer for a disk of `sizeBytes` (big-endian fields, one's-complement checksum). */
export function vhdFooter(sizeBytes, idText = "") {
  const f = Buffer.alloc(PAGE);
  f.write("conectix", 0, "ascii");
  f.writeUInt32BE(2, 8); // features: reserved bit
  f.writeUInt32BE(0x00010000, 12); // file format version 1.0
  f.writeBigUInt64BE(0xffffffffffffffffn, 16); // data offset: none (fixed disk)
  f.writeUInt32BE(0, 24); // timestamp
  f.write("emu ", 28, "ascii"); // creator application
  f.writeUInt32BE(0x000a0000, 32); // creator version
  f.write("Wi2k", 36, "ascii"); // creator host OS
  f.writeBigUInt64BE(BigInt(sizeBytes), 40); // original size
  f.writeBigUInt64BE(BigInt(sizeBytes), 48); // current size
  const sectors = Math.min(Math.floor(sizeBytes / 512), 65535 * 16 * 255);
  f.writeUInt16BE(Math.min(65535, Math.floor(sectors / (16 * 255))), 56); // cylinders
  f.writeUInt8(16, 58); // heads
  f.writeUInt8(255, 59); // sectors per track
  f.writeUInt32BE(2, 60); // disk type: fixed
  createHash("md5").update(String(idText)).digest().copy(f, 68); // unique id (16 bytes)
  let sum = 0;
  for (let i = 0; i < PAGE; i++) if (i < 64 || i > 67) sum += f[i];
  f.writeUInt32BE(~sum >>> 0, 64);
  return f;
}

/** Make a managed blob (with a VHD footer unless `footer` is false). */
function makeBlob(store, id, size, footer = true) {
  store.blob.createFamily(id, size);
  if (footer && size >= PAGE) store.blob.writePages(id, size - PAGE, vhdFooter(size - PAGE, id));
}

/** Resize a managed blob; a grown one gets a footer in its new last page. */
function resizeBlob(store, id, size) {
  const b = store.blob.family(id);
  if (b.size === size) return;
  const grow = size > b.size;
  store.blob.resize(id, size);
  if (grow && size >= PAGE) store.blob.writePages(id, size - PAGE, vhdFooter(size - PAGE, id));
}

const byCreation = (a, b) => (a.createdMs ?? 0) - (b.createdMs ?? 0) || a.seq - b.seq;

/**
 * The family blob `familyId`, made if it is not there yet: sized `size`, then every stored
 * snapshot of the family without a blob snapshot gets one, oldest first (a CopyStart one after
 * the family is brought to its source). Returns the family id.
 */
export function ensureFamily(store, familyId, size) {
  if (store.blob.families.has(familyId)) return familyId;
  const members = [...store.snapshots.values()]
    .filter((s) => s.incremental && s.familyId === familyId && !s.blob)
    .sort(byCreation);
  const first = members.length ? managedBlobSize(members[0].diskSizeGB) : size;
  makeBlob(store, familyId, first);
  for (const s of members) {
    resizeBlob(store, familyId, managedBlobSize(s.diskSizeGB));
    if (s.createOption === "CopyStart" && s.copy?.sourceKey) {
      const src = store.snapshots.get(s.copy.sourceKey);
      if (src) syncFamily(store, familyId, snapshotRef(store, src));
    }
    s.blob = { familyId, snapshot: store.blob.snapshot(familyId) };
  }
  if (size !== undefined) resizeBlob(store, familyId, size);
  return familyId;
}

/** The family blob of a disk (made on first use). */
export function diskRef(store, d) {
  const familyId = diskFamilyId(store, d);
  ensureFamily(store, familyId, diskBlobSize(d));
  return { familyId, snapshot: null };
}

function diskBlobSize(d) {
  const up = d.creationData?.uploadSizeBytes;
  if (/^upload/i.test(d.creationData?.createOption || "") && Number.isInteger(up)) return Math.ceil(up / PAGE) * PAGE;
  return managedBlobSize(d.diskSizeGB);
}

/** The blob (and blob snapshot) of a snapshot record (made on first use for seeded ones). */
export function snapshotRef(store, s) {
  if (s.blob && store.blob.families.has(s.blob.familyId)) return s.blob;
  if (s.incremental && s.familyId) {
    ensureFamily(store, s.familyId);
    if (!s.blob) s.blob = { familyId: s.familyId, snapshot: store.blob.snapshot(s.familyId) };
    return s.blob;
  }
  const id = `snapshot:${s.uniqueId}`;
  if (!store.blob.families.has(id)) makeBlob(store, id, managedBlobSize(s.diskSizeGB));
  s.blob = { familyId: id, snapshot: null };
  return s.blob;
}

/** The blob reference of a disk or snapshot record (`type` "disks" | "snapshots"). */
export function refOf(store, type, r) {
  return type === "disks" ? diskRef(store, r) : snapshotRef(store, r);
}

/** Copy every page holding data in `src` ({ familyId, snapshot }) into blob `dstId` (same offsets). */
function copyPages(store, src, dstId) {
  const blob = store.blob;
  const dst = blob.family(dstId);
  for (const r of blob.pageList(src.familyId, { snapshot: src.snapshot || undefined })) {
    const end = Math.min(r.end + 1, dst.size);
    for (let at = r.start; at < end; at += COPY_CHUNK) {
      const n = Math.min(COPY_CHUNK, end - at);
      blob.writePages(
        dstId,
        at,
        blob.read(src.familyId, { snapshot: src.snapshot || undefined, offset: at, length: n }),
      );
    }
  }
}

/** Clear every page of blob `id` that holds data. */
function clearAll(store, id) {
  for (const r of store.blob.pageList(id)) store.blob.clearPages(id, r.start, r.end + 1 - r.start);
}

/**
 * Bring family `familyId` to the content of the blob snapshot `src`: only the pages changed
 * since the source snapshot it was last brought to (same source family, that snapshot still
 * there and older), else everything.
 */
function syncFamily(store, familyId, src) {
  const blob = store.blob;
  const last = store.blobSync.get(familyId);
  const srcBlob = blob.family(src.familyId);
  let done = false;
  if (
    last &&
    last.familyId === src.familyId &&
    src.snapshot &&
    srcBlob.snapshots.has(last.snapshot) &&
    last.snapshot <= src.snapshot
  ) {
    resizeBlob(store, familyId, blob.properties(src.familyId, src.snapshot).size);
    for (const r of blob.pageList(src.familyId, { snapshot: src.snapshot, prevSnapshot: last.snapshot })) {
      const len = r.end + 1 - r.start;
      if (r.kind === "clear") blob.clearPages(familyId, r.start, len);
      else
        for (let at = r.start; at < r.end + 1; at += COPY_CHUNK) {
          const n = Math.min(COPY_CHUNK, r.end + 1 - at);
          blob.writePages(familyId, at, blob.read(src.familyId, { snapshot: src.snapshot, offset: at, length: n }));
        }
    }
    done = true;
  }
  if (!done) {
    clearAll(store, familyId);
    const size = blob.properties(src.familyId, src.snapshot || undefined).size;
    if (blob.family(familyId).size !== size) blob.resize(familyId, size);
    copyPages(store, src, familyId);
  }
  store.blobSync.set(familyId, { familyId: src.familyId, snapshot: src.snapshot });
}

/**
 * The content of a snapshot being created (`rec`, not yet stored), from its source: `src` is
 * { type: "disks" | "snapshots", r } for Copy and CopyStart, null for Import and Upload.
 */
export function snapshotCreated(store, rec, src) {
  const blob = store.blob;
  if (rec.createOption === "CopyStart") {
    const from = snapshotRef(store, src.r);
    ensureFamily(store, rec.familyId, managedBlobSize(rec.diskSizeGB));
    syncFamily(store, rec.familyId, from);
    rec.blob = { familyId: rec.familyId, snapshot: blob.snapshot(rec.familyId) };
    return;
  }
  if (src && rec.incremental) {
    if (src.type === "disks") {
      const { familyId } = diskRef(store, src.r);
      rec.blob = { familyId, snapshot: blob.snapshot(familyId) };
    } else rec.blob = { ...snapshotRef(store, src.r) };
    return;
  }
  const id = `snapshot:${rec.uniqueId}`;
  if (src) {
    const from = refOf(store, src.type, src.r);
    makeBlob(store, id, blob.properties(from.familyId, from.snapshot || undefined).size, false);
    copyPages(store, from, id);
  } else if (/^upload/i.test(rec.createOption)) {
    makeBlob(store, id, Math.ceil(rec.creationData.uploadSizeBytes / PAGE) * PAGE, false);
  } else makeBlob(store, id, managedBlobSize(rec.diskSizeGB));
  rec.blob = { familyId: id, snapshot: null };
}

/** A disk being created from a disk or snapshot (`src` as for snapshotCreated) starts with its bytes. */
export function diskCreated(store, d, src) {
  if (!src) return;
  const from = refOf(store, src.type, src.r);
  copyPages(store, from, diskRef(store, d).familyId);
}

/** An imported disk starts with the bytes of the blob `ref` (at blob snapshot `snapshot`, if one). */
export function diskImported(store, d, { ref, snapshot }) {
  copyPages(store, { familyId: ref, snapshot }, diskRef(store, d).familyId);
}

/** A disk grew (diskSizeGB): its family blob grows with it (when it exists). */
export function diskResized(store, d) {
  const familyId = diskFamilyId(store, d);
  if (store.blob.families.has(familyId)) resizeBlob(store, familyId, managedBlobSize(d.diskSizeGB));
}

/** A disk is gone: its family blob stays while snapshots of the family name it (they outlive the disk). */
export function diskRemoved(store, d) {
  const familyId = diskFamilyId(store, d);
  if (!store.blob.families.has(familyId)) return;
  for (const s of store.snapshots.values()) if (s.familyId === familyId || s.blob?.familyId === familyId) return;
  store.blob.deleteFamily(familyId);
}

/** A snapshot record is gone: its blob snapshot (or own blob) goes when nothing else names it. */
export function snapshotRemoved(store, s) {
  const ref = s.blob;
  if (!ref) return;
  s.blob = null;
  const blob = store.blob;
  if (!blob.families.has(ref.familyId)) return;
  if (!ref.snapshot) {
    blob.deleteFamily(ref.familyId);
    return;
  }
  for (const x of store.snapshots.values())
    if (x !== s && x.blob && x.blob.familyId === ref.familyId && x.blob.snapshot === ref.snapshot) return;
  blob.deleteSnapshot(ref.familyId, ref.snapshot);
}

/**
 * Validate and apply writes to a disk, as a VM would: each { offset, length, byte? | dataBase64?,
 * clear? }, 512-aligned, inside the disk's bytes (not its footer). All are checked before any
 * is applied. Returns { diskId, familyId, writes, bytesWritten, bytesCleared }; throws
 * RangeError/TypeError with a message for a bad write.
 */
export function writeDisk(store, d, writes) {
  if (!Array.isArray(writes) || writes.length === 0 || writes.length > 10000)
    throw new TypeError("writes must be an array of 1 to 10000 { offset, length, byte? | dataBase64?, clear? }");
  const limit = diskBytes(d.diskSizeGB);
  let fill = 0;
  const plan = writes.map((w, i) => {
    const at = `writes[${i}]`;
    if (!w || typeof w !== "object" || Array.isArray(w)) throw new TypeError(`${at} must be an object`);
    for (const k of Object.keys(w))
      if (!["offset", "length", "byte", "dataBase64", "clear"].includes(k))
        throw new TypeError(`${at}: unknown property '${String(k).slice(0, 40)}'`);
    const { offset, clear = false } = w;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % PAGE !== 0)
      throw new RangeError(`${at}.offset must be a non-negative multiple of ${PAGE}`);
    if (typeof clear !== "boolean") throw new TypeError(`${at}.clear must be a boolean`);
    const kinds = [w.byte !== undefined, w.dataBase64 !== undefined, clear].filter(Boolean).length;
    if (kinds !== 1) throw new TypeError(`${at}: give exactly one of byte, dataBase64 or clear: true`);
    let data = null;
    let length = w.length;
    if (w.dataBase64 !== undefined) {
      if (typeof w.dataBase64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(w.dataBase64))
        throw new TypeError(`${at}.dataBase64 must be base64 text`);
      data = Buffer.from(w.dataBase64, "base64");
      if (length === undefined) length = data.length;
      if (length !== data.length) throw new RangeError(`${at}.length must equal the decoded data's length`);
    } else if (w.byte !== undefined && !(Number.isInteger(w.byte) && w.byte >= 0 && w.byte <= 255))
      throw new RangeError(`${at}.byte must be an integer from 0 to 255`);
    if (!Number.isSafeInteger(length) || length <= 0 || length % PAGE !== 0)
      throw new RangeError(`${at}.length must be a positive multiple of ${PAGE}`);
    if (offset + length > limit)
      throw new RangeError(`${at}: bytes [${offset}, ${offset + length}) are beyond the disk's ${limit} bytes`);
    if (!clear) fill += length;
    return { offset, length, clear, byte: w.byte, data };
  });
  if (fill > MAX_WRITE_BYTES) throw new RangeError(`at most ${MAX_WRITE_BYTES} bytes may be written at once`);
  const { familyId } = diskRef(store, d);
  let bytesWritten = 0;
  let bytesCleared = 0;
  for (const w of plan) {
    if (w.clear) {
      store.blob.clearPages(familyId, w.offset, w.length);
      bytesCleared += w.length;
    } else {
      for (let at = 0; at < w.length; at += COPY_CHUNK) {
        const n = Math.min(COPY_CHUNK, w.length - at);
        const buf = w.data ? w.data.subarray(at, at + n) : Buffer.alloc(n, w.byte);
        store.blob.writePages(familyId, w.offset + at, buf);
      }
      bytesWritten += w.length;
    }
  }
  return { diskId: d.id, familyId, writes: plan.length, bytesWritten, bytesCleared };
}

/**
 * Seed a disk's history: `steps[i]` (writes as for writeDisk) is applied before chain[i]'s blob
 * snapshot is taken; a step past the chain is applied after it (the disk's current state).
 * Returns the family id.
 */
export function seedHistory(store, d, chain, steps) {
  const familyId = diskFamilyId(store, d);
  if (store.blob.families.has(familyId)) throw new Error(`seedHistory: family of ${d.id} exists`);
  makeBlob(store, familyId, diskBlobSize(d));
  steps.forEach((writes, i) => {
    if (writes.length) writeDisk(store, d, writes);
    const s = chain[i];
    if (s) s.blob = { familyId, snapshot: store.blob.snapshot(familyId) };
  });
  return familyId;
}
