// One disk: its properties, its incremental-snapshot chain (oldest to newest) as a table and a
// timeline, orphaned chains of earlier incarnations and copies in other regions (all from one
// groupSnapshotChains pass: the report's `disks[0].snapshots`), the count against the per-disk limit, live completionPercent of
// snapshots still copying; tabs to create a snapshot and to export templates and commands.
import { h, mount, $, plural, fmtDate, fmtAgo, fmtGiB, lastSegment, sameId } from "./dom.js";
import { loading, progressBar, errorCard, diskStateBadge } from "./ui.js";
import { timelineSvg } from "./timeline.js";
import { tabs } from "./tabs.js";
import { href } from "./routes.js";
import { highlight } from "./state.js";
import { createTab } from "./create.js";
import { exportTab } from "./export.js";
import { openCopyDialog, openDeleteDialog } from "./actions.js";
import { openAccessDialog } from "./access.js";
import { openRestoreDialog } from "./restore.js";
import { syncSnapshotLinks } from "./operations-tray.js";
import { changesBlock } from "./changes.js";
import { replicateTab } from "./replicate.js";
import { deletedDiskView } from "./console.js";
import {
  createdCell,
  ageCell,
  sizeCell,
  tagsCell,
  resourceGroupCell,
  skuCell,
  stateCell,
  fmtCreated,
} from "./cells.js";

const TABS = [
  { key: "snapshots", label: "Snapshots" },
  { key: "create", label: "Create snapshot" },
  { key: "export", label: "Export" },
  { key: "replicate", label: "Replicate" },
];

const norm = (id) => `/${String(id || "").replace(/^\/+/, "")}`.toLowerCase();

/** Everything the disk view shows, from the disk and the subscription's snapshot listing. */
export function diskModel(lib, disk, all) {
  // One pass: the report carries the disk's chain (the documented rule) beside every chain.
  const report = lib.groupSnapshotChains(all, { disks: [disk] });
  const chain = report.disks[0].snapshots;
  const mine = report.chains.filter((c) => sameId(c.sourceResourceId, disk.id));
  const current = mine.find((c) => c.current && c.kind === "incremental") || null;
  const orphaned = mine.filter((c) => c.orphaned && c.kind === "incremental");
  const full = mine.filter((c) => c.kind === "full").flatMap((c) => c.snapshots);
  const sourceIds = new Set([...chain, ...orphaned.flatMap((c) => c.snapshots)].map((s) => norm(s.id)));
  const copies = report.chains
    .filter((c) => c.kind === "crossRegionCopy")
    .flatMap((c) => c.snapshots)
    .filter((s) => sourceIds.has(norm(s.properties?.creationData?.sourceResourceId)));
  const count = current?.count ?? chain.length;
  const limit = current?.limit ?? 500;
  return {
    disk,
    chain,
    current,
    orphaned,
    full,
    copies,
    count,
    limit,
    remaining: current?.remaining ?? limit - count,
    all,
  };
}

