// What a new user hit on the page, one test per defect, each from a freshly seeded emulator and a
// new page (t.fresh()): the 8th snapshot in 5 minutes explained (and warned of before submitting),
// only the storage types and instant access a disk can take, a bounded operations tray whose links
// go when the snapshot does, "Try again" after a 403 that recovers once the permission is back and
// a visible notice while a 429 is waited out, a pasted token that is not one (or that ARM refuses)
// said plainly and sent at most once, user words instead of the package's names, the would-be
// request under "Details" wherever there is one, no sideways scrolling at 390 px, snapshots
// seconds apart as separate marks on the timeline, and a template whose default snapshot name is
// new on every deployment. Screenshots: test-output/screenshots/defect-*.png (1280 and 390 px).
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup, diskId, connectDemo, openDisk, openHash } from "./helpers.mjs";

let t;
const RG = "rg-prod-westeurope";
const DEV_WORDS = ["buildSnapshotConfig", "completionPercent", "CopyStart", "INVALID_ARGUMENT", "✓ Valid", "PUT /"];

before(async () => {
  t = await setup({ routedHosts: ["management.azure.com"] });
});

beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

function noProblems(allow = /$^/) {
  assert.deepEqual(
    t.problems.filter((p) => !allow.test(p)),
    [],
    "no page error, CSP violation, console error or external request",
  );
}

/** A screenshot at 1280 px and one at 390 px of the same state (the viewport restored after). */
async function shots(name, { fullPage = true } = {}) {
  const { page } = t;
  const size = page.viewportSize();
  await t.shot(`defect-${name}-1280`, { fullPage });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  await t.shot(`defect-${name}-390`, { fullPage });
  await page.setViewportSize(size);
}

/** Seven incremental snapshots of a disk made in Node right now (Azure's limit for 5 minutes). */
async function sevenSnapshots(disk) {
  const id = diskId(t.sub, RG, disk);
  const made = [];
  for (let i = 1; i <= 7; i++)
    made.push(await t.client.createIncrementalSnapshot(id, { name: `burst-${i}`, wait: false }));
  return made;
}

/** Text of the page (main, tray, alerts, dialog) to search for developer words. */
const visibleText = () =>
  t.page.evaluate(() =>
    ["#main", "#ops", "#alerts", "#dialog"].map((s) => document.querySelector(s)?.innerText || "").join("\n"),
  );

const noDevWords = async (where) => {
  const text = await visibleText();
  for (const w of DEV_WORDS)
    assert.ok(!text.includes(w), `${where}: "${w}" is not shown to users:\n${text.slice(0, 400)}`);
};

test("1. the 8th create in 5 minutes: a warning before submitting, and the refusal explained with the time it is possible again", async () => {
  await sevenSnapshots("vm-web-01-osdisk");
  await openDisk(t, RG, "vm-web-01-osdisk");
  const { page } = t;
  await page.click("#disk-tab-create");
  await page.waitForSelector("#rate-warning:not([hidden])");
  const warning = await page.textContent("#rate-warning");
  assert.match(warning, /already has 7 snapshots from the last 5 minutes/);
  assert.match(
    warning,
    /Azure allows 7 snapshots of one disk per 5 minutes.*next one is possible at \d{2}:\d{2}:\d{2}/,
  );
  await shots("1-rate-warning");
  // Submitted anyway: Azure's 409 OperationNotAllowed, in words, with the same kind of time.
  await page.click("#create-submit");
  const card = '.op[data-kind="create"][data-state="failed"] .error-card';
  await page.waitForSelector(card, { timeout: 20000 });
  const text = await page.textContent(card);
  assert.match(
    text,
    /Azure allows 7 snapshots of one disk per 5 minutes; the next one is possible at \d{2}:\d{2}:\d{2}\./,
  );
  assert.ok(!/another snapshot name/i.test(text), `no advice to rename: ${text}`);
  assert.equal(await page.getAttribute(card, "data-arm-code"), "OperationNotAllowed");
  // The time is the one ARM gave (oldest of the seven + 5 minutes), shown as the user's clock.
  const expected = await page.evaluate(() => {
    const m = /Retry after (\S+?Z)/.exec(document.querySelector('.op[data-state="failed"] .error-message').textContent);
    return (
      m &&
      new Date(m[1]).toLocaleTimeString(undefined, {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hour12: false,
      })
    );
  });
  assert.ok(expected && text.includes(`possible at ${expected}`), `${expected} in ${text}`);
  await shots("1-rate-refused");
  noProblems(/status of 409/);
});

