// The browse views: subscriptions, the resource groups of a subscription, the managed disks of a
// resource group; each a searchable table whose rows link one level down (and to the Snapshots and
// Retention views of the scope).
import { h, mount, plural, fmtGiB, lastSegment } from "./dom.js";
import { searchableTable, loading, diskStateBadge } from "./ui.js";
import { href } from "./routes.js";
import { app } from "./state.js";
import { renderCrumbs, crumbsFor, subscriptionName } from "./crumbs.js";

export async function subscriptionsView(view, { signal }) {
  renderCrumbs([{ text: "Subscriptions" }]);
  mount(view, h("h1", "Subscriptions"), loading());
  const subs = await app.session.client.listSubscriptions({ signal });
  app.subs = subs;
  mount(
    view,
    h("header.view-head", h("h1", "Subscriptions"), refreshButton()),
    searchableTable({
      caption: "subscriptions",
      testid: "subscriptions",
      rows: subs,
      rowKey: (s) => s.subscriptionId,
      searchText: (s) => `${s.displayName} ${s.subscriptionId}`,
      rowLink: (s) => href.sub(s.subscriptionId),
      empty: "This account sees no subscription.",
      columns: [
        {
          label: "Name",
          render: (s) => h("a", { href: href.sub(s.subscriptionId) }, s.displayName || s.subscriptionId),
        },
        { label: "Subscription id", render: (s) => h("code", s.subscriptionId) },
        { label: "State", render: (s) => s.state || "—" },
      ],
    }),
  );
}

function refreshButton() {
  return h("button.btn.btn-small", { type: "button", id: "refresh", on: { click: () => app.rerender() } }, "Refresh");
}

function tagList(tags) {
  const entries = Object.entries(tags || {});
  if (!entries.length) return h("span.muted", "—");
  return h(
    "span.tags",
    entries.map(([k, v]) => h("span.tag", `${k}: ${v}`)),
  );
}

export async function resourceGroupsView(view, { route: r, signal }) {
  await crumbsFor(r);
  mount(view, h("h1", "Resource groups"), loading());
  const groups = await app.session.client.listResourceGroups(r.sub, { signal });
  groups.sort((a, b) => a.name.localeCompare(b.name));
  const name = await subscriptionName(r.sub, signal);
  mount(
    view,
    h(
      "header.view-head",
      h("div", h("h1", "Resource groups"), h("p.sub", name, " · ", h("code", r.sub))),
      h(
        "div.head-actions",
        h("a.btn.btn-small", { href: href.snapshots(r.sub), id: "open-snapshots" }, "Snapshots of the subscription"),
        h("a.btn.btn-small", { href: href.retention(r.sub), id: "open-retention" }, "Retention of the subscription"),
        refreshButton(),
      ),
    ),
    searchableTable({
      caption: "resource groups",
      testid: "resource-groups",
      rows: groups,
      rowKey: (g) => g.name,
      searchText: (g) =>
        `${g.name} ${g.location} ${Object.entries(g.tags || {})
          .flat()
          .join(" ")}`,
      rowLink: (g) => href.rg(r.sub, g.name),
      empty: "No resource group in this subscription.",
      columns: [
        { label: "Name", render: (g) => h("a", { href: href.rg(r.sub, g.name) }, g.name) },
        { label: "Location", render: (g) => g.location },
        { label: "Tags", render: (g) => tagList(g.tags) },
        {
          label: "Snapshots",
          render: (g) =>
            h("a", { href: href.snapshots(r.sub, g.name), "aria-label": `Snapshots of ${g.name}` }, "Snapshots…"),
        },
        {
          label: "Retention",
          render: (g) =>
            h("a", { href: href.retention(r.sub, g.name), "aria-label": `Retention of ${g.name}` }, "Retention…"),
        },
      ],
    }),
  );
}

export async function disksView(view, { route: r, signal }) {
  await crumbsFor(r);
  mount(view, h("h1", r.rg), loading());
  const scope = `/subscriptions/${r.sub}/resourceGroups/${r.rg}`;
  const disks = await app.session.client.listDisks(scope, { signal });
  disks.sort((a, b) => a.name.localeCompare(b.name));
  mount(
    view,
    h(
      "header.view-head",
      h("div", h("h1", r.rg), h("p.sub", `Managed disks · ${plural(disks.length, "disk")}`)),
      h(
        "div.head-actions",
        h("a.btn.btn-small", { href: href.snapshots(r.sub, r.rg), id: "open-snapshots" }, "Snapshots…"),
        h("a.btn.btn-small", { href: href.retention(r.sub, r.rg), id: "open-retention" }, "Retention…"),
        refreshButton(),
      ),
    ),
    searchableTable({
      caption: "disks",
      testid: "disks",
      rows: disks,
      rowKey: (d) => d.name,
      placeholder: "Filter by name, sku, state, location, VM…",
      searchText: (d) =>
        [
          d.name,
          d.sku?.name,
          d.properties?.diskState,
          d.location,
          (d.zones || []).join(" "),
          lastSegment(d.managedBy),
          d.properties?.diskSizeGB,
        ].join(" "),
      rowLink: (d) => href.disk(r.sub, r.rg, d.name),
      empty: "No managed disk in this resource group.",
      columns: [
        { label: "Name", render: (d) => h("a", { href: href.disk(r.sub, r.rg, d.name) }, d.name) },
        { label: "Size", className: "num", render: (d) => fmtGiB(d.properties?.diskSizeGB) },
        { label: "SKU", render: (d) => d.sku?.name || "—" },
        { label: "State", render: (d) => diskStateBadge(d.properties?.diskState) },
        { label: "Location", render: (d) => d.location },
        { label: "Zones", render: (d) => (d.zones?.length ? d.zones.join(", ") : "—") },
        {
          label: "Attached VM",
          render: (d) =>
            d.managedBy ? h("span", { title: d.managedBy }, lastSegment(d.managedBy)) : h("span.muted", "—"),
        },
      ],
    }),
  );
}
