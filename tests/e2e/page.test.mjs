// The web page end to end in headless Chromium against the ARM emulator (demo mode, one origin):
// connect, browse to a disk, inspect its chain and orphans, create a snapshot with validation and
// live progress, export the template (equal to buildSnapshotTemplate), copy to another region,
// delete after confirmation, throttling and expired-token errors, sign-out, a narrow screen.
// Each test opens its own page on a freshly seeded emulator (beforeEach: t.fresh()) and gets to its
// view itself, so one failure does not carry over; expectations come from the emulator and the
// package in Node.
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setup, diskId, rowNames, connectDemo, openDisk, openHash } from "./helpers.mjs";

let t;
const RG = "rg-prod-westeurope";
const NEW_NAME = "e2e-snap-1";
const COPY_REGION = "northeurope";

before(async () => {
  t = await setup();
});

beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

/** The snapshot the copy and delete tests act on, made in Node through the package (as the create test makes it in the page). */
async function madeSnapshot() {
  return t.client.createIncrementalSnapshot(diskId(t.sub, RG, "sql-data-01"), {
    name: NEW_NAME,
    tags: { backup: "e2e" },
  });
}

function noProblems() {
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
}

test("connect in demo mode with the keyboard; the demo is labelled", async () => {
  const { page } = t;
  await page.goto(t.url);
  await page.waitForSelector("#connect-demo");
  assert.match(await page.textContent("#panel-demo"), /local ARM emulator/);
  assert.equal(await page.getAttribute("#tab-demo", "aria-selected"), "true", "demo is the default under npm start");
  await t.shot("01-connect");
  // Tab to the button (bounded) and press Enter.
  let focused = null;
  for (let i = 0; i < 25 && focused !== "connect-demo"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.id || null);
  }
  assert.equal(focused, "connect-demo", "the demo button is reachable with Tab");
  await page.keyboard.press("Enter");
  // One subscription: straight to its resource groups.
  await page.waitForSelector('[data-testid="resource-groups"] tbody tr[data-key]');
  assert.match(await page.textContent("#session"), /DEMO/);
  assert.match(await page.textContent("#demo-banner"), /Demo mode\..*local ARM emulator/s);
  const groups = await page.$$eval('[data-testid="resource-groups"] tbody tr[data-key]', (trs) =>
    trs.map((tr) => tr.dataset.key).sort(),
  );
  assert.deepEqual(groups, [...t.emu.seedInfo.resourceGroups].sort());
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
  await t.shot("02-resource-groups");
  noProblems();
});

test("browse: search the lists, disk rows show name, size, sku, state, location, zones, VM", async () => {
  await connectDemo(t);
  const { page } = t;
  await page.fill(
    '[data-testid="resource-groups"] >> xpath=ancestor::div[contains(@class,"searchable")]//input[@type="search"]',
    "westeurope",
  );
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="resource-groups"] tbody tr[data-key]').length === 1,
  );
  await page.click(`a:text-is("${RG}")`);
  await page.waitForSelector('[data-testid="disks"] tbody tr[data-key]');
  const expected = (await t.client.listDisks(`/subscriptions/${t.sub}/resourceGroups/${RG}`)).map((d) => d.name).sort();
  const shown = await page.$$eval('[data-testid="disks"] tbody tr[data-key]', (trs) => trs.map((tr) => tr.dataset.key));
  assert.deepEqual(shown, expected);
  const os = await t.client.getDisk(diskId(t.sub, RG, "vm-web-01-osdisk"));
  const cells = await page.$$eval('[data-testid="disks"] tr[data-key="vm-web-01-osdisk"] td', (tds) =>
    Object.fromEntries(tds.map((td) => [td.dataset.label, td.textContent.trim()])),
  );
  assert.equal(cells.Size, `${os.properties.diskSizeGB} GiB`);
  assert.equal(cells.SKU, os.sku.name);
  assert.equal(cells.State, os.properties.diskState);
  assert.equal(cells.Location, os.location);
  assert.equal(cells.Zones, os.zones.join(", "));
  assert.equal(cells["Attached VM"], os.managedBy.split("/").pop());
  await page.fill(
    '[data-testid="disks"] >> xpath=ancestor::div[contains(@class,"searchable")]//input[@type="search"]',
    "legacy",
  );
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="disks"] tbody tr[data-key]').length === 1);
  await t.shot("03-disks-filtered");
  noProblems();
});

