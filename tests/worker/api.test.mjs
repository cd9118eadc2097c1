// The worker in real workerd (miniflare) against the ARM emulator on loopback: every route,
// tokens, path injection, a foreign nextLink, throttling, body limits, CORS, error bodies.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { ALLOWED, SUB, diskPath, poll, prerequisites, root, startStack } from "./helpers.mjs";

const missing = await prerequisites();
const pkgNode = missing ? {} : await import(join(root, "pkg", "node.mjs"));

const openapi = JSON.parse(readFileSync(join(root, "worker", "src", "openapi.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openapi, "openapi.json");
const schema = (name) => ajv.getSchema(`openapi.json#/components/schemas/${name}`);
function assertSchema(name, value) {
  const validate = schema(name);
  assert.ok(validate, `schema ${name}`);
  assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 300)}`);
}
/** An error answer: the status, the code, the JSON shape of the OpenAPI description. */
function assertError(res, status, code) {
  assert.equal(res.status, status, `status of ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers["content-type"] ?? res.headers.get?.("content-type")), /application\/json/);
  assertSchema("ErrorResponse", res.body);
  if (code) assert.equal(res.body.error.code, code, JSON.stringify(res.body));
}
const header = (res, name) =>
  typeof res.headers.get === "function" ? res.headers.get(name) : (res.headers[name.toLowerCase()] ?? null);

