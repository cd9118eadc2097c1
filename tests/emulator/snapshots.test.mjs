// Incremental-snapshot semantics: families and disk incarnations, re-PUT of a name, CopyStart
// rules, completionPercent, the per-disk limits, SAS rules, operations, PATCH and DELETE.
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
  UUID_RE,
  TIME_RE,
} from "./helpers.mjs";

async function fresh(t, opts = {}) {
  const emu = await start({ seed: "empty", lroPolls: 0, ...opts });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg1", "westeurope");
  await createRg(emu, sub, "rg2", "northeurope");
  return { emu, sub };
}

test("incremental snapshot of a disk: family, sourceUniqueId, sizes, sku, times", async (t) => {
  const { emu, sub } = await fresh(t);
  const disk = await createDisk(emu, sub, "rg1", "web", {
    sku: "Premium_LRS",
    sizeGB: 256,
    extra: { networkAccessPolicy: "DenyAll" },
  });
  assert.match(disk.properties.uniqueId, UUID_RE);
  assert.equal(disk.sku.tier, "Premium");
  assert.equal(disk.properties.diskState, "Unattached");
  assert.equal(disk.properties.diskSizeBytes, 256 * 1073741824);
  assert.deepEqual(disk.properties.encryption, { type: "EncryptionAtRestWithPlatformKey" });
  const a = await createSnapshot(emu, sub, "rg1", "a", disk.id);
  const b = await createSnapshot(emu, sub, "rg1", "b", disk.id);
  const full = await createSnapshot(emu, sub, "rg1", "full", disk.id, { incremental: false });
  for (const s of [a, b]) {
    assert.equal(s.properties.incremental, true);
    assert.equal(s.properties.creationData.sourceUniqueId, disk.properties.uniqueId);
    assert.equal(s.properties.diskSizeGB, 256);
    assert.equal(s.properties.diskSizeBytes, 256 * 1073741824);
    assert.deepEqual(s.sku, { name: "Standard_LRS", tier: "Standard" });
    assert.equal(s.properties.networkAccessPolicy, "DenyAll", "from the disk");
    assert.equal(s.properties.diskState, "Unattached");
    assert.match(s.properties.timeCreated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
  }
  assert.match(a.properties.incrementalSnapshotFamilyId, UUID_RE);
  assert.equal(a.properties.incrementalSnapshotFamilyId, b.properties.incrementalSnapshotFamilyId);
  assert.notEqual(a.properties.uniqueId, b.properties.uniqueId);
  assert.equal(full.properties.incremental, false);
  assert.equal(full.properties.incrementalSnapshotFamilyId, undefined);
  // a later incremental snapshot defaults to the previous one's sku
  await call(emu, "PATCH", snapPath(sub, "rg1", "b"), { body: { sku: { name: "Standard_ZRS" } } });
  const c = await createSnapshot(emu, sub, "rg1", "c", disk.id);
  assert.equal(c.sku.name, "Standard_ZRS");
  // non-v2 disks: no completionPercent (as the recording shows) unless asked for
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "a"))).body.properties.completionPercent, undefined);
  emu.options.completionPercentAlways = true;
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "a"))).body.properties.completionPercent, 100);
});

