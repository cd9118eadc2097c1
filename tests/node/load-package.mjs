// Loads the built package from pkg/ the way Node resolves it for `import`, without installing it.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const pkgDir = join(root, "pkg");

/** Picks the target of an `exports` entry for the given conditions, in Node's order. */
export function resolveExport(entry, conditions) {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) return entry.map((e) => resolveExport(e, conditions)).find(Boolean);
  if (entry && typeof entry === "object") {
    for (const [key, value] of Object.entries(entry)) {
      if (key === "default" || conditions.includes(key)) {
        const hit = resolveExport(value, conditions);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

/**
 * The package's entry `entry` (".", or a smaller entry such as "./client"), as Node's `import`
 * resolves it. A suite that sets `process.env.AIS_TEST_ENTRY` before importing another suite runs
 * that suite against that entry (tests/node/client-entry.test.mjs).
 */
export async function loadPackage(conditions = ["node", "import"], entry = process.env.AIS_TEST_ENTRY ?? ".") {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  if (!manifest.exports?.[entry]) throw new Error(`pkg/package.json has no entry ${entry}; run npm run build`);
  const target = resolveExport(manifest.exports[entry], conditions);
  if (!target) throw new Error(`pkg/package.json has no export for ${conditions.join(", ")}; run npm run build`);
  return import(pathToFileURL(join(pkgDir, target)).href);
}

/**
 * Runs a whole suite again against a smaller entry: checks pkg/ has it, sets AIS_TEST_ENTRY (which
 * `loadPackage` and the suite's child processes read), imports the suite (which registers its
 * tests), then adds a test that the entry really was the smaller one: its ArmClient has
 * `present` and lacks `replicateSnapshots`, and `planRetention` is not exported.
 */
export async function runSuiteAgainstEntry(entry, importSuite, present) {
  const { test } = await import("node:test");
  const assert = (await import("node:assert/strict")).default;
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  assert.ok(manifest.exports[entry], `pkg/ has the ${entry} entry (npm run build)`);
  process.env.AIS_TEST_ENTRY = entry;
  await importSuite();
  test(`the suite ran against the ${entry} entry: no replicateSnapshots, no planRetention`, async () => {
    const lib = await loadPackage();
    assert.equal(typeof lib.ArmClient.prototype[present], "function");
    assert.equal(lib.ArmClient.prototype.replicateSnapshots, undefined);
    assert.equal(lib.planRetention, undefined);
  });
}
