// Export: the ARM template and parameters file for the disk (buildSnapshotTemplate /
// buildTemplateParameters), the equivalent PowerShell and az commands and the JSON request body
// (from the create form's values through buildSnapshotConfig). Copy or download each. The
// template's default snapshot name is unique per deployment (a `utcNow()` default parameter), so
// deploying it twice makes two snapshots instead of targeting one name.
import { h, mount, json } from "./dom.js";
import { codeBlock, errorCard, field } from "./ui.js";
import { valuesFor, validate } from "./form-model.js";
import { powershellCommand, azCommand, restRequest } from "./commands.js";
import { resourceGroupOf } from "./ids.js";

/** Template options from the export form; the defaults give exactly buildSnapshotTemplate({ disk }). */
export function templateOptions(disk, { naming, outputs, tags, fixedName, location }) {
  const o = { disk };
  if (naming === "timestamp") o.snapshotName = { timestamp: true };
  else if (naming === "parameter") o.snapshotName = { parameter: "snapshotName", defaultValue: fixedName };
  else if (naming === "fixed" && fixedName) o.snapshotName = fixedName;
  if (outputs) o.outputs = true;
  if (tags && Object.keys(tags).length) o.tags = tags;
  if (location) o.location = location;
  return o;
}

export function exportTab(app, model, { go }) {
  const { disk } = model;
  const lib = app.lib;
  const values = valuesFor(lib, disk);
  const v = validate(lib, disk, values, []);
  const formTags = v.options.tags || {};

  const naming = h(
    "select",
    { name: "naming", value: "timestamp" },
    h("option", { value: "timestamp", selected: true }, "A new name per deployment (time-stamped)"),
    h("option", { value: "parameter" }, "Asked at deployment (a parameter)"),
    h("option", { value: "fixed" }, "The create form's name (deploys once)"),
    h("option", { value: "documented" }, "Always <disk>_snapshot1 (deploys once)"),
  );
  const outputs = h("input", { type: "checkbox", name: "outputs" });
  const useTags = h("input", { type: "checkbox", name: "tags", disabled: !Object.keys(formTags).length });
  const fixedLoc = h("input", { type: "checkbox", name: "location" });
  const out = h("div.export-out");

  const render = () => {
    const topts = templateOptions(disk, {
      naming: naming.value,
      outputs: outputs.checked,
      tags: useTags.checked ? formTags : null,
      fixedName: v.config?.name || values.name,
      location: fixedLoc.checked ? disk.location : null,
    });
    const blocks = [];
    try {
      const template = lib.buildSnapshotTemplate(topts);
      const parameters = lib.buildTemplateParameters(topts);
      blocks.push(
        codeBlock({
          title: "ARM template",
          text: json(template),
          filename: `${disk.name}-snapshot.template.json`,
          testid: "template",
          lang: "json",
        }),
        codeBlock({
          title: "Parameters file",
          text: json(parameters),
          filename: `${disk.name}-snapshot.parameters.json`,
          testid: "parameters",
          lang: "json",
        }),
        h(
          "p.hint",
          "Deploy: ",
          h(
            "code",
            `az deployment group create --resource-group ${diskRg(disk)} --template-file ${disk.name}-snapshot.template.json --parameters @${disk.name}-snapshot.parameters.json`,
          ),
        ),
      );
    } catch (e) {
      blocks.push(errorCard(e, { compact: true }));
    }
    if (v.config) {
      blocks.push(
        h("h2", "The same snapshot, other ways"),
        h("p.hint", "From the create form's values (", toCreateTab(go, "edit them"), ")."),
        codeBlock({
          title: "PowerShell (Az.Compute)",
          text: powershellCommand(v.config),
          filename: `${disk.name}-snapshot.ps1`,
          type: "text/plain",
          testid: "powershell",
          lang: "powershell",
        }),
        codeBlock({
          title: "Azure CLI",
          text: azCommand(v.config),
          filename: `${disk.name}-snapshot.sh`,
          type: "text/plain",
          testid: "az",
          lang: "sh",
        }),
        codeBlock({
          title: "Request body (JSON)",
          text: json(v.config.body),
          filename: `${v.config.name}.request.json`,
          testid: "request-body",
          lang: "json",
        }),
        codeBlock({
          title: "REST request",
          text: restRequest(v.config, app.session.endpoint),
          type: "text/plain",
          testid: "rest",
          lang: "http",
        }),
      );
    } else {
      blocks.push(
        h("h2", "The same snapshot, other ways"),
        h(
          "p.warn-text",
          "The create form has problems, so no command can be shown. ",
          toCreateTab(go, "Fix them in the form."),
        ),
      );
    }
    mount(out, blocks);
  };
  for (const el of [naming, outputs, useTags, fixedLoc]) el.addEventListener("change", render);
  render();
  return h(
    "div.export-tab",
    h("h2", "ARM template"),
    h(
      "p.hint",
      "A deployable template that takes an incremental snapshot of this disk, and its parameters file. By default every deployment names its snapshot after the time it runs, so deploying it again makes a new snapshot instead of targeting the same name.",
    ),
    h(
      "div.form-grid.export-options",
      field({ label: "Snapshot name", input: naming }),
      h("label.check", outputs, " Outputs with the snapshot ids"),
      h(
        "label.check",
        useTags,
        " Tags from the create form",
        Object.keys(formTags).length ? "" : h("span.muted", " (none set)"),
      ),
      h("label.check", fixedLoc, ` Fixed region (${disk.location}) instead of the resource group's`),
    ),
    out,
  );
}

const diskRg = (disk) => resourceGroupOf(disk.id, "<resource-group>");

/** A link to the create tab (where the values the commands are made from are edited). */
function toCreateTab(go, text) {
  const click = (ev) => {
    ev.preventDefault();
    go("create");
  };
  return h("a", { href: "#", on: { click } }, text);
}
