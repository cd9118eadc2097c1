// Fault injection: every kind, route matching, counts, and the latency option.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { start, call, snapPath, snapshotBody, waitOperation, API } from "./helpers.mjs";

async function demo(t, opts = {}) {
  const emu = await start({ seed: "demo", lroPolls: 0, ...opts });
  t.after(() => emu.close());
  const sub = emu.seedInfo.subscriptionId;
  const scratch = emu.seedInfo.disks.find((d) => d.endsWith("/dev-scratch"));
  return { emu, sub, scratch };
}

const listPath = (sub) => `/subscriptions/${sub}/providers/Microsoft.Compute/snapshots`;

test("throttle: 429, Retry-After, retry-after-ms, used up after count", async (t) => {
  const { emu, sub } = await demo(t);
  emu.addFault({
    route: "GET /providers/Microsoft.Compute/snapshots",
    kind: "throttle",
    retryAfter: 2,
    retryAfterMs: 1500,
    count: 2,
  });
  for (let i = 0; i < 2; i++) {
    const r = await call(emu, "GET", listPath(sub));
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "2");
    assert.equal(r.headers.get("retry-after-ms"), "1500");
    assert.equal(r.headers.get("x-ms-retry-after-ms"), "1500");
    assert.equal(r.headers.get("x-ms-error-code"), "TooManyRequests");
    assert.equal(r.body.error.code, "TooManyRequests");
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
  }
  assert.equal((await call(emu, "GET", listPath(sub))).status, 200);
  // other routes never matched
  emu.addFault({ route: "PUT snapshots/", kind: "throttle" });
  assert.equal((await call(emu, "GET", listPath(sub))).status, 200);
  // without retryAfterMs, only Retry-After; a custom code
  emu.clearFaults();
  emu.addFault({ route: "*", kind: "throttle", retryAfter: 0, code: "SubscriptionRequestsThrottled" });
  const r = await call(emu, "GET", "/subscriptions");
  assert.equal(r.headers.get("retry-after"), "0");
  assert.equal(r.headers.get("retry-after-ms"), null);
  assert.equal(r.body.error.code, "SubscriptionRequestsThrottled");
});

test("status faults: 500, 502, 503, 504, 408 with ARM error bodies", async (t) => {
  const { emu } = await demo(t);
  const codes = {
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
    408: "RequestTimeout",
  };
  for (const [status, code] of Object.entries(codes)) {
    emu.addFault({
      route: "GET /subscriptions",
      kind: "status",
      status: Number(status),
      retryAfter: status === "503" ? 1 : undefined,
    });
    const r = await call(emu, "GET", "/subscriptions");
    assert.equal(r.status, Number(status));
    assert.equal(r.body.error.code, code);
    assert.equal(r.headers.get("x-ms-error-code"), code);
    if (status === "503") assert.equal(r.headers.get("retry-after"), "1");
  }
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.deepEqual(
    emu.requests.filter((x) => x.fault).map((x) => x.status),
    Object.keys(codes).map(Number),
  );
});

test("drop: the connection closes without a response", async (t) => {
  const { emu } = await demo(t);
  emu.addFault({ route: "GET /subscriptions", kind: "drop" });
  await assert.rejects(call(emu, "GET", "/subscriptions"));
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.equal(emu.requests[0].fault, "drop");
});

test("truncate: content-length of the whole body, half of it sent", async (t) => {
  const { emu, sub } = await demo(t);
  emu.addFault({ route: "GET snapshots", kind: "truncate" });
  const got = await new Promise((resolve) => {
    const req = http.get(
      `${emu.url}${listPath(sub)}?api-version=${API}`,
      { headers: { authorization: "Bearer t" } },
      (res) => {
        let n = 0;
        res.on("data", (c) => {
          n += c.length;
        });
        res.on("error", () =>
          resolve({ status: res.statusCode, length: Number(res.headers["content-length"]), received: n }),
        );
        res.on("aborted", () =>
          resolve({ status: res.statusCode, length: Number(res.headers["content-length"]), received: n }),
        );
        res.on("end", () =>
          resolve({ status: res.statusCode, length: Number(res.headers["content-length"]), received: n, ended: true }),
        );
      },
    );
    req.on("error", () => {});
  });
  assert.equal(got.status, 200);
  assert.ok(got.received < got.length, JSON.stringify(got));
  assert.ok(got.received > 0);
  // fetch sees a broken body
  emu.addFault({ route: "GET snapshots", kind: "truncate" });
  const res = await fetch(`${emu.url}${listPath(sub)}?api-version=${API}`, { headers: { authorization: "Bearer t" } });
  await assert.rejects(res.text());
  assert.equal((await call(emu, "GET", listPath(sub))).status, 200);
});

