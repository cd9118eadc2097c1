// The worker panel of the Retention view: a worker URL (kept in sessionStorage for this tab only),
// the worker's backup policies of this scope (GET /v1/policies with the user's own ARM token as
// Bearer: the worker asks ARM whether that token may manage snapshots there), each one's run
// history (GET /v1/policies/{name}/runs: per run, per disk, what was created, copied and deleted,
// and the errors with their codes), "Run now" (POST …/run) and "Save this policy to the worker"
// (PUT /v1/policies/{name} with the JSON the view builds). The token goes to the worker the user
// typed in only, never into storage; the URL needs the page's CSP (connect-src) to allow it.
import { h, mount, plural, fmtDate, lastSegment, fmtBytes } from "./dom.js";
import { field, toast } from "./ui.js";
import { armTokenOf } from "./auth.js";

export const WORKER_URL_KEY = "ais.worker.url";
const TIMEOUT_MS = 30_000;

/** A worker URL as typed → its origin (https, or http on loopback), or an error message. */
export function workerOrigin(text) {
  let u;
  try {
    u = new URL(String(text || "").trim());
  } catch {
    return { error: "Not a URL: type the worker's address, such as http://127.0.0.1:8787" };
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback))
    return { error: "The worker must be https (http only on 127.0.0.1 or localhost)" };
  if (u.username || u.password) return { error: "No user name or password in the worker's URL" };
  return { origin: u.origin };
}

function readStored() {
  try {
    return sessionStorage.getItem(WORKER_URL_KEY) || "";
  } catch {
    return "";
  }
}

function store(value) {
  try {
    sessionStorage.setItem(WORKER_URL_KEY, value);
  } catch {
    /* storage refused: the URL is kept for this view only */
  }
}

/** An error of the worker (`{ error: { code, message } }`) or of the network, as one Error. */
async function call(app, origin, path, { method = "GET", body } = {}) {
  const token = await armTokenOf(app.session.client);
  let res;
  try {
    res = await fetch(`${origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw Object.assign(
      new Error(
        `The worker could not be reached (${e.message}). Is it running, and does its ALLOWED_ORIGINS list this page's origin (${location.origin})?`,
      ),
      { code: "NETWORK" },
    );
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* below */
  }
  if (!res.ok) {
    const e = data?.error;
    const err = new Error(e?.message ? String(e.message) : `The worker answered ${res.status}`);
    err.code = e?.code ? String(e.code) : `HTTP_${res.status}`;
    err.violations = Array.isArray(e?.violations) ? e.violations : [];
    throw err;
  }
  return data;
}

const inScope = (policyScope, scope) => {
  const p = String(policyScope).toLowerCase();
  const s = scope.toLowerCase();
  return p === s || p.startsWith(`${s}/`);
};

/** A run's or a disk's status as a badge (the class from a known word only). */
function badge(status) {
  const kind =
    { succeeded: "badge-ok", failed: "badge-bad", completedWithErrors: "badge-bad" }[status] || "badge-muted";
  return h("span.badge", { class: kind }, String(status));
}

function errorLine(e) {
  return h(
    "li.wp-error",
    h("code.error-code", e.code || "ERROR"),
    " ",
    e.step ? h("span.muted", `${e.step}: `) : null,
    String(e.message || ""),
  );
}

function copiedText(d) {
  const out = [];
  if (d.replicated) {
    const r = d.replicated;
    if (r.status === "succeeded")
      out.push(
        `${r.kind === "diff" ? "diff" : "full"} to the blob: ${plural(r.snapshots?.length ?? 0, "snapshot")}, ${fmtBytes(r.copiedBytes ?? 0)}${r.clearedBytes ? ` + ${fmtBytes(r.clearedBytes)} cleared` : ""}`,
      );
    else out.push(`blob copy ${r.status}`);
  }
  if (d.copied)
    out.push(
      `copied to ${d.copied.location}${d.copied.completionPercent !== undefined ? ` (${d.copied.completionPercent} % copied)` : ""}`,
    );
  return out.length ? out.join("; ") : "—";
}

/** The policy's copy of each new snapshot, as words (a blob named by its path only: the worker's URL is redacted, and not shown). */
export function copyOfPolicy(p) {
  const parts = [];
  if (p.copy?.location) parts.push(`copied to ${p.copy.location}`);
  if (p.copy?.targetUrl) {
    let blob = "";
    try {
      blob = new URL(p.copy.targetUrl).pathname.split("/").filter(Boolean).pop() || "";
    } catch {
      // the worker's answer is not a URL: no name
    }
    parts.push(blob ? `copied to the blob ${blob}` : "copied to a blob");
  }
  return parts.length ? ` · ${parts.join(", ")}` : "";
}

