// The Access dialog of one snapshot, opened from its row: a download link (a read-only SAS for a
// chosen time, at most 60 days: the link with its expiry in the user's time zone, Copy, the
// azcopy and az commands, Revoke; Azure's limit of 5 open links per disk's snapshots said in
// plain words, with the snapshots that hold one) and its immutability (the policy read at
// api-version 2026-03-02; set or extend it; lock it after typing the snapshot's name).
import { h, mount, plural } from "./dom.js";
import { openDialog, field, codeBlock, copyText, toast, errorCard, loading } from "./ui.js";
import { shQuote } from "./commands.js";
import { resourceGroupOf, subscriptionOf } from "./ids.js";

const HOUR = 3600;
const DAY = 86400;
/** Azure's longest link: 60 days. */
export const MAX_SAS_SECONDS = 60 * DAY;
/** The longest protection the package accepts (days). */
const MAX_DAYS = 146000;
const PRESETS = [
  { key: "1h", label: "1 hour", seconds: HOUR },
  { key: "1d", label: "1 day", seconds: DAY },
  { key: "7d", label: "7 days", seconds: 7 * DAY },
  { key: "custom", label: "Custom", seconds: null },
];

/** A time as the user reads it, in their own time zone, with the zone named. */
export function localTime(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  return new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(d);
}

/** "2 hours", "3 days", "1 day 6 hours". */
function spoken(seconds) {
  const days = Math.floor(seconds / DAY);
  const hours = Math.round((seconds - days * DAY) / HOUR);
  return (
    [days ? plural(days, "day") : null, hours ? plural(hours, "hour") : null].filter(Boolean).join(" ") ||
    "under an hour"
  );
}

/** The commands that do the same by hand. */
export function accessCommands({ url, id, name, seconds }) {
  return [
    "# Download the snapshot as a VHD file (azcopy)",
    `azcopy copy "${url}" "${name}.vhd"`,
    "",
    "# The same link with the Azure CLI, and revoking it",
    `az snapshot grant-access --duration-in-seconds ${seconds} --ids ${shQuote(id)}`,
    `az snapshot revoke-access --ids ${shQuote(id)}`,
    "",
  ].join("\n");
}

const familyOf = (s) => s?.properties?.incrementalSnapshotFamilyId || null;
const hasOpenLink = (s) => String(s?.properties?.diskState || "").toLowerCase() === "activesas";

/**
 * Whether a refused grant is Azure's limit of 5 open links per snapshot family: the family's
 * other snapshots holding a link (read afresh), else the words of ARM's message. Resolves to
 * { limit: boolean, holders: names }.
 */
async function fiveLinkLimit(client, snap, e) {
  if (e?.code !== "CONFLICT") return { limit: false, holders: [] };
  let holders = [];
  const family = familyOf(snap);
  if (family) {
    try {
      const all = await client.listSnapshots(`/subscriptions/${subscriptionOf(snap.id)}`);
      holders = all.filter(
        (s) => familyOf(s) === family && s.id.toLowerCase() !== snap.id.toLowerCase() && hasOpenLink(s),
      );
    } catch {
      holders = [];
    }
  }
  const worded = /\b(5|five)\b/i.test(String(e.message)) && /(SAS|access)/i.test(String(e.message));
  return { limit: holders.length >= 5 || worded, holders: holders.map((s) => s.name) };
}

