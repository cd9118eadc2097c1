// The Snapshots console (www/js/console.js, cells.js) end to end in headless Chromium against the
// emulator's demo seed, in a browser set to India's time zone (UTC+05:30, so a wrong zone shows):
// each resource group's console lists every snapshot of the scope (orphans of a deleted and of a
// recreated disk, imports, full snapshots, copies, a copy whose source is gone) as the package in
// Node groups them; the subscription's view and its resource-group filter; sorting the table by
// created and by size (asc/desc, aria-sort, stable ties); the filters; select 3 and one typed
// confirmation deletes exactly those 3 (a snapshot created meanwhile stays); a failed delete is
// listed by name; a deleted disk's page lists its leftovers; times with seconds in the user's zone;
// a 390 px screen without sideways page scroll. Each test starts from t.fresh().
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup, connectDemo, openHash, diskId } from "./helpers.mjs";

const ZONE = "Asia/Kolkata";
let t;

before(async () => {
  t = await setup({ contextOptions: { timezoneId: ZONE, locale: "en-GB" } });
});

beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

function noProblems() {
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
}

const scopeOf = (rg) => (rg ? `/subscriptions/${t.sub}/resourceGroups/${rg}` : `/subscriptions/${t.sub}`);
const lower = (xs) => xs.map((x) => String(x).toLowerCase()).sort();
const srcOf = (s) => s.properties?.creationData?.sourceResourceId;
const consoleReady = '[data-testid="console"] .console-body';

/** Open a scope's console (rg, or the subscription without) through the links a user clicks. */
async function openConsole(rg) {
  await connectDemo(t);
  if (rg) {
    await t.page.click(`a[aria-label="Snapshots of ${rg}"]`);
  } else {
    await t.page.click("#open-snapshots");
  }
  await t.page.waitForSelector(consoleReady);
}

/** The ids of the rows shown (in order), of the table or of every group. */
const shownIds = () =>
  t.page.$$eval('[data-testid="console"] tbody tr[data-id]', (trs) => trs.map((tr) => tr.dataset.id));

/** Type into a text filter and wait until the view has applied it (they apply after a short pause). */
async function typeFilter(which, value) {
  await t.page.fill(`[data-filter="${which}"]`, value);
  await t.page.waitForFunction(
    ([w, v]) => [...document.querySelectorAll(".console-body")].some((b) => b.dataset[w] === v),
    [which, value],
  );
}

async function showTable() {
  await t.page.click("#console-mode-table");
  await t.page.waitForSelector('[data-testid="console-table"]');
}

/** What Node tells about a scope's snapshots: its listing, its disks and the package's chains. */
async function nodeScope(rg) {
  const [listing, disks] = await Promise.all([t.client.listSnapshots(scopeOf(rg)), t.client.listDisks(scopeOf(rg))]);
  const report = t.lib.groupSnapshotChains(listing, { disks });
  return { listing, disks, report };
}

