// A ceiling on what the package weighs, so a change that pulls in a large piece of std (the float
// parser alone is about 14 KB gzip) fails here instead of being noticed in a benchmark. The goal
// is far lower (60 KB for what one consumer loads; README "Size and speed"); this only stops the
// figure from growing. Lower the ceiling whenever the size goes down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// 246 KiB: measured 249,855 B + 2 KiB, after retention's size cuts (every ARM operation driven
// through one boxed future, the plan written as JSON by hand, std's Unicode case tables left out
// by lower-casing non-ASCII ids through JS); retention (planRetention, applyRetention) had taken it
// from 233,590 B to 265,177 B. Before that: 233,590 B after the differential copy's cuts
// (checkpoint readers by hand, one blob driver, one fetch exchange).
// Then 254,383 B: measured 253,359 B + 1 KiB with snapshot immutability (setImmutabilityPolicy,
// lockImmutabilityPolicy, getImmutabilityPolicy and the days rules: +3,022 B over 250,337 B); the
// glue 10,274 B: measured 9,250 B (node import) + 1 KiB, three more methods.
const CEILING_WASM_GZIP = 254_383;
const CEILING_GLUE_GZIP = 10_274;

test("the wasm and its JS glue stay under their ceilings (gzip -9, pkg/size.json)", () => {
  const size = JSON.parse(readFileSync(new URL("../../pkg/size.json", import.meta.url), "utf8"));
  assert.ok(size.wasm.gzip <= CEILING_WASM_GZIP, `wasm ${size.wasm.gzip} B gzip > ${CEILING_WASM_GZIP}`);
  for (const [entry, glue] of Object.entries(size.glue)) {
    assert.ok(glue.gzip <= CEILING_GLUE_GZIP, `${entry} glue ${glue.gzip} B gzip > ${CEILING_GLUE_GZIP}`);
  }
});
