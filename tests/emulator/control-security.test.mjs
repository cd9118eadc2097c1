// The control API /__emulator/... against a hostile web page and hostile input: a per-run secret
// (x-emulator-secret), same-origin only unless an origin is listed, no CORS for foreign pages,
// patterns that are text or globs (never regular expressions), bounded sizes, 400 for bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { start, call, snapPath } from "./helpers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EVIL = "https://evil.example.com";

/** A raw HTTP request (so Origin, Host and Sec-Fetch-* can be set freely). */
function raw(emu, method, p, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const payload =
      body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const h = { ...headers };
    if (payload) h["content-length"] = String(payload.length);
    const req = http.request({ host: "127.0.0.1", port: emu.port, method, path: p, headers: h }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json, ms: performance.now() - t0 });
      });
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${p}: no answer in 5 s`)));
    req.end(payload);
  });
}

/** A control call with the secret (unless told otherwise). */
const ctl = (emu, method, p, body, { secret = emu.controlSecret, headers = {} } = {}) =>
  raw(emu, method, `/__emulator${p}`, {
    body,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(secret ? { "x-emulator-secret": secret } : {}),
      ...headers,
    },
  });

function assertArmError(r, status, where) {
  assert.equal(r.status, status, `${where}: ${r.text}`);
  assert.equal(typeof r.body?.error?.code, "string", `${where}: ARM error body (${r.text})`);
  assert.equal(typeof r.body.error.message, "string", where);
  assert.equal(r.headers["x-ms-error-code"], r.body.error.code, where);
}

function snapshotOfState(emu) {
  return JSON.stringify({
    faults: emu.faults.describe(),
    options: emu.options.pageSize,
    lro: emu.options.lroPolls,
    now: Math.round(emu.store.now() / 60000),
    seed: emu.seedInfo.snapshots,
    requests: emu.requests.length,
  });
}

async function demo(t, opts = {}) {
  const emu = await start({ seed: "demo", lroPolls: 0, ...opts });
  t.after(() => emu.close());
  return emu;
}

test("control secret: random per run, at least 128 bits, only same-origin callers get it from GET /__emulator", async (t) => {
  const a = await demo(t);
  const b = await demo(t);
  assert.match(a.controlSecret, /^[0-9a-f]{64}$/);
  assert.notEqual(a.controlSecret, b.controlSecret);
  // same-origin: no Origin (Node, curl, a same-origin GET in a browser), or the emulator's own origin
  for (const headers of [
    {},
    { origin: a.url },
    { "sec-fetch-site": "same-origin" },
    { origin: a.url.replace("127.0.0.1", "localhost"), host: `localhost:${a.port}` },
  ]) {
    const r = await raw(a, "GET", "/__emulator", { headers });
    assert.equal(r.status, 200, `${JSON.stringify(headers)}: ${r.text}`);
    assert.equal(r.body.controlSecret, a.controlSecret, JSON.stringify(headers));
    assert.ok(r.body.seedInfo);
  }
  // a foreign page: 403, no CORS, no secret
  for (const headers of [
    { origin: EVIL },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
    { origin: "null" },
    { origin: `http://127.0.0.1:${a.port + 1}` },
  ]) {
    const r = await raw(a, "GET", "/__emulator", { headers });
    assertArmError(r, 403, JSON.stringify(headers));
    assert.equal(r.headers["access-control-allow-origin"], undefined, "no CORS for a foreign page");
    assert.ok(!r.text.includes(a.controlSecret));
  }
  // DNS rebinding: the page's host name resolves to 127.0.0.1, the request is "same-origin" for it
  const r = await raw(a, "GET", "/__emulator", { headers: { host: `evil.example.com:${a.port}` } });
  assertArmError(r, 403, "foreign Host");
  assert.ok(!r.text.includes(a.controlSecret));
  // the emulator object and the info never show it elsewhere
  const faults = await ctl(a, "GET", "/faults");
  assert.ok(!faults.text.includes(a.controlSecret));
});

