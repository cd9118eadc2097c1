// Changed sizes of a disk's chain: for each snapshot, the bytes written since its predecessor (for
// the first, all its valid bytes), read by the package's getSnapshotChanges (Get Page Ranges with a
// diff on the Blob service), one pair at a time, on demand or in the background, with progress.
// Answers are cached in this tab's memory by the pair's snapshot ids; a run stops when the view or
// the tab of the view is left (its signal), or with "Stop".
import { h, mount, fmtBytes, plural } from "./dom.js";
import { progressBar, errorCard } from "./ui.js";

/** "newer id|older id" (lower case; older empty for the first) → { contentLength, changedBytes, clearedBytes, ranges }. */
export const changesCache = new Map();

/** Compute the changed sizes when a disk opens, without a click (this tab's choice, in memory only). */
export const changesPrefs = { background: false };

const keyOf = (snap, older) => `${snap.id.toLowerCase()}|${older ? older.id.toLowerCase() : ""}`;

/** The pairs of a chain (oldest first): each snapshot with its predecessor (null for the first). */
export function chainPairs(chain) {
  return chain.map((snap, i) => {
    const older = i ? chain[i - 1] : null;
    return { snap, older, key: keyOf(snap, older) };
  });
}

/** The provisioned size of a snapshot (ARM's diskSizeBytes, else diskSizeGB), in bytes, or null. */
export function provisionedBytes(snap, disk) {
  const p = snap?.properties || {};
  if (typeof p.diskSizeBytes === "number") return p.diskSizeBytes;
  if (typeof p.diskSizeGB === "number") return p.diskSizeGB * 2 ** 30;
  const d = disk?.properties || {};
  if (typeof d.diskSizeBytes === "number") return d.diskSizeBytes;
  return typeof d.diskSizeGB === "number" ? d.diskSizeGB * 2 ** 30 : null;
}

const pct = (part, whole) => (whole ? `${((part / whole) * 100).toFixed(part && part < whole / 1000 ? 2 : 1)} %` : "");

/**
 * The changed-sizes block of the disk view and the cells of its chain table's column.
 * → { block, column: { label, render(snap) } }. `signal` ends any run (leaving the view or the tab).
 */
