// Retention from JS: planRetention (pure) over an array, a list page or JSON text, its refusals
// and hostile inputs; ArmClient.applyRetention against the emulator: dry run, a real run deleting
// exactly the plan's remove, a snapshot created between the plans, a failed delete, a locked
// snapshot, aborts, scopes, and the token never in an error.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage } from "./load-package.mjs";

const TOKEN = "retention-secret-token-0123456789";
let lib;
let emu;
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const RG = `${SUB}/resourceGroups/rg-prod-westeurope`;
const DISK = `${RG}/providers/Microsoft.Compute/disks/vm-web-01-osdisk`;

function client(options = {}) {
  return new lib.ArmClient({
    token: TOKEN,
    endpoint: emu.url,
    retryDelayMs: 1,
    pollIntervalMs: 5,
    completionPollMs: 5,
    maxRetries: 1,
    ...options,
  });
}

/** The error a call throws or rejects with (synchronous or not). */
async function failure(call) {
  try {
    await call();
  } catch (e) {
    assert.ok(e instanceof Error, `a real Error: ${e}`);
    assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(TOKEN), "the token is never in an error");
    return e;
  }
  assert.fail("expected a failure");
}

const deletes = () => emu.requests.filter((r) => r.method === "DELETE");
const lastPart = (id) => id.split("/").pop();

before(async () => {
  lib = await loadPackage();
  emu = await startEmulator({
    port: 0,
    seed: "demo",
    pageSize: 4,
    retryAfterSeconds: 0,
    lroPolls: 1,
    copyPolls: 1,
    enforceRateLimit: false,
  });
});

after(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.reset();
  emu.clearFaults();
  emu.resetRequests();
});

let serial = 0;

/** `n` new snapshots of DISK, an hour apart on the emulator's clock; their ids, oldest first. */
async function newSnapshots(c, n, options = {}) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    emu.advanceClock(3_600_000);
    ids.push((await c.createIncrementalSnapshot(DISK, { name: `ret-${++serial}`, ...options })).id);
  }
  return ids;
}

// --- planRetention ------------------------------------------------------------------------------

test("planRetention: an array, a list page and JSON text give the same plan", async () => {
  const snaps = await client().listSnapshots(SUB);
  const policy = { keepLast: 2, keepDaily: 3 };
  const fromArray = lib.planRetention(snaps, policy);
  assert.ok(fromArray.chains.length >= 5, "every incremental chain of the demo");
  assert.deepEqual(lib.planRetention({ value: snaps }, policy), fromArray);
  assert.deepEqual(lib.planRetention(JSON.stringify(snaps), policy), fromArray);
  assert.deepEqual(lib.planRetention(JSON.stringify({ value: snaps }), policy, {}), fromArray);
  const chain = fromArray.chains.find((c) => c.sourceResourceId === DISK);
  assert.deepEqual(Object.keys(chain).sort(), ["keep", "orphan", "remove", "sourceResourceId", "sourceUniqueId"]);
  assert.deepEqual(Object.keys(chain.keep[0]).sort(), ["id", "name", "reasons", "timeCreated"]);
  assert.deepEqual(Object.keys(chain.remove[0]).sort(), ["id", "name", "timeCreated"]);
  assert.ok(chain.keep[0].reasons.includes("last"));
  // With the disks: every chain that no disk matches is orphan, and kept whole.
  const disks = await client().listDisks(SUB);
  const withDisks = lib.planRetention(snaps, policy, { disks });
  for (const c of withDisks.chains.filter((c) => c.orphan)) {
    assert.equal(c.remove.length, 0);
    assert.ok(c.keep.every((k) => k.reasons.includes("orphan")));
  }
  const none = lib.planRetention(snaps, policy, { disks: [] });
  assert.ok(none.chains.every((c) => c.orphan && c.remove.length === 0));
  const included = lib.planRetention(snaps, policy, { disks: [], includeOrphans: true });
  assert.ok(included.chains.some((c) => c.remove.length > 0));
});

