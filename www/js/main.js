// The entry module (www/index.html loads it; it boots the app on import, so no other module imports
// it): boot, connection, the router over the hash routes of routes.js (subscription → resource
// group → disk), header and breadcrumbs, and the browse views. The shared state is in state.js; the
// disk view (chain, create, copy, delete, export) is in disk.js. Every failure ends in an error
// card on the page, never a blank screen.
import { h, mount, $, plural, fmtGiB, lastSegment } from "./dom.js";
import { loadPackage } from "./pkg.js";
import { clouds, detectEmulator, demoSession, tokenSession, entraSignIn, resumeEntraRedirect } from "./auth.js";
import { errorCard, showAlert, clearAlerts, toast, searchableTable, loading, field, diskStateBadge } from "./ui.js";
import { cancelAll } from "./ops.js";
import { renderDiskView } from "./disk.js";
import { tabs } from "./tabs.js";
import { href, parseRoute, upOne } from "./routes.js";
import { app } from "./state.js";

// The views get `app` (state.js) in their context; the actions that need the router or the
// session are installed here, so no module has to import this one.
Object.assign(app, { rerender: () => route(), signOut, showError });

// ---------------------------------------------------------------------------------------------
// Boot

window.addEventListener("error", (ev) => {
  showAlert(errorCard(ev.error || new Error(ev.message)));
});
window.addEventListener("unhandledrejection", (ev) => {
  showAlert(errorCard(ev.reason));
});

async function boot() {
  const main = $("#main");
  try {
    const [lib, emulator] = await Promise.all([loadPackage(), detectEmulator()]);
    app.lib = lib;
    app.emulator = emulator;
  } catch (e) {
    mount(
      main,
      h(
        "section.panel",
        h("h1", "The page could not start"),
        errorCard(e, {
          actions: [h("button.btn", { type: "button", on: { click: () => location.reload() } }, "Reload")],
        }),
      ),
    );
    return;
  }
  try {
    const resumed = await resumeEntraRedirect(app.lib);
    if (resumed) {
      setSession(resumed);
      if (resumed.returnTo) history.replaceState(null, "", `${location.pathname}${location.search}${resumed.returnTo}`);
      else history.replaceState(null, "", `${location.pathname}${location.search}`);
    }
  } catch (e) {
    showAlert(errorCard(e));
  }
  window.addEventListener("hashchange", route);
  document.documentElement.dataset.ready = "true";
  route();
}

function setSession(session) {
  app.session = session;
  app.subs = null;
  renderSession();
}

async function signOut({ reason } = {}) {
  const s = app.session;
  cancelAll();
  app.session = null;
  app.subs = null;
  app.view?.abort();
  if (s) await s.signOut();
  renderSession();
  clearAlerts();
  if (reason) toast(reason);
  else toast("Signed out. The token is forgotten.");
  if (location.hash !== href.connect()) location.hash = href.connect();
  else route();
}

/** An error from an action (not a view load): a dismissible alert at the top. */
function showError(e, { retry } = {}) {
  const actions = [];
  if (retry)
    actions.push(
      h(
        "button.btn",
        {
          type: "button",
          on: {
            click: (ev) => {
              ev.target.closest(".alert")?.remove();
              retry();
            },
          },
        },
        "Try again",
      ),
    );
  if (e?.code === "UNAUTHORIZED" && app.session) actions.push(signInAgainButton());
  return showAlert(errorCard(e, { actions }));
}

function signInAgainButton() {
  return h(
    "button.btn.btn-primary",
    {
      type: "button",
      dataset: { action: "sign-in-again" },
      on: { click: () => signOut({ reason: "Signed out. Connect again to continue." }) },
    },
    "Sign in again",
  );
}

// ---------------------------------------------------------------------------------------------
// Header: session and demo banner

