// The code blocks of README.md and of the package's own README (pkg-readme/README.md, shipped as
// pkg/README.md) that are marked runnable, run as pasted. A marker is an HTML comment on the line
// right before the fence:
//   <!-- example: node -->     a ```js block: run by Node as an ES module in a project where the
//                              package is installed, with AZURE_TOKEN, ARM_ENDPOINT (the emulator)
//                              and DISK_ID (a disk of the emulator's demo seed) set; must exit 0.
//   <!-- example: workerd -->  a ```ts block exporting a worker: `tsc --strict` with the `workerd`
//                              export condition, then (transpiled) its `fetch` is called: 401
//                              without an Authorization header and with a token ARM refuses, the
//                              subscriptions with a good one.
// Also: the package README is the one in pkg/, every relative link in it resolves to a file in the
// package, and its error-code table lists errorCodes() exactly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator } from "../../emulator/index.mjs";
import { loadPackage, pkgDir, root } from "./load-package.mjs";

const NAME = "azure-incremental-snapshots";
const require = createRequire(join(root, "package.json"));
const tsc = require.resolve("typescript/bin/tsc");

/** The marked blocks of a Markdown text: `{ kind, lang, code, line }`. */
export function markedBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const marker = lines[i].match(/^<!--\s*example:\s*([a-z-]+)\s*-->\s*$/);
    if (!marker) continue;
    const fence = lines[i + 1]?.match(/^```(\w+)\s*$/);
    assert.ok(fence, `line ${i + 1}: a marker must be followed by a fenced block`);
    const end = lines.findIndex((l, j) => j > i + 1 && /^```\s*$/.test(l));
    assert.ok(end > 0, `line ${i + 2}: unclosed block`);
    blocks.push({ kind: marker[1], lang: fence[1], code: lines.slice(i + 2, end).join("\n") + "\n", line: i + 2 });
    i = end;
  }
  return blocks;
}

function runScript(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: project, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const READMES = {
  "README.md": () => readFileSync(join(root, "README.md"), "utf8"),
  "pkg/README.md": () => readFileSync(join(pkgDir, "README.md"), "utf8"),
};

let project;
let emu;
let diskId;

before(async () => {
  assert.ok(existsSync(join(pkgDir, "package.json")), "pkg/ is built (npm run build)");
  project = mkdtempSync(join(tmpdir(), "ais-readme-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(pkgDir, join(project, "node_modules", NAME), "dir");
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "readme-consumer", private: true, type: "module" }),
  );
  emu = await startEmulator({ port: 0, seed: "demo", retryAfterSeconds: 0, lroPolls: 1, copyPolls: 1 });
  const lib = await loadPackage();
  const client = new lib.ArmClient({ token: "t", endpoint: emu.url });
  const [sub] = await client.listSubscriptions();
  const disks = await client.listDisks(`/subscriptions/${sub.subscriptionId}`);
  diskId = disks.find((d) => !/PremiumV2|Ultra/i.test(d.sku?.name ?? ""))?.id ?? disks[0].id;
});

after(async () => {
  await emu?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

test("the package README is pkg/README.md, with no repository-only content, every relative link in the tarball", () => {
  const text = READMES["pkg/README.md"]();
  assert.equal(text, readFileSync(join(root, "pkg-readme/README.md"), "utf8"), "pkg/README.md is pkg-readme/README.md");
  assert.notEqual(text, READMES["README.md"](), "not the repository's README");
  assert.match(text, /npm install azure-incremental-snapshots/);
  for (const repoOnly of ["npm test", "npm start", "scripts/", "tests/", "cargo "])
    assert.ok(!text.includes(repoOnly), `no ${JSON.stringify(repoOnly)}`);
  const links = [...text.matchAll(/\]\(([^)\s]+)\)|href="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
  const relative = links.filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith("#"));
  assert.ok(relative.length > 0, "the LICENSE link at least");
  const files = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).files;
  for (const link of relative) {
    const path = decodeURIComponent(link.split("#")[0]).replace(/^\.\//, "");
    assert.ok(existsSync(join(pkgDir, path)), `${link} resolves in pkg/`);
    assert.ok(files.includes(path), `${link} is in package.json files`);
  }
});

test("the package README's error-code table is errorCodes(), in order", async () => {
  const lib = await loadPackage();
  const listed = [...READMES["pkg/README.md"]().matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...lib.errorCodes()]);
});

test("each README has marked examples of both kinds", () => {
  for (const [file, read] of Object.entries(READMES)) {
    const kinds = new Set(markedBlocks(read()).map((b) => b.kind));
    assert.deepEqual([...kinds].sort(), ["node", "workerd"], file);
  }
});

for (const [file, read] of Object.entries(READMES)) {
  test(`${file}: every "node" example runs as pasted (against the emulator)`, async () => {
    const blocks = markedBlocks(read()).filter((b) => b.kind === "node");
    assert.ok(blocks.length > 0);
    for (const [i, b] of blocks.entries()) {
      assert.equal(b.lang, "js", `${file}:${b.line} is a js block`);
      const script = `example-${file.replace(/\W/g, "_")}-${i}.mjs`;
      writeFileSync(join(project, script), b.code);
      // Asynchronously: the emulator answers from this process.
      const r = await runScript(script, { AZURE_TOKEN: "readme-token", ARM_ENDPOINT: emu.url, DISK_ID: diskId });
      assert.equal(r.status, 0, `${file}:${b.line} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
      assert.equal(r.stderr, "", `${file}:${b.line}: nothing on stderr`);
    }
  });

  test(`${file}: every "workerd" example type-checks under tsc --strict and answers 401 without a token`, async () => {
    const blocks = markedBlocks(read()).filter((b) => b.kind === "workerd");
    assert.ok(blocks.length > 0);
    const ts = require("typescript");
    for (const [i, b] of blocks.entries()) {
      assert.equal(b.lang, "ts", `${file}:${b.line} is a ts block`);
      const base = `worker-${file.replace(/\W/g, "_")}-${i}`;
      writeFileSync(join(project, `${base}.ts`), b.code);
      const args = [
        tsc,
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--lib",
        "es2022,dom",
        "--module",
        "esnext",
        "--moduleResolution",
        "bundler",
        "--customConditions",
        "workerd",
        `${base}.ts`,
      ];
      const r = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, `${file}:${b.line}: tsc --strict\n${r.stdout}${r.stderr}`);
      // Run it: the same API from the Node entry (the workerd entry is checked by package.test.mjs).
      const js = ts.transpileModule(b.code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(project, `${base}.mjs`), js.outputText);
      const worker = (await import(pathToFileURL(join(project, `${base}.mjs`)).href)).default;
      const env = { ARM_ENDPOINT: emu.url };
      const none = await worker.fetch(new Request("http://worker.test/"), env);
      assert.equal(none.status, 401, `${file}:${b.line}: no Authorization header`);
      const refused = await worker.fetch(
        new Request("http://worker.test/", { headers: { Authorization: "Bearer expired" } }),
        env,
      );
      assert.equal(refused.status, 401, `${file}:${b.line}: a token ARM refuses`);
      assert.equal((await refused.json()).code, "UNAUTHORIZED");
      const ok = await worker.fetch(
        new Request("http://worker.test/", { headers: { Authorization: "Bearer good" } }),
        env,
      );
      assert.equal(ok.status, 200, `${file}:${b.line}: a good token`);
      const subs = await ok.json();
      assert.ok(Array.isArray(subs) && subs.length > 0 && subs[0].subscriptionId);
    }
  });
}
