// The "Create snapshot" form: prefilled by buildSnapshotConfig(disk), validated by it on every
// change (every broken rule shown at its field, in words), the would-be request under "Details";
// only the storage types and options the disk can take are offered, and a warning shows before
// submitting when the chain already has Azure's 7 snapshots of the last 5 minutes. Submit runs
// createIncrementalSnapshot with live progress and Cancel. The form's values and their validation
// are its model, in form-model.js.
import { h, mount, json, debounce } from "./dom.js";
import { field, requestDetails } from "./ui.js";
import { isRateLimited, nextAllowedAt, fmtClock } from "./errors.js";
import { runOperation } from "./operations-tray.js";
import { highlight } from "./state.js";
import { href } from "./routes.js";
import { resourceGroupOf, subscriptionOf } from "./ids.js";
import {
  FIELDS,
  formState,
  valuesFor,
  validate,
  instantAccessUnavailable,
  rateWindow,
  RATE_LIMIT,
} from "./form-model.js";

/** The form's fields in words (for the list of problems). */
const LABELS = {
  name: "Snapshot name",
  resourceGroup: "Resource group",
  sku: "Storage type",
  tags: "Tags",
  networkAccessPolicy: "Network access",
  diskAccessId: "Disk access id",
  publicNetworkAccess: "Public network access",
  dataAccessAuthMode: "Data access authentication",
  instantAccessDurationMinutes: "Instant access",
};

/** A <select> named `name` of [value, label] options, `value` selected. */
const choice = (name, value, options) =>
  h(
    "select",
    { name, value },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );

