// The Retention view's worker panel in headless Chromium, against a real worker (workerd through
// miniflare, started here, its outbound requests sent to the page's emulator) and the emulator of
// the page: the worker URL typed in (remembered in sessionStorage), "Save this policy to the
// worker" (PUT with the user's demo ARM token: the worker asks the emulator for its permissions),
// the policy listed, "Run now", and the run's history row with the created snapshots. A foreign
// URL is refused before any request. Screenshots at 1280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createServer } from "node:net";
import { setup, connectDemo, openHash, shotsDir } from "./helpers.mjs";
import { bundle, COMPAT_DATE, WASM_RULES } from "../worker/helpers.mjs";

const RG = "rg-prod-westeurope";
const CLIENT_ID = "0a1b2c3d-0000-4000-8000-00000000f001";
const SECRET = "sp-secret-worker-panel-0123456789";

let t;
let mf;
let built;
let workerUrl;

before(async () => {
  t = await setup();
  const { Miniflare } = await import("miniflare");
  built = await bundle();
  const emu = new URL(t.emu.url);
  t.emu.registerServicePrincipal({ tenantId: t.emu.seedInfo.tenantId, clientId: CLIENT_ID, secret: SECRET });
  mf = new Miniflare({
    modules: true,
    scriptPath: join(built.outdir, "index.js"),
    modulesRoot: built.outdir,
    modulesRules: WASM_RULES,
    compatibilityDate: COMPAT_DATE,
    // every outbound request of the worker goes to the page's emulator (ARM, Entra, Blob)
    outboundService: { external: { address: `127.0.0.1:${emu.port}`, http: {} } },
    durableObjects: {
      REPLICATIONS: { className: "ReplicationJob", useSQLite: true },
      POLICY_STORE: { className: "PolicyStore", useSQLite: true },
      POLICY_RUNS: { className: "PolicyRun", useSQLite: true },
    },
    bindings: {
      ARM_ENDPOINT: t.emu.url,
      ALLOWED_ORIGINS: new URL(t.url).origin,
      AZURE_TENANT_ID: t.emu.seedInfo.tenantId,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: t.emu.url,
      POLICY_SPREAD_SECONDS: "0",
      POLICY_POLL_MS: "100",
    },
  });
  workerUrl = new URL(String(await mf.ready)).origin;
});

after(async () => {
  await Promise.allSettled([mf?.dispose(), t?.close()]);
  built?.cleanup();
});

async function openRetention() {
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${RG}`, "#open-retention");
  await t.page.click("#open-retention");
  await t.page.waitForSelector('#retention-preview[data-state="ready"]');
  await t.page.waitForSelector("#worker-panel");
}

test("worker panel: save the view's policy to the worker, run it, see the history row", async () => {
  await openRetention();
  const page = t.page;
  // a foreign http URL is refused on the page, before any request
  await page.fill('input[name="worker-url"]', "http://worker.example.com");
  await page.click("#worker-load");
  await page.waitForSelector("#worker-panel .field.invalid");
  assert.match(await page.textContent("#worker-panel .field-error"), /https/);

  // nothing listens there: the panel says so with a code, and shows no policy
  const closed = await new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  await page.fill('input[name="worker-url"]', `http://127.0.0.1:${closed}`);
  await page.click("#worker-load");
  await page.waitForFunction(() => /^NETWORK: /.test(document.querySelector(".wp-status-line").textContent));
  assert.match(await page.textContent(".wp-status-line"), /ALLOWED_ORIGINS/);
  // (the browser logs the refused connection as a console error: expected here, and only here)
  for (let i = t.problems.length - 1; i >= 0; i--)
    if (/ERR_CONNECTION_REFUSED/.test(t.problems[i])) t.problems.splice(i, 1);

  await page.fill('input[name="worker-url"]', workerUrl);
  await page.click("#worker-load");
  await page.waitForFunction(() =>
    /no policy for this scope/.test(document.querySelector("#worker-panel").textContent),
  );
  assert.equal(await page.evaluate(() => sessionStorage.getItem("ais.worker.url")), workerUrl, "remembered");

  // the view's policy (all disks of the group: their ids), saved with the user's token
  const name = await page.inputValue('input[name="policy-name"]');
  await page.click("#worker-save");
  await page.waitForSelector(`[data-testid="worker-policy"][data-name="${name}"]`);
  const stored = await mf.dispatchFetch(`http://worker.test/v1/policies/${name}`, {
    headers: { authorization: "Bearer demo-token" },
  });
  assert.equal(stored.status, 200);
  const policy = await stored.json();
  assert.deepEqual(policy.retention, { keepDaily: 3, keepWeekly: 2 });
  assert.equal(policy.scope.toLowerCase(), `/subscriptions/${t.sub}/resourceGroups/${RG}`.toLowerCase());

  // run now → the history row, read again until the run is done
  await page.click(`[data-testid="worker-run-now"][data-policy="${name}"]`);
  let done = false;
  for (let i = 0; i < 40 && !done; i++) {
    await new Promise((r) => setTimeout(r, 500));
    done = await page.evaluate(
      () =>
        !!document.querySelector(
          '[data-testid="worker-run"][data-status="succeeded"], [data-testid="worker-run"][data-status="completedWithErrors"]',
        ),
    );
    if (!done && i % 4 === 3) await page.click("#worker-load");
  }
  assert.ok(done, "a finished run is shown");
  const rows = await page.$$eval('[data-testid="worker-run"] tbody tr', (trs) =>
    trs.map((tr) => ({ status: tr.dataset.status, cells: [...tr.cells].map((c) => c.textContent) })),
  );
  assert.ok(rows.length >= 1, JSON.stringify(rows));
  for (const r of rows) {
    assert.equal(r.status, "succeeded", JSON.stringify(r));
    assert.match(r.cells[2], /-bp-\d{8}-\d{6}/, "the created snapshot's name");
  }
  const made = [...t.emu.state.snapshots.values()].filter((x) => x.tags?.["backup-policy"] === name);
  assert.equal(made.length, rows.length, "one snapshot per disk row");
  assert.match(await page.textContent('[data-testid="worker-run"]'), /run now/);

  await t.shot("worker-panel-1280");
  await page.locator("#worker-panel").screenshot({ path: join(shotsDir, "worker-panel-1280-panel.png") });
  await page.setViewportSize({ width: 390, height: 900 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at 390 px (${overflow} px)`);
  await t.shot("worker-panel-390");
  await page.locator("#worker-panel").screenshot({ path: join(shotsDir, "worker-panel-390-panel.png") });
  assert.deepEqual(t.problems, [], "no page error, CSP violation, console error or external request");
});
