// Tiny module worker for the start-up benchmark: imports the package's workerd entry (which
// instantiates the wasm when the worker loads) and answers with the first call's result.
import { filterIncrementalSnapshots } from "../../pkg/workerd.js";
import fixture from "./fixture.json";

export default {
  async fetch() {
    const chain = filterIncrementalSnapshots(fixture.disk, fixture.pageText);
    return new Response(JSON.stringify({ matches: chain.length }), { headers: { "content-type": "application/json" } });
  },
};