test("a recreated disk: its chain oldest to newest, orphaned chain apart, count against the limit", async () => {
  await openDisk(t, RG, "legacy-app-disk");
  const { page, lib } = t;
  const disk = await t.client.getDisk(diskId(t.sub, RG, "legacy-app-disk"));
  const all = await t.client.listSnapshots(`/subscriptions/${t.sub}`);
  const chain = lib.filterIncrementalSnapshots(disk, all).map((s) => s.name);
  assert.ok(chain.length > 0);
  assert.deepEqual(await rowNames(page, "chain"), chain, "the chain, oldest first");
  const orphans = lib
    .groupSnapshotChains(all, { disks: [disk] })
    .chains.filter((c) => c.orphaned && c.sourceResourceId.toLowerCase() === disk.id.toLowerCase());
  assert.equal(orphans.length, 1);
  assert.deepEqual(
    await rowNames(page, "orphaned-chain"),
    orphans[0].snapshots.map((s) => s.name),
  );
  assert.equal((await page.textContent("#chain-count .count-value")).trim(), String(chain.length));
  assert.match(await page.textContent("#chain-count"), /of 500/);
  // The timeline has one lane for the chain and one for the orphans.
  assert.equal(await page.$$eval("svg.timeline g.tl-current circle", (c) => c.length), chain.length);
  assert.equal(await page.$$eval("svg.timeline g.tl-orphaned circle", (c) => c.length), orphans[0].count);
  await t.shot("04-disk-orphaned-chain");
  noProblems();
});

