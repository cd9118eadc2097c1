// Fidelity: replay the real ARM traffic recorded by azure-cli (incremental snapshot, then a
// cross-region CopyStart with completionPercent) against the emulator, and compare statuses,
// the headers that matter and the bodies (same keys; same values except uuids and times).
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, call, fixture, shape, valueDiffs, waitOperation, rgPath, diskPath, SUB0, UUID_RE } from "./helpers.mjs";

const recording = fixture("recordings/azure-cli.completion-percent.json");
const ARM = "https://management.azure.com";
const opIdOf = (uri) => /\/DiskOperations\/([0-9a-f-]{36})/i.exec(uri)?.[1];
const regionOf = (uri) => /\/locations\/([^/]+)\/DiskOperations\//i.exec(uri)?.[1];

/** For each recorded operation, how many InProgress polls came before the end. */
function inProgressPolls() {
  const counts = {};
  for (const it of recording.interactions) {
    const id = opIdOf(it.request.uri);
    if (id && it.response.body?.status === "InProgress") counts[id] = (counts[id] || 0) + 1;
  }
  return counts;
}

test("replay of azure-cli.completion-percent.json", async (t) => {
  const emu = await start({ seed: { kind: "empty", subscriptionId: SUB0 }, lroPolls: 0 });
  t.after(() => emu.close());

  // the state the recording starts from, built with the emulator's ordinary API
  for (const [rg, location] of [
    ["cli_test_completion_percent1_000001", "westus"],
    ["cli_test_completion_percent2_000002", "eastus"],
  ]) {
    const r = await call(emu, "PUT", rgPath(SUB0, rg), { body: { location }, api: "2022-09-01" });
    assert.equal(r.status, 201);
  }
  const d = await call(emu, "PUT", diskPath(SUB0, "cli_test_completion_percent1_000001", "disk1"), {
    body: {
      location: "westus",
      tags: {},
      sku: { name: "Premium_LRS" },
      properties: { creationData: { createOption: "Empty" }, diskSizeGB: 200 },
    },
    api: "2023-04-02",
  });
  assert.equal(d.status, 202);
  assert.equal((await waitOperation(emu, d)).status, "Succeeded");

  const polls = inProgressPolls();
  const opUrls = new Map(); // recorded operation id → the emulator's { asyncOperation, location }
  let n = 0;
  for (const it of recording.interactions) {
    n += 1;
    const { method, uri } = it.request;
    const where = `interaction ${n}: ${method} ${uri.slice(0, 140)}`;
    let url;
    const recOp = opIdOf(uri);
    if (recOp) {
      const urls = opUrls.get(recOp);
      assert.ok(urls, `${where}: poll of an operation the replay did not start`);
      url = /[?&]monitor=true/.test(uri) ? urls.location : urls.asyncOperation;
    } else {
      assert.ok(uri.startsWith(ARM));
      url = emu.url + uri.slice(ARM.length);
    }
    if (method === "PUT") {
      // make the emulator's operation take as many polls as the recorded one did
      const recorded202 = it.response.headers["azure-asyncoperation"];
      emu.options.lroPolls = recorded202 ? polls[opIdOf(recorded202)] || 0 : 0;
    }
    const res = await call(emu, method, url, { body: it.request.body, api: null });

    assert.equal(res.status, it.response.status, `${where}: status (${res.text})`);
    assert.equal(res.headers.get("content-type"), it.response.headers["content-type"], `${where}: content-type`);
    assert.match(res.headers.get("x-ms-request-id") || "", UUID_RE, `${where}: x-ms-request-id`);
    assert.match(
      res.headers.get("x-ms-correlation-request-id") || "",
      UUID_RE,
      `${where}: x-ms-correlation-request-id`,
    );
    if (it.response.headers["x-ms-failure-cause"]) {
      assert.equal(
        res.headers.get("x-ms-failure-cause"),
        it.response.headers["x-ms-failure-cause"],
        `${where}: x-ms-failure-cause`,
      );
    }
    if (it.response.status >= 400) {
      assert.equal(res.headers.get("x-ms-error-code"), it.response.body.error.code, `${where}: x-ms-error-code`);
    }
    if (it.response.headers["x-ms-ratelimit-remaining-subscription-writes"]) {
      assert.match(
        res.headers.get("x-ms-ratelimit-remaining-subscription-writes") || "",
        /^\d+$/,
        `${where}: writes budget`,
      );
    }
    if (it.response.status === 202) {
      const recAsync = it.response.headers["azure-asyncoperation"];
      const recLoc = it.response.headers.location;
      const async = res.headers.get("azure-asyncoperation");
      const loc = res.headers.get("location");
      assert.ok(async && loc, `${where}: 202 without Azure-AsyncOperation and Location`);
      const region = regionOf(recAsync);
      const shapeRe = new RegExp(
        `^${emu.url.replace(/[.]/g, "\\.")}/subscriptions/${SUB0}/providers/Microsoft\\.Compute/locations/${region}/DiskOperations/[0-9a-f-]{36}\\?p=[0-9a-f-]{36}&`,
      );
      assert.match(async, shapeRe, `${where}: Azure-AsyncOperation shape`);
      assert.match(loc, shapeRe, `${where}: Location shape`);
      assert.match(loc, /[?&]monitor=true(&|$)/, `${where}: Location has monitor=true`);
      assert.doesNotMatch(async, /monitor=true/);
      assert.equal(opIdOf(async), opIdOf(loc));
      assert.ok(/[?&]monitor=true/.test(recLoc));
      opUrls.set(opIdOf(recAsync), { asyncOperation: async, location: loc });
    }
    assert.deepEqual(shape(res.body), shape(it.response.body), `${where}: body shape`);
    assert.deepEqual(valueDiffs(it.response.body, res.body), [], `${where}: body values`);
    if (it.response.body?.properties?.completionPercent !== undefined) {
      assert.equal(typeof res.body.properties.completionPercent, "number");
      assert.match(
        res.text,
        /"completionPercent":0\.0[,}]/,
        "completionPercent is written as a float like Compute does",
      );
    }
  }
  assert.equal(n, recording.interactions.length);
  assert.equal(opUrls.size, 2);
});

