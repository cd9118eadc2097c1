// The whole fault matrix (tests/node/hostile.test.mjs) again, against the package's smaller
// "client" entry (`azure-incremental-snapshots/client`): the rows of every function and ArmClient
// member that entry has, and all of items 2-12 (tokens, conditional creates, redirects, signals
// and fetch functions, echoed tokens, bounds, token functions, Retry-After, options, body caps),
// child processes included (they inherit AIS_TEST_ENTRY and load the same entry).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadPackage, pkgDir } from "./load-package.mjs";

const manifest = JSON.parse(readFileSync(`${pkgDir}/package.json`, "utf8"));
assert.ok(manifest.exports["./client"], "pkg/ has the client entry (npm run build)");
process.env.AIS_TEST_ENTRY = "./client";
await import("./hostile.test.mjs");

test("the matrix ran against the client entry (no replicateSnapshots, no planRetention)", async () => {
  const lib = await loadPackage();
  assert.equal(typeof lib.ArmClient.prototype.createIncrementalSnapshot, "function");
  assert.equal(lib.ArmClient.prototype.replicateSnapshots, undefined);
  assert.equal(lib.planRetention, undefined);
});