test("create: validation messages before submit, then live progress to the new chain row", async () => {
  await openDisk(t, RG, "legacy-app-disk");
  const { page, lib } = t;
  await page.click('nav.crumbs a:text-is("rg-prod-westeurope")');
  await page.waitForSelector('[data-testid="disks"] tbody tr[data-key]');
  await page.click('a:text-is("sql-data-01")');
  await page.waitForSelector('[data-testid="chain"] tbody tr[data-name]');
  const before = await rowNames(page, "chain");
  await page.click("#disk-tab-create");
  await page.waitForSelector("#create-submit");
  const disk = await t.client.getDisk(diskId(t.sub, RG, "sql-data-01"));
  // Prefilled by buildSnapshotConfig: the default name pattern of the package.
  const prefilled = await page.inputValue('input[name="name"]');
  assert.match(prefilled, /^sql-data-01-snap-\d{8}-\d{6}$/);
  // Invalid values: every problem at its field, submit disabled, the typed error code shown.
  await page.fill('input[name="name"]', "bad name!");
  await page.fill('input[name="instantAccessDurationMinutes"]', "5");
  await page.waitForSelector('#validation-summary[data-state="invalid"]');
  await page.waitForSelector('.field.invalid input[name="instantAccessDurationMinutes"]');
  await page.waitForSelector('.field.invalid input[name="name"]');
  let expectedError;
  try {
    lib.buildSnapshotConfig(disk, { name: "bad name!", instantAccessDurationMinutes: 5 });
  } catch (e) {
    expectedError = e;
  }
  assert.equal(expectedError?.code, "INVALID_ARGUMENT");
  // In words: the package's error code is not shown in the form.
  assert.ok(!(await page.textContent("#validation-summary")).includes(expectedError.code));
  assert.ok(await page.isDisabled("#create-submit"));
  const nameError = await page.textContent(
    'input[name="name"] >> xpath=following-sibling::p[contains(@class,"field-error")]',
  );
  const expectedNameMsg = expectedError.violations.find((v) => v.field.endsWith("name")).message;
  assert.ok(nameError.includes(expectedNameMsg), `name error shown: ${nameError}`);
  const iaError = await page.textContent(
    'input[name="instantAccessDurationMinutes"] >> xpath=following-sibling::p[contains(@class,"field-error")]',
  );
  assert.ok(
    iaError.includes(expectedError.violations.find((v) => v.field.endsWith("instantAccessDurationMinutes")).message),
  );
  await t.shot("05-create-invalid");

  // Fix them; the preview is exactly the package's request body.
  await page.fill('input[name="name"]', NEW_NAME);
  await page.fill('input[name="instantAccessDurationMinutes"]', "");
  await page.fill('textarea[name="tags"]', "backup=e2e");
  await page.waitForSelector('#validation-summary[data-state="valid"]');
  await page.waitForFunction((n) => {
    const text = document.querySelector('[data-testid="request-body"] pre')?.textContent || "";
    return (
      text.includes('"backup": "e2e"') &&
      document.querySelector("#validation-summary").textContent.includes(`Ready to create ${n} in`)
    );
  }, NEW_NAME);
  const body = JSON.parse(await page.textContent('[data-testid="request-body"] pre'));
  assert.deepEqual(body, lib.buildSnapshotConfig(disk, { name: NEW_NAME, tags: { backup: "e2e" } }).body);

  // Submit and watch: the operation reports the background copy's completionPercent.
  const phases = page.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = new Set();
        const obs = new MutationObserver(() => {
          const op = document.querySelector('.op[data-kind="create"]');
          if (!op) return;
          if (op.dataset.phase) seen.add(op.dataset.phase);
          const pct = op.querySelector(".progress-text")?.textContent;
          if (pct && /\d+ % copied/.test(pct)) seen.add(`pct:${pct}`);
          if (op.dataset.state !== "running") {
            obs.disconnect();
            resolve([...seen, `state:${op.dataset.state}`]);
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        setTimeout(() => resolve([...seen, "timeout"]), 30000);
      }),
  );
  await page.click("#create-submit");
  await page.waitForSelector('.op[data-kind="create"][data-phase="copying"]', { timeout: 20000 });
  await t.shot("06-create-progress");
  const seen = await phases;
  assert.ok(seen.includes("state:succeeded"), `the operation succeeded: ${seen}`);
  assert.ok(seen.includes("copying"), `the copy phase was shown: ${seen}`);
  assert.ok(
    seen.some((s) => s.startsWith("pct:")),
    `completionPercent was shown: ${seen}`,
  );

  // It ends in the new, highlighted row at the end of the chain.
  await page.waitForSelector(`[data-testid="chain"] tr.new[data-name="${NEW_NAME}"]`, { timeout: 15000 });
  const after = await rowNames(page, "chain");
  assert.deepEqual(after, [...before, NEW_NAME]);
  const made = await t.client.getSnapshot(
    `/subscriptions/${t.sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${NEW_NAME}`,
  );
  assert.equal(made.properties.incremental, true);
  assert.deepEqual(made.tags, { backup: "e2e" });
  assert.equal(made.properties.completionPercent, 100);
  await t.shot("07-chain-with-new-snapshot");
  noProblems();
});

