// The package in headless Chromium (playwright-core) against the hostile ARM of
// tests/node/hostile-server.mjs, for the faults of the hostile-server matrix where a browser differs from Node:
// fetch's "manual" redirects are opaque there (status 0), so a 3xx must still be INVALID_RESPONSE
// with nothing sent to the foreign origin; a token with a character outside printable ASCII is
// INVALID_ARGUMENT before any request and the page does not crash; a token echoed by ARM (with
// CORS-exposed headers) reaches no error surface; a gzip bomb and an endless body are
// INVALID_RESPONSE; a server that never answers is TIMEOUT. The package (pkg/web.js) and a blank
// page are served from one loopback origin, the hostile ARM (with CORS) from another.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, root } from "./helpers.mjs";
import * as H from "../node/hostile-server.mjs";

const pkgDir = process.env.HOSTILE_PKG_DIR || join(root, "pkg");
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const missing = !existsSync(join(pkgDir, "web.js"))
  ? "pkg/ is not built"
  : !existsSync(executablePath)
    ? `no Chromium at ${executablePath}`
    : null;

const TYPES = {
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".html": "text/html",
  ".json": "application/json",
};

/** The blank page and the package, on their own loopback origin. */
async function startStatic() {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>hostile</title><p>hostile</p>");
      return;
    }
    if (path.startsWith("/pkg/")) {
      const file = normalize(join(pkgDir, path.slice(5)));
      if (file.startsWith(pkgDir) && existsSync(file)) {
        res
          .writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" })
          .end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
        setTimeout(r, 2000).unref();
      }),
  };
}

/** Wraps a hostile handler with CORS for `origin`: preflights answered, headers exposed. */
function cors(origin, inner) {
  return (req, res, rec, s) => {
    res.setHeader("access-control-allow-origin", origin);
    // Chromium caches 301/308 (and would replay them to later tests without asking the server).
    res.setHeader("cache-control", "no-store");
    res.setHeader(
      "access-control-expose-headers",
      "x-ms-error-code, x-ms-request-id, x-ms-correlation-request-id, retry-after, location, azure-asyncoperation, www-authenticate",
    );
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-methods": "GET, PUT, POST, DELETE, PATCH",
        "access-control-allow-headers":
          req.headers["access-control-request-headers"] ?? "authorization, content-type, if-none-match",
        "access-control-max-age": "0",
      });
      res.end();
      return;
    }
    return inner(req, res, rec, s);
  };
}

