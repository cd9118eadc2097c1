// Files next to the ARM routes: scripts/serve.mjs's staticFiles through the emulator's
// otherPaths hook (GET and HEAD outside the ARM and control paths).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { start, call } from "./helpers.mjs";
import { staticFiles } from "../../scripts/serve.mjs";

test("static files next to the ARM routes", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "emu-static-"));
  writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>demo</title>");
  writeFileSync(path.join(dir, "m.wasm"), Buffer.from([0, 97, 115, 109]));
  const emu = await start({ seed: "empty", otherPaths: staticFiles([{ prefix: "/", dir }]) });
  t.after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let r = await fetch(`${emu.url}/`, { headers: { origin: "http://127.0.0.1:1" } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/html/);
  assert.equal(r.headers.get("cache-control"), "no-cache");
  assert.equal(r.headers.get("access-control-allow-origin"), "http://127.0.0.1:1", "the emulator's CORS headers");
  r = await fetch(`${emu.url}/m.wasm`);
  assert.equal(r.headers.get("content-type"), "application/wasm");
  r = await fetch(`${emu.url}/../../etc/passwd`);
  assert.notEqual(r.status, 200);
  r = await fetch(`${emu.url}/missing.js`);
  assert.equal(r.status, 401, "a path no file answers is left to the emulator");
  assert.equal((await call(emu, "GET", "/subscriptions")).status, 200);
});
