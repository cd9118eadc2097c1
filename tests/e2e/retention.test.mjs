// The Retention view end to end in headless Chromium against the emulator's demo seed: the preview's
// kept and deleted sets equal planRetention run in Node on the same listing (read through the
// package in Node from the same emulator), a changed rule changes the preview, an invalid rule
// shows the package's message on its field and disables the delete, "Delete these N now" does
// nothing without the right confirmation and deletes exactly the planned ones with it, a locked
// snapshot is kept, the tag selector and the worker's policy JSON, its copy of each new snapshot
// (a region; a SAS URL for one disk, its signature never on the page), a narrow screen. Each test
// starts from a freshly seeded emulator and a new page (t.fresh()).
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup, connectDemo, openHash } from "./helpers.mjs";

let t;
const RG = "rg-prod-westeurope";
const DEFAULT_POLICY = { keepDaily: 3, keepWeekly: 2 }; // the view's defaults

before(async () => {
  t = await setup();
});

beforeEach(async () => {
  await t.fresh();
  holdCopies();
});

/**
 * Every read of a copying snapshot moves the emulator's copy on; the seed's copies are held below
 * 100 % here so that the page's listing and Node's are the same listing.
 */
function holdCopies() {
  for (const s of t.emu.state.snapshots.values()) if (s.copy && s.copy.step < s.copy.total) s.copy.total = 100000;
}

after(async () => {
  await t?.close();
});

function noProblems() {
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
}

const scopeOf = (rg) => `/subscriptions/${t.sub}/resourceGroups/${rg}`;
const lower = (xs) => xs.map((x) => String(x).toLowerCase()).sort();

/** Connect and open a resource group's Retention view from its disks view; resolves on a ready preview. */
async function openRetention(rg = RG) {
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${rg}`, "#open-retention");
  await t.page.click("#open-retention");
  await waitPreview();
}

/** Wait until the preview shows this policy and these options (as the page hands them to planRetention). */
async function waitPreview(policy = DEFAULT_POLICY, options = { includeOrphans: false }, state = "ready") {
  await t.page.waitForFunction(
    ([p, s]) => {
      const el = document.querySelector("#retention-preview");
      return el && el.dataset.policy === p && el.dataset.state === s;
    },
    [JSON.stringify({ policy, options }), state],
  );
}

/** The page's kept and deleted snapshot ids, and the reasons it shows for each kept one. */
async function pageSets() {
  return t.page.$$eval('[data-testid="retention-chain"] li[data-verdict]', (lis) => {
    const keep = [];
    const remove = [];
    const reasons = {};
    for (const li of lis) {
      (li.dataset.verdict === "keep" ? keep : remove).push(li.dataset.id);
      if (li.dataset.verdict === "keep")
        reasons[li.dataset.id.toLowerCase()] = [...li.querySelectorAll("[data-reason]")].map((b) => b.dataset.reason);
    }
    return { keep, remove, reasons };
  });
}

/** planRetention in Node on the scope's listing and disks, read through the package from the same emulator. */
async function nodePlan(rg, policy, options = {}) {
  const [listing, disks] = await Promise.all([t.client.listSnapshots(scopeOf(rg)), t.client.listDisks(scopeOf(rg))]);
  const plan = t.lib.planRetention(listing, policy, { ...options, disks });
  const keep = plan.chains.flatMap((c) => c.keep);
  return {
    plan,
    keep: lower(keep.map((k) => k.id)),
    remove: lower(plan.chains.flatMap((c) => c.remove.map((x) => x.id))),
    reasons: Object.fromEntries(keep.map((k) => [k.id.toLowerCase(), k.reasons])),
  };
}

async function assertPreviewEquals(rg, policy, options) {
  const want = await nodePlan(rg, policy, options);
  const got = await pageSets();
  assert.deepEqual(lower(got.keep), want.keep, "kept: the page's preview is Node's planRetention");
  assert.deepEqual(lower(got.remove), want.remove, "deleted: the page's preview is Node's planRetention");
  assert.deepEqual(got.reasons, want.reasons, "each kept snapshot's badges are its reasons");
  return want;
}

async function setRule(name, value) {
  await t.page.fill(`#main input[name="${name}"]`, value);
}

