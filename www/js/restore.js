// The Restore dialog: a new managed disk from a snapshot (its row on the disk page, in the
// Snapshots console and on a deleted disk's page) or from the page blob a replication wrote (the
// Replicate tab). The fields (name, resource group, disk type, zone, size, network access, tags;
// for a blob also its storage account and region) are checked by the package's buildDiskConfig as
// the user types, every problem in words next to its field; only the disk types the snapshot can
// become are offered. The would-be request under "Details", the ARM template of the same disk
// (buildRestoreTemplate) to download, and Restore: restoreDisk through the operations tray
// ("Creating the disk", "Hydrating N %", then a link to the new disk). A blob's SAS signature is
// never shown (sig=… hidden) nor put in the request shown or the template (a secure parameter).
import { h, mount, json, debounce, fmtGiB } from "./dom.js";
import { openDialog, closeDialog, field, requestDetails, download } from "./ui.js";
import { runOperation } from "./operations-tray.js";
import { href } from "./routes.js";
import { resourceGroupOf, subscriptionOf } from "./ids.js";

/** The disk types, in words. */
export const DISK_SKUS = [
  ["Standard_LRS", "Standard HDD"],
  ["StandardSSD_LRS", "Standard SSD"],
  ["StandardSSD_ZRS", "Standard SSD, zone-redundant"],
  ["Premium_LRS", "Premium SSD"],
  ["Premium_ZRS", "Premium SSD, zone-redundant"],
  ["PremiumV2_LRS", "Premium SSD v2"],
  ["UltraSSD_LRS", "Ultra Disk"],
];
const SECTOR_4K_SKUS = ["PremiumV2_LRS", "UltraSSD_LRS"];

const lower = (s) => String(s || "").toLowerCase();
const isZrs = (sku) => /_ZRS$/i.test(String(sku || ""));

/** The disk types a snapshot can become: a 4096-byte-sector one only Premium SSD v2 or Ultra. */
export function skusFor(snap) {
  const sector4k = snap?.properties?.creationData?.logicalSectorSize === 4096;
  return { skus: DISK_SKUS.filter(([k]) => !sector4k || SECTOR_4K_SKUS.includes(k)), sector4k };
}

/** yyyymmddhhmmss in UTC. */
const stamp = (d = new Date()) => d.toISOString().replace(/\D/g, "").slice(0, 14);

/** A new disk's default name: `<base>-restored-<yyyymmddhhmmss>`, at most 80 characters. */
export function defaultDiskName(base, now = new Date()) {
  const suffix = `-restored-${stamp(now)}`;
  const head = String(base || "disk")
    .slice(0, 80 - suffix.length)
    .replace(/[^A-Za-z0-9_.-]/g, "-");
  return `${head}${suffix}`;
}

/** A URL with its SAS signature hidden: `sig=…`. Anything that is not a URL is shown as "…". */
export function maskSas(url) {
  let u;
  try {
    u = new URL(String(url));
  } catch {
    return "…";
  }
  const parts = u.search
    .slice(1)
    .split("&")
    .filter(Boolean)
    .map((p) => (/^sig=/i.test(p) ? "sig=…" : p));
  return `${u.origin}${u.pathname}${parts.length ? `?${parts.join("&")}` : ""}`;
}

/**
 * The blob's URL as Azure is given it: under the demo, the emulator serves a blob at
 * `<page origin>/blob/<account host>/<container>/<blob>`; Azure (the emulator's ARM) is given its
 * Azure address, https://<account host>/<container>/<blob>, with the same SAS.
 */
export function importUri(targetUrl, origin = location.origin) {
  let u;
  try {
    u = new URL(String(targetUrl));
  } catch {
    return String(targetUrl);
  }
  if (u.origin !== origin || !u.pathname.startsWith("/blob/")) return String(targetUrl);
  const [host, ...rest] = u.pathname.slice("/blob/".length).split("/");
  return `https://${host}/${rest.join("/")}${u.search}`;
}

/** The storage account a blob URL names (`<account>.blob.core.windows.net`), or "". */
function accountOf(uri) {
  try {
    const host = new URL(uri).hostname;
    return /^([a-z0-9]{3,24})\.blob\./.test(host) ? host.split(".")[0] : "";
  } catch {
    return "";
  }
}

