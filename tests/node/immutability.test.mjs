// ArmClient.setImmutabilityPolicy / lockImmutabilityPolicy over HTTP against the emulator: set,
// extend, lock, a lock never shortened, a delete refused while immutable, applyRetention keeping
// an immutable snapshot (reason "immutable") when it lists at 2026-03-02, and hostile arguments
// refused before any request.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage } from "./load-package.mjs";

const TOKEN = "immutability-secret-token-0123456789";
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const RG = `${SUB}/resourceGroups/rg-prod-westeurope`;
const DISK = `${RG}/providers/Microsoft.Compute/disks/vm-web-01-osdisk`;
let lib;
let emu;

const client = (options = {}) =>
  new lib.ArmClient({ token: TOKEN, endpoint: emu.url, retryDelayMs: 1, pollIntervalMs: 5, maxRetries: 1, ...options });

async function failure(call) {
  try {
    await call();
  } catch (e) {
    assert.ok(e instanceof Error, `a real Error: ${e}`);
    assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(TOKEN), "the token is never in an error");
    return e;
  }
  assert.fail("expected a failure");
}

let n = 0;
async function newSnapshot(c) {
  n += 1;
  const s = await c.createIncrementalSnapshot(DISK, { name: `imm-${n}-${Date.now()}` });
  return s.id;
}

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({ port: 0, seed: "demo", retryAfterSeconds: 0, lroPolls: 1, enforceRateLimit: false });
});
after(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.requests.length = 0;
});

test("set, extend, lock: each a POST at api-version 2026-03-02 followed to its end; GET at 2026-03-02 shows it", async () => {
  const c = client();
  assert.equal(c.apiVersion, "2025-01-02");
  const id = await newSnapshot(c);
  emu.requests.length = 0;
  assert.deepEqual(await c.setImmutabilityPolicy(id, { days: 7 }), { immutabilityDurationDays: 7, type: "Unlocked" });
  const posts = emu.requests.filter((r) => r.method === "POST");
  assert.equal(posts.length, 1, "never re-sent");
  assert.match(posts[0].url ?? posts[0].path, /\/updateImmutabilityPolicy\?api-version=2026-03-02$/);
  const at2026 = client({ apiVersion: "2026-03-02" });
  const read = (await at2026.getSnapshot(id)).properties.immutabilityPolicy;
  assert.deepEqual([read.immutabilityDurationDays, read.type, read.isPolicyExpired], [7, "Unlocked", false]);
  assert.equal((await c.getSnapshot(id)).properties.immutabilityPolicy, undefined, "not at 2025-01-02");
  assert.deepEqual(await c.getImmutabilityPolicy(id), read, "getImmutabilityPolicy reads at 2026-03-02 itself");
  assert.equal(await c.getImmutabilityPolicy(await newSnapshot(c)), null, "none set");
  assert.deepEqual(await c.setImmutabilityPolicy(id, { days: 10 }), { immutabilityDurationDays: 10, type: "Unlocked" });
  const locked = await c.lockImmutabilityPolicy(id, { days: 20 });
  assert.deepEqual(locked, { immutabilityDurationDays: 20, type: "Locked" });
  const after = (await at2026.getSnapshot(id)).properties.immutabilityPolicy;
  assert.equal(after.policyStartTime, read.policyStartTime, "extending and locking keep the start");
  assert.deepEqual(await c.lockImmutabilityPolicy(id, { days: 25 }), { immutabilityDurationDays: 25, type: "Locked" });
});

test("a lock is never shortened nor unlocked; a delete is refused while immutable", async () => {
  const c = client();
  const id = await newSnapshot(c);
  await c.lockImmutabilityPolicy(id, { days: 30 });
  const shorter = await failure(() => c.lockImmutabilityPolicy(id, { days: 29 }));
  assert.equal(shorter.code, "CONFLICT");
  assert.equal(shorter.armCode, "OperationNotAllowed");
  assert.match(shorter.message, /only be extended/);
  const unlock = await failure(() => c.setImmutabilityPolicy(id, { days: 60 }));
  assert.equal(unlock.code, "CONFLICT");
  const del = await failure(() => c.deleteSnapshot(id));
  assert.equal(del.code, "CONFLICT");
  assert.match(del.message, /immutability policy until/);
  assert.equal((await c.getSnapshot(id)).id, id, "still there");
  emu.advanceClock(30 * 86400000 + 1000);
  assert.deepEqual(await c.deleteSnapshot(id), { deleted: true }, "deletable once the policy expired");
});

