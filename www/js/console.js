// The Snapshots console of a resource group or a subscription (the portal's Snapshots blade): every
// snapshot of the scope, from one listSnapshots + listDisks and one groupSnapshotChains pass, shown
// by chain (one group per chain: the disk's, a deleted or recreated disk's, full snapshots, imports,
// copies) or as one flat table sortable by any column; filters (text, kind, orphans only, resource
// group, tag key=value), a selection with one bulk delete after a typed confirmation (through the
// operations tray, one snapshot at a time, only the ids selected), and the leftovers of a deleted
// disk (`deletedDiskView`, called from the disk view's not-found path). How each fact is shown
// comes from cells.js. Changed bytes are shown where the disk view has read them (changes.js's
// cache); this view never reads diffs itself.
import { h, mount, plural, lastSegment, sameId, nextId, debounce } from "./dom.js";
import { loading, errorCard, openDialog, closeDialog, field } from "./ui.js";
import { href } from "./routes.js";
import { crumbsFor, subscriptionName } from "./crumbs.js";
import { runOperation } from "./operations-tray.js";
import { openCopyDialog, openDeleteDialog } from "./actions.js";
import { openAccessDialog } from "./access.js";
import { openRestoreDialog } from "./restore.js";
import { changesCache, chainPairs } from "./changes.js";
import { describeError } from "./errors.js";
import {
  snapshotFacts,
  KINDS,
  createdCell,
  ageCell,
  sizeCell,
  changedCell,
  skuCell,
  tagsCell,
  resourceGroupCell,
  stateCell,
  copyProgressCell,
  kindCell,
} from "./cells.js";

const norm = (id) => `/${String(id || "").replace(/^\/+/, "")}`.toLowerCase();
const isSnapshotId = (id) => /\/providers\/microsoft\.compute\/snapshots\//i.test(String(id || ""));
/** At most this many sources outside the scope are read (getDisk / getSnapshot) to tell whether they still exist. */
const MAX_LOOKUPS = 20;
/** Rows drawn at first (and per "Show more"). */
const PAGE_ROWS = 300;
const shortUid = (u) => (u ? `${String(u).slice(0, 8)}…` : "unknown");

/**
 * The actions of a row, in order: { key, label, danger?, available(row) → boolean, run(row, app) }.
 * A row is { snap, facts, group, model, diskId, diskState, orphan, chainLabel }; `model` is what the disk view's
 * dialogs (actions.js) take. Views that add actions (restore, access) push theirs here; a row
 * shows only the actions available to it, so no button is ever dead.
 */
export const rowActions = [
  {
    key: "copy",
    label: "Copy to region…",
    available: (row) => row.facts.kind === "incremental" && row.facts.state === "ready",
    run: (row, app) => openCopyDialog(app, row.model, row.snap),
  },
  {
    key: "access",
    label: "Access…",
    available: (row) => row.facts.state === "ready",
    run: (row, app) => openAccessDialog(app, row.model, row.snap),
  },
  {
    key: "restore",
    label: "Restore…",
    available: (row) => row.facts.state === "ready",
    run: (row, app) => openRestoreDialog(app, row.snap),
  },
  {
    key: "delete",
    label: "Delete…",
    danger: true,
    available: () => true,
    run: (row, app) => openDeleteDialog(app, row.model, row.snap),
  },
];

// ---- the data -------------------------------------------------------------------------------

/**
 * Read a scope: its snapshots and disks, then (bounded) the sources outside the scope that its
 * snapshots name, to tell a deleted disk or a gone copy source from one that lives elsewhere.
 * → { listing, disks, lookups: Map(normalised id → { resource } | { gone: true } | { unknown: true }) }.
 */
export async function loadScope(app, scope, signal) {
  const client = app.session.client;
  const [listing, disks] = await Promise.all([
    client.listSnapshots(scope, { signal }),
    client.listDisks(scope, { signal }),
  ]);
  const known = new Set([...listing, ...disks].map((r) => norm(r.id)));
  const wanted = [];
  for (const s of listing) {
    const src = s.properties?.creationData?.sourceResourceId;
    if (!src || known.has(norm(src)) || inScope(src, scope) || wanted.some((w) => sameId(w, src))) continue;
    if (wanted.length < MAX_LOOKUPS) wanted.push(src);
  }
  const lookups = new Map();
  for (let i = 0; i < wanted.length; i += 5) {
    await Promise.all(
      wanted.slice(i, i + 5).map(async (id) => {
        try {
          const resource = await (isSnapshotId(id)
            ? client.getSnapshot(id, { signal })
            : client.getDisk(id, { signal }));
          lookups.set(norm(id), { resource });
        } catch (e) {
          if (signal.aborted) throw e;
          lookups.set(norm(id), e?.code === "NOT_FOUND" ? { gone: true } : { unknown: true });
        }
      }),
    );
  }
  return { listing, disks, lookups };
}

const inScope = (id, scope) => norm(id).startsWith(`${norm(scope)}/`);

/**
 * The console's model: groups (one per chain, newest group first, each newest snapshot first) and
 * rows. Pure over the package's groupSnapshotChains.
 */
