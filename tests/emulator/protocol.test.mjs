// ARM protocol behaviour: api-version, authentication, error codes and headers, case-insensitive
// paths, paging, request validation, CORS, the control API.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
  start,
  call,
  createRg,
  createDisk,
  createSnapshot,
  snapPath,
  diskPath,
  rgPath,
  UUID_RE,
  API,
} from "./helpers.mjs";

async function demo(t, opts = {}) {
  const emu = await start({ seed: "demo", lroPolls: 0, ...opts });
  t.after(() => emu.close());
  return { emu, sub: emu.seedInfo.subscriptionId };
}

test("api-version: missing, unsupported, accepted", async (t) => {
  const { emu, sub } = await demo(t);
  const p = `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`;
  let r = await call(emu, "GET", p, { api: null });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "MissingApiVersionParameter");
  assert.equal(r.headers.get("x-ms-error-code"), "MissingApiVersionParameter");
  for (const bad of ["2018-06-01", "2099-01-01", "latest", "2025-01-02-preview"]) {
    r = await call(emu, "GET", p, { api: bad });
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.code, "InvalidApiVersionParameter");
  }
  for (const ok of ["2019-03-01", "2023-04-02", "2025-01-02", "2026-03-02"]) {
    assert.equal((await call(emu, "GET", p, { api: ok })).status, 200, ok);
  }
  // subscriptions and resource groups are lenient
  assert.equal((await call(emu, "GET", "/subscriptions", { api: "2022-12-01" })).status, 200);
  assert.equal((await call(emu, "GET", "/subscriptions", { api: "2016-06-01" })).status, 200);
  assert.equal((await call(emu, "GET", `/subscriptions/${sub}/resourcegroups`, { api: "2021-04-01" })).status, 200);
  assert.equal((await call(emu, "GET", `/subscriptions/${sub}/resourcegroups`, { api: "yesterday" })).status, 400);
  // the operation status route takes DiskRP versions
  const s = await call(emu, "PUT", snapPath(sub, "rg-dev", "v1"), {
    body: {
      location: "westus2",
      properties: {
        creationData: {
          createOption: "Copy",
          sourceResourceId: emu.seedInfo.disks.find((d) => d.endsWith("dev-scratch")),
        },
        incremental: true,
      },
    },
    api: "2023-04-02",
  });
  assert.equal(s.status, 202);
  assert.match(s.headers.get("azure-asyncoperation"), /api-version=2023-04-02/);
});

test("authentication: missing, malformed, expired, forbidden; operation URLs need the token too", async (t) => {
  const { emu, sub } = await demo(t);
  const p = `/subscriptions/${sub}/resourcegroups`;
  let r = await call(emu, "GET", p, { token: null });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "AuthenticationFailed");
  assert.match(r.headers.get("www-authenticate"), /^Bearer authorization_uri=/);
  r = await call(emu, "GET", p, { token: null, headers: { authorization: "Basic dXNlcjpwYXNz" } });
  assert.equal(r.status, 401);
  r = await call(emu, "GET", p, { token: "expired" });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "ExpiredAuthenticationToken");
  assert.ok(r.headers.get("www-authenticate"));
  r = await call(emu, "GET", p, { token: "forbidden" });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, "AuthorizationFailed");
  assert.equal(r.headers.get("x-ms-error-code"), "AuthorizationFailed");
  // authentication is checked before the api-version
  assert.equal((await call(emu, "GET", p, { token: null, api: null })).status, 401);

  const put = await call(emu, "PUT", snapPath(sub, "rg-dev", "authsnap"), {
    body: {
      location: "westus2",
      properties: {
        creationData: {
          createOption: "Copy",
          sourceResourceId: `${rgPath(sub, "rg-dev")}/providers/Microsoft.Compute/disks/dev-scratch`,
        },
        incremental: true,
      },
    },
  });
  assert.equal(put.status, 202);
  for (const h of ["azure-asyncoperation", "location"]) {
    assert.equal((await call(emu, "GET", put.headers.get(h), { api: null, token: null })).status, 401, h);
    assert.equal((await call(emu, "GET", put.headers.get(h), { api: null, token: "expired" })).status, 401, h);
  }
});

