// Shared setup of the end-to-end tests: the page, the package and the ARM emulator on one origin
// (scripts/serve.mjs's start() on a free port), headless Chromium through playwright-core, the
// built package in Node for independent expectations, and screenshots under test-output/.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { start } from "../../scripts/serve.mjs";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const shotsDir = join(root, "test-output", "screenshots");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/**
 * Start everything; returns { server, emu, browser, context, page, lib, problems, shot(name), close() }.
 * `contextOptions`: more options of every browser context (e.g. `{ timezoneId: "Asia/Kolkata" }`).
 */
export async function setup({
  viewport = { width: 1280, height: 900 },
  emulator = {},
  routedHosts = [],
  contextOptions = {},
} = {}) {
  mkdirSync(shotsDir, { recursive: true });
  const lib = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
  // Retry-After 0 keeps the long-running operations quick; everything else is the demo as served.
  const server = await start({ port: 0, quiet: true, emulator: { retryAfterSeconds: 0, ...emulator } });
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
      timeout: 30000,
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const emu = server.emulator;
  const origin = new URL(server.url).origin;
  const problems = [];
  const routed = [];
  const t = { server, emu, browser, lib, problems, routed, url: server.url, sub: emu.seedInfo.subscriptionId };
  // A new context and page (no cookies, storage or routes of an earlier one), watched for problems.
  const openPage = async () => {
    const context = await browser.newContext({ viewport, acceptDownloads: true, ...contextOptions });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.setDefaultNavigationTimeout(15000);
    // Anything the page reports as an error, a CSP violation or an uncaught exception fails a test.
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (
        m.type() === "error" &&
        !/Failed to load resource: the server responded with a status of (401|403|404|429)/.test(m.text())
      )
        problems.push(`console.error: ${m.text()}`);
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`);
    });
    // No request may leave the machine.
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (routedHosts.includes(u.hostname)) return; // answered by page.route from the emulator, never sent out
      if (!["127.0.0.1", "localhost"].includes(u.hostname) && !["blob:", "data:"].includes(u.protocol))
        problems.push(`external request: ${r.url()}`);
    });
    // A cloud's ARM endpoint answered by the local emulator: the request never leaves the machine.
    for (const host of routedHosts) {
      await context.route(`https://${host}/**`, async (route) => {
        const req = route.request();
        const u = new URL(req.url());
        routed.push({
          host,
          method: req.method(),
          path: u.pathname,
          authorization: req.headers().authorization || null,
        });
        const response = await route.fetch({ url: `${emu.url}${u.pathname}${u.search}`, maxRedirects: 0 });
        await route.fulfill({ response });
      });
    }
    return { context, page };
  };
  Object.assign(t, await openPage());
  const client = new lib.ArmClient({
    token: "e2e-check",
    endpoint: emu.url,
    pollIntervalMs: 10,
    completionPollMs: 10,
    retryDelayMs: 10,
  });
  return Object.assign(t, {
    client,
    /**
     * A test's own state: the emulator back to its seed (no faults, no recorded requests), a new
     * browser context and page, and no problems or routed requests of an earlier test.
     */
    async fresh() {
      await t.context.close().catch(() => {});
      emu.reset();
      emu.clearFaults();
      emu.resetRequests();
      problems.length = 0;
      routed.length = 0;
      Object.assign(t, await openPage());
      return t;
    },
    async shot(name, options = {}) {
      const path = join(shotsDir, `${name}.png`);
      await t.page.screenshot({ path, fullPage: true, ...options });
      return path;
    },
    async close() {
      await browser?.close().catch(() => {});
      await server.close();
    },
  });
}

export const diskId = (sub, rg, name) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;

/** Texts of a table's first-column cells of a kind, in order: names of the rows. */
export async function rowNames(page, testid) {
  return page.$$eval(`[data-testid="${testid}"] tbody tr[data-name]`, (trs) => trs.map((tr) => tr.dataset.name));
}

/** Open the page and connect in demo mode; resolves on the resource groups of the one subscription. */
export async function connectDemo(t) {
  await t.page.goto(t.url);
  await t.page.click("#connect-demo");
  await t.page.waitForSelector('[data-testid="resource-groups"] tbody tr[data-key]');
}

/** Go to a route of the connected page by its hash, and wait for `selector`. */
export async function openHash(t, hash, selector) {
  await t.page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await t.page.waitForSelector(selector);
}

/** Connect in demo mode and open a disk's view; resolves when its chain table is shown. */
export async function openDisk(t, rg, disk) {
  await connectDemo(t);
  await openHash(t, `#/s/${t.sub}/rg/${rg}/disk/${disk}`, '[data-testid="chain"] tbody tr[data-name]');
}