function exportSection(app, model, snap) {
  const client = app.session.client;
  const name = `sas-${Math.random().toString(36).slice(2, 8)}`;
  const radios = PRESETS.map((p, i) =>
    h(
      "label.access-preset",
      h("input", { type: "radio", name, value: p.key, checked: i === 1, dataset: { preset: p.key } }),
      p.label,
    ),
  );
  const amount = h("input", {
    type: "number",
    name: "customAmount",
    min: "1",
    step: "1",
    value: "2",
    inputmode: "numeric",
  });
  const unit = h(
    "select",
    { name: "customUnit", "aria-label": "Unit" },
    h("option", { value: "hours" }, "hours"),
    h("option", { value: "days", selected: true }, "days"),
  );
  const customField = field({
    label: "Custom duration",
    input: amount,
    hint: "Up to 60 days.",
  });
  customField.querySelector("input").after(unit);
  customField.hidden = true;
  const grantBtn = h(
    "button.btn.btn-primary",
    { type: "button", dataset: { action: "grant" } },
    "Create download link",
  );
  const status = h("div.access-status", { role: "status", "aria-live": "polite" });
  const result = h("div.access-result");

  const chosen = () => radios.map((r) => r.querySelector("input")).find((r) => r.checked)?.value || "1d";
  const seconds = () => {
    const p = PRESETS.find((x) => x.key === chosen());
    if (p.seconds) return p.seconds;
    const n = Number(amount.value);
    if (!Number.isInteger(n) || n < 1) return null;
    const s = n * (unit.value === "hours" ? HOUR : DAY);
    return s <= MAX_SAS_SECONDS ? s : null;
  };
  const check = () => {
    customField.hidden = chosen() !== "custom";
    const s = seconds();
    customField.setError(s === null ? "Enter a whole number: at least 1 hour and at most 60 days (1440 hours)." : "");
    grantBtn.disabled = s === null;
    return s;
  };
  for (const r of radios) r.querySelector("input").addEventListener("change", check);
  amount.addEventListener("input", check);
  unit.addEventListener("change", check);

  const revokeBtn = (label = "Revoke the link") =>
    h(
      "button.btn.btn-danger-ghost",
      {
        type: "button",
        dataset: { action: "revoke" },
        on: {
          click: async (ev) => {
            ev.target.disabled = true;
            mount(status, loading("Revoking the link…"));
            try {
              await client.revokeAccess(snap.id);
              mount(result);
              mount(status, h("p.ok", "The link was revoked: it no longer works."));
              toast("Download link revoked");
            } catch (e) {
              ev.target.disabled = false;
              mount(status, errorCard(e, { compact: true }));
            }
          },
        },
      },
      label,
    );

  grantBtn.addEventListener("click", async () => {
    const s = check();
    if (s === null) return;
    grantBtn.disabled = true;
    mount(result);
    mount(status, loading("Creating the link…"));
    const asked = Date.now();
    try {
      const r = await client.grantAccess(snap.id, { durationInSeconds: s, access: "Read" });
      const url = r?.accessSAS;
      if (!url) throw Object.assign(new Error("Azure did not send a link."), { code: "INVALID_RESPONSE" });
      const until = asked + s * 1000;
      mount(status);
      const urlBox = h("textarea.access-url", {
        readonly: true,
        rows: "3",
        spellcheck: "false",
        "aria-label": "Download link",
        dataset: { testid: "sas-url" },
      });
      urlBox.value = url;
      mount(
        result,
        h(
          "p.access-expiry",
          { dataset: { testid: "sas-expiry" } },
          "Valid until ",
          h("strong", localTime(until)),
          ` (${spoken(s)} from now).`,
        ),
        urlBox,
        h(
          "div.actions",
          h(
            "button.btn",
            {
              type: "button",
              dataset: { action: "copy-url" },
              on: {
                click: async () =>
                  toast((await copyText(url)) ? "Link copied" : "Copy failed: select the link and copy it by hand"),
              },
            },
            "Copy link",
          ),
          revokeBtn(),
        ),
        h(
          "p.warn-text",
          "Anyone who has this link can read the whole snapshot until it expires or you revoke it. Share it only where it is needed.",
        ),
        codeBlock({
          title: "The same by hand",
          text: accessCommands({ url, id: snap.id, name: snap.name, seconds: s }),
          testid: "access-commands",
          lang: "sh",
        }),
      );
    } catch (e) {
      const { limit, holders } = await fiveLinkLimit(client, snap, e);
      if (limit) {
        mount(
          status,
          h(
            "div.access-limit",
            { role: "alert", dataset: { testid: "sas-limit" } },
            h("h3", "Too many open download links"),
            h(
              "p",
              "Azure lets at most 5 snapshots of the same disk have a download link open at the same time, and 5 already do. Revoke the link of one of them (open its Access dialog and choose Revoke), then try again.",
            ),
            holders.length
              ? [
                  h("p.hint", "Snapshots of this disk with an open link:"),
                  h(
                    "ul.access-holders",
                    holders.map((n) => h("li", n)),
                  ),
                ]
              : null,
          ),
        );
      } else {
        mount(status, errorCard(e, { compact: true }));
      }
    } finally {
      check();
    }
  });

  const open = hasOpenLink(snap);
  check();
  return h(
    "section.access-part",
    { dataset: { testid: "access-export" } },
    h("h3", "Export: a download link (SAS)"),
    h(
      "p.hint",
      "A read-only link to the snapshot's data, to download it as a VHD file or copy it elsewhere. It stops working when it expires or when you revoke it.",
    ),
    open
      ? h(
          "p.warn-text",
          { dataset: { testid: "sas-open" } },
          "This snapshot already has an open download link (its address cannot be shown again). A new link replaces it.",
          " ",
          revokeBtn("Revoke the open link"),
        )
      : null,
    h("fieldset.access-presets", h("legend", "How long should the link work?"), radios),
    customField,
    h("div.actions", grantBtn),
    status,
    result,
  );
}