export async function renderDiskView(view, ctx) {
  const { app, signal, route: r } = ctx;
  const client = app.session.client;
  const diskId = `/subscriptions/${r.sub}/resourceGroups/${r.rg}/providers/Microsoft.Compute/disks/${r.disk}`;
  mount(view, h("h1", r.disk), loading("Reading the disk and its snapshots…"));
  const [disk, all] = await Promise.all([
    // A disk that answers 404: its leftover snapshots (console.js) instead of only "Not found".
    client.getDisk(diskId, { signal }).catch((e) => (e?.code === "NOT_FOUND" ? null : Promise.reject(e))),
    client.listSnapshots(`/subscriptions/${r.sub}`, { signal }),
  ]);
  if (signal.aborted) return;
  if (!disk) return deletedDiskView(view, ctx, diskId);
  const model = diskModel(app.lib, disk, all);
  // Operations that link to a snapshot of this disk that is gone now say so.
  syncSnapshotLinks(disk.id, all);
  const tab = TABS.some((t) => t.key === r.tab) ? r.tab : "snapshots";
  let tabRun = null;

  const diskTabs = tabs({
    label: "Disk",
    items: TABS,
    tabId: (key) => `disk-tab-${key}`,
    panelId: () => "disk-tabpanel",
    onSelect: (key, { push = true }) => {
      if (push) history.replaceState(null, "", href.disk(r.sub, r.rg, r.disk, key));
    },
    render: (key) => {
      const go = (k) => diskTabs.select(k, { focus: true });
      // What a tab starts by itself (reading changed sizes) stops when another tab is chosen.
      tabRun?.abort();
      tabRun = new AbortController();
      const tabSignal = AbortSignal.any([signal, tabRun.signal]);
      if (key === "snapshots") return snapshotsTab(app, model, { signal, tabSignal, go });
      if (key === "create") return createTab(app, model, { signal, go });
      if (key === "replicate") return replicateTab(app, model, { signal, go });
      return exportTab(app, model, { signal, go });
    },
  });

  mount(
    view,
    h(
      "header.view-head",
      h("div", h("h1", disk.name), h("p.sub", "Managed disk · ", disk.sku?.name || "", " · ", disk.location)),
      h(
        "div.head-actions",
        h(
          "button.btn.btn-primary.btn-small",
          { type: "button", id: "new-snapshot", on: { click: () => diskTabs.select("create", { focus: true }) } },
          "+ New snapshot",
        ),
        h("button.btn.btn-small", { type: "button", id: "refresh", on: { click: () => app.rerender() } }, "Refresh"),
      ),
    ),
    diskFacts(disk),
    summaryCards(model),
    diskTabs.tablist,
    diskTabs.panel,
  );
  diskTabs.select(tab, { push: false });
}

function diskFacts(disk) {
  const p = disk.properties || {};
  const facts = [
    ["Size", fmtGiB(p.diskSizeGB)],
    ["SKU", disk.sku?.name || "—"],
    ["State", diskStateBadge(p.diskState)],
    ["Location", disk.location],
    ["Zones", disk.zones?.length ? disk.zones.join(", ") : "—"],
    ["Attached VM", disk.managedBy ? h("span", { title: disk.managedBy }, lastSegment(disk.managedBy)) : "—"],
    [
      "Created",
      p.timeCreated ? h("time", { datetime: p.timeCreated, title: p.timeCreated }, fmtDate(p.timeCreated)) : "—",
    ],
  ];
  return h(
    "section.disk-facts",
    { "aria-label": "Disk properties" },
    h(
      "dl.facts-grid",
      facts.map(([k, v]) => h("div.fact", h("dt", k), h("dd", v))),
    ),
    h(
      "details.resource-id",
      h("summary", "Resource id and unique id"),
      h("p", h("code.break", disk.id)),
      h(
        "p",
        "uniqueId ",
        h("code", p.uniqueId || "—"),
        h("span.muted", " (changes when a disk is deleted and recreated under the same name)"),
      ),
    ),
  );
}

function summaryCards(m) {
  const pending = [...m.chain, ...m.copies].filter(isPending).length;
  const newest = m.chain[m.chain.length - 1];
  const orphanCount = m.orphaned.reduce((n, c) => n + c.count, 0);
  const pct = Math.min(100, (m.count / m.limit) * 100);
  const meterClass = pct >= 90 ? "bad" : pct >= 70 ? "warn" : "ok";
  const meterFill = h(`div.meter-fill.${meterClass}`);
  meterFill.style.width = `${Math.max(pct, m.count ? 0.8 : 0)}%`;
  return h(
    "section.cards",
    { "aria-label": "Summary" },
    h(
      "div.card",
      { id: "chain-count" },
      h("p.card-label", "Incremental snapshots"),
      h("p.card-value", h("span.count-value", String(m.count)), h("span.muted", ` of ${m.limit}`)),
      h("div.meter", { role: "img", "aria-label": `${m.count} of the per-disk limit of ${m.limit}` }, meterFill),
      h("p.card-note", `${m.remaining} more allowed on this disk`),
    ),
    h(
      "div.card",
      h("p.card-label", "Newest"),
      h("p.card-value.small", newest ? fmtAgo(newest.properties?.timeCreated) : "never"),
      h("p.card-note", newest ? fmtCreated(newest.properties?.timeCreated) : "No incremental snapshot yet"),
    ),
    h(
      "div.card",
      h("p.card-label", "Still copying"),
      h("p.card-value", String(pending)),
      h("p.card-note", pending ? "Not fully copied yet" : "All copies complete"),
    ),
    h(
      "div.card",
      h("p.card-label", "Orphaned"),
      h("p.card-value", String(orphanCount)),
      h(
        "p.card-note",
        m.orphaned.length
          ? `from ${plural(m.orphaned.length, "earlier incarnation")} of this disk`
          : "No earlier incarnation",
      ),
    ),
  );
}

