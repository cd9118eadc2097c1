// Snapshot immutability in the emulator (api-version 2026-03-02): the two actions as long-running
// operations (202 + Location + Retry-After, the monitor answering ImmutabilityPolicyData), the
// policy on GET and in lists at 2026-03-02 only, start kept on update, expiry on the emulator
// clock, locked policies only extended, DELETE refused while active, and the refusals before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, call, createRg, createDisk, createSnapshot, snapPath, rgPath, TIME_RE } from "./helpers.mjs";

const NEW = "2026-03-02";
const DAY = 86400000;

async function fresh(t) {
  const emu = await start({ seed: "empty", lroPolls: 1, retryAfterSeconds: 2 });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg1", "westeurope");
  const disk = await createDisk(emu, sub, "rg1", "d1");
  const snap = await createSnapshot(emu, sub, "rg1", "s1", disk.id);
  return { emu, sub, disk, snap, path: snapPath(sub, "rg1", "s1") };
}

/** POST an action and follow its Location to the end; { status, body } of the final answer. */
async function act(emu, path, action, body, api = NEW) {
  const r = await call(emu, "POST", `${path}/${action}`, { body, api });
  if (r.status !== 202) return r;
  assert.equal(r.headers.get("azure-asyncoperation"), null, "final-state-via location: Location only");
  assert.equal(r.headers.get("retry-after"), "2");
  const loc = r.headers.get("location");
  assert.match(loc, /\/DiskOperations\/[^?]+\?.*monitor=true/);
  for (let i = 0; i < 10; i++) {
    const m = await call(emu, "GET", loc, { api: null });
    if (m.status !== 202) return m;
  }
  throw new Error("the operation did not end");
}

const policyOf = async (emu, path, api = NEW) =>
  (await call(emu, "GET", path, { api })).body.properties.immutabilityPolicy;
const advance = (emu, ms) => emu.advanceClock(ms);

test("set, extend and shorten an unlocked policy: the start is kept, GET shows it at 2026-03-02 only", async (t) => {
  const { emu, sub, path } = await fresh(t);
  const r = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 7, type: "Unlocked" });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { immutabilityDurationDays: 7, type: "Unlocked" });
  const p = await policyOf(emu, path);
  assert.equal(p.immutabilityDurationDays, 7);
  assert.equal(p.type, "Unlocked");
  assert.equal(p.isPolicyExpired, false);
  assert.match(p.policyStartTime, TIME_RE);
  assert.equal(Date.parse(p.policyExpirationTime) - Date.parse(p.policyStartTime), 7 * DAY);
  assert.equal(await policyOf(emu, path, "2025-01-02"), undefined, "older api-versions do not know it");
  const list = await call(emu, "GET", `${rgPath(sub, "rg1")}/providers/Microsoft.Compute/snapshots`, { api: NEW });
  assert.equal(list.body.value[0].properties.immutabilityPolicy.immutabilityDurationDays, 7);
  advance(emu, DAY);
  const longer = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 30, type: "unlocked" });
  assert.deepEqual(longer.body, { immutabilityDurationDays: 30, type: "Unlocked" });
  const p2 = await policyOf(emu, path);
  assert.equal(p2.policyStartTime, p.policyStartTime, "an update of an active policy keeps its start");
  const shorter = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 2, type: "Unlocked" });
  assert.equal(shorter.status, 200, "an unlocked policy may be shortened");
  assert.equal((await policyOf(emu, path)).immutabilityDurationDays, 2);
});

test("lock, then only extend; an unlocked update of a locked policy is refused", async (t) => {
  const { emu, path } = await fresh(t);
  await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 5, type: "Unlocked" });
  const start = (await policyOf(emu, path)).policyStartTime;
  const locked = await act(emu, path, "updateImmutabilityPolicyLock", { immutabilityDurationDays: 10, type: "Locked" });
  assert.deepEqual(locked.body, { immutabilityDurationDays: 10, type: "Locked" });
  assert.equal((await policyOf(emu, path)).policyStartTime, start, "locking keeps the start");
  const shorter = await act(emu, path, "updateImmutabilityPolicyLock", { immutabilityDurationDays: 9, type: "Locked" });
  assert.equal(shorter.status, 409);
  assert.equal(shorter.body.error.code, "OperationNotAllowed");
  assert.match(shorter.body.error.message, /only be extended/);
  const unlock = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 20, type: "Unlocked" });
  assert.equal(unlock.status, 409);
  const longer = await act(emu, path, "updateImmutabilityPolicyLock", { immutabilityDurationDays: 40, type: "Locked" });
  assert.equal(longer.status, 200);
  assert.deepEqual(await policyOf(emu, path).then((p) => [p.immutabilityDurationDays, p.type]), [40, "Locked"]);
});