test("planRetention: a lock tag keeps a snapshot whatever the rules say", () => {
  const snap = (name, time, tags) => ({
    id: `${RG}/providers/Microsoft.Compute/snapshots/${name}`,
    name,
    ...(tags ? { tags } : {}),
    properties: {
      incremental: true,
      timeCreated: time,
      provisioningState: "Succeeded",
      creationData: { createOption: "Copy", sourceResourceId: DISK, sourceUniqueId: "u1" },
    },
  });
  const snaps = [
    snap("a", "2026-01-01T00:00:00Z", { "Retention-Lock": "" }),
    snap("b", "2026-01-02T00:00:00Z", { hold: "1" }),
    snap("c", "2026-01-03T00:00:00Z"),
  ];
  const [chain] = lib.planRetention(snaps, { keepLast: 1 }).chains;
  assert.deepEqual(
    chain.keep.map((k) => [k.name, k.reasons]),
    [
      ["c", ["last"]],
      ["a", ["locked"]],
    ],
  );
  assert.deepEqual(
    chain.remove.map((r) => r.name),
    ["b"],
  );
  const [other] = lib.planRetention(snaps, { keepLast: 1 }, { lockTag: "HOLD" }).chains;
  assert.deepEqual(
    other.remove.map((r) => r.name),
    ["a"],
  );
});

test("planRetention: refusals are INVALID_ARGUMENT with every violation", async () => {
  const e = await failure(() =>
    lib.planRetention(
      [],
      { keepLast: -1, keepDaily: 1.5, keepWithin: "7 days", keepHorly: 2 },
      { lockTag: "", includeOrphans: "yes", disks: [{ id: "nope" }], extra: 1 },
    ),
  );
  assert.equal(e.code, "INVALID_ARGUMENT");
  assert.equal(e.name, "AzureSnapshotsError");
  const rules = e.violations.map((v) => `${v.field} ${v.rule}`).sort();
  for (const want of [
    "policy.keepLast keepCount.range",
    "policy.keepDaily keepCount.type",
    "policy.keepWithin keepWithin.format",
    "options.lockTag lockTag.empty",
    "options.includeOrphans includeOrphans.type",
  ]) {
    assert.ok(rules.includes(want), `${want} in ${rules.join(", ")}`);
  }
  assert.ok(
    rules.some((r) => r.includes("policy.unknown")),
    "the misspelt key",
  );
  assert.ok(
    rules.some((r) => r.includes("options.unknown")),
    "the unknown option",
  );
  assert.ok(
    rules.some((r) => r.startsWith("options.disks[0]")),
    "the unusable disk",
  );
  for (const policy of [undefined, null, {}, { keepLast: 0 }, { keepWithin: "PT0S" }]) {
    const empty = await failure(() => lib.planRetention([], policy));
    assert.equal(empty.code, "INVALID_ARGUMENT");
    assert.equal(empty.violations[0].rule, "policy.empty", JSON.stringify(policy));
  }
  for (const policy of ["keepLast=1", 3, [1], true]) {
    const wrong = await failure(() => lib.planRetention([], policy));
    assert.equal(wrong.code, "INVALID_ARGUMENT");
    assert.equal(wrong.violations[0].rule, "policy.type");
  }
  for (const options of [3, "x", [1]]) {
    assert.equal((await failure(() => lib.planRetention([], { keepLast: 1 }, options))).code, "INVALID_ARGUMENT");
  }
  for (const snaps of [undefined, null]) {
    assert.equal((await failure(() => lib.planRetention(snaps, { keepLast: 1 }))).code, "INVALID_ARGUMENT");
  }
  for (const snaps of ["[1,", "{}", 42, [1]]) {
    const bad = await failure(() => lib.planRetention(snaps, { keepLast: 1 }));
    assert.ok(["INVALID_JSON", "INVALID_ARGUMENT"].includes(bad.code), `${bad.code} for ${JSON.stringify(snaps)}`);
  }
});

