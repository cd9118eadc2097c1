// The Blob service wired into the ARM emulator: beginGetAccess hands out SAS URLs of disk and
// snapshot content on the emulator's own server, raw fetch reads them, and the ARM rules
// (5 grants per family, no delete with an active SAS, recreated disk = new family) still hold.
import test from "node:test";
import assert from "node:assert/strict";
import { start, call, createRg, createDisk, createSnapshot, snapPath, diskPath, waitOperation } from "./helpers.mjs";
import { req, withQuery, parsePageList } from "./blob-helpers.mjs";

const GIB = 1024 ** 3;
const MIB = 1024 * 1024;

async function fresh(t, opts = {}) {
  const emu = await start({ seed: "empty", lroPolls: 0, ...opts });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg1", "westeurope");
  await createRg(emu, sub, "rg2", "northeurope");
  return { emu, sub };
}

/** beginGetAccess to the end of its operation; resolves to { status, url, body }. */
async function grant(emu, path, { access = "Read", durationInSeconds = 3600 } = {}) {
  const r = await call(emu, "POST", `${path}/beginGetAccess`, { body: { access, durationInSeconds } });
  if (r.status !== 202) return { status: r.status, body: r.body };
  const op = await waitOperation(emu, r);
  return { status: 202, url: op.properties?.output?.accessSAS, op };
}
async function revoke(emu, path) {
  const r = await call(emu, "POST", `${path}/endGetAccess`);
  assert.equal(r.status, 202);
  await waitOperation(emu, r);
}

