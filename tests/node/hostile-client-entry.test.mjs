// The whole fault matrix (tests/node/hostile.test.mjs) again, against the package's smaller
// "client" entry (`azure-incremental-snapshots/client`): the rows of every function and ArmClient
// member that entry has, and all of items 2-12 (tokens, conditional creates, redirects, signals
// and fetch functions, echoed tokens, bounds, token functions, Retry-After, options, body caps),
// child processes included (they inherit AIS_TEST_ENTRY and load the same entry).
import { runSuiteAgainstEntry } from "./load-package.mjs";

await runSuiteAgainstEntry("./client", () => import("./hostile.test.mjs"), "createIncrementalSnapshot");