/** Whether a resource still exists, read in Node. */
async function exists(id) {
  try {
    await (/\/snapshots\//i.test(id) ? t.client.getSnapshot(id) : t.client.getDisk(id));
    return true;
  } catch (e) {
    if (e.code === "NOT_FOUND") return false;
    throw e;
  }
}

/** The orphans of the subscription, by Node: deleted or recreated disks' snapshots, copies whose source is gone. */
async function nodeOrphans() {
  const { listing, disks, report } = await nodeScope();
  const diskIds = new Set(disks.map((d) => d.id.toLowerCase()));
  const out = [];
  for (const c of report.chains) {
    if (c.kind === "crossRegionCopy") {
      for (const s of c.snapshots) if (!(await exists(srcOf(s)))) out.push(s.id);
    } else if (c.orphaned || !diskIds.has(String(c.sourceResourceId).toLowerCase())) {
      out.push(...c.snapshots.map((s) => s.id));
    }
  }
  assert.ok(out.length >= 6, "the demo has orphans of every sort");
  return { listing, orphans: out };
}

test("each resource group's console lists every snapshot: orphans, imported, full, copies, a copy whose source is gone", async () => {
  const groupsOf = () =>
    t.page.$$eval('[data-testid="console-group"]', (gs) =>
      gs.map((g) => ({
        kind: g.dataset.kind,
        status: g.dataset.status,
        title: g.querySelector("h3").textContent,
        ids: [...g.querySelectorAll("tbody tr[data-id]")].map((tr) => tr.dataset.id),
      })),
    );
  // rg-dev: a deleted disk's chain, an imported snapshot, a full one.
  await openConsole("rg-dev");
  let node = await nodeScope("rg-dev");
  assert.deepEqual(lower(await shownIds()), lower(node.listing.map((s) => s.id)));
  let groups = await groupsOf();
  const deleted = groups.find((g) => g.status === "deleted" && g.kind === "incremental");
  assert.ok(deleted, "a group for the deleted disk");
  assert.equal(deleted.title, "dev-old-disk");
  const goneDisk = diskId(t.sub, "rg-dev", "dev-old-disk");
  assert.equal(await exists(goneDisk), false);
  assert.deepEqual(lower(deleted.ids), lower(node.listing.filter((s) => srcOf(s) === goneDisk).map((s) => s.id)));
  assert.match(await t.page.textContent(`[data-testid="console-group"][data-status="deleted"] .badge`), /deleted disk/);
  const imported = groups.find((g) => g.title === "Imported");
  assert.deepEqual(
    lower(imported.ids),
    lower(node.report.unsourced.filter((s) => s.properties.creationData.createOption === "Import").map((s) => s.id)),
  );
  assert.ok(imported.ids.length >= 1);
  const full = groups.filter((g) => g.kind === "full").flatMap((g) => g.ids);
  assert.deepEqual(
    lower(full),
    lower(node.report.chains.filter((c) => c.kind === "full").flatMap((c) => c.snapshots.map((s) => s.id))),
  );
  // Newest first within a group, groups by their newest snapshot.
  const created = await t.page.$$eval('[data-testid="console-group"]', (gs) =>
    gs.map((g) => [...g.querySelectorAll("time.created")].map((el) => Date.parse(el.getAttribute("datetime")))),
  );
  for (const times of created)
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  assert.deepEqual(
    created.map((ts) => ts[0]),
    created.map((ts) => ts[0]).sort((a, b) => b - a),
  );
  await t.shot("console-rg-dev-1280");

  // rg-prod-westeurope: the recreated disk's old chain apart from its current one.
  await openHash(t, `#/s/${t.sub}/rg/rg-prod-westeurope/snapshots`, consoleReady);
  await t.page.waitForSelector('[data-testid="console-group"][data-status="recreated"]');
  node = await nodeScope("rg-prod-westeurope");
  assert.deepEqual(lower(await shownIds()), lower(node.listing.map((s) => s.id)));
  groups = await groupsOf();
  const orphaned = node.report.chains.filter((c) => c.orphaned);
  assert.equal(orphaned.length, 1);
  const recreated = groups.filter((g) => g.status === "recreated");
  assert.deepEqual(lower(recreated.flatMap((g) => g.ids)), lower(orphaned[0].snapshots.map((s) => s.id)));
  const badge = await t.page.textContent('[data-testid="console-group"][data-status="recreated"] .badge');
  assert.match(badge, new RegExp(`recreated disk \\(old uniqueId ${orphaned[0].sourceUniqueId.slice(0, 8)}`));
  await t.shot("console-rg-prod-1280");

  // rg-data-eastus: copies from West Europe, one of them of a snapshot deleted since.
  await openHash(t, `#/s/${t.sub}/rg/rg-data-eastus/snapshots`, consoleReady);
  await t.page.waitForSelector('[data-testid="console-group"][data-kind="copy"]');
  node = await nodeScope("rg-data-eastus");
  assert.deepEqual(lower(await shownIds()), lower(node.listing.map((s) => s.id)));
  const copies = node.listing.filter((s) => s.properties.creationData.createOption === "CopyStart");
  const goneCopies = [];
  for (const c of copies) if (!(await exists(srcOf(c)))) goneCopies.push(c.id);
  assert.equal(goneCopies.length, 1, "the demo has one copy whose source is gone");
  const noted = await t.page.$$eval('[data-testid="console-group"][data-kind="copy"] tr[data-orphan="true"]', (trs) =>
    trs.map((tr) => [tr.dataset.id, tr.querySelector(".row-note")?.textContent]),
  );
  assert.deepEqual(noted, [[goneCopies[0], "source gone"]]);
  await t.shot("console-rg-copies-1280");
  noProblems();
});

test("subscription view: every snapshot of the subscription; the resource group filter", async () => {
  await openConsole(null);
  const node = await nodeScope(null);
  assert.equal(node.listing.length, t.emu.seedInfo.snapshots);
  assert.deepEqual(lower(await shownIds()), lower(node.listing.map((s) => s.id)));
  assert.equal(await t.page.textContent('[data-testid="console-count"]'), `${node.listing.length} snapshots`);
  assert.match(await t.page.textContent("#crumbs"), /Snapshots$/);
  await showTable();
  assert.deepEqual(lower(await shownIds()), lower(node.listing.map((s) => s.id)));
  const rgSelect = '[data-filter="rg"]';
  for (const rg of t.emu.seedInfo.resourceGroups) {
    await t.page.selectOption(rgSelect, rg);
    const want = (await t.client.listSnapshots(scopeOf(rg))).map((s) => s.id);
    assert.deepEqual(lower(await shownIds()), lower(want), rg);
    const rgs = await t.page.$$eval('[data-testid="console-table"] td[data-col="rg"]', (tds) =>
      tds.map((td) => td.textContent),
    );
    assert.ok(rgs.length && rgs.every((x) => x === rg));
    assert.equal(
      await t.page.textContent('[data-testid="console-count"]'),
      `${want.length} of ${node.listing.length} snapshots shown`,
    );
  }
  await t.page.selectOption(rgSelect, "");
  await t.shot("console-sub-table-1280");
  noProblems();
});

test("table: sort by created and by size, both ways, aria-sort on the header, ties kept in one order", async () => {
  await openConsole(null);
  await showTable();
  const { listing } = await nodeScope(null);
  const time = new Map(listing.map((s) => [s.id, Date.parse(s.properties.timeCreated)]));
  const size = new Map(listing.map((s) => [s.id, s.properties.diskSizeBytes]));
  const sortState = () =>
    t.page.$$eval('[data-testid="console-table"] th[aria-sort]', (ths) =>
      Object.fromEntries(ths.map((th) => [th.dataset.col, th.getAttribute("aria-sort")])),
    );
  const header = (col) => `[data-testid="console-table"] th[data-col="${col}"] button`;
  // The default: newest first.
  let ids = await shownIds();
  assert.deepEqual(
    ids.map((id) => time.get(id)),
    listing.map((s) => time.get(s.id)).sort((a, b) => b - a),
  );
  assert.equal((await sortState()).created, "descending");
  await t.page.click(header("created"));
  ids = await shownIds();
  assert.deepEqual(
    ids.map((id) => time.get(id)),
    listing.map((s) => time.get(s.id)).sort((a, b) => a - b),
  );
  let state = await sortState();
  assert.equal(state.created, "ascending");
  assert.equal(state.size, "none");
  // Size: largest first on the first click, then smallest first.
  await t.page.click(header("size"));
  state = await sortState();
  assert.equal(state.size, "descending");
  assert.equal(state.created, "none");
  const desc = await shownIds();
  assert.deepEqual(
    desc.map((id) => size.get(id)),
    listing.map((s) => size.get(s.id)).sort((a, b) => b - a),
  );
  await t.page.click(header("size"));
  assert.equal((await sortState()).size, "ascending");
  const asc = await shownIds();
  assert.deepEqual(
    asc.map((id) => size.get(id)),
    listing.map((s) => size.get(s.id)).sort((a, b) => a - b),
  );
  // Stable: snapshots of one size keep one order whichever way the sizes go.
  const ofSize = (list, bytes) => list.filter((id) => size.get(id) === bytes);
  const sizes = [...new Set(listing.map((s) => s.properties.diskSizeBytes))];
  assert.ok(
    sizes.some((b) => ofSize(asc, b).length > 3),
    "the demo has many snapshots of one size",
  );
  for (const b of sizes) assert.deepEqual(ofSize(asc, b), ofSize(desc, b), `ties of ${b} bytes`);
  // The shown size is the provisioned size.
  const first = asc[0];
  assert.equal(
    await t.page.textContent(`tr[data-id="${first}"] td[data-col="size"]`),
    `${size.get(first) / 2 ** 30} GiB`,
  );
  // Sorting by name works on the header's keyboard button too.
  await t.page.focus(header("name"));
  await t.page.keyboard.press("Enter");
  const names = await t.page.$$eval('[data-testid="console-table"] tbody tr[data-name]', (trs) =>
    trs.map((tr) => tr.dataset.name),
  );
  assert.deepEqual(
    names,
    [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
  );
  assert.equal((await sortState()).name, "ascending");
  noProblems();
});

test("times: seconds in the user's time zone with its name, the ISO time as the title; age", async () => {
  await openConsole("rg-prod-westeurope");
  const { listing } = await nodeScope("rg-prod-westeurope");
  const cells = await t.page.$$eval('[data-testid="console"] tr[data-id]', (trs) =>
    trs.map((tr) => {
      const el = tr.querySelector("time.created");
      return {
        id: tr.dataset.id,
        text: el.textContent,
        datetime: el.getAttribute("datetime"),
        title: el.getAttribute("title"),
        age: tr.querySelector(".age").textContent,
      };
    }),
  );
  assert.equal(cells.length, listing.length);
  for (const c of cells) {
    const s = listing.find((x) => x.id === c.id);
    assert.equal(c.datetime, s.properties.timeCreated);
    // (Chromium's ICU may name the zone by its older name, Asia/Calcutta.)
    assert.ok(c.title.startsWith(s.properties.timeCreated) && /Asia\/(Kolkata|Calcutta)/.test(c.title), c.title);
    // India is UTC+05:30 all year: the clock shown is the UTC one moved on by 5 h 30 min, to the second.
    const d = new Date(Date.parse(s.properties.timeCreated) + 5.5 * 3600000);
    const hms = d.toISOString().slice(11, 19);
    assert.ok(c.text.includes(hms), `${c.text} shows ${hms}`);
    assert.match(c.text, /GMT\+5:30|IST/);
    assert.match(c.age, /^\d+ (s|min|h|d|mo|y) ago$/);
  }
  noProblems();
});

test("filters: text, kind, orphans only, tag key=value; select all of the filtered rows", async () => {
  await openConsole(null);
  await showTable();
  const { listing, orphans } = await nodeOrphans();
  const kind = '[data-filter="kind"]';
  const orphansOnly = '[data-filter="orphans"]';
  const ids = (pred) => lower(listing.filter(pred).map((s) => s.id));
  const cd = (s) => s.properties.creationData;

  await t.page.selectOption(kind, "imported");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => cd(s).createOption === "Import"),
  );
  await t.page.selectOption(kind, "copy");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => cd(s).createOption === "CopyStart"),
  );
  await t.page.selectOption(kind, "full");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => !s.properties.incremental && cd(s).createOption === "Copy"),
  );
  await t.page.selectOption(kind, "incremental");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => s.properties.incremental && cd(s).createOption === "Copy"),
  );
  await t.page.selectOption(kind, "");

  await t.page.check(orphansOnly);
  assert.deepEqual(lower(await shownIds()), lower(orphans));
  await t.shot("console-orphans-1280");
  await t.page.uncheck(orphansOnly);

  await typeFilter("tag", "reason=manual");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => s.tags?.reason === "manual"),
  );
  await typeFilter("tag", "PURPOSE");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => "purpose" in (s.tags || {})),
  );
  await typeFilter("tag", "purpose=nothing-like-this");
  assert.deepEqual(await shownIds(), []);
  assert.match(await t.page.textContent('[data-testid="console-table"] tr.empty'), /No snapshot matches/);
  await typeFilter("tag", "");

  // Text: names, disks and tags; every word must match.
  await typeFilter("text", "legacy");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => s.name.includes("legacy")),
  );
  await typeFilter("text", "owner: alice");
  assert.deepEqual(
    lower(await shownIds()),
    ids((s) => s.tags?.owner === "alice"),
  );
  await typeFilter("text", "vm-web-01-osdisk");
  // The osdisk's own snapshots and its copies (their disk is the osdisk, or their name says it).
  const osdisk = ids((s) => s.name.startsWith("vm-web-01-osdisk"));
  assert.deepEqual(lower(await shownIds()), osdisk);
  await t.page.selectOption(kind, "copy");
  const copies = ids((s) => cd(s).createOption === "CopyStart");
  assert.deepEqual(lower(await shownIds()), copies);

  // Select all shown: exactly the filtered rows.
  await t.page.check("#console-select-all");
  assert.equal(await t.page.textContent('[data-testid="console-selected"]'), `${copies.length} snapshots selected`);
  await t.page.selectOption(kind, "");
  assert.match(
    await t.page.textContent('[data-testid="console-selected"]'),
    new RegExp(`^${copies.length} snapshots selected$`),
  );
  await typeFilter("text", "");
  assert.equal(await t.page.textContent('[data-testid="console-selected"]'), `${copies.length} snapshots selected`);
  const checked = await t.page.$$eval("input.console-check:checked", (bs) => bs.map((b) => b.dataset.id));
  assert.deepEqual(lower(checked), copies);
  assert.equal(await t.page.evaluate(() => document.querySelector("#console-select-all").indeterminate), true);
  await t.page.click("#console-clear");
  assert.equal(await t.page.$$eval("input.console-check:checked", (bs) => bs.length), 0);
  assert.ok(await t.page.isDisabled("#console-delete"));
  noProblems();
});