test("cross-origin simple POSTs without the secret: 403 and nothing changes", async (t) => {
  const emu = await demo(t);
  const before = snapshotOfState(emu);
  const simple = { "content-type": "text/plain", origin: EVIL, "sec-fetch-site": "cross-site" };
  const attempts = [
    ["POST", "/faults", { route: "*", kind: "drop", count: -1 }],
    ["POST", "/reset", { seed: "empty" }],
    ["POST", "/clock", { advanceMs: 86400000 }],
    ["POST", "/options", { pageSize: 1, lroPolls: 50 }],
    ["DELETE", "/faults"],
    ["DELETE", "/requests"],
    ["GET", "/requests"],
    ["GET", "/faults"],
  ];
  for (const [m, p, body] of attempts) {
    // a foreign page, no secret
    let r = await raw(emu, m, `/__emulator${p}`, { headers: simple, body });
    assertArmError(r, 403, `${m} ${p} cross-origin`);
    assert.equal(r.headers["access-control-allow-origin"], undefined);
    // a foreign page that somehow has the secret: still refused (not same-origin, not listed)
    r = await raw(emu, m, `/__emulator${p}`, { headers: { ...simple, "x-emulator-secret": emu.controlSecret }, body });
    assertArmError(r, 403, `${m} ${p} cross-origin with the secret`);
    // same origin, but no secret, a wrong one, one of another length, in another casing
    for (const secret of [
      undefined,
      "0".repeat(64),
      "x",
      emu.controlSecret.toUpperCase(),
      `${emu.controlSecret}0`,
      emu.controlSecret.slice(1),
      "",
    ]) {
      r = await raw(emu, m, `/__emulator${p}`, {
        headers: {
          "content-type": "application/json",
          ...(secret !== undefined ? { "x-emulator-secret": secret } : {}),
        },
        body,
      });
      assertArmError(r, 403, `${m} ${p} secret ${JSON.stringify(secret)}`);
    }
  }
  assert.equal(snapshotOfState(emu), before, "state unchanged");
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200, "no fault was added");
  // with the secret, same origin: accepted
  assert.equal((await ctl(emu, "POST", "/faults", { route: "GET /nothing-matches-this", kind: "status" })).status, 201);
  assert.equal(
    (
      await ctl(
        emu,
        "POST",
        "/faults",
        { route: "GET /nothing-matches-this", kind: "status" },
        { headers: { origin: emu.url } },
      )
    ).status,
    201,
  );
});

test("CORS: a foreign preflight to the control API is refused; ARM preflights never allow x-emulator-secret", async (t) => {
  const emu = await demo(t);
  let r = await raw(emu, "OPTIONS", "/__emulator/faults", {
    headers: {
      origin: EVIL,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, x-emulator-secret",
    },
  });
  assert.equal(r.status, 403);
  assert.equal(r.headers["access-control-allow-origin"], undefined);
  assert.ok(!String(r.headers["access-control-allow-headers"] || "").includes("x-emulator-secret"));
  r = await raw(emu, "OPTIONS", snapPath(emu.seedInfo.subscriptionId, "rg-dev", "x"), {
    headers: {
      origin: EVIL,
      "access-control-request-method": "PUT",
      "access-control-request-headers": "authorization, x-emulator-secret",
    },
  });
  assert.equal(r.status, 204, "ARM routes stay open to browser callers");
  assert.ok(r.headers["access-control-allow-headers"].includes("authorization"));
  assert.ok(!r.headers["access-control-allow-headers"].toLowerCase().includes("x-emulator-secret"));
});

