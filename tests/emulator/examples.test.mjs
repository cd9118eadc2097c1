// Official REST examples (azure-rest-api-specs, DiskRP 2025-01-02 and Compute 2026-03-02): send
// each example's request to the emulator and check the reply has the example's keys (with the
// same value types), and that every key the emulator adds is one the swagger defines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import {
  start,
  call,
  fixture,
  missingKeys,
  waitOperation,
  createRg,
  createDisk,
  createSnapshot,
  snapPath,
  diskPath,
  FIXTURES,
} from "./helpers.mjs";

const EX = "rest/specification/compute/resource-manager/Microsoft.Compute/DiskRP/stable/2025-01-02/examples";
const EX26 =
  "rest/specification/compute/resource-manager/Microsoft.Compute/Compute/ComputeDisk/examples/2026-03-02/snapshotExamples";
const swagger = fixture(
  "rest/specification/compute/resource-manager/Microsoft.Compute/Compute/stable/2026-03-02/DiskRP.snapshot-disk-excerpt.json",
);
const RG = "myResourceGroup";

/** Replace the examples' placeholders with the emulator's subscription. */
function fill(v, sub) {
  return JSON.parse(JSON.stringify(v).replace(/\{subscription-id\}|\{subscriptionId\}/g, sub));
}

/** Keys of a resource that the swagger does not define (tracked-resource keys allowed). */
function undefinedKeys(resource, kind) {
  const def = swagger.definitions[kind];
  const top = new Set([...Object.keys(def.properties), "id", "name", "type", "location", "tags", "systemData"]);
  const props = new Set(Object.keys(swagger.definitions[`${kind}Properties`].properties));
  const cd = new Set(Object.keys(swagger.definitions.CreationData.properties));
  const out = [];
  for (const k of Object.keys(resource)) if (!top.has(k)) out.push(k);
  for (const k of Object.keys(resource.properties || {})) if (!props.has(k)) out.push(`properties.${k}`);
  for (const k of Object.keys(resource.properties?.creationData || {}))
    if (!cd.has(k)) out.push(`properties.creationData.${k}`);
  return out;
}

/** Writable parts of an example's response body, to create an equivalent resource. */
function writableBody(example, creationData) {
  const props = {};
  for (const k of [
    "osType",
    "hyperVGeneration",
    "purchasePlan",
    "supportedCapabilities",
    "supportsHibernation",
    "encryptionSettingsCollection",
    "encryption",
    "securityProfile",
    "incremental",
    "networkAccessPolicy",
  ]) {
    if (example.properties[k] !== undefined) props[k] = example.properties[k];
  }
  if (props.networkAccessPolicy === "0") delete props.networkAccessPolicy; // example quirk
  return { location: example.location, tags: example.tags, properties: { ...props, creationData } };
}

async function setup(t) {
  const emu = await start({ seed: "empty", lroPolls: 0, copyPolls: 1 });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, RG, "westus");
  await createDisk(emu, sub, RG, "myDisk", { location: "westus", sku: "Premium_LRS", sizeGB: 100 });
  await createDisk(emu, sub, RG, "myDisk1", { location: "westus", sku: "Premium_LRS", sizeGB: 100 });
  const diskId = `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/disks/myDisk`;
  return { emu, sub, diskId };
}

test("every stored example is covered by this suite", () => {
  const names = [
    ...readdirSync(path.join(FIXTURES, EX, "snapshotExamples")),
    ...readdirSync(path.join(FIXTURES, EX, "diskExamples")),
  ];
  const covered = [
    "Snapshot_Get.json",
    "Snapshot_GetIncrementalSnapshot.json",
    "Snapshot_ListByResourceGroup.json",
    "Snapshot_ListBySubscription.json",
    "Snapshot_BeginGetAccess.json",
    "Snapshot_EndGetAccess.json",
    "Snapshot_Delete.json",
    "Snapshot_Create_FromAnExistingSnapshot.json",
    "Snapshot_Create_FromAnExistingSnapshotInDifferentRegion.json",
    "Snapshot_Create_EnhancedProvisionedBandwidthCopySpeed.json",
    "Snapshot_Create_InstantAccessSnapshot.json",
    "Disk_Get.json",
    "Disk_BeginGetAccess.json",
    "Disk_Create_ByCopyingASnapshot.json",
  ];
  for (const n of names) assert.ok(covered.includes(n), `example ${n} has no test`);
});

