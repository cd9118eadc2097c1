// Helpers of the blob emulator tests: a loopback server that routes /blob/ to one blob
// service, raw fetch calls that keep the body's bytes (fetch's text() would drop the BOM), the
// recordings, and a reference model of page histories.
import http from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createBlobService } from "../../emulator/blob/index.mjs";

export const BLOB_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/azure/blob");
const NET = "azure-sdk-for-net/sdk/storage/Azure.Storage.Blobs/tests/SessionRecords/ManagedDiskTests";
export const VERSION = "2021-06-08";

/** Start a loopback server with a fresh blob service; closed after the test. */
export async function startBlob(t, opts = {}) {
  const svc = createBlobService(opts);
  const server = http.createServer(async (req, res) => {
    if (!(await svc.handle(req, res))) {
      res.writeHead(404, { "Content-Length": "0" });
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  svc.origin = origin;
  t.after(async () => {
    svc.releaseHung();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  });
  return { svc, origin, server };
}

/** fetch with the Blob headers; resolves to { status, headers, bytes, text (BOM kept) }. */
export async function req(url, { method = "GET", headers = {}, body, version = VERSION, signal } = {}) {
  const h = { ...headers };
  if (version) h["x-ms-version"] = version;
  const res = await fetch(url, { method, headers: h, body, signal });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString("utf8") };
}

export const withQuery = (url, q) => `${url}${url.includes("?") ? "&" : "?"}${q}`;

/** One .NET session record's entries. */
export function netRecording(name) {
  return JSON.parse(readFileSync(path.join(BLOB_FIXTURES, NET, `${name}.json`), "utf8")).Entries;
}

/** A .NET record's body as the text on the wire (its ResponseBody is a list of lines). */
export const netBody = (e) => (Array.isArray(e.ResponseBody) ? e.ResponseBody.join("") : e.ResponseBody);

/** The diff body of the JS nock recording (it holds the raw BOM). */
export function jsDiffBody() {
  const text = readFileSync(
    path.join(
      BLOB_FIXTURES,
      "azure-sdk-for-js/sdk/storage/storage-blob/recordings/node/pageblobclient/recording_getpagerangesdiff_with_url.js",
    ),
    "utf8",
  );
  const m = /\.reply\(200, "(\uFEFF<\?xml[^]*?<\/PageList>)"/.exec(text);
  return m[1].replace(/\\"/g, '"').replace(/\\n/g, "\n");
}

/** PageList XML → [{ kind, start, end }] in document order, and NextMarker (undefined if absent). */
export function parsePageList(xml) {
  const out = [];
  const re = /<(PageRange|ClearRange)><Start>(\d+)<\/Start><End>(\d+)<\/End><\/\1>/g;
  let m;
  while ((m = re.exec(xml)))
    out.push({ kind: m[1] === "PageRange" ? "page" : "clear", start: Number(m[2]), end: Number(m[3]) });
  const nm = /<NextMarker>([^<]*)<\/NextMarker>|<NextMarker\/>/.exec(xml);
  return { elements: out, nextMarker: nm ? nm[1] || "" : undefined };
}

/** Seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Reference model of a page blob: per page, the generation of its last write and whether it
 * holds data; snapshots copy the map. diff(newer, older) = the pages written since older that
 * hold data ("page") and the pages cleared since that held data in older ("clear").
 */
export class PageModel {
  constructor() {
    this.state = new Map(); // page → { gen, data }
    this.gen = 0;
  }
  write(page) {
    this.state.set(page, { gen: ++this.gen, data: true });
  }
  clear(page) {
    const cur = this.state.get(page);
    if (cur && cur.data) this.state.set(page, { gen: ++this.gen, data: false });
  }
  freeze() {
    return new Map(this.state);
  }
  static diff(newer, older) {
    const out = new Map();
    for (const [p, v] of newer) {
      const o = older.get(p);
      if (o && o.gen === v.gen) continue;
      if (v.data) out.set(p, "page");
      else if (o && o.data) out.set(p, "clear");
    }
    return out;
  }
  static full(state) {
    const out = new Map();
    for (const [p, v] of state) if (v.data) out.set(p, "page");
    return out;
  }
}

/** Expand elements to page → kind, checking order, merging and no overlap. */
export function expand(elements, assert) {
  const out = new Map();
  let prevEnd = -1;
  let prevKind = null;
  for (const e of elements) {
    assert.ok(e.start > prevEnd, `offset order: ${e.start} after ${prevEnd}`);
    assert.equal(e.start % 512, 0);
    assert.equal((e.end + 1) % 512, 0);
    if (prevKind === e.kind) assert.notEqual(e.start, prevEnd + 1, "adjacent ranges of one kind are merged");
    for (let p = e.start / 512; p <= (e.end + 1) / 512 - 1; p++) out.set(p, e.kind);
    prevEnd = e.end;
    prevKind = e.kind;
  }
  return out;
}
