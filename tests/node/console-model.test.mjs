// The Snapshots console's model (www/js/console.js) in Node over the built package: every snapshot
// in exactly one group; current, recreated and deleted disks, sources outside the scope (read,
// gone, unreadable), copies with and without their source, imports, uploads; sorting (stable,
// no value last both ways); the tag filter; odd shapes and a big listing.
import test from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// The page's state module reads location.search on import; nothing else runs at import time.
globalThis.location = { search: "", hash: "" };
const lib = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
const { consoleModel, sortRows, tagMatcher, rowActions } = await import("../../www/js/console.js");

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/rg`;
const diskId = (name, rg = RG) => `${rg}/providers/Microsoft.Compute/disks/${name}`;
const snapId = (name, rg = RG) => `${rg}/providers/Microsoft.Compute/snapshots/${name}`;
const disk = (name, uniqueId, rg = RG) => ({
  id: diskId(name, rg),
  name,
  location: "westeurope",
  properties: { uniqueId, diskSizeGB: 64 },
});
let clock = Date.UTC(2026, 0, 1);
const snap = (
  name,
  { source, uid, incremental = true, option = "Copy", family, tags, rg = RG, sizeGB = 64, extra = {} },
) => ({
  id: snapId(name, rg),
  name,
  location: "westeurope",
  tags,
  sku: { name: "Standard_LRS" },
  properties: {
    creationData: { createOption: option, sourceResourceId: source, sourceUniqueId: uid, ...extra },
    incremental,
    diskSizeGB: sizeGB,
    timeCreated: new Date((clock += 3600_000)).toISOString(),
    provisioningState: "Succeeded",
    ...(family ? { incrementalSnapshotFamilyId: family } : {}),
  },
});

function demo() {
  const live = disk("live", "u-live");
  const again = disk("again", "u-new");
  const listing = [
    snap("live-1", { source: live.id, uid: "u-live", family: "f-live" }),
    snap("live-2", { source: live.id, uid: "u-live", family: "f-live", tags: { backup: "Daily" } }),
    snap("again-old-1", { source: again.id, uid: "u-old", family: "f-old" }),
    snap("again-new-1", { source: again.id, uid: "u-new", family: "f-new" }),
    snap("gone-1", { source: diskId("gone"), uid: "u-gone", family: "f-gone" }),
    snap("far-1", { source: diskId("far", `${SUB}/resourceGroups/other`), uid: "u-far", family: "f-far" }),
    snap("lost-1", { source: diskId("lost", `${SUB}/resourceGroups/other`), uid: "u-lost", family: "f-lost" }),
    snap("odd-1", { source: diskId("odd", `${SUB}/resourceGroups/other`), uid: "u-odd", family: "f-odd" }),
    snap("full-1", { source: live.id, uid: "u-live", incremental: false }),
    snap("copy-ok", { source: snapId("live-1"), uid: "s1", option: "CopyStart", family: "f-copy" }),
    snap("copy-gone", { source: snapId("deleted-since"), uid: "s0", option: "CopyStart", family: "f-copy" }),
    snap("imported", {
      incremental: false,
      option: "Import",
      extra: { sourceUri: "https://a.blob.core.windows.net/v/x.vhd" },
    }),
    snap("uploaded", { incremental: false, option: "Upload", extra: { uploadSizeBytes: 1024 } }),
  ];
  const lookups = new Map([
    [
      diskId("far", `${SUB}/resourceGroups/other`).toLowerCase(),
      { resource: disk("far", "u-far", `${SUB}/resourceGroups/other`) },
    ],
    [diskId("lost", `${SUB}/resourceGroups/other`).toLowerCase(), { gone: true }],
    [diskId("odd", `${SUB}/resourceGroups/other`).toLowerCase(), { unknown: true }],
  ]);
  return { listing, disks: [live, again], lookups };
}

const byName = (m) => new Map(m.rows.map((r) => [r.facts.name, r]));

test("every snapshot in exactly one group, each told apart", () => {
  const data = demo();
  const m = consoleModel(lib, data, RG);
  assert.equal(m.rows.length, data.listing.length);
  assert.deepEqual(
    m.groups.flatMap((g) => g.rows.map((r) => r.facts.name)).sort(),
    data.listing.map((s) => s.name).sort(),
  );
  const rows = byName(m);
  const is = (name, want) => {
    const r = rows.get(name);
    const got = { status: r.group.status, orphan: r.orphan, chain: r.chainLabel, disk: r.diskState };
    assert.deepEqual(got, { ...got, ...want }, name);
  };
  is("live-1", { status: "current", orphan: false, chain: "current", disk: "exists" });
  is("again-new-1", { status: "current", orphan: false });
  is("again-old-1", {
    status: "recreated",
    orphan: true,
    chain: "recreated disk (old uniqueId u-old…)",
    disk: "exists",
  });
  is("gone-1", { status: "deleted", orphan: true, chain: "deleted disk", disk: "gone" });
  is("far-1", { status: "current", orphan: false, disk: "exists" });
  is("lost-1", { status: "deleted", orphan: true, disk: "gone" });
  is("odd-1", { status: "unknown", orphan: false, disk: "unknown" });
  is("full-1", { status: "current", chain: "full" });
  is("copy-ok", { orphan: false, chain: "copy", disk: "exists" });
  is("copy-gone", { orphan: true, chain: "copy · source gone" });
  assert.equal(rows.get("copy-ok").diskName, "live");
  assert.equal(rows.get("copy-gone").diskId, null);
  assert.equal(rows.get("copy-ok").group, rows.get("copy-gone").group, "one family, one group");
  assert.equal(rows.get("copy-ok").group.badge, "1 with the source gone");
  assert.equal(rows.get("imported").group.title, "Imported");
  assert.equal(rows.get("uploaded").group.title, "Without a source");
  assert.equal(rows.get("imported").facts.kind, "imported");
  // Groups newest first, rows newest first within each.
  const newest = m.groups.map((g) => g.newest);
  assert.deepEqual(
    newest,
    [...newest].sort((a, b) => b - a),
  );
  for (const g of m.groups) {
    const times = g.rows.map((r) => r.facts.created);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  }
  // The model the disk view's dialogs read.
  const live = rows.get("live-2").model;
  assert.equal(live.disk.id, diskId("live"));
  assert.deepEqual(
    live.chain.map((s) => s.name),
    ["live-1", "live-2"],
  );
  assert.ok(live.copies.every((s) => s.properties.creationData.createOption === "CopyStart"));
});

test("without the disks and lookups: nothing is called deleted that may live elsewhere", () => {
  const data = demo();
  const m = consoleModel(lib, { listing: data.listing, disks: [] }, RG);
  const rows = byName(m);
  // In the scope and not listed: deleted. Outside it and not read: unknown.
  assert.equal(rows.get("live-1").group.status, "deleted");
  assert.equal(rows.get("far-1").group.status, "unknown");
  assert.equal(rows.get("far-1").diskState, "unknown");
});

test("sortRows: stable, both ways, no value last either way, an unknown column leaves the order", () => {
  const row = (i, size, name = `n${i}`) => ({
    i,
    facts: { name, sizeBytes: size, created: i },
    diskName: "",
    changedBytes: null,
  });
  const rows = [row(0, 2), row(1, null), row(2, 1), row(3, 2), row(4, 1), row(5, undefined), row(6, 2)];
  const ids = (xs) => xs.map((r) => r.i);
  assert.deepEqual(ids(sortRows(rows, "size", "asc")), [2, 4, 0, 3, 6, 1, 5]);
  assert.deepEqual(ids(sortRows(rows, "size", "desc")), [0, 3, 6, 2, 4, 1, 5]);
  assert.deepEqual(ids(sortRows(rows, "nope", "asc")), ids(rows));
  assert.deepEqual(ids(sortRows(rows, "tags", "asc")), ids(rows), "tags are not sortable");
  assert.notEqual(sortRows(rows, "nope"), rows, "a copy, never the array itself");
  assert.deepEqual(ids(rows), [0, 1, 2, 3, 4, 5, 6], "the input is left as it was");
  // Names ignore case.
  const named = [row(0, 1, "b"), row(1, 1, "A"), row(2, 1, "a")];
  assert.deepEqual(ids(sortRows(named, "name", "asc")), [1, 2, 0]);
});

test("tagMatcher: key=value ignoring case, a key alone, an empty value", () => {
  const r = (tags) => ({ facts: { tags } });
  const backup = r([
    ["Backup", "Daily"],
    ["empty", ""],
  ]);
  assert.equal(tagMatcher("backup=daily")(backup), true);
  assert.equal(tagMatcher(" BACKUP = DAILY ")(backup), true);
  assert.equal(tagMatcher("backup=weekly")(backup), false);
  assert.equal(tagMatcher("backup")(backup), true);
  assert.equal(tagMatcher("empty=")(backup), true);
  assert.equal(tagMatcher("backup=")(backup), false);
  assert.equal(tagMatcher("")(backup), true);
  assert.equal(tagMatcher(null)(r([])), true);
  assert.equal(tagMatcher("a=b=c")(r([["a", "b=c"]])), true, "the first = splits");
});

test("odd shapes: tags that are not objects, markup in names, a missing time; a 5,000-snapshot listing is grouped and sorted whole", () => {
  const live = disk("live", "u-live");
  const listing = [
    snap("<img src=x onerror=alert(1)>", { source: live.id, uid: "u-live", tags: ["a", "b"] }),
    { ...snap("no-time", { source: live.id, uid: "u-live", tags: "x=y" }) },
  ];
  delete listing[1].properties.timeCreated;
  const m = consoleModel(lib, { listing, disks: [live] }, RG);
  assert.equal(m.rows.length, 2);
  assert.deepEqual(
    m.rows.map((r) => r.facts.tags),
    [[], []],
  );
  assert.equal(sortRows(m.rows, "created", "desc").at(-1).facts.name, "no-time");
  assert.equal(sortRows(m.rows, "created", "asc").at(-1).facts.name, "no-time");

  const many = [];
  for (let i = 0; i < 5000; i++)
    many.push(snap(`s${i}`, { source: diskId(`d${i % 50}`), uid: "u", family: `f${i % 50}` }));
  const big = consoleModel(lib, { listing: many, disks: [] }, RG);
  const sorted = sortRows(big.rows, "name", "asc");
  assert.equal(big.groups.length, 50);
  assert.equal(sorted.length, 5000);
});

test("rowActions: a named hook; delete is offered on every row, copy only on ready incremental ones, access and restore on ready ones", () => {
  assert.deepEqual(
    rowActions.map((a) => a.key),
    ["copy", "access", "restore", "delete"],
  );
  const m = consoleModel(lib, demo(), RG);
  const rows = byName(m);
  const offered = (name) => rowActions.filter((a) => a.available(rows.get(name))).map((a) => a.key);
  assert.deepEqual(offered("live-1"), ["copy", "access", "restore", "delete"]);
  assert.deepEqual(offered("full-1"), ["access", "restore", "delete"]);
  assert.deepEqual(offered("imported"), ["access", "restore", "delete"]);
  assert.deepEqual(offered("copy-ok"), ["access", "restore", "delete"]);
  // A snapshot still copying in the background can only be deleted: no disk is made from it yet.
  const copying = snap("copying-1", { source: diskId("live"), uid: "u-live", family: "f-live" });
  copying.properties.completionPercent = 40;
  const [row] = consoleModel(lib, { listing: [copying], disks: [] }, RG).rows;
  assert.deepEqual(
    rowActions.filter((a) => a.available(row)).map((a) => a.key),
    ["delete"],
  );
});