describe("the package in Chromium against a hostile ARM", { skip: missing ?? false, timeout: 240_000 }, () => {
  let pair;
  let arm;
  let foreign;
  let site;
  let browser;
  let page;
  const problems = [];

  before(
    async () => {
      pair = await H.startHostilePair();
      ({ arm, foreign } = pair);
      site = await startStatic();
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 });
      page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(`${site.url}/`);
      await page.evaluate(async (pkgUrl) => {
        const lib = await import(pkgUrl);
        await lib.default();
        window.lib = lib;
        window.settle = (p, ms) =>
          new Promise((resolve) => {
            const t = setTimeout(() => resolve({ state: "pending" }), ms);
            Promise.resolve(p).then(
              (v) => {
                clearTimeout(t);
                resolve({ state: "fulfilled", value: v });
              },
              (e) => {
                clearTimeout(t);
                resolve({
                  state: "rejected",
                  error: {
                    isError: e instanceof Error,
                    code: e?.code,
                    field: e?.field,
                    name: e?.name,
                    message: String(e?.message),
                    stack: String(e?.stack),
                    json: JSON.stringify(e),
                    armCode: e?.armCode,
                    target: e?.target,
                    requestId: e?.requestId,
                    details: JSON.stringify(e?.details),
                  },
                });
              },
            );
          });
      }, `${site.url}/pkg/web.js`);
    },
    { timeout: 60_000 },
  );

  after(async () => {
    await browser?.close().catch(() => {});
    await Promise.allSettled([site?.close(), pair?.close()]);
  });

  beforeEach(() => {
    pair.reset();
    problems.length = 0;
  });

  /** Runs `body` (an async function source taking (lib, ENDPOINT, settle)) in the page. */
  const inPage = (body, arg = null) =>
    page.evaluate(
      async ({ body, endpoint, arg }) => {
        const fn = new Function("lib", "ENDPOINT", "settle", "arg", `return (${body})(lib, ENDPOINT, settle, arg);`);
        return fn(window.lib, endpoint, window.settle, arg);
      },
      { body, endpoint: arm.url, arg },
    );

  const setArm = (handler) => {
    arm.handler = cors(site.url, handler);
  };

  test("browser: a normal call works (the set-up is sound)", { timeout: 30_000 }, async () => {
    setArm(H.healthyArm(arm));
    const r = await inPage(
      `async (lib, ENDPOINT, settle, DISK) => settle(new lib.ArmClient({ token: "t", endpoint: ENDPOINT, maxRetries: 0 }).getDisk(DISK), 5000)`,
      H.DISK_ID,
    );
    assert.equal(r.state, "fulfilled", JSON.stringify(r));
    assert.equal(r.value.name, "disk1");
    assert.deepEqual(problems, []);
  });

  for (const status of [301, 302, 307, 308]) {
    test(
      `browser: a ${status} to a foreign origin → INVALID_RESPONSE, nothing sent there, not retried`,
      { timeout: 30_000 },
      async () => {
        setArm((req, res, rec) => H.redirect(res, status, `${foreign.url}${rec.url}`));
        foreign.handler = cors(site.url, (req, res) => H.json(res, H.disk()));
        const r = await inPage(
          `async (lib, ENDPOINT, settle, DISK) => settle(new lib.ArmClient({ token: "t", endpoint: ENDPOINT, maxRetries: 2, retryDelayMs: 1 }).getDisk(DISK), 5000)`,
          H.DISK_ID,
        );
        assert.equal(r.state, "rejected", JSON.stringify(r).slice(0, 300));
        assert.equal(r.error.code, "INVALID_RESPONSE", r.error.message);
        assert.equal(foreign.requests.length, 0, "the foreign server got nothing");
        assert.equal(arm.requests.filter((q) => q.method === "GET").length, 1, "sent once");
        assert.deepEqual(problems, []);
      },
    );
  }

  test(
    "browser: tokens with U+200B, U+2028, an emoji, é → INVALID_ARGUMENT naming the code point, nothing sent, no page error",
    { timeout: 30_000 },
    async () => {
      setArm(H.healthyArm(arm));
      const out = await inPage(
        `async (lib, ENDPOINT, settle, DISK) => {
      const res = [];
      for (const ch of ["\\u200B", "\\u2028", "\\u{1F600}", "\\u00E9"]) {
        const token = "abcdefghij" + ch + "klm";
        let ctor;
        try { new lib.ArmClient({ token, endpoint: ENDPOINT }); ctor = { threw: false }; }
        catch (e) { ctor = { threw: true, code: e.code, message: String(e.message) }; }
        const fn = await settle(new lib.ArmClient({ token: () => token, endpoint: ENDPOINT, maxRetries: 0 }).getDisk(DISK), 5000);
        res.push({ cp: "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"), ctor, fn });
      }
      return res;
    }`,
        H.DISK_ID,
      );
      for (const r of out) {
        assert.equal(r.ctor.threw, true, `${r.cp}: new ArmClient throws`);
        assert.equal(r.ctor.code, "INVALID_ARGUMENT", `${r.cp}: ${r.ctor.message}`);
        assert.ok(r.ctor.message.includes(r.cp), `${r.cp} named: ${r.ctor.message}`);
        assert.equal(r.fn.state, "rejected", `${r.cp}: token function: ${JSON.stringify(r.fn)}`);
        assert.equal(r.fn.error.code, "INVALID_ARGUMENT", `${r.cp}: ${r.fn.error.message}`);
      }
      assert.equal(arm.requests.filter((q) => q.method !== "OPTIONS").length, 0, "nothing sent");
      assert.deepEqual(problems, []);
    },
  );

  test(
    "browser: the token echoed in every error field and exposed header reaches no error surface",
    { timeout: 30_000 },
    async () => {
      const token = "browser-secret+/=~tok_2b7e";
      const failures = [];
      for (const status of [400, 401, 404, 429, 500]) {
        pair.reset();
        setArm((req, res) => (req.method === "GET" ? H.echoAuth(res, req, status) : H.reply(res, 404)));
        const r = await inPage(
          `async (lib, ENDPOINT, settle, a) => settle(new lib.ArmClient({ token: a.token, endpoint: ENDPOINT, maxRetries: 0 }).getDisk(a.disk), 5000)`,
          { token, disk: H.DISK_ID },
        );
        if (r.state !== "rejected") {
          failures.push(`${status}: ${r.state}`);
          continue;
        }
        for (const [where, text] of Object.entries(r.error)) {
          const found = H.tokenForms(token).filter((f) => String(text).includes(f));
          if (found.length) failures.push(`${status}: in ${where} (${found.join(", ")})`);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} leaks`);
    },
  );

  const caps = {
    "a gzip bomb (1.1 MB inflating to 1.125 GiB)": (req, res) => H.sendGzipBomb(res),
    "an endless body": (req, res) => H.endless(res),
  };
  for (const [kind, handler] of Object.entries(caps)) {
    test(
      `browser: ${kind} → INVALID_RESPONSE in bounded time, and the next call works`,
      { timeout: 60_000 },
      async () => {
        if (kind.includes("gzip")) H.gzipBomb();
        let first = true;
        setArm((req, res, rec) => {
          if (first && req.method === "GET") {
            first = false;
            return handler(req, res, rec);
          }
          return H.healthyArm(arm)(req, res, rec);
        });
        const r = await inPage(
          `async (lib, ENDPOINT, settle, DISK) => {
        const c = new lib.ArmClient({ token: "t", endpoint: ENDPOINT, maxRetries: 0, requestTimeoutMs: 20000 });
        const t0 = Date.now();
        const first = await settle(c.getDisk(DISK), 25000);
        const ms = Date.now() - t0;
        const next = await settle(c.getDisk(DISK), 5000);
        return { first, ms, next: next.state };
      }`,
          H.DISK_ID,
        );
        assert.equal(r.first.state, "rejected", JSON.stringify(r.first).slice(0, 300));
        assert.equal(r.first.error.code, "INVALID_RESPONSE", r.first.error.message);
        assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
        assert.equal(r.next, "fulfilled");
        assert.deepEqual(problems, []);
      },
    );
  }

  test(
    "browser: a server that never answers → TIMEOUT within requestTimeoutMs × (maxRetries + 1) plus slack",
    { timeout: 30_000 },
    async () => {
      setArm(H.hang);
      const r = await inPage(
        `async (lib, ENDPOINT, settle, DISK) => {
      const t0 = Date.now();
      const out = await settle(new lib.ArmClient({ token: "t", endpoint: ENDPOINT, maxRetries: 1, retryDelayMs: 10, requestTimeoutMs: 300 }).getDisk(DISK), 10000);
      return { ...out, ms: Date.now() - t0 };
    }`,
        H.DISK_ID,
      );
      assert.equal(r.state, "rejected", JSON.stringify(r).slice(0, 300));
      assert.equal(r.error.code, "TIMEOUT", r.error.message);
      assert.ok(r.ms < 600 + 2000, `took ${r.ms} ms`);
    },
  );
});