test("1b. a 409 OperationNotAllowed in other words, on a chain at its limit, is still explained with the time from the chain", async () => {
  const made = await sevenSnapshots("vm-web-01-osdisk");
  await openDisk(t, RG, "vm-web-01-osdisk");
  const { page, emu } = t;
  emu.addFault({
    route: "PUT snapshots/",
    kind: "status",
    status: 409,
    code: "OperationNotAllowed",
    message: "The operation is not allowed.",
  });
  await page.click("#disk-tab-create");
  await page.waitForSelector("#rate-warning:not([hidden])");
  await page.click("#create-submit");
  const card = '.op[data-kind="create"][data-state="failed"] .error-card';
  await page.waitForSelector(card, { timeout: 20000 });
  const text = await page.textContent(card);
  // The oldest of the seven + 5 minutes, on the user's clock.
  const listed = (await t.client.listSnapshots(`/subscriptions/${t.sub}`)).filter((x) => /^burst-\d$/.test(x.name));
  assert.equal(listed.length, made.length);
  const oldest = Math.min(...listed.map((m) => Date.parse(m.properties.timeCreated)));
  const expected = await page.evaluate(
    (ms) =>
      new Date(ms).toLocaleTimeString(undefined, {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hour12: false,
      }),
    oldest + 5 * 60 * 1000,
  );
  assert.ok(
    text.includes(`Azure allows 7 snapshots of one disk per 5 minutes; the next one is possible at ${expected}.`),
    `${expected}: ${text.slice(0, 200)}`,
  );
  noProblems(/status of 409/);
});

