// Run in a fresh `node` process by bench/run.mjs: measures, from inside, the time from before the
// first import of the package to after its first call (module load + wasm instantiate + first
// filterIncrementalSnapshots), or the same for @azure/arm-compute (import + client + filter).
// argv: <mode: ours|ours-client|ours-filter|sdk> <fixture.json: { disk, pageText }>
import { readFileSync } from "node:fs";

const [mode, fixturePath] = process.argv.slice(2);
const { disk, pageText } = JSON.parse(readFileSync(fixturePath, "utf8"));
let out;
if (mode === "ours") {
  const t0 = performance.now();
  const m = await import("../../pkg/node.mjs");
  const t1 = performance.now();
  const chain = m.filterIncrementalSnapshots(disk, pageText);
  const t2 = performance.now();
  out = { import_ms: t1 - t0, first_call_ms: t2 - t1, total_ms: t2 - t0, matches: chain.length };
} else if (mode === "ours-client" || mode === "ours-filter") {
  // The smaller entries: "client" does what the SDK's run does (import, build a client, filter);
  // "filter" only imports and filters.
  const t0 = performance.now();
  const m = await import(mode === "ours-client" ? "../../pkg/client/node.mjs" : "../../pkg/filter/node.mjs");
  const t1 = performance.now();
  const client = m.ArmClient ? new m.ArmClient({ token: "t" }) : null;
  const chain = m.filterIncrementalSnapshots(disk, pageText);
  const t2 = performance.now();
  client?.free();
  out = { import_ms: t1 - t0, first_call_ms: t2 - t1, total_ms: t2 - t0, matches: chain.length };
} else if (mode === "sdk") {
  // The SDK's equivalent first step: load it and build a client (no request is sent), then the
  // same filter over the parsed page in JS.
  const t0 = performance.now();
  const { ComputeManagementClient } = await import("@azure/arm-compute");
  const { filterSdkModels } = await import("./jsfilter.mjs");
  const t1 = performance.now();
  const client = new ComputeManagementClient(
    { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3.6e6 }) },
    "00000000-0000-0000-0000-000000000000",
  );
  const chain = filterSdkModels(disk, JSON.parse(pageText).value);
  const t2 = performance.now();
  out = { import_ms: t1 - t0, first_call_ms: t2 - t1, total_ms: t2 - t0, matches: chain.length, client: typeof client };
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
