// Conditional PUTs as ARM documents them: If-None-Match: * (create only), If-Match: * (update
// only), If-Match: <etag> (optimistic concurrency), ETag on GET / PUT / PATCH, 200 for an update,
// and an atomic create: two concurrent creates of one name give exactly one success.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  start,
  call,
  createRg,
  createDisk,
  createSnapshot,
  snapshotBody,
  waitOperation,
  snapPath,
  diskPath,
  rgPath,
} from "./helpers.mjs";

async function fresh(t, opts = {}) {
  const emu = await start({ seed: "empty", lroPolls: 0, enforceRateLimit: false, ...opts });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg1", "westeurope");
  const disk = await createDisk(emu, sub, "rg1", "d1", { sku: "Standard_LRS" });
  return { emu, sub, disk };
}

function assertPreconditionFailed(r, where) {
  assert.equal(r.status, 412, `${where}: ${r.text}`);
  assert.equal(r.body?.error?.code, "PreconditionFailed", where);
  assert.equal(typeof r.body.error.message, "string", where);
  assert.ok(r.body.error.message.length > 0, where);
  assert.equal(r.headers.get("x-ms-error-code"), "PreconditionFailed", where);
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8", where);
}

const tagged = (disk, tags) => ({ ...snapshotBody(disk.id), tags });

test("snapshot PUT: If-None-Match: * creates once, then 412 and the resource is unchanged", async (t) => {
  const { emu, sub, disk } = await fresh(t);
  const p = snapPath(sub, "rg1", "snap");
  let r = await call(emu, "PUT", p, { body: tagged(disk, { owner: "first" }), headers: { "if-none-match": "*" } });
  assert.equal(r.status, 202, r.text);
  assert.match(r.headers.get("etag") || "", /^(W\/)?"[^"]+"$/, "a create answers with an ETag");
  await waitOperation(emu, r);
  r = await call(emu, "PUT", p, { body: tagged(disk, { owner: "second" }), headers: { "if-none-match": "*" } });
  assertPreconditionFailed(r, "second create");
  // in another casing of the name as well
  r = await call(emu, "PUT", snapPath(sub, "RG1", "SNAP"), {
    body: tagged(disk, { owner: "third" }),
    headers: { "If-None-Match": "*" },
  });
  assertPreconditionFailed(r, "other casing");
  const got = await call(emu, "GET", p);
  assert.deepEqual(got.body.tags, { owner: "first" }, "never overwritten");
  // even while the first create is still running, the name is taken
  emu.options.lroPolls = 5;
  r = await call(emu, "PUT", snapPath(sub, "rg1", "slow"), {
    body: tagged(disk, { owner: "a" }),
    headers: { "if-none-match": "*" },
  });
  assert.equal(r.status, 202);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "slow"), {
    body: tagged(disk, { owner: "b" }),
    headers: { "if-none-match": "*" },
  });
  assertPreconditionFailed(r, "create while the first is in progress");
});

test("snapshot PUT: an update of an existing snapshot answers 200, not 201 or 202", async (t) => {
  const { emu, sub, disk } = await fresh(t);
  const p = snapPath(sub, "rg1", "snap");
  await createSnapshot(emu, sub, "rg1", "snap", disk.id);
  const r = await call(emu, "PUT", p, { body: tagged(disk, { v: "2" }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get("azure-asyncoperation"), null, "no operation for an update");
  assert.deepEqual(r.body.tags, { v: "2" });
});

test("snapshot PUT: If-Match: * needs an existing resource", async (t) => {
  const { emu, sub, disk } = await fresh(t);
  let r = await call(emu, "PUT", snapPath(sub, "rg1", "absent"), {
    body: snapshotBody(disk.id),
    headers: { "if-match": "*" },
  });
  assertPreconditionFailed(r, "If-Match: * on an absent name");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "absent"))).status, 404, "nothing created");
  await createSnapshot(emu, sub, "rg1", "snap", disk.id);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "snap"), {
    body: tagged(disk, { v: "x" }),
    headers: { "if-match": "*" },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.tags, { v: "x" });
});

test("snapshot PUT: If-Match: <etag> is optimistic concurrency; the etag changes on every write", async (t) => {
  const { emu, sub, disk } = await fresh(t);
  const p = snapPath(sub, "rg1", "snap");
  await createSnapshot(emu, sub, "rg1", "snap", disk.id);
  const g1 = await call(emu, "GET", p);
  const e1 = g1.headers.get("etag");
  assert.match(e1 || "", /^(W\/)?"[^"]+"$/, "GET carries an ETag");
  assert.equal((await call(emu, "GET", p)).headers.get("etag"), e1, "reads do not change it");
  // a stale or made-up etag: 412, nothing changes
  let r = await call(emu, "PUT", p, { body: tagged(disk, { v: "bad" }), headers: { "if-match": '"not-the-etag"' } });
  assertPreconditionFailed(r, "wrong etag");
  assert.equal((await call(emu, "GET", p)).body.tags, undefined);
  // the current etag: the update goes through and the etag moves on
  r = await call(emu, "PUT", p, { body: tagged(disk, { v: "1" }), headers: { "if-match": e1 } });
  assert.equal(r.status, 200, r.text);
  const e2 = r.headers.get("etag");
  assert.ok(e2 && e2 !== e1, "a PUT changes the etag and returns the new one");
  assert.equal((await call(emu, "GET", p)).headers.get("etag"), e2);
  // the old etag is now stale
  r = await call(emu, "PUT", p, { body: tagged(disk, { v: "stale" }), headers: { "if-match": e1 } });
  assertPreconditionFailed(r, "stale etag");
  // one of a list of etags matches; the weak form compares too
  r = await call(emu, "PUT", p, { body: tagged(disk, { v: "2" }), headers: { "if-match": `"zzz", ${e2}` } });
  assert.equal(r.status, 200, r.text);
  const e3 = r.headers.get("etag");
  // a PATCH is a write too
  r = await call(emu, "PATCH", p, { body: { tags: { v: "3" } } });
  assert.equal(r.status, 200);
  const e4 = r.headers.get("etag");
  assert.ok(e4 && e4 !== e3, "PATCH changes the etag");
  r = await call(emu, "PUT", p, { body: tagged(disk, { v: "x" }), headers: { "if-match": e3 } });
  assertPreconditionFailed(r, "etag from before the PATCH");
  assert.deepEqual((await call(emu, "GET", p)).body.tags, { v: "3" });
  // If-None-Match with an etag (not *) on a PUT that would match: 412 as well
  r = await call(emu, "PUT", p, { body: tagged(disk, { v: "y" }), headers: { "if-none-match": e4 } });
  assertPreconditionFailed(r, "If-None-Match: current etag");
});

