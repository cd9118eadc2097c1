// Row actions: copy a snapshot to another region (CopyStart, with its copy progress) and
// delete a snapshot after a confirmation that names it (the user types the name).
import { h, mount, json, debounce, lastSegment } from "./dom.js";
import { openDialog, closeDialog, field, requestDetails } from "./ui.js";
import { runOperation, markSnapshotGone } from "./operations-tray.js";
import { highlight } from "./state.js";
import { resourceGroupOf } from "./ids.js";

/** The regions of each cloud, as the copy dialog offers them (the Retention view's copy too). */
export const REGIONS = {
  AzureCloud: [
    "australiaeast",
    "australiasoutheast",
    "brazilsouth",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "polandcentral",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "swedencentral",
    "switzerlandnorth",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westus",
    "westus2",
    "westus3",
  ],
  AzureUSGovernment: ["usgovarizona", "usgovtexas", "usgovvirginia", "usdodcentral", "usdodeast"],
  AzureChinaCloud: ["chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3"],
};
// Azure's region pairs for the common ones: a sensible first suggestion.
const PAIRS = {
  westeurope: "northeurope",
  northeurope: "westeurope",
  eastus: "westus",
  westus: "eastus",
  eastus2: "centralus",
  centralus: "eastus2",
  westus2: "westcentralus",
  westus3: "eastus",
  uksouth: "ukwest",
  ukwest: "uksouth",
  francecentral: "francesouth",
  germanywestcentral: "germanynorth",
  swedencentral: "swedensouth",
  japaneast: "japanwest",
  japanwest: "japaneast",
  australiaeast: "australiasoutheast",
  southeastasia: "eastasia",
  eastasia: "southeastasia",
  canadacentral: "canadaeast",
  usgovvirginia: "usgovtexas",
  usgovtexas: "usgovvirginia",
  chinanorth2: "chinaeast2",
  chinaeast2: "chinanorth2",
  chinanorth3: "chinaeast3",
  chinaeast3: "chinanorth3",
};

export function openCopyDialog(app, model, snap) {
  const lib = app.lib;
  const regions = (REGIONS[app.session.cloud] || REGIONS.AzureCloud).filter((r) => r !== snap.location);
  const suggested = PAIRS[snap.location] && regions.includes(PAIRS[snap.location]) ? PAIRS[snap.location] : regions[0];
  const location = h("input", {
    type: "text",
    name: "location",
    list: "region-list",
    value: suggested,
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  });
  const datalist = h(
    "datalist",
    { id: "region-list" },
    regions.map((r) => h("option", { value: r })),
  );
  const nameFor = (loc) => {
    try {
      return lib.buildSnapshotConfig(snap, { location: loc }).name;
    } catch {
      return `${snap.name}-${loc}`.slice(0, 80);
    }
  };
  let nameTouched = false;
  const name = h("input", {
    type: "text",
    name: "name",
    value: nameFor(suggested),
    autocomplete: "off",
    spellcheck: "false",
  });
  const rg = h("input", {
    type: "text",
    name: "resourceGroup",
    value: resourceGroupOf(snap.id),
    autocomplete: "off",
    spellcheck: "false",
  });
  const fLocation = field({
    label: "Target region",
    input: location,
    hint: `The copy is made in this region; the source stays in ${snap.location}.`,
  });
  const fName = field({ label: "Name of the copy", input: name });
  const fRg = field({ label: "Resource group", input: rg });
  const summary = h("div.validation-summary", { role: "status", "aria-live": "polite" });
  const submit = h("button.btn.btn-primary", { type: "submit", id: "copy-submit" }, "Start copy");
  const preview = h("div");
  let current = null;

  const check = () => {
    if (!nameTouched) name.value = nameFor(location.value.trim());
    const options = {
      location: location.value.trim(),
      name: name.value.trim() || undefined,
      resourceGroup: rg.value.trim() || undefined,
    };
    fLocation.setError("");
    fName.setError("");
    fRg.setError("");
    current = null;
    if (options.location.toLowerCase() === String(snap.location).toLowerCase()) {
      fLocation.setError("Pick a region other than the source's.");
      submit.disabled = true;
      mount(summary);
      return null;
    }
    try {
      current = lib.buildSnapshotConfig(snap, options);
      submit.disabled = false;
      mount(summary, h("p.ok", "Ready to copy into ", h("strong", current.body.location), "."));
      mount(
        preview,
        requestDetails({ title: "The request this would send (JSON)", text: json(current.body), testid: "copy-body" }),
      );
    } catch (e) {
      submit.disabled = true;
      const vs = e.violations?.length ? e.violations : [{ field: e.field, message: e.message }];
      const general = [];
      for (const v of vs) {
        const f = String(v.field || "").replace(/^options\./, "");
        if (f.startsWith("location")) fLocation.setError(v.message);
        else if (f.startsWith("name")) fName.setError(v.message);
        else if (f.startsWith("resourceGroup")) fRg.setError(v.message);
        else general.push(v);
      }
      mount(
        summary,
        h("p.bad", "Fix this before copying"),
        general.length
          ? h(
              "ul.violations",
              general.map((g) => h("li", g.message)),
            )
          : null,
      );
      mount(preview);
    }
    return current;
  };
  const later = debounce(check, 120);
  location.addEventListener("input", later);
  rg.addEventListener("input", later);
  name.addEventListener("input", () => {
    nameTouched = true;
    later();
  });

  const body = dialogForm(
    () => {
      const cfg = check();
      if (!cfg) return;
      closeDialog("copy");
      const client = app.session.client;
      runOperation({
        title: `Copy ${snap.name} to ${cfg.body.location}`,
        kind: "copy",
        diskId: model.disk.id,
        run: ({ signal, onProgress }) =>
          client.copySnapshot(snap, {
            location: cfg.body.location,
            name: cfg.name,
            resourceGroup: cfg.resourceGroup,
            signal,
            onProgress,
          }),
        request: { title: "The request this would send (JSON)", text: json(cfg.body), testid: "copy-body" },
        successText: (s) => `${s.name} is ready in ${s.location}.`,
      }).then((r) => {
        if (r.ok) {
          highlight.id = r.result.id.toLowerCase();
          if (app.session) app.rerender();
        }
      });
      document.querySelector("#ops")?.scrollIntoView({ block: "nearest" });
    },
    h(
      "p",
      "Copy ",
      h("strong", snap.name),
      " to another region as an incremental snapshot there. Azure copies it in the background; the page shows how much is copied until it reaches 100 %.",
    ),
    datalist,
    fLocation,
    fName,
    fRg,
    summary,
    preview,
    h("div.actions", submit, h("button.btn", { type: "button", on: { click: () => closeDialog() } }, "Cancel")),
  );
  openDialog({ title: "Copy to another region", body, wide: true });
  check();
}