async function snapshotIds(rg) {
  return lower((await t.client.listSnapshots(scopeOf(rg))).map((s) => s.id));
}

/** Give a seeded snapshot a tag, in the emulator's store (as a PATCH would). */
function tagSnapshot(name, tags) {
  const rec = [...t.emu.state.snapshots.values()].find((s) => s.name === name);
  assert.ok(rec, `the seed has ${name}`);
  rec.tags = { ...(rec.tags || {}), ...tags };
  return rec.id;
}

test("the preview of a resource group equals planRetention in Node, and follows a changed rule", async () => {
  await openRetention();
  const { page } = t;
  assert.match(await page.textContent("#crumbs"), /Retention/);
  const want = await assertPreviewEquals(RG, DEFAULT_POLICY, { includeOrphans: false });
  // The demo gives the preview something to show: several snapshots per chain, some deleted.
  assert.ok(
    want.plan.chains.some((c) => c.keep.length + c.remove.length >= 5),
    "a chain of 5 or more",
  );
  assert.ok(want.remove.length > 0, "the defaults delete some");
  assert.ok(
    want.plan.chains.some((c) => c.orphan),
    "the recreated disk's earlier chain is shown, as orphan",
  );
  assert.equal(await page.textContent("#retention-delete"), `Delete these ${want.remove.length} now`);
  const inProgress = Object.values(want.reasons).filter((r) => r.includes("in-progress")).length;
  assert.equal(await page.locator('[data-reason="in-progress"]').count(), inProgress);
  assert.ok(inProgress >= 1, "the copying snapshot is kept as in-progress");
  // Timeline: one dot per snapshot, the deleted ones struck through.
  assert.equal(await page.locator(".ret-chain .tl-dot.removed").count(), want.remove.length);
  assert.equal(await page.locator(".ret-chain .tl-strike").count(), want.remove.length);
  await t.shot("retention-01-rg");

  await setRule("keepDaily", "1");
  await waitPreview({ keepDaily: 1, keepWeekly: 2 });
  const fewer = await assertPreviewEquals(RG, { keepDaily: 1, keepWeekly: 2 }, { includeOrphans: false });
  assert.ok(fewer.remove.length > want.remove.length, "fewer days keep fewer");

  await page.check('#main input[name="includeOrphans"]');
  await waitPreview({ keepDaily: 1, keepWeekly: 2 }, { includeOrphans: true });
  const orphansToo = await assertPreviewEquals(RG, { keepDaily: 1, keepWeekly: 2 }, { includeOrphans: true });
  assert.ok(orphansToo.remove.length > fewer.remove.length, "orphans included: their old snapshots go too");
  noProblems();
});

