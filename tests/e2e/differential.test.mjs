// Differential copy in the page, end to end in headless Chromium against the emulator (demo mode,
// its Blob service on the page's origin): the changed sizes of a chain equal the seed's known
// writes; a replication to a demo target finishes and the target's blob snapshots hold the source
// snapshots' bytes (read back in Node from the emulator); leaving the view stops reading changed
// sizes; an invalid target URL is a typed error. Each test starts from a freshly seeded emulator
// and a new page (t.fresh()).
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup, rowNames, openDisk, openHash } from "./helpers.mjs";

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

function noProblems() {
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
}

/** The seed's disk whose snapshots differ by known writes: seedInfo.content[0] with its rg and name. */
function seededDisk() {
  const info = t.emu.seedInfo.content?.[0];
  assert.ok(info, "the demo seed describes a disk's content (seedInfo.content)");
  const parts = info.diskId.split("/"); // "", subscriptions, sub, resourceGroups, rg, providers, ns, disks, name
  return { ...info, rg: parts[4], name: parts[8] };
}

/** The disk's chain as the package in Node reads it (oldest first). */
async function chainOf(d) {
  const chain = await t.client.listIncrementalSnapshots(d.diskId);
  assert.deepEqual(
    chain.map((s) => s.id.toLowerCase()),
    d.snapshots.map((id) => id.toLowerCase()),
    "the chain is the seed's",
  );
  return chain;
}

/** Every page either blob lists holds the same bytes in both (an unlisted page reads as zeros), and the lengths agree. */
function assertSameContent(source, target, what) {
  const blob = t.emu.blob;
  assert.equal(blob.properties(target.url, target.snapshot).size, blob.properties(source.url, source.snapshot).size);
  const ranges = [
    ...blob.pageList(source.url, { snapshot: source.snapshot }),
    ...blob.pageList(target.url, { snapshot: target.snapshot }),
  ].filter((r) => r.kind === "page");
  assert.ok(ranges.length > 0, `${what}: the source holds data`);
  for (const r of ranges) {
    const at = { offset: r.start, length: r.end - r.start + 1 };
    const a = blob.read(source.url, { snapshot: source.snapshot, ...at });
    const b = blob.read(target.url, { snapshot: target.snapshot, ...at });
    assert.ok(a.equals(b), `${what}: bytes ${r.start}–${r.end} differ`);
  }
}

test("changed sizes: each snapshot's bytes since its predecessor, as the seed wrote them; true size vs provisioned", async () => {
  const d = seededDisk();
  await openDisk(t, d.rg, d.name);
  const { page } = t;
  const chain = await chainOf(d);
  assert.deepEqual(
    await rowNames(page, "chain"),
    chain.map((s) => s.name),
  );
  assert.ok(chain.length >= 2, "a chain of at least two snapshots");
  await t.shot("diff-01-chain-before");
  await page.click("#show-changes");
  // 512 GiB: each pair is listed in 1 GiB windows (the package's default), 512 requests.
  await page.waitForSelector('[data-testid="changes-total"][data-complete="true"]', { timeout: 240000 });
  const shown = await page.$$eval('[data-testid="chain"] tbody tr[data-name]', (trs) =>
    trs.map((tr) => {
      const c = tr.querySelector('[data-testid="changed"]');
      return { name: tr.dataset.name, changed: Number(c.dataset.bytes), cleared: Number(c.dataset.cleared) };
    }),
  );
  // The first holds its valid bytes (the footer page included); each later one what was written
  // since the one before (rewrites included), its clears apart.
  const expected = chain.map((s, i) => {
    if (i === 0) return { name: s.name, changed: d.full.bytes, cleared: 0 };
    const e = d.diffs.find((x) => x.to.toLowerCase() === s.id.toLowerCase());
    assert.ok(e, `the seed says what ${s.name} changed`);
    return { name: s.name, changed: e.writtenBytes, cleared: e.clearedBytes };
  });
  assert.deepEqual(shown, expected);
  // The chain's true size is the sum, against the provisioned sizes ARM reports.
  const used = Number(await page.getAttribute('[data-testid="changes-total"]', "data-used-bytes"));
  assert.equal(
    used,
    expected.reduce((n, e) => n + e.changed, 0),
  );
  assert.match(await page.textContent('[data-testid="changes-total"]'), /True size of the chain: .* provisioned/);
  // Cached in memory: the snapshots tab shown again has them at once, the button done.
  await page.click("#disk-tab-export");
  await page.click("#disk-tab-snapshots");
  await page.waitForSelector('[data-testid="changes-total"][data-complete="true"]');
  assert.ok(await page.isDisabled("#show-changes"));
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
  await t.shot("diff-02-changed-sizes");
  noProblems();
});