test("allowedControlOrigins: a listed origin (a test runner page) may call with the secret after a preflight", async (t) => {
  const emu = await demo(t, { allowedControlOrigins: ["http://runner.test:9999", "http://127.0.0.1:*"] });
  for (const origin of ["http://runner.test:9999", "http://127.0.0.1:45678"]) {
    let r = await raw(emu, "OPTIONS", "/__emulator/faults", {
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-emulator-secret",
      },
    });
    assert.equal(r.status, 204, origin);
    assert.equal(r.headers["access-control-allow-origin"], origin);
    assert.ok(r.headers["access-control-allow-headers"].includes("x-emulator-secret"));
    r = await ctl(
      emu,
      "POST",
      "/faults",
      { route: "GET /nothing", kind: "status" },
      { headers: { origin, "sec-fetch-site": "same-site" } },
    );
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers["access-control-allow-origin"], origin);
    // without the secret: 403
    r = await ctl(
      emu,
      "POST",
      "/faults",
      { route: "GET /nothing", kind: "status" },
      { secret: null, headers: { origin } },
    );
    assertArmError(r, 403, `${origin} without secret`);
    // the info, but not the secret: a listed origin is not the page's own
    r = await raw(emu, "GET", "/__emulator", { headers: { origin } });
    assert.equal(r.status, 200);
    assert.equal(r.body.controlSecret, undefined);
  }
  // other origins are still foreign
  const r = await ctl(
    emu,
    "POST",
    "/faults",
    { route: "GET /x", kind: "status" },
    { headers: { origin: "http://runner.test:9998" } },
  );
  assertArmError(r, 403, "unlisted origin");
  await assert.rejects(start({ allowedControlOrigins: ["*"] }), /allowedControlOrigins/);
  await assert.rejects(start({ allowedControlOrigins: "http://x" }), /allowedControlOrigins/);
});

test("fault routes are literal text or * globs: a catastrophic regex is answered at once and matches only itself", async (t) => {
  const emu = await demo(t);
  const sub = emu.seedInfo.subscriptionId;
  for (const route of ["GET (a+)+$", "GET re:(a+)+$", "GET re:^(a|aa)+$", "(.*a){20}", "GET *(a+)+$*"]) {
    const r = await ctl(emu, "POST", "/faults", { route, kind: "status", status: 503, count: -1 });
    assert.equal(r.status, 201, `${route}: ${r.text}`);
  }
  const long = `/subscriptions/${"a".repeat(5000)}!`;
  const r = await raw(emu, "GET", `${long}?api-version=2022-12-01`, { headers: { authorization: "Bearer x" } });
  assert.equal(r.status, 404, r.text);
  assert.ok(r.ms < 100, `answered in ${r.ms.toFixed(1)} ms`);
  // the literal text does match
  const lit = await raw(emu, "GET", "/subscriptions/(a+)+$?api-version=2022-12-01", {
    headers: { authorization: "Bearer x" },
  });
  assert.equal(lit.status, 503);
  await ctl(emu, "DELETE", "/faults");
  // globs: * is any run of characters, everything else (. ? [ ] ^ $ \) is literal; case-insensitive
  assert.equal(
    (await ctl(emu, "POST", "/faults", { route: "GET /subscriptions/*/RESOURCEGROUPS", kind: "status", status: 503 }))
      .status,
    201,
  );
  assert.equal(
    (await ctl(emu, "POST", "/faults", { route: "GET /subscriptions/....", kind: "status", status: 502, count: -1 }))
      .status,
    201,
  );
  assert.equal((await call(emu, "GET", `/subscriptions/${sub}`)).status, 200, "dots are not wildcards");
  assert.equal((await call(emu, "GET", `/subscriptions/${sub}/resourcegroups`, { api: "2021-04-01" })).status, 503);
  assert.equal((await call(emu, "GET", `/subscriptions/${sub}/resourcegroups`, { api: "2021-04-01" })).status, 200);
  // a RegExp object can only come from code in the same process; JSON cannot carry one
  assert.equal(emu.faults.describe().length, 1);
});