test("select 3 and one typed confirmation delete exactly those 3; one created meanwhile stays", async () => {
  const RG = "rg-prod-westeurope";
  await openConsole(RG);
  await showTable();
  const before = await t.client.listSnapshots(scopeOf(RG));
  // Filter to one disk, select all shown (4), then leave one out: 3 selected.
  await typeFilter("text", "vm-web-01-data");
  const dataIds = await shownIds();
  assert.equal(dataIds.length, 4);
  await t.page.check("#console-select-all");
  await t.page.uncheck(`input.console-check[data-id="${dataIds[0]}"]`);
  const chosen = dataIds.slice(1);
  await typeFilter("text", "");
  assert.equal(await t.page.textContent("#console-delete"), "Delete 3 snapshots…");
  await t.page.click("#console-delete");
  await t.page.waitForSelector("dialog[open] #console-confirm");
  const listed = await t.page.$$eval('[data-testid="confirm-list"] .confirm-name', (els) =>
    els.map((e) => e.textContent),
  );
  assert.deepEqual(
    listed.sort(),
    before
      .filter((s) => chosen.includes(s.id))
      .map((s) => s.name)
      .sort(),
  );
  // Wrong confirmations keep the button disabled; Enter does nothing either.
  for (const wrong of ["", "3", "delete", "delete 4 snapshots", "delete 3 snapshot", "yes"]) {
    await t.page.fill("#console-confirm", wrong);
    assert.ok(await t.page.isDisabled("#console-confirm-submit"), `"${wrong}" is not a confirmation`);
  }
  await t.page.press("#console-confirm", "Enter");
  assert.equal(await t.page.locator("dialog[open]").count(), 1, "the dialog stays");
  assert.equal((await t.client.listSnapshots(scopeOf(RG))).length, before.length, "nothing deleted yet");
  await t.page.fill("#console-confirm", "Delete 3  snapshots");
  assert.ok(!(await t.page.isDisabled("#console-confirm-submit")));
  await t.shot("console-confirm-1280");
  // A snapshot made now, after the selection and the dialog: never part of this delete.
  const made = await t.client.createIncrementalSnapshot(diskId(t.sub, RG, "vm-web-01-data"), {
    name: "made-while-confirming",
  });
  t.emu.resetRequests();
  await t.page.click("#console-confirm-submit");
  await t.page.waitForSelector('.op[data-kind="delete"][data-state="succeeded"]', { timeout: 20000 });
  await t.page.waitForSelector('[data-testid="console-result"][data-state="done"]');
  assert.match(await t.page.textContent('[data-testid="console-result"] h2'), /^3 snapshots deleted$/);
  const deletes = t.emu.requests.filter((r) => r.method === "DELETE");
  assert.equal(deletes.length, 3, "one DELETE per selected snapshot");
  const after = await t.client.listSnapshots(scopeOf(RG));
  assert.deepEqual(
    lower(after.map((s) => s.id)),
    lower([...before.filter((s) => !chosen.includes(s.id)).map((s) => s.id), made.id]),
  );
  // The table is read again: the deleted ones are gone, the new one is there, nothing stays selected.
  await t.page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="console-table"] tbody tr[data-id]').length === n,
    after.length,
  );
  assert.deepEqual(lower(await shownIds()), lower(after.map((s) => s.id)));
  assert.ok(await t.page.isDisabled("#console-delete"));
  await t.shot("console-deleted-1280");
  noProblems();
});