/** A template without the blob's SAS: `sourceUri` becomes a secure parameter with no default. */
function withoutSas(template) {
  const t = structuredClone(template);
  let found = false;
  for (const r of t.resources || []) {
    const cd = r?.properties?.creationData;
    if (cd && typeof cd.sourceUri === "string") {
      cd.sourceUri = "[parameters('sourceUri')]";
      found = true;
    }
  }
  if (found)
    t.parameters = {
      ...t.parameters,
      sourceUri: {
        type: "securestring",
        metadata: { description: "The blob's URL with a SAS that can read it (not saved in this file)" },
      },
    };
  return t;
}

/** A request body with the blob's signature hidden. */
function shownBody(body) {
  const b = structuredClone(body);
  const cd = b?.properties?.creationData;
  if (cd && typeof cd.sourceUri === "string") cd.sourceUri = maskSas(cd.sourceUri);
  return b;
}

/** A field over the whole width of the form. */
const wide = (f) => (f.classList.add("restore-wide"), f);

/** Which field of the form a violation belongs to. */
function fieldOf(path) {
  const p = String(path || "");
  if (p.startsWith("options.zones")) return "zone";
  if (p.startsWith("options.tags")) return "tags";
  if (p.startsWith("options.diskSizeGB")) return "size";
  if (p.startsWith("options.networkAccessPolicy")) return "network";
  if (p.startsWith("options.resourceGroup")) return "resourceGroup";
  if (p.startsWith("options.name")) return "name";
  if (p.startsWith("options.sku")) return "sku";
  if (p.startsWith("options.location")) return "location";
  if (p.includes("storageAccountId")) return "account";
  if (p.includes("sourceUri")) return "uri";
  return null;
}