test("the 202 of a snapshot PUT, its operation, and the Location monitor", async (t) => {
  const { emu, sub } = await fresh(t, { lroPolls: 2, retryAfterSeconds: 3 });
  emu.options.lroPolls = 0;
  const disk = await createDisk(emu, sub, "rg1", "d");
  emu.options.lroPolls = 3; // each observation (GET of the resource, or a poll) counts one
  const r = await call(emu, "PUT", snapPath(sub, "rg1", "s"), {
    body: {
      location: "westeurope",
      tags: { a: "1" },
      properties: { creationData: { createOption: "Copy", sourceResourceId: disk.id }, incremental: true },
    },
  });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get("retry-after"), "3");
  assert.deepEqual(r.body, {
    name: "s",
    id: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots/s`,
    type: "Microsoft.Compute/snapshots",
    location: "westeurope",
    tags: { a: "1" },
    properties: {
      creationData: { createOption: "Copy", sourceResourceId: disk.id },
      incremental: true,
      provisioningState: "Updating",
    },
  });
  const loc = r.headers.get("location");
  const asyncUrl = r.headers.get("azure-asyncoperation");
  // the resource reads Updating meanwhile
  const during = await call(emu, "GET", snapPath(sub, "rg1", "s"));
  assert.equal(during.body.properties.provisioningState, "Updating");
  let m = await call(emu, "GET", loc, { api: null });
  assert.equal(m.status, 202);
  assert.equal(m.text, "");
  assert.ok(m.headers.get("location"));
  assert.equal(m.headers.get("retry-after"), "3");
  let o = await call(emu, "GET", asyncUrl, { api: null });
  assert.equal(o.body.status, "InProgress");
  assert.deepEqual(Object.keys(o.body), ["startTime", "status", "name"]);
  assert.match(o.body.startTime, TIME_RE);
  o = await call(emu, "GET", asyncUrl, { api: null });
  assert.equal(o.body.status, "Succeeded");
  assert.deepEqual(Object.keys(o.body), ["startTime", "endTime", "status", "properties", "name"]);
  assert.equal(o.body.properties.output.properties.provisioningState, "Succeeded");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "s"))).body.properties.provisioningState, "Succeeded");
  m = await call(emu, "GET", loc, { api: null });
  assert.equal(m.status, 200);
  assert.equal(m.body.name, "s");
  assert.equal(m.body.properties.provisioningState, "Succeeded");
  // no Retry-After when retryAfterSeconds is null
  emu.options.retryAfterSeconds = null;
  const r2 = await call(emu, "PUT", snapPath(sub, "rg1", "s2"), { body: snapshotBody(disk.id) });
  assert.equal(r2.headers.get("retry-after"), null);
  // polls of an unknown operation
  const bogus = asyncUrl.replace(/DiskOperations\/[0-9a-f-]+/, "DiskOperations/00000000-0000-4000-8000-000000000000");
  assert.equal((await call(emu, "GET", bogus, { api: null })).status, 404);
});

test("disk deleted and recreated: same id, new uniqueId, old snapshots orphaned in the old family", async (t) => {
  const { emu, sub } = await fresh(t);
  const d1 = await createDisk(emu, sub, "rg1", "data", { sku: "StandardSSD_LRS", sizeGB: 64 });
  const old1 = await createSnapshot(emu, sub, "rg1", "old1", d1.id);
  const old2 = await createSnapshot(emu, sub, "rg1", "old2", d1.id);
  const del = await call(emu, "DELETE", diskPath(sub, "rg1", "data"));
  assert.equal(del.status, 202);
  assert.ok(del.headers.get("location"));
  assert.equal((await waitOperation(emu, del)).status, "Succeeded");
  assert.equal((await call(emu, "GET", diskPath(sub, "rg1", "data"))).status, 404);
  assert.equal((await call(emu, "DELETE", diskPath(sub, "rg1", "data"))).status, 204);
  const d2 = await createDisk(emu, sub, "rg1", "data", { sku: "StandardSSD_LRS", sizeGB: 64 });
  assert.equal(d2.id, d1.id);
  assert.notEqual(d2.properties.uniqueId, d1.properties.uniqueId);
  const new1 = await createSnapshot(emu, sub, "rg1", "new1", d2.id);
  assert.equal(new1.properties.creationData.sourceUniqueId, d2.properties.uniqueId);
  assert.notEqual(new1.properties.incrementalSnapshotFamilyId, old1.properties.incrementalSnapshotFamilyId);
  const list = (
    await call(emu, "GET", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots`)
  ).body.value;
  const o = list.filter((s) => s.properties.creationData.sourceUniqueId === d1.properties.uniqueId).map((s) => s.name);
  assert.deepEqual(o, ["old1", "old2"]);
  assert.equal(
    list.find((s) => s.name === "old2").properties.incrementalSnapshotFamilyId,
    old2.properties.incrementalSnapshotFamilyId,
  );
  assert.equal(list.find((s) => s.name === "old1").properties.creationData.sourceResourceId, d2.id, "same source id");
  // the orphans' source is gone in the sense that matters: a new snapshot can't join their family
  const new2 = await createSnapshot(emu, sub, "rg1", "new2", d2.id);
  assert.equal(new2.properties.incrementalSnapshotFamilyId, new1.properties.incrementalSnapshotFamilyId);
});

