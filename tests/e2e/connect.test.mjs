// The two Azure connection modes without Azure: a pasted token with the cloud chosen (the cloud's
// ARM endpoint is answered by the local emulator through Playwright's request routing, so nothing
// leaves the machine), and Entra ID sign-in's library loading under the page's CSP.
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup } from "./helpers.mjs";

let t;
// Tokens shaped as ARM access tokens are (JWTs: header.claims.signature, base64url; not signed by
// anyone: the emulator takes any bearer token). The page refuses anything else before sending it.
const GOV_TOKEN =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQudXNnb3ZjbG91ZGFwaS5uZXQvIn0.c2lnbmF0dXJl";
const EXPIRED_TOKEN =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJl";
const HOSTS = ["management.azure.com", "management.usgovcloudapi.net", "management.chinacloudapi.cn"];

before(async () => {
  t = await setup({ routedHosts: HOSTS });
});

// Each test: a freshly seeded emulator, a new page, no routed requests or problems of another.
beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

/** Open the page on its connect view. */
async function openConnect() {
  await t.page.goto(`${t.url}#/connect`);
  await t.page.waitForSelector("#tab-token");
}

async function pasteToken(cloud, token) {
  const { page } = t;
  await page.click("#tab-token");
  await page.selectOption("#panel-token select", cloud);
  await page.fill("#panel-token textarea", token);
  await page.click('#panel-token button[type="submit"]');
}

test("paste a token for US Government: requests go to that cloud's ARM endpoint with the token", async () => {
  const { page } = t;
  await page.goto(t.url);
  await page.waitForSelector("#tab-token");
  await pasteToken("AzureUSGovernment", `  Bearer ${GOV_TOKEN} \n`);
  await page.waitForSelector('[data-testid="resource-groups"] tbody tr[data-key]');
  assert.match(await page.textContent("#session"), /Azure US Government.*Pasted token/s);
  assert.ok(t.routed.length > 0);
  assert.ok(
    t.routed.every((r) => r.host === "management.usgovcloudapi.net"),
    "only the chosen cloud",
  );
  assert.ok(
    t.routed.filter((r) => r.method !== "OPTIONS").every((r) => r.authorization === `Bearer ${GOV_TOKEN}`),
    "the pasted token, trimmed",
  );
  assert.equal(await page.$("#demo-banner:not([hidden])"), null, "no demo label for Azure");
  await t.shot("20-token-usgov");
  // Sign out: the session is gone, nothing was stored.
  await page.click("#sign-out");
  await page.waitForSelector("#tab-token");
  assert.match(await page.textContent("#session"), /Not connected/);
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  const before = t.routed.length;
  await page.evaluate(() => {
    location.hash = "#/subscriptions";
  });
  await page.waitForSelector("#tab-token");
  assert.equal(t.routed.length, before, "no request after sign-out");
  assert.deepEqual(t.problems, []);
});

test("an expired pasted token is refused on connect with ARM's code and request id", async () => {
  await openConnect();
  const { page } = t;
  // ARM's answer to an expired token (the emulator's fault with ARM's code).
  t.emu.addFault({ route: "GET /subscriptions?", kind: "status", status: 401, code: "ExpiredAuthenticationToken" });
  await pasteToken("AzureCloud", EXPIRED_TOKEN);
  const card = '#panel-token .error-card[data-code="UNAUTHORIZED"]';
  await page.waitForSelector(card);
  assert.equal((await page.textContent(`${card} .fact-arm-code`)).trim(), "ExpiredAuthenticationToken");
  assert.match((await page.textContent(`${card} .fact-request-id`)).trim(), /^[0-9a-f-]{36}$/);
  assert.equal(t.routed.at(-1).host, "management.azure.com");
  assert.match(await page.textContent("#session"), /Not connected/);
  await t.shot("21-token-expired");
  assert.deepEqual(
    t.problems.filter((p) => !/status of 401/.test(p)),
    [],
  );
});

test("a pasted token with an invisible character is refused before any request, naming the character and where it is", async () => {
  await openConnect();
  const { page } = t;
  const before = t.routed.length;
  const pasted = "eyJhbGciOi\u200bJSUzI1NiJ9.e30.sig";
  await pasteToken("AzureCloud", pasted);
  const card = '#panel-token .error-card[data-code="INVALID_ARGUMENT"]';
  await page.waitForSelector(card);
  const text = await page.textContent(card);
  assert.match(text, /U\+200B/, text);
  assert.match(text, /ZERO WIDTH SPACE/, text);
  assert.match(text, /position 11\b/, text);
  assert.equal(t.routed.length, before, "nothing was sent to ARM");
  assert.equal(await page.inputValue("#panel-token textarea"), pasted, "the pasted text stays, to be fixed");
  assert.match(await page.textContent("#session"), /Not connected/);
  await t.shot("22-token-invisible-char");
  assert.deepEqual(t.problems, []);
});

test("Entra ID: settings from the query string; the library loads lazily under the CSP and keeps nothing in storage", async () => {
  const { page } = t;
  const loaded = [];
  page.on("request", (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(`${t.url}?mode=entra&cloud=AzureChinaCloud&tenant=contoso.partner.onmschina.cn`);
  await page.waitForSelector("#panel-entra");
  assert.equal(await page.inputValue("#panel-entra select >> nth=0"), "AzureChinaCloud");
  assert.match(
    await page.textContent("#panel-entra code.scope"),
    /^https:\/\/management\.chinacloudapi\.cn\/\.default$/,
  );
  assert.ok(!loaded.some((p) => p.includes("msal")), "not loaded before it is needed");
  // No client id: a plain message, no sign-in attempt.
  await page.click('#panel-entra button[type="submit"]');
  await page.waitForSelector('#panel-entra .error-card[data-code="INVALID_ARGUMENT"]');
  await t.shot("22-entra-form");
  // The bundled library itself: imports under the CSP and builds a client with memory storage.
  const info = await page.evaluate(async () => {
    const msal = await import("/vendor/msal-browser.mjs");
    const pca = await msal.createStandardPublicClientApplication({
      auth: {
        clientId: "00000000-0000-0000-0000-000000000001",
        authority: "https://login.chinacloudapi.cn/common",
        redirectUri: location.origin + "/",
      },
      cache: { cacheLocation: "memoryStorage" },
    });
    return { popup: typeof pca.loginPopup, silent: typeof pca.acquireTokenSilent, stored: localStorage.length };
  });
  assert.deepEqual(info, { popup: "function", silent: "function", stored: 0 });
  assert.deepEqual(t.problems, []);
});
