#!/usr/bin/env node
// Where the bytes of the package's wasm go: sections, code bytes per crate, the largest
// functions, and the strings in the data section.
//   node bench/wasm-anatomy.mjs              builds a names-kept copy first (~30 s), then reports
//   node bench/wasm-anatomy.mjs file.wasm    reports on that file (needs a "name" section for names)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { anatomy, dataStrings } from "./lib/wasm-sections.mjs";
import { namedBuild } from "./lib/named-build.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
let file = process.argv[2];
let cleanup = () => {};
if (!file) {
  const built = namedBuild(root);
  file = built.wasm;
  cleanup = built.cleanup;
}
try {
  const buf = readFileSync(file);
  const a = anatomy(buf);
  const k = (b) => `${(b / 1024).toFixed(1)} KiB`;
  console.log(`${file}: ${k(buf.length)} raw, ${k(gzipSync(buf, { level: 9 }).length)} gzip, ${a.functions} functions`);
  console.log("sections:");
  for (const s of a.sections) if (s.bytes >= 512) console.log(`  ${k(s.bytes).padStart(10)}  ${s.name}`);
  console.log("code by crate:");
  for (const c of a.byCrate) if (c.bytes >= 512) console.log(`  ${k(c.bytes).padStart(10)}  ${c.crate}`);
  console.log("largest functions:");
  for (const f of a.top.slice(0, 25)) console.log(`  ${k(f.bytes).padStart(10)}  ${f.name.slice(0, 140)}`);
  const d = dataStrings(buf);
  console.log(`data section: ${k(d.bytes)} in ${d.runs} printable strings of ≥16 bytes (messages, names), e.g.:`);
  for (const x of d.longest.slice(0, 5)) console.log(`  ${x}`);
} finally {
  cleanup();
}
