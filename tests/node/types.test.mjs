// The package's TypeScript declarations, as consumers' compilers see them: `tsc --strict` (no
// skipLibCheck) over small consumer files, with Node's resolution (ESM and CJS) and a bundler's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkgDir, root } from "./load-package.mjs";

const NAME = "azure-incremental-snapshots";
const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
let project;

// Consumer files: each must compile; add lines as exports are added.
const FILES = {
  "esm.mts": `
import init, { parseResourceId, buildSnapshotConfig, filterIncrementalSnapshots, groupSnapshotChains, buildSnapshotTemplate, buildTemplateParameters, ArmClient, planRetention, listPageRangeDiff, copyPageRanges, isAzureSnapshotsError } from "${NAME}";
import type { ParsedResourceId, Disk, Snapshot, AzureSnapshotsError, ErrorCode, DeploymentTemplate, DeploymentParameters, RetentionPlan, PageRangeDiff, CopyResult } from "${NAME}";
await init();
const p: ParsedResourceId = parseResourceId("/subscriptions/x");
const name: string | null = p.name;
declare const disk: Disk;
const config = buildSnapshotConfig(disk, { tags: { a: "b" } });
const chain: Snapshot[] = filterIncrementalSnapshots(disk, { value: [] });
groupSnapshotChains([], { disks: [disk] });
const template: DeploymentTemplate = buildSnapshotTemplate({ disks: [disk, "/subscriptions/x"], layout: "perDisk", snapshotName: { timestamp: true }, outputs: true });
const parameters: DeploymentParameters = buildTemplateParameters({ disk, snapshotName: { parameter: "n", defaultValue: "x" } });
const loopCount: string | undefined = template.resources[0].copy?.count;
// @ts-expect-error layout is a closed set
buildSnapshotTemplate({ layout: "diagonal" });
const client = new ArmClient({ token: "t" });
const subs = await client.listSubscriptions();
try { parseResourceId(""); } catch (e) { const err = e as AzureSnapshotsError; const code: string = err.code; }
// The guard narrows without a cast (catch variables are unknown under --strict).
try { parseResourceId(""); } catch (e) { if (isAzureSnapshotsError(e)) { const c: ErrorCode = e.code; const f: string | null = e.field; } }
// @ts-expect-error unknown has no code without the guard
try { parseResourceId(""); } catch (e) { e.code; }
// A disk id builds a config, with the region given.
const fromId = buildSnapshotConfig("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d", { location: "westeurope" });
// @ts-expect-error a disk id needs options.location
buildSnapshotConfig("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d");
buildSnapshotConfig(disk, { sku: "Standard_ZRS" });
// @ts-expect-error Premium_LRS is refused for incremental snapshots
buildSnapshotConfig(disk, { sku: "Premium_LRS" });
// A snapshot read from ARM may still carry it (a full snapshot).
const readSku: string | undefined = ({} as Snapshot).sku?.name;
const premium: Snapshot = { sku: { name: "Premium_LRS" } };
const retention: RetentionPlan = planRetention([], { keepDaily: 7, keepWithin: "P7D" }, { lockTag: "keep" });
const kept: string[] = retention.chains.flatMap((c) => c.keep.flatMap((k) => k.reasons));
const applied = await client.applyRetention("/subscriptions/x", { keepLast: 3 }, { dryRun: true });
const deletedIds: string[] = applied.deleted;
const diff: PageRangeDiff = await listPageRangeDiff("https://h/c/b?sig=x", { previousUrl: "https://h/c/b?snapshot=s&sig=x" });
const firstEnd: number | undefined = diff.ranges[0]?.end;
const copied: CopyResult = await copyPageRanges({ sourceUrl: "https://h/c/b?sig=x", targetUrl: "https://t/c/b?sig=y", snapshotTarget: true, onCheckpoint: async (cp) => { JSON.stringify(cp); } });
const changes = await client.getSnapshotChanges("/subscriptions/x/n", "/subscriptions/x/o");
const changedBytes: number = changes.changedBytes;
const replicated = await client.replicateSnapshots("/subscriptions/x/d", { targetUrl: "https://t/c/b?sig=y" });
const targetSnapshot: string | null | undefined = replicated.replicated[0]?.targetSnapshot;
// @ts-expect-error keepDaily is a count
planRetention([], { keepDaily: "7" });
export { fromId, readSku, premium };
export { name, config, chain, subs, parameters, loopCount, kept, deletedIds, firstEnd, copied, changedBytes, targetSnapshot };
`,
  "cjs.cts": `
import m = require("${NAME}");
const p = m.parseResourceId("/subscriptions/x");
export const kind: string = p.kind;
try { m.parseResourceId(""); } catch (e) { if (m.isAzureSnapshotsError(e)) { const code: m.ErrorCode = e.code; } }
`,
  "workerd.ts": `
import { ArmClient, isAzureSnapshotsError } from "${NAME}";
export default {
  async fetch(request: Request): Promise<Response> {
    const token = request.headers.get("Authorization");
    if (!token) return new Response(null, { status: 401 });
    try {
      return Response.json(await new ArmClient({ token }).listSubscriptions());
    } catch (e) {
      if (isAzureSnapshotsError(e)) return Response.json({ code: e.code }, { status: e.status ?? 502 });
      throw e;
    }
  },
};
`,
  // The smaller entries: their functions with the main entry's types; what they lack is an error.
  "entries.mts": `
import initFilter, { filterIncrementalSnapshots, parseResourceId, isAzureSnapshotsError } from "${NAME}/filter";
import type { Disk, Snapshot, ErrorCode } from "${NAME}/filter";
import { ArmClient, buildSnapshotConfig, groupSnapshotChains } from "${NAME}/client";
import type { ArmClientOptions } from "${NAME}/client";
await initFilter();
declare const disk: Disk;
const chain: Snapshot[] = filterIncrementalSnapshots(disk, new Uint8Array());
const kind: string = parseResourceId("/subscriptions/x").kind;
try { parseResourceId(""); } catch (e) { if (isAzureSnapshotsError(e)) { const c: ErrorCode = e.code; } }
// @ts-expect-error the filter entry has no config builder
import("${NAME}/filter").then((m) => m.buildSnapshotConfig);
const options: ArmClientOptions = { token: "t" };
const client = new ArmClient(options);
const mine: Snapshot[] = await client.listIncrementalSnapshots(disk);
const made: Snapshot = await client.createIncrementalSnapshot(disk, { wait: true });
buildSnapshotConfig(disk, { tags: { a: "b" } });
groupSnapshotChains([], { disks: [disk] });
// @ts-expect-error the client entry's ArmClient has no replicateSnapshots
client.replicateSnapshots("/subscriptions/x/d", { targetUrl: "https://t/c/b?sig=y" });
// @ts-expect-error nor restoreDisk
client.restoreDisk("/subscriptions/x/s", { name: "r" });
export { chain, kind, mine, made };
`,
  "entries.cts": `
import f = require("${NAME}/filter");
import c = require("${NAME}/client");
export const chain: f.Snapshot[] = f.filterIncrementalSnapshots({ id: "d", properties: { uniqueId: "u" } } as f.Disk, []);
export const client: c.ArmClient = new c.ArmClient({ token: "t" });
`,
  "bundler.ts": `
import init, { parseResourceId } from "${NAME}";
import initWeb, { ArmClient } from "${NAME}/web";
await init();
await initWeb();
parseResourceId("x");
new ArmClient({ token: async () => "t" });
`,
};

before(() => {
  assert.ok(existsSync(join(pkgDir, "package.json")), "pkg/ is built (npm run build)");
  project = mkdtempSync(join(tmpdir(), "ais-types-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(pkgDir, join(project, "node_modules", NAME), "dir");
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "types-consumer", private: true, type: "module" }),
  );
  for (const [file, text] of Object.entries(FILES)) writeFileSync(join(project, file), text);
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function compile(files, options) {
  const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", ...options, ...files];
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `tsc ${options.join(" ")}:\n${r.stdout}${r.stderr}`);
}

test("Node resolution (nodenext): ESM import and CJS require", () => {
  compile(
    ["esm.mts", "cjs.cts", "entries.mts", "entries.cts"],
    ["--module", "nodenext", "--moduleResolution", "nodenext"],
  );
});

test("workerd resolution (--customConditions workerd): the guard in a worker", () => {
  compile(["workerd.ts"], ["--module", "esnext", "--moduleResolution", "bundler", "--customConditions", "workerd"]);
});

test("bundler resolution: import and the ./web subpath", () => {
  compile(["esm.mts", "bundler.ts", "entries.mts"], ["--module", "esnext", "--moduleResolution", "bundler"]);
});
