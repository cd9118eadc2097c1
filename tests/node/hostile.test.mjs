// The fault matrix in Node, against a hostile ARM on loopback (hostile-server.mjs):
// the built package's sync functions and every ArmClient method given throwing getters, Proxies
// and revoked Proxies (1); tokens with characters outside printable ASCII (2, in child processes
// so a crash cannot take the suite down); create with If-None-Match and 412/200 as CONFLICT (3);
// 3xx never followed (4); AbortSignal look-alikes and custom fetch functions that misbehave (5);
// the token echoed by the server in every error field and header never reaching the error or the
// console (6); response body caps against content-length, endless bodies and a gzip bomb (8, in
// child processes watched for memory); Retry-After dates in the past, operation and request time
// bounds (9); token functions that throw and foreign URLs (10); Retry-After dates in the future (11);
// ArmClient option validation (12). Every call must end in a documented code, in bounded time,
// with no uncaught exception and no request anywhere but the ARM origin.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pkgDir, root } from "./load-package.mjs";
import * as H from "./hostile-server.mjs";
import { throwingGetters, throwingProxy, revokedProxy, throwingString } from "./hostile-server.mjs";

const { DISK_ID, SNAP_ID, SCOPE, SUB } = H;

// Which entry is under test: the main one, or a smaller one when a suite sets AIS_TEST_ENTRY
// (hostile-client-entry.test.mjs). A smaller entry gets the rows of the functions and ArmClient
// members it has (pkg/size.json lists them); every other part of the matrix applies as it is.
const ENTRY = process.env.AIS_TEST_ENTRY ?? ".";
const ENTRY_HAS = (() => {
  if (ENTRY === ".") return null;
  const e = JSON.parse(readFileSync(join(pkgDir, "size.json"), "utf8")).entries?.[ENTRY.slice(2)];
  if (!e) throw new Error(`pkg/size.json has no entry ${ENTRY}; run npm run build`);
  return new Set([...e.functions, ...(e.clientMembers ?? [])]);
})();
const inEntry = ([name]) => !ENTRY_HAS || ENTRY_HAS.has(name);
const STORAGE_ID = `/subscriptions/${SUB}/resourceGroups/rg-hostile/providers/Microsoft.Storage/storageAccounts/acct`;
const TOKEN = "hostile-secret-token-0123456789";
/** The documented error codes, from the package's one source (`errorCodes()`, set in `before`). */
let CODES;

let lib;
let pair;
let arm;
let foreign;

// Anything that escapes as an uncaught exception or an unhandled rejection fails the test it happens in.
const stray = [];
const onStray = (kind) => (e) => stray.push(`${kind}: ${e?.stack ?? e}`);
const onUncaught = onStray("uncaughtException");
const onUnhandled = onStray("unhandledRejection");

before(async () => {
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  lib = await H.loadPkg();
  CODES = new Set(lib.errorCodes());
  pair = await H.startHostilePair();
  ({ arm, foreign } = pair);
});

after(async () => {
  await pair?.close();
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
});

beforeEach(() => {
  pair.reset();
  stray.length = 0;
});

/** Lets pending microtasks and timers run, then fails on anything that escaped. */
async function noStray() {
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(stray, [], "no uncaught exception or unhandled rejection");
}

function client(options = {}) {
  return new lib.ArmClient({
    token: TOKEN,
    endpoint: arm.url,
    retryDelayMs: 1,
    pollIntervalMs: 5,
    completionPollMs: 5,
    maxRetries: 1,
    ...options,
  });
}

const describeError = (e) =>
  e instanceof Error ? `${e.code ?? "(no code)"} ${e.name}: ${e.message}` : `non-Error ${inspect(e)}`;

