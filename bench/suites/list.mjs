// 1. List and filter over HTTP: ours, @azure/arm-compute and the floor (fetch + JSON.parse + the
// JS filter) list the chain of one disk among N = 1,000 and 10,000 snapshots, the emulator in this
// process and in its own; the same pages split step by step. Its first page feeds suites page and
// startup (firstPage()).
import { summarize, cell, ratio } from "../lib/stats.mjs";
import { bulkOptions, spawnEmulator } from "../lib/spawn-emulator.mjs";
import { matchArmJson, sortArmJson, matchSdkModels, sortSdkModels } from "../lib/jsfilter.mjs";
import { sdkClient, sdkListChain } from "../lib/sdk.mjs";
import {
  API,
  TOKEN,
  assert,
  getJson,
  ids,
  log,
  pkg,
  rounds,
  sameChain,
  startEmulator,
  withTimeout,
  target,
} from "../lib/harness.mjs";

const fetchPage = (url) =>
  fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(60_000) });

/** The bulk emulator, in this process or in a child process of its own. */
async function bulkEmulator(n, separate) {
  const options = bulkOptions(n);
  if (!separate) {
    const emu = await startEmulator(options);
    return { url: emu.url, seedInfo: emu.seedInfo, close: () => emu.close() };
  }
  return spawnEmulator(options);
}

export async function listFilter(n, { separate = false } = {}) {
  const emu = await bulkEmulator(n, separate);
  try {
    const origin = new URL(emu.url).origin;
    const info = emu.seedInfo;
    const rg = info.resourceGroup;
    const diskId = info.disks[0];
    const expected = info.chains[diskId];
    const disk = await getJson(`${origin}${diskId}?api-version=${API}`);
    assert(disk.properties?.uniqueId, "the disk has a uniqueId");
    const listUrl = `${origin}/subscriptions/${info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots?api-version=${API}`;

    const client = new pkg.ArmClient({ token: TOKEN, endpoint: origin });
    const sdk = sdkClient({ url: origin, token: TOKEN, subscriptionId: info.subscriptionId });
    const pageUrls = [];
    const floor = async () => {
      let next = listUrl;
      let chain = [];
      for (let page = 0; next; page++) {
        if (page > 10_000) throw new Error("floor listing did not end");
        if (pageUrls.length === page) pageUrls.push(next);
        const r = await fetchPage(next);
        if (!r.ok) throw new Error(`floor: ${r.status}`);
        const body = JSON.parse(await r.text());
        chain = chain.concat(matchArmJson(disk, body.value));
        next = body.nextLink || null;
      }
      return sortArmJson(chain);
    };
    const contenders = {
      ours: () =>
        withTimeout(
          client.listIncrementalSnapshots(disk, { signal: AbortSignal.timeout(60_000) }),
          60_000,
          "ours list",
        ),
      sdk: () => withTimeout(sdkListChain(sdk, rg, disk, matchSdkModels, sortSdkModels), 60_000, "sdk list"),
      floor: () => withTimeout(floor(), 60_000, "floor list"),
    };
    const check = (out, round) => {
      const a = ids(out.ours);
      assert(
        a.length === expected,
        `N=${n} round ${round}: ours returned ${a.length} snapshots, the seed holds ${expected} in the chain`,
      );
      assert(sameChain(a, ids(out.sdk)), `N=${n} round ${round}: ours and the SDK returned different chains`);
      assert(sameChain(a, ids(out.floor)), `N=${n} round ${round}: ours and the floor returned different chains`);
      // ARM JSON is handed back verbatim: the first match must equal the floor's parsed object.
      assert(JSON.stringify(out.ours[0]) === JSON.stringify(out.floor[0]), `N=${n}: ours changed a snapshot's JSON`);
    };
    const t = await rounds(contenders, { check });

    // Where the floor's (and our) time goes: the same pages, step by step.
    const texts = [];
    const splits = await rounds(
      {
        transfer: async () => {
          let bytes = 0;
          for (const u of pageUrls) {
            const r = await fetchPage(u);
            bytes += (await r.arrayBuffer()).byteLength;
          }
          return bytes;
        },
        transfer_text: async () => {
          texts.length = 0;
          for (const u of pageUrls) {
            const r = await fetchPage(u);
            texts.push(await r.text());
          }
          return texts.length;
        },
      },
      {},
    );
    const parsed = texts.map((x) => JSON.parse(x));
    const encoder = new TextEncoder();
    const scratch = new Uint8Array(Math.max(...texts.map((x) => x.length)) * 3);
    const cpu = await rounds({
      json_parse: async () => texts.map((x) => JSON.parse(x).value.length),
      js_filter: async () => sortArmJson(parsed.flatMap((p) => matchArmJson(disk, p.value))),
      utf8_encode: async () => texts.reduce((k, x) => k + encoder.encodeInto(x, scratch).written, 0),
      wasm_filter_text: async () => texts.flatMap((x) => pkg.filterIncrementalSnapshots(disk, x)),
    });
    const bytes = texts.reduce((k, x) => k + Buffer.byteLength(x), 0);
    const row = {
      n,
      emulator: separate ? "separate process" : "same process",
      pages: pageUrls.length,
      bytes,
      chain: expected,
      ours_ms: summarize(t.ours).median,
      sdk_ms: summarize(t.sdk).median,
      floor_ms: summarize(t.floor).median,
      ours_over_sdk: ratio(summarize(t.ours).median, summarize(t.sdk).median),
      ours_over_floor: ratio(summarize(t.ours).median, summarize(t.floor).median),
      // The client's own share: each contender minus the median transfer (fetch + arrayBuffer of
      // the same pages, which includes the emulator's serving). Rough, as differences of medians.
      client_ms_estimate: {
        ours: Number((summarize(t.ours).median - summarize(splits.transfer).median).toFixed(1)),
        sdk: Number((summarize(t.sdk).median - summarize(splits.transfer).median).toFixed(1)),
        floor: Number((summarize(t.floor).median - summarize(splits.transfer).median).toFixed(1)),
        best_possible_sdk_ratio: Number((summarize(t.sdk).median / summarize(splits.transfer).median).toFixed(2)),
      },
      ours_spread: summarize(t.ours),
      sdk_spread: summarize(t.sdk),
      floor_spread: summarize(t.floor),
      splits: {
        note: "same pages, measured apart: transfer = fetch + arrayBuffer (includes the in-process emulator serving), transfer_text = fetch + text(), json_parse / js_filter on the fetched texts, utf8_encode = TextEncoder.encodeInto of the texts (what passing a string into wasm costs), wasm_filter_text = filterIncrementalSnapshots(disk, pageText) per page",
        transfer_ms: summarize(splits.transfer),
        transfer_text_ms: summarize(splits.transfer_text),
        json_parse_ms: summarize(cpu.json_parse),
        js_filter_ms: summarize(cpu.js_filter),
        utf8_encode_ms: summarize(cpu.utf8_encode),
        wasm_filter_text_ms: summarize(cpu.wasm_filter_text),
      },
    };
    client.free?.();
    return { row, firstPageText: texts[0], disk };
  } finally {
    await emu.close();
  }
}