test("2. storage types: only Standard_LRS / Standard_ZRS; instant access only for Premium SSD v2 and Ultra disks", async () => {
  await openDisk(t, RG, "vm-web-01-osdisk");
  const { page } = t;
  await page.click("#disk-tab-create");
  await page.waitForSelector("#create-submit");
  const skus = await page.$$eval('select[name="sku"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(skus, ["", "Standard_LRS", "Standard_ZRS"], "Premium_LRS is not offered");
  const ia = 'input[name="instantAccessDurationMinutes"]';
  assert.ok(await page.isDisabled(ia), "no instant access for a Premium_LRS disk");
  const hint = await page.textContent(`${ia} >> xpath=following-sibling::p[contains(@class,"hint")]`);
  assert.match(hint, /Only for Premium SSD v2 and Ultra disks; this disk is Premium_LRS/);
  await shots("2-sku-premium-disk");
  // A Premium SSD v2 disk takes it.
  await openHash(t, `#/s/${t.sub}/rg/${RG}/disk/sql-data-01/create`, "#create-submit");
  assert.equal(await page.isDisabled(ia), false);
  await page.fill(ia, "120");
  await page.waitForSelector('#validation-summary[data-state="valid"]');
  noProblems();
});

test("3. the operations tray shows the newest few, dismisses finished ones, scrolls inside itself; a deleted snapshot's link goes", async () => {
  const { page } = t;
  await page.setViewportSize({ width: 390, height: 844 });
  await openDisk(t, RG, "sql-data-01");
  // A real create through the form: its "Show it in the chain" link.
  await page.click("#disk-tab-create");
  await page.fill('input[name="name"]', "tray-snap");
  await page.waitForSelector('#validation-summary[data-state="valid"]');
  await page.click("#create-submit");
  await page.waitForSelector('.op[data-kind="create"][data-state="succeeded"] a.op-link', { timeout: 30000 });
  // Nine more finished operations, from the page's own tray module.
  await page.evaluate(async () => {
    const tray = await import("/js/operations-tray.js");
    for (let i = 1; i <= 9; i++)
      await tray.runOperation({
        title: `Check ${i}`,
        kind: "check",
        run: async () => i,
        successText: `Check ${i} done`,
      });
  });
  const shown = () => page.$$eval("#ops .op", (os) => os.filter((o) => !o.hidden && o.offsetParent).length);
  assert.equal(await shown(), 3, "the newest three");
  const toggle = '#ops [data-action="ops-toggle"]';
  assert.match(await page.textContent(toggle), /Show all 10 operations \(7 more\)/);
  const box = await page.$eval("#ops", (el) => el.getBoundingClientRect().height);
  assert.ok(box <= 844 * 0.5, `the tray takes at most half a phone's screen (${box}px)`);
  await page.click(toggle);
  assert.equal(await shown(), 10);
  const list = await page.$eval("#ops .ops-list", (el) => ({
    h: el.clientHeight,
    sh: el.scrollHeight,
    oy: getComputedStyle(el).overflowY,
  }));
  assert.ok(list.sh > list.h && list.oy === "auto", `all ten scroll inside the tray: ${JSON.stringify(list)}`);
  await shots("3-tray-all", { fullPage: false });
  await page.click(toggle);
  // Delete the snapshot the create made: its link goes.
  await page.click("#disk-tab-snapshots");
  await page.click('[data-testid="chain"] tr[data-name="tray-snap"] [data-action="delete"]');
  await page.fill('dialog input[name="confirm"]', "tray-snap");
  await page.click("#delete-submit");
  await page.waitForSelector('.op[data-kind="delete"][data-state="succeeded"]', { timeout: 20000 });
  await page.waitForFunction(() => !document.querySelector('#ops a.op-link[data-snapshot-id$="/tray-snap"]'));
  assert.match(await page.textContent('.op[data-kind="create"]'), /Deleted since/);
  // Dismiss every finished operation at once.
  await page.click('#ops [data-action="ops-clear"]');
  await page.waitForSelector("#ops", { state: "hidden" });
  await shots("3-tray-cleared", { fullPage: false });
  noProblems();
});

test("4a. after a missing permission (403), Try again re-runs and recovers once the permission is back", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page, emu } = t;
  await page.click('[data-simulate="forbidden"]');
  const card = '#main .error-card[data-code="FORBIDDEN"]';
  await page.waitForSelector(card);
  // Still missing: Try again sends the request again and shows the 403 again.
  const sent = emu.requests.length;
  await page.click('#main [data-action="retry"]');
  await page.waitForSelector(card);
  await page.waitForFunction(() => document.querySelector("#main .error-card"));
  assert.ok(emu.requests.length > sent, "Try again sent the request again");
  assert.equal((await page.textContent(`${card} .fact-arm-code`)).trim(), "AuthorizationFailed");
  await shots("4-forbidden");
  // The permission comes back (in the emulator, through its control API): Try again recovers.
  const r = await fetch(new URL("/__emulator/faults", t.url), {
    method: "DELETE",
    headers: { "x-emulator-secret": emu.controlSecret },
  });
  assert.equal(r.status < 300, true);
  await page.click('#main [data-action="retry"]');
  await page.waitForSelector('[data-testid="chain"] tbody tr[data-name]');
  // The banner's own way back works the same.
  await page.click('[data-simulate="forbidden"]');
  await page.waitForSelector(card);
  await page.click('[data-simulate="restore"]');
  await page.waitForSelector('[data-simulate="forbidden"]');
  await page.click('#main [data-action="retry"]');
  await page.waitForSelector('[data-testid="chain"] tbody tr[data-name]');
  noProblems(/status of 403/);
});