test("export: the template equals buildSnapshotTemplate for that disk; parameters, commands, copy, download", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page, lib } = t;
  await page.click("#disk-tab-export");
  await page.waitForSelector('[data-testid="template"] pre');
  const template = JSON.parse(await page.textContent('[data-testid="template"] pre'));
  const parameters = JSON.parse(await page.textContent('[data-testid="parameters"] pre'));
  const id = diskId(t.sub, RG, "sql-data-01");
  // In the page's own context, from the package it serves…
  const inPage = await page.evaluate(async (diskResourceId) => {
    const m = await import("/pkg/web.js");
    await m.default();
    const c = new m.ArmClient({ token: "check", endpoint: location.origin });
    const d = await c.getDisk(diskResourceId);
    // The page's default names each deployment's snapshot by its time (a utcNow() default).
    const o = { disk: d, snapshotName: { timestamp: true } };
    return { template: m.buildSnapshotTemplate(o), parameters: m.buildTemplateParameters(o) };
  }, id);
  assert.deepEqual(template, inPage.template);
  assert.deepEqual(parameters, inPage.parameters);
  // …and in Node, from the disk id alone.
  assert.deepEqual(template, lib.buildSnapshotTemplate({ disk: id, snapshotName: { timestamp: true } }));
  assert.deepEqual(parameters, lib.buildTemplateParameters({ disk: id, snapshotName: { timestamp: true } }));
  const ps = await page.textContent('[data-testid="powershell"] pre');
  assert.match(ps, /New-AzSnapshotConfig/);
  assert.match(ps, /-Incremental/);
  assert.match(
    ps,
    /New-AzSnapshot -ResourceGroupName 'rg-prod-westeurope' -SnapshotName 'sql-data-01-snap-\d{8}-\d{6}'/,
  );
  const az = await page.textContent('[data-testid="az"] pre');
  assert.match(az, /az snapshot create/);
  assert.match(az, /--incremental true/);
  assert.ok(az.includes(`--source ${id}`));
  // Options change the template the same way they change the package's output.
  await page.check('input[name="outputs"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="template"] pre')?.textContent.includes('"outputs"'),
  );
  assert.deepEqual(
    JSON.parse(await page.textContent('[data-testid="template"] pre')),
    lib.buildSnapshotTemplate({ disk: id, snapshotName: { timestamp: true }, outputs: true }),
  );
  await page.uncheck('input[name="outputs"]');
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="template"] pre')?.textContent.includes('"outputs"'),
  );
  // Copy puts exactly the shown text on the clipboard; Download saves it.
  await page.click('[data-testid="template"] [data-action="copy"]');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.deepEqual(JSON.parse(clip), template);
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10000 }),
    page.click('[data-testid="template"] [data-action="download"]'),
  ]);
  assert.equal(download.suggestedFilename(), "sql-data-01-snapshot.template.json");
  assert.deepEqual(JSON.parse(readFileSync(await download.path(), "utf8")), template);
  await t.shot("08-export");
  noProblems();
});

test("copy to another region with CopyStart and progress", async () => {
  await madeSnapshot();
  await openDisk(t, RG, "sql-data-01");
  const { page, lib } = t;
  await page.click("#disk-tab-snapshots");
  const row = `[data-testid="chain"] tr[data-name="${NEW_NAME}"]`;
  await page.waitForSelector(`${row} [data-action="copy"]:not([disabled])`);
  await page.click(`${row} [data-action="copy"]`);
  await page.waitForSelector("dialog[open] #copy-submit");
  await page.fill('dialog input[name="location"]', COPY_REGION);
  const source = await t.client.getSnapshot(
    `/subscriptions/${t.sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${NEW_NAME}`,
  );
  const expectedName = lib.buildSnapshotConfig(source, { location: COPY_REGION }).name;
  await page.waitForFunction((n) => document.querySelector('dialog input[name="name"]')?.value === n, expectedName);
  const body = JSON.parse(await page.textContent('dialog [data-testid="copy-body"] pre'));
  assert.equal(body.properties.creationData.createOption, "CopyStart");
  assert.equal(body.location, COPY_REGION);
  await t.shot("09-copy-dialog");
  await page.click("#copy-submit");
  await page.waitForSelector('.op[data-kind="copy"][data-state="succeeded"]', { timeout: 30000 });
  await page.waitForSelector(`[data-testid="copies"] tr[data-name="${expectedName}"]`, { timeout: 15000 });
  const copy = await t.client.getSnapshot(
    `/subscriptions/${t.sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${expectedName}`,
  );
  assert.equal(copy.location, COPY_REGION);
  assert.equal(copy.properties.creationData.createOption, "CopyStart");
  assert.equal(copy.properties.completionPercent, 100);
  await t.shot("10-copies");
  noProblems();
});