test("bounds: body size, seeds, clock, options and faults are bounded; bad input is 400, never a 500 or a hang", async (t) => {
  const emu = await demo(t);
  const before = snapshotOfState(emu);
  // a control body over 64 KiB: 413
  let r = await ctl(emu, "POST", "/faults", `[${Array(20000).fill('{"kind":"status","route":"*"}').join(",")}]`);
  assertArmError(r, 413, "huge body");
  r = await ctl(emu, "POST", "/reset", `{"seed":"${"x".repeat(70 * 1024)}"}`);
  assertArmError(r, 413, "huge seed text");
  // not JSON, wrong types
  for (const [p, body] of [
    ["/faults", "{"],
    ["/faults", "null"],
    ["/faults", "5"],
    ["/faults", "[]"],
    ["/options", "[]"],
    ["/options", '"x"'],
    ["/clock", "[]"],
    ["/reset", '"demo"'],
    ["/reset", "[1]"],
  ]) {
    r = await ctl(emu, "POST", p, body);
    assertArmError(r, 400, `${p} ${body}`);
  }
  // seeds: too big, unknown, odd strings
  const badSeeds = [
    { kind: "bulk", snapshots: 1e9 },
    { kind: "bulk", snapshots: 10001 },
    { kind: "bulk", snapshots: -1 },
    { kind: "bulk", disks: 1e6 },
    { kind: "bulk", snapshots: "many" },
    { kind: "bulk", chainShare: 7 },
    { kind: "bulk", snapshots: 1e300 },
    { kind: "empty", subscriptionId: "x".repeat(201) },
    { kind: "empty", resourceGroups: "rg" },
    { kind: "empty", resourceGroups: [{ name: "x".repeat(201) }] },
    { kind: "empty", resourceGroups: [5] },
    { kind: "empty", tenantId: { a: 1 } },
    { kind: "nonsense" },
    { kind: 5 },
    { kind: "demo", unknownKey: 1 },
    "bogus",
    5,
    true,
    [],
  ];
  for (const seed of badSeeds) {
    r = await ctl(emu, "POST", "/reset", { seed });
    assertArmError(r, 400, `seed ${JSON.stringify(seed)}`);
  }
  // the clock: a finite number of milliseconds, 0 … 10 years
  for (const advanceMs of [1e300, -1, "x", null, true, 11 * 366 * 86400000, "5", {}]) {
    r = await ctl(emu, "POST", "/clock", { advanceMs });
    assertArmError(r, 400, `advanceMs ${JSON.stringify(advanceMs)}`);
  }
  r = await ctl(emu, "POST", "/clock", {});
  assertArmError(r, 400, "advanceMs missing");
  r = await ctl(emu, "POST", "/clock", '{"advanceMs": 1e400}');
  assertArmError(r, 400, "advanceMs Infinity from JSON");
  // options: every one bounded
  for (const patch of [
    { latencyMs: 1e9 },
    { pageSize: 1e12 },
    { lroPolls: 1e9 },
    { copyPolls: 1e9 },
    { retryAfterSeconds: 1e9 },
    { maxSnapshotsPerDisk: 1e12 },
    { latencyMs: -1 },
    { pageSize: 2.5 },
    { logRequests: "yes" },
    { otherPaths: "/" },
    { controlSecret: "x" },
  ]) {
    r = await ctl(emu, "POST", "/options", patch);
    assertArmError(r, 400, `options ${JSON.stringify(patch)}`);
  }
  // faults: bounded fields, bounded list, known keys only
  const badFaults = [
    { kind: "status", count: 1e12 },
    { kind: "status", count: 0 },
    { kind: "status", count: 1.5 },
    { kind: "latency", ms: 1e9 },
    { kind: "latency", ms: -5 },
    { kind: "throttle", retryAfter: 1e12 },
    { kind: "throttle", retryAfterMs: "soon" },
    { kind: "status", status: 200 },
    { kind: "status", route: "x".repeat(201) },
    { kind: "status", route: 5 },
    { kind: "status", code: "x".repeat(201) },
    { kind: "status", message: "x".repeat(2001) },
    { kind: "status", code: 5 },
    { kind: "status", extra: "x" },
    { kind: "status", route: { re: ".*" } },
    { kind: "nope" },
    [],
    "x",
  ];
  for (const f of badFaults) {
    r = await ctl(emu, "POST", "/faults", f);
    assertArmError(r, 400, `fault ${JSON.stringify(f)}`);
  }
  r = await ctl(
    emu,
    "POST",
    "/faults",
    Array.from({ length: 101 }, () => ({ kind: "status", route: "GET /never" })),
  );
  assertArmError(r, 400, "101 faults at once");
  assert.equal(snapshotOfState(emu), before, "nothing changed by any bad request");
  for (let i = 0; i < 100; i++) {
    r = await ctl(emu, "POST", "/faults", { kind: "status", route: "GET /never" });
    assert.equal(r.status, 201);
  }
  r = await ctl(emu, "POST", "/faults", { kind: "status", route: "GET /never" });
  assertArmError(r, 400, "the 101st active fault");
  assert.equal(emu.faults.describe().length, 100);
  await ctl(emu, "DELETE", "/faults");
  // the good cases still work, at their bounds
  assert.equal((await ctl(emu, "POST", "/clock", { advanceMs: 0 })).status, 200);
  assert.equal((await ctl(emu, "POST", "/clock", { advanceMs: 3600000 })).status, 200);
  assert.equal((await ctl(emu, "POST", "/options", { latencyMs: 0, pageSize: 1000 })).status, 200);
  assert.equal((await ctl(emu, "POST", "/reset", { seed: { kind: "bulk", snapshots: 200, disks: 3 } })).status, 200);
  assert.equal(emu.seedInfo.snapshots, 200);
  assert.equal((await ctl(emu, "POST", "/reset", {})).status, 200);
  // and the emulator serves normally afterwards
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.equal((await ctl(emu, "GET", "")).status, 200);
  // the in-process API is bounded too
  assert.throws(() => emu.advanceClock(1e300), /advanceMs/);
});