export const isPending = (snap) =>
  typeof snap.properties?.completionPercent === "number" && snap.properties.completionPercent < 100;

function statusCell(snap) {
  const p = snap.properties || {};
  if (p.copyCompletionError)
    return h(
      "span.badge.badge-bad",
      { title: p.copyCompletionError.errorMessage },
      `Copy failed: ${p.copyCompletionError.errorCode}`,
    );
  if (p.provisioningState && p.provisioningState !== "Succeeded")
    return h("span.badge.badge-warn", p.provisioningState);
  if (isPending(snap)) {
    const bar = progressBar(`Copy of ${snap.name}`);
    bar.set(p.completionPercent, `${p.completionPercent.toFixed(0)} % copied`);
    return bar;
  }
  // Ready, and what else cells.js says of it (access granted, instant access).
  return stateCell(snap);
}

function actionsCell(app, model, snap, { copy = true } = {}) {
  const incremental = snap.properties?.incremental;
  return h(
    "div.row-actions",
    copy && incremental
      ? h(
          "button.btn.btn-small",
          {
            type: "button",
            dataset: { action: "copy" },
            "aria-label": `Copy ${snap.name} to another region`,
            disabled: isPending(snap),
            title: isPending(snap) ? "Wait until its own copy has completed" : null,
            on: { click: () => openCopyDialog(app, model, snap) },
          },
          "Copy to region…",
        )
      : null,
    h(
      "button.btn.btn-small",
      {
        type: "button",
        dataset: { action: "access" },
        "aria-label": `Access to ${snap.name}: download link and protection from deletion`,
        on: { click: () => openAccessDialog(app, model, snap) },
      },
      "Access…",
    ),
    h(
      "button.btn.btn-small",
      {
        type: "button",
        dataset: { action: "restore" },
        "aria-label": `Restore ${snap.name} to a new disk`,
        disabled: isPending(snap),
        title: isPending(snap) ? "Wait until it is fully copied" : null,
        on: { click: () => openRestoreDialog(app, snap, { disk: model.disk }) },
      },
      "Restore…",
    ),
    h(
      "button.btn.btn-small.btn-danger-ghost",
      {
        type: "button",
        dataset: { action: "delete" },
        "aria-label": `Delete ${snap.name}`,
        on: { click: () => openDeleteDialog(app, model, snap) },
      },
      "Delete…",
    ),
  );
}

