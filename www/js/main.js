// The entry module (www/index.html loads it; it boots the app on import, so no other module imports
// it): it loads the package, detects the emulator, resumes an Entra ID redirect, installs the
// actions the views reach through `app` (state.js) and starts the router (router.js). The
// session is in session.js, the views in connect.js, browse.js and disk.js. Every failure ends in
// an error card on the page, never a blank screen.
import { h, mount, $ } from "./dom.js";
import { loadPackage } from "./pkg.js";
import { detectEmulator, resumeEntraRedirect } from "./auth.js";
import { errorCard, showAlert } from "./ui.js";
import { setSession, renderSession, signOut, showError } from "./session.js";
import { route } from "./router.js";
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
  if (!app.session) renderSession();
  window.addEventListener("hashchange", route);
  document.documentElement.dataset.ready = "true";
  route();
}

boot();