test("an invalid rule shows the package's message on its field and disables the delete", async () => {
  await openRetention();
  const { page } = t;
  await setRule("keepWithin", "7 days");
  const policy = { ...DEFAULT_POLICY, keepWithin: "7 days" };
  await waitPreview(policy, { includeOrphans: false }, "invalid");
  let expected;
  try {
    t.lib.planRetention([], policy);
    assert.fail("the package refuses keepWithin '7 days'");
  } catch (e) {
    expected = e.violations.find((v) => v.field === "policy.keepWithin");
  }
  assert.ok(expected, "the package names the field");
  const fieldEl = page.locator('.field:has(input[name="keepWithin"])');
  assert.match(await fieldEl.getAttribute("class"), /invalid/);
  assert.equal((await fieldEl.locator(".field-error").textContent()).trim(), expected.message);
  assert.equal(await page.getAttribute('input[name="keepWithin"]', "aria-invalid"), "true");
  assert.equal(await page.isDisabled("#retention-delete"), true);
  assert.equal(await page.locator('[data-testid="retention-chain"]').count(), 0, "no preview of an invalid policy");
  assert.equal(await page.locator('[data-testid="policy-json"]').count(), 0, "no worker JSON of an invalid policy");
  await page.$eval('input[name="keepWithin"]', (el) => el.scrollIntoView({ block: "center" }));
  await t.shot("retention-02-invalid", { fullPage: false });
  // A negative count: its own field.
  await setRule("keepWithin", "P2D");
  await setRule("keepLast", "-1");
  await waitPreview({ keepLast: -1, ...policy, keepWithin: "P2D" }, { includeOrphans: false }, "invalid");
  assert.match(await page.getAttribute('.field:has(input[name="keepLast"])', "class"), /invalid/);
  assert.equal(await page.getAttribute('.field:has(input[name="keepWithin"])', "class"), "field");
  // Fixed: the preview and the delete are back.
  await setRule("keepLast", "");
  await waitPreview({ ...policy, keepWithin: "P2D" });
  assert.equal(await page.isDisabled("#retention-delete"), false);
  noProblems();
});