/** Hostile values: throwing getters, throwing Proxies, revoked Proxies, unstringifiable values. */
function hostiles() {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const cycle = {};
  cycle.self = cycle;
  const trap = () => {
    throw new Error("trap");
  };
  return {
    "throwing getter": Object.defineProperty({}, "keepLast", { enumerable: true, get: trap }),
    "throwing Proxy": new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap }),
    "throwing array Proxy": new Proxy([], { get: trap, ownKeys: trap }),
    "revoked Proxy": revocable.proxy,
    "revoked array Proxy": revokedArray.proxy,
    "toJSON that throws": { toJSON: trap },
    BigInt: { keepLast: 1n },
    cycle,
    symbol: Symbol("s"),
    function: () => 1,
  };
}

test("planRetention: hostile inputs are typed errors and the instance keeps working", async () => {
  const forms = [
    (h) => lib.planRetention(h, { keepLast: 1 }),
    (h) => lib.planRetention([h], { keepLast: 1 }),
    (h) => lib.planRetention({ value: h }, { keepLast: 1 }),
    (h) => lib.planRetention([], h),
    (h) => lib.planRetention([], { keepLast: h }),
    (h) => lib.planRetention([], { keepLast: 1 }, h),
    (h) => lib.planRetention([], { keepLast: 1 }, { disks: h }),
    (h) => lib.planRetention([], { keepLast: 1 }, { disks: [h] }),
    (h) => lib.planRetention([], { keepLast: 1 }, { lockTag: h }),
  ];
  const bad = [];
  for (let round = 0; round < 200; round++) {
    for (const [i, form] of forms.entries()) {
      for (const [kind, h] of Object.entries(hostiles())) {
        try {
          form(h);
          // A function or a symbol inside an array stringifies to null: a plan or a refusal is fine.
        } catch (e) {
          if (!(e instanceof Error) || !["INVALID_ARGUMENT", "INVALID_JSON"].includes(e.code)) {
            bad.push(`form ${i} with ${kind}: ${e?.code} ${e?.message}`);
          }
        }
      }
    }
    if (bad.length) break;
  }
  assert.deepEqual(bad, []);
  const [chain] = lib.planRetention(
    [
      {
        id: `${RG}/providers/Microsoft.Compute/snapshots/x`,
        name: "x",
        properties: {
          incremental: true,
          timeCreated: "2026-01-01T00:00:00Z",
          creationData: { createOption: "Copy", sourceResourceId: DISK, sourceUniqueId: "u" },
        },
      },
    ],
    { keepLast: 1 },
  ).chains;
  assert.equal(chain.keep[0].name, "x", "the instance still plans after thousands of refusals");
});

// --- applyRetention -----------------------------------------------------------------------------

test("applyRetention: policy, options and target are refused before any request", async () => {
  const c = client();
  const cases = [
    [DISK, {}, undefined, "INVALID_ARGUMENT"],
    [DISK, undefined, undefined, "INVALID_ARGUMENT"],
    [DISK, { keepLast: -2 }, { dryRun: true }, "INVALID_ARGUMENT"],
    [DISK, { keepLast: 1 }, { dryRun: "yes" }, "INVALID_ARGUMENT"],
    [DISK, { keepLast: 1 }, { disks: [] }, "INVALID_ARGUMENT"],
    [DISK, { keepLast: 1 }, { signal: {} }, "INVALID_ARGUMENT"],
    [DISK, { keepLast: 1 }, { bogus: 1 }, "INVALID_ARGUMENT"],
    [DISK, { keepLast: 1 }, 7, "INVALID_ARGUMENT"],
    [`${RG}/providers/Microsoft.Compute/snapshots/s`, { keepLast: 1 }, undefined, "INVALID_RESOURCE_ID"],
    ["not an id", { keepLast: 1 }, undefined, "INVALID_RESOURCE_ID"],
    [42, { keepLast: 1 }, undefined, "INVALID_ARGUMENT"],
    [{ id: "nope" }, { keepLast: 1 }, undefined, "INVALID_RESOURCE_ID"],
  ];
  for (const [target, policy, options, code] of cases) {
    const p = c.applyRetention(target, policy, options);
    assert.ok(p instanceof Promise, "a rejected promise, never a synchronous throw");
    const e = await failure(() => p);
    assert.equal(e.code, code, `${JSON.stringify([target, policy, options])}: ${e.message}`);
  }
  const combined = await failure(() => c.applyRetention(DISK, { keepLast: -1 }, { dryRun: 1, lockTag: "" }));
  assert.deepEqual(combined.violations.map((v) => v.field).sort(), [
    "options.dryRun",
    "options.lockTag",
    "policy.keepLast",
  ]);
  for (const [kind, h] of Object.entries(hostiles())) {
    for (const call of [
      () => c.applyRetention(h, { keepLast: 1 }),
      () => c.applyRetention(DISK, h),
      () => c.applyRetention(DISK, { keepLast: 1 }, h),
      () => c.applyRetention(DISK, { keepLast: 1 }, { signal: h }),
    ]) {
      const e = await failure(call);
      assert.ok(["INVALID_ARGUMENT", "INVALID_JSON", "INVALID_RESOURCE_ID"].includes(e.code), `${kind}: ${e.code}`);
    }
  }
  assert.deepEqual(emu.requests, [], "no request was sent");
});

