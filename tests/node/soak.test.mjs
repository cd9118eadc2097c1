// The long bad-input soak: 100,000 hostile calls to the built package in one process,
// rotating over the kinds of the fault matrix (throwing getters, throwing and revoked Proxies as
// arguments and options; tokens outside printable ASCII, as a string and from a token function;
// AbortSignal look-alikes; custom fetch functions that throw or return a non-Response; token
// functions that throw; bad resource ids and bad JSON), sync and async mixed, async ones awaited
// in batches. Every call must end in a documented error code (async ones by rejecting, never by a
// synchronous throw, never by hanging), with no uncaught exception; afterwards a normal sync call
// and a normal ArmClient call to a tiny local server work, and resident memory is flat. A second
// test sends 20,000 requests through the transport (custom fetch, no sockets) and checks that the
// JS heap is flat after gc: a per-request leak shows there long before it shows in the soak.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import * as H from "./hostile-server.mjs";

const TOTAL = Number(process.env.SOAK_TOTAL ?? 100_000);
const BATCH = 500;
const MAX_BAD = 200; // stop early once the instance is clearly broken: the report keeps samples
/** The documented error codes, from the package's one source (`errorCodes()`, set in `before`). */
let CODES;

const gc = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc");
  } catch {
    return null;
  }
})();

let lib;
let server;
const stray = [];
const onUncaught = (e) => stray.push(`uncaughtException: ${e?.message ?? e}`);
const onUnhandled = (e) => stray.push(`unhandledRejection: ${e?.message ?? e}`);

// The package's wasm memory, captured as the module is instantiated: the figure that says whether
// the instance leaks (resident memory also moves with V8's own heap and JIT, so it only gets a
// loose bound below).
const memories = [];
const OriginalInstance = WebAssembly.Instance;
function CapturingInstance(module, imports) {
  const instance = new OriginalInstance(module, imports);
  if (instance.exports.memory instanceof WebAssembly.Memory) memories.push(instance.exports.memory);
  return instance;
}
CapturingInstance.prototype = OriginalInstance.prototype;
const wasmBytes = () => memories.reduce((n, m) => n + m.buffer.byteLength, 0);

before(async () => {
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  WebAssembly.Instance = CapturingInstance;
  try {
    lib = await H.loadPkg();
    CODES = new Set(lib.errorCodes());
  } finally {
    WebAssembly.Instance = OriginalInstance;
  }
  server = await H.startHostileServer({ name: "arm" });
  server.handler = H.healthyArm(server);
});

after(async () => {
  await server?.close();
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
});

function throwingProxy() {
  const boom = () => {
    throw new Error("trap");
  };
  return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
}
function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
function getters() {
  return {
    get id() {
      throw new Error("id");
    },
    get properties() {
      throw new Error("properties");
    },
    get tags() {
      throw new Error("tags");
    },
    get signal() {
      throw new Error("signal");
    },
  };
}