function snapshotTable({
  app,
  model,
  rows,
  caption,
  testid,
  numbered = false,
  columns = [],
  copy = true,
  statusCells,
}) {
  const hl = highlight.id;
  return h(
    "div.table-wrap",
    h(
      "table.grid.stack",
      { dataset: { testid } },
      h("caption.visually-hidden", caption),
      h(
        "thead",
        h(
          "tr",
          numbered ? h("th.num", { scope: "col" }, "#") : null,
          h("th", { scope: "col" }, "Name"),
          h("th", { scope: "col" }, "Created"),
          columns.map((c) => h("th", { scope: "col" }, c.label)),
          h("th", { scope: "col" }, "Size"),
          h("th", { scope: "col" }, "Tags"),
          h("th", { scope: "col" }, "Resource group"),
          h("th", { scope: "col" }, "SKU"),
          h("th", { scope: "col" }, "Status"),
          h("th", { scope: "col" }, h("span.visually-hidden", "Actions")),
        ),
      ),
      h(
        "tbody",
        rows.length
          ? rows.map((snap, i) => {
              const status = h("td", { dataset: { label: "Status" } }, statusCell(snap));
              statusCells?.set(snap.id.toLowerCase(), status);
              const isNew = hl && snap.id.toLowerCase() === hl;
              return h(
                `tr${isNew ? ".new" : ""}`,
                { dataset: { name: snap.name, id: snap.id }, tabindex: isNew ? "-1" : null },
                numbered ? h("td.num", { dataset: { label: "#" } }, String(i + 1)) : null,
                h(
                  "td",
                  { dataset: { label: "Name" } },
                  h("span.snap-name", snap.name),
                  isNew ? h("span.badge.badge-new", "new") : null,
                ),
                // The snapshot's facts as cells.js shows them everywhere: seconds and zone, age, size, tags.
                h(
                  "td.created-td",
                  { dataset: { label: "Created" } },
                  createdCell(snap),
                  h("span.muted.small.age-line", ageCell(snap)),
                ),
                columns.map((c) => h("td", { dataset: { label: c.label } }, c.render(snap))),
                h("td", { dataset: { label: "Size" } }, sizeCell(snap)),
                h("td", { dataset: { label: "Tags" } }, tagsCell(snap.tags)),
                h("td", { dataset: { label: "Resource group" } }, resourceGroupCell(snap)),
                h("td", { dataset: { label: "SKU" } }, skuCell(snap)),
                status,
                h("td", { dataset: { label: "Actions" } }, actionsCell(app, model, snap, { copy })),
              );
            })
          : h("tr.empty", h("td", { colspan: String(8 + (numbered ? 1 : 0) + columns.length) }, "None.")),
      ),
    ),
  );
}

