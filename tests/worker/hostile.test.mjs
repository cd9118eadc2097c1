// The worker in real workerd (miniflare) against the hostile ARM of tests/node/hostile-server.mjs,
// for the faults of the hostile-server matrix where workerd differs from Node: the token echoed by ARM in every
// error field and header never reaches the worker's answer (body or headers); 3xx answers are
// INVALID_RESPONSE and never followed to the foreign origin; a Retry-After HTTP date becomes a
// retry-after of seconds, not 600; body caps hold in workerd (content-length, endless body, gzip
// bomb) and the worker keeps serving; a server that never answers is a 504 TIMEOUT; a foreign
// nextLink is UNTRUSTED_URL. Every outbound request of the worker goes through a recording proxy
// that forwards only to the hostile ARM and the foreign server (anything else is answered 599).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { COMPAT_DATE, WASM_RULES, bundle, prerequisites } from "./helpers.mjs";
import * as H from "../node/hostile-server.mjs";

const missing = await prerequisites();
const DISK_PATH = `/v1/subscriptions/${H.SUB}/resourceGroups/${H.RG}/disks/disk1/incremental-snapshots`;

/** Outbound proxy of the worker: records { method, url, origin } and forwards to the known origins only. */
async function startRouter(targets, outbound) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? "";
    const url = /^[a-z]+:\/\//i.test(req.url) ? req.url : `http://${host}${req.url}`;
    let u = null;
    try {
      u = new URL(url);
    } catch {
      /* recorded as is */
    }
    outbound.push({
      method: req.method,
      url,
      origin: u?.origin ?? null,
      authorization: req.headers.authorization ?? null,
    });
    const target = u && targets.find((t) => t.origin === u.origin);
    if (!target) {
      req.resume();
      res.writeHead(599, { "content-type": "text/plain" }).end("refused by the test proxy");
      return;
    }
    const up = http.request(
      { host: "127.0.0.1", port: target.port, method: req.method, path: u.pathname + u.search, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.rawHeaders);
        upRes.pipe(res);
        upRes.on("error", () => res.destroy());
        upRes.on("aborted", () => res.destroy());
      },
    );
    up.on("error", () => req.socket.destroy());
    res.on("close", () => up.destroy());
    req.pipe(up);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
        setTimeout(r, 2000).unref();
      }),
  };
}

