// The package's smaller entries (`azure-incremental-snapshots/filter`, `/client`; README
// "Entries"): each its own wasm built from fewer API groups. Checked here, in Node, against the
// main entry and the emulator:
//   - each exports exactly the functions (and ArmClient members) pkg/size.json lists for it, and
//     nothing of the main entry's that it lacks;
//   - on the emulator's demo listing, every function it has gives the main entry's result, value
//     for value (chains of every disk, from text and from bytes; configs; templates);
//   - its boundary holds like the main entry's: throwing getters, throwing and revoked Proxies and
//     throwing toString as any argument are typed errors, and after 2,000 of them a normal call
//     still works with wasm memory flat;
//   - the filter entry meets the size target (one consumer loads at most 60 KB gzip).
// The whole ArmClient suite also runs against the client entry (client-entry.test.mjs), and the
// tarball's conditions for each entry (ESM, CJS, workerd, Chromium) are in package.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage, pkgDir } from "./load-package.mjs";
import { revokedProxy, throwingGetters, throwingProxy, throwingString } from "./hostile-server.mjs";

const size = JSON.parse(readFileSync(join(pkgDir, "size.json"), "utf8"));
const ENTRIES = Object.keys(size.entries ?? {});
const TOKEN = "entries-test-token";
let main;
const entries = {};
const memories = {};
let emu;
let listing; // the demo seed's snapshots, all of them (JSON text of one page)
let disks;