test("applyRetention: a dry run plans the disk's chains and deletes nothing", async () => {
  const c = client();
  const created = await newSnapshots(c, 3);
  const before = (await c.listSnapshots(SUB)).length;
  const r = await c.applyRetention(DISK, { keepLast: 2 }, { dryRun: true });
  assert.deepEqual(Object.keys(r).sort(), ["deleted", "failed", "plan"]);
  assert.deepEqual(r.deleted, []);
  assert.deepEqual(r.failed, []);
  assert.ok(r.plan.chains.length >= 1);
  assert.ok(
    r.plan.chains.every((ch) => ch.sourceResourceId.toLowerCase() === DISK.toLowerCase()),
    "only this disk",
  );
  const [chain] = r.plan.chains.filter((ch) => !ch.orphan);
  assert.deepEqual(
    chain.keep.map((k) => k.id),
    created.slice(1).reverse(),
  );
  assert.ok(chain.remove.length >= 1);
  assert.equal(deletes().length, 0);
  assert.equal((await c.listSnapshots(SUB)).length, before);
  // Given as the disk object ARM returned: the same plan, with no read of the disk.
  const disk = await c.getDisk(DISK);
  assert.deepEqual((await c.applyRetention(disk, { keepLast: 2 }, { dryRun: true })).plan, r.plan);
  // The same as planRetention over the resource group's listing with the disk.
  const mine = lib
    .planRetention(await c.listSnapshots(RG), { keepLast: 2 }, { disks: [disk] })
    .chains.filter((ch) => ch.sourceResourceId.toLowerCase() === DISK.toLowerCase());
  assert.deepEqual(mine, r.plan.chains);
});

test("applyRetention: a real run deletes exactly the plan's remove", async () => {
  const c = client();
  await newSnapshots(c, 3);
  const dry = await c.applyRetention(DISK, { keepLast: 2 }, { dryRun: true });
  const remove = dry.plan.chains.flatMap((ch) => ch.remove.map((x) => x.id));
  const keep = dry.plan.chains.flatMap((ch) => ch.keep.map((x) => x.id));
  assert.ok(remove.length >= 3);
  emu.resetRequests();
  const r = await c.applyRetention(DISK, { keepLast: 2 });
  assert.deepEqual(r.plan, dry.plan);
  assert.deepEqual([...r.deleted].sort(), [...remove].sort());
  assert.deepEqual(r.failed, []);
  assert.equal(deletes().length, remove.length, "one DELETE each");
  const left = new Set((await c.listSnapshots(SUB)).map((s) => s.id.toLowerCase()));
  for (const id of remove) assert.ok(!left.has(id.toLowerCase()), `${lastPart(id)} deleted`);
  for (const id of keep) assert.ok(left.has(id.toLowerCase()), `${lastPart(id)} kept`);
  // Nothing left to do.
  const again = await c.applyRetention(DISK, { keepLast: 2 });
  assert.deepEqual(again.deleted, []);
});