test("every response carries the ARM headers", async (t) => {
  const { emu, sub } = await demo(t);
  for (const [method, p, expect] of [
    ["GET", "/subscriptions", 200],
    ["GET", `/subscriptions/${sub}/resourceGroups/nope/providers/Microsoft.Compute/snapshots`, 404],
    ["DELETE", snapPath(sub, "rg-dev", "absent"), 204],
  ]) {
    const r = await call(emu, method, p, {
      headers: { origin: "http://localhost:8080", "x-ms-client-request-id": "abc-123" },
    });
    assert.equal(r.status, expect);
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    assert.match(r.headers.get("x-ms-request-id"), UUID_RE);
    assert.match(r.headers.get("x-ms-correlation-request-id"), UUID_RE);
    assert.equal(r.headers.get("x-ms-client-request-id"), "abc-123");
    assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:8080");
    const expose = r.headers.get("access-control-expose-headers").toLowerCase();
    for (const h of [
      "location",
      "azure-asyncoperation",
      "retry-after",
      "retry-after-ms",
      "x-ms-retry-after-ms",
      "x-ms-request-id",
      "x-ms-correlation-request-id",
      "x-ms-error-code",
    ]) {
      assert.ok(expose.includes(h), h);
    }
    const budget =
      method === "GET" ? "x-ms-ratelimit-remaining-subscription-reads" : "x-ms-ratelimit-remaining-subscription-writes";
    assert.match(r.headers.get(budget), /^\d+$/);
  }
});

test("404s: SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound, InvalidResourceType; 405", async (t) => {
  const { emu, sub } = await demo(t);
  let r = await call(emu, "GET", "/subscriptions/99999999-9999-9999-9999-999999999999/resourcegroups");
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, "SubscriptionNotFound");
  for (const p of [
    snapPath(sub, "rg-missing", "x"),
    diskPath(sub, "rg-missing", "x"),
    `${rgPath(sub, "rg-missing")}/providers/Microsoft.Compute/snapshots`,
    rgPath(sub, "rg-missing"),
  ]) {
    r = await call(emu, "GET", p);
    assert.equal(r.status, 404, p);
    assert.equal(r.body.error.code, "ResourceGroupNotFound", p);
    assert.equal(r.headers.get("x-ms-error-code"), "ResourceGroupNotFound");
  }
  r = await call(emu, "GET", snapPath(sub, "rg-dev", "missing"));
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, "ResourceNotFound");
  assert.equal(
    r.body.error.message,
    "The Resource 'Microsoft.Compute/snapshots/missing' under resource group 'rg-dev' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
  r = await call(emu, "GET", `${rgPath(sub, "rg-dev")}/providers/Microsoft.Compute/galleries/g1`);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, "InvalidResourceType");
  r = await call(emu, "POST", snapPath(sub, "rg-dev", "manual-before-upgrade"), { body: {} });
  assert.equal(r.status, 405);
  r = await call(emu, "GET", `${snapPath(sub, "rg-dev", "manual-before-upgrade")}/beginGetAccess`);
  assert.equal(r.status, 405);
});

test("paths and names are case-insensitive; stored casing is kept", async (t) => {
  const { emu, sub } = await demo(t);
  const odd = `/Subscriptions/${sub.toUpperCase()}/RESOURCEGROUPS/RG-DEV/Providers/microsoft.compute/Snapshots/MANUAL-BEFORE-UPGRADE`;
  const r = await call(emu, "GET", odd);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, "manual-before-upgrade");
  assert.equal(
    r.body.id,
    `/subscriptions/${sub}/resourceGroups/rg-dev/providers/Microsoft.Compute/snapshots/manual-before-upgrade`,
  );
  const l = await call(emu, "GET", `/SUBSCRIPTIONS/${sub}/PROVIDERS/Microsoft.Compute/DISKS`);
  assert.equal(l.status, 200);
  assert.ok(l.body.value.length >= 5);
  // a resource group created with mixed case keeps it
  await createRg(emu, sub, "My-Mixed-RG", "westus");
  const g = await call(emu, "GET", rgPath(sub, "my-mixed-rg"), { api: "2021-04-01" });
  assert.equal(g.body.name, "My-Mixed-RG");
  assert.equal(g.body.id, `/subscriptions/${sub}/resourceGroups/My-Mixed-RG`);
});

