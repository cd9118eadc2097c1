// worker/README.md's error table against the worker's code: every code of STATUS_OF_CODE
// (worker/src/http.js), and every `new HttpError(status, "CODE"` of worker/src, is in the table
// with the same status. Plain node:test, no workerd.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { STATUS_OF_CODE } from "../../worker/src/http.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "worker", "README.md"), "utf8");

/** The rows of the table under "### Error codes": code → status (the status column's first number). */
function readmeTable() {
  const start = readme.indexOf("### Error codes");
  assert.notEqual(start, -1, "worker/README.md has an '### Error codes' section");
  const next = readme.indexOf("\n#", start + 1);
  const section = readme.slice(start, next === -1 ? undefined : next);
  const rows = new Map();
  for (const line of section.split("\n")) {
    const m = /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\b/.exec(line);
    if (!m) continue;
    assert.ok(!rows.has(m[1]), `${m[1]} is listed once`);
    rows.set(m[1], Number(m[2]));
  }
  return rows;
}

/** Every `HttpError(status, "CODE"` literal in worker/src, across line breaks. */
function httpErrorLiterals() {
  const dir = join(root, "worker", "src");
  const out = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".js"))) {
    const text = readFileSync(join(dir, f), "utf8");
    for (const m of text.matchAll(/HttpError\(\s*(\d{3})\s*,\s*"([A-Z_]+)"/g)) {
      out.push({ file: f, status: Number(m[1]), code: m[2] });
    }
  }
  return out;
}

test("the README lists every code of STATUS_OF_CODE with its status", () => {
  const rows = readmeTable();
  const codes = Object.keys(STATUS_OF_CODE);
  assert.ok(codes.length > 10, "STATUS_OF_CODE was read");
  for (const code of codes) {
    assert.ok(rows.has(code), `${code} is in the README's error table`);
    assert.equal(rows.get(code), STATUS_OF_CODE[code], `${code}: README status`);
  }
});

test("the README lists every HttpError code the worker throws with its status", () => {
  const rows = readmeTable();
  const literals = httpErrorLiterals();
  assert.ok(literals.length > 20, "the HttpError literals were found");
  for (const { file, status, code } of literals) {
    assert.ok(rows.has(code), `${code} (${file}) is in the README's error table`);
    assert.equal(rows.get(code), status, `${code} (${file}): README status`);
  }
});

test("every code in the README's table is one the worker can answer with", () => {
  const known = new Set([...Object.keys(STATUS_OF_CODE), ...httpErrorLiterals().map((l) => l.code)]);
  for (const code of readmeTable().keys()) assert.ok(known.has(code), `${code} is a code of the worker`);
});
