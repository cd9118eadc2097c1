// The router over the hash routes of routes.js (subscription → resource group → disk): each
// navigation aborts the previous view's reads, renders the view, and ends in an error card with
// "Try again" (and "Sign in again" / "Go back up" where they help) when the view cannot load.
import { h, mount, $ } from "./dom.js";
import { errorCard } from "./ui.js";
import { href, parseRoute, upOne } from "./routes.js";
import { app } from "./state.js";
import { signInAgainButton } from "./session.js";
import { renderCrumbs, crumbsFor } from "./crumbs.js";
import { connectView } from "./connect.js";
import { subscriptionsView, resourceGroupsView, disksView } from "./browse.js";
import { renderDiskView } from "./disk.js";
import { retentionView } from "./retention.js";
import { snapshotsConsoleView } from "./console.js";

export async function route() {
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
    else if (r.name === "retention") await retentionView(view, ctx);
    else if (r.name === "snapshots") await snapshotsConsoleView(view, ctx);
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