function runBlock(run) {
  return h(
    "li.wp-run",
    { dataset: { testid: "worker-run", status: run.status, run: run.run } },
    h(
      "p.wp-run-head",
      h("strong", fmtDate(run.scheduledTime)),
      " · ",
      run.trigger === "manual" ? "run now" : "scheduled",
      " · ",
      badge(run.status),
      run.selected !== undefined ? h("span.muted", ` · ${plural(run.selected, "disk")}`) : null,
    ),
    run.missedSlots?.length
      ? h(
          "p.hint",
          `Skipped ${plural(run.missedSlots.length, "missed slot")} (the worker was not running): ${run.missedSlots.map(fmtDate).join(", ")}`,
        )
      : null,
    run.errors?.length ? h("ul.wp-errors", run.errors.map(errorLine)) : null,
    run.disks?.length
      ? h(
          "div.wp-table",
          h(
            "table.wp-disks",
            h(
              "thead",
              h("tr", h("th", "Disk"), h("th", "Status"), h("th", "Created"), h("th", "Copied"), h("th", "Deleted")),
            ),
            h(
              "tbody",
              run.disks.map((d) =>
                h(
                  "tr",
                  { dataset: { disk: d.disk, status: d.status } },
                  h("td", { dataset: { label: "Disk" } }, lastSegment(d.disk)),
                  h("td", { dataset: { label: "Status" } }, badge(d.status)),
                  h("td", { dataset: { label: "Created" } }, d.created ? lastSegment(d.created.id) : "—"),
                  h("td", { dataset: { label: "Copied" } }, copiedText(d)),
                  h(
                    "td",
                    { dataset: { label: "Deleted" } },
                    String(d.deleted?.length ?? 0),
                    d.errors?.length ? h("ul.wp-errors", d.errors.map(errorLine)) : null,
                    d.notes?.length
                      ? h(
                          "ul.wp-notes",
                          d.notes.map((n) => h("li.hint", n)),
                        )
                      : null,
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

/**
 * The panel: `{ el, changed() }`. `current()` gives the view's policy `{ name, body }` (or null while
 * it is not valid); `changed()` is called by the view when it may have changed.
 */
export function workerPanel({ app, scope, current }) {
  const urlInput = h("input", {
    type: "text",
    inputmode: "url",
    name: "worker-url",
    value: readStored(),
    placeholder: "http://127.0.0.1:8787",
    autocomplete: "off",
    spellcheck: "false",
  });
  const fUrl = field({
    label: "Worker URL",
    input: urlInput,
    hint: "Remembered for this tab only. The worker must list this page's origin in ALLOWED_ORIGINS.",
  });
  const status = h("p.wp-status-line", { role: "status", "aria-live": "polite" });
  const list = h("div.wp-policies", { dataset: { testid: "worker-policies" } });
  const saveButton = h(
    "button.btn.btn-primary",
    { type: "button", id: "worker-save", disabled: true, on: { click: () => save() } },
    "Save this policy to the worker",
  );
  const loadButton = h(
    "button.btn",
    { type: "button", id: "worker-load", on: { click: () => load() } },
    "Show the worker's policies",
  );
  const el = h(
    "section.block.worker-panel",
    { id: "worker-panel", dataset: { testid: "worker-panel" } },
    h("header.block-head", h("h2", "The worker")),
    h("div.wp-connect", fUrl, h("div.wp-actions", loadButton, saveButton)),
    status,
    list,
  );

  const origin = () => {
    const r = workerOrigin(urlInput.value);
    fUrl.setError(r.error || "");
    if (r.origin) store(urlInput.value.trim());
    return r.origin || null;
  };
  const say = (text, bad = false) => {
    status.textContent = text;
    status.classList.toggle("bad", bad);
  };
  const failed = (e) => {
    const vs = (e.violations || []).map((v) => `${v.field}: ${v.message}`);
    say(`${e.code || "ERROR"}: ${e.message}${vs.length ? ` (${vs.join("; ")})` : ""}`, true);
  };

  const changed = () => {
    saveButton.disabled = !current();
  };

  async function load() {
    const o = origin();
    if (!o) return;
    say("Reading the worker's policies…");
    try {
      const data = await call(app, o, "/v1/policies");
      const mine = (data.policies || []).filter((p) => inScope(p.scope, scope));
      const blocks = [];
      for (const p of mine.slice(0, 20)) {
        const runs = await call(app, o, `/v1/policies/${encodeURIComponent(p.name)}/runs?limit=10`);
        blocks.push(policyBlock(o, p, runs.runs || []));
      }
      mount(list, blocks.length ? blocks : h("p.muted", "The worker has no policy for this scope yet."));
      say(`${plural(mine.length, "policy", "policies")} of this scope on ${o}.`);
    } catch (e) {
      mount(list);
      failed(e);
    }
  }

  function policyBlock(o, p, runs) {
    const runButton = h(
      "button.btn.btn-small",
      {
        type: "button",
        dataset: { testid: "worker-run-now", policy: p.name },
        on: {
          click: async () => {
            runButton.disabled = true;
            try {
              await call(app, o, `/v1/policies/${encodeURIComponent(p.name)}/run`, { method: "POST" });
              toast(`The worker started ${p.name}.`);
              await load();
              // the run's steps take a few alarms: read the history again shortly
              setTimeout(() => el.isConnected && load(), 2000);
            } catch (e) {
              failed(e);
              runButton.disabled = false;
            }
          },
        },
      },
      "Run now",
    );
    const disks = p.disks?.ids
      ? plural(p.disks.ids.length, "disk")
      : `disks tagged ${Object.entries(p.disks?.tags || {})
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}`;
    return h(
      "article.wp-policy",
      { dataset: { testid: "worker-policy", name: p.name } },
      h(
        "header.wp-policy-head",
        h("h3", p.name),
        h(
          "span.muted",
          `every ${plural(p.schedule.everyHours, "hour")} from ${p.schedule.at} UTC · ${disks}${copyOfPolicy(p)}${p.enabled ? "" : " · disabled"}`,
        ),
        runButton,
      ),
      runs.length ? h("ul.wp-runs", runs.map(runBlock)) : h("p.muted", "No run yet."),
    );
  }

  async function save() {
    const o = origin();
    const c = current();
    if (!o || !c) return;
    saveButton.disabled = true;
    say(`Saving ${c.name}…`);
    try {
      await call(app, o, `/v1/policies/${encodeURIComponent(c.name)}`, { method: "PUT", body: c.body });
      toast(`Saved ${c.name} to the worker.`);
      await load();
    } catch (e) {
      failed(e);
    } finally {
      changed();
    }
  }

  urlInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") load();
  });
  changed();
  return { el, changed };
}