export function consoleModel(lib, { listing, disks, lookups = new Map() }, scope) {
  const report = lib.groupSnapshotChains(listing, { disks });
  const diskMap = new Map(disks.map((d) => [norm(d.id), d]));
  const snapMap = new Map(listing.map((s) => [norm(s.id), s]));
  const copies = listing.filter((s) => s.properties?.creationData?.createOption === "CopyStart");
  const found = (id) => diskMap.get(norm(id)) || snapMap.get(norm(id)) || lookups.get(norm(id))?.resource || null;
  const gone = (id) => !found(id) && (inScope(id, scope) || Boolean(lookups.get(norm(id))?.gone));
  /** current | recreated | deleted | unknown, of a chain's source disk. */
  const diskStatus = (chain) => {
    const d = found(chain.sourceResourceId);
    if (d) {
      if (chain.current) return "current";
      const uid = d.properties?.uniqueId;
      return !chain.sourceUniqueId || !uid || uid === chain.sourceUniqueId ? "current" : "recreated";
    }
    if (gone(chain.sourceResourceId)) return "deleted";
    return chain.orphaned ? "recreated" : "unknown";
  };
  const groups = [];
  const add = (group, snaps) => {
    const rows = snaps.map((snap) => ({ snap, facts: snapshotFacts(snap), group }));
    rows.sort((a, b) => (b.facts.created ?? -Infinity) - (a.facts.created ?? -Infinity));
    group.rows = rows;
    group.newest = rows.length ? (rows[0].facts.created ?? null) : null;
    groups.push(group);
  };
  for (const c of report.chains) {
    const src = c.sourceResourceId;
    const copyLike = c.kind === "crossRegionCopy" || isSnapshotId(src);
    if (copyLike) {
      // One group per copy family (a disk's snapshots copied to one region); each copy's own
      // source snapshot may be there, elsewhere or gone.
      const sourceDisk = (snap) =>
        found(snap.properties?.creationData?.sourceResourceId)?.properties?.creationData?.sourceResourceId;
      const diskId = c.snapshots.map(sourceDisk).find(Boolean) || null;
      const goneCount = c.snapshots.filter((snap) => gone(snap.properties?.creationData?.sourceResourceId)).length;
      const where = c.snapshots[0]?.location;
      add(
        {
          key: c.key,
          kind: "copy",
          status: goneCount ? "source-gone" : "source",
          title: `Copies${diskId ? ` of ${lastSegment(diskId)}` : ""}${where ? ` in ${where}` : ""}`,
          badge: goneCount
            ? goneCount === c.snapshots.length
              ? "source gone"
              : `${goneCount} with the source gone`
            : null,
          note: goneCount
            ? "A copy whose source snapshot no longer exists stands on its own: it can still restore a disk."
            : null,
          chainLabel: "copy",
          orphan: goneCount > 0,
          diskId,
          diskState: null,
          chain: null,
          perRow: (row) => {
            const src = row.facts.sourceResourceId;
            const g = gone(src);
            const dId = sourceDisk(row.snap) || null;
            return {
              orphan: g,
              chainLabel: g ? "copy · source gone" : "copy",
              diskId: dId,
              diskState: dId ? (diskMap.has(norm(dId)) ? "exists" : gone(dId) ? "gone" : "unknown") : null,
            };
          },
        },
        c.snapshots,
      );
      continue;
    }
    const status = diskStatus(c);
    const name = lastSegment(src);
    const full = c.kind === "full";
    const statusLabel =
      status === "deleted"
        ? "deleted disk"
        : status === "recreated"
          ? `recreated disk (old uniqueId ${shortUid(c.sourceUniqueId)})`
          : null;
    add(
      {
        key: c.key,
        kind: full ? "full" : "incremental",
        status,
        title: full ? `Full snapshots · ${name}` : name,
        badge: statusLabel,
        note:
          status === "deleted"
            ? `The disk ${name} no longer exists; its snapshots stay and still cost storage.`
            : status === "recreated"
              ? `Taken of an earlier disk named ${name}, deleted and recreated since (its uniqueId was ${c.sourceUniqueId || "unknown"}).`
              : null,
        chainLabel: full ? (statusLabel ? `full · ${statusLabel}` : "full") : statusLabel || "current",
        orphan: status === "deleted" || status === "recreated",
        diskId: src,
        diskState: status === "deleted" ? "gone" : status === "unknown" ? "unknown" : "exists",
        chain: full ? null : c.snapshots,
      },
      c.snapshots,
    );
  }
  const imported = report.unsourced.filter((s) => snapshotFacts(s).kind === "imported");
  const other = report.unsourced.filter((s) => snapshotFacts(s).kind !== "imported");
  const unsourced = (snaps, kind, title, chainLabel) => {
    if (!snaps.length) return;
    const group = { key: `unsourced|${chainLabel}`, kind, status: "none", title, chainLabel, orphan: false };
    add({ ...group, badge: null, note: null, diskId: null, diskState: null, chain: null }, snaps);
  };
  unsourced(imported, "imported", "Imported", "imported");
  unsourced(other, "other", "Without a source", "no source");
  groups.sort((a, b) => (b.newest ?? -Infinity) - (a.newest ?? -Infinity) || a.key.localeCompare(b.key));

  const rows = [];
  for (const g of groups) {
    // What the disk view has read of this chain's changed sizes (never read here).
    const changed = new Map();
    if (g.chain)
      for (const p of chainPairs(g.chain)) changed.set(norm(p.snap.id), changesCache.get(p.key)?.changedBytes);
    for (const row of g.rows) {
      row.key = norm(row.snap.id);
      row.changedBytes = typeof changed.get(row.key) === "number" ? changed.get(row.key) : null;
      Object.assign(
        row,
        { diskId: g.diskId || null, diskState: g.diskState, orphan: Boolean(g.orphan), chainLabel: g.chainLabel },
        g.perRow ? g.perRow(row) : {},
      );
      row.diskName = row.diskId ? lastSegment(row.diskId) : "";
      // What actions.js's dialogs read of a disk view's model.
      row.model = {
        disk: { id: row.diskId || row.snap.id, name: row.diskName },
        chain: g.chain || [],
        copies,
        orphaned: [],
        full: [],
        all: listing,
      };
      rows.push(row);
    }
  }
  return { groups, rows, total: report.total };
}

