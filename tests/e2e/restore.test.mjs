// Restoring a disk from the page, end to end in headless Chromium against the emulator (demo
// mode): a Premium SSD v2 disk's snapshot restored with its hydration shown rising to done (the
// emulator clock moved on through its control API) and the new disk's page opened; live
// validation (a size smaller than the snapshot, a 4096-byte-sector snapshot from the Snapshots
// console, a zone with a zone-redundant type) with every problem at its field and Restore
// disabled; a name that exists refused in plain words with nothing overwritten; the template
// download equal to the package's buildRestoreTemplate; a restore from the blob a demo
// replication wrote with its SAS signature never in the page's text or attributes; a 390 px
// screen without sideways page scroll. Each test starts from t.fresh().
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { setup, openDisk, openHash, diskId } from "./helpers.mjs";

const RG = "rg-prod-westeurope";
const SQL = "sql-data-01"; // the demo's Premium SSD v2 disk (zone 2)
let t;

before(async () => {
  t = await setup();
});

beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

async function noProblems() {
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
  assert.deepEqual(await t.page.$$eval("#alerts .error-card", (cs) => cs.map((c) => c.textContent)), []);
}

/** Move the emulator's clock on through its control API (as a user of the demo would). */
async function advanceClock(ms) {
  const r = await fetch(new URL("/__emulator/clock", t.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-emulator-secret": t.emu.controlSecret },
    body: JSON.stringify({ advanceMs: ms }),
  });
  assert.equal(r.status, 200, await r.text());
}

/** The oldest (ready) snapshot of a disk's chain, as the package in Node reads it. */
async function oldestOf(rg, name) {
  const chain = await t.client.listIncrementalSnapshots(diskId(t.sub, rg, name));
  assert.ok(chain.length >= 2, `${name} has a chain`);
  return chain[0];
}

/** Open the Restore dialog of a chain row on the disk page. */
async function openRestore(snapName) {
  await t.page.click(`[data-testid="chain"] tbody tr[data-name="${snapName}"] [data-action="restore"]`);
  await t.page.waitForSelector("#dialog[open] .restore-form");
  await t.page.waitForSelector('#restore-summary[data-state="valid"]');
}

/** Set a field's value and wait for the live validation to settle. */
async function setField(name, value) {
  const sel = `#dialog .restore-form [name="${name}"]`;
  const tag = await t.page.$eval(sel, (el) => el.tagName);
  if (tag === "SELECT") await t.page.selectOption(sel, value);
  else await t.page.fill(sel, value);
  await t.page.waitForTimeout(250); // the debounce (120 ms) and a redraw
}

const fieldError = (name) =>
  t.page.$eval(`#dialog .restore-form [name="${name}"]`, (el) => {
    const err = el.closest(".field").querySelector(".field-error");
    return err.hidden ? "" : err.textContent;
  });

/** The tray entry of the newest restore, when it is no longer running; → its state. */
async function restoreFinished(timeout = 60000) {
  const op = '#ops .op[data-kind="restore"]';
  await t.page.waitForSelector(`${op}:not([data-state="running"])`, { timeout });
  return t.page.$eval(op, (el) => el.dataset.state);
}