describe("worker against a hostile ARM", { skip: missing ?? false, timeout: 240_000 }, () => {
  let pair;
  let arm;
  let foreign;
  let router;
  let built;
  let mf;
  const outbound = [];

  before(
    async () => {
      pair = await H.startHostilePair();
      ({ arm, foreign } = pair);
      router = await startRouter([arm, foreign], outbound);
      built = await bundle();
      const { Miniflare } = await import("miniflare");
      mf = new Miniflare({
        modules: true,
        scriptPath: join(built.outdir, "index.js"),
        modulesRoot: built.outdir,
        modulesRules: WASM_RULES,
        compatibilityDate: COMPAT_DATE,
        outboundService: { external: { address: `127.0.0.1:${router.port}`, http: {} } },
        bindings: {
          ARM_ENDPOINT: arm.url,
          ARM_MAX_RETRIES: "0",
          ARM_TIMEOUT_MS: "1500",
          WAIT_TIMEOUT_MS: "3000",
          ARM_MAX_RETRY_WAIT_MS: "0",
          ALLOWED_ORIGINS: "https://backup.example.com",
        },
      });
      await mf.ready;
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await Promise.race([
      Promise.allSettled([mf?.dispose(), router?.close(), pair?.close()]),
      new Promise((r) => setTimeout(r, 10_000)),
    ]);
    built?.cleanup();
  });

  beforeEach(() => {
    pair.reset();
    outbound.length = 0;
  });

  async function call(path, { token = "worker-hostile-token", method = "GET", timeoutMs = 20_000 } = {}) {
    const started = Date.now();
    const r = await mf.dispatchFetch(new URL(path, "http://worker.test").href, {
      method,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: r.status, headers: Object.fromEntries(r.headers), text, body, ms: Date.now() - started };
  }

  const healthy = () => {
    arm.handler = H.healthyArm(arm);
  };

  test("worker: a normal call through the proxy works (the set-up is sound)", { timeout: 30_000 }, async () => {
    healthy();
    const r = await call(DISK_PATH);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.body.disk.name, "disk1");
    assert.ok(
      outbound.every((o) => o.origin === arm.origin),
      JSON.stringify(outbound),
    );
  });

  const TOKENS = {
    "a plain token": "worker-secret-token-7f3a",
    "a token with + / = ~ . - _ ! * ' ( )": "wk+/=~.-_!*'()tok",
    "a 2 KB token": `w${"AbCdEfGh0123456789-_".repeat(103).slice(0, 2047)}`,
  };
  for (const [tname, token] of Object.entries(TOKENS)) {
    test(
      `worker: ${tname} echoed by ARM in every error field and header is in no part of the worker's answer`,
      { timeout: 60_000 },
      async () => {
        const failures = [];
        for (const status of [400, 401, 403, 404, 409, 429, 500]) {
          pair.reset();
          arm.handle([["GET", "/disks/", (req, res) => H.echoAuth(res, req, status)]]);
          const r = await call(DISK_PATH, { token });
          if (r.status < 400) failures.push(`${status}: answered ${r.status}`);
          const surfaces = {
            body: r.text,
            ...Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [`header ${k}`, v])),
          };
          for (const [where, text] of Object.entries(surfaces)) {
            const found = H.tokenForms(token).filter((f) => String(text).includes(f));
            if (token.length > 48) {
              for (let i = 0; i + 32 <= token.length; i += 16) {
                if (String(text).includes(token.slice(i, i + 32))) {
                  found.push(`a piece at ${i}`);
                  break;
                }
              }
            }
            if (found.length) failures.push(`ARM ${status}: in the ${where} (${found.join(", ")})`);
          }
        }
        assert.deepEqual(failures, [], `${failures.length} leaks`);
      },
    );
  }

  for (const status of [301, 302, 307, 308]) {
    test(
      `worker: ARM answering ${status} to a foreign origin → 502 INVALID_RESPONSE, nothing sent there`,
      { timeout: 30_000 },
      async () => {
        arm.handle([["GET", "/disks/", (req, res, rec) => H.redirect(res, status, `${foreign.url}${rec.url}`)]]);
        const r = await call(DISK_PATH);
        assert.equal(r.status, 502, r.text.slice(0, 300));
        assert.equal(r.body?.error?.code, "INVALID_RESPONSE", r.text.slice(0, 300));
        assert.equal(foreign.requests.length, 0, "the foreign server got nothing");
        assert.ok(!outbound.some((o) => o.origin === foreign.origin), JSON.stringify(outbound));
        assert.equal(arm.requests.length, 1, "sent once");
      },
    );
  }

  test(
    "worker: a 429 with Retry-After: <HTTP date 5 s ahead> → 429 with retry-after 3-6 s, not 600",
    { timeout: 30_000 },
    async () => {
      arm.handle([
        [
          "GET",
          "/disks/",
          (req, res) => H.armError(res, 429, "TooManyRequests", "slow down", {}, { "retry-after": H.httpDate(5000) }),
        ],
      ]);
      const r = await call(DISK_PATH);
      assert.equal(r.status, 429, r.text.slice(0, 300));
      const ra = Number(r.headers["retry-after"]);
      assert.ok(ra >= 3 && ra <= 6, `retry-after: ${r.headers["retry-after"]}`);
    },
  );

  const caps = {
    "a content-length of 64 MiB": (req, res) => H.hugeByLength(res, 64 << 20),
    "an endless body": (req, res) => H.endless(res),
    "a gzip bomb (1.1 MB inflating to 1.125 GiB)": (req, res) => H.sendGzipBomb(res),
  };
  for (const [kind, handler] of Object.entries(caps)) {
    test(
      `worker: ARM answering with ${kind} → 502 INVALID_RESPONSE in bounded time; the worker keeps serving`,
      { timeout: 60_000 },
      async () => {
        if (kind.includes("gzip")) H.gzipBomb();
        let first = true;
        arm.handler = (req, res, rec) => {
          if (first && rec.path.includes("/disks/")) {
            first = false;
            return handler(req, res, rec);
          }
          return H.healthyArm(arm)(req, res, rec);
        };
        const r = await call(DISK_PATH, { timeoutMs: 30_000 });
        assert.ok([502, 504].includes(r.status), `${r.status} ${r.text.slice(0, 300)}`);
        assert.equal(r.body?.error?.code, "INVALID_RESPONSE", r.text.slice(0, 300));
        assert.ok(r.ms < 20_000, `answered after ${r.ms} ms`);
        const health = await call("/v1/health");
        assert.equal(health.status, 200);
        const again = await call(DISK_PATH);
        assert.equal(again.status, 200, `a normal call after: ${again.text.slice(0, 300)}`);
      },
    );
  }

  test(
    "worker: ARM accepting the connection and never answering → 504 TIMEOUT within ARM_TIMEOUT_MS plus slack",
    { timeout: 30_000 },
    async () => {
      arm.handler = H.hang;
      const r = await call(DISK_PATH);
      assert.equal(r.status, 504, r.text.slice(0, 300));
      assert.equal(r.body?.error?.code, "TIMEOUT");
      assert.ok(r.ms < 1500 + 5000, `answered after ${r.ms} ms`);
    },
  );

  test(
    "worker: a nextLink on the foreign origin → 502 UNTRUSTED_URL, nothing sent there",
    { timeout: 30_000 },
    async () => {
      arm.handle([
        ["GET", "/disks/", (req, res) => H.json(res, H.disk())],
        [
          "GET",
          "/providers/Microsoft.Compute/snapshots",
          (req, res) => H.json(res, { value: [H.snapshot()], nextLink: `${foreign.url}/subscriptions/${H.SUB}/page2` }),
        ],
      ]);
      const r = await call(DISK_PATH);
      assert.equal(r.status, 502, r.text.slice(0, 300));
      assert.equal(r.body?.error?.code, "UNTRUSTED_URL");
      assert.equal(foreign.requests.length, 0);
      assert.ok(!outbound.some((o) => o.origin === foreign.origin));
    },
  );
});