// ---- filters and sorting ---------------------------------------------------------------------

/** "key=value" (value compared ignoring case; "key=" an empty value) or "key" (any value) → a test of a row's tags. */
export function tagMatcher(text) {
  const t = String(text || "").trim();
  if (!t) return () => true;
  const i = t.indexOf("=");
  const key = (i < 0 ? t : t.slice(0, i)).trim().toLowerCase();
  const value =
    i < 0
      ? null
      : t
          .slice(i + 1)
          .trim()
          .toLowerCase();
  return (row) =>
    row.facts.tags.some(([k, v]) => k.toLowerCase() === key && (value === null || v.toLowerCase() === value));
}

function rowMatches(row, f) {
  if (f.kind && row.facts.kind !== f.kind) return false;
  if (f.orphans && !row.orphan) return false;
  if (f.rg && row.facts.resourceGroup.toLowerCase() !== f.rg.toLowerCase()) return false;
  if (f.tag && !tagMatcher(f.tag)(row)) return false;
  const terms = String(f.text || "")
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  if (terms.length) {
    const text = [
      row.facts.name,
      row.diskName,
      row.chainLabel,
      ...row.facts.tags.flatMap(([k, v]) => [`${k}: ${v}`, `${k}=${v}`]),
    ]
      .join(" ")
      .toLowerCase();
    if (!terms.every((t) => text.includes(t))) return false;
  }
  return true;
}

const COLUMNS = [
  { key: "name", label: "Name", sort: (r) => r.facts.name.toLowerCase() },
  { key: "disk", label: "Disk", sort: (r) => r.diskName.toLowerCase() || null, flatOnly: true },
  { key: "chain", label: "Chain", sort: (r) => r.chainLabel, flatOnly: true },
  { key: "rg", label: "Resource group", sort: (r) => r.facts.resourceGroup.toLowerCase(), subOnly: true },
  { key: "created", label: "Created", sort: (r) => r.facts.created },
  { key: "age", label: "Age", sort: (r) => (r.facts.created === null ? null : -r.facts.created) },
  { key: "size", label: "Size", sort: (r) => r.facts.sizeBytes, num: true },
  { key: "changed", label: "Changed", sort: (r) => r.changedBytes, num: true },
  { key: "sku", label: "SKU", sort: (r) => r.facts.sku || null },
  { key: "kind", label: "Kind", sort: (r) => r.facts.kind, flatOnly: true },
  { key: "tags", label: "Tags" },
  { key: "state", label: "State", sort: (r) => r.facts.state },
  { key: "progress", label: "Copy progress", sort: (r) => r.facts.completionPercent },
];

/** Rows sorted by a column, ascending or descending, stable (equal keys keep their order); no value last either way. */
export function sortRows(rows, key, dir) {
  const col = COLUMNS.find((c) => c.key === key && c.sort);
  if (!col) return rows.slice();
  const sign = dir === "desc" ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i, v: col.sort(row) }))
    .sort((a, b) => {
      const an = a.v === null || a.v === undefined;
      const bn = b.v === null || b.v === undefined;
      if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
      const c = typeof a.v === "string" ? a.v.localeCompare(b.v) : a.v - b.v;
      return c ? sign * c : a.i - b.i;
    })
    .map((x) => x.row);
}

// ---- the view ----------------------------------------------------------------------------------

/** What the user chose per scope (view, sort, filters), kept while the page is open. */
const prefsByScope = new Map();
const prefsFor = (key) => {
  if (!prefsByScope.has(key))
    prefsByScope.set(key, {
      mode: "chains",
      sort: { key: "created", dir: "desc" },
      filters: { text: "", kind: "", orphans: false, rg: "", tag: "" },
    });
  return prefsByScope.get(key);
};