before(async () => {
  assert.deepEqual(ENTRIES, ["filter", "client"], "pkg/ has the smaller entries (npm run build)");
  main = await loadPackage(["node", "import"], ".");
  // Each entry's wasm memory, captured as its module is instantiated (initSync on import).
  const Original = WebAssembly.Instance;
  try {
    for (const e of ENTRIES) {
      function Capturing(module, imports) {
        const instance = new Original(module, imports);
        if (instance.exports.memory instanceof WebAssembly.Memory) memories[e] = instance.exports.memory;
        return instance;
      }
      Capturing.prototype = Original.prototype;
      WebAssembly.Instance = Capturing;
      entries[e] = await loadPackage(["node", "import"], `./${e}`);
    }
  } finally {
    WebAssembly.Instance = Original;
  }
  assert.deepEqual(Object.keys(memories), ENTRIES, "every entry's wasm memory was captured");
  emu = await startEmulator({ port: 0, seed: "demo", pageSize: 1000, retryAfterSeconds: 0, lroPolls: 1 });
  const c = new main.ArmClient({ token: TOKEN, endpoint: emu.url });
  const [sub] = await c.listSubscriptions();
  const scope = `/subscriptions/${sub.subscriptionId}`;
  disks = await c.listDisks(scope);
  const r = await fetch(`${emu.url}${scope}/providers/Microsoft.Compute/snapshots?api-version=2025-01-02`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  listing = await r.text();
  assert.ok(JSON.parse(listing).value.length >= 40, "the demo seed's snapshots on one page");
  assert.ok(disks.length >= 5);
});

after(async () => {
  await emu?.close();
});

const functionsOf = (m) =>
  Object.keys(m)
    .filter((k) => k !== "default" && k !== "ArmClient" && typeof m[k] === "function")
    .sort();

test("each entry exports exactly its functions and ArmClient members, and none of the rest", () => {
  for (const e of ENTRIES) {
    const m = entries[e];
    assert.deepEqual(functionsOf(m), size.entries[e].functions, `${e}: functions`);
    assert.equal(typeof m.default, "function", `${e}: default (init)`);
    for (const f of size.entries[e].functions)
      assert.equal(typeof main[f], "function", `${f} is also the main entry's`);
    if (size.entries[e].clientMembers) {
      const members = Object.getOwnPropertyNames(m.ArmClient.prototype)
        .filter((k) => k !== "constructor" && !k.startsWith("__"))
        .sort();
      assert.deepEqual(members, size.entries[e].clientMembers, `${e}: ArmClient members`);
    } else {
      assert.equal(m.ArmClient, undefined, `${e}: no ArmClient`);
    }
  }
  // What each entry leaves out really is out (a smaller wasm, not the same one re-exported).
  assert.equal(entries.filter.buildSnapshotConfig, undefined);
  assert.equal(entries.filter.groupSnapshotChains, undefined);
  assert.equal(entries.client.planRetention, undefined);
  assert.equal(entries.client.copyPageRanges, undefined);
  assert.equal(entries.client.ArmClient.prototype.replicateSnapshots, undefined);
  assert.equal(entries.client.ArmClient.prototype.restoreDisk, undefined);
  for (const e of ENTRIES) assert.ok(size.entries[e].wasm.gzip < size.wasm.gzip, `${e}: a smaller wasm`);
});

test("the same results as the main entry: every disk's chain (text and bytes), chains, configs, templates", () => {
  const bytes = new TextEncoder().encode(listing);
  const objects = JSON.parse(listing);
  let linked = 0;
  for (const e of ENTRIES) {
    const m = entries[e];
    for (const disk of disks) {
      const want = main.filterIncrementalSnapshots(disk, listing);
      linked += want.length;
      assert.deepEqual(m.filterIncrementalSnapshots(disk, listing), want, `${e}: ${disk.name} from text`);
      assert.deepEqual(m.filterIncrementalSnapshots(disk, bytes), want, `${e}: ${disk.name} from bytes`);
      assert.deepEqual(m.filterIncrementalSnapshots(disk, objects), want, `${e}: ${disk.name} from objects`);
    }
    assert.deepEqual(m.parseResourceId(disks[0].id), main.parseResourceId(disks[0].id));
    assert.deepEqual(m.errorCodes(), main.errorCodes());
  }
  assert.ok(linked > 20, "the chains are not all empty");
  const c = entries.client;
  assert.deepEqual(c.groupSnapshotChains(listing, { disks }), main.groupSnapshotChains(listing, { disks }));
  for (const disk of disks) {
    assert.deepEqual(
      c.buildSnapshotConfig(disk, { now: 0, tags: { a: "b" } }),
      main.buildSnapshotConfig(disk, { now: 0, tags: { a: "b" } }),
    );
  }
  const t = { disks: disks.slice(0, 3), layout: "perDisk", snapshotName: { timestamp: true }, outputs: true };
  assert.deepEqual(c.buildSnapshotTemplate(t), main.buildSnapshotTemplate(t));
  assert.deepEqual(c.buildTemplateParameters({ disk: disks[0] }), main.buildTemplateParameters({ disk: disks[0] }));
  assert.deepEqual(c.clouds(), main.clouds());
  assert.equal(c.parseEndpoint("https://Management.Azure.com"), main.parseEndpoint("https://Management.Azure.com"));
});

test("the same errors as the main entry, code, field and message", () => {
  const cases = [
    ["parseResourceId", ["/subscriptions/x/resourceGroups"]],
    ["parseResourceId", [42]],
    ["filterIncrementalSnapshots", [{ id: "nope" }, []]],
    ["filterIncrementalSnapshots", [disks?.[0], "{ not json"]],
    ["buildSnapshotConfig", [null, { tags: 5, name: "bad/name" }]],
    ["buildSnapshotTemplate", [{ layout: "diagonal" }]],
  ];
  const outcome = (m, fn, args) => {
    try {
      m[fn](...args);
      return { ok: true };
    } catch (e) {
      return { code: e.code, field: e.field, message: e.message, name: e.name, violations: e.violations };
    }
  };
  for (const e of ENTRIES) {
    for (const [fn, args] of cases) {
      if (typeof entries[e][fn] !== "function") continue;
      const got = outcome(entries[e], fn, args);
      assert.ok(!got.ok, `${e}: ${fn} fails`);
      assert.deepEqual(got, outcome(main, fn, args), `${e}: ${fn}(${JSON.stringify(args).slice(0, 60)})`);
    }
  }
});

/** One of each kind of hostile value the fault matrix uses (tests/node/hostile-server.mjs). */
function hostileValues() {
  return {
    getters: throwingGetters(),
    proxy: throwingProxy(),
    arrayProxy: throwingProxy([]),
    revoked: revokedProxy(),
    badString: throwingString(),
  };
}

test("the boundary holds: hostile arguments are typed errors, 2,000 of them leave the instance well", () => {
  for (const e of ENTRIES) {
    const m = entries[e];
    const disk = disks[0];
    const forms = [
      (h) => m.parseResourceId(h),
      (h) => m.filterIncrementalSnapshots(h, listing),
      (h) => m.filterIncrementalSnapshots(disk, h),
      (h) => m.filterIncrementalSnapshots(disk, [h]),
      (h) => m.filterIncrementalSnapshots(disk, { value: h }),
    ];
    if (m.buildSnapshotConfig) {
      forms.push(
        (h) => m.buildSnapshotConfig(h),
        (h) => m.buildSnapshotConfig(disk, h),
        (h) => m.buildSnapshotConfig(disk, { tags: h }),
        (h) => m.buildSnapshotTemplate({ disks: [h] }),
        (h) => m.groupSnapshotChains([], { disks: h }),
        (h) => m.parseEndpoint(h),
        (h) => new m.ArmClient(h),
        (h) => new m.ArmClient({ token: TOKEN, endpoint: emu.url, retryDelayMs: h }),
      );
    }
    const codes = new Set(m.errorCodes());
    const want = m.filterIncrementalSnapshots(disk, listing);
    const memory = () => memories[e].buffer.byteLength;
    let calls = 0;
    let thrown = 0;
    let before = null;
    for (let round = 0; round < 2000; round++) {
      const values = hostileValues();
      for (const [kind, h] of Object.entries(values)) {
        const form = forms[(round + calls) % forms.length];
        calls++;
        try {
          form(h);
        } catch (err) {
          assert.ok(err instanceof Error, `${e}: ${kind}: a real Error`);
          assert.ok(codes.has(err.code), `${e}: ${kind}: a documented code (${err.code}: ${err.message})`);
          thrown++;
          continue;
        }
        // No throw: the hostile value was a valid input there (an object with throwing
        // conversions where any object goes); what matters is that nothing untyped escaped.
      }
      if (round === 100) before = memory(); // 500 calls in: the allocator's own first growth is over
    }
    assert.ok(thrown > calls * 0.6, `${e}: ${thrown} of ${calls} hostile calls were refused`);
    assert.deepEqual(
      m.filterIncrementalSnapshots(disk, listing),
      want,
      `${e}: a normal call after ${calls} hostile ones`,
    );
    assert.equal(memory(), before, `${e}: wasm memory flat over the last ${calls - 500} hostile calls`);
  }
});

test("size: the filter entry meets the target (wasm + its largest glue ≤ 60 KB gzip); each entry is smaller than the main", () => {
  const loads = (e) => e.wasm.gzip + Math.max(...Object.values(e.glue).map((g) => g.gzip));
  const filter = loads(size.entries.filter);
  assert.ok(filter <= 60_000, `the filter entry loads ${filter} B gzip > 60,000`);
  const mainLoads = loads(size);
  for (const e of ENTRIES) assert.ok(loads(size.entries[e]) < mainLoads, `${e} loads less than the main entry`);
});