test("subscriptions and resource groups", async (t) => {
  const { emu, sub } = await demo(t);
  const s = await call(emu, "GET", "/subscriptions", { api: "2022-12-01" });
  assert.deepEqual(
    s.body.value.map((x) => [x.id, x.subscriptionId, x.displayName, x.state]),
    [[`/subscriptions/${sub}`, sub, "Demo subscription", "Enabled"]],
  );
  assert.match(s.body.value[0].tenantId, UUID_RE);
  const rgs = await call(emu, "GET", `/subscriptions/${sub}/resourcegroups`, { api: "2021-04-01" });
  assert.deepEqual(
    rgs.body.value.map((r) => r.name),
    ["rg-prod-westeurope", "rg-data-eastus", "rg-dev"],
  );
  assert.equal(rgs.body.value[0].type, "Microsoft.Resources/resourceGroups");
  const put = await call(emu, "PUT", rgPath(sub, "rg-new"), { body: { location: "North Europe" }, api: "2021-04-01" });
  assert.equal(put.status, 201);
  assert.equal(put.body.location, "northeurope");
  assert.equal(
    (await call(emu, "PUT", rgPath(sub, "rg-new"), { body: { location: "northeurope" }, api: "2021-04-01" })).status,
    200,
  );
  assert.equal(
    (await call(emu, "PUT", rgPath(sub, "rg-bad."), { body: { location: "westus" }, api: "2021-04-01" })).status,
    400,
  );
  assert.equal((await call(emu, "HEAD", rgPath(sub, "rg-new"), { api: "2021-04-01" })).status, 204);
  assert.equal((await call(emu, "HEAD", rgPath(sub, "rg-none"), { api: "2021-04-01" })).status, 404);
});

test("paging: pageSize 3 over 10 snapshots, absolute nextLink, nothing lost or repeated when deleting between pages", async (t) => {
  const emu = await start({ seed: "empty", lroPolls: 0, pageSize: 3 });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  await createRg(emu, sub, "rg-page");
  const disk = await createDisk(emu, sub, "rg-page", "d1", { sku: "Standard_LRS" });
  await call(emu, "POST", `${emu.url}/__emulator/options`, {
    body: { enforceRateLimit: false },
    api: null,
    token: null,
    headers: { "x-emulator-secret": emu.controlSecret },
  });
  const names = [];
  for (let i = 0; i < 10; i++) {
    names.push(`s${String(i).padStart(2, "0")}`);
    await createSnapshot(emu, sub, "rg-page", names[i], disk.id);
  }
  const walk = async (first, onPage) => {
    const seen = [];
    let url = first;
    let pages = 0;
    while (url && pages < 20) {
      const r = await call(emu, "GET", url, { api: url.includes("api-version") ? null : API });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.value.length <= 3);
      seen.push(...r.body.value.map((v) => v.name));
      pages += 1;
      if (r.body.nextLink) {
        assert.ok(r.body.nextLink.startsWith(`${emu.url}/subscriptions/${sub}/`), r.body.nextLink);
        assert.match(r.body.nextLink, /[?&]api-version=2025-01-02(&|$)/);
        assert.match(r.body.nextLink, /[?&]\$skiptoken=/);
      }
      url = r.body.nextLink;
      if (onPage) await onPage(pages, r.body);
    }
    return { seen, pages };
  };
  for (const p of [
    `/subscriptions/${sub}/resourceGroups/rg-page/providers/Microsoft.Compute/snapshots`,
    `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`,
  ]) {
    const { seen, pages } = await walk(p);
    assert.deepEqual(seen, names);
    assert.equal(pages, 4);
  }
  // delete items already served and items not yet served between pages
  const { seen } = await walk(`/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`, async (page) => {
    if (page === 1) {
      assert.equal((await call(emu, "DELETE", snapPath(sub, "rg-page", "s01"))).status, 202);
      assert.equal((await call(emu, "DELETE", snapPath(sub, "rg-page", "s05"))).status, 202);
    }
  });
  assert.deepEqual(
    seen,
    names.filter((n) => n !== "s05"),
  );
  assert.equal(new Set(seen).size, seen.length);
  // an exact multiple of the page size: the last page has no nextLink and no empty page follows
  await call(emu, "DELETE", snapPath(sub, "rg-page", "s09"));
  await call(emu, "DELETE", snapPath(sub, "rg-page", "s08"));
  const r2 = await walk(`/subscriptions/${sub}/resourceGroups/rg-page/providers/Microsoft.Compute/snapshots`);
  assert.equal(r2.seen.length, 6);
  assert.equal(r2.pages, 2);
  // a token from another list is refused
  const first = await call(emu, "GET", `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`);
  const token = new URL(first.body.nextLink).searchParams.get("$skiptoken");
  const other = await call(emu, "GET", `/subscriptions/${sub}/providers/Microsoft.Compute/disks?$skiptoken=${token}`);
  assert.equal(other.status, 400);
  // disks and resource groups page too
  for (let i = 2; i <= 4; i++) await createDisk(emu, sub, "rg-page", `d${i}`, { sku: "Standard_LRS" });
  const dl = await call(emu, "GET", `/subscriptions/${sub}/providers/Microsoft.Compute/disks`);
  assert.equal(dl.body.value.length, 3);
  assert.ok(dl.body.nextLink);
});

