// The whole ArmClient suite (tests/node/client.test.mjs) again, against the package's smaller
// "client" entry (`azure-incremental-snapshots/client`, its own wasm built from fewer API groups):
// every method that entry has, over real HTTP against the emulator, with every fault.
import { runSuiteAgainstEntry } from "./load-package.mjs";

await runSuiteAgainstEntry("./client", () => import("./client.test.mjs"), "listIncrementalSnapshots");