function renderSession() {
  const host = $("#session");
  const banner = $("#demo-banner");
  const s = app.session;
  document.documentElement.dataset.mode = s?.mode || "none";
  if (!s) {
    mount(host, h("span.muted", "Not connected"));
    banner.hidden = true;
    mount(banner);
    return;
  }
  const badge =
    s.mode === "demo"
      ? h("span.badge.badge-demo", "DEMO")
      : h("span.badge.badge-cloud", s.cloud === "AzureCloud" ? "Azure" : clouds()[s.cloud].label);
  let extra = null;
  if (s.mode === "token" && s.expiresAt) {
    const mins = Math.round((s.expiresAt - Date.now()) / 60000);
    extra = h("span.muted.small", mins > 0 ? `token expires in ${mins} min` : "token has expired");
  }
  mount(
    host,
    badge,
    h("span.session-label", s.user ? `${s.user}` : s.label),
    extra,
    h("button.btn.btn-small", { type: "button", id: "sign-out", on: { click: () => signOut() } }, "Sign out"),
  );
  if (s.mode === "demo") {
    banner.hidden = false;
    mount(
      banner,
      h(
        "p",
        h("strong", "Demo mode."),
        " This page is talking to a local ARM emulator with sample data on this machine, not to Azure. Nothing you do here touches a real subscription.",
      ),
      h(
        "div.simulate",
        h("span.simulate-label", { id: "simulate-label" }, "Simulate a problem:"),
        h(
          "div.simulate-buttons",
          { role: "group", "aria-labelledby": "simulate-label" },
          simButton("throttle", "Throttling (429)", simulateThrottle),
          simButton("expired", "Expired token (401)", () => simulateToken("expired")),
          simButton("forbidden", "Missing permission (403)", () => simulateToken("forbidden")),
          simButton("notfound", "Not found (404)", simulateNotFound),
        ),
      ),
    );
  } else {
    banner.hidden = true;
    mount(banner);
  }
}

function simButton(key, label, fn) {
  return h("button.btn.btn-small.btn-ghost", { type: "button", dataset: { simulate: key }, on: { click: fn } }, label);
}

async function simulateThrottle() {
  // The client retries 3 times; four 429s in a row exhaust it on the next read.
  try {
    const r = await fetch(new URL("/__emulator/faults", location.href), {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-secret": app.emulator?.controlSecret ?? "" },
      body: JSON.stringify({ route: "GET *", kind: "throttle", count: 4, retryAfter: 1 }),
    });
    if (!r.ok) throw new Error(`the emulator answered ${r.status}`);
    toast("The next read will be throttled (429 with Retry-After) four times in a row.");
  } catch (e) {
    showError(e);
    return;
  }
  app.rerender();
}

function simulateToken(token) {
  app.session?.setDemoToken?.(token);
  toast(token === "expired" ? "The demo token now counts as expired." : "The demo token now lacks permissions.");
  app.rerender();
}

function simulateNotFound() {
  const r = parseRoute(location.hash);
  const sub = r.sub || app.session?.info?.seedInfo?.subscriptionId;
  const rg = r.rg || app.session?.info?.seedInfo?.resourceGroups?.[0];
  if (!sub || !rg) return;
  location.hash = href.disk(sub, rg, "disk-that-was-deleted");
}

// ---------------------------------------------------------------------------------------------
// Router