function snapshotsTab(app, model, { signal, tabSignal, go }) {
  const { chain, orphaned, full, copies } = model;
  const statusCells = new Map();
  const changes = changesBlock(app, model, { signal: tabSignal });
  const lanes = [
    { label: "This disk", kind: "current", snapshots: chain },
    ...orphaned.map((c, i) => ({
      label: `Orphaned chain${orphaned.length > 1 ? ` ${i + 1}` : ""}`,
      kind: "orphaned",
      snapshots: c.snapshots,
    })),
    { label: "Full snapshots", kind: "full", snapshots: full },
    ...[...new Set(copies.map((c) => c.location))].map((loc) => ({
      label: `Copies · ${loc}`,
      kind: "copy",
      snapshots: copies.filter((c) => c.location === loc),
    })),
  ];
  const figure = h(
    "figure.timeline-figure",
    // Drawn at about the width it is shown at, so it fits a phone without sideways scrolling.
    timelineSvg(lanes, {
      highlight: highlight.id,
      width: Math.round(Math.max(340, Math.min(900, window.innerWidth - 24))),
    }),
    h(
      "figcaption.legend",
      h("span.lg.lg-current", "incremental"),
      h("span.lg.lg-orphaned", "orphaned"),
      h("span.lg.lg-full", "full"),
      h("span.lg.lg-copy", "copy in another region"),
      h("span.lg.lg-pending", "still copying"),
    ),
  );

  const out = h(
    "div.snapshots-tab",
    h("section.block", h("h2", "Timeline"), figure),
    h(
      "section.block",
      h(
        "header.block-head",
        h("h2", { id: "chain-heading" }, "Incremental chain ", h("span.muted", "(oldest → newest)")),
        h("button.btn.btn-small", { type: "button", on: { click: () => go("create") } }, "+ New snapshot"),
      ),
      chain.length
        ? snapshotTable({
            app,
            model,
            rows: chain,
            caption: "Incremental snapshots of this disk, oldest first",
            testid: "chain",
            numbered: true,
            statusCells,
            columns: [changes.column],
          })
        : h(
            "p.empty-note",
            "This disk has no incremental snapshot yet. The first one is a full copy; later ones hold only the changes.",
            " ",
            h(
              "button.btn.btn-small.btn-primary",
              { type: "button", on: { click: () => go("create") } },
              "Create the first one",
            ),
          ),
    ),
    chain.length ? changes.block : null,
    copies.length
      ? h(
          "section.block",
          h("h2", "Copies in other regions"),
          h(
            "p.hint",
            "Copies of this disk's snapshots in other regions; each is usable once it is fully copied (100 %).",
          ),
          snapshotTable({
            app,
            model,
            rows: copies,
            caption: "Cross-region copies",
            testid: "copies",
            statusCells,
            copy: false,
            columns: [
              { label: "Region", render: (s) => s.location },
              { label: "Copied from", render: (s) => lastSegment(s.properties?.creationData?.sourceResourceId) },
            ],
          }),
        )
      : null,
    orphaned.length
      ? h(
          "section.block.orphaned",
          { dataset: { testid: "orphaned" } },
          h("h2", "Orphaned chains"),
          h(
            "p.hint",
            "These snapshots were taken of an earlier disk with the same name, deleted and recreated since (a different uniqueId). They are not part of this disk's chain and don't count against its limit; they still cost storage.",
          ),
          orphaned.map((c) =>
            h(
              "div.orphan-chain",
              h(
                "p.small",
                `${plural(c.count, "snapshot")} · family `,
                h("code", c.incrementalSnapshotFamilyId || "—"),
                " · the earlier disk's unique id ",
                h("code", c.sourceUniqueId || "—"),
              ),
              snapshotTable({
                app,
                model,
                rows: c.snapshots,
                caption: "Orphaned snapshots",
                testid: "orphaned-chain",
                statusCells,
              }),
            ),
          ),
        )
      : null,
    full.length
      ? h(
          "section.block",
          h("h2", "Full snapshots of this disk"),
          snapshotTable({
            app,
            model,
            rows: full,
            caption: "Full snapshots",
            testid: "full",
            statusCells,
            copy: false,
          }),
        )
      : null,
  );
  watchPending(app, model, statusCells, signal);
  const hl = highlight.id;
  if (hl) {
    queueMicrotask(() => {
      const row = out.querySelector("tr.new");
      if (row) {
        row.scrollIntoView({ block: "center" });
        row.focus({ preventScroll: true });
      }
    });
  }
  return out;
}

/** Re-read snapshots still copying until they reach 100 % (bounded; stops with the view). */
function watchPending(app, model, statusCells, signal) {
  const pending = [...model.chain, ...model.copies, ...model.orphaned.flatMap((c) => c.snapshots)].filter(isPending);
  if (!pending.length) return;
  const demo = app.session?.mode === "demo";
  const interval = demo ? 1500 : 10000;
  const maxRounds = demo ? 40 : 90;
  let round = 0;
  const left = new Map(pending.map((s) => [s.id.toLowerCase(), s]));
  const tick = async () => {
    if (signal.aborted || !app.session || round++ >= maxRounds || !left.size) return;
    for (const [key, snap] of [...left]) {
      try {
        const fresh = await app.session.client.getSnapshot(snap.id, { signal });
        const cell = statusCells.get(key);
        if (cell) mount(cell, statusCell(fresh));
        if (!isPending(fresh)) {
          left.delete(key);
          // Copy and Restore wait for the copy to complete.
          for (const btn of cell?.closest("tr")?.querySelectorAll("[data-action=copy], [data-action=restore]") || []) {
            btn.disabled = false;
            btn.removeAttribute("title");
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        const cell = statusCells.get(key);
        if (cell) mount(cell, errorCard(e, { compact: true }));
        left.delete(key);
      }
    }
    if (left.size) setTimeout(tick, interval);
    else if (!signal.aborted) {
      const c = $("#chain-count");
      if (c) c.dataset.refreshed = "true";
    }
  };
  setTimeout(tick, interval);
}