test("4b. throttled reads: a visible notice while the client waits out Retry-After, gone once it recovers", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page, emu } = t;
  emu.addFault({ route: "GET /providers/Microsoft.Compute/snapshots?", kind: "throttle", count: 2, retryAfter: 2 });
  await page.click("#refresh");
  await page.waitForSelector("#throttle-notice");
  assert.match(await page.textContent("#throttle-notice"), /Azure is throttling requests; retrying in [12] s/);
  await shots("4-throttled", { fullPage: false });
  await page.waitForSelector('[data-testid="chain"] tbody tr[data-name]', { timeout: 20000 });
  await page.waitForSelector("#throttle-notice", { state: "detached", timeout: 5000 });
  assert.equal(emu.requests.filter((q) => q.fault === "throttle").length, 2);
  noProblems();
});

/** A JWT-shaped token (not signed by anyone): header, claims, signature. */
function fakeJwt(claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ aud: "https://management.azure.com/", exp: Math.floor(Date.now() / 1000) + 3600, upn: "new.user@example.com", ...claims })}.c2lnbmF0dXJl`;
}

async function pasteToken(token) {
  const { page } = t;
  await page.goto(`${t.url}#/connect`);
  await page.click("#tab-token");
  await page.selectOption("#panel-token select", "AzureCloud");
  await page.fill("#panel-token textarea", token);
  await page.click('#panel-token button[type="submit"]');
}

const armGets = () => t.routed.filter((r) => r.method !== "OPTIONS").length;

test("5. a fresh load says Not connected in the header (before and after the page has booted)", async () => {
  const { page } = t;
  await page.goto(t.url);
  await page.waitForSelector("html[data-ready]");
  assert.equal((await page.textContent("#session")).trim(), "Not connected");
  assert.equal(await page.getAttribute("html", "data-mode"), "none");
  await page.waitForSelector("#connect-demo");
  assert.equal((await page.textContent("#session")).trim(), "Not connected");
  noProblems();
});

test("5a. a pasted text that is not a token is refused plainly, never sent, and stays in the textarea", async () => {
  const { page } = t;
  await pasteToken("copied-the-wrong-thing");
  const card = '#panel-token .error-card[data-code="INVALID_ARGUMENT"]';
  await page.waitForSelector(card);
  assert.match(
    await page.textContent(card),
    /This is not an access token: it has no dots\. An Azure access token is three parts/,
  );
  assert.equal(armGets(), 0, "nothing was sent");
  assert.equal(await page.inputValue("#panel-token textarea"), "copied-the-wrong-thing", "the textarea keeps it");
  assert.equal((await page.textContent("#session")).trim(), "Not connected");
  await shots("5-not-a-token");
  noProblems();
});

test("5b. a token ARM refuses (401) is said plainly, sent once, and stays in the textarea", async () => {
  const { page, emu } = t;
  emu.addFault({
    route: "GET /subscriptions?",
    kind: "status",
    status: 401,
    code: "InvalidAuthenticationToken",
    count: -1,
  });
  const token = fakeJwt();
  await pasteToken(token);
  const card = '#panel-token .error-card[data-code="UNAUTHORIZED"]';
  await page.waitForSelector(card);
  assert.match(
    await page.textContent(card),
    /Azure refused this token: it is not a valid Resource Manager access token/,
  );
  assert.equal(armGets(), 1, "sent once");
  assert.equal(await page.inputValue("#panel-token textarea"), token);
  await shots("5-token-refused");
  noProblems(/status of 401/);
});

test("5c. a token whose answer the browser cannot read (no CORS on a refusal) is sent once and explained", async () => {
  const { page, context } = t;
  let sent = 0;
  await context.route("https://management.azure.com/**", (route) => {
    sent++;
    return route.abort("failed");
  });
  const token = fakeJwt();
  await pasteToken(token);
  const card = '#panel-token .error-card[data-code="NETWORK"]';
  await page.waitForSelector(card);
  assert.match(await page.textContent(card), /usually means Azure refused it.*It was sent once/s);
  assert.equal(sent, 1, "sent once, not four times");
  assert.equal(await page.inputValue("#panel-token textarea"), token);
  noProblems(/ERR_FAILED|Failed to load resource/);
});

