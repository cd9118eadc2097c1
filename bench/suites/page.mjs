// 2. Filter one fetched page: filterIncrementalSnapshots on the text and on the bytes of one
// 1,000-snapshot page against JSON.parse + the JS filter (20 calls per run).
import { summarize, cell, ratio } from "../lib/stats.mjs";
import { filterArmJson } from "../lib/jsfilter.mjs";
import { assert, ids, log, pkg, rounds, sameChain, target } from "../lib/harness.mjs";
import { firstPage } from "./list.mjs";

async function pageFilter(disk, text) {
  const count = JSON.parse(text).value.length;
  const bytes = new TextEncoder().encode(text);
  const K = 20; // calls per measured run, so one run is well above the timer's resolution
  const t = await rounds(
    {
      ours: async () => {
        let r;
        for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, text);
        return r;
      },
      // The page's bytes, as `response.arrayBuffer()` gives them (no text decode, no encode).
      ours_bytes: async () => {
        let r;
        for (let i = 0; i < K; i++) r = pkg.filterIncrementalSnapshots(disk, bytes);
        return r;
      },
      jsonparse: async () => {
        let r;
        for (let i = 0; i < K; i++) r = filterArmJson(disk, JSON.parse(text).value);
        return r;
      },
    },
    {
      check: (out) => {
        assert(out.ours.length > 0, "the page holds part of the chain");
        assert(sameChain(ids(out.ours), ids(out.jsonparse)), "page filter: ours and JSON.parse + filter differ");
        assert(
          JSON.stringify(out.ours_bytes) === JSON.stringify(out.ours),
          "page filter: bytes and text inputs differ",
        );
      },
    },
  );
  const per = (list) =>
    summarize(
      list.map((x) => x / K),
      3,
    );
  const o = per(t.ours);
  const j = per(t.jsonparse);
  const ob = per(t.ours_bytes);
  return {
    n: count,
    bytes: Buffer.byteLength(text),
    ours_ms: o.median,
    ours_bytes_ms: ob.median,
    jsonparse_ms: j.median,
    ours_over_jsonparse: ratio(o.median, j.median),
    ours_spread: o,
    ours_bytes_spread: ob,
    jsonparse_spread: j,
  };
}

export async function run(results, shared) {
  const source = await firstPage(shared);
  log("filter one page …");
  results.pageFilter = await pageFilter(source.disk, source.text);
}

export function targets({ pageFilter: r }) {
  const out = [
    target(
      "2. page filter (text): ≥2.5x JSON.parse + filter",
      `${(r.jsonparse_ms / r.ours_ms).toFixed(2)}x`,
      r.jsonparse_ms / r.ours_ms >= 2.5,
    ),
  ];
  if (r.ours_bytes_ms)
    out.push(
      target(
        "2. page filter (bytes): ≥2.5x JSON.parse + filter",
        `${(r.jsonparse_ms / r.ours_bytes_ms).toFixed(2)}x`,
        r.jsonparse_ms / r.ours_bytes_ms >= 2.5,
      ),
    );
  return out;
}

export function print(results, lines) {
  const r = results.pageFilter;
  lines.push(`2. Filter one page (${r.n} snapshots, ${(r.bytes / 1e6).toFixed(2)} MB of JSON text)`);
  lines.push(
    `   filterIncrementalSnapshots(disk, text) ${cell(r.ours_spread, " ms")}   JSON.parse + JS filter ${cell(r.jsonparse_spread, " ms")}   ours/JSON.parse ${r.ours_over_jsonparse.toFixed(2)}`,
  );
  if (r.ours_bytes_spread)
    lines.push(
      `   filterIncrementalSnapshots(disk, bytes) ${cell(r.ours_bytes_spread, " ms")}   JSON.parse + JS filter is ${(r.jsonparse_ms / r.ours_bytes_ms).toFixed(2)}x its time`,
    );
  lines.push("");
}