/** Runs the list, in this process (N = 1,000 and 10,000) and in a separate one; keeps the first page. */
export async function run(results, shared) {
  results.listFilter = [];
  results.listFilterSeparate = [];
  for (const n of [1000, 10000]) {
    log(`list and filter, N = ${n}, emulator in this process …`);
    const { row, firstPageText, disk } = await listFilter(n);
    results.listFilter.push(row);
    shared.pageSource = { disk, text: firstPageText };
  }
  for (const n of [1000, 10000]) {
    log(`list and filter, N = ${n}, emulator in a separate process …`);
    results.listFilterSeparate.push((await listFilter(n, { separate: true })).row);
  }
}

/** One fetched page of 1,000 snapshots and its disk: the list's, or (without it) one run of N = 1,000. */
export async function firstPage(shared) {
  if (!shared.pageSource) {
    log("list and filter, N = 1000, emulator in this process …");
    const { firstPageText, disk } = await listFilter(1000);
    shared.pageSource = { disk, text: firstPageText };
  }
  return shared.pageSource;
}

export function targets(results) {
  return [...results.listFilter, ...results.listFilterSeparate].flatMap((r) => {
    const where = r.emulator === "separate process" ? ", emulator in its own process" : "";
    return [
      target(
        `1. list+filter N=${r.n}${where}: ≥1.8x faster than the SDK`,
        `${(r.sdk_ms / r.ours_ms).toFixed(2)}x`,
        r.sdk_ms / r.ours_ms >= 1.8,
      ),
      target(
        `1. list+filter N=${r.n}${where}: ≤0.8x the floor's time`,
        `${(r.ours_ms / r.floor_ms).toFixed(2)}x`,
        r.ours_ms <= 0.8 * r.floor_ms,
      ),
    ];
  });
}

export function print(results, lines) {
  lines.push("1. List and filter over HTTP (emulator on loopback, 1,000-item pages)");
  lines.push(
    "   N       emulator  ours ms               SDK ms                floor ms              ours/SDK  ours/floor",
  );
  for (const r of [...results.listFilter, ...(results.listFilterSeparate ?? [])]) {
    const where = r.emulator === "separate process" ? "own proc" : "in-proc";
    lines.push(
      `   ${String(r.n).padEnd(7)} ${where.padEnd(9)} ${cell(r.ours_spread).padEnd(21)} ${cell(r.sdk_spread).padEnd(21)} ${cell(r.floor_spread).padEnd(21)} ${r.ours_over_sdk.toFixed(2).padEnd(9)} ${r.ours_over_floor.toFixed(2)}`,
    );
  }
  for (const r of [...results.listFilter, ...(results.listFilterSeparate ?? [])]) {
    const s = r.splits;
    const c = r.client_ms_estimate;
    lines.push(
      `   N=${r.n} ${r.emulator === "separate process" ? "own proc" : "in-proc"} client time beyond transfer: ours ${c.ours}, SDK ${c.sdk}, floor ${c.floor} ms (a zero-cost client would be ${c.best_possible_sdk_ratio}x faster than the SDK)`,
    );
    lines.push(
      `   N=${r.n} ${r.emulator === "separate process" ? "own proc" : "in-proc"} splits (${(r.bytes / 1e6).toFixed(1)} MB, ${r.pages} pages): transfer ${cell(s.transfer_ms)}, +text ${cell(s.transfer_text_ms)}, JSON.parse ${cell(s.json_parse_ms)}, JS filter ${cell(s.js_filter_ms)}, UTF-8 encode ${cell(s.utf8_encode_ms)}, wasm filter on text ${cell(s.wasm_filter_text_ms)}`,
    );
  }
  lines.push("");
}