test("PUT on an existing name: another source is refused, the same source updates", async (t) => {
  const { emu, sub } = await fresh(t);
  const d1 = await createDisk(emu, sub, "rg1", "d1");
  const d2 = await createDisk(emu, sub, "rg1", "d2");
  await createSnapshot(emu, sub, "rg1", "snap", d1.id);
  let r = await call(emu, "PUT", snapPath(sub, "rg1", "snap"), { body: snapshotBody(d2.id) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, "PropertyChangeNotAllowed");
  assert.match(r.body.error.message, /^Changing property '(sourceResourceId|sourceUri)' is not allowed\.$/);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "SNAP"), { body: snapshotBody(d1.id, { createOption: "Import" }) });
  assert.equal(r.status, 409);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "snap"), { body: snapshotBody(d1.id, { location: "eastus" }) });
  assert.equal(r.status, 409);
  // same creationData, in other casing: an update
  const body = snapshotBody(d1.id.toUpperCase());
  body.tags = { keep: "yes" };
  body.properties.publicNetworkAccess = "Disabled";
  r = await call(emu, "PUT", snapPath(sub, "rg1", "snap"), { body });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.tags, { keep: "yes" });
  assert.equal(r.body.properties.publicNetworkAccess, "Disabled");
  assert.equal(r.body.properties.creationData.sourceResourceId, d1.id, "creationData unchanged");
  const all = (await call(emu, "GET", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots`))
    .body.value;
  assert.equal(all.length, 1);
});

test("PATCH updates tags, sku and network settings", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d");
  await createSnapshot(emu, sub, "rg1", "s", d.id);
  const r = await call(emu, "PATCH", snapPath(sub, "rg1", "s"), {
    body: {
      tags: { env: "x" },
      sku: { name: "standard_zrs" },
      properties: {
        networkAccessPolicy: "DenyAll",
        publicNetworkAccess: "Disabled",
        dataAccessAuthMode: "AzureActiveDirectory",
      },
    },
  });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.tags, { env: "x" });
  assert.deepEqual(r.body.sku, { name: "Standard_ZRS", tier: "Standard" });
  assert.equal(r.body.properties.networkAccessPolicy, "DenyAll");
  assert.equal(r.body.properties.publicNetworkAccess, "Disabled");
  assert.equal(r.body.properties.dataAccessAuthMode, "AzureActiveDirectory");
  assert.equal((await call(emu, "PATCH", snapPath(sub, "rg1", "nope"), { body: { tags: {} } })).status, 404);
});

test("CopyStart rules and the copy that follows", async (t) => {
  const { emu, sub } = await fresh(t, { copyPolls: 3 });
  const d = await createDisk(emu, sub, "rg1", "d", { sizeGB: 100 });
  const inc = await createSnapshot(emu, sub, "rg1", "inc", d.id);
  const inc2 = await createSnapshot(emu, sub, "rg1", "inc2", d.id);
  await createSnapshot(emu, sub, "rg1", "full", d.id, { incremental: false });
  const copy = (name, source, location = "northeurope", incremental = true) =>
    call(emu, "PUT", snapPath(sub, "rg2", name), {
      body: snapshotBody(source, { location, incremental, createOption: "CopyStart" }),
    });
  let r = await copy("c-disk", d.id);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidParameter");
  assert.match(r.body.error.message, /Entity not of expected type/);
  r = await copy("c-full", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots/full`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidParameter");
  r = await copy("c-same", inc.id, "West Europe");
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidParameter");
  r = await copy("c-notinc", inc.id, "northeurope", false);
  assert.equal(r.status, 400);
  r = await copy("c-missing", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots/nope`);
  assert.equal(r.status, 404);

  r = await copy("c1", inc.id);
  assert.equal(r.status, 202, r.text);
  assert.match(r.headers.get("azure-asyncoperation"), /\/locations\/northeurope\/DiskOperations\//);
  const op = await waitOperation(emu, r);
  const out = op.properties.output;
  assert.equal(out.properties.creationData.sourceUniqueId, inc.properties.uniqueId);
  assert.equal(out.properties.completionPercent, undefined, "the operation output has none (as recorded)");
  assert.notEqual(out.properties.incrementalSnapshotFamilyId, inc.properties.incrementalSnapshotFamilyId);
  const c2 = await waitOperation(emu, await copy("c2", inc2.id));
  assert.equal(
    c2.properties.output.properties.incrementalSnapshotFamilyId,
    out.properties.incrementalSnapshotFamilyId,
    "one family per source family and region",
  );
  const seen = [];
  for (let i = 0; i < 5; i++)
    seen.push((await call(emu, "GET", snapPath(sub, "rg2", "c1"))).body.properties.completionPercent);
  assert.deepEqual(seen, [0, 33.3, 66.7, 100, 100]);
  // grant access is refused until the copy is done
  const g = await call(emu, "POST", `${snapPath(sub, "rg2", "c2")}/beginGetAccess`, {
    body: { access: "Read", durationInSeconds: 60 },
  });
  assert.equal(g.status, 409);
  // deleting the source during the copy: CopySourceNotFound
  assert.equal((await call(emu, "DELETE", snapPath(sub, "rg1", "inc2"))).status, 202);
  const c2now = (await call(emu, "GET", snapPath(sub, "rg2", "c2"))).body.properties;
  assert.equal(c2now.copyCompletionError.errorCode, "CopySourceNotFound");
  assert.ok(c2now.copyCompletionError.errorMessage);
  assert.ok(c2now.completionPercent < 100);
  // the finished copy is not affected by deleting its source
  assert.equal((await call(emu, "DELETE", snapPath(sub, "rg1", "inc"))).status, 202);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg2", "c1"))).body.properties.copyCompletionError, undefined);
});

test("Premium SSD v2 / Ultra: completionPercent progresses; at most 3 pending per disk", async (t) => {
  const { emu, sub } = await fresh(t, { copyPolls: 4 });
  const v2 = await createDisk(emu, sub, "rg1", "v2", {
    sku: "PremiumV2_LRS",
    sizeGB: 512,
    extra: { diskIOPSReadWrite: 6000, diskMBpsReadWrite: 300 },
  });
  assert.equal(v2.properties.diskIOPSReadWrite, 6000);
  assert.equal(v2.sku.tier, "PremiumV2");
  const a = await createSnapshot(emu, sub, "rg1", "a", v2.id);
  assert.equal(a.properties.completionPercent, undefined);
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const r = await call(emu, "GET", snapPath(sub, "rg1", "a"));
    seen.push(r.body.properties.completionPercent);
    assert.match(r.text, /"completionPercent":\d+(\.\d+)?[,}]/);
  }
  assert.deepEqual(seen, [0, 25, 50, 75, 100, 100]);
  await createSnapshot(emu, sub, "rg1", "b", v2.id);
  await createSnapshot(emu, sub, "rg1", "c", v2.id);
  await createSnapshot(emu, sub, "rg1", "d", v2.id);
  const r = await call(emu, "PUT", snapPath(sub, "rg1", "e"), { body: snapshotBody(v2.id) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, "OperationNotAllowed");
  for (let i = 0; i < 5; i++) await call(emu, "GET", snapPath(sub, "rg1", "b"));
  assert.equal((await call(emu, "PUT", snapPath(sub, "rg1", "e"), { body: snapshotBody(v2.id) })).status, 202);
  // lists show progress too
  const ultra = await createDisk(emu, sub, "rg1", "ultra", { sku: "UltraSSD_LRS", sizeGB: 64 });
  await createSnapshot(emu, sub, "rg1", "u1", ultra.id);
  const listed = (
    await call(emu, "GET", `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/snapshots`)
  ).body.value.find((s) => s.name === "u1");
  assert.equal(listed.properties.completionPercent, 0);
  // Premium SSD (v1) snapshots have no background copy
  const p1 = await createDisk(emu, sub, "rg1", "p1", { sku: "Premium_LRS" });
  await createSnapshot(emu, sub, "rg1", "p1s", p1.id);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "p1s"))).body.properties.completionPercent, undefined);
});

test("7 incremental snapshots per disk per 5 minutes, on the emulator clock", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS" });
  for (let i = 0; i < 7; i++)
    assert.equal((await call(emu, "PUT", snapPath(sub, "rg1", `s${i}`), { body: snapshotBody(d.id) })).status, 202);
  let r = await call(emu, "PUT", snapPath(sub, "rg1", "s7"), { body: snapshotBody(d.id) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, "OperationNotAllowed");
  assert.match(r.body.error.message, /7/);
  // full snapshots don't count
  assert.equal(
    (await call(emu, "PUT", snapPath(sub, "rg1", "f"), { body: snapshotBody(d.id, { incremental: false }) })).status,
    202,
  );
  emu.advanceClock(5 * 60 * 1000 + 1000);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "s7"), { body: snapshotBody(d.id) });
  assert.equal(r.status, 202);
});

test("SnapshotsLimitReached at the 501st incremental snapshot of a disk", async (t) => {
  const { emu, sub } = await fresh(t, { enforceRateLimit: false });
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS" });
  const other = await createDisk(emu, sub, "rg1", "other", { sku: "Standard_LRS" });
  for (let i = 0; i < 500; i++) {
    const r = await call(emu, "PUT", snapPath(sub, "rg1", `s${i}`), { body: snapshotBody(d.id) });
    assert.equal(r.status, 202);
  }
  let r = await call(emu, "PUT", snapPath(sub, "rg1", "s500"), { body: snapshotBody(d.id) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, "SnapshotsLimitReached");
  assert.equal(r.headers.get("x-ms-error-code"), "SnapshotsLimitReached");
  // other disks and full snapshots are not affected
  assert.equal((await call(emu, "PUT", snapPath(sub, "rg1", "o1"), { body: snapshotBody(other.id) })).status, 202);
  assert.equal(
    (await call(emu, "PUT", snapPath(sub, "rg1", "f1"), { body: snapshotBody(d.id, { incremental: false }) })).status,
    202,
  );
  // deleting one makes room
  assert.equal((await call(emu, "DELETE", snapPath(sub, "rg1", "s0"))).status, 202);
  r = await call(emu, "PUT", snapPath(sub, "rg1", "s500"), { body: snapshotBody(d.id) });
  assert.equal(r.status, 202);
});

test("SAS: grant, ActiveSAS, delete refused, at most 5 per family, revoke, expiry", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS" });
  for (let i = 0; i < 6; i++) await createSnapshot(emu, sub, "rg1", `s${i}`, d.id);
  const grant = async (name, durationInSeconds = 3600) =>
    call(emu, "POST", `${snapPath(sub, "rg1", name)}/beginGetAccess`, { body: { access: "Read", durationInSeconds } });
  const r = await grant("s0");
  assert.equal(r.status, 202);
  const op = await waitOperation(emu, r);
  assert.match(op.properties.output.accessSAS, /^http:\/\/127\.0\.0\.1:\d+\/blob\/md-.*\?snapshot=.*&sv=.*&sig=/);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "s0"))).body.properties.diskState, "ActiveSAS");
  const del = await call(emu, "DELETE", snapPath(sub, "rg1", "s0"));
  assert.equal(del.status, 409);
  assert.equal(del.body.error.code, "OperationNotAllowed");
  for (let i = 1; i < 5; i++) assert.equal((await grant(`s${i}`)).status, 202);
  const sixth = await grant("s5");
  assert.equal(sixth.status, 409);
  assert.equal(sixth.body.error.code, "OperationNotAllowed");
  assert.equal((await grant("s0")).status, 202, "renewing an active grant is fine");
  const end = await call(emu, "POST", `${snapPath(sub, "rg1", "s0")}/endGetAccess`);
  assert.equal(end.status, 202);
  assert.equal((await waitOperation(emu, end)).status, "Succeeded");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "s0"))).body.properties.diskState, "Unattached");
  assert.equal((await grant("s5")).status, 202);
  assert.equal((await call(emu, "DELETE", snapPath(sub, "rg1", "s0"))).status, 202);
  // bad grant bodies
  assert.equal(
    (await call(emu, "POST", `${snapPath(sub, "rg1", "s1")}/beginGetAccess`, { body: { access: "Read" } })).status,
    400,
  );
  assert.equal(
    (
      await call(emu, "POST", `${snapPath(sub, "rg1", "s1")}/beginGetAccess`, {
        body: { access: "Sideways", durationInSeconds: 5 },
      })
    ).status,
    400,
  );
  // grants expire on the emulator clock
  emu.advanceClock(3601 * 1000);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg1", "s1"))).body.properties.diskState, "Unattached");
  assert.equal((await call(emu, "DELETE", snapPath(sub, "rg1", "s1"))).status, 202);
});

test("attached disks cannot be deleted; disk PATCH resizes", async (t) => {
  const emu = await start({ seed: "demo", lroPolls: 0 });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  const r = await call(emu, "DELETE", diskPath(sub, "rg-prod-westeurope", "vm-web-01-osdisk"));
  assert.equal(r.status, 409);
  const p = await call(emu, "PATCH", diskPath(sub, "rg-dev", "dev-scratch"), {
    body: { properties: { diskSizeGB: 64 }, tags: { t: "1" } },
  });
  assert.equal(p.status, 200);
  assert.equal(p.body.properties.diskSizeGB, 64);
  assert.equal(
    (await call(emu, "PATCH", diskPath(sub, "rg-dev", "dev-scratch"), { body: { properties: { diskSizeGB: 8 } } }))
      .status,
    400,
  );
  const s = await createSnapshot(
    emu,
    sub,
    "rg-dev",
    "after-resize",
    `/subscriptions/${sub}/resourceGroups/rg-dev/providers/Microsoft.Compute/disks/dev-scratch`,
    { location: "westus2" },
  );
  assert.equal(s.properties.diskSizeGB, 64);
});