test("restore a Premium SSD v2 snapshot: Creating, Hydrating N % rising to done, the disk in its group and its page open", async () => {
  const snap = await oldestOf(RG, SQL);
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  // Defaults: a unique name, the snapshot's group, the disk's own type and zone, the snapshot's size.
  const name = await page.inputValue('#dialog [name="name"]');
  assert.match(name, new RegExp(`^${snap.name.slice(0, 56)}-restored-\\d{14}$`));
  assert.equal(await page.inputValue('#dialog [name="resourceGroup"]'), RG);
  assert.equal(await page.inputValue('#dialog [name="sku"]'), "PremiumV2_LRS");
  assert.equal(await page.inputValue('#dialog [name="zone"]'), "2");
  assert.equal(Number(await page.inputValue('#dialog [name="diskSizeGB"]')), snap.properties.diskSizeGB);
  // The would-be request under "Details", the body buildDiskConfig makes.
  const shown = JSON.parse(await page.textContent('#dialog [data-testid="restore-body"] pre'));
  const expected = t.lib.buildDiskConfig(snap, {
    name,
    resourceGroup: RG,
    sku: "PremiumV2_LRS",
    zones: ["2"],
    diskSizeGB: snap.properties.diskSizeGB,
    networkAccessPolicy: "AllowAll",
    tags: { restoredFrom: snap.name },
  });
  assert.deepEqual(shown, expected.body);
  assert.equal(await page.$eval("#dialog summary", (s) => s.textContent), "Details: the request this would send");
  await t.shot("restore-dialog-1280");

  const newName = "sql-restored-e2e";
  await setField("name", newName);
  // Every phase the tray shows, in order.
  const phases = page.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = [];
        const note = () => {
          const op = document.querySelector('#ops .op[data-kind="restore"]');
          const text = op?.querySelector(".op-phase")?.textContent;
          if (text && seen.at(-1) !== text) seen.push(text);
          if (op && op.dataset.state !== "running") {
            obs.disconnect();
            resolve({ seen, state: op.dataset.state });
          }
        };
        const obs = new MutationObserver(note);
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      }),
  );
  await page.click("#restore-submit");
  await page.waitForSelector('#ops .op[data-kind="restore"]');
  // Hydration runs on the emulator clock (10 s): move it on a little at a time, bounded.
  for (let i = 0; i < 40; i++) {
    const state = await page.$eval('#ops .op[data-kind="restore"]', (el) => el.dataset.state);
    if (state !== "running") break;
    const text = await page.textContent('#ops .op[data-kind="restore"] .op-phase');
    if (/Hydrating/.test(text)) await advanceClock(1500);
    await page.waitForTimeout(600);
  }
  const { seen, state } = await phases;
  assert.equal(state, "succeeded", seen.join(" | "));
  // The tray's first line, then the restore's own words.
  assert.deepEqual(
    seen.filter((s) => !/^Hydrating/.test(s)).slice(-3),
    ["Creating the disk", "Done", `Disk ${newName} is ready.`],
    seen.join(" | "),
  );
  assert.ok(["Sending the request to Azure", "Creating the disk"].includes(seen[0]), seen.join(" | "));
  assert.ok(seen.indexOf("Creating the disk") < seen.findIndex((s) => /^Hydrating/.test(s)), seen.join(" | "));
  const pcts = seen
    .map((s) => /^Hydrating (\d+) %$/.exec(s)?.[1])
    .filter(Boolean)
    .map(Number);
  assert.ok(pcts.length >= 2, `hydration was shown rising: ${seen.join(" | ")}`);
  assert.ok(
    pcts.every((p, i) => i === 0 || p > pcts[i - 1]),
    `it only rises: ${pcts.join(", ")}`,
  );
  assert.ok(pcts.every((p) => p < 100));
  assert.match(seen.at(-1), new RegExp(`Disk ${newName} is ready`));
  await t.shot("restore-hydrated-1280");
  // The disk in the emulator: from the snapshot, hydrated, the dialog's choices.
  const made = await t.client.getDisk(diskId(t.sub, RG, newName));
  assert.equal(made.properties.creationData.createOption, "Copy");
  assert.equal(made.properties.creationData.sourceResourceId.toLowerCase(), snap.id.toLowerCase());
  assert.equal(made.sku.name, "PremiumV2_LRS");
  assert.deepEqual(made.zones, ["2"]);
  assert.equal(made.properties.completionPercent, 100);
  assert.deepEqual(made.tags, { restoredFrom: snap.name });
  // Its resource group lists it; the tray's link opens its page.
  await page.click('#ops .op[data-kind="restore"] a.op-link');
  await page.waitForFunction((n) => document.querySelector("#main .view-head h1")?.textContent === n, newName);
  assert.match(await page.textContent(".view-head .sub"), /PremiumV2_LRS/);
  await openHash(t, `#/s/${t.sub}/rg/${RG}`, `[data-testid="disks"] tbody tr[data-key="${newName}"]`);
  await noProblems();
});