test("delete these N now: a wrong confirmation does nothing, the right one deletes exactly the planned ones", async () => {
  await openRetention();
  const { page } = t;
  const want = await nodePlan(RG, DEFAULT_POLICY);
  const n = want.remove.length;
  const before = await snapshotIds(RG);
  await page.click("#retention-delete");
  await page.waitForSelector("#dialog[open] #retention-confirm");
  await page.fill('#dialog input[name="confirm"]', String(n + 1));
  assert.equal(await page.isDisabled("#retention-confirm"), true);
  await page.press('#dialog input[name="confirm"]', "Enter");
  assert.equal(await page.locator("#dialog[open]").count(), 1, "the dialog stays");
  await page.fill('#dialog input[name="confirm"]', "rg-prod");
  await page.press('#dialog input[name="confirm"]', "Enter");
  await page.click('#dialog button:text-is("Keep them")');
  assert.deepEqual(await snapshotIds(RG), before, "nothing deleted");
  assert.equal(await page.locator('#ops .op[data-kind="retention"]').count(), 0, "no operation started");

  await page.click("#retention-delete");
  await page.fill('#dialog input[name="confirm"]', String(n));
  await page.click("#retention-confirm");
  await page.waitForSelector('#ops .op[data-kind="retention"][data-state="succeeded"]', { timeout: 30000 });
  await page.waitForSelector('[data-testid="retention-result"][data-state="done"]');
  const deleted = await page.$$eval(".ret-deleted li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(lower(deleted), want.remove, "the result lists the planned ones");
  const after = await snapshotIds(RG);
  assert.deepEqual(
    after,
    before.filter((id) => !want.remove.includes(id)),
    "exactly the removed ones are gone from the emulator",
  );
  // The preview is read again: nothing more to delete under the same policy.
  await page.waitForFunction(() => document.querySelector("#retention-preview")?.dataset.remove === "0");
  assert.equal(await page.isDisabled("#retention-delete"), true);
  await t.shot("retention-03-deleted");
  noProblems();
});

/** Confirm "Delete these N now" with N, and wait for the result block in `state`. */
async function confirmWithCount(n, state) {
  await t.page.click("#retention-delete");
  await t.page.fill('#dialog input[name="confirm"]', String(n));
  await t.page.click("#retention-confirm");
  await t.page.waitForSelector(`[data-testid="retention-result"][data-state="${state}"]`, { timeout: 30000 });
}

test("a snapshot changed between the preview and the confirmation: nothing is deleted, the preview is read again", async () => {
  await openRetention();
  const { page } = t;
  const want = await nodePlan(RG, DEFAULT_POLICY);
  const before = await snapshotIds(RG);
  // Locked in Azure after the page read the listing.
  const victim = want.plan.chains.flatMap((c) => c.remove)[0];
  tagSnapshot(victim.name, { "retention-lock": "" });
  await confirmWithCount(want.remove.length, "stale");
  assert.match(await page.textContent('[data-testid="retention-result"]'), /Nothing was deleted/);
  assert.deepEqual(await snapshotIds(RG), before, "nothing deleted on a stale preview");
  await page.waitForFunction(
    (n) => document.querySelector("#retention-preview")?.dataset.remove === String(n),
    want.remove.length - 1,
  );
  assert.equal(await page.getAttribute(`li[data-id="${victim.id}"]`, "data-verdict"), "keep");
  await assertPreviewEquals(RG, DEFAULT_POLICY, { includeOrphans: false });
  noProblems();
});

test("a delete that fails is listed with its code; the others are deleted", async () => {
  const want = await nodePlan(RG, DEFAULT_POLICY);
  const [bad, ...good] = want.plan.chains.flatMap((c) => c.remove);
  t.emu.addFault({ route: `DELETE /snapshots/${bad.name}?`, kind: "status", status: 403, count: -1 });
  await openRetention();
  const { page } = t;
  await confirmWithCount(want.remove.length, "partial");
  const failed = page.locator(`.ret-failed li[data-id="${bad.id}"]`);
  assert.match(await failed.textContent(), /FORBIDDEN/);
  const deleted = await page.$$eval(".ret-deleted li", (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(lower(deleted), lower(good.map((x) => x.id)));
  const after = await snapshotIds(RG);
  assert.ok(after.includes(bad.id.toLowerCase()), "the failed one is still there");
  assert.ok(good.every((x) => !after.includes(x.id.toLowerCase())));
  await t.shot("retention-06-failed", { fullPage: false });
  noProblems();
});

test("a locked snapshot is kept with its reason, by the default tag and by a chosen one", async () => {
  // The oldest snapshots of the OS disk's chain, which the defaults delete.
  const chain = (await nodePlan(RG, DEFAULT_POLICY)).plan.chains.find((c) =>
    c.sourceResourceId.toLowerCase().endsWith("/vm-web-01-osdisk"),
  );
  assert.ok(chain.remove.length >= 2, "the defaults delete at least two of the OS disk's chain");
  const [a, b] = chain.remove.slice(-2); // newest first: the two oldest
  const lockedA = tagSnapshot(a.name, { "Retention-Lock": "legal hold" });
  const lockedB = tagSnapshot(b.name, { "keep-me": "" });
  await openRetention();
  const { page } = t;
  const lockedLi = (id) => `[data-testid="retention-chain"] li[data-id="${id}"]`;
  await assertPreviewEquals(RG, DEFAULT_POLICY, { includeOrphans: false });
  assert.equal(await page.getAttribute(lockedLi(lockedA), "data-verdict"), "keep");
  assert.equal(await page.locator(`${lockedLi(lockedA)} [data-reason="locked"]`).count(), 1);
  assert.equal(await page.getAttribute(lockedLi(lockedB), "data-verdict"), "remove", "another tag does not lock");

  await setRule("lockTag", "keep-me");
  const options = { includeOrphans: false, lockTag: "keep-me" };
  await waitPreview(DEFAULT_POLICY, options);
  const want = await assertPreviewEquals(RG, DEFAULT_POLICY, options);
  assert.equal(await page.getAttribute(lockedLi(lockedB), "data-verdict"), "keep");
  assert.equal(await page.getAttribute(lockedLi(lockedA), "data-verdict"), "remove", "the default tag no longer locks");
  await page.click("#retention-delete");
  await page.fill('#dialog input[name="confirm"]', RG);
  await page.click("#retention-confirm");
  await page.waitForSelector('[data-testid="retention-result"][data-state="done"]', { timeout: 30000 });
  const after = await snapshotIds(RG);
  assert.ok(after.includes(lockedB.toLowerCase()), "the snapshot with the chosen lock tag is still there");
  assert.ok(!after.includes(lockedA.toLowerCase()), "the other one was deleted, as previewed");
  assert.ok(want.remove.every((id) => !after.includes(id)));
  noProblems();
});

test("the subscription's view, a tag selector with live matches, and the worker's policy JSON", async () => {
  await connectDemo(t);
  const { page } = t;
  await page.click("#open-retention");
  await waitPreview();
  assert.match(await page.textContent("#main .view-head"), /Subscription/);
  const allDisks = await t.client.listDisks(`/subscriptions/${t.sub}`);
  assert.equal(await page.locator('[data-testid="retention-disks"] li[data-picked="true"]').count(), allDisks.length);

  await page.check('input[name="disk-mode"][value="tags"]');
  await page.fill('#main input[name="tags"]', "app=web");
  const web = allDisks.filter((d) => d.tags?.app === "web").map((d) => d.id);
  assert.ok(web.length >= 2);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="retention-disks"] li[data-picked="true"]').length === n,
    web.length,
  );
  const picked = await page.$$eval('[data-testid="retention-disks"] li[data-picked="true"]', (lis) =>
    lis.map((li) => li.dataset.id),
  );
  assert.deepEqual(lower(picked), lower(web));
  const sources = await page.$$eval('[data-testid="retention-chain"]', (els) => els.map((e) => e.dataset.source));
  assert.deepEqual(lower([...new Set(sources)]), lower(web), "only the chains of the matching disks");

  await page.selectOption('#main select[name="everyHours"]', "6");
  await setRule("at", "25:00");
  await page.waitForSelector('.field.invalid:has(input[name="at"])');
  assert.equal(await page.locator('[data-testid="policy-json"]').count(), 0, "no JSON with an invalid schedule");
  await setRule("at", "03:30");
  await page.waitForSelector('[data-testid="policy-json"]');
  const body = JSON.parse(await page.textContent('[data-testid="policy-json"] pre'));
  assert.deepEqual(body, {
    scope: `/subscriptions/${t.sub}`,
    disks: { tags: { app: "web" } },
    schedule: { everyHours: 6, at: "03:30" },
    retention: DEFAULT_POLICY,
    enabled: true,
  });
  const curl = await page.textContent('[data-testid="policy-curl"] pre');
  assert.match(curl, /curl -X PUT "\$WORKER_URL\/v1\/policies\/[^"]+"/);
  assert.match(await page.textContent("#main .notice"), /npm run worker/);

  // Picking disks by hand: the body names their ids.
  await page.check('input[name="disk-mode"][value="ids"]');
  assert.equal(await page.locator('[data-testid="retention-disks"] li[data-picked="true"]').count(), web.length);
  await page.uncheck(`input[name="disk"][value="${web[1]}"]`);
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="retention-disks"] li[data-picked="true"]').length === 1,
  );
  await page.waitForFunction(() =>
    /"ids"/.test(document.querySelector('[data-testid="policy-json"] pre')?.textContent),
  );
  const picks = JSON.parse(await page.textContent('[data-testid="policy-json"] pre'));
  assert.deepEqual(picks.disks, { ids: [web[0]] });
  // Options the worker's runs do not take are said so.
  assert.equal(await page.locator('[data-testid="worker-ignores"]').count(), 0);
  await page.check('#main input[name="includeOrphans"]');
  await page.waitForSelector('[data-testid="worker-ignores"]');
  assert.match(await page.textContent('[data-testid="worker-ignores"]'), /includeOrphans/);
  // All disks: the worker selects by ids, so the ids of the scope's disks now.
  await page.check('input[name="disk-mode"][value="all"]');
  await page.waitForFunction(() =>
    /"ids"/.test(document.querySelector('[data-testid="policy-json"] pre')?.textContent),
  );
  await page.waitForFunction(
    (n) => JSON.parse(document.querySelector('[data-testid="policy-json"] pre').textContent).disks.ids.length === n,
    allDisks.length,
  );
  await t.shot("retention-04-subscription");
  noProblems();
});

