// The demo banner under the header (demo mode only): it says the page talks to the local ARM
// emulator, not to Azure, and offers buttons that make the emulator simulate a problem (429, 401,
// 403, 404) so the error cards can be seen.
import { h, mount } from "./dom.js";
import { toast } from "./ui.js";
import { href, parseRoute } from "./routes.js";
import { app } from "./state.js";

/** Fill `banner` for the session `s` (hidden unless it is a demo session). */
export function renderDemoBanner(banner, s) {
  if (s?.mode !== "demo") {
    banner.hidden = true;
    mount(banner);
    return;
  }
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
        s?.forbidden
          ? simButton("restore", "Give the permission back", restorePermission)
          : simButton("forbidden", "Missing permission (403)", () => simulateToken("forbidden")),
        simButton("notfound", "Not found (404)", simulateNotFound),
      ),
    ),
  );
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
    app.showError(e);
    return;
  }
  app.rerender();
}

async function simulateToken(token) {
  const change = app.session?.setDemoToken?.(token);
  toast(token === "expired" ? "The demo token now counts as expired." : "The demo token now lacks permissions.");
  renderDemoBanner(document.getElementById("demo-banner"), app.session);
  app.rerender();
  await change;
}

/** The simulated 403 ends (the emulator's fault is removed); "Try again" then recovers. */
async function restorePermission() {
  await app.session?.setDemoToken?.("demo-token");
  renderDemoBanner(document.getElementById("demo-banner"), app.session);
  toast("The permission is back. Press Try again.");
}

function simulateNotFound() {
  const r = parseRoute(location.hash);
  const sub = r.sub || app.session?.info?.seedInfo?.subscriptionId;
  const rg = r.rg || app.session?.info?.seedInfo?.resourceGroups?.[0];
  if (!sub || !rg) return;
  location.hash = href.disk(sub, rg, "disk-that-was-deleted");
}