test("a soak of junk control requests: every answer is 2xx/4xx with an ARM body, and the server stays healthy", async (t) => {
  const emu = await demo(t);
  const junk = [
    "",
    "{}",
    "[]",
    "null",
    "0",
    "-1",
    "1e309",
    '"x"',
    '{"seed":{"kind":"bulk","snapshots":1e308}}',
    '{"advanceMs":"1e3"}',
    '{"kind":"latency","ms":1e308}',
    '[{"kind":"status"},5]',
    '{"__proto__":{"kind":"status"}}',
    '{"constructor":{"prototype":{"x":1}}}',
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    '{"route":"\\u0000","kind":"status"}',
    "\u0000\u0001",
    '{"seed":{"kind":"empty","resourceGroups":[{"name":"ok","location":{"x":1}}]}}',
  ];
  const routes = ["/faults", "/reset", "/clock", "/options", "/requests", "", "/nothing", "/faults/x"];
  for (const p of routes) {
    for (const m of ["GET", "POST", "DELETE", "PUT", "PATCH"]) {
      for (const body of m === "GET" ? [undefined] : junk) {
        const r = await ctl(emu, m, p, body);
        assert.ok(
          [200, 201, 204, 400, 404, 405, 413].includes(r.status),
          `${m} ${p} ${String(body).slice(0, 60)}: ${r.status} ${r.text.slice(0, 200)}`,
        );
        if (r.status >= 400) assertArmError(r, r.status, `${m} ${p}`);
      }
    }
  }
  await ctl(emu, "DELETE", "/faults");
  assert.equal({}.x, undefined, "no prototype pollution");
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
});

test("command line: prints the control secret", async () => {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "emulator/cli.mjs"), "--port", "0", "--seed", "empty", "--quiet"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const { url, secret } = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`nothing printed: ${out}`)), 10000);
      child.stdout.on("data", (c) => {
        out += c;
        const u = /^(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out);
        const s = /^control secret: ([0-9a-f]{64})\s*$/m.exec(out);
        if (u && s) {
          clearTimeout(timer);
          resolve({ url: u[1], secret: s[1] });
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const ok = await fetch(`${url}/__emulator/faults`, { headers: { "x-emulator-secret": secret } });
    assert.equal(ok.status, 200);
    const no = await fetch(`${url}/__emulator/faults`);
    assert.equal(no.status, 403);
  } finally {
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve();
      }, 5000);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
});
