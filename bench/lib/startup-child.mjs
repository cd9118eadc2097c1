// Run in a fresh `node` process by bench/run.mjs: measures, from inside, the time from before the
// first import of the package to after its first call (module load + wasm instantiate + first
// filterIncrementalSnapshots), or the same for @azure/arm-compute (import + client + filter).
// argv: <mode: ours|ours-client|ours-filter|sdk> <fixture.json: { disk, pageText }>
import { readFileSync } from "node:fs";

const [mode, fixturePath] = process.argv.slice(2);
const { disk, pageText } = JSON.parse(readFileSync(fixturePath, "utf8"));
let out;
// Our entries: the module each mode imports, and whether it builds a client first (the "client"
// entry does what the SDK's run does: import, build a client, filter; the others import and filter).
const OURS = {
  ours: ["../../pkg/node.mjs", false],
  "ours-client": ["../../pkg/client/node.mjs", true],
  "ours-filter": ["../../pkg/filter/node.mjs", false],
};
if (OURS[mode]) {
  const [entry, withClient] = OURS[mode];
  const t0 = performance.now();
  const m = await import(entry);
  const t1 = performance.now();
  const client = withClient ? new m.ArmClient({ token: "t" }) : null;
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