/** The route's view: #/s/{sub}/snapshots or #/s/{sub}/rg/{rg}/snapshots. */
export async function snapshotsConsoleView(view, { app, signal, route: r }) {
  await crumbsFor(r);
  const scope = r.rg ? `/subscriptions/${r.sub}/resourceGroups/${r.rg}` : `/subscriptions/${r.sub}`;
  mount(view, h("h1", "Snapshots"), loading("Reading the snapshots and disks of the scope…"));
  const scopeName = r.rg || (await subscriptionName(r.sub, signal));
  const data = await loadScope(app, scope, signal);
  if (signal.aborted) return;
  const panel = consolePanel({
    app,
    signal,
    scope,
    scopeName,
    sub: r.sub,
    showRg: !r.rg,
    data,
    load: () => loadScope(app, scope, signal),
  });
  mount(
    view,
    h(
      "header.view-head",
      h(
        "div",
        h("h1", "Snapshots"),
        h("p.sub", r.rg ? "Resource group " : "Subscription ", h("strong", scopeName), " · ", h("code.break", scope)),
      ),
      h(
        "div.head-actions",
        h("a.btn.btn-small", { href: href.retention(r.sub, r.rg) }, "Retention…"),
        h("button.btn.btn-small", { type: "button", id: "refresh", on: { click: () => panel.refresh() } }, "Refresh"),
      ),
    ),
    panel,
  );
}

/**
 * A deleted disk's page (the disk view's 404): "This disk no longer exists", and its leftover
 * snapshots in the resource group (creationData.sourceResourceId is the disk's id, any uniqueId)
 * in the console's table, with the same bulk delete.
 */
export async function deletedDiskView(view, { app, signal, route: r }, diskId) {
  const scope = `/subscriptions/${r.sub}/resourceGroups/${r.rg}`;
  mount(view, h("h1", "This disk no longer exists"), loading("Looking for its leftover snapshots…"));
  const load = async () => {
    const data = await loadScope(app, scope, signal);
    return { ...data, only: (s) => sameId(s.properties?.creationData?.sourceResourceId, diskId) };
  };
  const data = await load();
  if (signal.aborted) return;
  const left = data.listing.filter(data.only);
  const panel = left.length
    ? consolePanel({ app, signal, scope, scopeName: r.rg, sub: r.sub, showRg: false, data, load, leftovers: true })
    : null;
  mount(
    view,
    h(
      "header.view-head",
      h(
        "div",
        h("h1", { dataset: { testid: "disk-gone" } }, "This disk no longer exists"),
        h("p.sub", "Managed disk ", h("strong", r.disk), " in ", r.rg, " · ", h("code.break", diskId)),
      ),
      h(
        "div.head-actions",
        h("a.btn.btn-small", { href: href.snapshots(r.sub, r.rg) }, `All snapshots of ${r.rg}`),
        panel
          ? h(
              "button.btn.btn-small",
              { type: "button", id: "refresh", on: { click: () => panel.refresh() } },
              "Refresh",
            )
          : null,
      ),
    ),
    panel
      ? h(
          "p.lead",
          { dataset: { testid: "leftover-count" } },
          `Azure answered that there is no such disk. ${plural(left.length, "snapshot")} of it ${left.length === 1 ? "is" : "are"} left in ${r.rg} (of this disk and of any earlier disk with the same name); they still cost storage until they are deleted.`,
        )
      : h(
          "p.lead",
          { dataset: { testid: "leftover-count" } },
          `Azure answered that there is no such disk, and no snapshot of it is left in ${r.rg}.`,
          " ",
          h("a", { href: href.rg(r.sub, r.rg) }, `Disks of ${r.rg}`),
        ),
    panel,
  );
}

/**
 * The console itself: filters, the by-chain / table toggle, the selection and its bulk delete.
 * `data.only` (a predicate on snapshots) restricts the rows (a deleted disk's leftovers). The
 * element has `refresh()`: read the scope again and show it, keeping the user's choices.
 */
