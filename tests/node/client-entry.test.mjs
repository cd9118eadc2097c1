// The whole ArmClient suite (tests/node/client.test.mjs) again, against the package's smaller
// "client" entry (`azure-incremental-snapshots/client`, its own wasm built from fewer API groups):
// every method that entry has, over real HTTP against the emulator, with every fault.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadPackage, pkgDir } from "./load-package.mjs";

const manifest = JSON.parse(readFileSync(`${pkgDir}/package.json`, "utf8"));
assert.ok(manifest.exports["./client"], "pkg/ has the client entry (npm run build)");
process.env.AIS_TEST_ENTRY = "./client";
await import("./client.test.mjs");

test("the suite ran against the client entry: its ArmClient has no replicateSnapshots, and no planRetention is exported", async () => {
  const lib = await loadPackage();
  assert.equal(typeof lib.ArmClient.prototype.listIncrementalSnapshots, "function");
  assert.equal(lib.ArmClient.prototype.replicateSnapshots, undefined);
  assert.equal(lib.planRetention, undefined);
});
