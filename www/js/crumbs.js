// The breadcrumbs (Subscriptions › subscription › resource group › disk) and the subscription
// names they show (the session's cached subscription list).
import { h, mount, $ } from "./dom.js";
import { href } from "./routes.js";
import { app } from "./state.js";

export function renderCrumbs(items) {
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

export async function subscriptionName(sub, signal) {
  if (!app.subs) {
    try {
      app.subs = await app.session.client.listSubscriptions({ signal });
    } catch {
      return sub;
    }
  }
  return app.subs.find((s) => s.subscriptionId === sub)?.displayName || sub;
}

export async function crumbsFor(r) {
  const items = [{ text: "Subscriptions", href: href.subs() }];
  if (r.sub) items.push({ text: await subscriptionName(r.sub, app.view.signal), href: href.sub(r.sub) });
  if (r.rg) items.push({ text: r.rg, href: href.rg(r.sub, r.rg) });
  if (r.disk) items.push({ text: r.disk, href: href.disk(r.sub, r.rg, r.disk) });
  if (r.name === "retention") items.push({ text: "Retention", href: href.retention(r.sub, r.rg) });
  if (r.name === "snapshots") items.push({ text: "Snapshots", href: href.snapshots(r.sub, r.rg) });
  renderCrumbs(items);
}