test("a delete that fails is listed by name with a plain message; the others are deleted", async () => {
  const RG = "rg-dev";
  await openConsole(RG);
  await showTable();
  const before = await t.client.listSnapshots(scopeOf(RG));
  const [bad, good] = before.filter((s) => s.name.startsWith("dev-old-disk-"));
  t.emu.addFault({ route: `DELETE /snapshots/${bad.name}?`, kind: "status", status: 403, count: -1 });
  await t.page.check(`input.console-check[data-id="${bad.id}"]`);
  await t.page.check(`input.console-check[data-id="${good.id}"]`);
  await t.page.click("#console-delete");
  await t.page.fill("#console-confirm", "delete 2 snapshots");
  await t.page.click("#console-confirm-submit");
  await t.page.waitForSelector('[data-testid="console-result"][data-state="partial"]', { timeout: 20000 });
  const failed = await t.page.$$eval('[data-testid="console-failed"] li', (lis) =>
    lis.map((li) => [li.dataset.name, li.textContent]),
  );
  assert.equal(failed.length, 1);
  assert.equal(failed[0][0], bad.name);
  assert.match(failed[0][1], /permission/i);
  assert.match(await t.page.textContent('[data-testid="console-result"] h2'), /1 snapshot deleted, 1 failed/);
  assert.equal(await exists(bad.id), true);
  assert.equal(await exists(good.id), false);
  // The one that failed stays selected, so it can be tried again.
  assert.equal(await t.page.textContent('[data-testid="console-selected"]'), "1 snapshot selected");
  noProblems();
});

