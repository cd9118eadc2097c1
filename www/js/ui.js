// Shared UI pieces: alerts (errors in plain words), the modal dialog, copy/download buttons,
// searchable tables, progress bars, form fields, badges.
import { h, mount, $, nextId } from "./dom.js";
import { describeError } from "./errors.js";

/** A violation's field path in words: "options.tags.owner" → "tags › owner" (a small secondary detail). */
const fieldWords = (f) =>
  String(f || "")
    .replace(/^options\./, "")
    .split(".")
    .filter(Boolean)
    .join(" › ");

/**
 * An error as a card: title, message, advice; the technical facts (ARM code, HTTP status, request
 * id, the error's code) and, when there is one, the would-be request (`request`: { title, text })
 * under one "Details" disclosure; optional actions.
 */
export function errorCard(e, { actions = [], compact = false, request = null } = {}) {
  const d = describeError(e);
  const hasDetails = d.facts.length || request;
  return h(
    `div.error-card${compact ? ".compact" : ""}`,
    { role: "alert", dataset: { code: d.code || "UNKNOWN", armCode: d.armCode || "" } },
    h("h3.error-title", d.title),
    h("p.error-message", d.message),
    d.advice ? h("p.error-advice", d.advice) : null,
    d.violations.length
      ? h(
          "ul.violations",
          d.violations.map((v) =>
            h("li", v.message, v.field ? h("span.violation-field", ` (${fieldWords(v.field)})`) : null),
          ),
        )
      : null,
    d.details.length
      ? h(
          "ul.violations",
          d.details.map((x) => h("li", x.message || "", x.code ? h("span.violation-field", ` (${x.code})`) : null)),
        )
      : null,
    hasDetails
      ? h(
          "details.error-details",
          h("summary", "Details"),
          d.facts.length
            ? h(
                "dl.facts",
                d.facts.map(([k, v]) => [
                  h("dt", k),
                  h("dd", h("code", { class: `fact-${k.toLowerCase().replace(/\s+/g, "-")}` }, v)),
                ]),
              )
            : null,
          request ? requestBlock(request) : null,
        )
      : null,
    actions.length ? h("div.actions", actions) : null,
  );
}

/** The would-be request as a code block (inside a "Details" disclosure where it is shown). */
function requestBlock({ title = "The request this would send", text, filename, testid = "request-body" }) {
  return codeBlock({ title, text, filename, testid, lang: "json" });
}

/** The would-be request under its own "Details" disclosure (`open` to show it unfolded). */
export function requestDetails(request, { open = false } = {}) {
  return h(
    "details.request-details",
    { open, dataset: { testid: "request-details" } },
    h("summary", "Details: the request this would send"),
    requestBlock(request),
  );
}

/** Page-level alerts (errors not tied to one view). */
export function showAlert(node, { timeoutMs } = {}) {
  const host = $("#alerts");
  const wrap = h(
    "div.alert",
    node,
    h(
      "button.btn.btn-ghost.alert-close",
      { type: "button", "aria-label": "Dismiss", on: { click: () => wrap.remove() } },
      "×",
    ),
  );
  host.append(wrap);
  if (timeoutMs) setTimeout(() => wrap.remove(), timeoutMs);
  return wrap;
}

export function clearAlerts() {
  mount($("#alerts"));
}

/** A short confirmation line ("Copied") for a few seconds. */
export function toast(text) {
  let host = $("#toasts");
  if (!host) {
    host = h("div#toasts.toasts", { role: "status", "aria-live": "polite" });
    document.body.append(host);
  }
  const t = h("div.toast", text);
  host.append(t);
  setTimeout(() => t.remove(), 3500);
}

/** Open the page's <dialog> with content; resolves when it closes (with the returnValue). */
export function openDialog({ title, body, labelledBy, onClose, wide = false }) {
  const dlg = $("#dialog");
  const titleId = labelledBy || "dialog-title";
  dlg.classList.toggle("wide", wide);
  mount(
    dlg,
    h(
      "div.dialog-inner",
      h(
        "header.dialog-head",
        h("h2", { id: titleId }, title),
        h(
          "button.btn.btn-ghost.dialog-x",
          { type: "button", "aria-label": "Close", on: { click: () => closeDialog() } },
          "×",
        ),
      ),
      body,
    ),
  );
  dlg.returnValue = "";
  return new Promise((resolve) => {
    const done = () => {
      dlg.removeEventListener("close", done);
      onClose?.();
      resolve(dlg.returnValue);
    };
    dlg.addEventListener("close", done);
    dlg.showModal();
    const first = dlg.querySelector("[autofocus], input, select, textarea, button:not(.dialog-x)");
    first?.focus();
  });
}

export function closeDialog(value = "") {
  const dlg = $("#dialog");
  if (dlg.open) dlg.close(value);
}