/** The policy in words: none, or N days, unlocked / locked, until when. */
function describePolicy(p) {
  if (!p) return { text: "No immutability policy: this snapshot can be deleted at any time.", state: "none" };
  const days = Number(p.immutabilityDurationDays);
  const locked = String(p.type || "").toLowerCase() === "locked";
  const until = p.policyExpirationTime ? Date.parse(p.policyExpirationTime) : NaN;
  const expired = p.isPolicyExpired === true || (!Number.isNaN(until) && until <= Date.now());
  const kind = locked ? "locked" : "unlocked";
  if (expired)
    return {
      text: `The ${kind} immutability policy of ${plural(days, "day")} has ended${Number.isNaN(until) ? "" : ` (on ${localTime(until)})`}: this snapshot can be deleted.`,
      state: "expired",
    };
  return {
    text: `Protected from deletion for ${plural(days, "day")}, ${kind}${Number.isNaN(until) ? "" : `, until ${localTime(until)}`}.`,
    state: locked ? "locked" : "unlocked",
    days,
  };
}

function immutabilitySection(app, snap) {
  const client = app.session.client;
  const shown = h("div.access-policy", { dataset: { testid: "policy" } }, loading("Reading the immutability policy…"));
  const status = h("div.access-status", { role: "status", "aria-live": "polite" });
  const days = h("input", {
    type: "number",
    name: "days",
    min: "1",
    max: String(MAX_DAYS),
    step: "1",
    value: "7",
    inputmode: "numeric",
  });
  const daysField = field({
    label: "Days of protection",
    input: days,
    hint: "Counted from when protection was first set on this snapshot, not from today.",
  });
  const setBtn = h("button.btn.btn-primary", { type: "button", dataset: { action: "set-policy" } }, "Protect");
  const confirm = h("input", {
    type: "text",
    name: "lockConfirm",
    autocomplete: "off",
    spellcheck: "false",
    "aria-label": `Type ${snap.name} to lock`,
  });
  const lockBtn = h(
    "button.btn.btn-danger",
    { type: "button", dataset: { action: "lock-policy" }, disabled: true },
    "Lock",
  );
  const lockPart = h(
    "div.access-lock",
    h("h4", "Lock the protection"),
    h(
      "p.danger-text",
      { dataset: { testid: "lock-warning" } },
      "Locking cannot be undone. Once locked, the protection can only be extended: it can never be shortened or removed, and nobody can delete this snapshot until it ends.",
    ),
    field({ label: h("span", "Type ", h("code", snap.name), " to confirm"), input: confirm }),
    h("div.actions", lockBtn),
  );
  let policy = null;

  const wanted = () => {
    const n = Number(days.value);
    return Number.isInteger(n) && n >= 1 && n <= MAX_DAYS ? n : null;
  };
  const check = () => {
    const d = describePolicy(policy);
    const n = wanted();
    let problem = n === null ? `Enter a whole number of days from 1 to ${MAX_DAYS}.` : "";
    if (!problem && d.state === "locked" && n <= d.days)
      problem = `The protection is locked at ${plural(d.days, "day")}: it can only be extended, so enter more than ${d.days}.`;
    daysField.setError(problem);
    setBtn.disabled = Boolean(problem);
    setBtn.textContent = d.state === "locked" ? "Extend" : d.state === "unlocked" ? "Change" : "Protect";
    lockPart.hidden = d.state === "locked";
    lockBtn.disabled = Boolean(problem) || confirm.value.trim() !== snap.name;
  };
  days.addEventListener("input", check);
  confirm.addEventListener("input", check);

  const show = () => {
    const d = describePolicy(policy);
    mount(
      shown,
      h(
        `p.policy-line.policy-${d.state}`,
        h(
          `span.badge.${d.state === "locked" ? "badge-bad" : d.state === "unlocked" ? "badge-warn" : "badge-muted"}`,
          {
            none: "Not protected",
            expired: "Protection ended",
            unlocked: "Protected · unlocked",
            locked: "Protected · locked",
          }[d.state],
        ),
        " ",
        d.text,
      ),
    );
    if (d.days) days.value = String(d.days);
    check();
  };
  const refresh = async () => {
    try {
      policy = await client.getImmutabilityPolicy(snap.id);
      show();
    } catch (e) {
      mount(shown, errorCard(e, { compact: true }));
      check();
    }
  };

  const run = async (action, button) => {
    const n = wanted();
    if (n === null) return;
    button.disabled = true;
    mount(status, loading(action === "lock" ? "Locking the protection…" : "Saving the protection…"));
    try {
      const locked = describePolicy(policy).state === "locked";
      // A locked policy is extended through the lock action; an unlocked one is set or changed.
      const r =
        action === "lock" || locked
          ? await client.lockImmutabilityPolicy(snap.id, { days: n })
          : await client.setImmutabilityPolicy(snap.id, { days: n });
      policy = { ...(policy || {}), ...r };
      confirm.value = "";
      mount(
        status,
        h(
          "p.ok",
          action === "lock"
            ? `Locked for ${plural(r.immutabilityDurationDays, "day")}.`
            : `Saved: ${plural(r.immutabilityDurationDays, "day")}.`,
        ),
      );
      await refresh();
    } catch (e) {
      mount(
        status,
        e?.code === "CONFLICT"
          ? h(
              "div.access-refused",
              { role: "alert" },
              h("p", h("strong", "Azure refused the change. "), e.message),
              h("p.hint", "A locked protection can only be extended; it cannot be shortened, unlocked or removed."),
            )
          : errorCard(e, { compact: true }),
      );
    } finally {
      check();
    }
  };
  setBtn.addEventListener("click", () => run("set", setBtn));
  lockBtn.addEventListener("click", () => {
    if (confirm.value.trim() !== snap.name) return;
    run("lock", lockBtn);
  });

  check();
  refresh();
  return h(
    "section.access-part",
    { dataset: { testid: "access-immutability" } },
    h("h3", "Immutability: protection from deletion"),
    h(
      "p.hint",
      "While protected, the snapshot cannot be deleted by anyone, and backup clean-up keeps it. Unlocked protection can still be changed; locked protection can only be extended.",
    ),
    shown,
    daysField,
    h("div.actions", setBtn),
    status,
    lockPart,
  );
}

/** The Access dialog of snapshot `snap` (a row of the disk view `model`). */
export function openAccessDialog(app, model, snap) {
  const body = h(
    "div.access",
    h("p.hint", "Snapshot ", h("strong", snap.name), ` in resource group ${resourceGroupOf(snap.id)}.`),
    exportSection(app, model, snap),
    immutabilitySection(app, snap),
  );
  openDialog({ title: `Access · ${snap.name}`, body, wide: true });
}
