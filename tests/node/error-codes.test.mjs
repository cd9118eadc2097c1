// The package's error codes (`errorCodes()`, from the crate's `ErrorCode::ALL`) against the
// per-code tables kept next to their users: the page's titles (www/js/errors.js) and the worker's
// HTTP statuses (worker/src/http.js). Every code has an entry in each table, and no table has a
// code the package does not know. (The TypeScript union and the README table are checked against
// `ErrorCode::ALL` by native tests in src/error.rs.)
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadPackage } from "./load-package.mjs";
import { TITLES } from "../../www/js/errors.js";
import { STATUS_OF_CODE, toHttpError } from "../../worker/src/http.js";

let codes;
before(async () => {
  const m = await loadPackage();
  assert.equal(typeof m.errorCodes, "function", "the package exports errorCodes()");
  codes = m.errorCodes();
});

test("errorCodes() is a frozen array of distinct SCREAMING_SNAKE_CASE strings, new on each call", async () => {
  const m = await loadPackage();
  assert.ok(Array.isArray(codes) && codes.length > 0);
  assert.ok(Object.isFrozen(codes));
  assert.equal(new Set(codes).size, codes.length, "no code twice");
  for (const c of codes) assert.match(c, /^[A-Z]+(_[A-Z]+)*$/);
  const again = m.errorCodes();
  assert.notEqual(again, codes, "a new array each call");
  assert.deepEqual(again, codes);
});

test("the package throws only codes that errorCodes() lists", async () => {
  const m = await loadPackage();
  for (const call of [
    () => m.parseResourceId("/not/an/id"),
    () => m.parseResourceId(42),
    () => m.buildSnapshotConfig(null),
  ]) {
    assert.throws(call, (e) => e.name === "AzureSnapshotsError" && codes.includes(e.code));
  }
});

for (const [where, table] of [
  ["www/js/errors.js TITLES", TITLES],
  ["worker/src/http.js STATUS_OF_CODE", STATUS_OF_CODE],
]) {
  test(`${where} has an entry for every code and no other`, () => {
    const keys = Object.keys(table);
    const missing = codes.filter((c) => !Object.hasOwn(table, c));
    const unknown = keys.filter((k) => !codes.includes(k));
    assert.deepEqual(missing, [], `${where} lacks ${missing.join(", ")}`);
    assert.deepEqual(unknown, [], `${where} has codes the package does not know: ${unknown.join(", ")}`);
    for (const c of codes) assert.ok(table[c], `${where}[${c}] is empty`);
  });
}

test("every code maps to an error status in the worker", () => {
  for (const code of codes) {
    assert.ok(STATUS_OF_CODE[code] >= 400 && STATUS_OF_CODE[code] <= 599, `${code}: ${STATUS_OF_CODE[code]}`);
    const e = toHttpError({ name: "AzureSnapshotsError", code, message: "m" });
    assert.equal(e.code, code);
    assert.equal(e.status, STATUS_OF_CODE[code], code);
  }
});