test("6. user words, not the package's names; the would-be request under Details in every state that has one", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page } = t;
  await noDevWords("disk view");
  await page.click("#disk-tab-create");
  await page.waitForSelector('#validation-summary[data-state="valid"]');
  await noDevWords("create form");
  assert.ok(await page.$('#create-submit >> xpath=ancestor::form//details[@data-testid="request-details"]'));
  // Invalid, but still a request: a name that exists in the resource group.
  const first = (await t.client.listSnapshots(`/subscriptions/${t.sub}`)).find((s) =>
    s.properties?.creationData?.sourceResourceId?.toLowerCase().endsWith("/disks/sql-data-01"),
  );
  await page.fill('input[name="name"]', first.name);
  await page.waitForSelector('#validation-summary[data-state="invalid"]');
  assert.ok(
    await page.$('details[data-testid="request-details"] [data-testid="request-body"]'),
    "shown while invalid too",
  );
  // Invalid with no request at all: a plain line, no Details.
  await page.fill('input[name="name"]', "bad name!");
  await page.waitForSelector('#validation-summary[data-state="invalid"]');
  await page.waitForFunction(() => !document.querySelector('details[data-testid="request-details"]'));
  const summary = await page.textContent("#validation-summary");
  assert.match(summary, /Snapshot name:/, summary);
  await noDevWords("create form, invalid");
  await shots("6-create-invalid");
  // A failed create: its card has the request under Details.
  t.emu.addFault({ route: "PUT snapshots/", kind: "status", status: 500, count: -1 });
  await page.fill('input[name="name"]', "words-snap");
  await page.waitForSelector('#validation-summary[data-state="valid"]');
  await page.click("#create-submit");
  const failed = '.op[data-kind="create"][data-state="failed"]';
  await page.waitForSelector(failed, { timeout: 20000 });
  assert.ok(await page.$(`${failed} .error-card details.error-details [data-testid="request-body"]`));
  assert.match(await page.textContent(`${failed} details.error-details summary`), /Details/);
  await noDevWords("failed create");
  await shots("6-create-failed");
  // The copy dialog.
  await page.click("#disk-tab-snapshots");
  await page.click('[data-testid="chain"] tbody tr[data-name] [data-action="copy"]:not([disabled])');
  await page.waitForSelector("dialog #copy-submit");
  assert.ok(await page.$('dialog details[data-testid="request-details"] [data-testid="copy-body"]'));
  await noDevWords("copy dialog");
  await shots("6-copy-dialog");
  await page.keyboard.press("Escape");
  // The export tab.
  await page.click("#disk-tab-export");
  await page.waitForSelector('[data-testid="template"] pre');
  const exportHints = await page.$$eval(".export-tab > p.hint", (ps) => ps.map((p) => p.innerText).join(" "));
  assert.ok(!/buildSnapshot|buildTemplate/.test(exportHints), exportHints);
  noProblems(/status of 500/);
});

test("7. at 390 px nothing scrolls sideways: the timeline fits, and every view of the disk fits the screen", async () => {
  const { page } = t;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(t.url);
  await page.waitForSelector("#connect-demo");
  const fits = async (where) => {
    const r = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: innerWidth }));
    assert.ok(r.sw <= r.iw, `${where}: page ${r.sw}px wide in a ${r.iw}px window`);
  };
  await fits("connect");
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${RG}/disk/vm-web-01-osdisk`, '[data-testid="chain"] tbody tr[data-name]');
  await fits("disk");
  const fig = await page.$eval(".timeline-figure", (f) => ({
    sw: f.scrollWidth,
    cw: f.clientWidth,
    svg: f.querySelector("svg").getBoundingClientRect().width,
  }));
  assert.ok(fig.sw <= fig.cw && fig.svg <= fig.cw + 0.5, `the timeline fits its box: ${JSON.stringify(fig)}`);
  await page.$eval(".timeline-figure", (f) => f.scrollIntoView({ block: "start" }));
  await t.shot("defect-7-timeline-390", { fullPage: false });
  for (const tab of ["create", "export", "replicate"]) {
    await page.click(`#disk-tab-${tab}`);
    await page.waitForTimeout(300);
    await fits(tab);
  }
  await page.click("#disk-tab-snapshots");
  await page.click('[data-testid="chain"] tbody tr[data-name] [data-action="copy"]:not([disabled])');
  await page.waitForSelector("dialog #copy-submit");
  await fits("copy dialog");
  noProblems();
});

