// The session: connecting (setSession) and signing out (the token forgotten, running operations
// cancelled), the header's session badge, and the error alerts of actions (with "Sign in again"
// when ARM refused the token), and the notice "Azure is throttling requests; retrying in N s" while
// the client waits out a 429 (announced by the fetch the clients are given, auth.js). The entry
// installs signOut and showError on `app` (state.js).
import { h, mount, $ } from "./dom.js";
import { clouds } from "./auth.js";
import { errorCard, showAlert, clearAlerts, toast } from "./ui.js";
import { cancelAll } from "./operations-tray.js";
import { renderDemoBanner } from "./demo-banner.js";
import { href } from "./routes.js";
import { app } from "./state.js";

export function setSession(session) {
  app.session = session;
  app.subs = null;
  renderSession();
}

export async function signOut({ reason } = {}) {
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
  else app.rerender();
}

/** An error from an action (not a view load): a dismissible alert at the top. */
export function showError(e, { retry } = {}) {
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

export function signInAgainButton() {
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

/** The header: who is connected ("Not connected" before any session), to which cloud, and the demo banner. */
export function renderSession() {
  const host = $("#session");
  const s = app.session;
  document.documentElement.dataset.mode = s?.mode || "none";
  renderDemoBanner($("#demo-banner"), s);
  if (!s) {
    mount(host, h("span.muted", "Not connected"));
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
}

// ---------------------------------------------------------------------------------------------
// Throttling: the client retries a 429 by itself after its Retry-After; say so while it waits.

/** Retries the client makes after the first try (the package's default). */
const CLIENT_RETRIES = 3;
const throttled = new Map(); // request key → 429s in a row
let notice = null;
let tick = null;

function clearNotice() {
  clearInterval(tick);
  tick = null;
  notice?.remove();
  notice = null;
}

function showThrottleNotice(seconds) {
  const host = $("#alerts");
  if (!host) return;
  if (!notice || !notice.isConnected) {
    notice = h("div.throttle-notice", { id: "throttle-notice", role: "status", "aria-live": "polite" });
    host.append(notice);
  }
  clearInterval(tick);
  const until = Date.now() + (seconds ?? 0) * 1000;
  const paint = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    notice.textContent =
      seconds === null
        ? "Azure is throttling requests; retrying shortly…"
        : left > 0
          ? `Azure is throttling requests; retrying in ${left} s`
          : "Azure is throttling requests; retrying now…";
    // Nothing more heard well after the wait: the notice goes (the view shows what came of it).
    if (Date.now() - until > 15000) clearNotice();
  };
  paint();
  tick = setInterval(paint, 500);
}

if (typeof window !== "undefined") {
  window.addEventListener("arm-throttled", (ev) => {
    const { key, seconds } = ev.detail || {};
    const n = (throttled.get(key) || 0) + 1;
    throttled.set(key, n);
    if (throttled.size > 200) throttled.clear();
    // The client's last try was refused too: it stops waiting, and the error shows instead.
    if (n > CLIENT_RETRIES) {
      throttled.delete(key);
      clearNotice();
      return;
    }
    showThrottleNotice(typeof seconds === "number" ? seconds : null);
  });
  window.addEventListener("arm-answered", (ev) => {
    throttled.delete(ev.detail?.key);
    // The demo's simulated 403 is over once Azure (the emulator) answers again.
    if (ev.detail?.status < 400 && app.session?.permitted?.()) renderDemoBanner($("#demo-banner"), app.session);
    if (notice && ![...throttled.values()].some((n) => n > 0)) clearNotice();
  });
}