for (const [label, file, api] of [
  ["Snapshot_Get", `${EX}/snapshotExamples/Snapshot_Get.json`, "2025-01-02"],
  ["Snapshot_GetIncrementalSnapshot", `${EX}/snapshotExamples/Snapshot_GetIncrementalSnapshot.json`, "2025-01-02"],
  ["Snapshot_GetIncrementalSnapshot 2026-03-02", `${EX26}/Snapshot_GetIncrementalSnapshot.json`, "2026-03-02"],
]) {
  test(`example ${label}`, async (t) => {
    const { emu, sub, diskId } = await setup(t);
    const ex = fill(fixture(file), sub);
    const expected = ex.responses["200"].body;
    const name = ex.parameters.snapshotName;
    const cd = { createOption: "Copy", sourceResourceId: diskId };
    if (expected.properties.creationData.instantAccessDurationMinutes)
      cd.instantAccessDurationMinutes = expected.properties.creationData.instantAccessDurationMinutes;
    const put = await call(emu, "PUT", snapPath(sub, RG, name), { body: writableBody(expected, cd), api });
    assert.equal(put.status, 202, put.text);
    await waitOperation(emu, put);
    const r = await call(emu, "GET", snapPath(sub, RG, name), { api });
    assert.equal(r.status, 200);
    assert.deepEqual(missingKeys(expected, r.body), []);
    assert.deepEqual(undefinedKeys(r.body, "Snapshot"), []);
    if (api >= "2026-03-02") assert.equal(r.body.properties.snapshotAccessState, "Available");
    else assert.equal(r.body.properties.snapshotAccessState, undefined);
  });
}

for (const [label, file, scope] of [
  ["Snapshot_ListByResourceGroup", `${EX}/snapshotExamples/Snapshot_ListByResourceGroup.json`, "rg"],
  ["Snapshot_ListBySubscription", `${EX}/snapshotExamples/Snapshot_ListBySubscription.json`, "sub"],
]) {
  test(`example ${label}`, async (t) => {
    const { emu, sub, diskId } = await setup(t);
    const ex = fill(fixture(file), sub);
    const items = ex.responses["200"].body.value;
    // the examples' items are copies of a snapshot and an import: create the same
    const base = await createSnapshot(emu, sub, RG, "sourceSnapshot", diskId, {
      location: "westus",
      incremental: false,
    });
    for (const item of items) {
      const cd = { ...item.properties.creationData };
      if (cd.createOption === "Copy") cd.sourceResourceId = base.id.slice(1); // the examples omit the leading '/'
      const r = await call(emu, "PUT", snapPath(sub, RG, item.name), { body: writableBody(item, cd) });
      assert.equal(r.status, 202, r.text);
      await waitOperation(emu, r);
    }
    const listPath =
      scope === "rg"
        ? `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots`
        : `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`;
    const r = await call(emu, "GET", listPath);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ["value"]);
    for (const item of items) {
      const got = r.body.value.find((v) => v.name.toLowerCase() === item.name.toLowerCase());
      assert.ok(got, `${item.name} listed`);
      assert.deepEqual(missingKeys(item, got), [], item.name);
      assert.deepEqual(undefinedKeys(got, "Snapshot"), []);
    }
  });
}