test("request validation: names, JSON, body size, required fields", async (t) => {
  const { emu, sub } = await demo(t);
  const disk = `${rgPath(sub, "rg-dev")}/providers/Microsoft.Compute/disks/dev-scratch`;
  for (const bad of ["-starts-with-dash", "ends-with-dot.", "has space", "x".repeat(81), "semi;colon"]) {
    const r = await call(emu, "PUT", snapPath(sub, "rg-dev", encodeURIComponent(bad)), {
      body: { location: "westus2", properties: { creationData: { createOption: "Copy", sourceResourceId: disk } } },
    });
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.code, "InvalidResourceName", bad);
  }
  for (const good of ["a", "A_", "snap.2025-01-01_x", "x".repeat(80)]) {
    const r = await call(emu, "PUT", snapPath(sub, "rg-dev", good), {
      body: { location: "westus2", properties: { creationData: { createOption: "Copy", sourceResourceId: disk } } },
    });
    assert.equal(r.status, 202, `${good}: ${r.text}`);
  }
  let r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    raw: '{"location": "westus2", ',
    headers: { "content-type": "application/json" },
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidRequestContent");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    raw: "[1,2]",
    headers: { "content-type": "application/json" },
  });
  assert.equal(r.body.error.code, "InvalidRequestContent");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    body: { properties: { creationData: { createOption: "Copy", sourceResourceId: disk } } },
  });
  assert.equal(r.body.error.code, "LocationRequired");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), { body: { location: "westus2", properties: {} } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidParameter");
  assert.equal(r.body.error.target, "creationData");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    body: { location: "westus2", properties: { creationData: { createOption: "Copy" } } },
  });
  assert.equal(r.body.error.target, "sourceResourceId");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    body: {
      location: "westus2",
      properties: { creationData: { createOption: "Copy", sourceResourceId: "not/an/id" } },
    },
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidParameter");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    body: {
      location: "westus2",
      properties: {
        creationData: {
          createOption: "Copy",
          sourceResourceId: `${rgPath(sub, "rg-dev")}/providers/Microsoft.Compute/disks/nope`,
        },
      },
    },
  });
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, "ResourceNotFound");
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    body: {
      location: "westus2",
      sku: { name: "Ultra_Fast" },
      properties: { creationData: { createOption: "Copy", sourceResourceId: disk } },
    },
  });
  assert.equal(r.status, 400);
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "j1"), {
    raw: JSON.stringify({ location: "x", pad: "a".repeat(4 * 1024 * 1024 + 10) }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(r.status, 413);
  // still alive
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
});

test("source ids are accepted without the leading slash and in any casing", async (t) => {
  const { emu, sub } = await demo(t);
  const id = `subscriptions/${sub}/RESOURCEGROUPS/rg-dev/providers/microsoft.compute/DISKS/DEV-SCRATCH`;
  const s = await createSnapshot(emu, sub, "rg-dev", "noslash", id, { location: "westus2" });
  assert.equal(s.properties.creationData.sourceResourceId, id, "echoed as sent");
  const d = (await call(emu, "GET", diskPath(sub, "rg-dev", "dev-scratch"))).body;
  assert.equal(s.properties.creationData.sourceUniqueId, d.properties.uniqueId);
});