export function openDeleteDialog(app, model, snap) {
  const input = h("input", {
    type: "text",
    name: "confirm",
    autocomplete: "off",
    spellcheck: "false",
    "aria-label": `Type ${snap.name} to confirm`,
  });
  const submit = h("button.btn.btn-danger", { type: "submit", id: "delete-submit", disabled: true }, "Delete snapshot");
  input.addEventListener("input", () => {
    submit.disabled = input.value.trim() !== snap.name;
  });
  const isNewest = model.chain.length && model.chain[model.chain.length - 1].id === snap.id;
  const copiesOfIt = model.copies.filter(
    (c) =>
      (c.properties?.completionPercent ?? 100) < 100 &&
      lastSegment(c.properties?.creationData?.sourceResourceId).toLowerCase() === snap.name.toLowerCase(),
  );
  const body = dialogForm(
    () => {
      if (input.value.trim() !== snap.name) return;
      closeDialog("delete");
      const client = app.session.client;
      runOperation({
        title: `Delete ${snap.name}`,
        kind: "delete",
        diskId: model.disk.id,
        run: ({ signal }) => client.deleteSnapshot(snap.id, { signal }),
        successText: (r) => (r.deleted ? `${snap.name} was deleted.` : `${snap.name} did not exist any more.`),
      }).then((r) => {
        if (r.ok) markSnapshotGone(snap.id);
        if (r.ok && app.session) app.rerender();
      });
    },
    h(
      "p.danger-text",
      "This permanently deletes snapshot ",
      h("strong.confirm-name", snap.name),
      ` in resource group ${resourceGroupOf(snap.id)}. It cannot be undone.`,
    ),
    snap.properties?.incremental
      ? h(
          "p.hint",
          "The other snapshots of the chain stay usable: each incremental snapshot can restore a full disk on its own.",
        )
      : null,
    isNewest
      ? h(
          "p.hint",
          "This is the newest snapshot of the chain: the next one will hold the changes since the one before it.",
        )
      : null,
    copiesOfIt.length
      ? h(
          "p.warn-text",
          `A copy of it to another region is still in progress (${copiesOfIt.map((c) => c.location).join(", ")}); deleting it now makes that copy fail (CopySourceNotFound).`,
        )
      : null,
    field({ label: h("span", "Type ", h("code", snap.name), " to confirm"), input }),
    h("div.actions", submit, h("button.btn", { type: "button", on: { click: () => closeDialog() } }, "Keep it")),
  );
  openDialog({ title: `Delete ${snap.name}?`, body });
}

/** A dialog's form: `onSubmit` runs on submit (the browser's own validation and navigation off). */
function dialogForm(onSubmit, ...children) {
  const submit = (ev) => {
    ev.preventDefault();
    onSubmit();
  };
  return h("form.form", { novalidate: true, on: { submit } }, ...children);
}
