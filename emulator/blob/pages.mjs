// Sparse, versioned page storage of one page blob (512-byte pages).
//
// Each page that was ever written or cleared keeps its history: a list of versions
// { g, d } in increasing write generation `g`, where `d` is the page's 512 bytes or null
// ("cleared"). A page never touched costs nothing, so a blob of 1 TiB nominal size holds no
// memory until written. A blob snapshot is only a generation number: the state at generation G
// is, per page, the last version with g <= G. That makes snapshots free and a diff between two
// snapshots a walk over the touched pages.

export const PAGE = 512;
/** Largest update by Put Page and Put Page From URL. */
export const MAX_PUT_PAGE = 4 * 1024 * 1024;

export class PageStore {
  constructor() {
    /** @type {Map<number, Array<{ g: number, d: Buffer | null }>>} */
    this.pages = new Map();
    this.sorted = null; // page indices in order, rebuilt when a new page appears
  }

  /** Bytes of page data held (for the "sparse is cheap" check). */
  bytesHeld() {
    let n = 0;
    for (const versions of this.pages.values()) for (const v of versions) if (v.d) n += PAGE;
    return n;
  }

  push(idx, g, d) {
    let versions = this.pages.get(idx);
    if (!versions) {
      versions = [];
      this.pages.set(idx, versions);
      this.sorted = null;
    }
    const last = versions[versions.length - 1];
    if (last && last.g === g) last.d = d;
    else versions.push({ g, d });
  }

  /** Write whole pages: `offset` is 512-aligned and `buf.length` a multiple of 512. */
  write(offset, buf, g) {
    const first = offset / PAGE;
    for (let i = 0; i < buf.length / PAGE; i++) {
      this.push(first + i, g, Buffer.from(buf.subarray(i * PAGE, (i + 1) * PAGE)));
    }
  }

  /** Clear whole pages [offset, offset + length); only pages that hold data get a version. */
  clear(offset, length, g) {
    const first = offset / PAGE;
    const end = first + length / PAGE;
    for (const idx of this.indices(first, end - 1)) {
      const v = this.versionAt(idx, Infinity);
      if (v && v.d) this.push(idx, g, null);
    }
  }

  /** The version of page `idx` at generation `g` (undefined if never written by then). */
  versionAt(idx, g) {
    const versions = this.pages.get(idx);
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i].g <= g) return versions[i];
    return undefined;
  }

  /** Touched page indices in [firstIdx, lastIdx], ascending. */
  indices(firstIdx, lastIdx) {
    if (!this.sorted) this.sorted = [...this.pages.keys()].sort((a, b) => a - b);
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < firstIdx) lo = mid + 1;
      else hi = mid;
    }
    const out = [];
    for (let i = lo; i < s.length && s[i] <= lastIdx; i++) out.push(s[i]);
    return out;
  }

  /** Bytes [start, start + length) at generation g; untouched and cleared pages read as zeros. */
  read(start, length, g) {
    const out = Buffer.alloc(length);
    if (length === 0) return out;
    const firstIdx = Math.floor(start / PAGE);
    const lastIdx = Math.floor((start + length - 1) / PAGE);
    for (const idx of this.indices(firstIdx, lastIdx)) {
      const v = this.versionAt(idx, g);
      if (!v || !v.d) continue;
      const pageStart = idx * PAGE;
      const from = Math.max(start, pageStart);
      const to = Math.min(start + length, pageStart + PAGE);
      v.d.copy(out, from - start, from - pageStart, to - pageStart);
    }
    return out;
  }

  /**
   * The page list of [firstIdx, lastIdx] at generation g, as merged, offset-ordered elements
   * { kind: "page" | "clear", start, end } (byte offsets, end inclusive).
   * Without `prevG`: the pages holding data ("page" only).
   * With `prevG` (a diff against the state at an older generation): pages written after prevG
   * that hold data ("page"), and pages that are cleared now but held data at prevG ("clear").
   * Rewrites of identical bytes count as changes (the service reports writes, not differences).
   * Stops once more than `limit` elements are found (the last one may then be incomplete).
   */
  ranges(firstIdx, lastIdx, g, prevG, limit = Infinity) {
    const out = [];
    const add = (kind, idx) => {
      const last = out[out.length - 1];
      if (last && last.kind === kind && last.end + 1 === idx * PAGE) last.end += PAGE;
      else out.push({ kind, start: idx * PAGE, end: idx * PAGE + PAGE - 1 });
    };
    for (const idx of this.indices(firstIdx, lastIdx)) {
      if (out.length > limit) break; // one element past the limit: its start is the next marker
      const v = this.versionAt(idx, g);
      if (prevG === undefined) {
        if (v && v.d) add("page", idx);
        continue;
      }
      if (!v || v.g <= prevG) continue;
      if (v.d) add("page", idx);
      else {
        const old = this.versionAt(idx, prevG);
        if (old && old.d) add("clear", idx);
      }
    }
    return out;
  }
}