test("delete only after typing the snapshot's name", async () => {
  await madeSnapshot();
  await openDisk(t, RG, "sql-data-01");
  const { page } = t;
  const row = `[data-testid="chain"] tr[data-name="${NEW_NAME}"]`;
  await page.click(`${row} [data-action="delete"]`);
  await page.waitForSelector("dialog[open] #delete-submit");
  assert.ok((await page.textContent("dialog[open] h2")).includes(NEW_NAME), "the dialog names the snapshot");
  assert.ok(await page.isDisabled("#delete-submit"));
  await page.fill('dialog input[name="confirm"]', `${NEW_NAME}x`);
  assert.ok(await page.isDisabled("#delete-submit"), "a wrong name keeps it disabled");
  await page.fill('dialog input[name="confirm"]', NEW_NAME);
  assert.ok(!(await page.isDisabled("#delete-submit")));
  await t.shot("11-delete-confirm");
  // Still there: nothing happened yet.
  await t.client.getSnapshot(
    `/subscriptions/${t.sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${NEW_NAME}`,
  );
  await page.click("#delete-submit");
  await page.waitForSelector('.op[data-kind="delete"][data-state="succeeded"]', { timeout: 20000 });
  await page.waitForFunction(
    (n) =>
      !document.querySelector(`[data-testid="chain"] tr[data-name="${n}"]`) &&
      document.querySelector('[data-testid="chain"]'),
    NEW_NAME,
  );
  await assert.rejects(
    t.client.getSnapshot(
      `/subscriptions/${t.sub}/resourceGroups/${RG}/providers/Microsoft.Compute/snapshots/${NEW_NAME}`,
    ),
    (e) => e.code === "NOT_FOUND",
  );
  noProblems();
});

test("throttling: plain words, ARM code and request id; Try again recovers", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page, emu } = t;
  // Four 429s in a row: the client's three retries are used up on the next snapshot listing.
  // (fault routes are literal text with * globs: this matches the list URL, not one snapshot's)
  emu.addFault({ route: "GET /providers/Microsoft.Compute/snapshots?", kind: "throttle", count: 4, retryAfter: 0 });
  await page.click("#refresh");
  const card = '#main .error-card[data-code="THROTTLED"]';
  await page.waitForSelector(card, { timeout: 20000 });
  assert.match(await page.textContent(`${card} .error-title`), /throttling/i);
  assert.equal((await page.textContent(`${card} .fact-arm-code`)).trim(), "TooManyRequests");
  assert.match((await page.textContent(`${card} .fact-request-id`)).trim(), /^[0-9a-f-]{36}$/);
  assert.equal((await page.textContent(`${card} .fact-http-status`)).trim(), "429");
  const throttled = emu.requests.filter((r) => r.fault === "throttle").length;
  assert.equal(throttled, 4, "exactly the injected faults were hit (1 try + 3 retries)");
  await t.shot("12-error-throttled");
  await page.click('#main [data-action="retry"]');
  await page.waitForSelector('[data-testid="chain"] tbody tr[data-name]');
  noProblems();
});

test("expired token: 401 ExpiredAuthenticationToken explained; sign in again forgets the session", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page } = t;
  await page.click('[data-simulate="expired"]');
  const card = '#main .error-card[data-code="UNAUTHORIZED"]';
  await page.waitForSelector(card, { timeout: 15000 });
  assert.match(await page.textContent(`${card} .error-title`), /sign-in has expired/i);
  assert.equal((await page.textContent(`${card} .fact-arm-code`)).trim(), "ExpiredAuthenticationToken");
  assert.equal((await page.textContent(`${card} .fact-http-status`)).trim(), "401");
  assert.match((await page.textContent(`${card} .fact-request-id`)).trim(), /^[0-9a-f-]{36}$/);
  await t.shot("13-error-expired-token");
  await page.click('#main [data-action="sign-in-again"]');
  await page.waitForSelector("#connect-demo");
  assert.match(await page.textContent("#session"), /Not connected/);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  noProblems();
});

test("narrow screen: readable, no sideways scrolling; missing permission shown", async () => {
  const { page } = t;
  await page.setViewportSize({ width: 390, height: 844 });
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${RG}/disk/vm-web-01-osdisk`, '[data-testid="chain"] tbody tr[data-name]');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 1, `no horizontal overflow (${overflow}px)`);
  await t.shot("14-narrow-disk", { fullPage: false });
  await page.click('[data-simulate="forbidden"]');
  const card = '#main .error-card[data-code="FORBIDDEN"]';
  await page.waitForSelector(card);
  assert.equal((await page.textContent(`${card} .fact-arm-code`)).trim(), "AuthorizationFailed");
  await t.shot("15-narrow-error-forbidden", { fullPage: false });
  noProblems();
});