export function createTab(app, model, { go }) {
  const { disk } = model;
  const lib = app.lib;
  const values = valuesFor(lib, disk);
  const iaReason = instantAccessUnavailable(disk);
  if (iaReason) values.instantAccessDurationMinutes = "";
  if (values.sku && !["Standard_LRS", "Standard_ZRS"].includes(values.sku)) values.sku = "";
  const inputs = {
    name: h("input", {
      type: "text",
      name: "name",
      value: values.name,
      autocomplete: "off",
      spellcheck: "false",
      required: true,
      maxlength: "120",
    }),
    resourceGroup: h("input", {
      type: "text",
      name: "resourceGroup",
      value: values.resourceGroup,
      autocomplete: "off",
      spellcheck: "false",
    }),
    sku: choice("sku", values.sku, [
      ["", "Default (the previous snapshot's)"],
      ["Standard_LRS", "Standard_LRS"],
      ["Standard_ZRS", "Standard_ZRS"],
    ]),
    tags: h("textarea", {
      name: "tags",
      rows: "3",
      spellcheck: "false",
      placeholder: "backup=daily\nowner=ops",
      value: values.tags,
    }),
    networkAccessPolicy: choice("networkAccessPolicy", values.networkAccessPolicy, [
      ["AllowAll", "AllowAll"],
      ["AllowPrivate", "AllowPrivate (through a disk access)"],
      ["DenyAll", "DenyAll"],
    ]),
    diskAccessId: h("input", {
      type: "text",
      name: "diskAccessId",
      value: values.diskAccessId,
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "/subscriptions/…/providers/Microsoft.Compute/diskAccesses/…",
    }),
    publicNetworkAccess: choice("publicNetworkAccess", values.publicNetworkAccess, [
      ["Enabled", "Enabled"],
      ["Disabled", "Disabled"],
    ]),
    dataAccessAuthMode: choice("dataAccessAuthMode", values.dataAccessAuthMode, [
      ["", "Not set"],
      ["AzureActiveDirectory", "AzureActiveDirectory"],
      ["None", "None"],
    ]),
    instantAccessDurationMinutes: h("input", {
      type: "number",
      name: "instantAccessDurationMinutes",
      min: "60",
      max: "300",
      step: "1",
      value: values.instantAccessDurationMinutes,
      placeholder: iaReason ? "not available for this disk" : "optional, 60–300",
      disabled: Boolean(iaReason),
    }),
  };
  const fields = {
    name: field({
      label: "Snapshot name",
      input: inputs.name,
      hint: "1–80 letters, digits, _ . -; starts with a letter or digit, ends with a letter, digit or _.",
    }),
    resourceGroup: field({
      label: "Resource group",
      input: inputs.resourceGroup,
      hint: "Where the snapshot goes (default: the disk's).",
    }),
    sku: field({
      label: "Storage type",
      input: inputs.sku,
      hint: "Incremental snapshots are stored on Standard HDD (LRS) or zone-redundant (ZRS) storage.",
    }),
    tags: field({ label: "Tags", input: inputs.tags, hint: "name=value, one per line." }),
    networkAccessPolicy: field({ label: "Network access", input: inputs.networkAccessPolicy }),
    diskAccessId: field({ label: "Disk access id", input: inputs.diskAccessId, hint: "Needed for AllowPrivate." }),
    publicNetworkAccess: field({ label: "Public network access", input: inputs.publicNetworkAccess }),
    dataAccessAuthMode: field({ label: "Data access authentication", input: inputs.dataAccessAuthMode }),
    instantAccessDurationMinutes: field({
      label: "Instant access (minutes)",
      input: inputs.instantAccessDurationMinutes,
      hint: iaReason || "Premium SSD v2 and Ultra disks: the snapshot is usable at once for this long.",
    }),
  };
  const summary = h("div.validation-summary", { role: "status", "aria-live": "polite", id: "validation-summary" });
  const preview = h("div.preview");
  const rateNote = h("div.rate-warning", { id: "rate-warning", role: "status", hidden: true });
  const submit = h("button.btn.btn-primary", { type: "submit", id: "create-submit" }, "Create snapshot");
  const reset = h(
    "button.btn",
    {
      type: "button",
      on: {
        click: () => {
          formState.delete(disk.id.toLowerCase());
          go("create");
        },
      },
    },
    "Reset to defaults",
  );

  const read = () => {
    for (const k of FIELDS) values[k] = inputs[k].value;
  };
  const existing = model.all;
  const checkRate = () => {
    const w = rateWindow(model.chain);
    rateNote.hidden = !w.nextAt;
    if (w.nextAt)
      mount(
        rateNote,
        h("strong", `This disk already has ${w.recent} snapshots from the last 5 minutes. `),
        `Azure allows ${RATE_LIMIT.count} snapshots of one disk per 5 minutes, so a new one would be refused; the next one is possible at ${fmtClock(w.nextAt)}.`,
      );
    return w;
  };
  const check = () => {
    read();
    const rate = checkRate();
    fields.diskAccessId.hidden = !(values.networkAccessPolicy === "AllowPrivate" || values.diskAccessId.trim());
    const v = validate(lib, disk, values, existing);
    for (const k of FIELDS) fields[k].setError(v.byField[k]);
    submit.disabled = !v.ok;
    if (v.ok) {
      mount(
        summary,
        h("p.ok", "Ready to create ", h("strong", v.config.name), ` in resource group ${v.config.resourceGroup}.`),
        rate.nextAt ? h("p.warn-text", `Azure will refuse it until ${fmtClock(rate.nextAt)} (see above).`) : null,
      );
      summary.dataset.state = "valid";
    } else {
      const n = Object.keys(v.byField).length + v.general.length;
      summary.dataset.state = "invalid";
      mount(
        summary,
        h("p.bad", `${n === 1 ? "1 problem" : `${n} problems`} to fix before creating`),
        h("ul.violations", [
          ...Object.entries(v.byField).map(([f, m]) => h("li", h("strong", `${LABELS[f] || f}:`), " ", m)),
          ...v.general.map((g) => h("li", g.message)),
        ]),
      );
    }
    mount(
      preview,
      v.config
        ? requestDetails(requestOf(v.config), { open: window.innerWidth >= 900 })
        : h("p.muted", "The request this would send appears here once the values can be read."),
    );
    return v;
  };
  const onInput = debounce(check, 120);
  for (const k of FIELDS) {
    inputs[k].addEventListener("input", onInput);
    inputs[k].addEventListener("change", check);
  }

  const form = h(
    "form.form.create-form",
    {
      novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          const v = check();
          if (!v.ok) {
            const firstBad = FIELDS.find((k) => v.byField[k]);
            (firstBad ? inputs[firstBad] : inputs.name).focus();
            return;
          }
          submit.disabled = true;
          const { options } = v;
          const name = v.config.name;
          const client = app.session.client;
          const sub = subscriptionOf(disk.id);
          const rg = resourceGroupOf(disk.id);
          const pending = runOperation({
            title: `Create snapshot ${name}`,
            kind: "create",
            diskId: disk.id,
            request: requestOf(v.config),
            run: async ({ signal, onProgress }) => {
              try {
                return await client.createIncrementalSnapshot(disk, { ...options, signal, onProgress });
              } catch (e) {
                // Azure's 7-per-5-minutes refusal: when ARM's words don't say so, or give no time,
                // the chain (at its limit) does.
                const w = rateWindow(model.chain);
                try {
                  if (e?.code === "CONFLICT" && e.armCode === "OperationNotAllowed" && w.nextAt) e.rateLimited = true;
                  if (isRateLimited(e) && !nextAllowedAt(e)) e.nextAllowedAt = w.nextAt;
                } catch {
                  // a frozen error keeps its own words
                }
                throw e;
              }
            },
            successText: (snap) =>
              `${snap.name} is ready${typeof snap.properties?.completionPercent === "number" ? ` (${snap.properties.completionPercent.toFixed(0)} % copied)` : ""}.`,
            successLink: (snap) => ({
              href: href.disk(sub, rg, disk.name),
              text: "Show it in the chain",
              snapshotId: snap?.id || v.config.id,
            }),
          });
          document.querySelector("#ops")?.scrollIntoView({ block: "nearest" });
          const result = await pending;
          if (result.ok) {
            formState.delete(disk.id.toLowerCase());
            highlight.id = result.result.id.toLowerCase();
            // Back to the chain of this disk if the user is still on it.
            const chainHref = href.disk(sub, rg, disk.name);
            const here = decodeURIComponent(location.hash).toLowerCase();
            if (here.startsWith(decodeURIComponent(chainHref).toLowerCase())) {
              if (here !== decodeURIComponent(chainHref).toLowerCase()) location.hash = chainHref;
              else app.rerender();
            }
          } else if (form.isConnected) {
            submit.disabled = false;
          }
        },
      },
    },
    h(
      "div.form-cols",
      h(
        "div.form-main",
        h("h2", "New incremental snapshot"),
        h(
          "p.hint",
          "Prefilled from the disk and checked as you type. Incremental snapshots of one disk share a chain; Azure allows 7 per disk every 5 minutes and ",
          `${model.limit} per disk.`,
        ),
        h("div.form-grid", Object.values(fields)),
        rateNote,
        summary,
        h(
          "div.actions",
          submit,
          reset,
          h(
            "button.btn.btn-ghost",
            { type: "button", on: { click: () => go("export") } },
            "See as template / commands",
          ),
        ),
      ),
      h("div.form-side", preview),
    ),
  );
  check();
  return form;
}

/** The would-be request of a config, for the "Details" disclosure. */
function requestOf(config) {
  return {
    title: "The request this would send (JSON)",
    text: json(config.body),
    filename: `${config.name}.request.json`,
    testid: "request-body",
  };
}
