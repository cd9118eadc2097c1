// Microsoft.Authorization/permissions: ARM's answer of what the caller may do at a subscription,
// a resource group or a disk or snapshot; ['*'] by default, restricted per user token or per
// service principal through emu.setPermissions or POST /__emulator/permissions (secret-guarded).
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, call, createRg } from "./helpers.mjs";
import { tokenRequest, ARM_SCOPE } from "./entra-helpers.mjs";

const SUB = "11111111-2222-3333-4444-555555555555";
const API = "2022-04-01";
const perms = (scope) => `${scope}/providers/Microsoft.Authorization/permissions`;
const subScope = `/subscriptions/${SUB}`;
const rgScope = `${subScope}/resourceGroups/rg-backup`;
const ALL = { actions: ["*"], notActions: [], dataActions: [], notDataActions: [] };

async function setup(t) {
  const emu = await start();
  t.after(() => emu.close());
  await createRg(emu, SUB, "rg-backup");
  await createRg(emu, SUB, "rg-other");
  return emu;
}

test("by default every caller has '*' at every scope", async (t) => {
  const emu = await setup(t);
  for (const p of [perms(subScope), perms(rgScope)]) {
    const r = await call(emu, "GET", p, { api: API });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { value: [ALL] });
  }
  // the api-version rules of other routes: required, any YYYY-MM-DD from 2016-01-01
  assert.equal((await call(emu, "GET", perms(subScope), { api: "2015-07-01" })).status, 400);
  const missing = await call(emu, "GET", perms(subScope), { api: null });
  assert.equal(missing.body.error.code, "MissingApiVersionParameter");
  // path checks as ARM's: an unknown group or subscription, other methods, no token
  const noRg = await call(emu, "GET", perms(`${subScope}/resourceGroups/nope`), { api: API });
  assert.equal(noRg.status, 404);
  assert.equal(noRg.body.error.code, "ResourceGroupNotFound");
  const noSub = await call(emu, "GET", perms("/subscriptions/00000000-1111-4222-8333-444444444444"), { api: API });
  assert.equal(noSub.body.error.code, "SubscriptionNotFound");
  assert.equal((await call(emu, "POST", perms(subScope), { api: API })).status, 405);
  assert.equal((await call(emu, "GET", perms(subScope), { api: API, token: null })).status, 401);
});

test("restricted per user token: entries at and above the scope, broadest first", async (t) => {
  const emu = await setup(t);
  emu.setPermissions("reader-token", subScope, { actions: ["*/read"] });
  emu.setPermissions("reader-token", rgScope, {
    actions: ["Microsoft.Compute/snapshots/*"],
    notActions: ["Microsoft.Compute/snapshots/delete"],
  });
  const atRg = await call(emu, "GET", perms(rgScope), { api: API, token: "reader-token" });
  assert.deepEqual(atRg.body.value, [
    { actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] },
    {
      actions: ["Microsoft.Compute/snapshots/*"],
      notActions: ["Microsoft.Compute/snapshots/delete"],
      dataActions: [],
      notDataActions: [],
    },
  ]);
  const atSub = await call(emu, "GET", perms(subScope), { api: API, token: "reader-token" });
  assert.deepEqual(atSub.body.value, [{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }]);
  // scopes compare without regard to case; another group gets only the subscription's entry
  const other = await call(emu, "GET", perms(`${subScope}/RESOURCEGROUPS/rg-other`), {
    api: API,
    token: "reader-token",
  });
  assert.equal(other.body.value.length, 1);
  // a caller with entries only below a scope has none at it
  emu.setPermissions("rg-only", rgScope, { actions: ["*"] });
  assert.deepEqual((await call(emu, "GET", perms(subScope), { api: API, token: "rg-only" })).body, { value: [] });
  // other tokens keep '*'
  assert.deepEqual((await call(emu, "GET", perms(rgScope), { api: API })).body, { value: [ALL] });
  // a disk or snapshot as the scope
  const disk = await call(emu, "PUT", `${rgScope}/providers/Microsoft.Compute/disks/d1`, {
    body: {
      location: "westeurope",
      sku: { name: "Standard_LRS" },
      properties: { creationData: { createOption: "Empty" }, diskSizeGB: 4 },
    },
  });
  assert.ok(disk.status === 202 || disk.status === 200, disk.text);
  const onDisk = await call(emu, "GET", perms(`${rgScope}/providers/Microsoft.Compute/disks/d1`), {
    api: API,
    token: "reader-token",
  });
  assert.equal(onDisk.status, 200, onDisk.text);
  assert.equal(onDisk.body.value.length, 2);
  const noDisk = await call(emu, "GET", perms(`${rgScope}/providers/Microsoft.Compute/disks/nope`), { api: API });
  assert.equal(noDisk.status, 404);
  assert.equal(noDisk.body.error.code, "ResourceNotFound");
  // clearing gives '*' back
  emu.clearPermissions("reader-token");
  assert.deepEqual((await call(emu, "GET", perms(rgScope), { api: API, token: "reader-token" })).body, {
    value: [ALL],
  });
});