for (const [label, file, type] of [
  ["Snapshot_BeginGetAccess", `${EX}/snapshotExamples/Snapshot_BeginGetAccess.json`, "snapshots"],
  ["Disk_BeginGetAccess", `${EX}/diskExamples/Disk_BeginGetAccess.json`, "disks"],
]) {
  test(`example ${label} (and EndGetAccess)`, async (t) => {
    const { emu, sub, diskId } = await setup(t);
    const ex = fill(fixture(file), sub);
    const name = ex.parameters.snapshotName || ex.parameters.diskName;
    if (type === "snapshots") await createSnapshot(emu, sub, RG, name, diskId, { location: "westus" });
    else await createDisk(emu, sub, RG, name, { location: "westus" });
    const p = type === "snapshots" ? snapPath(sub, RG, name) : diskPath(sub, RG, name);
    const r = await call(emu, "POST", `${p}/beginGetAccess`, { body: ex.parameters.grantAccessData });
    assert.equal(r.status, 202);
    assert.ok(
      Object.keys(ex.responses["202"].headers).every((h) => r.headers.get(h)),
      "headers of the 202 example",
    );
    const loc = r.headers.get("location");
    assert.match(loc, /monitor=true/);
    const done = await call(emu, "GET", loc, { api: null });
    assert.equal(done.status, 200);
    assert.deepEqual(missingKeys(ex.responses["200"].body, done.body), []);
    assert.match(
      done.body.accessSAS,
      /^http:\/\/127\.0\.0\.1:\d+\/blob\/md-[a-z0-9]+\..*\/abcd\?(snapshot=[^&]+&)?sv=.*&sig=/,
    );
    assert.equal((await call(emu, "GET", p)).body.properties.diskState, "ActiveSAS");

    const end = fill(fixture(`${EX}/snapshotExamples/Snapshot_EndGetAccess.json`), sub);
    const e = await call(emu, "POST", `${p}/endGetAccess`);
    assert.equal(e.status, 202);
    assert.ok(Object.keys(end.responses["202"].headers).every((h) => e.headers.get(h)));
    const e2 = await call(emu, "GET", e.headers.get("location"), { api: null });
    assert.equal(e2.status, 200);
    assert.equal(e2.text, "");
    assert.equal((await call(emu, "GET", p)).body.properties.diskState, "Unattached");
  });
}

test("example Snapshot_Delete", async (t) => {
  const { emu, sub, diskId } = await setup(t);
  const ex = fill(fixture(`${EX}/snapshotExamples/Snapshot_Delete.json`), sub);
  const name = ex.parameters.snapshotName;
  await createSnapshot(emu, sub, RG, name, diskId, { location: "westus" });
  const r = await call(emu, "DELETE", snapPath(sub, RG, name));
  assert.equal(r.status, 202);
  assert.ok(r.headers.get("location"));
  assert.equal((await call(emu, "GET", r.headers.get("location"), { api: null })).status, 200);
  assert.equal((await call(emu, "GET", snapPath(sub, RG, name))).status, 404);
  const again = await call(emu, "DELETE", snapPath(sub, RG, name));
  assert.equal(again.status, 204);
  assert.ok(Object.keys(ex.responses).includes("204"));
});

for (const [label, file, sourceKind] of [
  ["Snapshot_Create_FromAnExistingSnapshot", "Snapshot_Create_FromAnExistingSnapshot.json", "same-region"],
  [
    "Snapshot_Create_FromAnExistingSnapshotInDifferentRegion (CopyStart)",
    "Snapshot_Create_FromAnExistingSnapshotInDifferentRegion.json",
    "other-region",
  ],
  [
    "Snapshot_Create_EnhancedProvisionedBandwidthCopySpeed (CopyStart)",
    "Snapshot_Create_EnhancedProvisionedBandwidthCopySpeed.json",
    "other-region",
  ],
  ["Snapshot_Create_InstantAccessSnapshot", "Snapshot_Create_InstantAccessSnapshot.json", "disk"],
]) {
  test(`example ${label}`, async (t) => {
    const { emu, sub } = await setup(t);
    const ex = fill(fixture(`${EX}/snapshotExamples/${file}`), sub);
    const body = ex.parameters.snapshot;
    const isCopyStart = body.properties.creationData.createOption === "CopyStart";
    if (sourceKind !== "disk") {
      // the source snapshot mySnapshot1: incremental, in another region for CopyStart
      const srcRegion = sourceKind === "other-region" ? "eastus" : "westus";
      await createDisk(emu, sub, RG, "srcDisk", { location: srcRegion });
      await createSnapshot(
        emu,
        sub,
        RG,
        "mySnapshot1",
        `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/disks/srcDisk`,
        { location: srcRegion, incremental: true },
      );
    }
    const sent = isCopyStart ? { ...body, properties: { ...body.properties, incremental: true } } : body;
    const r = await call(emu, "PUT", snapPath(sub, RG, ex.parameters.snapshotName), { body: sent });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(missingKeys(ex.responses["202"].body, r.body), []);
    assert.equal(r.body.properties.provisioningState, "Updating");
    assert.equal(
      r.body.properties.creationData.sourceResourceId,
      body.properties.creationData.sourceResourceId,
      "echoed as sent",
    );
    const op = await waitOperation(emu, r);
    assert.equal(op.status, "Succeeded");
    const out = op.properties.output;
    assert.deepEqual(missingKeys(ex.responses["200"].body, out), []);
    assert.deepEqual(undefinedKeys(out, "Snapshot"), []);
    assert.equal(out.properties.provisioningState, "Succeeded");
    const g = await call(emu, "GET", snapPath(sub, RG, ex.parameters.snapshotName));
    if (isCopyStart) {
      assert.equal(g.body.properties.completionPercent, 0);
      assert.equal(g.body.properties.incremental, true);
      assert.equal(g.body.location, "westus");
    }
    if (body.properties.creationData.provisionedBandwidthCopySpeed) {
      assert.equal(g.body.properties.creationData.provisionedBandwidthCopySpeed, "Enhanced");
    }
    if (body.properties.creationData.instantAccessDurationMinutes) {
      assert.equal(g.body.properties.creationData.instantAccessDurationMinutes, 120);
    }
  });
}