/** Copy text: the async clipboard, else a hidden textarea. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = h("textarea.offscreen", { "aria-hidden": "true" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function download(filename, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A code block with Copy (and optional Download) buttons. */
export function codeBlock({ title, text, filename, type, testid, lang }) {
  const code = h("code", { class: lang ? `lang-${lang}` : null }, text);
  return h(
    "section.code-block",
    { dataset: { testid: testid || "" } },
    h(
      "header.code-head",
      h("h3", title),
      h(
        "div.code-actions",
        h(
          "button.btn.btn-small",
          {
            type: "button",
            dataset: { action: "copy" },
            on: {
              click: async () =>
                toast(
                  (await copyText(text))
                    ? `${title}: copied to the clipboard`
                    : "Copy failed: select the text and copy it by hand",
                ),
            },
          },
          "Copy",
        ),
        filename
          ? h(
              "button.btn.btn-small",
              { type: "button", dataset: { action: "download" }, on: { click: () => download(filename, text, type) } },
              `Download ${filename}`,
            )
          : null,
      ),
    ),
    h("pre.code", { tabindex: "0" }, code),
  );
}

/** A progress bar with a text value; update with .set(percent|null, label). */
export function progressBar(label) {
  const id = nextId("pb");
  const bar = h("div.progress-fill");
  const text = h("span.progress-text", { id });
  const el = h(
    "div.progress",
    { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-labelledby": id, "aria-label": label },
    bar,
  );
  const wrap = h("div.progress-wrap", el, text);
  wrap.set = (pct, caption) => {
    if (pct === null || pct === undefined) {
      el.classList.add("indeterminate");
      el.removeAttribute("aria-valuenow");
      bar.style.width = "";
    } else {
      el.classList.remove("indeterminate");
      const v = Math.max(0, Math.min(100, Number(pct)));
      el.setAttribute("aria-valuenow", String(Math.round(v)));
      bar.style.width = `${v}%`;
    }
    text.textContent = caption ?? (pct === null || pct === undefined ? "" : `${Number(pct).toFixed(0)} %`);
  };
  wrap.set(null, "");
  return wrap;
}

/**
 * A searchable table. columns: [{ key, label, render(row) → node|string, sortValue?(row), className? }].
 * rows: objects; rowKey(row); searchText(row) → string; onRow?(row, tr).
 */
export function searchableTable({
  caption,
  columns,
  rows,
  rowKey,
  searchText,
  empty = "Nothing here.",
  placeholder = "Filter…",
  testid,
  rowLink,
}) {
  const searchId = nextId("search");
  const input = h("input.search", {
    type: "search",
    id: searchId,
    placeholder,
    autocomplete: "off",
    spellcheck: "false",
  });
  const count = h("span.count", { "aria-live": "polite" });
  const tbody = h("tbody");
  const table = h(
    "table.grid.stack",
    { dataset: { testid: testid || "" } },
    caption ? h("caption.visually-hidden", caption) : null,
    h(
      "thead",
      h(
        "tr",
        columns.map((c) => h("th", { scope: "col", class: c.className || null }, c.label)),
      ),
    ),
    tbody,
  );
  const render = () => {
    const q = input.value.trim().toLowerCase();
    const terms = q.split(/\s+/).filter(Boolean);
    const shown = rows.filter((r) => {
      const text = searchText(r).toLowerCase();
      return terms.every((t) => text.includes(t));
    });
    mount(
      tbody,
      shown.length
        ? shown.map((r) => {
            const tr = h(
              "tr",
              { dataset: { key: rowKey(r) } },
              columns.map((c) => h("td", { class: c.className || null, dataset: { label: c.label } }, c.render(r))),
            );
            if (rowLink) {
              tr.classList.add("clickable");
              tr.addEventListener("click", (ev) => {
                if (ev.target.closest("a, button, input, select")) return;
                location.hash = rowLink(r);
              });
            }
            return tr;
          })
        : h(
            "tr.empty",
            h("td", { colspan: String(columns.length) }, rows.length ? "No match for this filter." : empty),
          ),
    );
    count.textContent = q ? `${shown.length} of ${rows.length}` : `${rows.length}`;
  };
  input.addEventListener("input", render);
  render();
  return h(
    "div.searchable",
    h(
      "div.search-bar",
      h("label.visually-hidden", { for: searchId }, `Filter ${caption || "the list"}`),
      h("span.search-icon", { "aria-hidden": "true" }, "⌕"),
      input,
      count,
    ),
    h("div.table-wrap", table),
  );
}

/** "Loading…" placeholder with a spinner. */
export function loading(text = "Loading…") {
  return h("div.loading", { role: "status" }, h("span.spinner", { "aria-hidden": "true" }), text);
}

/** A labelled form field. */
export function field({ label, input, hint, error, id }) {
  const fid = id || input.id || nextId("field");
  input.id = fid;
  const hintId = hint ? `${fid}-hint` : null;
  const errId = `${fid}-error`;
  const describedBy = [hintId, errId].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", describedBy);
  const err = h("p.field-error", { id: errId, hidden: !error }, error || "");
  const wrap = h(
    "div.field",
    h("label", { for: fid }, label),
    input,
    hint ? h("p.hint", { id: hintId }, hint) : null,
    err,
  );
  wrap.setError = (msg) => {
    err.textContent = msg || "";
    err.hidden = !msg;
    input.setAttribute("aria-invalid", msg ? "true" : "false");
    wrap.classList.toggle("invalid", Boolean(msg));
  };
  return wrap;
}

/** A disk's diskState as a badge (Attached, Unattached, or a transient state as a warning). */
export function diskStateBadge(state) {
  const cls = state === "Attached" ? "badge-ok" : state === "Unattached" ? "badge-muted" : "badge-warn";
  return h(`span.badge.${cls}`, state || "—");
}