test("restricted per service principal: by client id or by one of its tokens", async (t) => {
  const emu = await setup(t);
  const TENANT = emu.seedInfo.tenantId; // a token of another tenant would be refused on this subscription
  emu.registerServicePrincipal({ tenantId: TENANT, clientId: "backup-app", secret: "s3cret" });
  const form = { grant_type: "client_credentials", client_id: "backup-app", scope: ARM_SCOPE, client_secret: "s3cret" };
  const t1 = (await tokenRequest(emu, TENANT, form)).body.access_token;
  const t2 = (await tokenRequest(emu, TENANT, form)).body.access_token;
  emu.setPermissions({ clientId: "backup-app" }, rgScope, { actions: ["Microsoft.Compute/snapshots/write"] });
  for (const token of [t1, t2]) {
    const r = await call(emu, "GET", perms(rgScope), { api: API, token });
    assert.deepEqual(r.body.value, [
      { actions: ["Microsoft.Compute/snapshots/write"], notActions: [], dataActions: [], notDataActions: [] },
    ]);
    assert.deepEqual((await call(emu, "GET", perms(subScope), { api: API, token })).body, { value: [] });
  }
  // setting by token reaches the principal (and so every token of it)
  emu.setPermissions(t1, subScope, { actions: ["*/read"] });
  assert.equal((await call(emu, "GET", perms(rgScope), { api: API, token: t2 })).body.value.length, 2);
  assert.throws(() => emu.setPermissions("emusp_never-issued", subScope, { actions: [] }), /unknown/);
  assert.throws(() => emu.setPermissions("x", "not a scope", { actions: [] }), /scope/);
  assert.throws(() => emu.setPermissions("x", subScope, { actions: "*" }), /actions/);
});

test("control route POST /__emulator/permissions: guarded by the secret, checked, listed, cleared", async (t) => {
  const emu = await setup(t);
  const ctl = (method, p, body, secret = emu.controlSecret) =>
    fetch(`${emu.url}/__emulator${p}`, {
      method,
      headers: { "content-type": "application/json", ...(secret ? { "x-emulator-secret": secret } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: r.status === 204 ? undefined : await r.json() }));
  const rule = { token: "limited", scope: rgScope, actions: ["Microsoft.Compute/disks/read"] };
  assert.equal((await ctl("POST", "/permissions", rule, null)).status, 403);
  assert.equal((await ctl("POST", "/permissions", rule, "not-the-secret")).status, 403);
  assert.equal((await ctl("GET", "/permissions", undefined, null)).status, 403);
  assert.equal((await ctl("DELETE", "/permissions", undefined, null)).status, 403);
  assert.deepEqual((await call(emu, "GET", perms(rgScope), { api: API, token: "limited" })).body, { value: [ALL] });
  const set = await ctl("POST", "/permissions", rule);
  assert.equal(set.status, 201);
  assert.equal(set.body.scope, rgScope.toLowerCase());
  assert.ok(!JSON.stringify(set.body).includes("limited"), "the token is not echoed");
  assert.deepEqual((await call(emu, "GET", perms(rgScope), { api: API, token: "limited" })).body.value, [
    { actions: ["Microsoft.Compute/disks/read"], notActions: [], dataActions: [], notDataActions: [] },
  ]);
  const listed = await ctl("GET", "/permissions");
  assert.equal(listed.body.permissions.length, 1);
  assert.ok(!JSON.stringify(listed.body).includes("limited"), "tokens are not listed");
  for (const bad of [
    { scope: rgScope, actions: [] },
    { token: "a", clientId: "b", scope: rgScope, actions: [] },
    { token: "a", scope: "/nope", actions: [] },
    { token: "a", scope: rgScope, actions: [1] },
    { token: "a", scope: rgScope, actions: [], other: [] },
    { clientId: "bad id!", scope: rgScope, actions: [] },
  ])
    assert.equal((await ctl("POST", "/permissions", bad)).status, 400, JSON.stringify(bad));
  assert.equal((await ctl("DELETE", "/permissions")).status, 204);
  assert.deepEqual((await call(emu, "GET", perms(rgScope), { api: API, token: "limited" })).body, { value: [ALL] });
});