export function changesBlock(app, model, { signal }) {
  const pairs = chainPairs(model.chain);
  const cells = new Map(); // pair key → td content holder
  const bar = progressBar("Reading changed sizes");
  bar.hidden = true;
  const errorHost = h("div.changes-error");
  const total = h("p.changes-total", { dataset: { testid: "changes-total" }, "aria-live": "polite" });
  let run = null; // AbortController of the current run

  const button = h(
    "button.btn.btn-small",
    { type: "button", id: "show-changes", on: { click: () => (run ? run.abort() : start()) } },
    "Show changed sizes",
  );
  const auto = h("input", { type: "checkbox", id: "changes-background" });
  auto.checked = changesPrefs.background;
  auto.addEventListener("change", () => {
    changesPrefs.background = auto.checked;
    if (auto.checked && !run) start();
  });

  const fill = (pair) => {
    const cell = cells.get(pair.key);
    if (!cell) return;
    const r = changesCache.get(pair.key);
    if (!r) return;
    const size = provisionedBytes(pair.snap, model.disk);
    cell.dataset.bytes = String(r.changedBytes);
    cell.dataset.cleared = String(r.clearedBytes);
    mount(
      cell,
      h("span.changed-bytes", { title: `${r.changedBytes.toLocaleString()} bytes` }, fmtBytes(r.changedBytes)),
      size ? h("span.muted.small", ` · ${pct(r.changedBytes, size)} of ${fmtBytes(size)}`) : null,
      r.clearedBytes
        ? h(
            "span.muted.small.changed-cleared",
            { title: `${r.clearedBytes.toLocaleString()} bytes` },
            ` · ${fmtBytes(r.clearedBytes)} cleared`,
          )
        : null,
    );
  };

  const renderTotal = () => {
    const done = pairs.filter((p) => changesCache.has(p.key));
    if (!done.length) {
      mount(total);
      return;
    }
    const used = done.reduce((n, p) => n + changesCache.get(p.key).changedBytes, 0);
    const provisioned = pairs.reduce((n, p) => n + (provisionedBytes(p.snap, model.disk) || 0), 0);
    total.dataset.usedBytes = String(used);
    total.dataset.complete = String(done.length === pairs.length);
    mount(
      total,
      h("strong", "True size of the chain: "),
      h("span.changes-used", fmtBytes(used)),
      ` held by ${plural(done.length, "snapshot")}`,
      done.length < pairs.length ? ` (${pairs.length - done.length} not read yet)` : "",
      provisioned
        ? [
            ", against ",
            h("span.changes-provisioned", fmtBytes(provisioned)),
            " provisioned in all (",
            pct(used, provisioned),
            ")",
          ]
        : "",
      ". ",
      h(
        "span.muted",
        "Azure bills incremental snapshots by the bytes they hold, not by their provisioned size, which is all Azure lists for them.",
      ),
    );
  };

  async function start() {
    if (signal.aborted || !app.session) return;
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener("abort", stop, { once: true });
    run = controller;
    button.textContent = "Stop";
    button.dataset.state = "running";
    mount(errorHost);
    bar.hidden = false;
    const todo = pairs.filter((p) => !changesCache.has(p.key));
    let n = pairs.length - todo.length;
    try {
      for (const pair of todo) {
        if (controller.signal.aborted) break;
        bar.set((n / pairs.length) * 100, `${n} of ${pairs.length} read · ${pair.snap.name}`);
        const cell = cells.get(pair.key);
        if (cell) mount(cell, h("span.muted.small", "reading…"));
        const r = await app.session.client.getSnapshotChanges(pair.snap.id, pair.older?.id, {
          signal: controller.signal,
        });
        changesCache.set(pair.key, {
          contentLength: r.contentLength,
          changedBytes: r.changedBytes,
          clearedBytes: r.clearedBytes,
          ranges: Array.isArray(r.ranges) ? r.ranges.length : r.ranges,
        });
        n++;
        fill(pair);
        renderTotal();
      }
      if (!controller.signal.aborted) bar.set(100, `${n} of ${pairs.length} read`);
    } catch (e) {
      if (!controller.signal.aborted) {
        for (const p of pairs) if (!changesCache.has(p.key) && cells.get(p.key)) mount(cells.get(p.key), "—");
        bar.set(null, `Stopped after ${n} of ${pairs.length}: an error`);
        mount(errorHost, errorCard(e, { compact: true }));
      }
    } finally {
      signal.removeEventListener("abort", stop);
      run = null;
      if (!signal.aborted) {
        button.textContent = "Show changed sizes";
        delete button.dataset.state;
        if (controller.signal.aborted) {
          bar.set(null, `Stopped after ${n} of ${pairs.length}`);
          for (const p of pairs) if (!changesCache.has(p.key) && cells.get(p.key)) mount(cells.get(p.key), "—");
        }
        button.disabled = pairs.every((p) => changesCache.has(p.key));
      }
    }
  }

  const block = h(
    "section.block.changes",
    { id: "changes", dataset: { testid: "changes" } },
    h("header.block-head", h("h2", "Changed sizes"), pairs.length ? h("div.head-actions", button) : null),
    h(
      "p.hint",
      "Azure lists only each snapshot's provisioned size (the size of its disk). What a snapshot holds, and what it is billed by, is what changed since the one before it: the page reads that from the snapshots' page ranges (a diff of each pair, the first snapshot's valid bytes), one pair at a time. Answers are kept in this tab's memory.",
    ),
    pairs.length
      ? h(
          "label.check",
          auto,
          " Read them in the background whenever a disk opens (this tab only; stops when you leave the view)",
        )
      : null,
    bar,
    total,
    errorHost,
  );

  const column = {
    label: "Changed since previous",
    render: (snap) => {
      const pair = pairs.find((p) => p.snap === snap);
      if (!pair) return "—";
      const cell = h("span.changed", { dataset: { testid: "changed", key: pair.key } }, h("span.muted.small", "—"));
      cells.set(pair.key, cell);
      queueMicrotask(() => fill(pair));
      return cell;
    },
  };

  renderTotal();
  if (pairs.length && pairs.every((p) => changesCache.has(p.key))) button.disabled = true;
  else if (changesPrefs.background && pairs.length) queueMicrotask(start);
  return { block, column };
}