async function route() {
  app.view?.abort();
  const controller = new AbortController();
  app.view = controller;
  const r = parseRoute(location.hash);
  const main = $("#main");
  if (!app.session && r.name !== "connect" && r.name !== "home" && r.name !== "notfound")
    app.pendingRoute = location.hash;
  if (!app.session || r.name === "connect") {
    renderCrumbs([]);
    mount(main, connectView());
    focusHeading();
    return;
  }
  if (r.name === "home") {
    location.replace(href.subs());
    return;
  }
  if (r.name === "notfound") {
    renderCrumbs([]);
    mount(
      main,
      h(
        "section.panel",
        h("h1", { tabindex: "-1" }, "There is no such page"),
        h("p", h("a", { href: href.subs() }, "Go to your subscriptions")),
      ),
    );
    focusHeading();
    return;
  }
  const view = h("section.view");
  mount(main, view);
  const ctx = { app, signal: controller.signal, route: r };
  try {
    if (r.name === "subs") await subscriptionsView(view, ctx);
    else if (r.name === "sub") await resourceGroupsView(view, ctx);
    else if (r.name === "rg") await disksView(view, ctx);
    else if (r.name === "disk") {
      await crumbsFor(r);
      await renderDiskView(view, ctx);
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    renderViewError(view, e);
  }
  if (!controller.signal.aborted) focusHeading();
}

function renderViewError(view, e) {
  const actions = [
    h("button.btn", { type: "button", dataset: { action: "retry" }, on: { click: () => app.rerender() } }, "Try again"),
  ];
  if (e?.code === "UNAUTHORIZED") actions.unshift(signInAgainButton());
  if (e?.code === "NOT_FOUND") actions.push(h("a.btn", { href: upOne(location.hash) }, "Go back up"));
  mount(view, h("section.panel", h("h1", { tabindex: "-1" }, "This could not be shown"), errorCard(e, { actions })));
}

let focusNext = false;
function focusHeading() {
  // Move focus to the new view's heading after navigation (not on the first load).
  if (!focusNext) {
    focusNext = true;
    return;
  }
  const h1 = $("#main h1");
  if (h1) {
    if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    h1.focus({ preventScroll: false });
  }
}

function renderCrumbs(items) {
  const nav = $("#crumbs");
  if (!items.length) {
    mount(nav);
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  mount(
    nav,
    h(
      "ol",
      items.map((it, i) =>
        h(
          "li",
          i === items.length - 1 ? h("span", { "aria-current": "page" }, it.text) : h("a", { href: it.href }, it.text),
        ),
      ),
    ),
  );
}

async function subscriptionName(sub, signal) {
  if (!app.subs) {
    try {
      app.subs = await app.session.client.listSubscriptions({ signal });
    } catch {
      return sub;
    }
  }
  return app.subs.find((s) => s.subscriptionId === sub)?.displayName || sub;
}

async function crumbsFor(r) {
  const items = [{ text: "Subscriptions", href: href.subs() }];
  if (r.sub) items.push({ text: await subscriptionName(r.sub, app.view.signal), href: href.sub(r.sub) });
  if (r.rg) items.push({ text: r.rg, href: href.rg(r.sub, r.rg) });
  if (r.disk) items.push({ text: r.disk, href: href.disk(r.sub, r.rg, r.disk) });
  renderCrumbs(items);
}

// ---------------------------------------------------------------------------------------------
// Connect

function connectView() {
  const p = app.params;
  const demoAvailable = Boolean(app.emulator);
  const initial = p.get("mode") || (demoAvailable ? "demo" : "entra");
  const choices = [
    demoAvailable ? { key: "demo", label: "Demo", panel: demoPanel } : null,
    { key: "entra", label: "Sign in with Microsoft Entra ID", panel: entraPanel },
    { key: "token", label: "Paste an access token", panel: tokenPanel },
  ].filter(Boolean);
  const active = choices.find((t) => t.key === initial) ? initial : choices[0].key;
  const connectTabs = tabs({
    label: "How to connect",
    items: choices,
    tabId: (key) => `tab-${key}`,
    panelId: (key) => `panel-${key}`,
    render: (key) => choices.find((t) => t.key === key).panel(),
  });
  connectTabs.select(active);
  return h(
    "section.panel.connect",
    h("h1", "Connect"),
    h(
      "p.lead",
      "Back up Azure managed disks with incremental snapshots: browse your disks, see each disk's snapshot chain, create, copy to another region, delete, and export ARM templates and commands.",
    ),
    connectTabs.tablist,
    h("div.tab-panels", connectTabs.panel),
  );
}

function connectError(host, e) {
  mount(host, errorCard(e, { compact: true }));
}

async function afterConnect(session, host) {
  // Prove the connection with a first read before switching views.
  try {
    const subs = await session.client.listSubscriptions();
    setSession(session);
    app.subs = subs;
    clearAlerts();
    const target = app.pendingRoute;
    app.pendingRoute = null;
    if (target) {
      if (target !== location.hash) location.hash = target;
      else route();
    } else if (subs.length === 1) location.hash = href.sub(subs[0].subscriptionId);
    else location.hash = href.subs();
  } catch (e) {
    await session.signOut();
    connectError(host, e);
  }
}

function demoPanel() {
  const out = h("div.connect-result");
  const info = app.emulator?.seedInfo;
  const btn = h(
    "button.btn.btn-primary.btn-large",
    {
      type: "button",
      id: "connect-demo",
      on: {
        click: async () => {
          btn.disabled = true;
          mount(out, loading("Connecting to the local emulator…"));
          await afterConnect(demoSession(app.lib, app.emulator), out);
          btn.disabled = false;
        },
      },
    },
    "Open the demo",
  );
  return h(
    "div",
    h(
      "p",
      h("span.badge.badge-demo", "DEMO"),
      " A local ARM emulator started by ",
      h("code", "npm start"),
      " answers on this origin with sample data",
      info
        ? ` (${plural(info.resourceGroups.length, "resource group")}, ${plural(info.disks.length, "disk")}, ${plural(info.snapshots, "snapshot")})`
        : "",
      ". No Azure account is needed and nothing reaches Azure.",
    ),
    btn,
    out,
  );
}

function cloudSelect(value) {
  return h(
    "select",
    { value: clouds()[value] ? value : "AzureCloud" },
    Object.entries(clouds()).map(([k, c]) => h("option", { value: k }, c.label)),
  );
}

function entraPanel() {
  const p = app.params;
  const out = h("div.connect-result");
  const cloud = cloudSelect(p.get("cloud"));
  const clientId = h("input", {
    type: "text",
    value: p.get("clientId") || p.get("client_id") || "",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "00000000-0000-0000-0000-000000000000",
  });
  const tenant = h("input", {
    type: "text",
    value: p.get("tenant") || "organizations",
    autocomplete: "off",
    spellcheck: "false",
  });
  const interaction = h(
    "select",
    { value: p.get("interaction") === "redirect" ? "redirect" : "popup" },
    h("option", { value: "popup" }, "Pop-up window"),
    h("option", { value: "redirect" }, "Redirect this page"),
  );
  const form = h(
    "form.form",
    {
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          mount(out, loading("Signing in…"));
          try {
            const session = await entraSignIn(app.lib, {
              clientId: clientId.value.trim(),
              tenant: tenant.value.trim(),
              cloud: cloud.value,
              interaction: interaction.value,
            });
            await afterConnect(session, out);
          } catch (e) {
            connectError(out, e);
          }
        },
      },
    },
    h(
      "div.form-grid",
      field({ label: "Cloud", input: cloud }),
      field({
        label: "Application (client) id",
        input: clientId,
        hint: "An app registration with a single-page-application redirect URI of this page's address and the Azure Service Management permission (user_impersonation).",
      }),
      field({ label: "Tenant", input: tenant, hint: "A tenant id or domain, or organizations." }),
      field({ label: "Sign-in window", input: interaction }),
    ),
    h(
      "p.hint",
      "Scope requested: ",
      h("code.scope", `${clouds()[cloud.value]?.arm}/.default`),
      ". The library is loaded only now, keeps tokens in memory, and forgets them when you sign out. Settings can also come from the address: ",
      h("code", "?clientId=…&tenant=…&cloud=…"),
      ".",
    ),
    h("button.btn.btn-primary", { type: "submit" }, "Sign in"),
    out,
  );
  cloud.addEventListener("change", () => {
    form.querySelector("code.scope").textContent = `${clouds()[cloud.value].arm}/.default`;
  });
  return form;
}