test("replicate to a demo target: progress per snapshot, target snapshots hold the source snapshots' bytes", async () => {
  const d = seededDisk();
  await openDisk(t, d.rg, d.name);
  const { page } = t;
  const chain = await chainOf(d);
  await page.click("#disk-tab-replicate");
  await page.waitForSelector('[data-testid="replicate-cors"]');
  assert.match(await page.textContent('[data-testid="replicate-cors"]'), /CORS/);
  assert.match(await page.textContent('[data-testid="replicate-cors"]'), /stops when the tab is closed/);
  assert.match(await page.textContent('[data-testid="replicate-cors"]'), /POST \/v1\/replications/);
  await page.click("#replicate-demo-target");
  await page.waitForFunction(() => document.querySelector("#replicate-target").value.startsWith("http"));
  const targetUrl = await page.inputValue("#replicate-target");
  await t.shot("diff-03-replicate-form");
  const states = page.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = new Set();
        const obs = new MutationObserver(() => {
          for (const tr of document.querySelectorAll('[data-testid="replicate-rows"] tbody tr'))
            seen.add(`${tr.dataset.name}:${tr.dataset.state}`);
          const run = document.querySelector('[data-testid="replicate-run"]');
          if (run && run.dataset.state !== "running") {
            obs.disconnect();
            resolve([...seen, `run:${run.dataset.state}`]);
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true });
      }),
  );
  await page.click("#replicate-start");
  await page.waitForSelector('[data-testid="replicate-run"][data-state="succeeded"]', { timeout: 240000 });
  const seen = await states;
  assert.ok(seen.includes("run:succeeded"), seen.join(" "));
  assert.ok(
    seen.some((s) => s.endsWith(":copying")),
    `a snapshot was shown copying: ${seen.join(" ")}`,
  );
  const rows = await page.$$eval('[data-testid="replicate-rows"] tbody tr', (trs) =>
    trs.map((tr) => ({ name: tr.dataset.name, state: tr.dataset.state, targetSnapshot: tr.dataset.targetSnapshot })),
  );
  assert.deepEqual(
    rows.map((r) => r.name),
    chain.map((s) => s.name),
  );
  assert.ok(rows.every((r) => r.state === "done" && r.targetSnapshot));
  assert.match(await page.textContent(".op[data-kind='replicate']"), /replicated/);
  // In Node: each target snapshot holds exactly the bytes of its source snapshot.
  for (const [i, snap] of chain.entries()) {
    const { accessSAS } = await t.client.grantAccess(snap.id, { durationInSeconds: 600 });
    try {
      assertSameContent(
        { url: accessSAS, snapshot: new URL(accessSAS).searchParams.get("snapshot") },
        { url: targetUrl, snapshot: rows[i].targetSnapshot },
        snap.name,
      );
    } finally {
      await t.client.revokeAccess(snap.id);
    }
  }
  // Neither the URL nor the checkpoint is stored.
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  await t.shot("diff-04-replicated");
  noProblems();
});

test("leaving the disk view stops reading changed sizes", async () => {
  const d = seededDisk();
  await openDisk(t, d.rg, d.name);
  const { page } = t;
  // Slow page-range listings, so the run is still on its first pair when the view is left.
  t.emu.blob.addFault({ route: "GET comp=pagelist", kind: "latency", ms: 1500, count: -1 });
  const pagelists = () => t.emu.blob.requests.filter((r) => r.method === "GET" && r.query?.includes("comp")).length;
  await page.click("#show-changes");
  await page.waitForSelector('#show-changes[data-state="running"]');
  await page.waitForSelector('[data-testid="changed"] >> text=reading…');
  await page.waitForTimeout(300);
  await openHash(t, `#/s/${t.sub}/rg/${d.rg}`, '[data-testid="disks"] tbody tr[data-key]');
  const atLeave = pagelists();
  await page.waitForTimeout(4000);
  // At most the listing in flight when the view was left finishes; no next pair starts.
  assert.ok(pagelists() <= atLeave + 1, `no further listing after leaving (${atLeave} → ${pagelists()})`);
  assert.equal(await page.$$eval("#alerts .alert", (a) => a.length), 0, "no error shown for the abort");
  // Back on the disk: nothing was cached, the button offers to read again.
  t.emu.blob.clearFaults();
  await openHash(t, `#/s/${t.sub}/rg/${d.rg}/disk/${d.name}`, '[data-testid="chain"] tbody tr[data-name]');
  assert.equal((await page.textContent("#show-changes")).trim(), "Show changed sizes");
  assert.ok(!(await page.isDisabled("#show-changes")));
  await t.shot("diff-05-after-leaving");
  noProblems();
});

test("an invalid target URL is a typed error in the page", async () => {
  const d = seededDisk();
  await openDisk(t, d.rg, d.name);
  const { page, lib } = t;
  await page.click("#disk-tab-replicate");
  const puts = () => t.emu.blob.requests.filter((r) => r.method === "PUT").length;
  const putsBefore = puts();
  await page.fill("#replicate-target", "not a url");
  await page.click("#replicate-start");
  await page.waitForSelector('[data-testid="replicate-run"][data-state="failed"] .error-card');
  const code = await page.getAttribute('[data-testid="replicate-run"] .error-card', "data-code");
  assert.ok(lib.errorCodes().includes(code), `a code of the package: ${code}`);
  assert.equal(code, "INVALID_ARGUMENT");
  assert.match(await page.textContent('[data-testid="replicate-run"] .error-card'), /targetUrl/);
  // The tray says the same, and nothing was written to the emulator's Blob service.
  await page.waitForSelector('.op[data-kind="replicate"][data-state="failed"]');
  assert.equal(puts(), putsBefore, "no blob write");
  await t.shot("diff-06-invalid-target");
  noProblems();
});
