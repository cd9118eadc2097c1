// The bundled worker stays within Cloudflare Workers' size limits, loads in workerd, and needs no
// Node.js compatibility: esbuild's bundle (what the tests and `npm run worker` run) and wrangler's
// own `deploy --dry-run` output (what `wrangler deploy` would upload), both measured offline.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bundle, prerequisites, root, WASM_RULES, COMPAT_DATE } from "./helpers.mjs";

const missing = await prerequisites();
const WASM = "azure_incremental_snapshots_bg.wasm";
const { LIMITS, wranglerDryRun } = await import(join(root, "worker", "measure.mjs"));

describe("worker bundle size", { skip: missing ?? false, timeout: 240_000 }, () => {
  let b;
  before(async () => {
    b = await bundle();
  });
  after(() => b?.cleanup());

  test("esbuild bundle: the script and the package's wasm, within the Free plan's 3 MB gzip", () => {
    assert.deepEqual(Object.keys(b.files).sort(), ["index.js", WASM].sort());
    // the sizes are of the files on disk, measured again here
    let raw = 0;
    let gzip = 0;
    for (const name of Object.keys(b.files)) {
      const data = readFileSync(join(b.outdir, name));
      raw += data.length;
      gzip += gzipSync(data, { level: 9 }).length;
      assert.equal(b.files[name].raw, data.length, name);
    }
    assert.equal(b.raw, raw);
    assert.equal(b.gzip, gzip);
    // the wasm is the package's, byte for byte
    assert.deepEqual(readFileSync(join(b.outdir, WASM)), readFileSync(join(root, "pkg", WASM)));
    assert.ok(b.gzip <= LIMITS.freeGzip, `gzip ${b.gzip} B > Free plan limit ${LIMITS.freeGzip} B`);
    assert.ok(b.gzip <= LIMITS.paidGzip);
    assert.ok(b.raw <= 64 * 1024 * 1024, "uncompressed limit 64 MB");
    console.log(
      `# worker bundle (esbuild): ${b.raw} B raw, ${b.gzip} B gzip (${((100 * b.gzip) / LIMITS.freeGzip).toFixed(1)} % of the Free plan limit)`,
    );
  });

  test("the script imports nothing from Node.js, only the wasm module beside it and cloudflare:workers", () => {
    const js = readFileSync(join(b.outdir, "index.js"), "utf8");
    assert.doesNotMatch(js, /\bfrom\s*["']node:/);
    assert.doesNotMatch(js, /\brequire\(\s*["']/);
    const imports = [...js.matchAll(/\bimport\s*(?:[\w${}\s,*]+\s*from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
    // cloudflare:workers: the DurableObject base class of the replication jobs
    assert.deepEqual([...new Set(imports)].sort(), [`./${WASM}`, "cloudflare:workers"].sort());
  });

  test("the bundle starts in workerd without nodejs_compat", async () => {
    const { Miniflare } = await import("miniflare");
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(b.outdir, "index.js"),
      modulesRoot: b.outdir,
      modulesRules: WASM_RULES,
      compatibilityDate: COMPAT_DATE,
      bindings: { ARM_ENDPOINT: "http://127.0.0.1:9", ALLOWED_ORIGINS: "" },
    });
    try {
      const r = await mf.dispatchFetch("http://worker.test/v1/health", { signal: AbortSignal.timeout(20_000) });
      assert.equal(r.status, 200);
      assert.equal((await r.json()).ok, true);
    } finally {
      await mf.dispose();
    }
  });

  test("wrangler deploy --dry-run with worker/wrangler.toml: the upload is within the limits", (t) => {
    const w = wranglerDryRun();
    if (w.error) {
      t.skip(`wrangler could not run here: ${w.error}`);
      return;
    }
    const wasm = Object.keys(w.files).filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `the wasm module is uploaded once: ${JSON.stringify(Object.keys(w.files))}`);
    assert.equal(w.files[wasm[0]].raw, readFileSync(join(root, "pkg", WASM)).length);
    const scripts = Object.keys(w.files).filter((f) => f.endsWith(".js"));
    assert.equal(scripts.length, 1, JSON.stringify(Object.keys(w.files)));
    assert.ok(w.gzip <= LIMITS.freeGzip, `wrangler upload gzip ${w.gzip} B > ${LIMITS.freeGzip} B`);
    if (w.reported) {
      assert.ok(w.reported.gzipKiB * 1024 <= LIMITS.freeGzip);
      // wrangler's own figure agrees with ours within 5 % (it gzips with its own settings)
      assert.ok(
        Math.abs(w.reported.rawKiB * 1024 - w.raw) / w.raw < 0.05,
        `wrangler ${w.reported.rawKiB} KiB vs ${w.raw} B`,
      );
    }
    console.log(
      `# worker bundle (wrangler dry-run): ${w.raw} B raw, ${w.gzip} B gzip${w.reported ? `; wrangler says ${w.reported.rawKiB} KiB / gzip ${w.reported.gzipKiB} KiB` : ""}`,
    );
  });
});