test("a deleted disk's page: 'This disk no longer exists' and its leftover snapshots, with the bulk delete", async () => {
  const RG = "rg-dev";
  const gone = diskId(t.sub, RG, "dev-old-disk");
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${RG}/disk/dev-old-disk`, '[data-testid="leftovers"] .console-body');
  assert.equal(await t.page.textContent("#main h1"), "This disk no longer exists");
  const listing = await t.client.listSnapshots(scopeOf(RG));
  const left = listing.filter((s) => String(srcOf(s) || "").toLowerCase() === gone.toLowerCase());
  assert.equal(left.length, 2);
  assert.deepEqual(
    lower(await t.page.$$eval('[data-testid="leftovers"] tbody tr[data-id]', (trs) => trs.map((tr) => tr.dataset.id))),
    lower(left.map((s) => s.id)),
  );
  assert.match(await t.page.textContent('[data-testid="leftover-count"]'), /2 snapshots of it are left in rg-dev/);
  await t.shot("console-gone-1280");
  await t.page.check("#console-select-all");
  await t.page.click("#console-delete");
  await t.page.fill("#console-confirm", "delete 2 snapshots");
  await t.page.click("#console-confirm-submit");
  await t.page.waitForSelector('[data-testid="console-result"][data-state="done"]', { timeout: 20000 });
  await t.page.waitForFunction(() => !document.querySelector('[data-testid="leftovers"] tbody tr[data-id]'));
  const after = await t.client.listSnapshots(scopeOf(RG));
  assert.deepEqual(lower(after.map((s) => s.id)), lower(listing.filter((s) => !left.includes(s)).map((s) => s.id)));
  // Opened again: nothing is left of it. A disk that never existed says the same; a recreated
  // disk's page is its own.
  for (const name of ["dev-old-disk", "never-was"]) {
    await openHash(t, `#/s/${t.sub}/rg/${RG}/snapshots`, consoleReady);
    await openHash(t, `#/s/${t.sub}/rg/${RG}/disk/${name}`, '[data-testid="leftover-count"]');
    assert.equal(await t.page.textContent("#main h1"), "This disk no longer exists");
    assert.match(await t.page.textContent('[data-testid="leftover-count"]'), /no snapshot of it is left in rg-dev/);
  }
  await openHash(t, `#/s/${t.sub}/rg/rg-prod-westeurope/disk/legacy-app-disk`, '[data-testid="chain"] tbody tr');
  noProblems();
});