test("live validation: a smaller size, a zone with a zone-redundant type, a 4096-byte-sector snapshot: each at its field, Restore disabled", async () => {
  const snap = await oldestOf(RG, SQL);
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  await setField("diskSizeGB", String(snap.properties.diskSizeGB - 1));
  await setField("sku", "Premium_ZRS");
  await setField("zone", "1");
  await setField("name", "bad name!");
  assert.match(await fieldError("diskSizeGB"), /cannot be smaller than the snapshot/);
  assert.match(await fieldError("diskSizeGB"), /1 TiB/);
  assert.match(await fieldError("zone"), /zone-redundant/);
  assert.match(
    await fieldError("name"),
    /^Use letters, digits, _ \. and -; start with a letter or digit, end with a letter, digit or _\.$/,
  );
  assert.equal(await fieldError("sku"), "");
  assert.match(await page.textContent("#restore-summary"), /3 problems to fix before restoring/);
  assert.ok(await page.isDisabled("#restore-submit"));
  assert.equal(await page.$('#dialog [data-testid="restore-body"]'), null, "no request while it is invalid");
  // No developer words next to the fields.
  const dialogText = await page.textContent("#dialog");
  for (const w of ["diskSizeGB", "options.", "INVALID_ARGUMENT", "buildDiskConfig", "networkAccessPolicy", "zones["])
    assert.ok(!dialogText.includes(w), `"${w}" in the dialog: ${dialogText}`);
  await t.shot("restore-invalid-1280");
  // Fixed, one at a time: Restore comes back.
  await setField("zone", "");
  await setField("diskSizeGB", String(snap.properties.diskSizeGB + 1));
  await setField("name", "good-name");
  assert.equal(await page.getAttribute("#restore-summary", "data-state"), "valid");
  assert.ok(!(await page.isDisabled("#restore-submit")));
  await page.keyboard.press("Escape");

  // A snapshot with 4096-byte sectors, restored from the Snapshots console's row.
  const osChain = await t.client.listIncrementalSnapshots(diskId(t.sub, RG, "vm-web-01-osdisk"));
  const four = osChain[0];
  t.emu.store.snapshots.get(four.id.toLowerCase()).creationData.logicalSectorSize = 4096;
  await openHash(t, `#/s/${t.sub}/rg/${RG}/snapshots`, `[data-testid="console"] tr[data-name="${four.name}"]`);
  await page.click(`[data-testid="console"] tr[data-name="${four.name}"] [data-action="restore"]`);
  await page.waitForSelector("#dialog[open] .restore-form");
  const offered = await page.$$eval('#dialog [name="sku"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered, ["PremiumV2_LRS", "UltraSSD_LRS"]);
  assert.match(await page.textContent("#dialog"), /4096-byte sectors, which the other types cannot use/);
  // A form tampered with to send Premium_LRS anyway: the package's rule, in words, at the field.
  await page.$eval('#dialog [name="sku"]', (sel) => {
    sel.append(new Option("Premium_LRS", "Premium_LRS"));
    sel.value = "Premium_LRS";
    sel.dispatchEvent(new Event("change"));
  });
  assert.match(await fieldError("sku"), /4096-byte sectors, which only Premium SSD v2 and Ultra disks can use/);
  assert.ok(await page.isDisabled("#restore-submit"));
  await noProblems();
});

test("a name that exists: CONFLICT in plain words (the code only under Details), nothing overwritten", async () => {
  const snap = await oldestOf(RG, SQL);
  const taken = diskId(t.sub, RG, "vm-web-01-data");
  const before = await t.client.getDisk(taken);
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  await setField("name", "vm-web-01-data");
  await page.click("#restore-submit");
  assert.equal(await restoreFinished(), "failed");
  const card = '#ops .op[data-kind="restore"] .error-card';
  assert.equal(await page.getAttribute(card, "data-code"), "CONFLICT");
  const message = await page.textContent(`${card} .error-message`);
  assert.equal(message, `A disk named vm-web-01-data already exists in ${RG}.`);
  assert.match(
    await page.textContent(`${card} .error-advice`),
    /Nothing was changed or overwritten. Pick another name/,
  );
  // The code is in the Details disclosure only.
  const outside = await page.$eval(card, (c) => {
    const copy = c.cloneNode(true);
    copy.querySelector("details")?.remove();
    return copy.textContent;
  });
  assert.ok(!outside.includes("CONFLICT"), outside);
  assert.match(await page.textContent(`${card} details`), /CONFLICT/);
  await t.shot("restore-conflict-1280");
  const after = await t.client.getDisk(taken);
  assert.deepEqual(after, before, "the existing disk is as it was");
  assert.equal(
    t.emu.requests.filter((r) => r.method === "PUT" && /\/disks\/vm-web-01-data/i.test(r.path ?? r.url ?? "")).length,
    0,
    "no PUT to the existing disk",
  );
  await noProblems();
});

test("a 6th disk at once from one snapshot: refused in plain words, saying what to do", async () => {
  const snap = await oldestOf(RG, SQL);
  // Five disks still hydrating from it, made in Node (no waiting).
  for (let i = 0; i < 5; i++)
    await t.client.restoreDisk(snap, { name: `busy-${i}`, sku: "PremiumV2_LRS", wait: false });
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  await page.click("#restore-submit");
  assert.equal(await restoreFinished(), "failed");
  const card = '#ops .op[data-kind="restore"] .error-card';
  assert.equal(await page.getAttribute(card, "data-code"), "CONFLICT");
  assert.match(await page.textContent(`${card} .error-message`), /at most 5 disks at once from one snapshot/);
  assert.match(await page.textContent(`${card} .error-advice`), /Wait until one of them is ready/);
  const made = await t.client.listDisks(`/subscriptions/${t.sub}/resourceGroups/${RG}`);
  assert.equal(made.filter((d) => d.name.includes("-restored-")).length, 0, "no 6th disk");
  await noProblems();
});

test("Download as ARM template: the file is the package's buildRestoreTemplate of the dialog's values", async () => {
  const snap = await oldestOf(RG, SQL);
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  await setField("name", "from-template");
  await setField("networkAccessPolicy", "DenyAll");
  await setField("tags", "owner=ops\nrestoredFrom=e2e");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#restore-template")]);
  assert.equal(download.suggestedFilename(), "from-template.template.json");
  const got = JSON.parse(await readFile(await download.path(), "utf8"));
  const expected = t.lib.buildRestoreTemplate(snap, {
    name: "from-template",
    resourceGroup: RG,
    sku: "PremiumV2_LRS",
    zones: ["2"],
    diskSizeGB: snap.properties.diskSizeGB,
    networkAccessPolicy: "DenyAll",
    tags: { owner: "ops", restoredFrom: "e2e" },
  });
  assert.deepEqual(got, expected);
  assert.equal(got.parameters.diskName.defaultValue, "from-template");
  await noProblems();
});

test("restore from the copy a demo replication wrote: the SAS signature never in the page, Import from the blob", async () => {
  const rg = RG;
  const name = "legacy-app-disk";
  await openDisk(t, rg, name);
  const { page } = t;
  await page.click("#disk-tab-replicate");
  await page.click("#replicate-demo-target");
  await page.waitForFunction(() => document.querySelector("#replicate-target").value.startsWith("http"));
  const targetUrl = await page.inputValue("#replicate-target");
  const sig = new URL(targetUrl).searchParams.get("sig");
  assert.ok(sig && sig.length >= 16, "the demo target has a signature");
  await page.click("#replicate-start");
  await page.waitForSelector('[data-testid="replicate-run"][data-state="succeeded"]', { timeout: 120000 });
  await page.click("#replicate-restore");
  await page.waitForSelector("#dialog[open] .restore-form");
  const shownUrl = await page.textContent('#dialog [data-testid="restore-source-url"]');
  assert.match(shownUrl, /^https:\/\/emulatortarget\.blob\.core\.windows\.net\/replicas\/.+\?.*sig=…/);
  // Asked for: the storage account (with its format in the hint) and the region.
  assert.match(await page.textContent("#dialog"), /Microsoft\.Storage\/storageAccounts\/<account>/);
  assert.match(await fieldError("storageAccountId"), /resource id of the storage account/);
  assert.match(await fieldError("location"), /region of the storage account/);
  await setField("storageAccountId", "/subscriptions/nope");
  assert.match(await fieldError("storageAccountId"), /not a storage account's resource id/);
  const account = `/subscriptions/${t.sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/emulatortarget`;
  await setField("storageAccountId", account);
  await setField("location", "westeurope");
  await setField("name", "legacy-from-copy");
  assert.equal(await page.getAttribute("#restore-summary", "data-state"), "valid");
  const body = JSON.parse(await page.textContent('#dialog [data-testid="restore-body"] pre'));
  assert.match(body.properties.creationData.sourceUri, /sig=…$|sig=…&/);
  // The template: the blob's URL a secure parameter, no signature in the file.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#restore-template")]);
  const file = await readFile(await download.path(), "utf8");
  assert.ok(!file.includes(sig), "no signature in the template");
  const template = JSON.parse(file);
  assert.equal(template.parameters.sourceUri.type, "securestring");
  assert.equal(template.resources[0].properties.creationData.sourceUri, "[parameters('sourceUri')]");
  await t.shot("restore-blob-1280");
  await page.click("#restore-submit");
  assert.equal(await restoreFinished(), "succeeded");
  const made = await t.client.getDisk(diskId(t.sub, rg, "legacy-from-copy"));
  assert.equal(made.properties.creationData.createOption, "Import");
  assert.equal(made.properties.creationData.storageAccountId.toLowerCase(), account.toLowerCase());
  // Nowhere in the page: not in its text, not in any attribute (the tray, the dialog, the tab).
  const leaks = await page.evaluate((s) => {
    const out = [];
    if (document.body.innerText.includes(s)) out.push("innerText");
    for (const el of document.querySelectorAll("*"))
      for (const a of el.attributes) if (a.value.includes(s)) out.push(`${el.tagName}[${a.name}]`);
    return out;
  }, sig);
  assert.deepEqual(leaks, []);
  const trayText = await page.textContent('#ops .op[data-kind="restore"]');
  assert.match(trayText, /Disk legacy-from-copy is ready/);
  await noProblems();
});

test("words: the changed sizes and the Retention view name no package function or field; an error code only under Details", async () => {
  const DEV = [
    "diskSizeBytes",
    "planRetention",
    "buildSnapshotConfig",
    "completionPercent",
    "CopyStart",
    "INVALID_ARGUMENT",
    "The package accepts",
  ];
  const devWordsIn = (text) => DEV.filter((w) => text.includes(w));
  await openDisk(t, RG, "vm-web-01-data");
  const { page } = t;
  await page.waitForSelector('[data-testid="changes"]');
  assert.deepEqual(devWordsIn(await page.innerText("#main")), []);
  assert.match(await page.innerText('[data-testid="changes"]'), /provisioned size/);
  await openHash(t, `#/s/${t.sub}/rg/${RG}`, "#open-retention");
  await page.click("#open-retention");
  await page.waitForSelector('#retention-preview[data-state="ready"]');
  assert.match(await page.innerText("#main"), /These rules are valid/);
  assert.deepEqual(devWordsIn(await page.innerText("#main")), []);
  // An invalid rule: its words at the field; the code only inside the closed Details.
  await page.fill('#main input[name="keepWithin"]', "7 days");
  await page.waitForSelector('#retention-preview[data-state="invalid"]');
  assert.deepEqual(devWordsIn(await page.innerText("#main")), []);
  const details = await page.$$eval("#main details.error-details", (ds) => ds.map((d) => d.textContent));
  assert.ok(
    details.some((d) => d.includes("INVALID_ARGUMENT")),
    details.join(" | "),
  );
  await noProblems();
});

test("390 px: the dialog and the tray without sideways page scroll", async () => {
  await t.page.setViewportSize({ width: 390, height: 844 });
  const snap = await oldestOf(RG, SQL);
  await openDisk(t, RG, SQL);
  const { page } = t;
  await openRestore(snap.name);
  const overflow = () =>
    page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      dialog: (() => {
        const d = document.querySelector("#dialog");
        return d ? d.scrollWidth - d.clientWidth : 0;
      })(),
    }));
  assert.deepEqual(await overflow(), { page: 0, dialog: 0 });
  await setField("diskSizeGB", "1");
  await setField("sku", "Premium_ZRS");
  await setField("zone", "3");
  assert.deepEqual(await overflow(), { page: 0, dialog: 0 });
  await t.shot("restore-dialog-390", { fullPage: false });
  await page.$eval("#dialog .restore-form", (f) => f.closest("dialog").scrollTo(0, 1e6));
  await t.shot("restore-invalid-390", { fullPage: false });
  await setField("zone", "");
  await setField("diskSizeGB", String(snap.properties.diskSizeGB));
  await page.click("#restore-submit");
  for (let i = 0; i < 40 && (await page.$('#ops .op[data-kind="restore"][data-state="running"]')); i++) {
    await advanceClock(2000);
    await page.waitForTimeout(500);
  }
  assert.equal(await restoreFinished(), "succeeded");
  assert.equal((await overflow()).page, 0);
  await t.shot("restore-done-390", { fullPage: false });
  await noProblems();
});