test("applyRetention keeps an immutable snapshot (reason immutable) when it lists at 2026-03-02", async () => {
  const c = client({ apiVersion: "2026-03-02" });
  const [old, mid, newest] = [await newSnapshot(c), await newSnapshot(c), await newSnapshot(c)];
  await c.setImmutabilityPolicy(old, { days: 3 });
  const r = await c.applyRetention(DISK, { keepLast: 1 });
  const chain = r.plan.chains.find((ch) => ch.keep.some((k) => k.id === newest));
  assert.deepEqual(chain.keep.find((k) => k.id === old).reasons, ["immutable"]);
  assert.ok(!r.deleted.includes(old) && r.deleted.includes(mid));
  assert.ok(!r.failed.some((f) => f.id === old));
  // At an older api-version the listing cannot show the policy: the plan would remove it, and
  // ARM refuses that delete (reported in failed, the others go on).
  const blind = client();
  const dry = await blind.applyRetention(DISK, { keepLast: 1 }, { dryRun: true });
  assert.ok(dry.plan.chains.some((ch) => ch.remove.some((x) => x.id === old)));
  const real = await blind.applyRetention(DISK, { keepLast: 1 });
  assert.deepEqual(
    real.failed.map((f) => [f.id, f.code]),
    [[old, "CONFLICT"]],
  );
  assert.equal((await c.getSnapshot(old)).id, old);
});

test("hostile arguments are refused before any request, every violation at once", async () => {
  const c = client();
  const id = `${RG}/providers/Microsoft.Compute/snapshots/anything`;
  const thrower = {
    get days() {
      throw new Error("boom");
    },
  };
  const proxy = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error("trap");
      },
    },
  );
  for (const [i, [args, code, rules]] of [
    [[id], "INVALID_ARGUMENT", ["days.required"]],
    [[id, {}], "INVALID_ARGUMENT", ["days.required"]],
    [[id, { days: "7" }], "INVALID_ARGUMENT", ["days.type"]],
    [[id, { days: 1.5 }], "INVALID_ARGUMENT", ["days.type"]],
    [[id, { days: NaN }], "INVALID_ARGUMENT", ["days.required"]],
    [[id, { days: 0 }], "INVALID_ARGUMENT", ["days.range"]],
    [[id, { days: 1e300 }], "INVALID_ARGUMENT", ["days.range"]],
    [
      [id, { days: 146001, dayz: 1, type: "Locked" }],
      "INVALID_ARGUMENT",
      ["days.range", "options.unknown", "options.unknown"],
    ],
    [[id, { days: () => 7 }], "INVALID_ARGUMENT", ["days.required"]],
    [[id, { days: 7, signal: "stop" }], "INVALID_ARGUMENT", null],
    [[id, thrower], "INVALID_ARGUMENT", null],
    [[id, proxy], "INVALID_ARGUMENT", null],
    [[id, [7]], "INVALID_ARGUMENT", null],
    [[id, { days: 10n }], null, null],
    [[DISK, { days: 7 }], "INVALID_RESOURCE_ID", null],
    [["not an id", { days: 7 }], "INVALID_RESOURCE_ID", null],
    [[42, { days: 7 }], "INVALID_ARGUMENT", null],
    [[`${id}/../../x`, { days: 7 }], "INVALID_RESOURCE_ID", null],
  ].entries()) {
    for (const method of ["setImmutabilityPolicy", "lockImmutabilityPolicy"]) {
      const e = await failure(() => c[method](...args));
      if (code) assert.equal(e.code, code, `${method} case ${i}: ${e.message}`);
      else assert.ok(lib.errorCodes().includes(e.code), `case ${i}, a package error: ${e.code} ${e.message}`);
      if (rules)
        assert.deepEqual(
          e.violations.map((v) => v.rule),
          rules,
          `case ${i}: ${e.message}`,
        );
    }
  }
  for (const bad of [DISK, 42, "x", undefined]) {
    assert.ok(
      ["INVALID_ARGUMENT", "INVALID_RESOURCE_ID"].includes((await failure(() => c.getImmutabilityPolicy(bad))).code),
    );
  }
  assert.deepEqual(emu.requests, [], "no request was sent");
  const ac = new AbortController();
  ac.abort();
  assert.equal((await failure(() => c.setImmutabilityPolicy(id, { days: 1, signal: ac.signal }))).code, "ABORTED");
});

test("concurrent calls on one snapshot: both end, the later extension wins, nothing is left running", async () => {
  const c = client();
  const id = await newSnapshot(c);
  const results = await Promise.all([
    c.setImmutabilityPolicy(id, { days: 2 }),
    c.setImmutabilityPolicy(id, { days: 2 }),
    c.lockImmutabilityPolicy(id, { days: 4 }),
  ]);
  assert.equal(results.length, 3);
  const p = (await client({ apiVersion: "2026-03-02" }).getSnapshot(id)).properties.immutabilityPolicy;
  assert.ok(p.immutabilityDurationDays >= 2);
  assert.ok(["Locked", "Unlocked"].includes(p.type));
  // Expire it so the shared demo data can be cleaned up by other tests' runs.
  emu.advanceClock(5 * 86400000);
});
