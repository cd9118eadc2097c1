// Disks restored from a snapshot (createOption Copy) and imported from a blob (Import): ARM's
// checks (region, size, sector size, 5 at once from one snapshot), the real LRO shape, hydration
// (completionPercent rising on the emulator clock), If-None-Match, and content byte-equal to the
// source's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, call, createRg, createDisk, createSnapshot, waitOperation, diskPath, UUID_RE } from "./helpers.mjs";
import { diskRef, snapshotRef, writeDisk } from "../../emulator/content.mjs";
import { HYDRATION_MS, MAX_CONCURRENT_RESTORES } from "../../emulator/routes/restore.mjs";

async function fresh(t, { sku = "Standard_LRS", sizeGB = 1 } = {}) {
  const emu = await start({ seed: "empty", lroPolls: 1, enforceRateLimit: false });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg1", "westeurope");
  const disk = await createDisk(emu, sub, "rg1", "d1", { sku, sizeGB });
  const rec = emu.store.disks.get([...emu.store.disks.keys()][0]);
  writeDisk(emu.store, rec, [
    { offset: 0, length: 4096, byte: 7 },
    { offset: 1 << 20, length: 512, dataBase64: Buffer.alloc(512, "restore").toString("base64") },
  ]);
  const snap = await createSnapshot(emu, sub, "rg1", "s1", disk.id);
  return { emu, sub, disk, snap };
}

const restoreBody = (snapId, { location = "westeurope", sku, diskSizeGB, zones } = {}) => {
  const body = { location, properties: { creationData: { createOption: "Copy", sourceResourceId: snapId } } };
  if (sku) body.sku = { name: sku };
  if (diskSizeGB !== undefined) body.properties.diskSizeGB = diskSizeGB;
  if (zones) body.zones = zones;
  return body;
};

/** The pages with data of a blob ref and their bytes. */
function content(emu, ref) {
  const blob = emu.store.blob;
  return blob.pageList(ref.familyId, { snapshot: ref.snapshot || undefined }).map((r) => ({
    start: r.start,
    end: r.end,
    bytes: blob
      .read(ref.familyId, { snapshot: ref.snapshot || undefined, offset: r.start, length: r.end + 1 - r.start })
      .toString("hex"),
  }));
}

const diskRecord = (emu, name) => [...emu.store.disks.values()].find((d) => d.name === name);