test("CORS preflight", async (t) => {
  const { emu, sub } = await demo(t);
  const r = await fetch(`${emu.url}${snapPath(sub, "rg-dev", "x")}?api-version=${API}`, {
    method: "OPTIONS",
    headers: {
      origin: "http://127.0.0.1:8080",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "authorization,content-type,x-ms-client-request-id",
    },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get("access-control-allow-origin"), "http://127.0.0.1:8080");
  const methods = r.headers.get("access-control-allow-methods");
  for (const m of ["GET", "PUT", "PATCH", "DELETE", "POST", "OPTIONS"]) assert.ok(methods.includes(m), m);
  const allowed = r.headers.get("access-control-allow-headers").toLowerCase();
  for (const h of ["authorization", "content-type", "x-ms-client-request-id"]) assert.ok(allowed.includes(h), h);
  assert.ok(r.headers.get("access-control-expose-headers").includes("Azure-AsyncOperation"));
});

test("control API: faults, requests, options, clock, reset", async (t) => {
  const { emu, sub } = await demo(t);
  const ctl = (method, p, body) =>
    call(emu, method, `${emu.url}/__emulator${p}`, {
      body,
      api: null,
      token: null,
      headers: { "x-emulator-secret": emu.controlSecret },
    });
  let r = await ctl("GET", "");
  assert.equal(r.status, 200);
  assert.equal(r.body.seedInfo.subscriptionId, sub);
  r = await ctl("POST", "/faults", { route: "GET /subscriptions", kind: "status", status: 503, count: 2 });
  assert.equal(r.status, 201);
  assert.equal((await ctl("GET", "/faults")).body.faults.length, 1);
  assert.equal((await ctl("POST", "/faults", { kind: "nonsense" })).status, 400);
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 503);
  assert.equal((await ctl("DELETE", "/faults")).status, 204);
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  r = await ctl("GET", "/requests");
  assert.ok(r.body.requests.some((x) => x.status === 503 && x.fault === "status"));
  assert.ok(
    r.body.requests.every((x) => !x.url.startsWith("/__emulator")),
    "control calls are not logged",
  );
  assert.equal((await ctl("DELETE", "/requests")).status, 204);
  assert.equal(emu.requests.length, 0);
  r = await ctl("POST", "/options", { pageSize: 2 });
  assert.equal(r.status, 200);
  assert.equal(
    (await call(emu, "GET", `/subscriptions/${sub}/providers/Microsoft.Compute/disks`)).body.value.length,
    2,
  );
  assert.equal((await ctl("POST", "/options", { pageSize: 0 })).status, 400);
  assert.equal((await ctl("POST", "/options", { port: 1 })).status, 400);
  r = await ctl("POST", "/clock", { advanceMs: 3600000 });
  assert.equal(r.status, 200);
  assert.ok(Date.parse(r.body.now) > Date.now() + 3500000);
  await call(emu, "DELETE", snapPath(sub, "rg-dev", "manual-before-upgrade"));
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "manual-before-upgrade"))).status, 404);
  r = await ctl("POST", "/reset", {});
  assert.equal(r.status, 200);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "manual-before-upgrade"))).status, 200);
  r = await ctl("POST", "/reset", { seed: "empty" });
  assert.equal(r.body.seedInfo.resourceGroups.length, 0);
  assert.equal((await ctl("POST", "/reset", { seed: "bogus" })).status, 400);
  assert.equal((await ctl("GET", "/nothing")).status, 404);
});

test("never crashes on odd input", async (t) => {
  const { emu, sub } = await demo(t);
  const weird = [
    ["GET", "/"],
    ["GET", "/%E0%A4%A"],
    ["GET", "/subscriptions/%ZZ"],
    ["PUT", `/subscriptions/${sub}/resourcegroups`],
    ["GET", `/subscriptions/${sub}/providers`],
    ["GET", `/subscriptions/${sub}/providers/Microsoft.Storage/storageAccounts`],
    ["PATCH", snapPath(sub, "rg-dev", "manual-before-upgrade")],
    ["POST", `${snapPath(sub, "rg-dev", "manual-before-upgrade")}/beginGetAccess`],
    ["GET", `/subscriptions/${sub}/providers/Microsoft.Compute/locations/westus/DiskOperations/nope`],
    ["PUT", diskPath(sub, "rg-dev", "d-x")],
    ["PATCH", diskPath(sub, "rg-dev", "dev-scratch")],
  ];
  for (const [m, p] of weird) {
    const bodies =
      m === "GET"
        ? [undefined]
        : [
            undefined,
            "null",
            '"str"',
            '{"properties": 5, "sku": 7, "location": 3}',
            '{"properties":{"creationData":{"createOption":5}}}',
          ];
    for (const raw of bodies) {
      const r = await call(emu, m, p, { raw, headers: raw ? { "content-type": "application/json" } : {} });
      assert.ok(r.status >= 200 && r.status < 500, `${m} ${p} ${raw}: ${r.status} ${r.text}`);
      if (r.status >= 400) assert.ok(r.body?.error?.code, `${m} ${p}: ARM error body`);
    }
  }
  // raw HTTP with a broken request line does not take the server down
  await new Promise((resolve) => {
    const req = http.request({
      host: "127.0.0.1",
      port: emu.port,
      method: "GET",
      path: "/subscriptions",
      headers: { "content-length": "abc" },
    });
    req.on("error", () => resolve());
    req.on("response", (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.end();
  });
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
});
