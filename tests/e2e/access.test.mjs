// The Access dialog of a snapshot in headless Chromium against the emulator: a download link
// (presets and a custom duration up to 60 days, the link with its expiry, Copy, the azcopy and az
// commands, Revoke, the 6th open link of one disk's snapshots refused in plain words) and
// immutability (set, extend, lock only after typing the name, a lock never shortened), a delete
// refused while immutable; screenshots at 1280 and 390 px. Each test starts from t.fresh();
// expectations come from the emulator through the package in Node.
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup, diskId, openDisk } from "./helpers.mjs";

let t;
const RG = "rg-prod-westeurope";
const DISK = "vm-web-01-osdisk";

before(async () => {
  t = await setup();
});
beforeEach(async () => {
  await t.fresh();
});
after(async () => {
  await t?.close();
});

/** Problems of the page but the 409s that Chromium logs for the refusals these tests provoke. */
function noProblems(allow409 = false) {
  const left = t.problems.filter((p) => !(allow409 && /status of 409/.test(p)));
  assert.deepEqual(left, [], "no page error, CSP violation, console error or external request");
}

/** The disk's chain, oldest first, as the package reads it in Node. */
const chain = () => t.client.listIncrementalSnapshots(diskId(t.sub, RG, DISK));

/** Open the disk and the Access dialog of snapshot `name`. */
async function openAccess(name) {
  await openDisk(t, RG, DISK);
  await t.page.click(`[data-testid="chain"] tr[data-name="${name}"] [data-action="access"]`);
  await t.page.waitForSelector('dialog[open] [data-testid="access-export"]');
  await t.page.waitForSelector('dialog[open] [data-testid="policy"] .policy-line');
}

const text = (sel) => t.page.textContent(sel).then((s) => s.replace(/\s+/g, " ").trim());