test("8. snapshots seconds apart are separate marks on the timeline, with exact times in their titles", async () => {
  const made = await sevenSnapshots("vm-web-01-osdisk");
  await openDisk(t, RG, "vm-web-01-osdisk");
  const { page } = t;
  const lane = await page.$$eval('svg.timeline g.tl-lane[data-kind="current"] circle.tl-dot', (cs) =>
    cs.map((c) => ({
      name: c.dataset.name,
      x: Number(c.getAttribute("cx")),
      title: c.querySelector("title").textContent,
    })),
  );
  const burst = lane.filter((d) => d.name.startsWith("burst-"));
  assert.equal(burst.length, 7);
  const xs = burst.map((d) => d.x).sort((a, b) => a - b);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] >= 8, `marks apart: ${xs}`);
  assert.ok(await page.$('svg.timeline .tl-cluster[data-count="7"]'), "the run is labelled with its count");
  for (const d of burst) assert.match(d.title, /\d{1,2}:\d{2}:\d{2}/, `exact time in ${d.title}`);
  assert.equal(made.length, 7);
  await shots("8-timeline-burst");
  noProblems();
});

test("8b. rows show when to the second (with the zone), age, size, tags set at create, and resource group", async () => {
  const id = diskId(t.sub, RG, "vm-web-01-osdisk");
  const made = await t.client.createIncrementalSnapshot(id, {
    name: "tagged-1",
    tags: { backup: "daily", owner: "ops" },
    wait: false,
  });
  await openDisk(t, RG, "vm-web-01-osdisk");
  const { page } = t;
  const row = '[data-testid="chain"] tr[data-name="tagged-1"]';
  await page.waitForSelector(row);
  const cell = (label) => page.textContent(`${row} td[data-label="${label}"]`);
  const created = await cell("Created");
  assert.match(created, /\d{2}:\d{2}:\d{2}/, `seconds: ${created}`);
  assert.match(created, /UTC|GMT|[A-Z]{2,5}/, `a zone: ${created}`);
  assert.match(created, /\bago\b/, `an age: ${created}`);
  const disk = await t.client.getDisk(id);
  assert.match(await cell("Size"), new RegExp(`${disk.properties.diskSizeGB} GiB`));
  const tags = await cell("Tags");
  assert.ok(tags.includes("backup: daily") && tags.includes("owner: ops"), tags);
  assert.equal((await cell("Resource group")).trim().replace(/^Resource group/i, ""), RG);
  assert.equal(made.name, "tagged-1");
  await shots("8-rows");
  noProblems();
});

test("9. the exported template names each deployment's snapshot anew (a utcNow() default), so a second deployment makes a second snapshot", async () => {
  await openDisk(t, RG, "sql-data-01");
  const { page, lib } = t;
  await page.click("#disk-tab-export");
  await page.waitForSelector('[data-testid="template"] pre');
  assert.equal(await page.inputValue('select[name="naming"]'), "timestamp");
  const template = JSON.parse(await page.textContent('[data-testid="template"] pre'));
  const defaults = Object.values(template.parameters || {}).map((p) => String(p.defaultValue ?? ""));
  assert.ok(
    defaults.some((d) => /utcNow\(/.test(d)),
    `a utcNow() default: ${defaults}`,
  );
  const names = template.resources.map((r) => r.name);
  assert.ok(
    names.every((n) => !/_snapshot1/.test(n) && /parameters\(/.test(n)),
    `names depend on the deployment: ${names}`,
  );
  assert.deepEqual(
    template,
    lib.buildSnapshotTemplate({ disk: diskId(t.sub, RG, "sql-data-01"), snapshotName: { timestamp: true } }),
  );
  await shots("9-export");
  noProblems();
});