test("disk PUT: conditions, ETag, and an update answers 200", async (t) => {
  const { emu, sub } = await fresh(t);
  const p = diskPath(sub, "rg1", "d1");
  const body = {
    location: "westeurope",
    sku: { name: "Standard_LRS" },
    properties: { creationData: { createOption: "Empty" }, diskSizeGB: 128 },
  };
  let r = await call(emu, "PUT", p, { body: { ...body, tags: { x: "1" } }, headers: { "if-none-match": "*" } });
  assertPreconditionFailed(r, "disk exists");
  assert.deepEqual((await call(emu, "GET", p)).body.tags, {}, "unchanged");
  r = await call(emu, "PUT", diskPath(sub, "rg1", "nope"), { body, headers: { "if-match": "*" } });
  assertPreconditionFailed(r, "If-Match: * on an absent disk");
  const g = await call(emu, "GET", p);
  const e1 = g.headers.get("etag");
  assert.match(e1 || "", /^(W\/)?"[^"]+"$/);
  r = await call(emu, "PUT", p, { body: { ...body, tags: { x: "2" } }, headers: { "if-match": e1 } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.tags, { x: "2" });
  assert.equal(r.body.properties.provisioningState, "Succeeded");
  assert.ok(r.headers.get("etag") && r.headers.get("etag") !== e1);
  r = await call(emu, "PUT", p, { body: { ...body, tags: { x: "3" } }, headers: { "if-match": e1 } });
  assertPreconditionFailed(r, "stale disk etag");
  // a new disk with If-None-Match: * is an ordinary create
  r = await call(emu, "PUT", diskPath(sub, "rg1", "d2"), { body, headers: { "if-none-match": "*" } });
  assert.equal(r.status, 202, r.text);
  await waitOperation(emu, r);
});

test("resource group PUT: If-None-Match: * and If-Match: *", async (t) => {
  const { emu, sub } = await fresh(t);
  let r = await call(emu, "PUT", rgPath(sub, "rg1"), {
    body: { location: "westeurope", tags: { a: "1" } },
    api: "2021-04-01",
    headers: { "if-none-match": "*" },
  });
  assertPreconditionFailed(r, "rg exists");
  r = await call(emu, "PUT", rgPath(sub, "rg-new"), {
    body: { location: "westeurope" },
    api: "2021-04-01",
    headers: { "if-match": "*" },
  });
  assertPreconditionFailed(r, "rg absent");
  r = await call(emu, "PUT", rgPath(sub, "rg-new"), {
    body: { location: "westeurope" },
    api: "2021-04-01",
    headers: { "if-none-match": "*" },
  });
  assert.equal(r.status, 201);
  assert.ok(r.headers.get("etag"));
});

for (const latencyMs of [0, 50]) {
  test(`two concurrent creates of one name with If-None-Match: * (latencyMs ${latencyMs}): exactly one succeeds`, async (t) => {
    const { emu, sub, disk } = await fresh(t);
    emu.options.latencyMs = latencyMs;
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const started = Date.now();
      const [a, b] = await Promise.all(
        ["a", "b"].map((who) =>
          call(emu, "PUT", snapPath(sub, "rg1", name), {
            body: tagged(disk, { owner: who }),
            headers: { "if-none-match": "*" },
          }),
        ),
      );
      if (latencyMs) assert.ok(Date.now() - started < 2 * latencyMs + 500, "the two requests overlapped");
      const statuses = [a.status, b.status].sort();
      assert.deepEqual(statuses, [202, 412], `round ${round}: ${a.text} / ${b.text}`);
      const winner = a.status === 202 ? "a" : "b";
      await waitOperation(emu, a.status === 202 ? a : b);
      assert.deepEqual((await call(emu, "GET", snapPath(sub, "rg1", name))).body.tags, { owner: winner });
    }
    // the same for disks
    const body = (who) => ({
      location: "westeurope",
      tags: { owner: who },
      sku: { name: "Standard_LRS" },
      properties: { creationData: { createOption: "Empty" }, diskSizeGB: 8 },
    });
    const [a, b] = await Promise.all(
      ["a", "b"].map((who) =>
        call(emu, "PUT", diskPath(sub, "rg1", "race-disk"), { body: body(who), headers: { "if-none-match": "*" } }),
      ),
    );
    assert.deepEqual([a.status, b.status].sort(), [202, 412]);
    const list = (
      await call(emu, "GET", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots`)
    ).body.value;
    assert.equal(list.length, 5, "one snapshot per name");
  });
}