test("rows: a link to the disk where it exists, the actions the disk view offers, none dead", async () => {
  await openConsole(null);
  await showTable();
  const { listing, disks } = await nodeScope(null);
  const diskIds = new Set(disks.map((d) => d.id.toLowerCase()));
  const rows = await t.page.$$eval('[data-testid="console-table"] tbody tr[data-id]', (trs) =>
    trs.map((tr) => ({
      id: tr.dataset.id,
      kind: tr.dataset.kind,
      link: tr.querySelector('td[data-col="disk"] a')?.getAttribute("href") || null,
      struck: Boolean(tr.querySelector('td[data-col="disk"] .gone')),
      actions: [...tr.querySelectorAll("[data-action]")].map((b) => [b.dataset.action, b.disabled]),
    })),
  );
  for (const r of rows) {
    const s = listing.find((x) => x.id === r.id);
    const src = srcOf(s);
    if (s.properties.creationData.createOption === "Copy" && src) {
      if (diskIds.has(src.toLowerCase())) {
        const [, rg, name] = /resourceGroups\/([^/]+)\/.*\/disks\/([^/]+)$/.exec(src);
        assert.equal(r.link, `#/s/${t.sub}/rg/${rg}/disk/${name}`, s.name);
      } else {
        assert.equal(r.link, null, `${s.name}: no link to a deleted disk`);
        assert.ok(r.struck, s.name);
      }
    }
    // Every action shown can be used; copying is offered for ready incremental snapshots only.
    assert.ok(
      r.actions.every(([, disabled]) => !disabled),
      s.name,
    );
    assert.ok(r.actions.some(([a]) => a === "delete"));
    assert.equal(
      r.actions.some(([a]) => a === "copy"),
      r.kind === "incremental" && !(s.properties.completionPercent < 100),
      s.name,
    );
  }
  // The disk view's own delete dialog, from a row.
  const victim = listing.find((s) => s.name === "manual-before-upgrade");
  await t.page.click(`tr[data-id="${victim.id}"] [data-action="delete"]`);
  await t.page.fill('dialog input[name="confirm"]', victim.name);
  await t.page.click("#delete-submit");
  await t.page.waitForSelector('.op[data-kind="delete"][data-state="succeeded"]', { timeout: 20000 });
  await t.page.waitForFunction(
    (id) => document.querySelector('[data-testid="console-table"]') && !document.querySelector(`tr[data-id="${id}"]`),
    victim.id,
  );
  assert.equal(await exists(victim.id), false);
  // A disk link opens the disk view.
  await t.page.click(
    '[data-testid="console-table"] td[data-col="disk"] a[aria-label="Disk vm-web-01-osdisk"] >> nth=0',
  );
  await t.page.waitForSelector('[data-testid="chain"] tbody tr[data-name]');
  noProblems();
});