test("the recorded flow continues: completionPercent of the CopyStart copy reaches 100", async (t) => {
  const emu = await start({ seed: { kind: "empty", subscriptionId: SUB0 }, copyPolls: 3, lroPolls: 0 });
  t.after(() => emu.close());
  const rg1 = "cli_test_completion_percent1_000001";
  const rg2 = "cli_test_completion_percent2_000002";
  await call(emu, "PUT", rgPath(SUB0, rg1), { body: { location: "westus" }, api: "2022-09-01" });
  await call(emu, "PUT", rgPath(SUB0, rg2), { body: { location: "eastus" }, api: "2022-09-01" });
  const d = await call(emu, "PUT", diskPath(SUB0, rg1, "disk1"), {
    body: {
      location: "westus",
      sku: { name: "Premium_LRS" },
      properties: { creationData: { createOption: "Empty" }, diskSizeGB: 200 },
    },
  });
  await waitOperation(emu, d);
  const interactions = recording.interactions.filter((i) => i.request.method === "PUT");
  for (const it of interactions) {
    const r = await call(emu, "PUT", emu.url + it.request.uri.slice(ARM.length), { body: it.request.body, api: null });
    assert.equal(r.status, 202);
    await waitOperation(emu, r);
  }
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const r = await call(emu, "GET", `${rgPath(SUB0, rg2)}/providers/Microsoft.Compute/snapshots/snapb`);
    seen.push(r.body.properties.completionPercent);
  }
  assert.deepEqual(seen, [0, 33.3, 66.7, 100, 100, 100]);
});
