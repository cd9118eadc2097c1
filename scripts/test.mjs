#!/usr/bin/env node
// Runs every test suite in turn, prints one summary line per suite (passed / failed / skipped
// and time), and exits non-zero if any suite fails. `npm test` runs scripts/setup.sh --browser and
// the build first; this script expects both done.
//
//   node scripts/test.mjs                 all suites
//   node scripts/test.mjs wasm-node node  only the named suites
//   node scripts/test.mjs --list          the suite names
//
// Node suites are folders of *.test.{mjs,cjs,js} files (searched recursively). Nothing passes by
// not running: a suite fails when its folder is missing or holds no test files, when it ran no
// test (or a test file declares none), or when any test was skipped (a skip is a failure in CI);
// the summary line says which.
// A Rust `#[ignore]`d test is a skip like any other, so a failure: timing loops live in examples/.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin");
const baseEnv = { ...process.env, PATH: `${cargoBin}:${process.env.PATH}` };

function which(cmd) {
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { env: baseEnv, encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** Files of a node test folder, recursively, skipping node_modules and dot folders. */
function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/[.\-_]test\.(mjs|cjs|js)$/.test(entry.name)) out.push(relative(root, p));
    }
  };
  walk(dir);
  return out;
}

/** cargo / wasm-bindgen-test-runner: sums every "test result:" line; names the ignored tests. */
function cargoCounts(output) {
  const c = {
    passed: 0,
    failed: 0,
    skipped: 0,
    skippedNames: [...output.matchAll(/^test (\S+) \.\.\. ignored/gm)].map((m) => m[1]),
  };
  for (const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    c.passed += Number(m[1]);
    c.failed += Number(m[2]);
    c.skipped += Number(m[3]);
  }
  return c;
}

/**
 * node --test with a TAP file next to the human-readable output: the totals at its end, the
 * skipped tests and suites by name, and the files that declared no test (node reports such a
 * file as one passing test named by its path).
 */
