// GET /v1/snapshots/{snapshot id}/changes: the pages two snapshots of a disk differ in, through the
// worker in workerd, against the emulator's ARM and Blob service, with known writes between them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { prerequisites, startStack } from "./helpers.mjs";
import { MiB, TOKEN, sourceBlob, twoSnapshots } from "./blob-helpers.mjs";

const missing = await prerequisites();
const snapPath = (id) => `/v1/snapshots${id}`;

describe("snapshot changes", { skip: missing ?? false, timeout: 180_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  let diskId;
  let snaps;
  let other;

  before(
    async () => {
      s = await startStack({ bindings: { ARM_MAX_RETRIES: "1", WAIT_TIMEOUT_MS: "8000" } });
      const ids = s.emu.seedInfo.disks;
      diskId = ids.find((id) => id.endsWith("/dev-scratch"));
      const otherDisk = ids.find((id) => id.endsWith("/legacy-app-disk"));
      assert.ok(diskId && otherDisk, "demo disks dev-scratch and legacy-app-disk");
      snaps = await twoSnapshots(
        s,
        diskId,
        "chg",
        [
          { offset: 0, length: 1 * MiB, byte: 0x11 },
          { offset: 8 * MiB, length: 64 * 1024, byte: 0x22 },
        ],
        [
          { offset: 8 * MiB, length: 4096, byte: 0x33 },
          { offset: 0, length: 4096, clear: true },
          { offset: 20 * MiB, length: 512, byte: 0x44 },
        ],
      );
      other = await twoSnapshots(
        s,
        otherDisk,
        "chg-other",
        [{ offset: 0, length: 512, byte: 1 }],
        [{ offset: 512, length: 512, byte: 2 }],
      );
    },
    { timeout: 90_000 },
  );
  after(async () => {
    if (s) await s.close();
  });

  /** What the emulator's Blob service says the two differ in: [{ start, end (inclusive), kind }]. */
  function expectedDiff(newer, older) {
    const a = sourceBlob(s.emu, newer);
    const b = older ? sourceBlob(s.emu, older) : null;
    return s.emu.blob.pageList(
      a.familyId,
      b ? { snapshot: a.snapshot, prevSnapshot: b.snapshot } : { snapshot: a.snapshot },
    );
  }
  const bytes = (ranges, cleared) =>
    ranges.filter((r) => (r.kind === "clear") === cleared).reduce((n, r) => n + (r.end - r.start + 1), 0);

  test("summary: contentLength, changed and cleared bytes, the number of ranges (no ranges)", async () => {
    const r = await s.call(`${snapPath(snaps.second)}/changes?since=chg-1`, { token: TOKEN });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const want = expectedDiff(snaps.second, snaps.first);
    const props = s.emu.blob.properties(sourceBlob(s.emu, snaps.second).familyId);
    assert.equal(r.body.snapshot.toLowerCase(), snaps.second.toLowerCase());
    assert.equal(r.body.since.toLowerCase(), snaps.first.toLowerCase());
    assert.equal(r.body.contentLength, props.size);
    assert.equal(r.body.changedBytes, bytes(want, false));
    assert.equal(r.body.clearedBytes, bytes(want, true));
    // the known writes: 4 KiB at 8 MiB and 512 B at 20 MiB changed, 4 KiB at 0 cleared
    assert.equal(r.body.changedBytes, 4096 + 512);
    assert.equal(r.body.clearedBytes, 4096);
    assert.equal(r.body.rangeCount, want.length);
    assert.equal(r.body.ranges, undefined);
  });

  test("?ranges=true lists every range; since may be a full snapshot id", async () => {
    const r = await s.call(`${snapPath(snaps.second)}/changes?ranges=true&since=${encodeURIComponent(snaps.first)}`, {
      token: TOKEN,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const want = expectedDiff(snaps.second, snaps.first);
    assert.equal(r.body.ranges.length, r.body.rangeCount);
    // the package's ranges against the service's (inclusive ends there), whatever the package's end
    const inclusive = r.body.ranges.every((x, i) => x.end === want[i]?.end);
    assert.deepEqual(
      r.body.ranges.map((x) => ({ start: x.start, end: inclusive ? x.end : x.end - 1, cleared: x.cleared })),
      want.map((x) => ({ start: x.start, end: x.end, cleared: x.kind === "clear" })),
    );
  });

  test("without since: every page the snapshot holds", async () => {
    const r = await s.call(`${snapPath(snaps.first)}/changes`, { token: TOKEN });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.since, null);
    const want = expectedDiff(snaps.first);
    assert.equal(r.body.changedBytes, bytes(want, false));
    assert.equal(r.body.clearedBytes, 0);
    assert.ok(r.body.changedBytes >= 1 * MiB + 64 * 1024, "the first writes are there");
  });

  test("refusals: older not first, another family, since a full snapshot are 400 INVALID_ARGUMENT", async () => {
    const wrongOrder = await s.call(`${snapPath(snaps.first)}/changes?since=chg-2`, { token: TOKEN });
    assert.equal(wrongOrder.status, 400, JSON.stringify(wrongOrder.body));
    assert.equal(wrongOrder.body.error.code, "INVALID_ARGUMENT");
    const family = await s.call(`${snapPath(snaps.second)}/changes?since=${encodeURIComponent(other.first)}`, {
      token: TOKEN,
    });
    assert.equal(family.status, 400, JSON.stringify(family.body));
    assert.equal(family.body.error.code, "INVALID_ARGUMENT");
    const full = [...s.emu.store.snapshots.values()].find((x) => !x.incremental && x.name === "imported-golden-image");
    assert.ok(full, "the demo's full snapshot");
    const notIncr = await s.call(`${snapPath(snaps.second)}/changes?since=${encodeURIComponent(full.id)}`, {
      token: TOKEN,
    });
    assert.equal(notIncr.status, 400, JSON.stringify(notIncr.body));
    assert.equal(notIncr.body.error.code, "INVALID_ARGUMENT");
  });

  test("a missing snapshot is 404, no token 401, bad query 400; no SAS URL in any answer", async () => {
    const gone = await s.call(`${snapPath(snaps.second)}/changes?since=no-such-snapshot`, { token: TOKEN });
    assert.equal(gone.status, 404, JSON.stringify(gone.body));
    const noToken = await s.call(`${snapPath(snaps.second)}/changes`);
    assert.equal(noToken.status, 401);
    const badFlag = await s.call(`${snapPath(snaps.second)}/changes?ranges=maybe`, { token: TOKEN });
    assert.equal(badFlag.status, 400);
    const unknown = await s.call(`${snapPath(snaps.second)}/changes?sinse=chg-1`, { token: TOKEN });
    assert.equal(unknown.status, 400);
    const empty = await s.call(`${snapPath(snaps.second)}/changes?since=`, { token: TOKEN });
    assert.equal(empty.status, 400);
    for (const r of [gone, noToken, badFlag, unknown, empty]) assert.doesNotMatch(r.text, /sig=|\/blob\//);
    const post = await s.call(`${snapPath(snaps.second)}/changes`, { method: "POST", token: TOKEN });
    assert.equal(post.status, 405);
  });

  test("blob requests carry no Authorization; ARM requests do; grants are revoked", async () => {
    s.reset();
    const r = await s.call(`${snapPath(snaps.second)}/changes?since=chg-1`, { token: TOKEN });
    assert.equal(r.status, 200);
    const blob = s.outbound.filter((o) => new URL(o.url).pathname.startsWith("/blob/"));
    const arm = s.outbound.filter((o) => !new URL(o.url).pathname.startsWith("/blob/"));
    assert.ok(blob.length > 0 && arm.length > 0, JSON.stringify(s.outbound.map((o) => o.method)));
    assert.ok(
      blob.every((o) => !o.authorization),
      "no blob request carries Authorization",
    );
    assert.ok(
      arm.every((o) => o.authorization),
      "every ARM request carries the token",
    );
    assert.equal(s.emu.blob.openGrants(sourceBlob(s.emu, snaps.second).familyId), 0);
  });
});
