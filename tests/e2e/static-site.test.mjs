// The page as a static site (scripts/build-site.mjs) on a plain static file server with no code
// of ours and no emulator behind it: it loads the package and the bundled sign-in library under
// its CSP, offers Azure only (no demo), and works against "Azure" with a pasted token. The public
// cloud's ARM host is answered by a local emulator through Playwright's routing, so nothing leaves
// the machine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { chromium } from "playwright-core";
import { buildSite } from "../../scripts/build-site.mjs";
import { startEmulator } from "../../emulator/index.mjs";
import { CHROMIUM_ARGS } from "./helpers.mjs";

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};
let dir, server, url, emu, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ais-site-"));
  const { files } = await buildSite(join(dir, "site"));
  assert.ok(files.some((f) => f.file === "pkg/azure_incremental_snapshots_bg.wasm"));
  const siteRoot = join(dir, "site");
  // A static host: files only, nothing else (404 for /__emulator and every other path).
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(siteRoot, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(siteRoot + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${server.address().port}/`;
  emu = await startEmulator({ port: 0, seed: "demo", retryAfterSeconds: 0 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    timeout: 30000,
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await emu?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the static site offers Azure only, loads under its CSP, and works with a pasted token", async () => {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  const routed = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on("request", (r) => {
    const host = new URL(r.url()).hostname;
    if (host !== "127.0.0.1" && host !== "management.azure.com") problems.push(`external request: ${r.url()}`);
  });
  await page.route("https://management.azure.com/**", async (route) => {
    const u = new URL(route.request().url());
    routed.push({
      method: route.request().method(),
      path: u.pathname,
      authorization: route.request().headers().authorization ?? null,
    });
    await route.fulfill({
      response: await route.fetch({ url: `${emu.url}${u.pathname}${u.search}`, maxRedirects: 0 }),
    });
  });

  await page.goto(url);
  await page.waitForSelector("#tab-token");
  assert.equal(await page.$("#tab-demo"), null, "no demo without the emulator");
  await page.click("#tab-token");
  await page.selectOption("#panel-token select", "AzureCloud");
  // Shaped as an access token (a JWT); the emulator takes any bearer token.
  const token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.c2l0ZQ";
  await page.fill("#panel-token textarea", token);
  await page.click('#panel-token button[type="submit"]');
  await page.waitForSelector('[data-testid="resource-groups"] tbody tr[data-key]');
  const groups = await page.$$eval('[data-testid="resource-groups"] tbody tr[data-key]', (rows) => rows.length);
  assert.equal(groups, emu.seedInfo.resourceGroups.length, "every resource group of the subscription");
  assert.ok(
    routed.length > 0 &&
      routed.filter((r) => r.method !== "OPTIONS").every((r) => r.authorization === `Bearer ${token}`),
  );
  // The sign-in library is part of the site and imports under the CSP.
  const msal = await page.evaluate(
    async () => typeof (await import("/vendor/msal-browser.mjs")).PublicClientApplication,
  );
  assert.equal(msal, "function");
  assert.deepEqual(problems, []);
});
