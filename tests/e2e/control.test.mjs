// The emulator's control API from real browser pages: the demo page (same origin) gets the run's
// secret from GET /__emulator and its "simulate throttling" button works; a page of another origin
// can neither read the secret nor change anything, with simple requests or with CORS.
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { setup } from "./helpers.mjs";

let t;

before(async () => {
  t = await setup();
});

// Each test: a freshly seeded emulator (no faults) and a new browser context.
beforeEach(async () => {
  await t.fresh();
});

after(async () => {
  await t?.close();
});

test("the demo page reads the control secret from its own server and injects a fault with it", async () => {
  const { page, emu } = t;
  await page.goto(t.url);
  await page.waitForSelector("#connect-demo");
  await page.click("#connect-demo");
  await page.waitForSelector('[data-simulate="throttle"]');
  assert.deepEqual(emu.faults.describe(), []);
  emu.resetRequests();
  try {
    await page.click('[data-simulate="throttle"]');
    // The page re-renders at once, so some of the four 429s may already have been served.
    const throttled = () => emu.requests.filter((r) => r.fault === "throttle").length;
    const left = () =>
      emu.faults
        .describe()
        .filter((f) => f.kind === "throttle")
        .reduce((n, f) => n + f.count, 0);
    const deadline = Date.now() + 10000;
    while (throttled() + left() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(throttled() + left(), 4, "the button's fault (four 429s) was added through the control API");
    assert.ok(await page.isVisible("text=The next read will be throttled"), "the page says so");
  } finally {
    emu.clearFaults();
  }
  assert.deepEqual(t.problems, [], "no page error, CSP violation or console error");
});

test("a page of another origin cannot read the secret or change the emulator", async () => {
  const { context, emu } = t;
  const foreign = "http://foreign.test";
  await context.route(`${foreign}/**`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>foreign</title>" }),
  );
  const page = await context.newPage();
  try {
    await page.goto(`${foreign}/`);
    const before = JSON.stringify({
      faults: emu.faults.describe(),
      pageSize: emu.options.pageSize,
      now: Math.round(emu.store.now() / 60000),
    });
    const result = await page.evaluate(async (base) => {
      const out = {};
      const attempt = async (name, fn) => {
        try {
          out[name] = await fn();
        } catch (e) {
          out[name] = `error: ${e.name}`;
        }
      };
      // simple requests: sent without a preflight, the answer opaque
      await attempt(
        "simpleFault",
        async () =>
          (
            await fetch(`${base}/__emulator/faults`, {
              method: "POST",
              mode: "no-cors",
              headers: { "content-type": "text/plain" },
              body: JSON.stringify({ route: "*", kind: "drop", count: -1 }),
            })
          ).type,
      );
      await attempt(
        "simpleOptions",
        async () =>
          (
            await fetch(`${base}/__emulator/options`, {
              method: "POST",
              mode: "no-cors",
              body: JSON.stringify({ pageSize: 1 }),
            })
          ).type,
      );
      await attempt(
        "simpleClock",
        async () =>
          (
            await fetch(`${base}/__emulator/clock`, {
              method: "POST",
              mode: "no-cors",
              body: JSON.stringify({ advanceMs: 86400000 }),
            })
          ).type,
      );
      // reading the info (and its secret) with CORS
      await attempt("readInfo", async () => JSON.stringify(await (await fetch(`${base}/__emulator`)).json()));
      // a guessed secret with CORS: the preflight is refused
      await attempt(
        "corsFault",
        async () =>
          (
            await fetch(`${base}/__emulator/faults`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-emulator-secret": "0".repeat(64) },
              body: "{}",
            })
          ).status,
      );
      return out;
    }, emu.url);
    assert.equal(result.readInfo, "error: TypeError", `the info is not readable: ${result.readInfo}`);
    assert.equal(result.corsFault, "error: TypeError", "the preflight for x-emulator-secret is refused");
    for (const k of ["simpleFault", "simpleOptions", "simpleClock"])
      assert.ok(["opaque", "error: TypeError"].includes(result[k]), `${k}: ${result[k]}`);
    const after = JSON.stringify({
      faults: emu.faults.describe(),
      pageSize: emu.options.pageSize,
      now: Math.round(emu.store.now() / 60000),
    });
    assert.equal(after, before, "nothing changed");
    const r = await fetch(`${emu.url}/subscriptions?api-version=2022-12-01`, {
      headers: { authorization: "Bearer x" },
    });
    assert.equal(r.status, 200, "the emulator still serves");
  } finally {
    await page.close();
  }
});