test("restore from a snapshot: 202 with both poll URLs, Updating, then the disk with the snapshot's bytes", async (t) => {
  const { emu, sub, snap } = await fresh(t);
  const r = await call(emu, "PUT", diskPath(sub, "rg1", "r1"), {
    body: restoreBody(snap.id),
    headers: { "if-none-match": "*" },
  });
  assert.equal(r.status, 202, r.text);
  assert.match(r.headers.get("azure-asyncoperation"), /\/DiskOperations\//);
  assert.match(r.headers.get("location"), /monitor=true/);
  assert.equal(r.body.properties.provisioningState, "Updating");
  const op = await waitOperation(emu, r);
  assert.equal(op.status, "Succeeded");
  const disk = op.properties.output;
  assert.equal(disk.properties.creationData.createOption, "Copy");
  assert.equal(disk.properties.creationData.sourceResourceId, snap.id);
  assert.match(disk.properties.creationData.sourceUniqueId, UUID_RE);
  assert.equal(disk.properties.diskSizeGB, 1);
  assert.equal(disk.properties.completionPercent, undefined, "a Standard disk reports no hydration");
  const d = diskRecord(emu, "r1");
  const s = [...emu.store.snapshots.values()].find((x) => x.name === "s1");
  assert.deepEqual(content(emu, diskRef(emu.store, d)), content(emu, snapshotRef(emu.store, s)));
  assert.ok(content(emu, diskRef(emu.store, d)).length >= 2);
  // If-None-Match: * again: 412, the disk unchanged.
  const again = await call(emu, "PUT", diskPath(sub, "rg1", "r1"), {
    body: restoreBody(snap.id, { diskSizeGB: 8 }),
    headers: { "if-none-match": "*" },
  });
  assert.equal(again.status, 412, again.text);
  assert.equal(diskRecord(emu, "r1").diskSizeGB, 1);
});

test("ARM's refusals: another region, a smaller size, a 4096-byte snapshot to a Premium_LRS disk", async (t) => {
  const { emu, sub, snap } = await fresh(t);
  const other = await call(emu, "PUT", diskPath(sub, "rg1", "r2"), {
    body: restoreBody(snap.id, { location: "eastus" }),
  });
  assert.equal(other.status, 400, other.text);
  assert.equal(other.body.error.code, "InvalidParameter");
  assert.match(other.body.error.message, /its own region/);
  const small = await call(emu, "PUT", diskPath(sub, "rg1", "r3"), {
    body: { ...restoreBody(snap.id), properties: { ...restoreBody(snap.id).properties, diskSizeGB: 0 } },
  });
  assert.equal(small.status, 400, small.text);
  assert.match(small.body.error.message, /smaller/);
  const s = [...emu.store.snapshots.values()].find((x) => x.name === "s1");
  s.creationData.logicalSectorSize = 4096;
  const sector = await call(emu, "PUT", diskPath(sub, "rg1", "r4"), {
    body: restoreBody(snap.id, { sku: "Premium_LRS" }),
  });
  assert.equal(sector.status, 400, sector.text);
  assert.match(sector.body.error.message, /4096/);
  const v2 = await call(emu, "PUT", diskPath(sub, "rg1", "r5"), {
    body: restoreBody(snap.id, { sku: "PremiumV2_LRS" }),
  });
  assert.equal(v2.status, 202, v2.text);
  for (const name of ["r2", "r3", "r4"]) assert.equal(diskRecord(emu, name), undefined, name);
});

test("hydration: completionPercent rises on the emulator clock to 100; a 6th concurrent restore is 409", async (t) => {
  const { emu, sub, snap } = await fresh(t);
  for (let i = 0; i < MAX_CONCURRENT_RESTORES; i++) {
    const r = await call(emu, "PUT", diskPath(sub, "rg1", `v${i}`), {
      body: restoreBody(snap.id, { sku: "PremiumV2_LRS" }),
    });
    assert.equal(r.status, 202, r.text);
    await waitOperation(emu, r);
  }
  const first = await call(emu, "GET", diskPath(sub, "rg1", "v0"));
  assert.equal(first.body.properties.provisioningState, "Succeeded");
  assert.ok(first.body.properties.completionPercent < 100, JSON.stringify(first.body.properties));
  const sixth = await call(emu, "PUT", diskPath(sub, "rg1", "v5"), {
    body: restoreBody(snap.id, { sku: "PremiumV2_LRS" }),
  });
  assert.equal(sixth.status, 409, sixth.text);
  assert.equal(sixth.body.error.code, "OperationNotAllowed");
  assert.match(sixth.body.error.message, /At most 5 disks/);
  const seen = [];
  for (let step = 0; step < 5; step++) {
    emu.advanceClock(HYDRATION_MS / 4);
    seen.push((await call(emu, "GET", diskPath(sub, "rg1", "v0"))).body.properties.completionPercent);
  }
  assert.ok(
    seen.every((p, i) => i === 0 || p >= seen[i - 1]),
    seen.join(),
  );
  assert.equal(seen.at(-1), 100, seen.join());
  // All five hydrated: the next restore is accepted.
  const later = await call(emu, "PUT", diskPath(sub, "rg1", "v5"), {
    body: restoreBody(snap.id, { sku: "PremiumV2_LRS" }),
  });
  assert.equal(later.status, 202, later.text);
});

test("concurrent PUTs of one name with If-None-Match: * — exactly one 202", async (t) => {
  const { emu, sub, snap } = await fresh(t);
  const all = await Promise.all(
    Array.from({ length: 4 }, () =>
      call(emu, "PUT", diskPath(sub, "rg1", "same"), { body: restoreBody(snap.id), headers: { "if-none-match": "*" } }),
    ),
  );
  assert.deepEqual(all.map((r) => r.status).sort(), [202, 412, 412, 412]);
});

test("Import: a blob of the emulator's Blob service becomes the disk's content; other blobs are refused", async (t) => {
  const { emu, sub, snap } = await fresh(t);
  const blob = emu.store.blob;
  const s = [...emu.store.snapshots.values()].find((x) => x.name === "s1");
  const src = snapshotRef(emu.store, s);
  // A replica: the snapshot's pages written into an ordinary page blob.
  blob.createContainer("backupacct", "replicas");
  const size = blob.properties(src.familyId, src.snapshot).size;
  const target = { account: "backupacct", container: "replicas", blob: "d1.vhd" };
  const url = blob.targetUrl("backupacct", "replicas", "d1.vhd");
  const put = await fetch(url, {
    method: "PUT",
    headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": String(size), "content-length": "0" },
  });
  assert.equal(put.status, 201, await put.text());
  for (const r of blob.pageList(src.familyId, { snapshot: src.snapshot })) {
    blob.writePages(
      target,
      r.start,
      blob.read(src.familyId, { snapshot: src.snapshot, offset: r.start, length: r.end + 1 - r.start }),
    );
  }
  const account = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/backupacct`;
  const importBody = (sourceUri, extra = {}) => ({
    location: "westeurope",
    properties: { creationData: { createOption: "Import", sourceUri, storageAccountId: account, ...extra } },
  });
  for (const sourceUri of ["https://backupacct.blob.core.windows.net/replicas/d1.vhd", url]) {
    const name = sourceUri === url ? "imp2" : "imp1";
    const r = await call(emu, "PUT", diskPath(sub, "rg1", name), { body: importBody(sourceUri) });
    assert.equal(r.status, 202, r.text);
    const op = await waitOperation(emu, r);
    assert.equal(op.properties.output.properties.diskSizeGB, 1);
    assert.deepEqual(content(emu, diskRef(emu.store, diskRecord(emu, name))), content(emu, src), name);
  }
  for (const [sourceUri, what] of [
    ["https://elsewhere.blob.core.windows.net/replicas/d1.vhd", "a host this service does not hold"],
    ["https://backupacct.blob.core.windows.net/replicas/nope.vhd", "a blob that does not exist"],
    [`http://198.51.100.7/blob/backupacct.blob.core.windows.net/replicas/d1.vhd`, "another origin"],
    ["not a url", "not a URL"],
  ]) {
    const r = await call(emu, "PUT", diskPath(sub, "rg1", "bad"), { body: importBody(sourceUri) });
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    assert.equal(r.body.error.code, "InvalidParameter", what);
  }
  const noAccount = await call(emu, "PUT", diskPath(sub, "rg1", "bad"), {
    body: { location: "westeurope", properties: { creationData: { createOption: "Import", sourceUri: url } } },
  });
  assert.equal(noAccount.status, 400);
  assert.match(noAccount.body.error.message, /storageAccountId/);
  assert.equal(diskRecord(emu, "bad"), undefined);
  assert.ok(snap.id);
});