describe("worker over the ARM emulator", { skip: missing ?? false, timeout: 180_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  let disks;
  const TOKEN = "eyJhbGciOi.demo-token_123";

  before(
    async () => {
      s = await startStack({ bindings: { ARM_MAX_RETRIES: "1", WAIT_TIMEOUT_MS: "4000" } });
      disks = Object.fromEntries(s.emu.seedInfo.disks.map((id) => [id.split("/").pop(), id]));
    },
    { timeout: 60_000 },
  );
  after(async () => {
    if (s) await s.close();
  });

  describe("service routes", () => {
    test("GET /v1/health answers ok and the package version, without a token", async () => {
      const r = await s.call("/v1/health");
      assert.equal(r.status, 200);
      assertSchema("Health", r.body);
      const version = JSON.parse(readFileSync(join(root, "pkg", "package.json"), "utf8")).version;
      assert.deepEqual(r.body, { ok: true, version });
      assert.ok(header(r, "x-request-id"));
      assert.equal(header(r, "cache-control"), "no-store");
    });

    test("GET /v1/openapi.json is OpenAPI 3 and describes every route and its errors", async () => {
      const r = await s.call("/v1/openapi.json");
      assert.equal(r.status, 200);
      assert.match(r.body.openapi, /^3\./);
      const ops = Object.entries(r.body.paths).flatMap(([p, item]) =>
        Object.keys(item)
          .filter((k) => k !== "parameters")
          .map((m) => `${m.toUpperCase()} ${p}`),
      );
      const disk = "/v1/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/disks/{diskName}";
      const snap =
        "/v1/snapshots/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/snapshots/{snapshotName}";
      for (const op of [
        "GET /v1/health",
        "GET /v1/openapi.json",
        `GET ${disk}/incremental-snapshots`,
        `POST ${disk}/incremental-snapshots`,
        `GET ${disk}/snapshot-template`,
        "POST /v1/templates",
        "GET /v1/operations/{operation}",
        `DELETE ${snap}`,
        `POST ${snap}/copy`,
        `GET ${snap}/changes`,
        "POST /v1/replications",
        "GET /v1/replications/{id}",
        "DELETE /v1/replications/{id}",
        "POST /v1/replications/{id}/resume",
        "GET /v1/policies",
        "PUT /v1/policies/{name}",
        "GET /v1/policies/{name}",
        "DELETE /v1/policies/{name}",
        "GET /v1/policies/{name}/runs",
        "POST /v1/policies/{name}/run",
        "POST /v1/policies/{name}/preview",
        "POST /v1/restores",
        "GET /v1/restores/{operation}",
      ])
        assert.ok(ops.includes(op), `${op} described`);
      assert.equal(ops.length, 23);
      // every declared error response points at the error schema
      const responses = r.body.components.responses;
      for (const [p, item] of Object.entries(r.body.paths)) {
        for (const [m, op] of Object.entries(item)) {
          if (m === "parameters") continue;
          for (const [code, resp] of Object.entries(op.responses)) {
            if (Number(code) < 400) continue;
            const ref = resp.$ref ? responses[resp.$ref.split("/").pop()] : resp;
            assert.equal(
              ref.content["application/json"].schema.$ref,
              "#/components/schemas/ErrorResponse",
              `${m} ${p} ${code}`,
            );
          }
        }
      }
    });

    test("unknown routes are 404 and wrong methods 405 with Allow", async () => {
      assertError(await s.call("/v1/nope"), 404, "NOT_FOUND");
      assertError(await s.call("/"), 404, "NOT_FOUND");
      assertError(await s.call("/v2/health"), 404, "NOT_FOUND");
      const d = diskPath(disks["dev-scratch"]);
      assertError(await s.call(`${d}/other`, { token: TOKEN }), 404, "NOT_FOUND");
      const put = await s.call(`${d}/incremental-snapshots`, { method: "PUT", token: TOKEN, json: {} });
      assertError(put, 405, "METHOD_NOT_ALLOWED");
      assert.equal(header(put, "allow"), "GET, POST, OPTIONS");
      assertError(await s.call("/v1/health", { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED");
      assertError(await s.call("/v1/templates"), 405, "METHOD_NOT_ALLOWED");
      assertError(await s.call(`${d}/snapshot-template`, { method: "POST", token: TOKEN }), 405, "METHOD_NOT_ALLOWED");
      assert.equal(s.armRequests().length, 0);
    });
  });

  describe("tokens", () => {
    test("a route that calls ARM needs a bearer token: 401 JSON and no ARM request", async () => {
      s.reset();
      const d = diskPath(disks["vm-web-01-osdisk"]);
      for (const authorization of [
        undefined,
        "",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer tok\u00e9n",
        "bearer",
      ]) {
        const headers = authorization === undefined ? {} : { authorization };
        const r = await s.call(`${d}/incremental-snapshots`, { headers });
        assertError(r, 401, "UNAUTHORIZED");
        assert.match(header(r, "www-authenticate"), /^Bearer/);
      }
      const snap = `/v1/snapshots${disks["vm-web-01-osdisk"].replace("/disks/", "/snapshots/")}`;
      assertError(await s.call(snap, { method: "DELETE" }), 401, "UNAUTHORIZED");
      assertError(
        await s.call(`${snap}/copy`, { method: "POST", json: { location: "northeurope" } }),
        401,
        "UNAUTHORIZED",
      );
      assertError(await s.call(`${d}/incremental-snapshots`, { method: "POST", json: {} }), 401, "UNAUTHORIZED");
      assertError(await s.call(`${d}/snapshot-template`), 401, "UNAUTHORIZED");
      assertError(await s.call("/v1/operations/eyJpZCI6IngifQ"), 400); // a bad operation token is 400 before the token matters
      assert.equal(s.armRequests().length, 0);
      assert.equal(s.outbound.length, 0);
    });

    test("ARM's 401 for an expired token and 403 are passed on, the token never echoed", async () => {
      const d = diskPath(disks["vm-web-01-osdisk"]);
      const r = await s.call(`${d}/incremental-snapshots`, { token: "expired" });
      assertError(r, 401, "UNAUTHORIZED");
      assert.equal(r.body.error.armCode, "ExpiredAuthenticationToken");
      assert.ok(r.body.error.requestId);
      const f = await s.call(`${d}/incremental-snapshots`, { token: "forbidden" });
      assertError(f, 403, "FORBIDDEN");
      assert.equal(f.body.error.armCode, "AuthorizationFailed");
    });

    test("the token reaches the ARM endpoint and nothing else", async () => {
      s.reset();
      const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
      assert.equal(r.status, 200);
      assert.ok(s.outbound.length >= 2);
      for (const o of s.outbound) assert.equal(o.origin, new URL(s.emu.url).origin);
      assert.ok(!r.text.includes(TOKEN));
    });
  });

  describe("GET incremental-snapshots", () => {
    test("the disk and its chain, oldest first", async () => {
      const id = disks["vm-web-01-osdisk"];
      const r = await s.call(`${diskPath(id)}/incremental-snapshots`, { token: TOKEN });
      assert.equal(r.status, 200);
      assertSchema("SnapshotListing", r.body);
      assert.equal(r.body.disk.id.toLowerCase(), id.toLowerCase());
      assert.equal(r.body.snapshots.length, s.emu.seedInfo.chains[id]);
      const times = r.body.snapshots.map((x) => Date.parse(x.properties.timeCreated));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(r.body.chains, undefined);
    });

    test("a recreated disk: only the current family; include=chains shows the orphans", async () => {
      const id = disks["legacy-app-disk"];
      const r = await s.call(`${diskPath(id)}/incremental-snapshots?include=chains`, { token: TOKEN });
      assert.equal(r.status, 200);
      assert.equal(r.body.snapshots.length, 3);
      assert.ok(r.body.chains && typeof r.body.chains === "object");
      assert.match(JSON.stringify(r.body.chains), /legacy-app-disk/);
      const plain = await s.call(`${diskPath(id)}/incremental-snapshots`, { token: TOKEN });
      assert.deepEqual(
        plain.body.snapshots.map((x) => x.id),
        r.body.snapshots.map((x) => x.id),
      );
    });

    test("scope=subscription searches the whole subscription", async () => {
      s.reset();
      const id = disks["vm-web-01-osdisk"];
      const r = await s.call(`${diskPath(id)}/incremental-snapshots?scope=subscription`, { token: TOKEN });
      assert.equal(r.status, 200);
      assert.equal(r.body.snapshots.length, s.emu.seedInfo.chains[id]);
      assert.ok(
        s.armRequests().some((q) => /\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/snapshots/i.test(q.url)),
      );
      const c = await s.call(`${diskPath(id)}/incremental-snapshots?scope=subscription&include=chains`, {
        token: TOKEN,
      });
      assert.equal(c.status, 200);
      assert.equal(c.body.snapshots.length, r.body.snapshots.length);
    });

    test("bad query parameters are 400 before any ARM call", async () => {
      s.reset();
      const d = `${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`;
      for (const q of ["?scope=tenant", "?include=everything", "?foo=1", "?scope=subscription&scope=resourceGroup"]) {
        assertError(await s.call(d + q, { token: TOKEN }), 400, "INVALID_ARGUMENT");
      }
      assert.equal(s.armRequests().length, 0);
    });

    test("a disk that does not exist is 404 with ARM's code and request id", async () => {
      const r = await s.call(
        `/v1/subscriptions/${SUB}/resourceGroups/rg-dev/disks/no-such-disk/incremental-snapshots`,
        { token: TOKEN },
      );
      assertError(r, 404, "NOT_FOUND");
      assert.equal(r.body.error.armCode, "ResourceNotFound");
      assert.ok(r.body.error.requestId);
    });
  });

  describe("POST incremental-snapshots and the status URL", () => {
    test("202 with a status URL any worker instance answers; it never holds the token", async () => {
      const id = disks["archive-hdd-01"];
      const r = await s.call(`${diskPath(id)}/incremental-snapshots`, {
        method: "POST",
        token: TOKEN,
        json: { name: "wk-create-1", tags: { by: "worker" } },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assertSchema("Accepted", r.body);
      assert.match(r.body.snapshot.id, /\/snapshots\/wk-create-1$/);
      assert.match(r.body.status, /^\/v1\/operations\/[A-Za-z0-9_-]+$/);
      assert.equal(header(r, "location"), new URL(r.body.status, "http://worker.test").href);
      assert.ok(Number(header(r, "retry-after")) >= 1);
      const token = r.body.status.split("/").pop();
      const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
      assert.deepEqual(Object.keys(decoded).sort(), ["id", "kind"]);
      assert.equal(decoded.kind, "create");
      assert.ok(
        !token.includes(Buffer.from(TOKEN).toString("base64url").slice(0, 8)) &&
          !JSON.stringify(decoded).includes(TOKEN),
      );
      // a second, independent instance answers the status URL from the URL alone
      const other = await s.another();
      try {
        const done = await poll(async () => {
          const st = await s.call(r.body.status, { token: TOKEN, via: other });
          assert.ok([200, 202].includes(st.status), JSON.stringify(st.body));
          assertSchema("OperationStatus", st.body);
          if (st.status === 202) {
            assert.equal(st.body.status, "InProgress");
            assert.ok(Number(header(st, "retry-after")) >= 1);
            return null;
          }
          return st;
        });
        assert.equal(done.body.status, "Succeeded");
        assert.equal(done.body.kind, "create");
        assert.equal(done.body.snapshot.name, "wk-create-1");
        assert.equal(done.body.snapshot.properties.incremental, true);
      } finally {
        await other.dispose();
      }
      // the status URL needs the caller's token too
      assertError(await s.call(r.body.status), 401, "UNAUTHORIZED");
    });

    test("an existing name is 409 CONFLICT, never an overwrite", async () => {
      const id = disks["archive-hdd-01"];
      const first = await s.call(`${diskPath(id)}/incremental-snapshots?wait=true`, {
        method: "POST",
        token: TOKEN,
        json: { name: "wk-dup" },
      });
      assert.ok([201, 202].includes(first.status), JSON.stringify(first.body));
      s.reset();
      const again = await s.call(`${diskPath(id)}/incremental-snapshots`, {
        method: "POST",
        token: TOKEN,
        json: { name: "wk-dup" },
      });
      assertError(again, 409, "CONFLICT");
      assert.ok(!s.armRequests().some((q) => q.method === "PUT"));
    });

    test("wait=true on a standard disk ends with 201 and the finished snapshot", async () => {
      const id = disks["dev-scratch"];
      const r = await s.call(`${diskPath(id)}/incremental-snapshots?wait=true`, {
        method: "POST",
        token: TOKEN,
        json: { name: "wk-wait-1" },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assertSchema("Accepted", r.body);
      assert.equal(r.body.snapshot.properties.provisioningState, "Succeeded");
      assert.match(header(r, "location"), /\/v1\/operations\//);
    });

    test("wait=true that outlasts the wait falls back to 202 + status URL", async () => {
      s.emu.setOptions({ lroPolls: 1000, retryAfterSeconds: 1 });
      try {
        const id = disks["dev-scratch"];
        const t0 = Date.now();
        const r = await s.call(`${diskPath(id)}/incremental-snapshots?wait=true`, {
          method: "POST",
          token: TOKEN,
          json: { name: "wk-slow-1" },
        });
        const took = Date.now() - t0;
        assert.equal(r.status, 202, JSON.stringify(r.body));
        assert.ok(took >= 3500 && took < 15_000, `took ${took} ms (WAIT_TIMEOUT_MS 4000)`);
        assert.match(r.body.snapshot.id, /wk-slow-1$/);
        const st = await s.call(r.body.status, { token: TOKEN });
        assert.equal(st.status, 202);
        assert.equal(st.body.status, "InProgress");
      } finally {
        s.emu.setOptions({ lroPolls: 1, retryAfterSeconds: 0 });
      }
    });

    test("invalid options are 400 with every violation, before any write", async () => {
      s.reset();
      const d = `${diskPath(disks["archive-hdd-01"])}/incremental-snapshots`;
      const r = await s.call(d, {
        method: "POST",
        token: TOKEN,
        json: { name: "-bad name-", sku: "Gold", networkAccessPolicy: "Sometimes" },
      });
      assertError(r, 400, "INVALID_ARGUMENT");
      assert.ok(Array.isArray(r.body.error.violations) && r.body.error.violations.length >= 2, JSON.stringify(r.body));
      assertError(
        await s.call(d, {
          method: "POST",
          token: TOKEN,
          headers: { "content-type": "application/json" },
          body: "{not json",
        }),
        400,
        "INVALID_JSON",
      );
      assertError(await s.call(d, { method: "POST", token: TOKEN, json: [1, 2] }), 400, "INVALID_ARGUMENT");
      assertError(
        await s.call(d, { method: "POST", token: TOKEN, headers: { "content-type": "text/plain" }, body: "{}" }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      assertError(await s.call(`${d}?wait=maybe`, { method: "POST", token: TOKEN, json: {} }), 400, "INVALID_ARGUMENT");
      for (const key of ["wait", "endpoint", "token", "fetch"]) {
        const r = await s.call(d, {
          method: "POST",
          token: TOKEN,
          json: { [key]: key === "wait" ? true : "https://evil.example.com" },
        });
        assertError(r, 400, "INVALID_ARGUMENT");
        assert.equal(r.body.error.field, key);
      }
      assert.ok(!s.armRequests().some((q) => q.method !== "GET"), JSON.stringify(s.armRequests()));
    });

    test("a body over 64 KB is 413, declared or streamed, and nothing reaches ARM", async () => {
      s.reset();
      const d = `${diskPath(disks["archive-hdd-01"])}/incremental-snapshots`;
      const big = JSON.stringify({ tags: { pad: "x".repeat(70 * 1024) } });
      assertError(
        await s.call(d, { method: "POST", token: TOKEN, headers: { "content-type": "application/json" }, body: big }),
        413,
        "PAYLOAD_TOO_LARGE",
      );
      // streamed without Content-Length: the limit holds while reading. The worker may close the
      // connection before the client has sent it all, so a few bounded tries for a readable answer.
      const chunk = "x".repeat(16 * 1024);
      let streamed = null;
      const closed = [];
      for (let i = 0; i < 3 && !streamed; i++) {
        try {
          streamed = await s.raw(d, {
            method: "POST",
            headers: {
              authorization: `Bearer ${TOKEN}`,
              "content-type": "application/json",
              "transfer-encoding": "chunked",
            },
            chunks: ['{"tags":{"pad":"', ...Array(5).fill(chunk), '"}}'],
          });
        } catch (e) {
          closed.push(e.code ?? e.message);
          assert.ok(["EPIPE", "ECONNRESET"].includes(e.code), String(e.stack));
        }
      }
      assert.ok(streamed, `no answer: ${closed.join(", ")}`);
      assertError(streamed, 413, "PAYLOAD_TOO_LARGE");
      assertError(
        await s.call("/v1/templates", { method: "POST", headers: { "content-type": "application/json" }, body: big }),
        413,
        "PAYLOAD_TOO_LARGE",
      );
      assert.equal(s.armRequests().length, 0);
    });

    test("an operation that fails at ARM is 502 OPERATION_FAILED", async () => {
      s.emu.addFault({ route: "PUT snapshots/", kind: "lroFailed" });
      try {
        const r = await s.call(`${diskPath(disks["dev-scratch"])}/incremental-snapshots?wait=true`, {
          method: "POST",
          token: TOKEN,
          json: { name: "wk-fail-1" },
        });
        assertError(r, 502, "OPERATION_FAILED");
      } finally {
        s.emu.clearFaults();
      }
    });

    test("forged or foreign operation tokens are 400 and never read", async () => {
      s.reset();
      const tok = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
      const good = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Compute/snapshots/x`;
      for (const t of [
        tok({ id: "https://evil.example.com/subscriptions/x", kind: "create" }),
        tok({
          id: good.replace("snapshots/x", "disks/x").replace("Microsoft.Compute/snapshots", "Microsoft.Compute/disks"),
          kind: "create",
        }),
        tok({ id: good, kind: "delete" }),
        tok({ id: good, kind: "create", token: "abc" }),
        tok({ id: `${good}/../../disks/y`, kind: "create" }),
        tok([good]),
        "not*base64",
        "x".repeat(3000),
      ]) {
        const r = await s.call(`/v1/operations/${t}`, { token: TOKEN });
        assertError(r, r.status === 414 ? 414 : 400);
      }
      assert.equal(s.armRequests().length, 0);
    });
  });

  describe("copy, delete, templates", () => {
    test("POST .../copy starts a CopyStart; the status goes InProgress → Succeeded with completionPercent", async () => {
      const listing = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
      const source = listing.body.snapshots.at(-1).id;
      const r = await s.call(`/v1/snapshots${source}/copy`, {
        method: "POST",
        token: TOKEN,
        json: { location: "northeurope", name: "wk-copy-1" },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.snapshot.location, "northeurope");
      const kind = JSON.parse(Buffer.from(r.body.status.split("/").pop(), "base64url").toString()).kind;
      assert.equal(kind, "copy");
      const seen = [];
      const done = await poll(async () => {
        const st = await s.call(r.body.status, { token: TOKEN });
        assertSchema("OperationStatus", st.body);
        seen.push(`${st.status}:${st.body.completionPercent}`);
        return st.status === 200 ? st : null;
      });
      assert.equal(done.body.status, "Succeeded", seen.join(" "));
      assert.equal(done.body.completionPercent, 100);
      assert.ok(
        seen.some((x) => x.startsWith("202:")),
        `saw InProgress first: ${seen.join(" ")}`,
      );
    });

    test("copy needs a location and a snapshot id", async () => {
      s.reset();
      const snapId = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Compute/snapshots/x`;
      assertError(
        await s.call(`/v1/snapshots${snapId}/copy`, { method: "POST", token: TOKEN, json: {} }),
        400,
        "INVALID_ARGUMENT",
      );
      const diskId = disks["dev-scratch"];
      assertError(
        await s.call(`/v1/snapshots${diskId}/copy`, { method: "POST", token: TOKEN, json: { location: "eastus" } }),
        400,
        "INVALID_RESOURCE_ID",
      );
      assert.equal(s.armRequests().length, 0);
    });

    test("DELETE /v1/snapshots/{id} → { deleted: true }, then { deleted: false }", async () => {
      const c = await s.call(`${diskPath(disks["dev-scratch"])}/incremental-snapshots?wait=true`, {
        method: "POST",
        token: TOKEN,
        json: { name: "wk-del-1" },
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const path = `/v1/snapshots${c.body.snapshot.id}`;
      const d1 = await s.call(path, { method: "DELETE", token: TOKEN });
      assert.equal(d1.status, 200, JSON.stringify(d1.body));
      assertSchema("Deleted", d1.body);
      assert.equal(d1.body.deleted, true);
      const d2 = await s.call(path, { method: "DELETE", token: TOKEN });
      assert.equal(d2.status, 200);
      assert.equal(d2.body.deleted, false);
      assertError(await s.call(path, { token: TOKEN }), 405, "METHOD_NOT_ALLOWED");
    });

    test("GET snapshot-template and ?parameters=true: the package's template of the disk ARM gave", async () => {
      const id = disks["vm-web-01-osdisk"];
      const t = await s.call(`${diskPath(id)}/snapshot-template`, { token: TOKEN });
      assert.equal(t.status, 200, JSON.stringify(t.body));
      assertSchema("DeploymentTemplate", t.body);
      assert.match(t.body.$schema, /deploymentTemplate\.json#$/);
      assert.ok(t.body.resources.some((r) => /Microsoft\.Compute\/snapshots/i.test(r.type)));
      // the same as the package builds from the disk, read here straight from the emulator
      const disk = await (
        await fetch(`${s.emu.url}${id}?api-version=2025-01-02`, {
          headers: { authorization: "Bearer t" },
          signal: AbortSignal.timeout(10_000),
        })
      ).json();
      assert.deepEqual(t.body, pkgNode.buildSnapshotTemplate({ disk }));
      const p = await s.call(`${diskPath(id)}/snapshot-template?parameters=true`, { token: TOKEN });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assertSchema("DeploymentParameters", p.body);
      assert.match(p.body.$schema, /deploymentParameters\.json#$/);
      assert.deepEqual(p.body, pkgNode.buildTemplateParameters({ disk }));
      assert.match(JSON.stringify(p.body.parameters), /vm-web-01-osdisk/);
      assert.ok(
        JSON.stringify(p.body.parameters).toLowerCase().includes(id.toLowerCase()),
        "the disk's id is filled in",
      );
      // every template parameter the parameters file fills exists in the template
      for (const name of Object.keys(p.body.parameters)) assert.ok(name in t.body.parameters, `parameter ${name}`);
      const v = await s.call(`${diskPath(id)}/snapshot-template?apiVersion=2023-04-02`, { token: TOKEN });
      assert.equal(v.status, 200, JSON.stringify(v.body));
      assert.ok(v.body.resources.every((r) => r.apiVersion === "2023-04-02"));
      assertError(await s.call(`${diskPath(id)}/snapshot-template?apiVersion=1999-01-01`, { token: TOKEN }), 400);
      assertError(
        await s.call(`${diskPath(id)}/snapshot-template?layout=perDisk`, { token: TOKEN }),
        400,
        "INVALID_ARGUMENT",
      );
      assertError(
        await s.call(`/v1/subscriptions/${SUB}/resourceGroups/rg-dev/disks/gone/snapshot-template`, { token: TOKEN }),
        404,
        "NOT_FOUND",
      );
    });

    test("POST /v1/templates builds without a token and without calling ARM", async () => {
      s.reset();
      const bodies = [
        { disks: [disks["vm-web-01-osdisk"], disks["archive-hdd-01"]] },
        {
          disks: [disks["vm-web-01-osdisk"], disks["archive-hdd-01"]],
          layout: "perDisk",
          outputs: true,
          tags: { by: "worker" },
        },
        { disk: disks["dev-scratch"], snapshotName: { timestamp: true }, sku: "Standard_ZRS" },
        {},
      ];
      for (const body of bodies) {
        const t = await s.call("/v1/templates", { method: "POST", json: body });
        assert.equal(t.status, 200, JSON.stringify(t.body));
        assertSchema("DeploymentTemplate", t.body);
        assert.deepEqual(t.body, pkgNode.buildSnapshotTemplate(body), JSON.stringify(body));
      }
      const p = await s.call("/v1/templates?parameters=true", { method: "POST", json: bodies[0] });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assertSchema("DeploymentParameters", p.body);
      assert.deepEqual(p.body, pkgNode.buildTemplateParameters(bodies[0]));
      for (const bad of [
        { disks: ["not an id"] },
        { disk: disks["dev-scratch"], unknownOption: 1 },
        { disks: [disks["dev-scratch"]], incremental: false },
      ]) {
        const r = await s.call("/v1/templates", { method: "POST", json: bad });
        assertError(r, 400);
        assert.throws(() => pkgNode.buildSnapshotTemplate(bad), { name: "AzureSnapshotsError" });
      }
      assertError(
        await s.call("/v1/templates", { method: "POST", headers: { "content-type": "application/json" }, body: "[" }),
        400,
        "INVALID_JSON",
      );
      assert.equal(s.armRequests().length, 0);
      assert.equal(s.outbound.length, 0);
    });
  });

  describe("path injection", () => {
    test("every segment is validated as an ARM id before any request", async () => {
      s.reset();
      const g = SUB;
      const bad = [
        `/v1/subscriptions/not-a-guid/resourceGroups/rg/disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg%2F..%2Fx/disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%2Fsnapshots/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/%2e%2e/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/..%2f..%2fproviders/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%3Fapi-version%3D1/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%23x/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%00/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%5c..%5cx/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%252e/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/a..b/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/-lead/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/${"d".repeat(81)}/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg./disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}//resourceGroups/rg/disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%E0%A4%A/incremental-snapshots`,
        `/v1/snapshots//evil.example.com/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s`,
        `/v1/snapshots/https:/evil.example.com/x`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s/extra/y`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/%2e%2e%2f%2e%2e%2fdisks%2fd`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s%3Fapi-version=2020-01-01`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/snapshots/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d/../../../../../../../../subscriptions/${g}/providers/Microsoft.Compute/snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%2e%2e%2f%2e%2e/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d#x/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d?/../../../x/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d#/../incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%3F/incremental-snapshots?x=1`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%2523/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg%20x/disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}%2Fproviders%2FMicrosoft.Compute%2Fsnapshots/resourceGroups/rg/disks/d/incremental-snapshots`,
        `/v1/subscriptions/${g}/resourceGroups/rg/disks/d%0d%0aHost:evil.example.com/incremental-snapshots`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s/../../disks/d`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s%2Fcopy`,
        `/v1/snapshots/subscriptions/${g}/resourceGroups/rg/providers/Microsoft.Compute/disks/d/copy`,
      ];
      for (const p of bad) {
        for (const method of ["GET", "POST", "DELETE"]) {
          const r = await s.raw(p, { method, headers: { authorization: `Bearer ${TOKEN}` } });
          assert.ok([400, 404, 405].includes(r.status), `${method} ${p} → ${r.status} ${r.text}`);
          assertSchema("ErrorResponse", r.body);
        }
      }
      assert.deepEqual(s.armRequests(), []);
      assert.deepEqual(s.outbound, []);
    });

    test("dot segments and backslashes are resolved by the URL parser before the worker: only ever to a worker route", async () => {
      s.reset();
      const r = await s.raw(
        `/v1/subscriptions/${SUB}/resourceGroups/rg-dev/disks/other\\..\\dev-scratch/x/../incremental-snapshots`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      );
      assert.equal(r.status, 200, r.text);
      assert.match(r.body.disk.id, /\/disks\/dev-scratch$/);
      assert.ok(s.armRequests().length > 0);
      for (const q of s.armRequests())
        assert.match(
          q.url,
          /^\/subscriptions\/[^/]+\/resourceGroups\/rg-dev\/providers\/Microsoft\.Compute\/(disks\/dev-scratch|snapshots)\?/i,
          q.url,
        );
      const out = await s.raw(
        `/v1/subscriptions/${SUB}/resourceGroups/rg-dev/disks/d/../../../../../../../subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Compute/disks/dev-scratch`,
        { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } },
      );
      assertError(out, 404, "NOT_FOUND");
    });

    test("ids with ARM's own casing and Unicode resource groups pass validation", async () => {
      const r = await s.raw(`/V1/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/RG-DEV/DISKS/dev-scratch/incremental-snapshots`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(r.status, 200, r.text);
      // names ARM allows get through validation to ARM, encoded once (ARM then says the group is not there)
      for (const rg of ["rg-\u00fcn\u00efcode", "rg.(x)_y-1"]) {
        s.reset();
        const q = await s.raw(
          `/v1/subscriptions/${SUB}/resourceGroups/${encodeURIComponent(rg)}/disks/d.1_x-y/incremental-snapshots`,
          { headers: { authorization: `Bearer ${TOKEN}` } },
        );
        assertError(q, 404, "NOT_FOUND");
        assert.equal(q.body.error.armCode, "ResourceGroupNotFound", q.text);
        assert.equal(s.armRequests().length, 1);
        const path = new URL(s.armRequests()[0].url, "http://x").pathname;
        assert.equal(
          decodeURIComponent(path),
          `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/d.1_x-y`,
        );
      }
    });
  });

  describe("the ARM endpoint", () => {
    test("without ARM_ENDPOINT only the public cloud's endpoint is called (the test proxy answers in its place)", async () => {
      s.reset();
      const other = await s.another({ ARM_ENDPOINT: undefined });
      try {
        const r = await s.call(`${diskPath(disks["dev-scratch"])}/incremental-snapshots`, { token: TOKEN, via: other });
        assert.ok(r.status >= 500, `${r.status} ${r.text}`);
        assertSchema("ErrorResponse", r.body);
        assert.ok(s.outbound.length >= 1);
        for (const o of s.outbound) assert.equal(new URL(o.url).hostname, "management.azure.com", o.url);
        assert.equal(s.armRequests().length, 0);
      } finally {
        await other.dispose();
      }
    });

    test("an ARM_ENDPOINT that is not an https origin (http only on loopback) is refused: 500, nothing sent", async () => {
      s.reset();
      for (const endpoint of [
        "http://evil.example.com",
        "https://management.azure.com/extra/path",
        "https://user:pw@management.azure.com",
        "not a url",
      ]) {
        const other = await s.another({ ARM_ENDPOINT: endpoint });
        try {
          const r = await s.call(`${diskPath(disks["dev-scratch"])}/incremental-snapshots`, {
            token: TOKEN,
            via: other,
          });
          assertError(r, 500, "CONFIGURATION");
          assert.ok(!r.text.includes("pw@"));
        } finally {
          await other.dispose();
        }
      }
      assert.equal(s.outbound.length, 0);
    });
  });

  describe("ARM misbehaving", () => {
    test("a foreign nextLink is an error and the foreign host is never called", async () => {
      s.reset();
      s.emu.setOptions({ pageSize: 2 });
      s.emu.addFault({ route: "GET /snapshots", kind: "foreignNextLink", count: -1 });
      try {
        const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
        assertError(r, 502, "UNTRUSTED_URL");
        assert.ok(!r.text.includes(TOKEN));
        assert.ok(s.outbound.length >= 2);
        assert.ok(
          s.outbound.every((o) => o.origin === new URL(s.emu.url).origin),
          JSON.stringify(s.outbound),
        );
        assert.ok(!s.outbound.some((o) => o.url.includes("evil.example.com")));
      } finally {
        s.emu.clearFaults();
        s.emu.setOptions({ pageSize: 1000 });
      }
    });

    test("a foreign operation URL is refused as well", async () => {
      s.reset();
      s.emu.addFault({ route: "PUT snapshots/", kind: "foreignPoll" });
      try {
        const r = await s.call(`${diskPath(disks["dev-scratch"])}/incremental-snapshots?wait=true`, {
          method: "POST",
          token: TOKEN,
          json: { name: "wk-foreign-poll" },
        });
        assertError(r, 502, "UNTRUSTED_URL");
        assert.ok(!s.outbound.some((o) => o.url.includes("evil.example.com")), JSON.stringify(s.outbound));
      } finally {
        s.emu.clearFaults();
      }
    });

    test("throttling is passed on as 429 with Retry-After", async () => {
      s.reset();
      s.emu.addFault({ route: "GET /disks/", kind: "throttle", count: 10, retryAfter: 2 });
      try {
        const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
        assertError(r, 429, "THROTTLED");
        assert.equal(header(r, "retry-after"), "2");
        assert.equal(r.body.error.armCode, "TooManyRequests");
        // ARM_MAX_RETRIES=1: the first attempt and one retry
        assert.equal(s.armRequests().filter((q) => q.status === 429).length, 2);
      } finally {
        s.emu.clearFaults();
      }
    });

    test("a Retry-After longer than ARM_MAX_RETRY_WAIT_MS is passed on at once, not slept", async () => {
      s.reset();
      s.emu.addFault({ route: "GET /disks/", kind: "throttle", count: 10, retryAfter: 40 });
      try {
        const started = performance.now();
        const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
        assertError(r, 429, "THROTTLED");
        assert.equal(header(r, "retry-after"), "40");
        assert.equal(s.armRequests().filter((q) => q.status === 429).length, 1, "no retry");
        assert.ok(performance.now() - started < 10_000, "answered without waiting 40 s");
      } finally {
        s.emu.clearFaults();
      }
    });

    test("5xx after retries is passed on, a dropped connection is 502 NETWORK", async () => {
      s.emu.addFault({ route: "GET /disks/", kind: "status", status: 503, count: 10, retryAfter: 0 });
      try {
        const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
        assertError(r, 503, "ARM_ERROR");
      } finally {
        s.emu.clearFaults();
      }
      s.emu.addFault({ route: "GET /disks/", kind: "drop", count: 10 });
      try {
        const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, { token: TOKEN });
        assertError(r, 502, "NETWORK");
      } finally {
        s.emu.clearFaults();
      }
    });
  });

  describe("CORS", () => {
    test("preflight from an allowed origin: 204 with the CORS headers", async () => {
      const r = await s.call(`${diskPath(disks["vm-web-01-osdisk"])}/incremental-snapshots`, {
        method: "OPTIONS",
        headers: {
          origin: ALLOWED,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      assert.equal(r.status, 204);
      assert.equal(header(r, "access-control-allow-origin"), ALLOWED);
      assert.match(header(r, "access-control-allow-methods"), /POST/);
      assert.match(header(r, "access-control-allow-headers"), /Authorization/i);
      assert.match(header(r, "vary"), /Origin/);
      // PUT (a policy) is allowed from a listed origin too; PATCH is not a method of the API.
      const put = await s.call("/v1/policies/p1", {
        method: "OPTIONS",
        headers: { origin: ALLOWED, "access-control-request-method": "PUT" },
      });
      assert.equal(put.status, 204);
      assert.equal(header(put, "access-control-allow-origin"), ALLOWED);
      const patch = await s.call("/v1/policies/p1", {
        method: "OPTIONS",
        headers: { origin: ALLOWED, "access-control-request-method": "PATCH" },
      });
      assert.equal(patch.status, 403);
    });

    test("preflight from any other origin: 403 without Access-Control-Allow-Origin", async () => {
      for (const origin of [
        "https://evil.example.com",
        "https://backup.example.com.evil.example",
        "null",
        "http://backup.example.com",
      ]) {
        const r = await s.call("/v1/health", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "GET" },
        });
        assertError(r, 403, "ORIGIN_NOT_ALLOWED");
        assert.equal(header(r, "access-control-allow-origin"), null);
      }
    });

    test("actual requests: allowed origins get ACAO and exposed headers, others none", async () => {
      const ok = await s.call("/v1/health", { headers: { origin: ALLOWED } });
      assert.equal(header(ok, "access-control-allow-origin"), ALLOWED);
      assert.match(header(ok, "access-control-expose-headers"), /Location/);
      const err = await s.call("/v1/nope", { headers: { origin: "https://ops.example.com" } });
      assert.equal(header(err, "access-control-allow-origin"), "https://ops.example.com");
      const refused = await s.call("/v1/health", { headers: { origin: "https://evil.example.com" } });
      assert.equal(refused.status, 200);
      assert.equal(header(refused, "access-control-allow-origin"), null);
    });
  });
});
