// Long-running operations (create, copy, delete) in a tray under the header: live phase, the
// long-running operation's status, how much is copied, and a Cancel button (AbortController).
// They outlive navigation: a create keeps running while the user browses elsewhere. The tray shows
// the newest few (the rest behind "Show all"), finished ones can be dismissed one by one or all at
// once, and it scrolls inside its own box; a link to a snapshot goes away once it is deleted.
import { h, $, mount, plural } from "./dom.js";
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

/** How many operations the tray shows before "Show all". */
export const SHOWN = 3;
let expanded = false;

function tray() {
  const el = $("#ops");
  el.hidden = false;
  if (!el.querySelector(".ops-list"))
    mount(el, h("h2.visually-hidden", "Operations"), h("div.ops-list"), h("div.ops-foot", { hidden: true }));
  return el;
}

const items = () => [...($("#ops")?.querySelectorAll(".ops-list > .op") || [])];

/** Show the newest SHOWN operations (or all), and the tray's own buttons. */
function layout() {
  const el = $("#ops");
  if (!el) return;
  const all = items();
  if (!all.length) {
    el.hidden = true;
    expanded = false;
  }
  all.forEach((item, i) => {
    item.hidden = !expanded && i >= SHOWN;
  });
  const foot = el.querySelector(".ops-foot");
  if (!foot) return;
  const finished = all.filter((i) => i.dataset.state !== "running");
  const more = all.length > SHOWN;
  foot.hidden = !more && finished.length < 2;
  mount(
    foot,
    more
      ? h(
          "button.btn.btn-ghost.btn-small",
          {
            type: "button",
            dataset: { action: "ops-toggle" },
            "aria-expanded": String(expanded),
            on: {
              click: () => {
                expanded = !expanded;
                layout();
              },
            },
          },
          expanded ? "Show only the newest" : `Show all ${all.length} operations (${all.length - SHOWN} more)`,
        )
      : null,
    finished.length >= 2
      ? h(
          "button.btn.btn-ghost.btn-small",
          {
            type: "button",
            dataset: { action: "ops-clear" },
            on: {
              click: () => {
                for (const i of items()) if (i.dataset.state !== "running") i.remove();
                layout();
              },
            },
          },
          `Dismiss ${plural(finished.length, "finished operation")}`,
        )
      : null,
  );
}

/** The snapshot `id` is gone: its "Show it in the chain" links say so instead. */
export function markSnapshotGone(id) {
  const key = String(id || "").toLowerCase();
  if (!key) return;
  for (const a of document.querySelectorAll("#ops a.op-link[data-snapshot-id]")) {
    if (a.dataset.snapshotId === key) a.replaceWith(h("span.op-link-gone", "Deleted since"));
  }
}

/** The disk `diskId` was just read with its subscription's snapshots `all`: links to ones not there are gone. */
export function syncSnapshotLinks(diskId, all) {
  const disk = String(diskId || "").toLowerCase();
  const present = new Set((all || []).map((x) => String(x.id || "").toLowerCase()));
  for (const a of document.querySelectorAll("#ops a.op-link[data-snapshot-id]")) {
    if (a.dataset.diskId === disk && !present.has(a.dataset.snapshotId)) markSnapshotGone(a.dataset.snapshotId);
  }
}

/**
 * Run an operation with a tray entry. run({ signal, onProgress }) → result. describe(progress) →
 * { text, percent, caption } words an operation's own progress (else the phases above are shown).
 * Resolves to { ok, result?, error? } (never rejects).
 */
export async function runOperation({ title, kind, diskId, run, successText, successLink, describe, request }) {
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
  tray().querySelector(".ops-list").prepend(item);
  running.set(id, { kind, diskId, controller });
  layout();
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
      if (link)
        body.append(
          h(
            "a.op-link",
            {
              href: link.href,
              dataset: link.snapshotId
                ? { snapshotId: String(link.snapshotId).toLowerCase(), diskId: String(diskId || "").toLowerCase() }
                : {},
            },
            link.text,
          ),
        );
    }
    layout();
    return { ok: true, result };
  } catch (error) {
    const aborted = error?.code === "ABORTED" || controller.signal.aborted;
    item.dataset.state = aborted ? "cancelled" : "failed";
    status.textContent = aborted ? "Cancelled" : "Failed";
    status.className = `op-status badge ${aborted ? "badge-muted" : "badge-bad"}`;
    bar.remove();
    phase.remove();
    body.append(errorCard(error, { compact: true, request: request || null }));
    cancel.replaceWith(closeButton(item));
    layout();
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
          layout();
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
  layout();
}