test("example Disk_Get", async (t) => {
  const emu = await start({ seed: "demo", lroPolls: 0 });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  const ex = fill(fixture(`${EX}/diskExamples/Disk_Get.json`), sub);
  const expected = ex.responses["200"].body;
  await createRg(emu, sub, RG, "westus");
  // a disk with the example's writable properties
  const props = {};
  for (const k of [
    "osType",
    "hyperVGeneration",
    "purchasePlan",
    "supportedCapabilities",
    "supportsHibernation",
    "securityProfile",
    "encryptionSettingsCollection",
    "encryption",
    "diskSizeGB",
    "creationData",
  ])
    props[k] = expected.properties[k];
  const put = await call(emu, "PUT", diskPath(sub, RG, ex.parameters.diskName), {
    body: { location: expected.location, tags: expected.tags, sku: expected.sku, properties: props },
  });
  assert.equal(put.status, 202, put.text);
  await waitOperation(emu, put);
  const r = await call(emu, "GET", diskPath(sub, RG, ex.parameters.diskName));
  assert.equal(r.status, 200);
  // managedBy and LastOwnershipUpdateTime only exist on attached disks: checked on the seeded one
  const { managedBy, ...rest } = expected;
  const { LastOwnershipUpdateTime, ...restProps } = rest.properties;
  assert.deepEqual(missingKeys({ ...rest, properties: restProps }, r.body), []);
  assert.deepEqual(undefinedKeys(r.body, "Disk"), []);
  const attached = await call(emu, "GET", diskPath(sub, "rg-prod-westeurope", "vm-web-01-osdisk"));
  assert.deepEqual(missingKeys({ managedBy, properties: { LastOwnershipUpdateTime } }, attached.body), []);
  assert.equal(attached.body.properties.diskState, "Attached");
  assert.deepEqual(undefinedKeys(attached.body, "Disk"), []);
});

test("example Disk_Create_ByCopyingASnapshot", async (t) => {
  const { emu, sub, diskId } = await setup(t);
  const ex = fill(fixture(`${EX}/diskExamples/Disk_Create_ByCopyingASnapshot.json`), sub);
  const snap = await createSnapshot(emu, sub, RG, "mySnapshot", diskId, { location: "westus", incremental: false });
  // restore: the disk myDisk is deleted, then created again from its snapshot
  const del = await call(emu, "DELETE", diskPath(sub, RG, ex.parameters.diskName));
  assert.equal(del.status, 202);
  const r = await call(emu, "PUT", diskPath(sub, RG, ex.parameters.diskName), { body: ex.parameters.disk });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(missingKeys(ex.responses["202"].body, r.body), []);
  const op = await waitOperation(emu, r);
  assert.deepEqual(missingKeys(ex.responses["200"].body, op.properties.output), []);
  assert.equal(op.properties.output.properties.creationData.sourceUniqueId, snap.properties.uniqueId);
  assert.equal(op.properties.output.properties.diskSizeGB, 100);
});