test("DELETE is refused while a policy is active and allowed once it expired on the emulator clock", async (t) => {
  const { emu, path } = await fresh(t);
  await act(emu, path, "updateImmutabilityPolicyLock", { immutabilityDurationDays: 3, type: "Locked" });
  const refused = await call(emu, "DELETE", path, { api: "2025-01-02" });
  assert.equal(refused.status, 409, "whatever the api-version of the delete");
  assert.equal(refused.body.error.code, "OperationNotAllowed");
  assert.match(refused.body.error.message, /immutability policy until \d{4}-/);
  assert.equal((await call(emu, "GET", path)).status, 200, "still there");
  advance(emu, 3 * DAY - 60000);
  assert.equal((await call(emu, "DELETE", path)).status, 409, "a minute before the end");
  advance(emu, 120000);
  const p = await policyOf(emu, path);
  assert.equal(p.isPolicyExpired, true, "an expired policy is still reported");
  // Once expired, a new policy starts anew (and an unlocked one may follow a lock).
  const again = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 1, type: "Unlocked" });
  assert.equal(again.status, 200);
  assert.notEqual((await policyOf(emu, path)).policyStartTime, p.policyStartTime);
  advance(emu, DAY);
  const gone = await call(emu, "DELETE", path);
  assert.equal(gone.status, 202);
});

test("refusals: old api-versions, bad bodies, disks, missing snapshots, other methods", async (t) => {
  const { emu, sub, disk, path } = await fresh(t);
  const old = await call(emu, "POST", `${path}/updateImmutabilityPolicy`, {
    body: { immutabilityDurationDays: 1, type: "Unlocked" },
    api: "2025-01-02",
  });
  assert.equal(old.status, 404);
  assert.equal(old.body.error.code, "InvalidResourceType");
  assert.match(old.body.error.message, /snapshots\/updateImmutabilityPolicy.*2025-01-02/);
  for (const [body, target] of [
    [{ type: "Unlocked" }, "immutabilityDurationDays"],
    [{ immutabilityDurationDays: 0, type: "Unlocked" }, "immutabilityDurationDays"],
    [{ immutabilityDurationDays: 1.5, type: "Unlocked" }, "immutabilityDurationDays"],
    [{ immutabilityDurationDays: "7", type: "Unlocked" }, "immutabilityDurationDays"],
    [{ immutabilityDurationDays: 2 ** 31, type: "Unlocked" }, "immutabilityDurationDays"],
    [{ immutabilityDurationDays: 1, type: "Forever" }, "type"],
    [{ immutabilityDurationDays: 1 }, "type"],
    [{ immutabilityDurationDays: 1, type: "Locked" }, "type"],
  ]) {
    const r = await call(emu, "POST", `${path}/updateImmutabilityPolicy`, { body, api: NEW });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, "InvalidParameter");
    assert.equal(r.body.error.target, `immutabilityPolicyData.${target}`, JSON.stringify(body));
  }
  const unlockedLock = await call(emu, "POST", `${path}/updateImmutabilityPolicyLock`, {
    body: { immutabilityDurationDays: 1, type: "Unlocked" },
    api: NEW,
  });
  assert.equal(unlockedLock.status, 400);
  const notObject = await call(emu, "POST", `${path}/updateImmutabilityPolicy`, { raw: "[1]", api: NEW });
  assert.equal(notObject.status, 400);
  const onDisk = await call(emu, "POST", `${disk.id}/updateImmutabilityPolicy`, {
    body: { immutabilityDurationDays: 1, type: "Unlocked" },
    api: NEW,
  });
  assert.equal(onDisk.status, 404);
  assert.equal(onDisk.body.error.code, "InvalidResourceType");
  const missing = await call(emu, "POST", `${snapPath(sub, "rg1", "nope")}/updateImmutabilityPolicy`, {
    body: { immutabilityDurationDays: 1, type: "Unlocked" },
    api: NEW,
  });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, "ResourceNotFound");
  const get = await call(emu, "GET", `${path}/updateImmutabilityPolicy`, { api: NEW });
  assert.equal(get.status, 405);
  assert.equal(await policyOf(emu, path), undefined, "nothing was set by any of these");
});

test("a failed operation sets nothing; the 5-grants-per-family limit is modelled with a plain message", async (t) => {
  const { emu, sub, disk, path } = await fresh(t);
  emu.addFault({ route: "POST updateImmutabilityPolicy", kind: "lroFailed" });
  const failed = await act(emu, path, "updateImmutabilityPolicy", { immutabilityDurationDays: 3, type: "Unlocked" });
  assert.ok(failed.status >= 400, `the monitor reports the failure (${failed.status})`);
  assert.equal(await policyOf(emu, path), undefined);
  const names = ["s2", "s3", "s4", "s5", "s6"];
  for (const n of names) await createSnapshot(emu, sub, "rg1", n, disk.id);
  const grant = (n) =>
    call(emu, "POST", `${snapPath(sub, "rg1", n)}/beginGetAccess`, { body: { access: "Read", durationInSeconds: 60 } });
  for (const n of ["s1", ...names.slice(0, 4)]) assert.equal((await grant(n)).status, 202, n);
  const sixth = await grant("s6");
  assert.equal(sixth.status, 409);
  assert.equal(sixth.body.error.code, "OperationNotAllowed");
  assert.match(sixth.body.error.message, /At most 5 snapshots/);
  await call(emu, "POST", `${path}/endGetAccess`);
  assert.equal((await grant("s6")).status, 202, "after one revoke a grant fits again");
});
