// Long-running operations (create, copy, delete) in a tray under the header: live phase, the
// long-running operation's status, completionPercent, and a Cancel button (AbortController).
// They outlive navigation: a create keeps running while the user browses elsewhere.
import { h, $ } from "./dom.js";
import { errorCard, progressBar } from "./ui.js";

const PHASES = {
  checking: "Checking that the name is free",
  submitting: "Sending the request to Azure",
  submitted: "Accepted by Azure",
  provisioning: "Waiting for the long-running operation",
  copying: "Copying in the background",
  done: "Done",
};

let seq = 0;
export const running = new Map(); // id → { kind, diskId, controller }

function tray() {
  const el = $("#ops");
  el.hidden = false;
  if (!el.firstChild) el.append(h("h2.visually-hidden", "Operations"));
  return el;
}

/**
 * Run an operation with a tray entry. run({ signal, onProgress }) → result. describe(progress) →
 * { text, percent, caption } words an operation's own progress (else the phases above are shown).
 * Resolves to { ok, result?, error? } (never rejects).
 */
export async function runOperation({ title, kind, diskId, run, successText, successLink, describe }) {
  const id = `op-${++seq}`;
  const controller = new AbortController();
  const bar = progressBar(title);
  const phase = h("p.op-phase", PHASES.submitting);
  const cancel = h(
    "button.btn.btn-small",
    { type: "button", dataset: { action: "cancel" }, on: { click: () => controller.abort() } },
    "Cancel",
  );
  const status = h("span.op-status.badge.badge-running", "Running");
  const body = h("div.op-body", phase, bar);
  const item = h(
    "article.op",
    { id, dataset: { kind, state: "running" }, "aria-live": "polite" },
    h("header.op-head", h("h3.op-title", title), status, cancel),
    body,
  );
  tray().prepend(item);
  running.set(id, { kind, diskId, controller });
  const onProgress = (p) => {
    if (describe && p) {
      // The operation's own words for its progress: { text, percent (null: indeterminate), caption }.
      const d = describe(p);
      if (!d) return;
      if (p.phase) item.dataset.phase = p.phase;
      phase.textContent = d.text;
      bar.set(d.percent ?? null, d.caption ?? "");
      return;
    }
    if (!p || !p.phase) return;
    item.dataset.phase = p.phase;
    let text = PHASES[p.phase] || p.phase;
    if (p.phase === "provisioning" && p.status) text += ` (${p.status})`;
    if (p.phase === "copying" && typeof p.completionPercent === "number") {
      text += `: ${p.completionPercent.toFixed(1)} %`;
      bar.set(p.completionPercent, `${p.completionPercent.toFixed(0)} % copied`);
    } else if (p.phase === "done") {
      bar.set(100, "100 %");
    } else {
      bar.set(null, "");
    }
    phase.textContent = text;
  };
  try {
    const result = await run({ signal: controller.signal, onProgress });
    item.dataset.state = "succeeded";
    status.textContent = "Succeeded";
    status.className = "op-status badge badge-ok";
    bar.set(100, "100 %");
    phase.textContent = typeof successText === "function" ? successText(result) : successText || "Done";
    cancel.replaceWith(closeButton(item));
    if (successLink) {
      const link = successLink(result);
      if (link) body.append(h("a.op-link", { href: link.href }, link.text));
    }
    return { ok: true, result };
  } catch (error) {
    const aborted = error?.code === "ABORTED" || controller.signal.aborted;
    item.dataset.state = aborted ? "cancelled" : "failed";
    status.textContent = aborted ? "Cancelled" : "Failed";
    status.className = `op-status badge ${aborted ? "badge-muted" : "badge-bad"}`;
    bar.remove();
    phase.remove();
    body.append(errorCard(error, { compact: true }));
    cancel.replaceWith(closeButton(item));
    return { ok: false, error };
  } finally {
    running.delete(id);
  }
}

function closeButton(item) {
  return h(
    "button.btn.btn-ghost.btn-small",
    {
      type: "button",
      "aria-label": "Dismiss this operation",
      on: {
        click: () => {
          item.remove();
          const el = $("#ops");
          if (!el.querySelector(".op")) el.hidden = true;
        },
      },
    },
    "Dismiss",
  );
}

/** Cancel everything still running and clear the tray (sign-out). */
export function cancelAll() {
  for (const op of running.values()) op.controller.abort();
  const el = $("#ops");
  for (const item of el.querySelectorAll('.op:not([data-state="running"])')) item.remove();
  if (!el.querySelector(".op")) el.hidden = true;
}