test("lroFailed: the operation ends Failed with InternalOperationError", async (t) => {
  const { emu, sub, scratch } = await demo(t);
  emu.addFault({ route: "PUT snapshots/", kind: "lroFailed" });
  const r = await call(emu, "PUT", snapPath(sub, "rg-dev", "f1"), {
    body: snapshotBody(scratch, { location: "westus2" }),
  });
  assert.equal(r.status, 202);
  const op = await waitOperation(emu, r);
  assert.equal(op.status, "Failed");
  assert.equal(op.error.code, "InternalOperationError");
  assert.ok(op.error.message);
  assert.equal(op.properties, undefined);
  assert.ok(op.endTime);
  const m = await call(emu, "GET", r.headers.get("location"), { api: null });
  assert.equal(m.status, 500);
  assert.equal(m.body.error.code, "InternalOperationError");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "f1"))).body.properties.provisioningState, "Failed");
  // used up: the next one succeeds
  const r2 = await call(emu, "PUT", snapPath(sub, "rg-dev", "f2"), {
    body: snapshotBody(scratch, { location: "westus2" }),
  });
  assert.equal((await waitOperation(emu, r2)).status, "Succeeded");
  // a failed delete leaves the snapshot
  emu.addFault({ route: "DELETE snapshots/", kind: "lroFailed" });
  const d = await call(emu, "DELETE", snapPath(sub, "rg-dev", "f2"));
  assert.equal((await waitOperation(emu, d)).status, "Failed");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "f2"))).status, 200);
});

test("lroCanceled: the operation ends Canceled and nothing is created", async (t) => {
  const { emu, sub, scratch } = await demo(t, { lroPolls: 1 });
  emu.addFault({ route: "PUT snapshots/c1", kind: "lroCanceled" });
  const r = await call(emu, "PUT", snapPath(sub, "rg-dev", "c1"), {
    body: snapshotBody(scratch, { location: "westus2" }),
  });
  const op = await waitOperation(emu, r);
  assert.equal(op.status, "Canceled");
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "c1"))).status, 404);
  // a canceled grant leaves no SAS
  emu.addFault({ route: "POST beginGetAccess", kind: "lroCanceled" });
  const g = await call(emu, "POST", `${snapPath(sub, "rg-dev", "manual-before-upgrade")}/beginGetAccess`, {
    body: { access: "Read", durationInSeconds: 60 },
  });
  assert.equal((await waitOperation(emu, g)).status, "Canceled");
  assert.equal(
    (await call(emu, "GET", snapPath(sub, "rg-dev", "manual-before-upgrade"))).body.properties.diskState,
    "Unattached",
  );
});

test("foreignNextLink and foreignPoll point elsewhere", async (t) => {
  const { emu, sub, scratch } = await demo(t, { pageSize: 5 });
  emu.addFault({ route: "GET /providers/Microsoft.Compute/snapshots", kind: "foreignNextLink" });
  let r = await call(emu, "GET", listPath(sub));
  assert.ok(r.body.nextLink.startsWith("https://evil.example.com/subscriptions/"), r.body.nextLink);
  r = await call(emu, "GET", listPath(sub));
  assert.ok(r.body.nextLink.startsWith(emu.url));
  emu.addFault({ route: "PUT snapshots/", kind: "foreignPoll" });
  r = await call(emu, "PUT", snapPath(sub, "rg-dev", "p1"), { body: snapshotBody(scratch, { location: "westus2" }) });
  assert.equal(r.status, 202);
  assert.ok(r.headers.get("azure-asyncoperation").startsWith("https://evil.example.com/"));
  assert.ok(r.headers.get("location").startsWith("https://evil.example.com/"));
});

test("route matching: RegExp (in process), globs, method wildcard, count -1, faults given at start", async (t) => {
  const { emu, sub } = await demo(t, { faults: [{ route: /^GET \/subscriptions\?/, kind: "status", status: 502 }] });
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 502);
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  emu.addFault({ route: "GET /snapshots/*-upgrade", kind: "status", status: 500, count: -1 });
  for (let i = 0; i < 3; i++)
    assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "manual-before-upgrade"))).status, 500);
  assert.equal((await call(emu, "GET", snapPath(sub, "rg-dev", "imported-golden-image"))).status, 200);
  emu.clearFaults();
  emu.addFault({ route: "* diskoperations", kind: "throttle", retryAfter: 1 });
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.throws(() => emu.addFault({ route: "*", kind: "explode" }));
  assert.throws(() => emu.addFault({ route: "*", kind: "status", status: 200 }));
});

test("latency: latencyMs delays every response; latency fault delays one", async (t) => {
  const { emu } = await demo(t, { latencyMs: 120 });
  let t0 = Date.now();
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.ok(Date.now() - t0 >= 110);
  emu.options.latencyMs = 0;
  emu.addFault({ route: "GET /subscriptions", kind: "latency", ms: 150 });
  t0 = Date.now();
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
  assert.ok(Date.now() - t0 >= 140);
  t0 = Date.now();
  await call(emu, "GET", "/subscriptions");
  assert.ok(Date.now() - t0 < 140);
});