function consolePanel({ app, signal, scope, scopeName, sub, showRg, data, load, leftovers = false }) {
  const prefs = prefsFor(`${leftovers ? "gone:" : ""}${norm(scope)}`);
  const f = prefs.filters;
  const selected = new Set();
  let model = null;
  let shown = [];

  const body = h("div.console-body");
  const resultHost = h("div", { id: "console-result" });
  const countText = h("span.console-count", { dataset: { testid: "console-count" }, "aria-live": "polite" });
  const selectAll = h("input", { type: "checkbox", id: "console-select-all" });
  const selectedText = h("span.console-selected", { dataset: { testid: "console-selected" } });
  const deleteBtn = h(
    "button.btn.btn-danger.btn-small",
    { type: "button", id: "console-delete", disabled: true, on: { click: () => confirmBulkDelete() } },
    "Delete selected…",
  );
  const clearBtn = h(
    "button.btn.btn-ghost.btn-small",
    {
      type: "button",
      id: "console-clear",
      on: {
        click: () => {
          selected.clear();
          render();
        },
      },
    },
    "Clear selection",
  );

  // Filters
  const text = h("input", {
    type: "search",
    id: nextId("console-text"),
    placeholder: "Name, disk or tag…",
    autocomplete: "off",
    spellcheck: "false",
    value: f.text,
  });
  text.dataset.filter = "text";
  const kind = h(
    "select",
    { id: nextId("console-kind"), dataset: { filter: "kind" } },
    h("option", { value: "" }, "All kinds"),
    KINDS.map((k) => h("option", { value: k }, k)),
  );
  kind.value = f.kind;
  const orphans = h("input", { type: "checkbox", id: nextId("console-orphans"), dataset: { filter: "orphans" } });
  orphans.checked = f.orphans;
  const tag = h("input", {
    type: "text",
    id: nextId("console-tag"),
    placeholder: "key=value",
    autocomplete: "off",
    spellcheck: "false",
    value: f.tag,
  });
  tag.dataset.filter = "tag";
  const rgSelect = showRg ? h("select", { id: nextId("console-rg"), dataset: { filter: "rg" } }) : null;
  const filterField = (label, input) => h("div.field", h("label", { for: input.id }, label), input);
  const filters = h(
    "div.console-filters",
    { role: "search", "aria-label": "Filter the snapshots" },
    filterField("Search", text),
    filterField("Kind", kind),
    rgSelect ? filterField("Resource group", rgSelect) : null,
    filterField("Tag", tag),
    h("div.field.check-field", h("label.check", orphans, " Orphans only")),
  );
  const readFilters = () => {
    f.text = text.value;
    f.kind = kind.value;
    f.orphans = orphans.checked;
    f.tag = tag.value;
    if (rgSelect) f.rg = rgSelect.value;
    render();
  };
  const readLater = debounce(readFilters, 120);
  for (const el of [text, tag]) el.addEventListener("input", readLater);
  for (const el of [kind, orphans, rgSelect].filter(Boolean)) el.addEventListener("change", readFilters);

  // The view toggle
  const modeBtn = (mode, label) =>
    h(
      "button.btn.btn-small.seg",
      {
        type: "button",
        id: `console-mode-${mode}`,
        dataset: { mode },
        on: {
          click: () => {
            prefs.mode = mode;
            render();
          },
        },
      },
      label,
    );
  const modes = [modeBtn("chains", "By chain"), modeBtn("table", "Table")];
  const toggle = h("div.segmented", { role: "group", "aria-label": "Show the snapshots" }, modes);

  selectAll.addEventListener("change", () => {
    for (const row of shown) {
      if (selectAll.checked) selected.add(row.key);
      else selected.delete(row.key);
    }
    render();
  });

  const bar = h(
    "div.console-bar",
    toggle,
    countText,
    h("label.check.console-all", selectAll, " Select all that match"),
    selectedText,
    clearBtn,
    deleteBtn,
  );

  const setData = (d) => {
    model = consoleModel(app.lib, d, scope);
    if (d.only) {
      model.rows = model.rows.filter((r) => d.only(r.snap));
      for (const g of model.groups) g.rows = g.rows.filter((r) => d.only(r.snap));
      model.groups = model.groups.filter((g) => g.rows.length);
    }
    const keys = new Set(model.rows.map((r) => r.key));
    for (const k of [...selected]) if (!keys.has(k)) selected.delete(k);
    if (rgSelect) {
      const rgs = [...new Set(model.rows.map((r) => r.facts.resourceGroup))].sort((a, b) => a.localeCompare(b));
      mount(
        rgSelect,
        h("option", { value: "" }, "All resource groups"),
        rgs.map((g) => h("option", { value: g }, g)),
      );
      rgSelect.value = rgs.some((g) => g.toLowerCase() === f.rg.toLowerCase())
        ? rgs.find((g) => g.toLowerCase() === f.rg.toLowerCase())
        : "";
      f.rg = rgSelect.value;
    }
  };

  const checkbox = (row) => {
    const box = h("input.console-check", {
      type: "checkbox",
      "aria-label": `Select ${row.facts.name}`,
      dataset: { id: row.snap.id },
    });
    box.checked = selected.has(row.key);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(row.key);
      else selected.delete(row.key);
      updateBar();
    });
    return box;
  };

  const cell = (col, row) => {
    switch (col.key) {
      case "name":
        return [
          h("span.snap-name", row.facts.name),
          // By chain, a row that differs from its group (a copy whose source is gone) says so.
          prefs.mode !== "table" && row.chainLabel !== row.group.chainLabel
            ? h("span.row-note.badge.badge-warn", row.chainLabel.replace(/^copy · /, ""))
            : null,
        ];
      case "disk":
        if (!row.diskId) return h("span.muted", "—");
        // A disk that is gone is struck through; one that exists (or may, outside the scope) is a link.
        return row.diskState === "gone"
          ? h(
              "span",
              { title: "This disk no longer exists" },
              h("span.gone", row.diskName),
              h("span.muted", " (deleted)"),
            )
          : h("a", { href: diskHref(sub, row.diskId), "aria-label": `Disk ${row.diskName}` }, row.diskName);
      case "chain":
        return h(`span.chain-label${row.orphan ? ".orphan" : ""}`, { title: row.group.title }, row.chainLabel);
      case "rg":
        return resourceGroupCell(row.snap);
      case "created":
        return createdCell(row.snap);
      case "age":
        return ageCell(row.snap);
      case "size":
        return sizeCell(row.snap, { changedBytes: prefs.mode === "table" ? undefined : row.changedBytes });
      case "changed":
        return changedCell(row.changedBytes);
      case "sku":
        return skuCell(row.snap);
      case "kind":
        return kindCell(row.snap);
      case "tags":
        return tagsCell(row.snap.tags);
      case "state":
        return stateCell(row.snap);
      case "progress":
        return copyProgressCell(row.snap);
      default:
        return null;
    }
  };

  const actionsFor = (row) => {
    const available = rowActions.filter((a) => a.available(row));
    return h(
      "div.row-actions",
      available.map((a) =>
        h(
          `button.btn.btn-small${a.danger ? ".btn-danger-ghost" : ""}`,
          {
            type: "button",
            dataset: { action: a.key },
            "aria-label": `${a.label.replace(/…$/, "")} ${row.facts.name}`,
            on: { click: () => a.run(row, app) },
          },
          a.label,
        ),
      ),
    );
  };

  const table = (rows, { flat, testid }) => {
    // By chain, a group shows changed bytes in its size cells and copy progress only where a row has one.
    const hasProgress = rows.some((r) => copyProgressCell(r.snap).classList.contains("progress-wrap"));
    const cols = COLUMNS.filter(
      (c) =>
        (!c.flatOnly || flat) &&
        (!c.subOnly || showRg) &&
        (flat || (c.key !== "changed" && (c.key !== "progress" || hasProgress))),
    );
    const head = cols.map((c) => {
      if (!flat || !c.sort) return h("th", { scope: "col", class: c.num ? "num" : null }, c.label);
      const sorted = prefs.sort.key === c.key;
      const dir = sorted ? prefs.sort.dir : null;
      return h(
        "th",
        {
          scope: "col",
          class: c.num ? "num" : null,
          "aria-sort": sorted ? (dir === "asc" ? "ascending" : "descending") : "none",
          dataset: { col: c.key },
        },
        h(
          "button.sort-btn",
          {
            type: "button",
            on: {
              click: () => {
                prefs.sort = { key: c.key, dir: sorted && dir === "asc" ? "desc" : sorted ? "asc" : defaultDir(c.key) };
                render();
                body.querySelector(`th[data-col="${c.key}"] .sort-btn`)?.focus();
              },
            },
          },
          c.label,
          h("span.sort-mark", { "aria-hidden": "true" }, sorted ? (dir === "asc" ? " ▲" : " ▼") : " ↕"),
        ),
      );
    });
    return h(
      "div.console-scroll",
      h("p.scroll-cue", { "aria-hidden": "true" }, "Scroll sideways for more columns →"),
      h(
        "table.grid.console-table",
        { dataset: { testid } },
        h("caption.visually-hidden", flat ? "Snapshots" : "Snapshots of this chain, newest first"),
        h(
          "thead",
          h(
            "tr",
            h("th.sel", { scope: "col" }, h("span.visually-hidden", "Select")),
            head,
            h("th", { scope: "col" }, h("span.visually-hidden", "Actions")),
          ),
        ),
        h(
          "tbody",
          rows.length
            ? rows.map((row) =>
                h(
                  `tr${row.orphan ? ".orphan-row" : ""}`,
                  {
                    dataset: {
                      name: row.facts.name,
                      id: row.snap.id,
                      kind: row.facts.kind,
                      orphan: String(row.orphan),
                    },
                  },
                  h("td.sel", checkbox(row)),
                  cols.map((c) =>
                    h("td", { class: c.num ? "num" : null, dataset: { label: c.label, col: c.key } }, cell(c, row)),
                  ),
                  h("td", { dataset: { label: "Actions" } }, actionsFor(row)),
                ),
              )
            : h(
                "tr.empty",
                h(
                  "td",
                  { colspan: String(cols.length + 2) },
                  model.rows.length ? "No snapshot matches these filters." : "No snapshot here.",
                ),
              ),
        ),
      ),
    );
  };

  const updateBar = () => {
    const n = selected.size;
    const shownKeys = new Set(shown.map((r) => r.key));
    const hidden = [...selected].filter((k) => !shownKeys.has(k)).length;
    selectedText.textContent = n
      ? `${plural(n, "snapshot")} selected${hidden ? ` (${hidden} hidden by the filters)` : ""}`
      : "";
    deleteBtn.disabled = n === 0;
    deleteBtn.textContent = n ? `Delete ${plural(n, "snapshot")}…` : "Delete selected…";
    clearBtn.hidden = n === 0;
    const shownSelected = shown.filter((r) => selected.has(r.key)).length;
    selectAll.checked = shown.length > 0 && shownSelected === shown.length;
    selectAll.indeterminate = shownSelected > 0 && shownSelected < shown.length;
    selectAll.disabled = shown.length === 0;
  };

  let limit = PAGE_ROWS;
  const render = ({ keepLimit = false } = {}) => {
    if (!keepLimit) limit = PAGE_ROWS;
    shown = model.rows.filter((r) => rowMatches(r, f));
    // The filters drawn (the text boxes apply after a short pause).
    body.dataset.text = f.text;
    body.dataset.tag = f.tag;
    countText.textContent =
      shown.length === model.rows.length
        ? plural(model.rows.length, "snapshot")
        : `${shown.length} of ${plural(model.rows.length, "snapshot")} shown`;
    for (const b of modes) b.setAttribute("aria-pressed", String(b.dataset.mode === prefs.mode));
    // At most `limit` rows are drawn (a big subscription stays quick); the rest one click away.
    // Filters, the selection and "select all" work on every matching row, drawn or not.
    const more = (left) =>
      left > 0
        ? h(
            "p.console-more",
            h(
              "button.btn.btn-small",
              {
                type: "button",
                id: "console-more",
                on: {
                  click: () => {
                    limit += PAGE_ROWS;
                    render({ keepLimit: true });
                  },
                },
              },
              `Show ${Math.min(PAGE_ROWS, left)} more`,
            ),
            h("span.muted.small", ` ${left} not drawn yet`),
          )
        : null;
    if (prefs.mode === "table") {
      const sorted = sortRows(shown, prefs.sort.key, prefs.sort.dir);
      mount(body, table(sorted.slice(0, limit), { flat: true, testid: "console-table" }), more(sorted.length - limit));
    } else {
      const visible = new Set(shown.map((r) => r.key));
      let budget = limit;
      const groups = [];
      for (const g of model.groups) {
        const all = g.rows.filter((r) => visible.has(r.key));
        if (!all.length || budget <= 0) continue;
        groups.push({ g, all, rows: all.slice(0, budget) });
        budget -= all.length;
      }
      mount(
        body,
        groups.length
          ? groups.map(({ g, all, rows }) =>
              h(
                `section.console-group${g.orphan ? ".orphan" : ""}`,
                { dataset: { testid: "console-group", kind: g.kind, status: g.status, key: g.key } },
                h(
                  "header.console-group-head",
                  h("h3", g.title),
                  g.badge ? h(`span.badge.${g.orphan ? "badge-warn" : "badge-muted"}`, g.badge) : null,
                  h("span.badge.badge-muted", g.kind === "incremental" ? "incremental chain" : g.kind),
                  h(
                    "span.muted.small",
                    plural(all.length, "snapshot"),
                    rows.length < all.length ? ` (${rows.length} drawn)` : "",
                  ),
                  g.diskId && g.diskState !== "gone"
                    ? h("a.small", { href: diskHref(sub, g.diskId) }, "Open the disk")
                    : null,
                ),
                g.note ? h("p.hint", g.note) : null,
                table(rows, { flat: false, testid: "console-chain" }),
              ),
            )
          : h("p.empty-note", model.rows.length ? "No snapshot matches these filters." : "No snapshot here."),
        more(shown.length - limit),
      );
    }
    updateBar();
    queueMicrotask(markOverflow);
  };

  /** Show the scroll cue only under tables wider than their box. */
  const markOverflow = () => {
    for (const wrap of body.querySelectorAll(".console-scroll")) {
      const v = String(wrap.scrollWidth > wrap.clientWidth + 1);
      if (wrap.dataset.overflow !== v) wrap.dataset.overflow = v;
    }
  };
  if (typeof ResizeObserver === "function") {
    // Only a new width can change what overflows; the cue is set in the next frame, outside the
    // observer's callback (a change of height inside it would be a resize loop).
    let width = -1;
    const ro = new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1].contentRect.width);
      if (w === width) return;
      width = w;
      requestAnimationFrame(markOverflow);
    });
    ro.observe(body);
    signal.addEventListener("abort", () => ro.disconnect(), { once: true });
  }

  // ---- bulk delete ----
  const confirmBulkDelete = () => {
    // The ids are fixed here: only these are deleted, whatever appears or changes meanwhile.
    const targets = model.rows
      .filter((r) => selected.has(r.key))
      .map((r) => ({ id: r.snap.id, name: r.facts.name, rg: r.facts.resourceGroup, row: r }));
    if (!targets.length) return;
    const n = targets.length;
    const phrase = `delete ${plural(n, "snapshot")}`;
    const input = h("input", {
      type: "text",
      name: "confirm",
      id: "console-confirm",
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": `Type ${phrase} to confirm`,
    });
    const ok = () => input.value.trim().replace(/\s+/g, " ").toLowerCase() === phrase;
    const submit = h(
      "button.btn.btn-danger",
      { type: "submit", id: "console-confirm-submit", disabled: true },
      `Delete ${plural(n, "snapshot")}`,
    );
    input.addEventListener("input", () => {
      submit.disabled = !ok();
    });
    const copying = new Set(
      model.rows
        .filter((r) => r.facts.kind === "copy" && r.facts.state === "copying")
        .map((r) => norm(r.facts.sourceResourceId)),
    );
    const feeding = targets.filter((t) => copying.has(norm(t.id)));
    const onSubmit = (ev) => {
      ev.preventDefault();
      if (!ok()) return;
      closeDialog("delete");
      // Out of the selection while they are deleted (a second delete cannot pick them again);
      // the ones that fail come back.
      for (const x of targets) selected.delete(norm(x.id));
      render({ keepLimit: true });
      bulkDelete(targets);
    };
    openDialog({
      title: `Delete ${plural(n, "snapshot")}?`,
      body: h(
        "form.form",
        { novalidate: true, on: { submit: onSubmit } },
        h(
          "p.danger-text",
          "This permanently deletes these ",
          h("strong", plural(n, "snapshot")),
          ". It cannot be undone.",
        ),
        h(
          "ul.console-confirm-list",
          { dataset: { testid: "confirm-list" } },
          targets.map((t) => h("li", h("span.confirm-name", t.name), h("span.muted", ` · ${t.rg}`))),
        ),
        feeding.length
          ? h(
              "p.warn-text",
              `${plural(feeding.length, "of them is", "of them are")} the source of a copy still in progress (${feeding.map((t) => t.name).join(", ")}); deleting it makes that copy fail.`,
            )
          : null,
        h("p.hint", "Snapshots created after this dialog opened, and any not in the list above, are not touched."),
        field({ label: h("span", "Type ", h("code", phrase), " to confirm"), input }),
        h("div.actions", submit, h("button.btn", { type: "button", on: { click: () => closeDialog() } }, "Keep them")),
      ),
    });
  };

  const bulkDelete = async (targets) => {
    const client = app.session.client;
    const total = targets.length;
    const outcome = await runOperation({
      title: `Delete ${plural(total, "snapshot")} in ${scopeName}`,
      kind: "delete",
      run: async ({ signal: opSignal, onProgress }) => {
        const done = { deleted: [], gone: [], failed: [], cancelled: false, total };
        for (let i = 0; i < total; i++) {
          if (opSignal.aborted) break;
          const t = targets[i];
          onProgress({ done: i, total, name: t.name });
          try {
            const r = await client.deleteSnapshot(t.id, { signal: opSignal });
            (r?.deleted === false ? done.gone : done.deleted).push(t);
          } catch (e) {
            if (opSignal.aborted) break;
            done.failed.push({ ...t, error: e });
          }
        }
        done.cancelled = opSignal.aborted;
        onProgress({ done: done.deleted.length + done.gone.length + done.failed.length, total });
        return done;
      },
      describe: (p) => ({
        text: p.name ? `Deleting ${p.name} (${p.done + 1} of ${p.total})` : `${p.done} of ${p.total} done`,
        percent: (p.done / p.total) * 100,
        caption: `${p.done} of ${p.total}`,
      }),
      successText: (r) =>
        [
          `${r.deleted.length} of ${r.total} deleted`,
          r.gone.length ? `${r.gone.length} did not exist any more` : null,
          r.failed.length ? `${r.failed.length} failed` : null,
          r.cancelled ? "the rest cancelled" : null,
        ]
          .filter(Boolean)
          .join(", ") + ".",
    });
    const r = outcome.ok ? outcome.result : null;
    // What failed, or was never tried (cancelled), is selected again.
    const gone = new Set(r ? [...r.deleted, ...r.gone].map((x) => norm(x.id)) : []);
    for (const x of targets) if (!gone.has(norm(x.id))) selected.add(norm(x.id));
    if (signal.aborted) return;
    mount(resultHost, resultBlock(outcome));
    await refresh();
    resultHost.scrollIntoView?.({ block: "nearest" });
  };

  const refresh = async () => {
    const wait = h("div", loading("Reading the snapshots again…"));
    body.before(wait);
    try {
      const d = await load();
      if (signal.aborted) return;
      setData(d);
      render();
    } catch (e) {
      if (!signal.aborted) resultHost.append(errorCard(e, { compact: true }));
    } finally {
      wait.remove();
    }
  };

  setData(data);
  render();
  const el = h(
    "section.console",
    { dataset: { testid: leftovers ? "leftovers" : "console" } },
    // A deleted disk's few leftovers need no filters.
    leftovers ? null : filters,
    bar,
    resultHost,
    body,
  );
  el.refresh = refresh;
  return el;
}