test("a big scope: 3,000 snapshots draw 300 rows at first; filters, sort and select all reach every one; source reads bounded", async () => {
  t.emu.reset({ kind: "bulk", snapshots: 3000, disks: 5, chainShare: 0.3 });
  const RG = "rg-bulk";
  const listing = await t.client.listSnapshots(scopeOf(RG));
  assert.equal(listing.length, 3000);
  await connectDemo(t);
  t.emu.resetRequests();
  const t0 = Date.now();
  await openHash(t, `#/s/${t.sub}/rg/${RG}/snapshots`, consoleReady);
  const ms = Date.now() - t0;
  assert.ok(ms < 15000, `shown in ${ms} ms`);
  assert.equal(await t.page.textContent('[data-testid="console-count"]'), "3000 snapshots");
  const drawn = () => t.page.$$eval('[data-testid="console"] tbody tr[data-id]', (trs) => trs.length);
  assert.equal(await drawn(), 300);
  // The sources outside the scope (disks of other groups, deleted) are read one by one, at most 20.
  const single = t.emu.requests.filter((r) => r.method === "GET" && /\/(disks|snapshots)\/[^/?]+\?/.test(r.url));
  assert.ok(single.length > 0 && single.length <= 20, `${single.length} single reads`);
  await t.page.click("#console-more");
  assert.equal(await drawn(), 600);
  await showTable();
  assert.equal(await drawn(), 300, "a new view draws the first rows again");
  // Sorting covers every row, drawn or not: the largest first.
  await t.page.click('[data-testid="console-table"] th[data-col="size"] button');
  const biggest = Math.max(...listing.map((s) => s.properties.diskSizeBytes));
  const firstId = (await shownIds())[0];
  assert.equal(listing.find((s) => s.id === firstId).properties.diskSizeBytes, biggest);
  // A filter over all 3000, and select all of what matches.
  await typeFilter("text", "bulk-disk-001");
  const want = listing.filter((s) => s.name.includes("bulk-disk-001") || srcOf(s)?.endsWith("/bulk-disk-001"));
  assert.equal(await t.page.textContent('[data-testid="console-count"]'), `${want.length} of 3000 snapshots shown`);
  await typeFilter("text", "");
  await t.page.check("#console-select-all");
  assert.equal(await t.page.textContent('[data-testid="console-selected"]'), "3000 snapshots selected");
  await t.page.click("#console-delete");
  await t.page.waitForSelector("dialog[open] #console-confirm");
  assert.equal(await t.page.$$eval('[data-testid="confirm-list"] li', (lis) => lis.length), 3000);
  await t.page.fill("#console-confirm", "delete 300 snapshots");
  assert.ok(await t.page.isDisabled("#console-confirm-submit"));
  await t.page.click('dialog button:text-is("Keep them")');
  assert.equal((await t.client.listSnapshots(scopeOf(RG))).length, 3000, "nothing deleted");
  noProblems();
});

