// The connect view: three ways in, as tabs: the demo (the local emulator, when it serves the
// page), Microsoft Entra ID sign-in (pop-up or redirect), and a pasted access token. A connection
// is proven by a first read (the subscription list) before the view switches.
import { h, mount, plural } from "./dom.js";
import { clouds, demoSession, tokenSession, entraSignIn } from "./auth.js";
import { errorCard, clearAlerts, loading, field } from "./ui.js";
import { tabs } from "./tabs.js";
import { href } from "./routes.js";
import { app } from "./state.js";
import { setSession } from "./session.js";

export function connectView() {
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

/**
 * A pasted token's first read failed: say plainly what that means. A refusal (401) says the token
 * is not accepted; an answer the browser could not read (ARM's refusals may carry no CORS headers,
 * so the browser reports only "Failed to fetch") most often means the same for a pasted token.
 */
function tokenProblem(e, cloudLabel) {
  if (e?.code === "UNAUTHORIZED")
    return Object.assign(
      new Error(
        e.armCode === "ExpiredAuthenticationToken"
          ? "Azure refused this token: it has expired. Get a fresh one with the command below and paste it again."
          : "Azure refused this token: it is not a valid Resource Manager access token for this cloud (it may be cut short, for another resource, or from another cloud). Get a fresh one with the command below.",
      ),
      { code: "UNAUTHORIZED", armCode: e.armCode, status: e.status, requestId: e.requestId, adviceText: "" },
    );
  if (e?.code === "NETWORK")
    return Object.assign(
      new Error(
        `Azure's answer to this token could not be read by the browser (${e.message}). With a pasted token this usually means Azure refused it; check that it is a current access token for ${cloudLabel}, then check your connection. It was sent once.`,
      ),
      { code: "NETWORK" },
    );
  return e;
}

async function afterConnect(session, host, { probe } = {}) {
  // Prove the connection with a first read before switching views.
  try {
    const subs = await (probe || session.client).listSubscriptions();
    setSession(session);
    app.subs = subs;
    clearAlerts();
    const target = app.pendingRoute;
    app.pendingRoute = null;
    if (target) {
      if (target !== location.hash) location.hash = target;
      else app.rerender();
    } else if (subs.length === 1) location.hash = href.sub(subs[0].subscriptionId);
    else location.hash = href.subs();
    return true;
  } catch (e) {
    await session.signOut();
    connectError(host, session.mode === "token" ? tokenProblem(e, clouds()[session.cloud]?.label || "this cloud") : e);
    return false;
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
  const submit = h("button.btn.btn-primary", { type: "submit" }, "Connect");
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
          mount(out, loading(`Connecting to ${clouds()[cloud.value].arm}…`));
          submit.disabled = true;
          const ok = await afterConnect(session, out, { probe: session.probeClient });
          submit.disabled = false;
          // Connected: the session holds the token, so it leaves the DOM; refused: it stays, to be fixed.
          if (ok) token.value = "";
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
    submit,
    out,
  );
}