test("a download link: its expiry, Copy, the commands, then Revoke ends it", async () => {
  const snaps = await chain();
  const snap = snaps[snaps.length - 1];
  await openAccess(snap.name);
  const { page } = t;
  assert.match(await text("dialog[open] h2"), new RegExp(snap.name));
  // Custom: more than 60 days is refused before anything is sent; 60 days is fine.
  await page.check('dialog input[data-preset="custom"]');
  await page.fill('dialog input[name="customAmount"]', "61");
  assert.ok(await page.isDisabled('[data-action="grant"]'));
  assert.match(await text("dialog .field.invalid .field-error"), /at most 60 days/);
  await page.fill('dialog input[name="customAmount"]', "60");
  assert.ok(!(await page.isDisabled('[data-action="grant"]')));
  await page.check('dialog input[data-preset="7d"]');
  const before = Date.now();
  await page.click('[data-action="grant"]');
  await page.waitForSelector('[data-testid="sas-url"]');
  const url = await page.inputValue('[data-testid="sas-url"]');
  assert.ok(url.startsWith(`${t.emu.url}/blob/`) || url.startsWith("http"), url);
  assert.match(url, /sig=/);
  const expiry = await text('[data-testid="sas-expiry"]');
  assert.match(expiry, /Valid until .+ \(7 days from now\)/);
  const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
    .formatToParts(new Date(before + 7 * 86400000))
    .find((p) => p.type === "timeZoneName").value;
  assert.ok(expiry.includes(zone), `the time zone is named (${zone}): ${expiry}`);
  // The grant Azure holds is the one asked for.
  const grants = t.emu.requests.filter((r) => r.method === "POST" && /beginGetAccess/.test(r.url));
  assert.equal(grants.length, 1);
  assert.equal((await t.client.getSnapshot(snap.id)).properties.diskState, "ActiveSAS");
  // The commands: azcopy with the link, and az grant/revoke with the same duration and id.
  const commands = await page.textContent('[data-testid="access-commands"] pre');
  assert.ok(commands.includes(`azcopy copy "${url}" "${snap.name}.vhd"`), commands);
  assert.ok(commands.includes(`az snapshot grant-access --duration-in-seconds 604800 --ids ${snap.id}`), commands);
  assert.ok(commands.includes(`az snapshot revoke-access --ids ${snap.id}`), commands);
  await page.click('[data-action="copy-url"]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  // The link works: the blob answers (a HEAD in Node, not in the page).
  assert.equal((await fetch(url, { method: "HEAD" })).status, 200);
  await t.shot("access-grant-1280");
  await page.click('dialog [data-action="revoke"]');
  await page.waitForFunction(() => /revoked/.test(document.querySelector("dialog .access-status")?.textContent || ""));
  assert.equal(await page.$('[data-testid="sas-url"]'), null, "the link is no longer shown");
  assert.notEqual((await t.client.getSnapshot(snap.id)).properties.diskState, "ActiveSAS");
  assert.equal((await fetch(url, { method: "HEAD" })).status, 403, "the revoked link no longer works");
  noProblems();
});

test("the 6th open link of one disk's snapshots is refused in plain words, naming the 5 that hold one", async () => {
  const snaps = await chain();
  assert.ok(snaps.length >= 6, `a chain of at least 6 (${snaps.length})`);
  const holders = snaps.slice(0, 5);
  for (const s of holders) await t.client.grantAccess(s.id, { durationInSeconds: 3600 });
  await openAccess(snaps[5].name);
  const { page } = t;
  await page.check('dialog input[data-preset="1h"]');
  await page.click('[data-action="grant"]');
  await page.waitForSelector('[data-testid="sas-limit"]');
  const msg = await text('[data-testid="sas-limit"]');
  assert.match(msg, /at most 5 snapshots of the same disk/);
  assert.match(msg, /Revoke the link of one of them/);
  for (const s of holders) assert.ok(msg.includes(s.name), `names ${s.name}`);
  assert.doesNotMatch(msg, /CONFLICT|OperationNotAllowed|409/, "no codes in the message");
  assert.equal(await page.$('[data-testid="sas-url"]'), null);
  await t.shot("access-limit-1280");
  // After one revoke (in Node) the same button succeeds.
  await t.client.revokeAccess(holders[0].id);
  await page.click('[data-action="grant"]');
  await page.waitForSelector('[data-testid="sas-url"]');
  noProblems(true);
});

test("immutability: set, extend, lock after typing the name; a lock is never shortened", async () => {
  const snaps = await chain();
  const snap = snaps[snaps.length - 2];
  await openAccess(snap.name);
  const { page } = t;
  const policy = () => t.client.getImmutabilityPolicy(snap.id);
  assert.match(await text('[data-testid="policy"]'), /Not protected/);
  assert.equal(await policy(), null);
  await page.fill('dialog input[name="days"]', "0");
  assert.ok(await page.isDisabled('[data-action="set-policy"]'), "0 days is refused before sending");
  await page.fill('dialog input[name="days"]', "3");
  await page.click('[data-action="set-policy"]');
  await page.waitForFunction(() => /unlocked/.test(document.querySelector('[data-testid="policy"]').textContent));
  assert.match(await text('[data-testid="policy"]'), /Protected from deletion for 3 days, unlocked, until /);
  assert.deepEqual(await policy().then((p) => [p.immutabilityDurationDays, p.type]), [3, "Unlocked"]);
  await page.fill('dialog input[name="days"]', "5");
  await page.click('[data-action="set-policy"]');
  await page.waitForFunction(() => /for 5 days/.test(document.querySelector('[data-testid="policy"]').textContent));
  assert.equal((await policy()).immutabilityDurationDays, 5);
  // Lock: the warning says it cannot be undone or shortened; the button waits for the name.
  const warning = await text('[data-testid="lock-warning"]');
  assert.match(warning, /cannot be undone/);
  assert.match(warning, /never be shortened or removed/);
  assert.ok(await page.isDisabled('[data-action="lock-policy"]'));
  await page.fill('dialog input[name="lockConfirm"]', `${snap.name}x`);
  assert.ok(await page.isDisabled('[data-action="lock-policy"]'), "a wrong name keeps it disabled");
  await page.fill('dialog input[name="lockConfirm"]', snap.name);
  assert.ok(!(await page.isDisabled('[data-action="lock-policy"]')));
  await t.shot("access-immutability-1280");
  await page.click('[data-action="lock-policy"]');
  await page.waitForFunction(() =>
    /· locked/.test(document.querySelector('[data-testid="policy"] .badge').textContent),
  );
  assert.deepEqual(await policy().then((p) => [p.immutabilityDurationDays, p.type]), [5, "Locked"]);
  assert.ok(await page.isHidden('[data-action="lock-policy"]'), "nothing more to lock");
  // Locked: shorter is refused in the page; longer extends it.
  await page.fill('dialog input[name="days"]', "4");
  assert.ok(await page.isDisabled('[data-action="set-policy"]'));
  assert.match(await text("dialog .field.invalid .field-error"), /can only be extended/);
  await page.fill('dialog input[name="days"]', "9");
  assert.equal((await text('[data-action="set-policy"]')).trim(), "Extend");
  await page.click('[data-action="set-policy"]');
  await page.waitForFunction(() =>
    /for 9 days, locked/.test(document.querySelector('[data-testid="policy"]').textContent),
  );
  assert.deepEqual(await policy().then((p) => [p.immutabilityDurationDays, p.type]), [9, "Locked"]);
  await t.shot("access-locked-1280");
  noProblems();
});

test("a delete refused while the snapshot is immutable says why, and the snapshot stays", async () => {
  const snaps = await chain();
  const snap = snaps[snaps.length - 1];
  await t.client.lockImmutabilityPolicy(snap.id, { days: 2 });
  await openDisk(t, RG, DISK);
  const { page } = t;
  await page.click(`[data-testid="chain"] tr[data-name="${snap.name}"] [data-action="delete"]`);
  await page.fill('dialog input[name="confirm"]', snap.name);
  await page.click("#delete-submit");
  const card = '.op[data-kind="delete"][data-state="failed"] .error-card';
  await page.waitForSelector(card, { timeout: 20000 });
  assert.match(
    await text(`${card} .error-message`),
    /cannot be deleted: it is protected by a locked immutability policy until/,
  );
  const advice = await text(`${card} .error-advice`);
  assert.doesNotMatch(advice, /snapshot name/, "no advice about names");
  assert.match(advice, /does not allow this now/);
  assert.equal((await t.client.getSnapshot(snap.id)).id, snap.id, "still there");
  await t.shot("access-delete-refused-1280");
  noProblems(true);
});

test("narrow screen: the Access dialog fits 390 px", async () => {
  await t.page.setViewportSize({ width: 390, height: 844 });
  const snaps = await chain();
  const snap = snaps[snaps.length - 1];
  await t.client.setImmutabilityPolicy(snap.id, { days: 4 });
  await openAccess(snap.name);
  const { page } = t;
  await page.click('[data-action="grant"]');
  await page.waitForSelector('[data-testid="sas-url"]');
  const overflow = await page.evaluate(() => {
    const d = document.querySelector("dialog[open]");
    return Math.max(
      document.documentElement.scrollWidth - document.documentElement.clientWidth,
      d.scrollWidth - d.clientWidth,
    );
  });
  assert.ok(overflow <= 1, `no horizontal overflow (${overflow}px)`);
  await t.shot("access-grant-390", { fullPage: false });
  await page.$eval('[data-testid="access-immutability"]', (el) => el.scrollIntoView());
  await t.shot("access-immutability-390", { fullPage: false });
  noProblems();
});