test("narrow screen (390 px): no sideways page scroll; the table scrolls in its own box with a cue", async () => {
  await t.page.setViewportSize({ width: 390, height: 844 });
  const overflow = () =>
    t.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await openConsole(null);
  assert.ok((await overflow()) <= 1, `by chain: no horizontal page overflow (${await overflow()}px)`);
  await t.shot("console-sub-390", { fullPage: false });
  await showTable();
  assert.ok((await overflow()) <= 1, `table: no horizontal page overflow (${await overflow()}px)`);
  const box = await t.page.$eval('[data-testid="console-table"]', (table) => {
    const wrap = table.closest(".console-scroll");
    const cue = wrap.querySelector(".scroll-cue");
    return {
      scroll: wrap.scrollWidth > wrap.clientWidth,
      overflow: wrap.dataset.overflow,
      cue: cue && getComputedStyle(cue).display !== "none" && cue.getBoundingClientRect().height > 0,
      inside: wrap.getBoundingClientRect().right <= innerWidth,
    };
  });
  assert.deepEqual(box, { scroll: true, overflow: "true", cue: true, inside: true });
  await t.shot("console-table-390", { fullPage: false });
  await openHash(t, `#/s/${t.sub}/rg/rg-dev/disk/dev-old-disk`, '[data-testid="leftovers"] .console-body');
  assert.ok((await overflow()) <= 1, `deleted disk: no horizontal page overflow (${await overflow()}px)`);
  await t.shot("console-gone-390", { fullPage: false });
  // The bulk confirmation fits too.
  await t.page.check("#console-select-all");
  await t.page.click("#console-delete");
  await t.page.waitForSelector("dialog[open] #console-confirm");
  assert.ok((await overflow()) <= 1);
  await t.shot("console-confirm-390", { fullPage: false });
  noProblems();
});
