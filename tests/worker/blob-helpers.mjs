// What the differential-copy suites share: disks given known writes and snapshots made through the
// worker, the emulator's Blob service records behind ARM ids, and byte-exact comparison of blobs.
import assert from "node:assert/strict";
import { diskPath, poll } from "./helpers.mjs";

export const MiB = 1024 * 1024;
export const TOKEN = "eyJhbGciOi.diff-copy-token_123";

/** The snapshot record of the emulator behind an ARM id (ignoring case). */
export function snapshotRecord(emu, id) {
  for (const r of emu.store.snapshots.values()) if (r.id.toLowerCase() === id.toLowerCase()) return r;
  throw new Error(`no snapshot ${id}`);
}

/** `{ familyId, snapshot }`: the blob and blob snapshot holding a snapshot's bytes. */
export function sourceBlob(emu, id) {
  const rec = snapshotRecord(emu, id);
  assert.ok(rec.blob, `snapshot ${id} has a blob`);
  return rec.blob;
}

/** Makes an incremental snapshot of `diskId` through the worker (waiting for it); returns its id. */
export async function snapshotThroughWorker(s, diskId, name) {
  const r = await s.call(`${diskPath(diskId)}/incremental-snapshots?wait=true`, {
    method: "POST",
    token: TOKEN,
    json: { name },
    timeoutMs: 30_000,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.snapshot.id;
}

/**
 * Two snapshots of `diskId` that differ by known writes: `first` after `writesA`, `second` after
 * `writesB` on top (emu.writeDisk's { offset, length, byte | dataBase64 | clear }).
 */
export async function twoSnapshots(s, diskId, prefix, writesA, writesB) {
  s.emu.writeDisk(diskId, writesA);
  const first = await snapshotThroughWorker(s, diskId, `${prefix}-1`);
  s.emu.writeDisk(diskId, writesB);
  const second = await snapshotThroughWorker(s, diskId, `${prefix}-2`);
  return { first, second };
}

/** Spread-out writes: `n` regions of `length` bytes, `gap` apart from `base`, each its own byte. */
export function spreadWrites(n, { base = 0, gap = 8 * MiB, length = 256 * 1024, byte = 0x10 } = {}) {
  return Array.from({ length: n }, (_, i) => ({ offset: base + i * gap, length, byte: (byte + i) % 256 || 1 }));
}

/** Allocated ranges of a blob (snapshot) as [start, endExclusive). */
function allocated(emu, ref, snapshot) {
  return emu.blob
    .pageList(ref, snapshot ? { snapshot } : {})
    .filter((r) => r.kind === "page")
    .map((r) => [r.start, r.end + 1]);
}

/**
 * Asserts that blob `b` (`{ ref, snapshot }`) holds exactly the bytes of `a`: same size, and the
 * same bytes over every page either holds (unallocated pages read as zeros), read piecewise.
 */
export function assertSameBytes(emu, a, b, what) {
  const pa = emu.blob.properties(a.ref, a.snapshot ?? undefined);
  const pb = emu.blob.properties(b.ref, b.snapshot ?? undefined);
  assert.equal(pb.size, pa.size, `${what}: size`);
  const ranges = [...allocated(emu, a.ref, a.snapshot), ...allocated(emu, b.ref, b.snapshot)].sort(
    (x, y) => x[0] - y[0],
  );
  let compared = 0;
  for (const [start, end] of ranges) {
    for (let at = start; at < end; at += 16 * MiB) {
      const length = Math.min(16 * MiB, end - at);
      const x = emu.blob.read(a.ref, { snapshot: a.snapshot ?? undefined, offset: at, length });
      const y = emu.blob.read(b.ref, { snapshot: b.snapshot ?? undefined, offset: at, length });
      assert.ok(x.equals(y), `${what}: bytes differ in [${at}, ${at + length})`);
      compared += length;
    }
  }
  return compared;
}

/** Put Page requests (Put Page From URL and clears) the Blob service answered since its last reset. */
export function putPages(emu) {
  return emu.blob.requests.filter((r) => r.method === "PUT" && r.headers.includes("x-ms-page-write")).length;
}

export { poll };