test(
  `soak: ${TOTAL.toLocaleString("en")} hostile calls, then normal calls work and memory is flat`,
  { timeout: 240_000 },
  async (t) => {
    const endpoint = server.url;
    const disk = H.disk();
    const c = new lib.ArmClient({ token: "soak-token", endpoint, maxRetries: 0, retryDelayMs: 1 });
    const throwingFetch = new lib.ArmClient({
      token: "soak-token",
      endpoint,
      maxRetries: 0,
      retryDelayMs: 1,
      fetch: () => {
        throw new Error("fetch broke");
      },
    });
    const oddFetch = new lib.ArmClient({
      token: "soak-token",
      endpoint,
      maxRetries: 0,
      retryDelayMs: 1,
      fetch: async () => ({ status: 200 }),
    });
    const brokenResponse = new lib.ArmClient({
      token: "soak-token",
      endpoint,
      maxRetries: 0,
      retryDelayMs: 1,
      fetch: () => Object.create(Response.prototype),
    });
    const badTokenFn = new lib.ArmClient({ token: () => "abc\u2013def", endpoint, maxRetries: 0, retryDelayMs: 1 });
    const throwingTokenFn = new lib.ArmClient({
      token: () => {
        throw new Error("no token");
      },
      endpoint,
      maxRetries: 0,
      retryDelayMs: 1,
    });
    const lookAlike = { aborted: false, addEventListener() {}, removeEventListener() {} };
    const fakeSignal = Object.create(AbortSignal.prototype);

    /** [name, fn, async?] */
    const kinds = [
      ["buildSnapshotConfig(getters)", () => lib.buildSnapshotConfig(getters())],
      ["buildSnapshotConfig(disk, { tags: proxy })", () => lib.buildSnapshotConfig(disk, { tags: throwingProxy() })],
      ["buildSnapshotConfig(revoked)", () => lib.buildSnapshotConfig(revoked())],
      [
        "buildSnapshotConfig(disk, { name: 'bad/name', tags: 5 })",
        () => lib.buildSnapshotConfig(disk, { name: "bad/name", tags: 5 }),
      ],
      ["buildSnapshotTemplate({ disks: [revoked] })", () => lib.buildSnapshotTemplate({ disks: [revoked()] })],
      ["buildTemplateParameters(proxy)", () => lib.buildTemplateParameters(throwingProxy())],
      ["filterIncrementalSnapshots(disk, bad JSON)", () => lib.filterIncrementalSnapshots(disk, '{"value":[{"id":')],
      ["filterIncrementalSnapshots(getters, [])", () => lib.filterIncrementalSnapshots(getters(), [])],
      ["groupSnapshotChains(bad JSON)", () => lib.groupSnapshotChains("[1,2")],
      ["groupSnapshotChains([], { disks: proxy })", () => lib.groupSnapshotChains([], { disks: throwingProxy() })],
      ["parseResourceId(bad id)", () => lib.parseResourceId("/subscriptions/")],
      ["parseResourceId(revoked)", () => lib.parseResourceId(revoked())],
      ["new ArmClient({ token with U+200B })", () => new lib.ArmClient({ token: "abc\u200Bdef", endpoint })],
      ["new ArmClient(proxy)", () => new lib.ArmClient(throwingProxy())],
      ["new ArmClient({ endpont })", () => new lib.ArmClient({ token: "t", endpont: endpoint })],
      ["getDisk(bad id)", () => c.getDisk("not-an-id"), true],
      ["getDisk(id, getters)", () => c.getDisk(H.DISK_ID, getters()), true],
      ["createIncrementalSnapshot(revoked)", () => c.createIncrementalSnapshot(revoked()), true],
      ["createIncrementalSnapshot(disk, proxy)", () => c.createIncrementalSnapshot(disk, throwingProxy()), true],
      ["listSnapshots(scope, { signal: look-alike })", () => c.listSnapshots(H.SCOPE, { signal: lookAlike }), true],
      [
        "getDisk(id, { signal: Object.create(AbortSignal.prototype) })",
        () => c.getDisk(H.DISK_ID, { signal: fakeSignal }),
        true,
      ],
      ["fetch that throws", () => throwingFetch.getDisk(H.DISK_ID), true],
      ["fetch returning a non-Response", () => oddFetch.getDisk(H.DISK_ID), true],
      ["fetch returning Object.create(Response.prototype)", () => brokenResponse.getDisk(H.DISK_ID), true],
      ["token function returning U+2013", () => badTokenFn.getDisk(H.DISK_ID), true],
      ["token function that throws", () => throwingTokenFn.getDisk(H.DISK_ID), true],
    ];

    const bad = new Map(); // kind → { count, sample }
    let badTotal = 0;
    const noteBad = (name, what) => {
      badTotal++;
      const b = bad.get(name) ?? { count: 0, sample: what };
      b.count++;
      bad.set(name, b);
    };
    const typed = (e) => e instanceof Error && CODES.has(e.code);
    const describe = (e) =>
      e instanceof Error
        ? `${e.code ?? "(no code)"} ${e.name}: ${String(e.message).slice(0, 160)}`
        : `non-Error ${String(e).slice(0, 160)}`;

    const rss = () => process.memoryUsage().rss / 1048576;
    const settleBatch = async (pending) => {
      let timer;
      const timeout = new Promise((r) => (timer = setTimeout(() => r("timeout"), 10_000)));
      const all = Promise.all(
        pending.map(([name, p]) =>
          p.then(
            () => noteBad(name, "fulfilled"),
            (e) => {
              if (!typed(e)) noteBad(name, describe(e));
            },
          ),
        ),
      );
      const r = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return r !== "timeout";
    };

    const started = Date.now();
    let baseline = null;
    let baseHeap = null;
    let baseWasm = 0;
    let done = 0;
    let stuck = false;
    let pending = [];
    for (let i = 0; i < TOTAL && badTotal < MAX_BAD; i++) {
      const [name, fn, isAsync] = kinds[i % kinds.length];
      if (isAsync) {
        let p;
        try {
          p = fn();
        } catch (e) {
          noteBad(name, `threw synchronously: ${describe(e)}`);
          continue;
        }
        if (!p || typeof p.then !== "function") {
          noteBad(name, "did not return a promise");
          continue;
        }
        pending.push([name, p]);
      } else {
        try {
          fn();
          noteBad(name, "did not throw");
        } catch (e) {
          if (!typed(e)) noteBad(name, describe(e));
        }
      }
      done++;
      if (pending.length >= BATCH) {
        if (!(await settleBatch(pending))) {
          stuck = true;
          break;
        }
        pending = [];
      }
      if (i === 5_000) {
        gc?.();
        baseline = rss();
        baseWasm = wasmBytes();
        baseHeap = process.memoryUsage().heapUsed / 1048576;
      }
    }
    if (!stuck && pending.length && !(await settleBatch(pending))) stuck = true;
    const elapsed = Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));

    const report = [...bad.entries()].map(([k, v]) => `${k}: ${v.count}× (${v.sample})`);
    assert.equal(stuck, false, `a batch of async calls did not settle within 10 s (after ${done} calls)`);
    assert.deepEqual(report, [], `${badTotal} calls did not end in a documented code (stopped after ${done} calls)`);
    assert.deepEqual(stray.slice(0, 5), [], "no uncaught exception or unhandled rejection");
    assert.equal(done, TOTAL);
    assert.ok(elapsed < 120_000, `${TOTAL} calls took ${elapsed} ms`);

    // Normal calls still work.
    const config = lib.buildSnapshotConfig(disk, { name: "after-soak", tags: { by: "soak" }, now: 0 });
    assert.equal(config.name, "after-soak");
    assert.equal(config.body.properties.incremental, true);
    const fresh = new lib.ArmClient({ token: "soak-token", endpoint, maxRetries: 0 });
    assert.equal((await fresh.getDisk(H.DISK_ID)).name, "disk1");
    assert.equal((await c.getDisk(H.DISK_ID)).name, "disk1", "the client that took the bad calls works too");
    assert.equal(lib.filterIncrementalSnapshots(disk, [H.snapshot("s1")]).length, 1);

    gc?.();
    const heapGrowth = process.memoryUsage().heapUsed / 1048576 - (baseHeap ?? 0);
    const growth = rss() - (baseline ?? rss());
    const wasmGrowth = wasmBytes() - baseWasm;
    t.diagnostic(
      `${done} calls in ${elapsed} ms; wasm memory ${(wasmBytes() / 1048576).toFixed(1)} MB (+${wasmGrowth} bytes since the baseline), resident memory ${Math.round(growth)} MB above the baseline after 5,000 calls (gc ${gc ? "on" : "off"})`,
    );
    assert.ok(memories.length > 0, "the package's wasm memory was captured");
    // Not one page: before the catch imports stopped returning objects, each caught exception leaked
    // a slot of wasm-bindgen's externref table (about 9 bytes a bad call, +512 KiB over this soak).
    assert.equal(wasmGrowth, 0, `wasm memory grew by ${wasmGrowth} bytes over the soak`);
    assert.ok(growth < 200, `resident memory grew by ${Math.round(growth)} MB over the soak (gc ${gc ? "on" : "off"})`);
    if (gc) assert.ok(heapGrowth < 16, `the JS heap grew by ${Math.round(heapGrowth)} MB over the soak, after gc`);
  },
);