const capital = (s) => {
  const t = String(s || "").trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}` : "";
};

/** A violation in the user's words (the package's rule names the case). */
function words(v, ctx) {
  switch (v.rule) {
    case "name.required":
      return "Give the new disk a name.";
    case "name.length":
      return "A disk name has 1 to 80 characters.";
    case "name.chars":
    case "name.start":
    case "name.end":
      return "Use letters, digits, _ . and -; start with a letter or digit, end with a letter, digit or _.";
    case "resourceGroup.length":
    case "resourceGroup.chars":
    case "resourceGroup.end":
      return "A resource group name has 1 to 90 letters, digits, _ ( ) . and -, and does not end with a period.";
    case "diskSize.smaller":
      return `At least ${fmtGiB(ctx.minGB)}: a disk cannot be smaller than the snapshot it is made from.`;
    case "diskSize.range":
    case "diskSize.type":
      return "A whole number of GiB, from 1 to 65,536.";
    case "sectorSize.sku":
      return "This snapshot has 4096-byte sectors, which only Premium SSD v2 and Ultra disks can use.";
    case "zones.zrs":
      return "A zone-redundant disk is spread over the zones: choose no zone, or a type that is not zone-redundant.";
    case "zones.count":
    case "zones.value":
      return "Choose no zone, or one of 1, 2 and 3.";
    case "location.required":
      return "Give the region of the storage account: the disk is made there.";
    case "location.format":
      return "A region name such as westeurope (lower-case letters and digits).";
    case "restore.sameRegion":
      return "A disk is made in its snapshot's region; copy the snapshot to another region first.";
    case "sourceUri.https":
      return "The copy's URL must start with https://.";
    case "sourceUri.blob":
    case "sourceUri.required":
      return "The copy's URL must name a blob: https://<account>.blob.core.windows.net/<container>/<blob>.";
    case "storageAccountId.required":
      return "Give the resource id of the storage account that holds the copy.";
    case "storageAccountId.format":
      return "That is not a storage account's resource id: it reads /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account>.";
    case "source.pending":
      return "The snapshot is still being copied; a disk can be made from it once it is fully copied.";
    case "diskAccessId.required":
    case "networkAccessPolicy.value":
      return "Choose open to all networks, or no network access.";
    default:
      return capital(v.message);
  }
}

/** Tags from "name=value" lines; problems of the syntax the package cannot see. */
function tagsOf(text) {
  const tags = {};
  let problem = "";
  String(text || "")
    .split("\n")
    .forEach((line, i) => {
      const t = line.trim();
      if (!t) return;
      const eq = t.indexOf("=");
      if (eq < 0) {
        problem ||= `Line ${i + 1}: write tags as name=value, one per line.`;
        return;
      }
      tags[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
    });
  return { tags, problem };
}

/** A refusal at run time, in plain words (the code stays in the card's Details). */
function plainError(e, { name, resourceGroup }) {
  if (e?.code !== "CONFLICT") return e;
  const field = String(e.field || "");
  let message;
  let advice;
  if (field === "options.name" || /exist/i.test(String(e.message))) {
    message = `A disk named ${name} already exists in ${resourceGroup}.`;
    advice = "Nothing was changed or overwritten. Pick another name and restore again.";
  } else if (field === "source" || e.armCode === "OperationNotAllowed") {
    message = "Azure makes at most 5 disks at once from one snapshot, and 5 are still being made from this one.";
    advice =
      "Wait until one of them is ready (hydrated to 100 %), then restore again; or restore from another snapshot of the chain.";
  } else return e;
  const out = new Error(message);
  for (const k of ["code", "field", "status", "armCode", "requestId", "target"]) if (e[k] !== undefined) out[k] = e[k];
  out.adviceText = advice;
  return out;
}

/** A restore from a snapshot (the object ARM returned); `disk` the source disk when known (its type and zone as defaults). */
export function openRestoreDialog(app, snap, { disk = null } = {}) {
  const fromDisk = disk && lower(disk.id) === lower(snap.properties?.creationData?.sourceResourceId) ? disk : null;
  openDialogFor(app, {
    kind: "snapshot",
    source: snap,
    title: `Restore ${snap.name} to a new disk`,
    baseName: snap.name,
    sub: subscriptionOf(snap.id),
    resourceGroup: resourceGroupOf(snap.id),
    minGB: snap.properties?.diskSizeGB ?? null,
    sku: fromDisk?.sku?.name || null,
    zone: fromDisk?.zones?.[0] || "",
    snap,
  });
}

/**
 * A restore from the page blob a replication wrote: `targetUrl` the URL the user gave (with its
 * SAS), `disk` the replicated disk, `lastSnapshot` the name of the newest snapshot copied into it.
 */
export function openBlobRestoreDialog(app, { targetUrl, disk, lastSnapshot }) {
  const sourceUri = importUri(targetUrl);
  openDialogFor(app, {
    kind: "blob",
    sourceUri,
    title: `Restore a disk from the copy of ${disk.name}`,
    baseName: disk.name,
    sub: subscriptionOf(disk.id),
    resourceGroup: "",
    minGB: null,
    sku: disk.sku?.name || null,
    zone: "",
    lastSnapshot,
    demo: sourceUri !== targetUrl,
  });
}

function openDialogFor(app, spec) {
  const lib = app.lib;
  const blob = spec.kind === "blob";
  const { skus, sector4k } = blob ? { skus: DISK_SKUS, sector4k: false } : skusFor(spec.snap);
  const defaultSku = skus.some(([k]) => k === spec.sku) ? spec.sku : sector4k ? "PremiumV2_LRS" : "Standard_LRS";
  const text = (name, value, more = {}) =>
    h("input", { type: "text", name, value, autocomplete: "off", spellcheck: "false", ...more });
  const select = (name, value, options) =>
    h(
      "select",
      { name },
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
    );
  const inputs = {
    name: text("name", defaultDiskName(spec.baseName), { maxlength: "120", required: true }),
    resourceGroup: text("resourceGroup", spec.resourceGroup, blob ? { placeholder: "the storage account's" } : {}),
    sku: select(
      "sku",
      defaultSku,
      skus.map(([k, label]) => [k, `${label} (${k})`]),
    ),
    zone: select("zone", isZrs(defaultSku) ? "" : spec.zone, [
      ["", "No zone"],
      ["1", "Zone 1"],
      ["2", "Zone 2"],
      ["3", "Zone 3"],
    ]),
    size: h("input", {
      type: "number",
      name: "diskSizeGB",
      min: String(spec.minGB || 1),
      max: "65536",
      step: "1",
      inputmode: "numeric",
      value: spec.minGB ? String(spec.minGB) : "",
      placeholder: blob ? "the copy's size" : null,
    }),
    network: select("networkAccessPolicy", "AllowAll", [
      ["AllowAll", "Open to all networks"],
      ["DenyAll", "No network access (no download links)"],
    ]),
    tags: h("textarea", {
      name: "tags",
      rows: "2",
      spellcheck: "false",
      placeholder: "owner=ops",
      value: blob ? "" : `restoredFrom=${spec.snap.name}`,
    }),
  };
  if (blob) {
    inputs.account = text("storageAccountId", "", {
      placeholder: `/subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/${accountOf(spec.sourceUri) || "<account>"}`,
      class: "mono",
    });
    inputs.location = text("location", "", { placeholder: "for example northeurope" });
  }
  const fields = {
    name: wide(field({ label: "New disk name", input: inputs.name, hint: "1–80 letters, digits, _ . and -." })),
    resourceGroup: field({
      label: "Resource group",
      input: inputs.resourceGroup,
      hint: blob ? "Empty: the storage account's resource group." : "Default: the snapshot's.",
    }),
    account: blob
      ? wide(
          field({
            label: "Storage account id",
            input: inputs.account,
            hint: "The resource id of the storage account that holds the copy: /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account> (the portal shows it under the account's Properties, Resource ID).",
          }),
        )
      : null,
    location: blob
      ? field({
          label: "Region",
          input: inputs.location,
          hint: "The storage account's region: the disk is made there.",
        })
      : null,
    sku: field({
      label: "Disk type",
      input: inputs.sku,
      hint: sector4k
        ? "Only Premium SSD v2 and Ultra Disk: this snapshot has 4096-byte sectors, which the other types cannot use."
        : null,
    }),
    zone: field({
      label: "Availability zone",
      input: inputs.zone,
      hint: "Zone-redundant types take no zone.",
    }),
    size: field({
      label: "Size (GiB)",
      input: inputs.size,
      hint: spec.minGB
        ? `At least ${fmtGiB(spec.minGB)}, the snapshot's size.`
        : "Empty: the copy's size. It cannot be smaller.",
    }),
    network: field({ label: "Network access", input: inputs.network }),
    tags: field({ label: "Tags", input: inputs.tags, hint: "name=value, one per line." }),
  };
  const sourceLine = blob
    ? h(
        "p",
        "From the page blob ",
        h("code.break", { dataset: { testid: "restore-source-url" } }, maskSas(spec.sourceUri)),
        spec.lastSnapshot
          ? [" as the replication left it: the contents of ", h("strong", spec.lastSnapshot), "."]
          : ".",
        " Azure reads the blob itself with the link's signature (hidden here); this page never sends the blob anything.",
        spec.demo
          ? h(
              "span.muted",
              " Under the demo, the emulator's blob is given to Azure by its Azure address (https://<account>.blob.core.windows.net/…).",
            )
          : null,
      )
    : h(
        "p",
        "A new managed disk with the contents of ",
        h("strong", spec.snap.name),
        ` (${fmtGiB(spec.minGB)}, ${spec.snap.location}). The snapshot stays as it is. A Premium SSD v2 or Ultra disk is usable at once and fills in from the snapshot in the background (hydration).`,
      );
  const summary = h("div.validation-summary", { role: "status", "aria-live": "polite", id: "restore-summary" });
  const preview = h("div.restore-preview");
  const submit = h("button.btn.btn-primary", { type: "submit", id: "restore-submit" }, "Restore");
  const templateLink = h(
    "a.restore-template",
    { href: "#", id: "restore-template", on: { click: (ev) => (ev.preventDefault(), saveTemplate()) } },
    "Download as ARM template",
  );
  let current = null;

  const sourceNow = () =>
    blob ? { sourceUri: spec.sourceUri, storageAccountId: inputs.account.value.trim() || undefined } : spec.source;
  const optionsNow = () => {
    const o = { name: inputs.name.value.trim() };
    const rg = inputs.resourceGroup.value.trim();
    if (rg) o.resourceGroup = rg;
    o.sku = inputs.sku.value;
    if (inputs.zone.value) o.zones = [inputs.zone.value];
    const size = inputs.size.value.trim();
    if (size) o.diskSizeGB = Number(size);
    o.networkAccessPolicy = inputs.network.value;
    const { tags, problem } = tagsOf(inputs.tags.value);
    if (Object.keys(tags).length) o.tags = tags;
    if (blob && inputs.location.value.trim()) o.location = inputs.location.value.trim();
    return { options: o, local: problem ? { tags: problem } : {} };
  };

  const check = () => {
    const { options, local } = optionsNow();
    const byField = { ...local };
    const general = [];
    current = null;
    if (options.diskSizeGB !== undefined && !Number.isInteger(options.diskSizeGB)) {
      byField.size = "A whole number of GiB, from 1 to 65,536.";
      delete options.diskSizeGB;
    }
    let config = null;
    try {
      config = lib.buildDiskConfig(sourceNow(), options);
    } catch (e) {
      const vs = e?.violations?.length ? e.violations : [{ field: e?.field, rule: e?.code, message: e?.message }];
      for (const v of vs) {
        const f = fieldOf(v.field);
        const m = words(v, spec);
        if (f && fields[f]) {
          if (!byField[f]) byField[f] = m;
          else if (!byField[f].includes(m)) byField[f] = `${byField[f]} ${m}`;
        } else if (!general.includes(m)) general.push(m);
      }
    }
    for (const [k, f] of Object.entries(fields)) f?.setError(byField[k] || "");
    const n = Object.keys(byField).length + general.length;
    const ok = Boolean(config) && n === 0;
    submit.disabled = !ok;
    templateLink.toggleAttribute("aria-disabled", !ok);
    templateLink.classList.toggle("disabled", !ok);
    summary.dataset.state = ok ? "valid" : "invalid";
    if (ok) {
      current = { config, options };
      mount(
        summary,
        h(
          "p.ok",
          "Ready to make disk ",
          h("strong", config.name),
          ` in resource group ${config.resourceGroup} (${config.body.location}).`,
        ),
      );
      mount(preview, requestDetails(requestOf(config)));
    } else {
      mount(
        summary,
        h("p.bad", `${n === 1 ? "1 problem" : `${n} problems`} to fix before restoring`),
        general.length
          ? h(
              "ul.violations",
              general.map((m) => h("li", m)),
            )
          : null,
      );
      mount(preview);
    }
    return current;
  };

  function saveTemplate() {
    const c = check();
    if (!c) return;
    const template = lib.buildRestoreTemplate(sourceNow(), c.options);
    download(`${c.config.name}.template.json`, json(blob ? withoutSas(template) : template));
  }

  const later = debounce(check, 120);
  for (const el of Object.values(inputs)) {
    el.addEventListener("input", later);
    el.addEventListener("change", check);
  }

  const start = () => {
    const c = check();
    if (!c) {
      const bad = Object.keys(fields).find((k) => fields[k]?.classList.contains("invalid"));
      inputs[bad || "name"]?.focus();
      return;
    }
    closeDialog("restore");
    const { config, options } = c;
    const source = sourceNow();
    const client = app.session.client;
    const sub = subscriptionOf(config.id);
    runOperation({
      title: `Restore disk ${config.name}`,
      kind: "restore",
      diskId: null,
      request: requestOf(config),
      describe: (p) => {
        if (p.phase === "hydrating" && typeof p.completionPercent === "number") {
          const pct = Math.max(0, Math.min(100, p.completionPercent));
          return { text: `Hydrating ${pct.toFixed(0)} %`, percent: pct, caption: `${pct.toFixed(0)} % hydrated` };
        }
        if (p.phase === "done") return { text: "Done", percent: 100, caption: "100 %" };
        return { text: "Creating the disk", percent: null, caption: "" };
      },
      run: async ({ signal, onProgress }) => {
        onProgress({ phase: "checking" });
        try {
          return await client.restoreDisk(source, { ...options, wait: true, signal, onProgress });
        } catch (e) {
          throw plainError(e, config);
        }
      },
      successText: (d) => `Disk ${d?.name || config.name} is ready.`,
      successLink: (d) => ({
        href: href.disk(sub, config.resourceGroup, d?.name || config.name),
        text: "Open the new disk",
      }),
    });
    document.querySelector("#ops")?.scrollIntoView({ block: "nearest" });
  };

  const body = h(
    "form.form.restore-form",
    {
      novalidate: true,
      on: {
        submit: (ev) => {
          ev.preventDefault();
          start();
        },
      },
    },
    sourceLine,
    h("div.form-grid.restore-grid", Object.values(fields).filter(Boolean)),
    summary,
    preview,
    h(
      "div.actions",
      submit,
      templateLink,
      h("button.btn", { type: "button", on: { click: () => closeDialog() } }, "Cancel"),
    ),
  );
  openDialog({ title: spec.title, body, wide: true });
  check();

  /** The would-be request, the blob's signature hidden. */
  function requestOf(config) {
    return {
      title: "The request this would send (JSON)",
      text: json(shownBody(config.body)),
      testid: "restore-body",
    };
  }
}
