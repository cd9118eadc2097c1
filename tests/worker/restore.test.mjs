// POST /v1/restores and GET /v1/restores/{operation} in real workerd (miniflare) against the ARM
// emulator: a disk from a snapshot (202 with a status URL, then Succeeded; ?wait=true 201), every
// refusal before any request, the caller's token to ARM only, a blob URL never fetched and its
// signature never shown, a name that exists (409), bad status tokens.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { prerequisites, startStack } from "./helpers.mjs";
import { HYDRATION_MS } from "../../emulator/routes/restore.mjs";

const missing = await prerequisites();
const TOKEN = "eyJhbGciOi.restore-token_123";
const SIG = "cmVzdG9yZS1zaWduYXR1cmU";

describe("worker restores over the ARM emulator", { skip: missing ?? false, timeout: 180_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startStack>>} */
  let s;
  let snap;
  let n = 0;
  const name = (p) => `${p}-${++n}`;

  before(
    async () => {
      s = await startStack({ bindings: { ARM_MAX_RETRIES: "0", WAIT_TIMEOUT_MS: "8000" }, emulator: { lroPolls: 1 } });
      snap = [...s.emu.store.snapshots.values()].find((x) => x.incremental && x.provisioningState === "Succeeded");
      assert.ok(snap, "the demo seed has an incremental snapshot");
    },
    { timeout: 60_000 },
  );
  after(async () => {
    if (s) await s.close();
  });

  const post = (body, query = "") => s.call(`/v1/restores${query}`, { method: "POST", token: TOKEN, json: body });

  test("POST /v1/restores: 202 with Location, then the status URL reports Succeeded", async () => {
    const diskName = name("w");
    const r = await post({ source: snap.id, name: diskName, tags: { from: snap.name } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.disk.name, diskName);
    assert.match(r.body.status, /^\/v1\/restores\/[A-Za-z0-9_-]+$/);
    assert.ok(r.headers.get("location").endsWith(r.body.status));
    assert.ok(r.headers.get("retry-after"));
    let st;
    for (let i = 0; i < 10; i++) {
      st = await s.call(r.body.status, { token: TOKEN });
      if (st.status === 200) break;
      assert.equal(st.status, 202, st.text);
      assert.equal(st.body.status, "InProgress");
    }
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.status, "Succeeded");
    assert.equal(st.body.kind, "restore");
    assert.equal(st.body.disk.properties.creationData.sourceResourceId.toLowerCase(), snap.id.toLowerCase());
    for (const o of s.outbound) assert.equal(o.origin, new URL(s.emu.url).origin);
    // ?wait=true: 201 with the finished disk.
    const w = await post({ source: snap.id, name: name("wait") }, "?wait=true");
    assert.equal(w.status, 201, w.text);
    assert.equal(w.body.disk.properties.provisioningState, "Succeeded");
    // The same name again: 409 CONFLICT, never an overwrite.
    const again = await post({ source: snap.id, name: diskName });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, "CONFLICT");
    assert.equal(again.body.error.field, "options.name");
  });

  test("a Premium SSD v2 restore: the status URL is 202 while the disk hydrates, 200 at 100", async () => {
    const r = await post({ source: snap.id, name: name("v2"), sku: "PremiumV2_LRS" });
    assert.equal(r.status, 202, r.text);
    let st;
    for (let i = 0; i < 10; i++) {
      st = await s.call(r.body.status, { token: TOKEN });
      assert.equal(st.status, 202, st.text);
      if (st.body.provisioningState === "Succeeded") break;
    }
    assert.equal(st.body.provisioningState, "Succeeded", "the operation ended, the disk still hydrates");
    assert.equal(st.body.status, "InProgress");
    assert.ok(st.body.completionPercent < 100, JSON.stringify(st.body));
    s.emu.advanceClock(HYDRATION_MS);
    const done = await s.call(r.body.status, { token: TOKEN });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.status, "Succeeded");
    assert.equal(done.body.completionPercent, 100);
  });

  test("refusals before any request: every violation, reserved keys, no source, no token", async () => {
    const before = s.outbound.length;
    const r = await post({ source: snap.id, location: "somewhere/else", zones: ["1", "9"], colour: "red" });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, "INVALID_ARGUMENT");
    const rules = r.body.error.violations.map((v) => v.rule);
    for (const rule of ["options.unknown", "name.required", "zones.count", "zones.value"])
      assert.ok(rules.includes(rule), rules.join());
    for (const body of [
      { source: snap.id, name: "x", wait: true },
      { name: "x" },
      { source: 5, name: "x" },
      { source: snap.id, name: "x", onProgress: 1 },
    ]) {
      const x = await post(body);
      assert.equal(x.status, 400, `${JSON.stringify(body)}: ${x.text}`);
    }
    const blob = await post({
      source: { sourceUri: `http://acct.blob.core.windows.net/c/b?sig=${SIG}`, storageAccountId: "nope" },
      name: "x",
      location: "westeurope",
    });
    assert.equal(blob.status, 400);
    assert.ok(!blob.text.includes(SIG), "no signature in the answer");
    const noToken = await s.call("/v1/restores", { method: "POST", json: { source: snap.id, name: "x" } });
    assert.equal(noToken.status, 401);
    assert.equal(s.outbound.length, before, "nothing was sent");
  });

  test("a foreign blob host goes to ARM in the body only: never fetched, its signature never shown", async () => {
    const before = s.outbound.length;
    const sub = snap.subscriptionId;
    const r = await post({
      source: {
        sourceUri: `https://evil.example.com/c/disk.vhd?sv=2022-11-02&sig=${SIG}`,
        storageAccountId: `/subscriptions/${sub}/resourceGroups/${snap.resourceGroup}/providers/Microsoft.Storage/storageAccounts/evil`,
      },
      name: name("evil"),
      location: snap.location,
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, "ARM_ERROR");
    assert.ok(!r.text.includes(SIG));
    const sent = s.outbound.slice(before);
    assert.ok(sent.length >= 1);
    for (const o of sent) assert.equal(o.origin, new URL(s.emu.url).origin);
    assert.ok(!s.logs.join("\n").includes(SIG), "no signature in the worker's logs");
  });

  test("GET /v1/restores/{operation}: tokens that are not a disk's are 400", async () => {
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const t of [
      "***",
      b64({ restore: snap.id }),
      b64({ restore: "x" }),
      b64({ id: snap.id, kind: "create" }),
      "a".repeat(3000),
    ]) {
      const r = await s.call(`/v1/restores/${t}`, { token: TOKEN });
      assert.equal(r.status, 400, `${t.slice(0, 40)}: ${r.text}`);
    }
    const m = await s.call("/v1/restores", { token: TOKEN });
    assert.equal(m.status, 405);
  });
});