function tapCounts(tapFile, files) {
  const tap = existsSync(tapFile) ? readFileSync(tapFile, "utf8") : "";
  const last = (k) => Number([...tap.matchAll(new RegExp(`^# ${k} (\\d+)$`, "gm"))].at(-1)?.[1] ?? 0);
  const skippedNames = [...tap.matchAll(/^\s*ok \d+ - (.*?) # (?:SKIP|TODO)\b(.*)$/gm)].map(
    (m) => `${m[1]}${m[2].trim() ? ` (${m[2].trim()})` : ""}`,
  );
  const paths = new Set(files.map((f) => resolve(root, f)));
  const emptyFiles = [...tap.matchAll(/^ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((n) => paths.has(resolve(root, n)));
  return {
    passed: last("pass") - emptyFiles.length,
    failed: last("fail") + last("cancelled"),
    skipped: Math.max(last("skipped") + last("todo"), skippedNames.length),
    skippedNames,
    emptyFiles: emptyFiles.map((f) => relative(root, resolve(root, f))),
  };
}

const wasmRunner = { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner" };

/** scripts/lint.sh: one "lint: pass|FAIL <check>" line per check. */
function lintCounts(output) {
  return {
    passed: [...output.matchAll(/^lint: pass /gm)].length,
    failed: [...output.matchAll(/^lint: FAIL /gm)].length,
    skipped: 0,
  };
}

const suites = [
  {
    name: "lint",
    what: "rustfmt and clippy (native and wasm32), warnings are errors; Prettier on the JavaScript",
    cmd: "bash",
    args: ["scripts/lint.sh"],
    counts: lintCounts,
  },
  { name: "cargo", what: "native cargo test", cmd: "cargo", args: ["test"], counts: cargoCounts },
  {
    name: "wasm-node",
    what: "wasm-bindgen tests in Node",
    cmd: "cargo",
    args: ["test", "--target", "wasm32-unknown-unknown", "--test", "web_node"],
    env: { ...wasmRunner, WASM_BINDGEN_USE_BROWSER: undefined },
    counts: cargoCounts,
  },
  {
    name: "wasm-browser",
    what: "wasm-bindgen tests in headless Chromium",
    cmd: "cargo",
    args: ["test", "--target", "wasm32-unknown-unknown", "--test", "web_browser"],
    env: () => {
      const driver = process.env.CHROMEDRIVER || which("chromedriver");
      if (!driver) throw new Error("chromedriver not found: run scripts/setup.sh --browser");
      return { ...wasmRunner, CHROMEDRIVER: driver };
    },
    counts: cargoCounts,
  },
  ...[
    ["node", "tests/node", "the npm package and the ArmClient in Node"],
    ["emulator", "tests/emulator", "the ARM emulator"],
    ["schema", "tests/schema", "emitted ARM templates against the official JSON schemas"],
    ["worker", "tests/worker", "the edge worker in workerd (miniflare) against the emulator", 2],
    ["e2e", "tests/e2e", "the web page end to end in headless Chromium against the emulator", 2],
  ].map(([name, dir, what, concurrency = 1]) => ({ name, what, dir, node: true, concurrency })),
];

const argv = process.argv.slice(2);
if (argv.includes("--list")) {
  for (const s of suites) console.log(`${s.name.padEnd(14)}${s.what}`);
  process.exit(0);
}
const unknown = argv.filter((a) => !suites.some((s) => s.name === a));
if (unknown.length) {
  console.error(`test: unknown suite(s) ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const selected = argv.length ? suites.filter((s) => argv.includes(s.name)) : suites;

function run(cmd, args, env) {
  return new Promise((resolvePromise) => {
    const childEnv = { ...baseEnv, ...env };
    for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k]; // unset
    const child = spawn(cmd, args, { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on("error", (e) => resolvePromise({ code: 127, output: `${output}\n${e.message}` }));
    child.on("close", (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), output }));
  });
}

// The wasm suites exercise the fetch transport against a real emulator on loopback.
let emulator;
if (selected.some((s) => s.name.startsWith("wasm-"))) {
  const { startEmulator } = await import("../emulator/index.mjs");
  // The browser suite's page is served by wasm-bindgen-test-runner from a loopback port not known
  // in advance: its origin may call the control API, and only with this run's secret, which the
  // tests get at compile time (option_env!), next to the URL.
  emulator = await startEmulator({
    port: 0,
    seed: "demo",
    retryAfterSeconds: 0,
    pageSize: 4,
    allowedControlOrigins: ["http://127.0.0.1:*", "http://localhost:*"],
  });
  baseEnv.AIS_EMULATOR_URL = emulator.url;
  baseEnv.AIS_EMULATOR_SECRET = emulator.controlSecret;
  console.log(`test: emulator for the wasm suites at ${emulator.url}`);
}

const results = [];
const started = performance.now();
for (const suite of selected) {
  const t = performance.now();
  console.log(`\n━━━ ${suite.name}: ${suite.what} ━━━`);
  let status;
  let counts = { passed: 0, failed: 0, skipped: 0 };
  let note = "";
  let ran = true; // false when there was nothing to run (the note says why)
  try {
    if (suite.node) {
      const dir = join(root, suite.dir);
      const isDir = existsSync(dir) && statSync(dir).isDirectory();
      const files = isDir ? testFiles(dir) : [];
      if (files.length === 0) {
        ran = false;
        status = "FAIL";
        note = isDir ? `no test files in ${suite.dir}` : `${suite.dir} does not exist`;
        console.error(`test: ${suite.name}: ${note}`);
      } else {
        const tmp = mkdtempSync(join(tmpdir(), "ais-tap-"));
        const tapFile = join(tmp, "report.tap");
        // Files run one at a time, except in the suites that mostly wait (workerd, Chromium,
        // the emulator's clock): two at once there. Every file starts its own servers on port 0
        // and works in its own temp dirs, so files never share state.
        const { code } = await run(process.execPath, [
          "--test",
          `--test-concurrency=${suite.concurrency}`,
          "--test-reporter=spec",
          "--test-reporter-destination=stdout",
          "--test-reporter=tap",
          `--test-reporter-destination=${tapFile}`,
          ...files,
        ]);
        counts = tapCounts(tapFile, files);
        rmSync(tmp, { recursive: true, force: true });
        note = `${files.length} file${files.length === 1 ? "" : "s"}`;
        status = code === 0 && counts.failed === 0 ? "PASS" : "FAIL";
        if (counts.emptyFiles.length) {
          status = "FAIL";
          note += `; no test in ${counts.emptyFiles.join(", ")}`;
          console.error(`test: ${suite.name}: FAIL, no test declared in ${counts.emptyFiles.join(", ")}`);
        }
      }
    } else {
      const env = typeof suite.env === "function" ? suite.env() : suite.env;
      const { code, output } = await run(suite.cmd, suite.args, env);
      counts = suite.counts(output);
      status = code === 0 && counts.failed === 0 ? "PASS" : "FAIL";
      if (code !== 0 && counts.failed === 0) note = `exit code ${code}`;
    }
    // Nothing passes by not running.
    if (ran && counts.passed + counts.failed === 0) {
      status = "FAIL";
      note = [note, "no test ran"].filter(Boolean).join("; ");
      console.error(`test: ${suite.name}: FAIL, no test ran`);
    }
    if (counts.skipped > 0) {
      status = "FAIL";
      note = [note, `${counts.skipped} skipped, and a skip is a failure`].filter(Boolean).join("; ");
      console.error(
        `test: ${suite.name}: FAIL, ${counts.skipped} test${counts.skipped === 1 ? "" : "s"} skipped (a skip is a failure):`,
      );
      for (const n of counts.skippedNames ?? []) console.error(`test:   skipped: ${n}`);
    }
  } catch (e) {
    status = "FAIL";
    note = e.message;
    console.error(`test: ${suite.name}: ${e.message}`);
  }
  results.push({ ...suite, status, counts, note, seconds: (performance.now() - t) / 1000 });
}

const total = results.reduce(
  (a, r) => ({
    passed: a.passed + r.counts.passed,
    failed: a.failed + r.counts.failed,
    skipped: a.skipped + r.counts.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log("\n━━━ summary ━━━");
for (const r of results) {
  console.log(
    `${r.status.padEnd(5)} ${r.name.padEnd(13)} ${String(r.counts.passed).padStart(5)} passed ${String(r.counts.failed).padStart(3)} failed ${String(r.counts.skipped).padStart(3)} skipped ${r.seconds.toFixed(1).padStart(7)} s${r.note ? `  (${r.note})` : ""}`,
  );
}
await emulator?.close();
const failed = results.filter((r) => r.status === "FAIL");
console.log(
  `${failed.length ? "FAIL" : "PASS"}  ${results.length} suites: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failed.length ? 1 : 0);