test("the policy's copy: a SAS URL takes one disk, its signature never on the page; a region", async () => {
  await openRetention();
  const { page } = t;
  const sig = "c2VjcmV0LXNpZ25hdHVyZS1vZi10aGUtYmxvYg";
  const sas = `https://backupacct.blob.core.windows.net/backups/os.vhd?sv=2022-11-02&se=2026-12-31T00%3A00%3A00Z&sr=b&sp=rcw&sig=${sig}`;
  await page.check('input[name="copy-mode"][value="targetUrl"]');
  await page.fill('#main input[name="copy-target"]', sas);
  // all the group's disks: a blob takes one disk's chain, as the worker says
  await page.waitForSelector('.field.invalid:has(input[name="copy-target"])');
  assert.match(await page.textContent('.field:has(input[name="copy-target"]) .field-error'), /exactly one disk/);
  assert.equal(await page.locator('[data-testid="policy-json"]').count(), 0, "no JSON while the copy is not valid");
  await page.check('input[name="disk-mode"][value="ids"]');
  const first = await page.$eval('input[name="disk"]', (el) => el.value);
  for (const box of await page.$$('input[name="disk"]:checked')) await box.uncheck();
  await page.check(`input[name="disk"][value="${first}"]`);
  await page.waitForSelector('[data-testid="policy-json"]');
  const body = JSON.parse(await page.textContent('[data-testid="policy-json"] pre'));
  assert.deepEqual(body.disks, { ids: [first] });
  const shown = new URL(body.copy.targetUrl);
  assert.equal(`${shown.origin}${shown.pathname}`, "https://backupacct.blob.core.windows.net/backups/os.vhd");
  assert.equal(shown.searchParams.get("sig"), "REDACTED");
  assert.match(await page.textContent('[data-testid="policy-curl"] pre'), /sig=REDACTED/);
  assert.match(await page.textContent('[data-testid="copy-placeholder"]'), /sig=REDACTED in place of/);
  assert.match(await page.textContent('[data-testid="copy-target-summary"]'), /backups\/os\.vhd.*2026-12-31/);
  assert.equal(await page.getAttribute('#main input[name="copy-target"]', "type"), "password", "masked as typed");
  const html = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
  assert.ok(!html.includes(sig), "the signature is nowhere in the page's markup or text");
  await t.shot("retention-06-copy-blob");

  await page.check('input[name="copy-mode"][value="location"]');
  await setRule("copy-location", "North Europe");
  await page.waitForSelector('.field.invalid:has(input[name="copy-location"])');
  await setRule("copy-location", "northeurope");
  await page.waitForFunction(() =>
    /"location": "northeurope"/.test(document.querySelector('[data-testid="policy-json"] pre')?.textContent),
  );
  const geo = JSON.parse(await page.textContent('[data-testid="policy-json"] pre'));
  assert.deepEqual(geo.copy, { location: "northeurope" });
  assert.equal(await page.locator('[data-testid="copy-placeholder"]').count(), 0);
  noProblems();
});

test("narrow screen: the Retention view fits 390 px", async () => {
  await t.page.setViewportSize({ width: 390, height: 844 });
  await openRetention();
  const { page } = t;
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
  const wide = await page.$$eval("#main *", (els) =>
    els
      // A code block and the timeline scroll inside their own box.
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest("pre, .timeline-figure"))
      .map((e) => `${e.tagName}.${e.className?.baseVal ?? e.className}`)
      .slice(0, 5),
  );
  assert.deepEqual(wide, [], "nothing sticks out to the right");
  await t.shot("retention-05-narrow");
  await page.click("#retention-delete");
  await page.waitForSelector("#dialog[open] #retention-confirm");
  await t.shot("retention-05-narrow-confirm", { fullPage: false });
  noProblems();
});