test("applyRetention: a snapshot created between the plan and the deletes shifts nothing into deletion", async () => {
  const creator = client();
  const created = await newSnapshots(creator, 3);
  let lists = 0;
  let injected = null;
  let injectedBeforeDelete = null;
  const c = client({
    fetch: async (request) => {
      const url = new URL(request.url);
      const firstPage = !url.searchParams.has("$skiptoken");
      if (request.method === "GET" && firstPage && /\/providers\/Microsoft\.Compute\/snapshots$/i.test(url.pathname)) {
        // The fresh listing: a new snapshot lands first.
        if (++lists === 2) {
          emu.advanceClock(3_600_000);
          injected = (await creator.createIncrementalSnapshot(DISK, { name: `ret-${++serial}` })).id;
        }
      }
      if (request.method === "DELETE" && !injectedBeforeDelete) {
        emu.advanceClock(3_600_000);
        injectedBeforeDelete = (await creator.createIncrementalSnapshot(DISK, { name: `ret-${++serial}` })).id;
      }
      return fetch(request);
    },
  });
  const r = await c.applyRetention(DISK, { keepLast: 2 });
  assert.ok(injected && injectedBeforeDelete);
  // The first plan kept the two newest of its listing; the fresh one kept the new one and the
  // newest, and would have removed created[1]: only what both remove is deleted.
  const firstRemove = r.plan.chains.flatMap((ch) => ch.remove.map((x) => x.id));
  assert.ok(!firstRemove.includes(created[1]));
  assert.deepEqual([...r.deleted].sort(), [...firstRemove].sort());
  const left = new Set((await creator.listSnapshots(SUB)).map((s) => s.id.toLowerCase()));
  for (const id of [created[1], created[2], injected, injectedBeforeDelete]) {
    assert.ok(left.has(id.toLowerCase()), `${lastPart(id)} survives`);
  }
  assert.ok(!r.deleted.includes(created[1]));
});

test("applyRetention: a failed delete is reported and the others go on; the token is in no error", async () => {
  const c = client();
  await newSnapshots(c, 2);
  const dry = await c.applyRetention(DISK, { keepLast: 1 }, { dryRun: true });
  const remove = dry.plan.chains.flatMap((ch) => ch.remove.map((x) => x.id));
  assert.ok(remove.length >= 3);
  const victim = remove[1];
  emu.addFault({
    route: `DELETE */snapshots/${lastPart(victim)}?*`,
    kind: "status",
    status: 409,
    code: "OperationNotAllowed",
    message: `refused for Bearer ${TOKEN}`,
    count: -1,
  });
  const r = await c.applyRetention(DISK, { keepLast: 1 });
  assert.equal(r.failed.length, 1, JSON.stringify(r.failed));
  assert.equal(r.failed[0].id, victim);
  assert.equal(r.failed[0].code, "CONFLICT");
  assert.equal(typeof r.failed[0].message, "string");
  assert.ok(!r.failed[0].message.includes(TOKEN), "scrubbed");
  assert.ok(!JSON.stringify(r).includes(TOKEN));
  assert.deepEqual([...r.deleted].sort(), remove.filter((id) => id !== victim).sort());
  assert.ok(lib.errorCodes().includes(r.failed[0].code));
});