test(
  "soak: 20,000 requests through the transport (a custom fetch answering at once) leave the JS heap flat",
  { timeout: 120_000 },
  async (t) => {
    const disk = JSON.stringify(H.disk());
    const kinds = [
      () => new Response(disk, { status: 200, headers: { "content-type": "application/json" } }),
      () => new Response('{"error":{"code":"ResourceNotFound","message":"nope"}}', { status: 404 }),
      () => {
        throw new Error("fetch broke");
      },
    ];
    let n = 0;
    const c = new lib.ArmClient({
      token: "soak-token",
      endpoint: server.url,
      maxRetries: 0,
      retryDelayMs: 1,
      fetch: () => kinds[n++ % kinds.length](),
    });
    const run = async (count) => {
      for (let done = 0; done < count; done += 500) {
        const ps = [];
        for (let i = 0; i < 500; i++)
          ps.push(
            c.getDisk(H.DISK_ID).then(
              () => "ok",
              (e) => e?.code,
            ),
          );
        const out = await Promise.all(ps);
        assert.ok(
          out.every((o) => o === "ok" || o === "NOT_FOUND" || o === "NETWORK"),
          `outcomes: ${[...new Set(out)].join(", ")}`,
        );
      }
    };
    await run(2_000); // warm-up
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    const started = Date.now();
    await run(20_000);
    await new Promise((r) => setTimeout(r, 50));
    gc?.();
    const heapGrowth = (process.memoryUsage().heapUsed - heap0) / 1048576;
    const rssGrowth = (process.memoryUsage().rss - rss0) / 1048576;
    t.diagnostic(
      `20,000 requests in ${Date.now() - started} ms; JS heap +${heapGrowth.toFixed(1)} MB, resident +${rssGrowth.toFixed(1)} MB (gc ${gc ? "on" : "off"})`,
    );
    if (gc)
      assert.ok(
        heapGrowth < 8,
        `the JS heap grew by ${heapGrowth.toFixed(1)} MB over 20,000 requests, after gc (about ${Math.round((heapGrowth * 1048576) / 20000)} bytes a request)`,
      );
    assert.ok(rssGrowth < 100, `resident memory grew by ${rssGrowth.toFixed(1)} MB`);
  },
);