/** Control API call with (or without) the secret. */
async function control(emu, method, sub, body, { secret = emu.controlSecret } = {}) {
  const headers = { "content-type": "application/json" };
  if (secret) headers["x-emulator-secret"] = secret;
  const r = await fetch(`${emu.url}/__emulator${sub}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const diff = async (newer, older) => {
  const r = await req(withQuery(newer, "comp=pagelist"), {
    headers: older ? { "x-ms-previous-snapshot-url": older } : {},
  });
  assert.equal(r.status, 200, r.text);
  return parsePageList(r.text).elements;
};

test("a snapshot's SAS URL reads its content: HEAD is the disk's size + 512, the diff lists exactly the written pages", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "web", { sku: "Premium_LRS", sizeGB: 32 });
  emu.writeDisk(d.id, [{ offset: 0, length: 1 * MIB, byte: 1 }]);
  await createSnapshot(emu, sub, "rg1", "s1", d.id);
  emu.writeDisk(d.id, [
    { offset: 4 * MIB, length: 8192, byte: 2 },
    { offset: 0, length: 4096, clear: true },
    { offset: 8 * MIB, length: 512, dataBase64: Buffer.alloc(512, 9).toString("base64") },
  ]);
  await createSnapshot(emu, sub, "rg1", "s2", d.id);
  const a = await grant(emu, snapPath(sub, "rg1", "s1"));
  const b = await grant(emu, snapPath(sub, "rg1", "s2"));
  assert.match(
    a.url,
    /^http:\/\/127\.0\.0\.1:\d+\/blob\/md-[a-z0-9]{12}\.z\d\d\.blob\.storage\.azure\.net\/[a-z0-9]{12}\/abcd\?snapshot=[^&]+&sv=2018-11-09&sr=bs&si=[0-9a-f]{64}&sig=/,
  );
  // one family: same host, container and blob, another snapshot
  assert.equal(a.url.split("?")[0], b.url.split("?")[0]);
  assert.notEqual(new URL(a.url).searchParams.get("snapshot"), new URL(b.url).searchParams.get("snapshot"));

  const head = await req(b.url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(32 * GIB + 512));
  assert.deepEqual(await diff(b.url, a.url), [
    { kind: "clear", start: 0, end: 4095 },
    { kind: "page", start: 4 * MIB, end: 4 * MIB + 8191 },
    { kind: "page", start: 8 * MIB, end: 8 * MIB + 511 },
  ]);
  // the full page list of the older snapshot: its data and the VHD footer
  assert.deepEqual(await diff(a.url), [
    { kind: "page", start: 0, end: MIB - 1 },
    { kind: "page", start: 32 * GIB, end: 32 * GIB + 511 },
  ]);
  const footer = await req(a.url, { headers: { "x-ms-range": `bytes=${32 * GIB}-${32 * GIB + 511}` } });
  assert.equal(footer.status, 206);
  assert.equal(footer.bytes.subarray(0, 8).toString("ascii"), "conectix");
  const bytes = await req(b.url, { headers: { "x-ms-range": `bytes=${8 * MIB}-${8 * MIB + 511}` } });
  assert.deepEqual(bytes.bytes, Buffer.alloc(512, 9));
  // the snapshot is frozen: later writes to the disk are not in it
  emu.writeDisk(d.id, [{ offset: 4 * MIB, length: 512, byte: 3 }]);
  assert.equal((await req(b.url, { headers: { "x-ms-range": `bytes=${4 * MIB}-${4 * MIB}` } })).bytes[0], 2);
});

test("endGetAccess and expiry end the URL (403 AuthenticationFailed); ARM's limits hold as before", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 4 });
  for (let i = 0; i < 6; i++) await createSnapshot(emu, sub, "rg1", `s${i}`, d.id);
  const urls = [];
  for (let i = 0; i < 5; i++) {
    const g = await grant(emu, snapPath(sub, "rg1", `s${i}`));
    assert.equal(g.status, 202);
    urls.push(g.url);
  }
  const family = (await call(emu, "GET", snapPath(sub, "rg1", "s0"))).body.properties.incrementalSnapshotFamilyId;
  assert.equal(emu.blob.openGrants(family), 5);
  const sixth = await grant(emu, snapPath(sub, "rg1", "s5"));
  assert.equal(sixth.status, 409);
  assert.equal(sixth.body.error.code, "OperationNotAllowed");
  // deleting a snapshot with an active SAS is refused, and its content stays readable
  const del = await call(emu, "DELETE", snapPath(sub, "rg1", "s0"));
  assert.equal(del.status, 409);
  assert.equal((await req(urls[0], { method: "HEAD" })).status, 200);

  await revoke(emu, snapPath(sub, "rg1", "s0"));
  const after = await req(urls[0], { method: "HEAD" });
  assert.equal(after.status, 403);
  assert.equal(after.headers.get("x-ms-error-code"), "AuthenticationFailed");
  assert.equal(emu.blob.openGrants(family), 4);
  // now the sixth fits, and s0 can go: its blob snapshot goes with it
  assert.equal((await grant(emu, snapPath(sub, "rg1", "s5"))).status, 202);
  const before = emu.blob.properties(family).snapshots.length;
  const gone = await call(emu, "DELETE", snapPath(sub, "rg1", "s0"));
  assert.equal(gone.status, 202);
  await waitOperation(emu, gone);
  assert.equal(emu.blob.properties(family).snapshots.length, before - 1);

  // expiry: on the emulator clock, in the Blob service and in ARM alike
  const short = await grant(emu, snapPath(sub, "rg1", "s1"), { durationInSeconds: 60 });
  assert.equal((await req(short.url, { method: "HEAD" })).status, 200);
  assert.equal((await req(urls[1], { method: "HEAD" })).status, 403, "a second grant replaces the first URL");
  emu.advanceClock(61000);
  const expired = await req(short.url, { method: "HEAD" });
  assert.equal(expired.status, 403);
  assert.equal(expired.headers.get("x-ms-error-code"), "AuthenticationFailed");
  assert.notEqual((await call(emu, "GET", snapPath(sub, "rg1", "s1"))).body.properties.diskState, "ActiveSAS");
  // at most 60 days
  const long = await grant(emu, snapPath(sub, "rg1", "s1"), { durationInSeconds: 60 * 86400 + 1 });
  assert.equal(long.status, 400);
  assert.equal((await grant(emu, snapPath(sub, "rg1", "s1"), { durationInSeconds: 60 * 86400 })).status, 202);
});

test("a disk recreated under the same name is a new family; a disk's own SAS reads it live", async (t) => {
  const { emu, sub } = await fresh(t);
  const d1 = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 4 });
  emu.writeDisk(d1.id, [{ offset: 0, length: 512, byte: 1 }]);
  const s1 = await createSnapshot(emu, sub, "rg1", "old", d1.id);
  const g1 = await grant(emu, snapPath(sub, "rg1", "old"));
  const del = await call(emu, "DELETE", diskPath(sub, "rg1", "d"));
  await waitOperation(emu, del);
  const d2 = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 8 });
  const s2 = await createSnapshot(emu, sub, "rg1", "new", d2.id);
  const g2 = await grant(emu, snapPath(sub, "rg1", "new"));
  assert.notEqual(s1.properties.incrementalSnapshotFamilyId, s2.properties.incrementalSnapshotFamilyId);
  assert.notEqual(g1.url.split("?")[0], g2.url.split("?")[0]);
  // the old chain outlives its disk; the new disk starts empty
  assert.equal((await req(g1.url, { headers: { "x-ms-range": "bytes=0-0" } })).bytes[0], 1);
  assert.deepEqual(await diff(g2.url), [{ kind: "page", start: 8 * GIB, end: 8 * GIB + 511 }]);
  // a diff across families is refused
  const cross = await req(withQuery(g2.url, "comp=pagelist"), { headers: { "x-ms-previous-snapshot-url": g1.url } });
  assert.equal(cross.status, 409);

  // a disk's Read SAS: the blob itself (sr=b), live content
  const gd = await grant(emu, diskPath(sub, "rg1", "d"));
  assert.match(gd.url, /\/abcd\?sv=2018-11-09&sr=b&si=/);
  assert.equal(gd.url.split("?")[0], g2.url.split("?")[0]);
  assert.equal((await call(emu, "GET", diskPath(sub, "rg1", "d"))).body.properties.diskState, "ActiveSAS");
  emu.writeDisk(d2.id, [{ offset: 512, length: 512, byte: 5 }]);
  assert.equal((await req(gd.url, { headers: { "x-ms-range": "bytes=512-512" } })).bytes[0], 5);
  // a Read SAS cannot write
  const put = await req(withQuery(gd.url, "comp=page"), {
    method: "PUT",
    headers: { "x-ms-page-write": "update", "x-ms-range": "bytes=0-511" },
    body: Buffer.alloc(512),
  });
  assert.equal(put.status, 403);
  await revoke(emu, diskPath(sub, "rg1", "d"));
  assert.equal((await req(gd.url, { method: "HEAD" })).status, 403);
});

test("full snapshots, CopyStart copies and disks made from snapshots carry the bytes", async (t) => {
  const { emu, sub } = await fresh(t, { copyPolls: 0 });
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 4 });
  emu.writeDisk(d.id, [{ offset: MIB, length: 4096, byte: 7 }]);
  await createSnapshot(emu, sub, "rg1", "full", d.id, { incremental: false });
  await createSnapshot(emu, sub, "rg1", "inc1", d.id);
  emu.writeDisk(d.id, [{ offset: 2 * MIB, length: 512, byte: 8 }]);
  await createSnapshot(emu, sub, "rg1", "inc2", d.id);
  const full = await grant(emu, snapPath(sub, "rg1", "full"));
  assert.match(full.url, /\/abcd\?sv=2018-11-09&sr=b&si=/, "a full snapshot is a blob of its own");
  assert.deepEqual(await diff(full.url), [
    { kind: "page", start: MIB, end: MIB + 4095 },
    { kind: "page", start: 4 * GIB, end: 4 * GIB + 511 },
  ]);
  // CopyStart to another region: a new family holding the source snapshot's bytes
  for (const [name, src] of [
    ["c1", "inc1"],
    ["c2", "inc2"],
  ]) {
    const r = await call(emu, "PUT", snapPath(sub, "rg2", name), {
      body: {
        location: "northeurope",
        properties: {
          creationData: { createOption: "CopyStart", sourceResourceId: `/${snapPath(sub, "rg1", src).slice(1)}` },
          incremental: true,
        },
      },
    });
    assert.equal(r.status, 202, r.text);
    await waitOperation(emu, r);
    for (let i = 0; i < 5; i++) await call(emu, "GET", snapPath(sub, "rg2", name));
  }
  const c1 = await grant(emu, snapPath(sub, "rg2", "c1"));
  const c2 = await grant(emu, snapPath(sub, "rg2", "c2"));
  const i1 = await grant(emu, snapPath(sub, "rg1", "inc1"));
  assert.notEqual(c1.url.split("?")[0], i1.url.split("?")[0]);
  assert.equal(c1.url.split("?")[0], c2.url.split("?")[0]);
  assert.deepEqual(await diff(c2.url, c1.url), [{ kind: "page", start: 2 * MIB, end: 2 * MIB + 511 }]);
  const inc2 = (await grant(emu, snapPath(sub, "rg1", "inc2"))).url;
  const window = { headers: { "x-ms-range": `bytes=0-${3 * MIB - 1}` } };
  assert.deepEqual((await req(c2.url, window)).bytes, (await req(inc2, window)).bytes);
  // a disk restored from a snapshot starts with its bytes
  const r = await call(emu, "PUT", diskPath(sub, "rg1", "restored"), {
    body: {
      location: "westeurope",
      properties: {
        creationData: { createOption: "Copy", sourceResourceId: `/${snapPath(sub, "rg1", "inc1").slice(1)}` },
      },
    },
  });
  assert.equal(r.status, 202);
  await waitOperation(emu, r);
  const gr = await grant(emu, diskPath(sub, "rg1", "restored"));
  assert.deepEqual(await diff(gr.url), [
    { kind: "page", start: MIB, end: MIB + 4095 },
    { kind: "page", start: 4 * GIB, end: 4 * GIB + 511 },
  ]);
});

test("control: disk writes and target URLs need the secret; bad writes are 400", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 1 });
  const body = { diskId: d.id, writes: [{ offset: 0, length: 1024, byte: 4 }] };
  assert.equal((await control(emu, "POST", "/disks/writes", body, { secret: null })).status, 403);
  assert.equal((await control(emu, "POST", "/disks/writes", body, { secret: "0".repeat(64) })).status, 403);
  assert.equal((await control(emu, "POST", "/blob/targets", {}, { secret: null })).status, 403);
  assert.equal((await control(emu, "GET", "/blob/requests", undefined, { secret: null })).status, 403);
  const ok = await control(emu, "POST", "/disks/writes", body);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.bytesWritten, 1024);
  assert.equal(emu.blob.read(ok.body.familyId, { offset: 0, length: 1024 }).equals(Buffer.alloc(1024, 4)), true);
  for (const writes of [
    [{ offset: 1, length: 512, byte: 1 }],
    [{ offset: 0, length: 500, byte: 1 }],
    [{ offset: 0, length: 512, byte: 256 }],
    [{ offset: 0, length: 512 }],
    [{ offset: 0, length: 512, byte: 1, clear: true }],
    [{ offset: GIB, length: 512, byte: 1 }], // the footer is not the VM's
    [{ offset: 0, length: 512, dataBase64: "AAAA" }],
    [{ offset: 0, length: 512, byte: 1, extra: 1 }],
    [],
  ]) {
    const r = await control(emu, "POST", "/disks/writes", { diskId: d.id, writes });
    assert.equal(r.status, 400, JSON.stringify(writes));
  }
  assert.equal((await control(emu, "POST", "/disks/writes", { diskId: `${d.id}x`, writes: body.writes })).status, 404);
  assert.equal((await control(emu, "POST", "/blob/targets", { account: "Bad!" })).status, 400);
  assert.equal((await control(emu, "POST", "/blob/targets", { nope: 1 })).status, 400);
});

test("a target URL from the control API: Put Blob + Put Page From URL of a snapshot SAS copies byte-exact, with no token", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 1 });
  const data = Buffer.alloc(64 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  emu.writeDisk(d.id, [{ offset: 3 * MIB, length: data.length, dataBase64: data.toString("base64") }]);
  await createSnapshot(emu, sub, "rg1", "s", d.id);
  const src = (await grant(emu, snapPath(sub, "rg1", "s"))).url;
  const minted = await control(emu, "POST", "/blob/targets", {
    account: "restoretarget",
    container: "vhds",
    blob: "d.vhd",
  });
  assert.equal(minted.status, 201);
  const target = minted.body.url;
  assert.match(target, /^http:\/\/127\.0\.0\.1:\d+\/blob\/restoretarget\.blob\.core\.windows\.net\/vhds\/d\.vhd\?sv=/);
  assert.equal((await req(target, { method: "HEAD" })).status, 404, "no blob yet");
  emu.blob.resetRequests();
  const size = GIB + 512;
  const created = await req(target, {
    method: "PUT",
    headers: { "x-ms-blob-type": "PageBlob", "x-ms-blob-content-length": String(size) },
  });
  assert.equal(created.status, 201, created.text);
  const range = `bytes=${3 * MIB}-${3 * MIB + data.length - 1}`;
  const copied = await req(withQuery(target, "comp=page"), {
    method: "PUT",
    headers: { "x-ms-page-write": "update", "x-ms-range": range, "x-ms-source-range": range, "x-ms-copy-source": src },
  });
  assert.equal(copied.status, 201, copied.text);
  const back = await req(target, { headers: { "x-ms-range": range } });
  assert.deepEqual(back.bytes, data);
  // the in-process API mints the same kind of URL
  assert.match(
    emu.blob.targetUrl("other1", "c01", "b"),
    /\/blob\/other1\.blob\.core\.windows\.net\/c01\/b\?sv=2021-06-08&se=/,
  );
  // the request log: no Authorization header reached the Blob service, and no signatures are kept
  const log = await control(emu, "GET", "/blob/requests");
  assert.equal(log.status, 200);
  assert.equal(log.body.requests.length, 3);
  for (const r of log.body.requests) {
    assert.equal(r.authorization, false);
    assert.equal(r.headers.includes("authorization"), false);
    assert.doesNotMatch(JSON.stringify(r), /sig=|%3D/);
  }
  assert.deepEqual(
    log.body.requests.map((r) => `${r.method} ${r.status}`),
    ["PUT 201", "PUT 201", "GET 206"],
  );
  assert.ok(log.body.requests[1].headers.includes("x-ms-copy-source"));
  // a request that sent a token is logged as such
  await req(src, { method: "HEAD", headers: { authorization: "Bearer nope" } });
  assert.equal(emu.blob.requests.at(-1).authorization, true);
  assert.equal((await control(emu, "DELETE", "/blob/requests")).status, 204);
  assert.equal(emu.blob.requests.length, 0);
});

test("blob faults through the control fault API", async (t) => {
  const { emu, sub } = await fresh(t);
  const d = await createDisk(emu, sub, "rg1", "d", { sku: "Standard_LRS", sizeGB: 1 });
  await createSnapshot(emu, sub, "rg1", "s", d.id);
  const url = (await grant(emu, snapPath(sub, "rg1", "s"))).url;
  const added = await control(emu, "POST", "/faults", {
    route: "GET /blob/md-*comp=pagelist*",
    kind: "throttle",
    count: 1,
  });
  assert.equal(added.status, 201);
  assert.equal(added.body.blobFaults.length, 1);
  const r = await req(withQuery(url, "comp=pagelist"));
  assert.equal(r.status, 503);
  assert.equal(r.headers.get("retry-after"), "1");
  assert.equal((await req(withQuery(url, "comp=pagelist"))).status, 200);
  assert.equal(
    (await control(emu, "POST", "/blob/faults", [{ route: "HEAD", kind: "status", status: 500 }])).status,
    201,
  );
  assert.equal((await control(emu, "GET", "/blob/faults")).body.faults.length, 1);
  assert.equal((await req(url, { method: "HEAD" })).status, 500);
  assert.equal((await control(emu, "POST", "/blob/faults", { kind: "nope" })).status, 400);
  assert.equal((await control(emu, "POST", "/blob/faults", { kind: "latency", ms: 1e9 })).status, 400);
  assert.equal((await control(emu, "DELETE", "/blob/faults")).status, 204);
  assert.equal(emu.blob.faults.length, 0);
});

test("demo seed: consecutive snapshots of the seeded disk diff exactly as seedInfo says", async (t) => {
  const emu = await start({ seed: "demo", lroPolls: 0 });
  t.after(() => emu.close());
  const [c] = emu.seedInfo.content;
  assert.equal(c.snapshots.length, 4);
  assert.equal(c.diffs.length, 3);
  const path = (id) => id.replace(/^\/subscriptions/, "/subscriptions");
  const urls = [];
  for (const id of c.snapshots) {
    const g = await grant(emu, path(id));
    assert.equal(g.status, 202);
    urls.push(g.url);
  }
  assert.equal((await req(urls[0], { method: "HEAD" })).headers.get("content-length"), String(c.size));
  assert.deepEqual(await diff(urls[0]), c.full.ranges);
  for (let i = 0; i < c.diffs.length; i++) {
    const got = await diff(urls[i + 1], urls[i]);
    assert.deepEqual(got, c.diffs[i].ranges, `diff ${i}`);
    assert.equal(
      got.reduce((n, r) => n + r.end + 1 - r.start, 0),
      c.diffs[i].changedBytes,
    );
    assert.ok(c.diffs[i].changedBytes >= MIB, "a few MiB between snapshots");
  }
  // the disk itself moved on after its newest snapshot
  const disk = emu.store.disks.get(c.diskId.toLowerCase());
  assert.ok(disk);
  const last = emu.store.snapshots.get(c.snapshots[3].toLowerCase()).blob;
  assert.ok(emu.blob.pageList(c.familyId, { prevSnapshot: last.snapshot }).length > 0);
  // other demo snapshots (no seeded writes) hold only their footer and diff as unchanged
  const chain = Object.keys(emu.seedInfo.chains).find((id) => /legacy-app-disk/.test(id));
  const legacy = [...emu.store.snapshots.values()].filter(
    (s) => s.sourceDiskKey === chain.toLowerCase() && s.incremental,
  );
  const g1 = await grant(emu, path(legacy.at(-2).id));
  const g2 = await grant(emu, path(legacy.at(-1).id));
  assert.deepEqual(await diff(g2.url, g1.url), []);
});

test("bulk seed stays cheap: no blob is made until one is needed", async (t) => {
  const emu = await start({ seed: { kind: "bulk", snapshots: 2000, disks: 5 } });
  t.after(() => emu.close());
  assert.equal(emu.blob.families.size, 0);
});
