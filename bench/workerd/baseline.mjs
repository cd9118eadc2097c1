// The same worker without the package: what workerd itself costs to start and answer.
import fixture from "./fixture.json";

export default {
  async fetch() {
    return new Response(JSON.stringify({ matches: fixture.pageText.length > 0 ? -1 : 0 }), {
      headers: { "content-type": "application/json" },
    });
  },
};