const defaultDir = (key) => (["created", "size", "changed", "progress"].includes(key) ? "desc" : "asc");

function diskHref(sub, diskId) {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/disks\/([^/]+)$/i.exec(String(diskId));
  return m ? href.disk(sub, m[1], m[2]) : href.sub(sub);
}

/** What a bulk delete did: counts, and each failure by name with a plain message. */
function resultBlock(outcome) {
  if (!outcome.ok)
    return h(
      "section.block.console-result",
      { dataset: { testid: "console-result", state: "failed" } },
      h("h2", "The delete did not run"),
      errorCard(outcome.error, { compact: true }),
    );
  const r = outcome.result;
  const state = r.failed.length ? "partial" : r.cancelled ? "cancelled" : "done";
  return h(
    "section.block.console-result",
    { dataset: { testid: "console-result", state } },
    h(
      "h2",
      `${plural(r.deleted.length, "snapshot")} deleted`,
      r.failed.length ? `, ${r.failed.length} failed` : "",
      r.cancelled ? " (cancelled)" : "",
    ),
    r.gone.length ? h("p.hint", `${plural(r.gone.length, "snapshot")} did not exist any more.`) : null,
    r.failed.length
      ? h(
          "ul.console-failed",
          { dataset: { testid: "console-failed" } },
          r.failed.map((x) => {
            const d = describeError(x.error);
            return h(
              "li",
              { dataset: { name: x.name } },
              h("strong.confirm-name", x.name),
              `: ${d.title}. ${d.message}`,
            );
          }),
        )
      : null,
  );
}