function tokenPanel() {
  const out = h("div.connect-result");
  const cloud = cloudSelect(app.params.get("cloud"));
  const token = h("textarea.token", {
    rows: "4",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "eyJ0eXAiOiJKV1Qi…",
  });
  const cmd = h("code.cmd");
  const setCmd = () => {
    cmd.textContent = `az account get-access-token --resource ${clouds()[cloud.value].arm}/ --query accessToken -o tsv`;
  };
  setCmd();
  cloud.addEventListener("change", setCmd);
  return h(
    "form.form",
    {
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          let session;
          try {
            session = tokenSession(app.lib, { cloud: cloud.value, token: token.value });
          } catch (e) {
            connectError(out, e);
            return;
          }
          token.value = ""; // the session holds it now; don't leave it in the DOM
          mount(out, loading(`Connecting to ${clouds()[cloud.value].arm}…`));
          await afterConnect(session, out);
        },
      },
    },
    h(
      "div.form-grid",
      field({ label: "Cloud", input: cloud }),
      field({
        label: "Access token",
        input: token,
        hint: "Kept in this tab's memory only; gone when you sign out or close the tab.",
      }),
    ),
    h("p.hint", "Get one with: ", cmd),
    h("button.btn.btn-primary", { type: "submit" }, "Connect"),
    out,
  );
}

// ---------------------------------------------------------------------------------------------
// Browse

async function subscriptionsView(view, { signal }) {
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

async function resourceGroupsView(view, { route: r, signal }) {
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
      refreshButton(),
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
      ],
    }),
  );
}

async function disksView(view, { route: r, signal }) {
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
      refreshButton(),
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

boot();
