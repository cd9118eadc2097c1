// The small exports that let the page and the worker use the package's ARM rules instead of
// re-deriving them: clouds() (the cloud table), parseEndpoint() (ArmClient's endpoint rules) and
// operationStatus() (the long-running operation status rules).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadPackage } from "./load-package.mjs";

let m;
before(async () => {
  m = await loadPackage();
});

test("clouds() is a new frozen array of frozen { name, armEndpoint } on each call, the clouds ArmClient takes", () => {
  const list = m.clouds();
  assert.deepEqual(list, [
    { name: "AzureCloud", armEndpoint: "https://management.azure.com" },
    { name: "AzureUSGovernment", armEndpoint: "https://management.usgovcloudapi.net" },
    { name: "AzureChinaCloud", armEndpoint: "https://management.chinacloudapi.cn" },
  ]);
  assert.ok(Object.isFrozen(list) && list.every(Object.isFrozen));
  assert.notEqual(m.clouds(), list);
  for (const { name, armEndpoint } of list) {
    const client = new m.ArmClient({ token: "t", cloud: name });
    try {
      assert.equal(client.endpoint, armEndpoint);
    } finally {
      client.free();
    }
  }
});

test("parseEndpoint() gives the origin ArmClient would use, and refuses what it refuses", () => {
  for (const [input, origin] of [
    ["https://management.azure.com", "https://management.azure.com"],
    ["https://Management.Azure.com/", "https://management.azure.com"],
    ["https://management.azure.com:443", "https://management.azure.com"],
    ["https://example.com:8443", "https://example.com:8443"],
    ["http://127.0.0.1:9", "http://127.0.0.1:9"],
    ["http://localhost", "http://localhost"],
    ["http://[::1]:8080", "http://[::1]:8080"],
  ]) {
    assert.equal(m.parseEndpoint(input), origin, input);
    const client = new m.ArmClient({ token: "t", endpoint: input });
    try {
      assert.equal(client.endpoint, origin, input);
    } finally {
      client.free();
    }
  }
  for (const [input, code] of [
    ["http://evil.example.com", "UNTRUSTED_URL"],
    ["https://management.azure.com/extra/path", "INVALID_ARGUMENT"],
    ["https://management.azure.com?x=1", "INVALID_ARGUMENT"],
    ["https://user:pw@management.azure.com", "INVALID_ARGUMENT"],
    ["not a url", "INVALID_ARGUMENT"],
    ["ftp://example.com", "INVALID_ARGUMENT"],
    ["", "INVALID_ARGUMENT"],
    [42, "INVALID_ARGUMENT"],
  ]) {
    assert.throws(
      () => m.parseEndpoint(input),
      (e) => e.code === code && e.field === "endpoint",
      String(input),
    );
    assert.throws(
      () => new m.ArmClient({ token: "t", endpoint: input }),
      (e) => e.code === code,
      String(input),
    );
  }
});

test("operationStatus() reads a status as the client does: Succeeded, Failed (Failed/Canceled/Cancelled), else Running", () => {
  for (const s of ["Succeeded", "succeeded", "SUCCEEDED"]) assert.equal(m.operationStatus(s), "Succeeded");
  for (const s of ["Failed", "failed", "Canceled", "CANCELLED", "cancelled"])
    assert.equal(m.operationStatus(s), "Failed");
  for (const s of ["InProgress", "Creating", "Updating", "", "Accepted", "Succeeded "])
    assert.equal(m.operationStatus(s), "Running");
  assert.throws(
    () => m.operationStatus(null),
    (e) => e.code === "INVALID_ARGUMENT" && e.field === "status",
  );
});