test("applyRetention: a locked snapshot is kept, by the default tag or options.lockTag", async () => {
  const c = client();
  const [locked, held] = [
    ...(await newSnapshots(c, 1, { tags: { "retention-lock": "legal" } })),
    ...(await newSnapshots(c, 1, { tags: { hold: "x" } })),
  ];
  await newSnapshots(c, 2);
  const r = await c.applyRetention(DISK, { keepLast: 1 });
  assert.ok(!r.deleted.includes(locked));
  assert.ok(r.deleted.includes(held));
  const chain = r.plan.chains.find((ch) => ch.keep.some((k) => k.id === locked));
  assert.deepEqual(chain.keep.find((k) => k.id === locked).reasons, ["locked"]);
  const [kept] = await Promise.all([c.getSnapshot(locked)]);
  assert.equal(kept.id, locked);
  // With lockTag, the default tag no longer protects it.
  const other = await c.applyRetention(DISK, { keepLast: 1 }, { lockTag: "HOLD", dryRun: true });
  assert.ok(other.plan.chains.some((ch) => ch.remove.some((x) => x.id === locked)));
});

test("applyRetention: an abort rejects with ABORTED, carrying what was deleted so far", async () => {
  const c0 = client();
  await newSnapshots(c0, 1);
  // Aborted before the call: nothing sent.
  const gone = new AbortController();
  gone.abort();
  emu.resetRequests();
  const e0 = await failure(() => c0.applyRetention(DISK, { keepLast: 1 }, { signal: gone.signal }));
  assert.equal(e0.code, "ABORTED");
  assert.equal(emu.requests.length, 0);
  // Aborted during the second DELETE.
  const ac = new AbortController();
  let seen = 0;
  const c = client({
    fetch: async (request) => {
      if (request.method === "DELETE" && ++seen === 2) ac.abort();
      return fetch(request);
    },
  });
  const dry = await c.applyRetention(DISK, { keepLast: 1 }, { dryRun: true });
  const remove = dry.plan.chains.flatMap((ch) => ch.remove.map((x) => x.id));
  assert.ok(remove.length >= 3);
  emu.resetRequests();
  const e = await failure(() => c.applyRetention(DISK, { keepLast: 1 }, { signal: ac.signal }));
  assert.equal(e.code, "ABORTED");
  assert.deepEqual(e.deleted, [remove[remove.length - 1]], "the oldest, deleted before the abort");
  assert.deepEqual(e.failed, []);
  assert.ok(deletes().length <= 2, "no DELETE after the abort");
  // The client still works.
  const after = await client().applyRetention(DISK, { keepLast: 1 });
  assert.ok(after.deleted.length >= 1);
});

test("applyRetention over a scope: chains matched to the scope's disks, orphans kept unless included", async () => {
  const c = client();
  const r = await c.applyRetention(SUB, { keepLast: 1 }, { dryRun: true });
  assert.ok(r.plan.chains.length >= 5);
  const orphans = r.plan.chains.filter((ch) => ch.orphan);
  assert.ok(orphans.length >= 1, "the demo has orphan chains");
  for (const ch of orphans) assert.equal(ch.remove.length, 0);
  const disks = await c.listDisks(SUB);
  assert.deepEqual(r.plan, lib.planRetention(await c.listSnapshots(SUB), { keepLast: 1 }, { disks }));
  const incl = await c.applyRetention(SUB, { keepLast: 1 }, { dryRun: true, includeOrphans: true });
  assert.ok(incl.plan.chains.filter((ch) => ch.orphan).some((ch) => ch.remove.length > 0));
  // A resource group: only its snapshots.
  const rg = await c.applyRetention(RG, { keepLast: 1 }, { dryRun: true });
  assert.ok(rg.plan.chains.every((ch) => ch.sourceResourceId.toLowerCase().startsWith(RG.toLowerCase())));
  assert.equal(deletes().length, 0);
  // A real run over the resource group.
  const real = await c.applyRetention(RG, { keepLast: 1 });
  const want = rg.plan.chains.flatMap((ch) => ch.remove.map((x) => x.id));
  assert.deepEqual([...real.deleted].sort(), [...want].sort());
});

test("applyRetention: a missing disk is NOT_FOUND, scrubbed, with no delete", async () => {
  const c = client();
  const e = await failure(() => c.applyRetention(DISK.replace(/osdisk$/, "nope"), { keepLast: 1 }));
  assert.equal(e.code, "NOT_FOUND");
  assert.equal(deletes().length, 0);
});