/** A settled promise's outcome, or a failure if it does not settle within `ms`. */
async function settle(promise, ms = 5000) {
  let timer;
  const timeout = new Promise((r) => (timer = setTimeout(() => r({ state: "pending" }), ms)));
  try {
    return await Promise.race([
      Promise.resolve(promise).then(
        (value) => ({ state: "fulfilled", value }),
        (error) => ({ state: "rejected", error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function checkError(e, codes, what) {
  const list = [codes].flat();
  assert.ok(e instanceof Error, `${what}: a real Error, got ${describeError(e)}`);
  assert.ok(list.includes(e.code), `${what}: expected ${list.join(" or ")}, got ${describeError(e)}`);
  assert.equal(e.name, "AzureSnapshotsError", `${what}: name`);
  assert.ok(CODES.has(e.code), `${what}: a documented code`);
  return e;
}

/** `fn()` must throw synchronously a typed Error with one of `codes`. */
function throwsCode(fn, codes, what = fn.toString()) {
  let thrown;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    thrown = e;
  }
  assert.ok(threw, `${what}: should throw`);
  return checkError(thrown, codes, what);
}

/**
 * `fn()` must return a promise (never throw synchronously) that rejects, within `ms`, with a typed
 * Error with one of `codes`.
 */
async function rejectsCode(fn, codes, what = fn.toString(), ms = 5000) {
  let p;
  try {
    p = fn();
  } catch (e) {
    assert.fail(`${what}: threw synchronously instead of returning a rejected promise: ${describeError(e)}`);
  }
  assert.ok(p && typeof p.then === "function", `${what}: returns a promise`);
  const out = await settle(p, ms);
  assert.notEqual(out.state, "pending", `${what}: the promise did not settle within ${ms} ms`);
  assert.equal(out.state, "rejected", `${what}: should reject, fulfilled with ${inspect(out.value)?.slice(0, 200)}`);
  return checkError(out.error, codes, what);
}

function violationFields(e) {
  return (e.violations ?? []).map((v) => v.field);
}

// ---------------------------------------------------------------------------------------------
// Hostile values

function circular() {
  const o = { id: DISK_ID };
  o.self = o;
  return o;
}

/** Marks a call form whose hostile value stands where a string goes (the only place a throwing toString matters). */
const S = (f) => Object.assign(f, { stringPosition: true });
/** Kinds for a form: an object that only has a throwing toString is a valid `{}` where an object goes. */
const kindsFor = (form, kinds) =>
  Object.entries(kinds).filter(([k]) => form.stringPosition || k !== "a throwing toString/toPrimitive");

const HOSTILE = {
  "throwing getters": throwingGetters,
  "a Proxy whose traps throw": () => throwingProxy(),
  "a Proxy of an array whose traps throw": () => throwingProxy([]),
  "a revoked Proxy": () => revokedProxy(),
  "a revoked Proxy of a function": () => revokedProxy(function () {}),
  "a throwing toString/toPrimitive": throwingString,
};
/** Values whose JSON form cannot be made: INVALID_JSON is as good as INVALID_ARGUMENT for these. */
const UNSTRINGIFIABLE = {
  "a circular object": circular,
  "an object with a BigInt": () => ({ id: DISK_ID, n: 10n }),
  "a throwing toJSON": () => ({
    toJSON() {
      throw new Error("toJSON throws");
    },
  }),
};
const SYNC_CODES = ["INVALID_ARGUMENT", "INVALID_JSON"];

function okDisk() {
  return H.disk();
}

describe("1. hostile objects as arguments and options", () => {
  const sync = {
    buildSnapshotConfig: [
      (h) => lib.buildSnapshotConfig(h),
      (h) => lib.buildSnapshotConfig(okDisk(), h),
      (h) => lib.buildSnapshotConfig(okDisk(), { tags: h }),
      (h) => lib.buildSnapshotConfig(okDisk(), { encryption: h }),
      S((h) => lib.buildSnapshotConfig(okDisk(), { name: h })),
      (h) => lib.buildSnapshotConfig({ ...okDisk(), properties: h }),
    ],
    buildSnapshotTemplate: [
      (h) => lib.buildSnapshotTemplate(h),
      S((h) => lib.buildSnapshotTemplate({ disks: [h] })),
      (h) => lib.buildSnapshotTemplate({ disks: h }),
      (h) => lib.buildSnapshotTemplate({ disk: h }),
      (h) => lib.buildSnapshotTemplate({ disks: [DISK_ID], tags: h }),
      (h) => lib.buildSnapshotTemplate({ disks: [DISK_ID], snapshotName: h }),
    ],
    buildTemplateParameters: [
      (h) => lib.buildTemplateParameters(h),
      S((h) => lib.buildTemplateParameters({ disks: [h] })),
      (h) => lib.buildTemplateParameters({ disks: h }),
      (h) => lib.buildTemplateParameters({ disk: h }),
    ],
    filterIncrementalSnapshots: [
      (h) => lib.filterIncrementalSnapshots(h, []),
      S((h) => lib.filterIncrementalSnapshots(okDisk(), h)),
      (h) => lib.filterIncrementalSnapshots(okDisk(), [h]),
      (h) => lib.filterIncrementalSnapshots(okDisk(), { value: h }),
    ],
    groupSnapshotChains: [
      S((h) => lib.groupSnapshotChains(h)),
      (h) => lib.groupSnapshotChains([h]),
      (h) => lib.groupSnapshotChains([], h),
      (h) => lib.groupSnapshotChains([], { disks: h }),
      (h) => lib.groupSnapshotChains([], { disks: [h] }),
    ],
    parseResourceId: [S((h) => lib.parseResourceId(h))],
    parseEndpoint: [S((h) => lib.parseEndpoint(h))],
    operationStatus: [S((h) => lib.operationStatus(h))],
    buildDiskConfig: [
      S((h) => lib.buildDiskConfig(h, { name: "r1" })),
      (h) => lib.buildDiskConfig(H.snapshot(), h),
      S((h) => lib.buildDiskConfig(H.snapshot(), { name: h })),
      (h) => lib.buildDiskConfig(H.snapshot(), { name: "r1", tags: h }),
      S((h) => lib.buildDiskConfig(H.snapshot(), { name: "r1", zones: [h] })),
      (h) => lib.buildDiskConfig({ ...H.snapshot(), properties: h }, { name: "r1" }),
      S((h) => lib.buildDiskConfig({ sourceUri: h, storageAccountId: STORAGE_ID }, { name: "r1", location: "eastus" })),
    ],
    buildRestoreTemplate: [
      S((h) => lib.buildRestoreTemplate(h, { name: "r1" })),
      (h) => lib.buildRestoreTemplate(H.snapshot(), h),
      (h) => lib.buildRestoreTemplate(H.snapshot(), { name: "r1", tags: h }),
    ],
    planRetention: [
      S((h) => lib.planRetention(h, { keepLast: 1 })),
      (h) => lib.planRetention([h], { keepLast: 1 }),
      (h) => lib.planRetention([], h),
      (h) => lib.planRetention([], { keepLast: h }),
      S((h) => lib.planRetention([], { keepWithin: h })),
      (h) => lib.planRetention([], { keepLast: 1 }, h),
      (h) => lib.planRetention([], { keepLast: 1 }, { disks: [h] }),
    ],
  };

  for (const [fname, calls] of Object.entries(sync).filter(inEntry)) {
    test(
      `1. ${fname}: throwing getters, throwing Proxies, revoked Proxies → a typed Error (INVALID_ARGUMENT / INVALID_JSON)`,
      { timeout: 20_000 },
      async () => {
        const codes = fname === "parseResourceId" ? [...SYNC_CODES, "INVALID_RESOURCE_ID"] : SYNC_CODES;
        const failures = [];
        for (const [i, call] of calls.entries()) {
          for (const [kind, make] of kindsFor(call, { ...HOSTILE, ...UNSTRINGIFIABLE })) {
            try {
              throwsCode(() => call(make()), codes, `${fname} form ${i} with ${kind}`);
            } catch (e) {
              failures.push(e.message.split("\n")[0]);
            }
          }
        }
        assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
        // The instance is still healthy.
        const config = lib.buildSnapshotConfig(okDisk(), { name: "after-hostile", now: 0 });
        assert.equal(config.name, "after-hostile");
        await noStray();
      },
    );
  }

  const methods = {
    listSubscriptions: [(c, h) => c.listSubscriptions(h), (c, h) => c.listSubscriptions({ signal: h })],
    listResourceGroups: [
      S((c, h) => c.listResourceGroups(h)),
      (c, h) => c.listResourceGroups(SUB, h),
      (c, h) => c.listResourceGroups(SUB, { signal: h }),
    ],
    getDisk: [S((c, h) => c.getDisk(h)), (c, h) => c.getDisk(DISK_ID, h), (c, h) => c.getDisk(DISK_ID, { signal: h })],
    listDisks: [S((c, h) => c.listDisks(h)), (c, h) => c.listDisks(SCOPE, h)],
    getSnapshot: [S((c, h) => c.getSnapshot(h)), (c, h) => c.getSnapshot(SNAP_ID, h)],
    listSnapshots: [S((c, h) => c.listSnapshots(h)), (c, h) => c.listSnapshots(SCOPE, h)],
    listIncrementalSnapshots: [
      S((c, h) => c.listIncrementalSnapshots(h)),
      (c, h) => c.listIncrementalSnapshots(DISK_ID, h),
      S((c, h) => c.listIncrementalSnapshots(DISK_ID, { scope: h })),
    ],
    createIncrementalSnapshot: [
      S((c, h) => c.createIncrementalSnapshot(h)),
      (c, h) => c.createIncrementalSnapshot(okDisk(), h),
      (c, h) => c.createIncrementalSnapshot(okDisk(), { name: "n1", tags: h }),
      Object.assign((c, h) => c.createIncrementalSnapshot(okDisk(), { name: "n1", onProgress: h }), {
        onProgress: true,
      }),
      (c, h) => c.createIncrementalSnapshot(okDisk(), { name: "n1", signal: h }),
      (c, h) => c.createIncrementalSnapshot({ ...okDisk(), properties: h }, { name: "n1" }),
    ],
    copySnapshot: [
      S((c, h) => c.copySnapshot(h, { location: "westus" })),
      (c, h) => c.copySnapshot(SNAP_ID, h),
      S((c, h) => c.copySnapshot(SNAP_ID, { location: h })),
    ],
    deleteSnapshot: [S((c, h) => c.deleteSnapshot(h)), (c, h) => c.deleteSnapshot(SNAP_ID, h)],
    grantAccess: [
      S((c, h) => c.grantAccess(h, { durationInSeconds: 60 })),
      (c, h) => c.grantAccess(SNAP_ID, h),
      (c, h) => c.grantAccess(SNAP_ID, { durationInSeconds: h }),
    ],
    revokeAccess: [S((c, h) => c.revokeAccess(h)), (c, h) => c.revokeAccess(SNAP_ID, h)],
    getSnapshotChanges: [
      S((c, h) => c.getSnapshotChanges(h)),
      S((c, h) => c.getSnapshotChanges(SNAP_ID, h)),
      (c, h) => c.getSnapshotChanges(SNAP_ID, SNAP_ID, h),
      (c, h) => c.getSnapshotChanges(SNAP_ID, SNAP_ID, { signal: h }),
    ],
    replicateSnapshots: [
      S((c, h) => c.replicateSnapshots(h, { targetUrl: blobUrl("target") })),
      (c, h) => c.replicateSnapshots(DISK_ID, h),
      S((c, h) => c.replicateSnapshots(DISK_ID, { targetUrl: h })),
      (c, h) => c.replicateSnapshots(DISK_ID, { targetUrl: blobUrl("target"), checkpoint: h }),
      S((c, h) => c.replicateSnapshots(DISK_ID, { targetUrl: blobUrl("target"), from: h })),
    ],
    restoreDisk: [
      S((c, h) => c.restoreDisk(h, { name: "r1", location: "eastus" })),
      (c, h) => c.restoreDisk(SNAP_ID, h),
      S((c, h) => c.restoreDisk(SNAP_ID, { name: h, location: "eastus" })),
      (c, h) => c.restoreDisk(SNAP_ID, { name: "r1", location: "eastus", tags: h }),
      Object.assign((c, h) => c.restoreDisk(SNAP_ID, { name: "r1", location: "eastus", onProgress: h }), {
        onProgress: true,
      }),
      (c, h) => c.restoreDisk(SNAP_ID, { name: "r1", location: "eastus", signal: h }),
      (c, h) => c.restoreDisk({ ...H.snapshot(), properties: h }, { name: "r1" }),
    ],
    setImmutabilityPolicy: [
      S((c, h) => c.setImmutabilityPolicy(h, { days: 7 })),
      (c, h) => c.setImmutabilityPolicy(SNAP_ID, h),
      (c, h) => c.setImmutabilityPolicy(SNAP_ID, { days: h }),
      (c, h) => c.setImmutabilityPolicy(SNAP_ID, { days: 7, signal: h }),
    ],
    lockImmutabilityPolicy: [
      S((c, h) => c.lockImmutabilityPolicy(h, { days: 7 })),
      (c, h) => c.lockImmutabilityPolicy(SNAP_ID, h),
      (c, h) => c.lockImmutabilityPolicy(SNAP_ID, { days: h }),
    ],
    getImmutabilityPolicy: [
      S((c, h) => c.getImmutabilityPolicy(h)),
      (c, h) => c.getImmutabilityPolicy(SNAP_ID, h),
      (c, h) => c.getImmutabilityPolicy(SNAP_ID, { signal: h }),
    ],
    applyRetention: [
      S((c, h) => c.applyRetention(h, { keepLast: 1 })),
      (c, h) => c.applyRetention(DISK_ID, h),
      (c, h) => c.applyRetention(DISK_ID, { keepLast: h }),
      (c, h) => c.applyRetention(DISK_ID, { keepLast: 1 }, h),
    ],
    // The SAS-level functions take no client; their URLs point at the ARM test server, so a
    // request that got through would be counted below.
    listPageRangeDiff: [
      S((c, h) => lib.listPageRangeDiff(h)),
      (c, h) => lib.listPageRangeDiff(blobUrl("source"), h),
      S((c, h) => lib.listPageRangeDiff(blobUrl("source"), { previousUrl: h })),
      (c, h) => lib.listPageRangeDiff(blobUrl("source"), { range: h }),
    ],
    copyPageRanges: [
      (c, h) => lib.copyPageRanges(h),
      S((c, h) => lib.copyPageRanges({ sourceUrl: h, targetUrl: blobUrl("target") })),
      S((c, h) => lib.copyPageRanges({ sourceUrl: blobUrl("source"), targetUrl: h })),
      (c, h) => lib.copyPageRanges({ sourceUrl: blobUrl("source"), targetUrl: blobUrl("target"), checkpoint: h }),
      (c, h) => lib.copyPageRanges({ sourceUrl: blobUrl("source"), targetUrl: blobUrl("target"), concurrency: h }),
    ],
  };
  const blobUrl = (name) => `${arm.url}/blob/acct.blob.core.windows.net/c/${name}?sv=2021-06-08&sig=hostile-test`;

  test("1. every exported function that takes an argument and every ArmClient method is in this matrix", () => {
    // Functions whose arguments are not data: the guard takes anything, wasm-bindgen's init takes a module.
    const notData = new Set(["ArmClient", "default", "initSync", "isAzureSnapshotsError", "errorCodes", "clouds"]);
    const exported = Object.keys(lib).filter((k) => typeof lib[k] === "function" && !notData.has(k));
    const missing = exported.filter((k) => !(k in sync) && !(k in methods));
    const internal = new Set(["constructor", "__destroy_into_raw", "free", "apiVersion", "endpoint"]);
    const own = Object.getOwnPropertyNames(lib.ArmClient.prototype).filter((k) => !internal.has(k));
    missing.push(...own.filter((k) => !(k in methods)).map((k) => `ArmClient.${k}`));
    assert.deepEqual(missing, [], "a new entry point needs its hostile forms here");
  });

  for (const [mname, calls] of Object.entries(methods).filter(inEntry)) {
    test(
      `1. ArmClient.${mname}: hostile argument or options → returns a promise rejecting INVALID_ARGUMENT (INVALID_JSON for an un-stringifiable object), no request`,
      { timeout: 30_000 },
      async () => {
        arm.handler = H.healthyArm(arm);
        const c = client();
        const failures = [];
        for (const [i, call] of calls.entries()) {
          for (const [kind, make] of kindsFor(call, HOSTILE)) {
            // A revoked Proxy of a function is still typeof "function": as onProgress it can only fail when called (see below).
            if (call.onProgress && kind === "a revoked Proxy of a function") continue;
            try {
              // An object argument that cannot be turned into JSON may say so (INVALID_JSON), as the sync functions may.
              const codes = ["INVALID_ARGUMENT", "INVALID_JSON"];
              await rejectsCode(() => call(c, make()), codes, `${mname} form ${i} with ${kind}`, 3000);
            } catch (e) {
              failures.push(e.message.split("\n")[0]);
            }
          }
        }
        assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
        assert.equal(arm.requests.length, 0, "no hostile argument reaches the network");
        // The same client still works.
        const d = await settle(c.getDisk(DISK_ID), 5000);
        assert.equal(d.state, "fulfilled", `a normal call after: ${d.state} ${d.error ? describeError(d.error) : ""}`);
        await noStray();
      },
    );
  }

  test(
    "1. new ArmClient(<hostile>) and hostile values inside its options → INVALID_ARGUMENT",
    { timeout: 20_000 },
    async () => {
      const failures = [];
      const forms = [
        (h) => new lib.ArmClient(h),
        S((h) => new lib.ArmClient({ token: h, endpoint: arm.url })),
        S((h) => new lib.ArmClient({ token: TOKEN, endpoint: h })),
        S((h) => new lib.ArmClient({ token: TOKEN, cloud: h })),
        S((h) => new lib.ArmClient({ token: TOKEN, endpoint: arm.url, apiVersion: h })),
        (h) => new lib.ArmClient({ token: TOKEN, endpoint: arm.url, maxRetries: h }),
        (h) => new lib.ArmClient({ token: TOKEN, endpoint: arm.url, pollIntervalMs: h }),
      ];
      for (const [i, form] of forms.entries()) {
        for (const [kind, make] of kindsFor(form, HOSTILE)) {
          if (i === 1 && kind === "a revoked Proxy of a function") continue; // typeof "function": checked in test 10 (a token function that throws)
          try {
            throwsCode(() => form(make()), "INVALID_ARGUMENT", `new ArmClient form ${i} with ${kind}`);
          } catch (e) {
            failures.push(e.message.split("\n")[0]);
          }
        }
      }
      try {
        throwsCode(
          () =>
            new lib.ArmClient({
              get token() {
                throw new Error("x");
              },
              endpoint: arm.url,
            }),
          "INVALID_ARGUMENT",
          "a throwing token getter",
        );
      } catch (e) {
        failures.push(e.message.split("\n")[0]);
      }
      assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
      await noStray();
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Child processes: for calls that may crash the process or exhaust its memory.

const loaderUrl = pathToFileURL(join(root, "tests", "node", "hostile-server.mjs")).href;
const CHILD_PRELUDE = `
import { loadPkg } from ${JSON.stringify(loaderUrl)};
const lib = await loadPkg();
const ENDPOINT = process.env.HOSTILE_URL;
const DISK_ID = ${JSON.stringify(DISK_ID)};
let reported = false;
const report = (r) => { if (reported) return; reported = true; process.stdout.write("RESULT " + JSON.stringify(r) + "\\n", () => process.exit(0)); };
const info = (e) => (e instanceof Error ? { isError: true, code: e.code ?? null, field: e.field ?? null, name: e.name, message: String(e.message) } : { isError: false, value: String(e) });
process.on("uncaughtException", (e) => report({ uncaught: String(e && e.stack || e) }));
process.on("unhandledRejection", (e) => report({ unhandled: String(e && e.stack || e) }));
const settle = (p, ms) => new Promise((resolve) => {
  const t = setTimeout(() => resolve({ state: "pending" }), ms);
  Promise.resolve(p).then((v) => { clearTimeout(t); resolve({ state: "fulfilled" }); }, (e) => { clearTimeout(t); resolve({ state: "rejected", error: info(e) }); });
});
const mb = () => process.memoryUsage().rss / 1048576;
`;

/**
 * Runs an ES module body in a fresh Node process with the package loaded; resolves with the
 * object it passed to report(), or { exit, signal, stderr } when it died, or { killed } when its
 * resident memory passed `maxRssMb` or it ran past `timeoutMs`.
 */
function runChild(body, { timeoutMs = 20_000, maxRssMb = 1200, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD_PRELUDE + body], {
      env: { ...process.env, HOSTILE_URL: arm.url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let peak = 0;
    let killed = null;
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    const watch = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        const rss = m ? Number(m[1]) / 1024 : 0;
        peak = Math.max(peak, rss);
        if (rss > maxRssMb && !killed) {
          killed = `resident memory reached ${Math.round(rss)} MB (limit ${maxRssMb} MB)`;
          child.kill("SIGKILL");
        }
      } catch {
        /* gone */
      }
    }, 50);
    const timer = setTimeout(() => {
      killed ??= `still running after ${timeoutMs} ms`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      const result = line ? JSON.parse(line.slice(7)) : null;
      resolve({ result, exit: code, signal, killed, peakRssMb: Math.round(peak), stderr: err.slice(-2000) });
    });
  });
}

function childOk(run) {
  assert.equal(run.killed, null, `child killed: ${run.killed}; ${run.stderr}`);
  assert.ok(run.result, `the child reported (exit ${run.exit}, signal ${run.signal}): ${run.stderr}`);
  assert.equal(run.result.uncaught, undefined, `uncaught exception in the child: ${run.result.uncaught}`);
  assert.equal(run.result.unhandled, undefined, `unhandled rejection in the child: ${run.result.unhandled}`);
  return run.result;
}

describe("2. tokens with characters outside printable ASCII", () => {
  const PREFIX = "abcdefghij"; // the bad character is at index 10 (the 11th character)
  const chars = [
    ["U+200B", "\u200B"],
    ["U+2013", "\u2013"],
    ["U+2028", "\u2028"],
    ["U+FEFF", "\uFEFF"],
    ["U+1F600", "\u{1F600}"],
    ["U+00E9", "é"],
  ];
  for (const [cp, ch] of chars) {
    test(
      `2. a token with ${cp}: new ArmClient throws INVALID_ARGUMENT naming it; a token function's result rejects; nothing sent; no crash`,
      { timeout: 30_000 },
      async () => {
        arm.handler = H.healthyArm(arm);
        const token = `${PREFIX}${ch}klmnop`;
        const run = await runChild(`
        const token = ${JSON.stringify(token)};
        const r = {};
        try { new lib.ArmClient({ token, endpoint: ENDPOINT }); r.ctor = { threw: false }; }
        catch (e) { r.ctor = { threw: true, ...info(e) }; }
        const opts = { endpoint: ENDPOINT, maxRetries: 1, retryDelayMs: 1 };
        r.fn = await settle(new lib.ArmClient({ token: () => token, ...opts }).getDisk(DISK_ID), 5000);
        r.asyncFn = await settle(new lib.ArmClient({ token: async () => token, ...opts }).getDisk(DISK_ID), 5000);
        r.bearer = await settle(new lib.ArmClient({ token: () => "Bearer " + token, ...opts }).getDisk(DISK_ID), 5000);
        // the instance is still fine
        r.after = await settle(new lib.ArmClient({ token: "plain-ascii-token", ...opts }).getDisk(DISK_ID), 5000);
        report(r);
      `);
        const r = childOk(run);
        assert.equal(r.ctor.threw, true, "new ArmClient({ token }) throws");
        assert.equal(r.ctor.isError, true);
        assert.equal(r.ctor.code, "INVALID_ARGUMENT", r.ctor.message);
        assert.ok(["token", "options.token"].includes(r.ctor.field), `field ${r.ctor.field}`);
        assert.ok(r.ctor.message.includes(cp), `message names ${cp}: ${r.ctor.message}`);
        assert.match(
          r.ctor.message,
          /\b1[01]\b/,
          `message gives the position (10 from 0, or 11 from 1): ${r.ctor.message}`,
        );
        assert.ok(!r.ctor.message.includes(token), "the token itself is not in the message");
        for (const k of ["fn", "asyncFn", "bearer"]) {
          assert.equal(r[k].state, "rejected", `${k}: ${JSON.stringify(r[k])}`);
          assert.equal(r[k].error.code, "INVALID_ARGUMENT", `${k}: ${JSON.stringify(r[k])}`);
        }
        assert.equal(r.after.state, "fulfilled", `a normal client afterwards: ${JSON.stringify(r.after)}`);
        assert.equal(
          arm.requests.filter((q) => q.headers.authorization !== "Bearer plain-ascii-token").length,
          0,
          "no request with the bad token",
        );
        assert.equal(arm.requests.length, 1, "only the normal call reached the server");
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------

/** A create flow: the disk, a free name, and `onPut` for the PUT. */
function createHandler(onPut, extra = []) {
  arm.handle([
    ...extra,
    ["GET", "/disks/", (req, res) => H.json(res, H.disk())],
    [
      "GET",
      "/snapshots/",
      (req, res) =>
        H.armError(res, 404, "ResourceNotFound", "The Resource 'Microsoft.Compute/snapshots/x' was not found."),
    ],
    ["PUT", "/snapshots/", onPut],
  ]);
}
const puts = () => arm.requests.filter((r) => r.method === "PUT");

describe("3. create never overwrites", () => {
  test("3. createIncrementalSnapshot sends If-None-Match: * on the PUT", { timeout: 15_000 }, async () => {
    createHandler((req, res, rec) => H.json(res, H.snapshot(rec.path.split("/").pop()), 201));
    const snap = await client().createIncrementalSnapshot(H.disk(), { name: "inm-1" });
    assert.equal(snap.name, "inm-1");
    assert.equal(puts().length, 1);
    assert.equal(puts()[0].headers["if-none-match"], "*");
    await noStray();
  });

  test("3. a PUT answered 412 Precondition Failed → CONFLICT, not retried", { timeout: 15_000 }, async () => {
    createHandler((req, res) => H.armError(res, 412, "PreconditionFailed", "The resource already exists."));
    const e = await rejectsCode(
      () => client({ maxRetries: 2 }).createIncrementalSnapshot(H.disk(), { name: "inm-412" }),
      "CONFLICT",
    );
    assert.equal(e.status, 412);
    assert.equal(puts().length, 1);
    await noStray();
  });

  test("3. a PUT answered 200 (the name existed and was updated) → CONFLICT", { timeout: 15_000 }, async () => {
    createHandler((req, res, rec) => H.json(res, H.snapshot(rec.path.split("/").pop()), 200));
    await rejectsCode(() => client().createIncrementalSnapshot(H.disk(), { name: "inm-200" }), "CONFLICT");
    assert.equal(puts().length, 1);
    await noStray();
  });

  test("3. a name the GET finds → CONFLICT and no PUT", { timeout: 15_000 }, async () => {
    arm.handle([
      ["GET", "/snapshots/", (req, res, rec) => H.json(res, H.snapshot(rec.path.split("/").pop()))],
      ["PUT", "/snapshots/", (req, res, rec) => H.json(res, H.snapshot(rec.path.split("/").pop()), 201)],
    ]);
    await rejectsCode(() => client().createIncrementalSnapshot(H.disk(), { name: "exists" }), "CONFLICT");
    assert.equal(puts().length, 0);
    await noStray();
  });

  test(
    "3. the emulator: two concurrent creates of one name, exactly one succeeds, the other is CONFLICT",
    { timeout: 30_000 },
    async () => {
      const { startEmulator } = await import("../../emulator/index.mjs");
      const emu = await startEmulator({ port: 0, seed: "demo", retryAfterSeconds: 0, lroPolls: 1, copyPolls: 1 });
      try {
        const c = new lib.ArmClient({
          token: TOKEN,
          endpoint: emu.url,
          retryDelayMs: 1,
          pollIntervalMs: 5,
          completionPollMs: 5,
        });
        const [sub] = await c.listSubscriptions();
        const disks = await c.listDisks(`/subscriptions/${sub.subscriptionId}`);
        const d = disks.find((x) => x.sku?.name === "Premium_LRS" || x.sku?.name === "StandardSSD_LRS");
        const results = await Promise.allSettled([
          c.createIncrementalSnapshot(d, { name: "race-1", tags: { by: "a" } }),
          c.createIncrementalSnapshot(d, { name: "race-1", tags: { by: "b" } }),
        ]);
        const ok = results.filter((r) => r.status === "fulfilled");
        const bad = results.filter((r) => r.status === "rejected");
        assert.equal(
          ok.length,
          1,
          `exactly one succeeds: ${results.map((r) => r.status + " " + (r.reason ? describeError(r.reason) : r.value?.tags?.by)).join("; ")}`,
        );
        assert.equal(bad[0].reason.code, "CONFLICT");
        const kept = await c.getSnapshot(ok[0].value.id);
        assert.deepEqual(kept.tags, ok[0].value.tags, "the winner's tags were not overwritten");
      } finally {
        await emu.close();
      }
      await noStray();
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("4. redirects are never followed", () => {
  const STATUSES = [301, 302, 303, 307, 308];
  const to = (rec) => `${foreign.url}${rec.url}`;
  const cases = {
    "GET (getDisk)": {
      routes: (status) => [["GET", "/disks/", (req, res, rec) => H.redirect(res, status, to(rec))]],
      call: (c) => c.getDisk(DISK_ID),
      method: "GET",
    },
    "GET of a list (listSnapshots)": {
      routes: (status) => [["GET", "/snapshots", (req, res, rec) => H.redirect(res, status, to(rec), { value: [] })]],
      call: (c) => c.listSnapshots(SCOPE),
      method: "GET",
    },
    "PUT (createIncrementalSnapshot)": {
      routes: (status) => [
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "not found")],
        ["PUT", "/snapshots/", (req, res, rec) => H.redirect(res, status, to(rec), H.snapshot("redirected"))],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "redirected" }),
      method: "PUT",
    },
    "POST (grantAccess)": {
      routes: (status) => [
        [
          "POST",
          "/beginGetAccess",
          (req, res, rec) => H.redirect(res, status, to(rec), { accessSAS: "https://evil.example/sas" }),
        ],
      ],
      call: (c) => c.grantAccess(SNAP_ID, { durationInSeconds: 60 }),
      method: "POST",
    },
    "POST (revokeAccess)": {
      routes: (status) => [["POST", "/endGetAccess", (req, res, rec) => H.redirect(res, status, to(rec), "")]],
      call: (c) => c.revokeAccess(SNAP_ID),
      method: "POST",
    },
    "DELETE (deleteSnapshot)": {
      routes: (status) => [["DELETE", "/snapshots/", (req, res, rec) => H.redirect(res, status, to(rec), "")]],
      call: (c) => c.deleteSnapshot(SNAP_ID),
      method: "DELETE",
    },
    "GET of an LRO poll (createIncrementalSnapshot)": {
      routes: (status) => [
        ["GET", "/operations/", (req, res, rec) => H.redirect(res, status, to(rec), { status: "Succeeded" })],
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "not found")],
        [
          "PUT",
          "/snapshots/",
          (req, res) => H.startLro(res, arm, "/operations/op1?api-version=2025-01-02", { status: 201 }),
        ],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "redirected-poll" }),
      method: "GET",
      path: "/operations/",
    },
  };
  for (const [name, k] of Object.entries(cases)) {
    test(
      `4. a 3xx answer to a ${name} → INVALID_RESPONSE, not followed, not retried`,
      { timeout: 30_000 },
      async () => {
        const failures = [];
        for (const status of STATUSES) {
          pair.reset();
          arm.handle(k.routes(status));
          try {
            await rejectsCode(
              () => k.call(client({ maxRetries: 2 })),
              "INVALID_RESPONSE",
              `${name} answered ${status}`,
            );
            const hits = arm.requests.filter((r) => r.method === k.method && (!k.path || r.path.includes(k.path)));
            assert.equal(hits.length, 1, `${name} answered ${status}: sent ${hits.length} times`);
            assert.equal(
              foreign.requests.length,
              0,
              `${name} answered ${status}: the foreign server got ${foreign.requests.map((r) => r.method + " " + r.url).join(", ")}`,
            );
          } catch (e) {
            failures.push(e.message.split("\n")[0]);
          }
        }
        assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
        await noStray();
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------

describe("5. AbortSignal look-alikes and misbehaving fetch functions", () => {
  const lookAlikes = {
    "a plain object with aborted and addEventListener": () => ({
      aborted: false,
      reason: undefined,
      addEventListener() {},
      removeEventListener() {},
      throwIfAborted() {},
    }),
    "an aborted plain object": () => ({ aborted: true, addEventListener() {}, removeEventListener() {} }),
    "Object.create(AbortSignal.prototype)": () => Object.create(AbortSignal.prototype),
    "an EventTarget": () => new EventTarget(),
    "a Proxy of a real AbortSignal": () => new Proxy(new AbortController().signal, {}),
  };
  /** Kinds where working like the real signal it wraps is as good as refusing it. */
  const workingIsFine = new Set(["a Proxy of a real AbortSignal"]);
  for (const [kind, make] of Object.entries(lookAlikes)) {
    test(
      `5. a signal that is ${kind} → INVALID_ARGUMENT (options.signal), nothing sent, the client works after`,
      { timeout: 20_000 },
      async () => {
        arm.handler = H.healthyArm(arm);
        const c = client();
        const failures = [];
        for (const [m, call] of Object.entries({
          getDisk: (sig) => c.getDisk(DISK_ID, { signal: sig }),
          listSnapshots: (sig) => c.listSnapshots(SCOPE, { signal: sig }),
          createIncrementalSnapshot: (sig) => c.createIncrementalSnapshot(H.disk(), { name: "sig", signal: sig }),
          deleteSnapshot: (sig) => c.deleteSnapshot(SNAP_ID, { signal: sig }),
        })) {
          try {
            if (workingIsFine.has(kind)) {
              const out = await settle(call(make()), 2000);
              assert.notEqual(out.state, "pending", `${m} with ${kind}: settles`);
              if (out.state === "fulfilled") continue;
            }
            const e = await rejectsCode(() => call(make()), "INVALID_ARGUMENT", `${m} with ${kind}`, 2000);
            assert.equal(e.field, "options.signal", `${m} with ${kind}: field`);
          } catch (e) {
            failures.push(e.message.split("\n")[0]);
          }
        }
        assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
        if (!workingIsFine.has(kind)) assert.equal(arm.requests.length, 0, "nothing sent");
        const d = await settle(c.getDisk(DISK_ID), 3000);
        assert.equal(d.state, "fulfilled", `a normal call after: ${d.error ? describeError(d.error) : d.state}`);
        await noStray();
      },
    );
  }

  test(
    "5. a real AbortSignal: already aborted → ABORTED and nothing sent; a live one → works",
    { timeout: 10_000 },
    async () => {
      arm.handler = H.healthyArm(arm);
      const c = client();
      await rejectsCode(() => c.getDisk(DISK_ID, { signal: AbortSignal.abort() }), "ABORTED");
      assert.equal(arm.requests.length, 0);
      const d = await c.getDisk(DISK_ID, { signal: new AbortController().signal });
      assert.equal(d.name, "disk1");
      await noStray();
    },
  );

  test(
    "5. an onProgress that throws (or is a revoked Proxy of a function) never escapes: the create settles typed or succeeds",
    { timeout: 15_000 },
    async () => {
      for (const [kind, cb] of Object.entries({
        throws: () => {
          throw new Error("my progress bar broke");
        },
        "is a revoked Proxy": revokedProxy(function () {}),
      })) {
        pair.reset();
        arm.handler = H.healthyArm(arm);
        const out = await settle(
          client().createIncrementalSnapshot(H.disk(), { name: `progress-${kind.length}`, onProgress: cb }),
          5000,
        );
        assert.notEqual(out.state, "pending", `onProgress that ${kind}: settles`);
        if (out.state === "rejected") checkError(out.error, ["INVALID_ARGUMENT"], `onProgress that ${kind}`);
        await noStray();
      }
    },
  );

  const boom = new Error("the caller's fetch broke");
  const realResponse = () =>
    new Response(JSON.stringify(H.disk()), { status: 200, headers: { "content-type": "application/json" } });
  class ThrowingStatus extends Response {
    get status() {
      throw boom;
    }
  }
  class ThrowingHeaders extends Response {
    get headers() {
      throw boom;
    }
  }
  class ThrowingBody extends Response {
    arrayBuffer() {
      throw boom;
    }
    text() {
      throw boom;
    }
    get body() {
      throw boom;
    }
  }
  const erroringStream = () =>
    new Response(
      new ReadableStream({
        pull(c) {
          c.enqueue(new TextEncoder().encode('{"id":'));
          c.error(boom);
        },
      }),
      { status: 200 },
    );

  const behaviours = {
    "throws synchronously": {
      fetch: () => {
        throw boom;
      },
      codes: ["NETWORK"],
      cause: true,
    },
    rejects: {
      fetch: async () => {
        throw boom;
      },
      codes: ["NETWORK"],
      cause: true,
    },
    "rejects with a non-Error": { fetch: () => Promise.reject("a string"), codes: ["NETWORK"] },
    "returns undefined": { fetch: () => undefined, codes: ["INVALID_RESPONSE"] },
    "returns a plain object": {
      fetch: () => ({ status: 200, headers: new Headers(), ok: true, text: async () => "{}" }),
      codes: ["INVALID_RESPONSE"],
    },
    "resolves to a number": { fetch: async () => 42, codes: ["INVALID_RESPONSE"] },
    "returns a thenable whose then throws": {
      fetch: () => ({
        then() {
          throw boom;
        },
      }),
      codes: ["NETWORK", "INVALID_RESPONSE"],
    },
    "returns a thenable resolving to a Response": {
      fetch: () => ({
        then(ok) {
          ok(realResponse());
        },
      }),
      codes: null,
    },
    "returns a transparent Proxy around a Response": {
      fetch: () => new Proxy(realResponse(), {}),
      codes: ["INVALID_RESPONSE"],
      fulfilledOk: true,
    },
    // The caller's fetch is called as a promise callback (so nothing it does can throw at wasm):
    // resolving with an object reads its `then`, which these make throw, so the fetch's promise
    // rejects (NETWORK, the thrown error as cause); a runtime that got past that would find no
    // genuine Response (INVALID_RESPONSE).
    "returns a Proxy around a Response whose get trap throws": {
      fetch: () =>
        new Proxy(realResponse(), {
          get() {
            throw boom;
          },
        }),
      codes: ["INVALID_RESPONSE", "NETWORK"],
    },
    "returns Object.create(Response.prototype)": {
      fetch: () => Object.create(Response.prototype),
      codes: ["INVALID_RESPONSE"],
    },
    // Subclasses of Response that override a getter: a client that reads the real internals (and so
    // gets the disk) is as good as one that reports INVALID_RESPONSE.
    // Node's Response constructor reads `this.status`, so constructing this one throws inside the
    // fetch function itself: the fetch threw (NETWORK, its error as cause), or, in runtimes that
    // construct it, the real status is read through Response.prototype (fulfilled).
    "returns a Response whose status getter throws": {
      fetch: () => new ThrowingStatus(JSON.stringify(H.disk()), { status: 200 }),
      codes: ["INVALID_RESPONSE", "NETWORK"],
      fulfilledOk: true,
    },
    "returns a Response whose headers getter throws": {
      fetch: () => new ThrowingHeaders(JSON.stringify(H.disk()), { status: 200 }),
      codes: ["INVALID_RESPONSE"],
      fulfilledOk: true,
    },
    "returns a Response whose body methods throw": {
      fetch: () => new ThrowingBody(JSON.stringify(H.disk()), { status: 200 }),
      codes: ["INVALID_RESPONSE", "NETWORK"],
      fulfilledOk: true,
    },
    "returns a Response whose body stream errors": { fetch: erroringStream, codes: ["NETWORK", "INVALID_RESPONSE"] },
    "returns a revoked Proxy": { fetch: () => revokedProxy(realResponse()), codes: ["INVALID_RESPONSE", "NETWORK"] },
  };

  for (const [kind, b] of Object.entries(behaviours)) {
    test(
      `5. a custom fetch that ${kind} → ${b.codes ? b.codes.join(" or ") : "works"}, settles, and the client works after`,
      { timeout: 20_000 },
      async () => {
        arm.handler = H.healthyArm(arm);
        let mode = "hostile";
        const calls = [];
        const fetch = (req, init) => {
          calls.push(mode);
          return mode === "hostile" ? b.fetch(req, init) : globalThis.fetch(req, init);
        };
        const c = client({ fetch, maxRetries: 1 });
        if (b.fulfilledOk) {
          const out = await settle(c.getDisk(DISK_ID));
          assert.notEqual(out.state, "pending", "settles");
          if (out.state === "rejected") checkError(out.error, b.codes, `fetch that ${kind}`);
          else assert.equal(out.value?.name, "disk1", `fetch that ${kind}: fulfilled, so with the real disk`);
        } else if (b.codes) {
          const e = await rejectsCode(() => c.getDisk(DISK_ID), b.codes, `fetch that ${kind}`);
          if (b.cause) assert.equal(e.cause, boom, "cause is the caller's own error");
          assert.ok(!String(e.message).includes("internal"), e.message);
        } else {
          const out = await settle(c.getDisk(DISK_ID));
          assert.equal(out.state, "fulfilled", out.error ? describeError(out.error) : out.state);
        }
        mode = "pass";
        const d = await settle(c.getDisk(DISK_ID));
        assert.equal(d.state, "fulfilled", `a normal call right after: ${d.error ? describeError(d.error) : d.state}`);
        assert.equal(d.value.name, "disk1");
        await noStray();
      },
    );
  }

  test(
    "5. a custom fetch that never settles → TIMEOUT within requestTimeoutMs, and another call is not held up",
    { timeout: 20_000 },
    async () => {
      arm.handler = H.healthyArm(arm);
      let n = 0;
      const fetch = (req) => (n++ === 0 ? new Promise(() => {}) : globalThis.fetch(req));
      const c = client({ fetch, maxRetries: 0, requestTimeoutMs: 300 });
      const started = Date.now();
      const stuck = c.getDisk(DISK_ID);
      stuck.catch(() => {});
      for (let i = 0; i < 100 && n === 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(n, 1, "the first call reached the fetch");
      const other = await settle(c.getDisk(DISK_ID), 3000);
      assert.equal(
        other.state,
        "fulfilled",
        `a concurrent call on the same client is not held up: ${other.error ? describeError(other.error) : other.state}`,
      );
      const e = await rejectsCode(() => stuck, "TIMEOUT", "never-settling fetch", 5000);
      assert.ok(Date.now() - started < 3000, `TIMEOUT after ${Date.now() - started} ms`);
      assert.ok(e);
      await noStray();
    },
  );

  test(
    "5. a revoked Proxy or a throwing Proxy as the fetch option → INVALID_ARGUMENT or a typed rejection, never a crash",
    { timeout: 15_000 },
    async () => {
      arm.handler = H.healthyArm(arm);
      for (const [kind, f] of Object.entries({
        revoked: revokedProxy(function () {}),
        throwing: throwingProxy(function () {}),
      })) {
        let c;
        try {
          c = client({ fetch: f });
        } catch (e) {
          checkError(e, "INVALID_ARGUMENT", `fetch: ${kind} Proxy`);
          continue;
        }
        await rejectsCode(
          () => c.getDisk(DISK_ID),
          ["NETWORK", "INVALID_ARGUMENT", "INVALID_RESPONSE"],
          `fetch: ${kind} Proxy`,
        );
      }
      await noStray();
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("6. the token never reaches error output", () => {
  const random = (n) => {
    const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let s = "";
    for (let i = 0; i < n; i++) s += abc[(i * 7919 + ((i * i) % 61)) % abc.length];
    return s;
  };
  const TOKENS = {
    "a plain token": "plain-secret-token-6e1f2a",
    "a token with + / = ~ . - _ ! * ' ( )": "abc+/=~.-_!*'()xyz",
    "a JWT-shaped token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJl",
    "a 2 KB token": `k${random(2047)}`,
    'a token with " and \\': 'quo"te\\back-slash-tok',
  };

  /** Every string a caller could see of an error. */
  function surfaces(e) {
    const out = {
      message: e?.message,
      string: String(e),
      stack: e?.stack,
      json: JSON.stringify(e),
      inspect: inspect(e, { depth: 10 }),
    };
    for (const k of ["armCode", "target", "requestId", "field", "code"]) out[k] = e?.[k];
    out.details = JSON.stringify(e?.details);
    out.violations = JSON.stringify(e?.violations);
    out.cause = e?.cause === undefined ? undefined : inspect(e.cause, { depth: 10 });
    for (const k of Object.getOwnPropertyNames(e ?? {}))
      if (!(k in out)) out[`own:${k}`] = inspect(e[k], { depth: 10 });
    return out;
  }

  /** The places `token` shows in `text`: any of its forms, or, for long tokens, a 32-character piece. */
  function leaks(token, text) {
    if (typeof text !== "string") return [];
    const found = H.tokenForms(token).filter((f) => text.includes(f));
    if (token.length >= 48) {
      for (let i = 0; i + 32 <= token.length; i += 16) {
        const piece = token.slice(i, i + 32);
        if (text.includes(piece) || text.includes(encodeURIComponent(piece))) {
          found.push(`a piece at ${i}`);
          break;
        }
      }
    }
    return found;
  }

  async function withConsole(fn) {
    const names = ["log", "error", "warn", "info", "debug", "trace"];
    const saved = Object.fromEntries(names.map((n) => [n, console[n]]));
    const lines = [];
    for (const n of names)
      console[n] = (...args) =>
        lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
    try {
      return { value: await fn(), lines };
    } finally {
      Object.assign(console, saved);
    }
  }

  const scenarios = {
    "getDisk answered 400": {
      routes: () => [["GET", "/disks/", (req, res) => H.echoAuth(res, req, 400)]],
      call: (c) => c.getDisk(DISK_ID),
    },
    "getDisk answered 401": {
      routes: () => [["GET", "/disks/", (req, res) => H.echoAuth(res, req, 401)]],
      call: (c) => c.getDisk(DISK_ID),
    },
    "getDisk answered 403": {
      routes: () => [["GET", "/disks/", (req, res) => H.echoAuth(res, req, 403)]],
      call: (c) => c.getDisk(DISK_ID),
    },
    "getSnapshot answered 404": {
      routes: () => [["GET", "/snapshots/", (req, res) => H.echoAuth(res, req, 404)]],
      call: (c) => c.getSnapshot(SNAP_ID),
    },
    "listSnapshots answered 429": {
      routes: () => [["GET", "/snapshots", (req, res) => H.echoAuth(res, req, 429)]],
      call: (c) => c.listSnapshots(SCOPE),
    },
    "deleteSnapshot answered 500": {
      routes: () => [["DELETE", "/snapshots/", (req, res) => H.echoAuth(res, req, 500)]],
      call: (c) => c.deleteSnapshot(SNAP_ID),
    },
    "the create PUT answered 409": {
      routes: () => [
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "nf")],
        ["PUT", "/snapshots/", (req, res) => H.echoAuth(res, req, 409)],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "leak" }),
    },
    "grantAccess answered 400": {
      routes: () => [["POST", "/beginGetAccess", (req, res) => H.echoAuth(res, req, 400)]],
      call: (c) => c.grantAccess(SNAP_ID, { durationInSeconds: 60 }),
    },
    "an LRO that fails echoing the token": {
      routes: () => [
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "nf")],
        [
          "PUT",
          "/snapshots/",
          (req, res) => H.startLro(res, arm, "/operations/leak?api-version=2025-01-02", { status: 201 }),
        ],
        [
          "GET",
          "/operations/",
          (req, res) => {
            const auth = String(req.headers.authorization);
            const tok = auth.replace(/^Bearer /, "");
            H.json(
              res,
              {
                status: "Failed",
                error: {
                  code: `Failed${tok}`,
                  message: `op failed for ${auth} ${encodeURIComponent(tok)}`,
                  target: tok,
                  details: [{ code: tok, message: auth, target: encodeURIComponent(auth) }],
                },
              },
              200,
              { "x-ms-request-id": tok, "x-ms-error-code": tok },
            );
          },
        ],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "leak-lro" }),
    },
    "a body that is not JSON and echoes the token": {
      routes: () => [
        [
          "GET",
          "/disks/",
          (req, res) =>
            H.reply(res, 502, `<html>bad gateway for ${req.headers.authorization}</html>`, {
              "content-type": "text/html",
              "x-ms-request-id": String(req.headers.authorization).slice(7),
            }),
        ],
      ],
      call: (c) => c.getDisk(DISK_ID),
    },
  };

  for (const [tname, token] of Object.entries(TOKENS)) {
    test(
      `6. ${tname}: echoed in every error field and header, it appears in no error surface and no console output`,
      { timeout: 30_000 },
      async () => {
        const failures = [];
        for (const [sname, s] of Object.entries(scenarios)) {
          pair.reset();
          arm.handle(s.routes());
          const c = client({ token, maxRetries: 0 });
          const { value: out, lines } = await withConsole(() => settle(s.call(c), 5000));
          if (out.state !== "rejected") {
            failures.push(`${sname}: ${out.state}`);
            continue;
          }
          if (!(out.error instanceof Error) || !CODES.has(out.error.code))
            failures.push(`${sname}: ${describeError(out.error)}`);
          const sent = arm.requests.at(-1)?.headers.authorization;
          if (sent !== `Bearer ${token}`)
            failures.push(`${sname}: the server did not get the token (${String(sent).slice(0, 40)})`);
          for (const [where, text] of Object.entries(surfaces(out.error))) {
            const l = leaks(token, text);
            if (l.length) failures.push(`${sname}: in ${where} (${l.join(", ")})`);
          }
          for (const line of lines) {
            const l = leaks(token, line);
            if (l.length) failures.push(`${sname}: in console output (${l.join(", ")})`);
          }
        }
        assert.deepEqual(failures, [], `${failures.length} leaks or bad outcomes`);
        await noStray();
      },
    );
  }

  test(
    "6. the ARM details survive scrubbing: code, status, request id of a reply that does not echo the token",
    { timeout: 10_000 },
    async () => {
      arm.handle([
        [
          "GET",
          "/disks/",
          (req, res) =>
            H.armError(
              res,
              400,
              "InvalidParameter",
              "Parameter 'x' is bad.",
              { target: "x", details: [{ code: "D1", message: "detail one", target: "y" }] },
              { "x-ms-request-id": "req-42" },
            ),
        ],
      ]);
      const e = await rejectsCode(() => client({ maxRetries: 0 }).getDisk(DISK_ID), "ARM_ERROR");
      assert.equal(e.status, 400);
      assert.equal(e.armCode, "InvalidParameter");
      assert.equal(e.requestId, "req-42");
      assert.equal(e.target, "x");
      assert.match(e.message, /Parameter 'x' is bad/);
      assert.equal(e.details?.[0]?.message, "detail one");
      await noStray();
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("9. bounds on waits, operations and requests", () => {
  test(
    "9. an LRO poll answered Retry-After: <HTTP date in the past> → polls at least pollIntervalMs apart",
    { timeout: 20_000 },
    async () => {
      const POLL = 100;
      const WINDOW = 800;
      let start = 0;
      arm.handle([
        [
          "GET",
          "/snapshots/",
          (req, res, rec) =>
            puts().length
              ? H.json(res, H.snapshot(rec.path.split("/").pop()))
              : H.armError(res, 404, "ResourceNotFound", "nf"),
        ],
        [
          "PUT",
          "/snapshots/",
          (req, res) => {
            start = Date.now();
            H.startLro(res, arm, "/operations/past?api-version=2025-01-02", {
              status: 201,
              retryAfter: H.httpDate(-60_000),
            });
          },
        ],
        [
          "GET",
          "/operations/",
          (req, res) => {
            if (Date.now() - start < WINDOW) return H.lroInProgress(res, H.httpDate(-60_000));
            H.json(res, { status: "Succeeded" });
          },
        ],
      ]);
      const snap = await rejectsOrValue(
        client({ pollIntervalMs: POLL, maxRetries: 0 }).createIncrementalSnapshot(H.disk(), { name: "past-date" }),
        15_000,
      );
      const polls = arm.requests.filter((r) => r.path.includes("/operations/"));
      assert.equal(snap.state, "fulfilled", snap.error ? describeError(snap.error) : snap.state);
      assert.ok(
        polls.length <= Math.ceil(WINDOW / POLL) + 3,
        `${polls.length} polls in ${WINDOW} ms at pollIntervalMs ${POLL}`,
      );
      const gaps = polls.slice(1).map((p, i) => p.time - polls[i].time);
      assert.ok(
        gaps.every((g) => g >= POLL * 0.9),
        `gaps between polls: ${gaps.slice(0, 20).join(", ")} ms`,
      );
      await noStray();
    },
  );

  test(
    "9. operationTimeoutMs: an LRO that never completes → TIMEOUT after about that long",
    { timeout: 20_000 },
    async () => {
      arm.handle([
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "nf")],
        [
          "PUT",
          "/snapshots/",
          (req, res) => H.startLro(res, arm, "/operations/forever?api-version=2025-01-02", { status: 201 }),
        ],
        ["GET", "/operations/", (req, res) => H.lroInProgress(res, "0")],
      ]);
      const started = Date.now();
      await rejectsCode(
        () =>
          client({ pollIntervalMs: 20, operationTimeoutMs: 300 }).createIncrementalSnapshot(H.disk(), {
            name: "forever",
          }),
        "TIMEOUT",
        "LRO forever",
        10_000,
      );
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 3000, `TIMEOUT after ${took} ms (operationTimeoutMs 300)`);
      await noStray();
    },
  );

  test("9. operationTimeoutMs also bounds the wait for completionPercent", { timeout: 20_000 }, async () => {
    const v2 = H.disk({ sku: { name: "PremiumV2_LRS", tier: "Premium" } });
    arm.handle([
      ["GET", "/disks/", (req, res) => H.json(res, v2)],
      [
        "GET",
        "/snapshots/",
        (req, res, rec) => {
          if (!puts().length) return H.armError(res, 404, "ResourceNotFound", "nf");
          const s = H.snapshot(rec.path.split("/").pop());
          s.properties.completionPercent = 42;
          H.json(res, s);
        },
      ],
      [
        "PUT",
        "/snapshots/",
        (req, res, rec) => {
          const s = H.snapshot(rec.path.split("/").pop());
          s.properties.completionPercent = 0;
          H.json(res, s, 201);
        },
      ],
    ]);
    const started = Date.now();
    await rejectsCode(
      () =>
        client({ completionPollMs: 20, operationTimeoutMs: 300 }).createIncrementalSnapshot(v2, {
          name: "copying-forever",
        }),
      "TIMEOUT",
      "completion forever",
      10_000,
    );
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 3000, `TIMEOUT after ${took} ms (operationTimeoutMs 300)`);
    await noStray();
  });

  for (const [kind, handler] of Object.entries({
    "accepts the connection and never answers": H.hang,
    "answers the headers then stalls the body": (req, res) => H.stallBody(res),
  })) {
    test(
      `9. requestTimeoutMs: a server that ${kind} → TIMEOUT within requestTimeoutMs × (maxRetries + 1) plus slack`,
      { timeout: 20_000 },
      async () => {
        arm.handler = handler;
        const T = 300;
        const RETRIES = 1;
        const started = Date.now();
        await rejectsCode(
          () => client({ requestTimeoutMs: T, maxRetries: RETRIES, retryDelayMs: 10 }).getDisk(DISK_ID),
          "TIMEOUT",
          kind,
          10_000,
        );
        const took = Date.now() - started;
        assert.ok(took < T * (RETRIES + 1) + 1500, `TIMEOUT after ${took} ms`);
        assert.ok(arm.requests.length <= RETRIES + 1, `${arm.requests.length} requests`);
        await noStray();
      },
    );
  }
});

/** Like settle(), named for readability where a value is expected. */
const rejectsOrValue = (p, ms) => settle(p, ms);

// ---------------------------------------------------------------------------------------------

describe("10. token functions that fail, URLs on other origins", () => {
  for (const [kind, make] of Object.entries({
    throws: (err) => () => {
      throw err;
    },
    rejects: (err) => async () => {
      throw err;
    },
    "returns a rejected promise later": (err) => () => new Promise((_, reject) => setTimeout(() => reject(err), 5)),
  })) {
    test(
      `10. a token function that ${kind} → UNAUTHORIZED (field token, cause the caller's error), called once, nothing sent`,
      { timeout: 15_000 },
      async () => {
        arm.handler = H.healthyArm(arm);
        const mine = new Error("my token cache is empty");
        let calls = 0;
        const fn = make(mine);
        const c = client({
          token: (...a) => {
            calls++;
            return fn(...a);
          },
          maxRetries: 3,
        });
        const e = await rejectsCode(() => c.getDisk(DISK_ID), "UNAUTHORIZED", `token function that ${kind}`);
        assert.equal(e.field, "token");
        assert.equal(e.cause, mine, "cause is the caller's own error object");
        assert.equal(calls, 1, "called once, not retried");
        assert.equal(arm.requests.length, 0, "nothing sent");
        await noStray();
      },
    );
  }

  test(
    "10. a token function returning a non-string → INVALID_ARGUMENT, nothing sent",
    { timeout: 10_000 },
    async () => {
      for (const v of [undefined, 42, {}, null]) {
        await rejectsCode(
          () => client({ token: () => v }).getDisk(DISK_ID),
          ["INVALID_ARGUMENT", "UNAUTHORIZED"],
          `token function returning ${inspect(v)}`,
        );
      }
      assert.equal(arm.requests.length, 0);
      await noStray();
    },
  );

  const PAGE = "/providers/Microsoft.Compute/snapshots";
  const nextLinks = {
    "the foreign origin": () => `${foreign.url}${SCOPE}${PAGE}?api-version=2025-01-02&page=2`,
    "localhost instead of 127.0.0.1": () => `http://localhost:${arm.port}${SCOPE}${PAGE}?api-version=2025-01-02&page=2`,
    "userinfo that names the ARM host": () =>
      `http://127.0.0.1:${arm.port}@127.0.0.1:${foreign.port}${SCOPE}${PAGE}?page=2`,
    "a protocol-relative URL": () => `//127.0.0.1:${foreign.port}${SCOPE}${PAGE}?page=2`,
    "https on the ARM host": () => `https://127.0.0.1:${arm.port}${SCOPE}${PAGE}?page=2`,
  };
  test(
    "10. a nextLink on another origin → UNTRUSTED_URL, not retried, the foreign server gets nothing",
    { timeout: 20_000 },
    async () => {
      const failures = [];
      for (const [kind, link] of Object.entries(nextLinks)) {
        pair.reset();
        arm.handle([
          [
            "GET",
            PAGE,
            (req, res, rec) =>
              H.json(res, rec.url.includes("page=2") ? { value: [] } : { value: [H.snapshot()], nextLink: link() }),
          ],
        ]);
        try {
          await rejectsCode(
            () => client({ maxRetries: 2 }).listSnapshots(SCOPE),
            "UNTRUSTED_URL",
            `nextLink on ${kind}`,
          );
          assert.equal(
            arm.requests.length,
            1,
            `nextLink on ${kind}: the ARM server saw ${arm.requests.length} requests`,
          );
          assert.equal(foreign.requests.length, 0, `nextLink on ${kind}: the foreign server was called`);
        } catch (e) {
          failures.push(e.message.split("\n")[0]);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} bad outcomes`);
      await noStray();
    },
  );

  const lroCases = {
    "Azure-AsyncOperation of a create PUT": {
      routes: () => [
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "nf")],
        [
          "PUT",
          "/snapshots/",
          (req, res) =>
            H.json(res, H.snapshot("foreign-lro"), 201, {
              "azure-asyncoperation": `${foreign.url}/operations/x`,
              "retry-after": "0",
            }),
        ],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "foreign-lro" }),
      method: "PUT",
    },
    "Location of a create PUT": {
      routes: () => [
        ["GET", "/snapshots/", (req, res) => H.armError(res, 404, "ResourceNotFound", "nf")],
        [
          "PUT",
          "/snapshots/",
          (req, res) => H.reply(res, 202, "", { location: `${foreign.url}/operations/x`, "retry-after": "0" }),
        ],
      ],
      call: (c) => c.createIncrementalSnapshot(H.disk(), { name: "foreign-loc" }),
      method: "PUT",
    },
    "Location of a DELETE": {
      routes: () => [
        [
          "DELETE",
          "/snapshots/",
          (req, res) => H.reply(res, 202, "", { location: `${foreign.url}/operations/x`, "retry-after": "0" }),
        ],
      ],
      call: (c) => c.deleteSnapshot(SNAP_ID),
      method: "DELETE",
    },
    "Azure-AsyncOperation of grantAccess": {
      routes: () => [
        [
          "POST",
          "/beginGetAccess",
          (req, res) =>
            H.reply(res, 202, "", {
              "azure-asyncoperation": `${foreign.url}/operations/x`,
              location: `${arm.url}/operations/y`,
              "retry-after": "0",
            }),
        ],
      ],
      call: (c) => c.grantAccess(SNAP_ID, { durationInSeconds: 60 }),
      method: "POST",
    },
  };
  for (const [name, k] of Object.entries(lroCases)) {
    test(
      `10. ${name} on another origin → UNTRUSTED_URL, not retried, the foreign server gets nothing`,
      { timeout: 15_000 },
      async () => {
        arm.handle(k.routes());
        await rejectsCode(() => k.call(client({ maxRetries: 2 })), "UNTRUSTED_URL", name);
        assert.equal(arm.requests.filter((r) => r.method === k.method).length, 1, "sent once");
        assert.equal(foreign.requests.length, 0, "the foreign server was not called");
        await noStray();
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------

describe("11. Retry-After as an HTTP date", () => {
  test(
    "11. a 429 with Retry-After: <HTTP date 5 s ahead> and maxRetryWaitMs 0 → THROTTLED, retryAfterMs 3000-6000",
    { timeout: 15_000 },
    async () => {
      arm.handle([
        [
          "GET",
          "/disks/",
          (req, res) => H.armError(res, 429, "TooManyRequests", "slow down", {}, { "retry-after": H.httpDate(5000) }),
        ],
      ]);
      const e = await rejectsCode(() => client({ maxRetries: 3, maxRetryWaitMs: 0 }).getDisk(DISK_ID), "THROTTLED");
      assert.equal(e.status, 429);
      assert.ok(e.retryAfterMs >= 3000 && e.retryAfterMs <= 6000, `retryAfterMs ${e.retryAfterMs}`);
      assert.equal(arm.requests.length, 1, "not waited out");
      await noStray();
    },
  );

  test(
    "11. a 429 with Retry-After: <HTTP date in the past> is retried soon, not after 10 minutes",
    { timeout: 15_000 },
    async () => {
      let n = 0;
      arm.handle([
        [
          "GET",
          "/disks/",
          (req, res) =>
            n++ === 0
              ? H.armError(res, 429, "TooManyRequests", "slow down", {}, { "retry-after": H.httpDate(-30_000) })
              : H.json(res, H.disk()),
        ],
      ]);
      const started = Date.now();
      const d = await client({ maxRetries: 2, retryDelayMs: 10, maxRetryWaitMs: 5000 }).getDisk(DISK_ID);
      assert.equal(d.name, "disk1");
      assert.ok(Date.now() - started < 5000);
      await noStray();
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("12. ArmClient options are validated at once", () => {
  test("12. a typo (endpont) → INVALID_ARGUMENT with a violation for options.endpont suggesting endpoint", () => {
    const e = throwsCode(
      () => new lib.ArmClient({ token: TOKEN, endpont: "http://127.0.0.1:1" }),
      "INVALID_ARGUMENT",
      "endpont",
    );
    const v = (e.violations ?? []).find((x) => x.field === "options.endpont");
    assert.ok(v, `violations: ${JSON.stringify(e.violations)}`);
    assert.match(v.message, /endpoint/);
  });

  test("12. several wrong types → one violation each, all reported together", () => {
    const e = throwsCode(
      () =>
        new lib.ArmClient({
          token: TOKEN,
          endpoint: arm.url,
          maxRetries: "3",
          pollIntervalMs: -1,
          retryDelayMs: 1.5,
          fetch: 5,
          apiVersion: 42,
          maxRetryWaitMs: "0",
        }),
      "INVALID_ARGUMENT",
      "wrong types",
    );
    const fields = violationFields(e);
    for (const k of ["maxRetries", "pollIntervalMs", "retryDelayMs", "fetch", "apiVersion", "maxRetryWaitMs"]) {
      assert.ok(
        fields.includes(`options.${k}`) || fields.includes(k),
        `a violation for ${k}: ${JSON.stringify(fields)}`,
      );
    }
  });

  test("12. endpoint and cloud together → a violation", () => {
    const e = throwsCode(
      () => new lib.ArmClient({ token: TOKEN, endpoint: arm.url, cloud: "AzureCloud" }),
      "INVALID_ARGUMENT",
      "endpoint + cloud",
    );
    const fields = violationFields(e).concat(e.field ?? []);
    assert.ok(
      fields.some((f) => /endpoint|cloud/.test(f)),
      JSON.stringify(e.violations),
    );
  });

  test("12. unknown keys and wrong types reported together; the new options are accepted", () => {
    const e = throwsCode(
      () => new lib.ArmClient({ token: TOKEN, endpoint: arm.url, retries: 3, maxRetries: null, pollIntervalMS: 5 }),
      "INVALID_ARGUMENT",
      "mixed",
    );
    const fields = violationFields(e);
    assert.ok(fields.includes("options.retries") && fields.includes("options.pollIntervalMS"), JSON.stringify(fields));
    const ok = new lib.ArmClient({
      token: TOKEN,
      endpoint: arm.url,
      maxResponseBytes: 1 << 20,
      operationTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      maxRetries: 0,
      retryDelayMs: 1,
      pollIntervalMs: 1,
      completionPollMs: 1,
      maxRetryWaitMs: 0,
      apiVersion: "2025-01-02",
    });
    assert.ok(ok);
  });
});

// ---------------------------------------------------------------------------------------------
// Last: the body caps, each in its own child process watched for memory (a client without a cap
// may grow by gigabytes, which must not take this suite or the machine down).

describe("8. response body caps", () => {
  const cases = {
    "a content-length over maxResponseBytes": {
      handler: (req, res) => H.hugeByLength(res, 64 << 20),
      options: "{ maxResponseBytes: 1 << 20 }",
    },
    "a content-length over the 16 MiB default": { handler: (req, res) => H.hugeByLength(res, 40 << 20), options: "{}" },
    "an endless body": { handler: (req, res) => H.endless(res), options: "{ maxResponseBytes: 1 << 20 }" },
    "an endless body and the 16 MiB default": { handler: (req, res) => H.endless(res), options: "{}" },
    "a gzip bomb (1.1 MB inflating to 1.125 GiB) and the 16 MiB default": {
      handler: (req, res) => H.sendGzipBomb(res),
      options: "{}",
    },
  };
  for (const [kind, k] of Object.entries(cases)) {
    test(
      `8. ${kind} → INVALID_RESPONSE in bounded time, memory back to normal, the next call works`,
      { timeout: 60_000 },
      async () => {
        let first = true;
        arm.handler = (req, res, rec) => {
          if (first && rec.path.includes("/disks/")) {
            first = false;
            return k.handler(req, res, rec);
          }
          return H.healthyArm(arm)(req, res, rec);
        };
        if (kind.includes("gzip")) H.gzipBomb(); // precomputed once, outside the timed call
        const run = await runChild(
          `
        const base = { token: "cap-token", endpoint: ENDPOINT, maxRetries: 0, retryDelayMs: 1, requestTimeoutMs: 20000 };
        const c = new lib.ArmClient({ ...base, ...${k.options} });
        const before = mb();
        const t0 = Date.now();
        const r = { call: await settle(c.getDisk(DISK_ID), 25000) };
        r.ms = Date.now() - t0;
        r.after = await settle(c.getDisk(DISK_ID), 5000);
        r.rssGrowthMb = mb() - before;
        report(r);
      `,
          { timeoutMs: 45_000, maxRssMb: 1000 },
        );
        const r = childOk(run);
        assert.equal(r.call.state, "rejected", `the capped call: ${JSON.stringify(r.call)}`);
        assert.equal(r.call.error.code, "INVALID_RESPONSE", JSON.stringify(r.call.error));
        assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
        assert.ok(r.rssGrowthMb < 150, `RSS grew by ${Math.round(r.rssGrowthMb)} MB (peak ${run.peakRssMb} MB)`);
        assert.equal(r.after.state, "fulfilled", `the next call: ${JSON.stringify(r.after)}`);
      },
    );
  }

  test("8. a body under maxResponseBytes is read as usual", { timeout: 15_000 }, async () => {
    arm.handler = H.healthyArm(arm);
    const d = await client({ maxResponseBytes: 64 * 1024 }).getDisk(DISK_ID);
    assert.equal(d.name, "disk1");
    await noStray();
  });
});
