// The Retention view of a scope (a resource group or a subscription): which disks a policy picks
// (all, by tags, or picked by hand), the worker's schedule, the retention rules with a live preview
// on the scope's real chains (`planRetention` on its listing, matched to all of its disks, as
// `applyRetention` on the scope plans it; recomputed on every edit), "Delete these N now" after a
// typed confirmation (`applyRetention`, through the operations tray), and the policy as the worker's
// JSON with a curl example, with its copy of each new snapshot (none, to a region, to a page blob
// SAS URL whose signature is never shown). Schedules run in the worker, never in the page.
import { h, mount, plural, fmtDate, lastSegment, sameId, debounce, json } from "./dom.js";
import { loading, field, codeBlock, errorCard, openDialog, closeDialog } from "./ui.js";
import { timelineSvg } from "./timeline.js";
import { runOperation } from "./operations-tray.js";
import { crumbsFor, subscriptionName } from "./crumbs.js";
import {
  COUNT_RULES,
  EVERY_HOURS,
  retentionOf,
  scheduleViolations,
  nameViolations,
  parseTagSelector,
  selectDisks,
  workerBody,
  optionsTheWorkerIgnores,
  curlExample,
  COPY_MODES,
  SIG_PLACEHOLDER,
  copyViolations,
  shownBody,
  sasSummary,
} from "./policy-model.js";
import { workerPanel } from "./worker-panel.js";
import { REGIONS } from "./actions.js";

const RULE_LABELS = {
  keepLast: "Keep last",
  keepHourly: "Hourly",
  keepDaily: "Daily",
  keepWeekly: "Weekly",
  keepMonthly: "Monthly",
  keepYearly: "Yearly",
};
const RULE_HINTS = {
  keepLast: "the newest n",
  keepHourly: "the newest of each of n UTC hours",
  keepDaily: "the newest of each of n UTC days",
  keepWeekly: "the newest of each of n ISO weeks",
  keepMonthly: "the newest of each of n months",
  keepYearly: "the newest of each of n years",
};
// Reasons that protect a snapshot whatever the rules say; the others are rules.
const PROTECTIONS = new Set(["in-progress", "locked", "immutable", "orphan", "undated", "unreadable"]);

export async function retentionView(view, { app, signal, route: r }) {
  await crumbsFor(r);
  const client = app.session.client;
  const lib = app.lib;
  const scope = r.rg ? `/subscriptions/${r.sub}/resourceGroups/${r.rg}` : `/subscriptions/${r.sub}`;
  const scopeName = r.rg || (await subscriptionName(r.sub, signal));
  mount(view, h("h1", "Retention"), loading("Reading the disks and snapshots of the scope…"));
  const data = {};
  const read = async () => {
    const [disks, listing] = await Promise.all([
      client.listDisks(scope, { signal }),
      client.listSnapshots(scope, { signal }),
    ]);
    disks.sort((a, b) => a.name.localeCompare(b.name));
    Object.assign(data, { disks, listing, byId: new Map(listing.map((s) => [s.id.toLowerCase(), s])) });
  };
  await read();
  if (signal.aborted) return;

  // ---- the form ------------------------------------------------------------------------------
  const later = debounce(() => update(), 150);
  const text = (name, value, more = {}) =>
    h("input", {
      type: "text",
      name,
      value,
      autocomplete: "off",
      spellcheck: "false",
      ...more,
      on: { input: later },
    });
  const check = (name, checked) => h("input", { type: "checkbox", name, checked, on: { change: later } });

  // Disks
  const modeRadios = ["all", "tags", "ids"].map((mode) =>
    h("input", { type: "radio", name: "disk-mode", value: mode, checked: mode === "all", on: { change: later } }),
  );
  const tagInput = text("tags", "", { placeholder: "key=value, key2=value2", "aria-label": "Tags the disks carry" });
  const fTags = field({
    label: "Tags (all of them)",
    input: tagInput,
    hint: "Tag names compared ignoring case, values exactly.",
  });
  const picks = new Map(); // disk id (lower case) → checkbox
  const diskRows = data.disks.map((d) => {
    const box = h("input", {
      type: "checkbox",
      name: "disk",
      value: d.id,
      "aria-label": `Select ${d.name}`,
      on: { change: later },
    });
    picks.set(d.id.toLowerCase(), box);
    return { d, box, row: null };
  });
  const diskList = h("ul.ret-disks", { dataset: { testid: "retention-disks" } });
  const diskCount = h("p.ret-count", { "aria-live": "polite" });

  // Schedule
  const nameInput = text("policy-name", `${scopeName}-retention`.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63));
  const everySelect = h(
    "select",
    { name: "everyHours", on: { change: later } },
    EVERY_HOURS.map((n) => h("option", { value: String(n), selected: n === 24 }, n === 1 ? "1 hour" : `${n} hours`)),
  );
  const atInput = text("at", "02:00", { placeholder: "HH:MM", inputmode: "numeric" });
  const enabledBox = check("enabled", true);
  const fName = field({ label: "Policy name", input: nameInput, hint: "The worker's /v1/policies/{name}." });
  const fEvery = field({ label: "Every", input: everySelect });
  const fAt = field({ label: "At (UTC)", input: atInput, hint: "HH:MM, the first run of the day." });

  // Rules
  const DEFAULTS = { keepDaily: "3", keepWeekly: "2" };
  const ruleInputs = {};
  const ruleFields = {};
  for (const k of COUNT_RULES) {
    ruleInputs[k] = text(k, DEFAULTS[k] || "", { inputmode: "numeric", placeholder: "0" });
    ruleFields[k] = field({ label: RULE_LABELS[k], input: ruleInputs[k], hint: RULE_HINTS[k] });
  }
  ruleInputs.keepWithin = text("keepWithin", "", { placeholder: "P7D" });
  ruleFields.keepWithin = field({
    label: "Keep within",
    input: ruleInputs.keepWithin,
    hint: "ISO 8601, from the newest: P7D, PT36H, P1Y2M",
  });
  ruleInputs.lockTag = text("lockTag", "", { placeholder: "retention-lock" });
  ruleFields.lockTag = field({
    label: "Lock tag",
    input: ruleInputs.lockTag,
    hint: "A snapshot with this tag (any value) is never deleted.",
  });
  ruleInputs.includeOrphans = check("includeOrphans", false);
  ruleFields.includeOrphans = h(
    "div.field.check-field",
    h("label.check", ruleInputs.includeOrphans, " Include orphans"),
    h("p.hint", "Plan the chains of deleted or recreated disks too (else all their snapshots are kept)."),
  );
  ruleFields.includeOrphans.setError = () => {};
  const summary = h("div.validation-summary", { role: "status", "aria-live": "polite" });

  // Preview, apply, worker JSON, result
  const deleteButton = h(
    "button.btn.btn-danger",
    { type: "button", id: "retention-delete", disabled: true, on: { click: () => confirmDelete() } },
    "Delete these 0 now",
  );
  const totals = h("p.ret-totals", { "aria-live": "polite" });
  const chainsBox = h("div.ret-chains");
  const resultBox = h("div", { id: "retention-result-host" }); // what the last apply did, above the chains
  const preview = h(
    "section.block.ret-preview",
    { id: "retention-preview", dataset: { testid: "retention-preview", state: "pending" } },
    h("header.block-head", h("h2", "Preview on the chains of the scope now"), deleteButton),
    resultBox,
    totals,
    chainsBox,
  );
  const workerBox = h("div.ret-worker");
  const copy = copyChoice(REGIONS[app.session.cloud] || REGIONS.AzureCloud, later);

  let current = null; // { policy, options, removeCount, targets } when valid
  let forWorker = null; // { name, body }: the policy the worker panel saves, when valid
  const panel = workerPanel({ app, scope, current: () => forWorker });

  const selector = () => {
    const mode = modeRadios.find((x) => x.checked)?.value || "all";
    if (mode === "tags") {
      const { tags, violations } = parseTagSelector(tagInput.value);
      return { mode, tags, violations };
    }
    if (mode === "ids")
      return { mode, ids: new Set([...picks].filter(([, b]) => b.checked).map(([id]) => id)), violations: [] };
    return { mode, violations: [] };
  };

  const update = () => {
    const sel = selector();
    fTags.setError(sel.mode === "tags" ? sel.violations.map((v) => v.message).join("; ") : "");
    fTags.hidden = sel.mode !== "tags";
    const chosen = sel.violations.length ? [] : selectDisks(data.disks, sel);
    const chosenIds = new Set(chosen.map((d) => d.id.toLowerCase()));
    mount(
      diskList,
      diskRows.map(({ d, box }) => {
        const on = chosenIds.has(d.id.toLowerCase());
        box.disabled = sel.mode !== "ids";
        if (sel.mode !== "ids") box.checked = on;
        return h(
          "li",
          { class: on ? "picked" : null, dataset: { id: d.id, picked: String(on) } },
          h("label.check", box, " ", h("span.ret-disk-name", d.name)),
          h(
            "span.tags",
            Object.entries(d.tags || {}).map(([k, v]) => h("span.tag", `${k}=${v}`)),
          ),
        );
      }),
    );
    if (!data.disks.length) mount(diskList, h("li.muted", "No managed disk in this scope."));
    diskCount.textContent = `${chosen.length} of ${plural(data.disks.length, "disk")} selected${sel.mode === "all" ? " (all, and the chains of disks that are gone)" : ""}`;

    // Rules → the package's plan (or its violations, each next to its field).
    const values = Object.fromEntries(
      Object.entries(ruleInputs).map(([k, el]) => [k, el.type === "checkbox" ? el.checked : el.value]),
    );
    const { policy, options } = retentionOf(values);
    for (const f of Object.values(ruleFields)) f.setError("");
    let plan = null;
    let error = null;
    try {
      plan = lib.planRetention(data.listing, policy, { ...options, disks: data.disks });
    } catch (e) {
      error = e;
    }
    const general = [];
    if (error) {
      const vs = error.violations?.length ? error.violations : [{ field: error.field, message: error.message }];
      for (const v of vs) {
        const key = String(v.field || "").replace(/^(policy|options)\./, "");
        if (ruleFields[key]) ruleFields[key].setError(v.message);
        else general.push(v);
      }
    }
    // Schedule and name (the worker's rules).
    const schedule = { everyHours: Number(everySelect.value), at: atInput.value };
    const sv = [...scheduleViolations(schedule), ...nameViolations(nameInput.value.trim())];
    fEvery.setError(sv.find((v) => v.field === "schedule.everyHours")?.message || "");
    fAt.setError(sv.find((v) => v.field === "schedule.at")?.message || "");
    fName.setError(sv.find((v) => v.field === "name")?.message || "");

    if (error) {
      mount(
        summary,
        h("p.bad", "Fix the rules to see the preview"),
        general.length
          ? h(
              "ul.violations",
              general.map((g) => h("li", g.message)),
            )
          : null,
        h(
          "details.error-details",
          h("summary", "Details"),
          h("p", "Error code ", h("code.error-code", error.code || "ERROR")),
          general.length
            ? h(
                "ul",
                general.map((g) => (g.field ? h("li", h("code", g.field)) : null)),
              )
            : null,
        ),
      );
      if (error.code !== "INVALID_ARGUMENT") summary.append(errorCard(error, { compact: true }));
    } else
      mount(
        summary,
        h("p.ok", "✓ These rules are valid: the preview below shows what they keep and what they remove."),
      );

    // Which chains the selection covers: all of the scope's, or those whose source is a chosen disk
    // (its current chain and its earlier incarnations', as applyRetention on a disk plans them).
    const shown = plan
      ? plan.chains.filter((c) => sel.mode === "all" || chosen.some((d) => sameId(d.id, c.sourceResourceId)))
      : [];
    const removeCount = shown.reduce((n, c) => n + c.remove.length, 0);
    const keepCount = shown.reduce((n, c) => n + c.keep.length, 0);
    const valid = Boolean(plan) && !sel.violations.length;
    current = valid
      ? {
          policy,
          options,
          removeCount,
          removeIds: shown.flatMap((c) => c.remove.map((x) => String(x.id).toLowerCase())),
          targets:
            sel.mode === "all"
              ? [scope]
              : chosen.filter((d) => shown.some((c) => c.remove.length && sameId(d.id, c.sourceResourceId))),
        }
      : null;
    deleteButton.textContent = `Delete these ${removeCount} now`;
    deleteButton.disabled = !valid || removeCount === 0;
    preview.dataset.state = valid ? "ready" : "invalid";
    preview.dataset.policy = JSON.stringify({ policy, options });
    preview.dataset.remove = String(removeCount);
    if (!valid) {
      totals.textContent = error ? "No preview while a rule is not valid." : "No disk selected.";
      mount(chainsBox);
    } else {
      totals.textContent = shown.length
        ? `${plural(shown.length, "chain")}: keeps ${keepCount}, deletes ${removeCount}.`
        : "No incremental chain in the selection.";
      mount(
        chainsBox,
        // The picture as wide as it is shown (within 360 to 900 units): legible text on a phone too.
        shown.map((c) => chainBlock(c, data.byId, Math.max(360, Math.min(900, chainsBox.clientWidth || 900)))),
      );
    }

    // The copy of each new snapshot (the worker's rules), then the worker's JSON when all is valid.
    const copyValues = copy.values();
    const cv = copyViolations(copyValues, { selector: sel, disks: chosen });
    copy.show(copyValues, cv, chosen);
    forWorker = null;
    if (valid && !sv.length && !chosen.length) {
      mount(workerBox, h("p.muted", "The worker's policy needs at least one disk."));
    } else if (valid && !sv.length && cv.length) {
      mount(workerBox, h("p.muted", "The policy's JSON appears once its copy above is valid."));
    } else if (valid && !sv.length) {
      const body = workerBody({
        scope,
        selector: sel,
        disks: chosen,
        schedule,
        policy,
        options,
        copy: copyValues,
        enabled: enabledBox.checked,
      });
      const name = nameInput.value.trim();
      // the worker panel's Save sends the SAS URL itself; what is shown has the placeholder
      forWorker = { name, body };
      const shown = shownBody(body);
      const ignored = optionsTheWorkerIgnores(options);
      mount(
        workerBox,
        h(
          "p.hint",
          "On each run the worker snapshots every selected disk, then applies these rules to that disk's chains.",
          sel.mode === "all" ? " It selects by tags or by ids: all disks are the ids of the disks here now." : "",
        ),
        ignored.length
          ? h(
              "p.warn-text",
              { dataset: { testid: "worker-ignores" } },
              `The worker's policy has no ${ignored.join(" and no ")}: that applies only to "Delete these N now" here.`,
            )
          : null,
        body.copy?.targetUrl
          ? h(
              "p.warn-text",
              { dataset: { testid: "copy-placeholder" } },
              `The JSON and the curl command show sig=${SIG_PLACEHOLDER} in place of the SAS URL's signature, which this page never shows: put the signature there before sending them (the worker refuses ${SIG_PLACEHOLDER}). "Save this policy to the worker" below sends the SAS URL itself.`,
            )
          : null,
        codeBlock({
          title: `PUT /v1/policies/${name}`,
          text: json(shown),
          filename: `${name}.json`,
          testid: "policy-json",
        }),
        codeBlock({ title: "curl", text: curlExample(name, shown), testid: "policy-curl", lang: "sh" }),
      );
    } else {
      mount(workerBox, h("p.muted", "The policy's JSON appears once the disks, the schedule and the rules are valid."));
    }
    panel.changed();
  };

  // ---- delete these N now ----------------------------------------------------------------------
  const confirmDelete = () => {
    if (!current || !current.removeCount) return;
    const run = current;
    const n = String(run.removeCount);
    const input = h("input", {
      type: "text",
      name: "confirm",
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": `Type ${n} or ${scopeName} to confirm`,
    });
    const ok = () => [n, scopeName].includes(input.value.trim());
    const submit = h("button.btn.btn-danger", { type: "submit", id: "retention-confirm", disabled: true }, "Delete");
    input.addEventListener("input", () => {
      submit.disabled = !ok();
    });
    const onSubmit = (ev) => {
      ev.preventDefault();
      if (!ok()) return;
      closeDialog("delete");
      apply(run);
    };
    openDialog({
      title: `Delete ${plural(run.removeCount, "snapshot")}?`,
      body: h(
        "form.form",
        { novalidate: true, on: { submit: onSubmit } },
        h(
          "p.danger-text",
          "This permanently deletes ",
          h("strong", plural(run.removeCount, "snapshot")),
          ` in ${scopeName}, the ones struck through in the preview. It cannot be undone.`,
        ),
        h(
          "p.hint",
          "First a dry run: if the policy would now delete other snapshots than these, nothing is deleted and the preview is read again. Then the package plans once more right before deleting and deletes only what both plans remove.",
        ),
        field({ label: h("span", "Type ", h("code", n), " or ", h("code", scopeName), " to confirm"), input }),
        h("div.actions", submit, h("button.btn", { type: "button", on: { click: () => closeDialog() } }, "Keep them")),
      ),
    });
  };

  const apply = async (run) => {
    const outcome = await runOperation({
      title: `Retention: delete ${plural(run.removeCount, "snapshot")} in ${scopeName}`,
      kind: "retention",
      run: async ({ signal: opSignal }) => {
        // A dry run first: when the snapshots changed since the preview (one made, locked or done
        // copying), nothing is deleted and the preview is read again for the user to look at.
        const now = [];
        for (const target of run.targets) {
          const r = await client.applyRetention(target, run.policy, { ...run.options, dryRun: true, signal: opSignal });
          now.push(...r.plan.chains.flatMap((c) => c.remove.map((x) => String(x.id).toLowerCase())));
        }
        const same = (a, b) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
        if (!same(now, run.removeIds)) return { stale: true, deleted: [], failed: [], planned: now };
        const all = { deleted: [], failed: [], planned: [] };
        for (const target of run.targets) {
          const r = await client.applyRetention(target, run.policy, { ...run.options, signal: opSignal });
          all.deleted.push(...r.deleted);
          all.failed.push(...r.failed);
          all.planned.push(...r.plan.chains.flatMap((c) => c.remove.map((x) => x.id)));
        }
        return all;
      },
      successText: (r) =>
        r.stale
          ? "Nothing deleted: the snapshots changed since the preview. Look at it again."
          : `${r.deleted.length} deleted, ${r.failed.length} failed.`,
    });
    if (signal.aborted) return;
    mount(resultBox, resultBlock(outcome));
    resultBox.scrollIntoView({ block: "nearest" });
    try {
      await read();
    } catch (e) {
      if (!signal.aborted) resultBox.append(errorCard(e, { compact: true }));
      return;
    }
    if (!signal.aborted) update();
  };

  const refresh = async () => {
    mount(totals, loading("Reading the snapshots again…"));
    try {
      await read();
    } catch (e) {
      mount(totals, errorCard(e, { compact: true }));
      return;
    }
    update();
  };

  mount(
    view,
    h(
      "header.view-head",
      h(
        "div",
        h("h1", "Retention"),
        h("p.sub", r.rg ? "Resource group " : "Subscription ", h("strong", scopeName), " · ", h("code.break", scope)),
      ),
      h("button.btn.btn-small", { type: "button", id: "refresh", on: { click: refresh } }, "Refresh"),
    ),
    h(
      "div.notice",
      h(
        "p",
        "Schedules run in the worker (",
        h("code", "npm run worker"),
        "), not in this page: the page previews a policy on the snapshots of the scope as they are now, and can apply it once. Copy the policy's JSON below to the worker to run it on a schedule.",
      ),
    ),
    h(
      "section.block",
      h("header.block-head", h("h2", "Disks")),
      h(
        "fieldset.ret-modes",
        h("legend.visually-hidden", "Which disks"),
        h("label.check", modeRadios[0], " All disks of the scope"),
        h("label.check", modeRadios[1], " Disks with tags"),
        h("label.check", modeRadios[2], " Disks I pick"),
      ),
      fTags,
      diskCount,
      diskList,
    ),
    h(
      "section.block",
      h("header.block-head", h("h2", "Schedule (in the worker)")),
      h("div.form-grid", fName, fEvery, fAt, h("div.field.check-field", h("label.check", enabledBox, " Enabled"))),
    ),
    h(
      "section.block",
      h("header.block-head", h("h2", "Retention rules")),
      h(
        "p.hint",
        "A snapshot is kept when any rule keeps it. Locked, in-progress, immutable and (unless included) orphan snapshots are never deleted.",
      ),
      h(
        "div.form-grid.ret-rules",
        COUNT_RULES.map((k) => ruleFields[k]),
        ruleFields.keepWithin,
        ruleFields.lockTag,
        ruleFields.includeOrphans,
      ),
      summary,
    ),
    preview,
    h("section.block", h("header.block-head", h("h2", "Policy for the worker")), copy.el, workerBox),
    panel.el,
  );
  update();
}

/** One chain of the plan: its timeline (kept dots, deleted ones struck through) and its snapshots, newest first. */
function chainBlock(c, byId, width) {
  const name = lastSegment(c.sourceResourceId) || "unknown source";
  const reasonsOf = new Map(c.keep.map((k) => [String(k.id).toLowerCase(), k.reasons]));
  const removed = new Set(c.remove.map((x) => String(x.id).toLowerCase()));
  const snaps = [...c.keep, ...c.remove].map((x) => byId.get(String(x.id).toLowerCase())).filter(Boolean);
  const svg = timelineSvg([{ label: name, kind: c.orphan ? "orphaned" : "current", snapshots: snaps }], {
    labels: false,
    width,
    mark: (snap) => {
      const id = snap.id.toLowerCase();
      if (removed.has(id)) return { classes: ["removed"], note: "deleted by this policy", strike: true };
      return { classes: ["kept"], note: `kept: ${(reasonsOf.get(id) || []).join(", ")}` };
    },
  });
  const items = [
    ...c.keep.map((k) => ({ ...k, verdict: "keep" })),
    ...c.remove.map((x) => ({ ...x, verdict: "remove", reasons: [] })),
  ].sort((a, b) => String(b.timeCreated || "").localeCompare(String(a.timeCreated || "")));
  return h(
    "section.ret-chain",
    { dataset: { testid: "retention-chain", source: c.sourceResourceId || "", orphan: String(c.orphan) } },
    h(
      "header.ret-chain-head",
      h("h3", name),
      c.orphan ? h("span.badge.badge-warn", "earlier incarnation") : null,
      h("span.muted", `keeps ${c.keep.length} · deletes ${c.remove.length}`),
    ),
    h("figure.timeline-figure", svg),
    h(
      "ul.ret-snaps",
      items.map((x) =>
        h(
          `li.ret-snap.${x.verdict}`,
          { dataset: { id: x.id || "", verdict: x.verdict } },
          x.verdict === "remove" ? h("s.snap-name", x.name) : h("span.snap-name", x.name),
          h("time.muted", { datetime: x.timeCreated || "" }, fmtDate(x.timeCreated)),
          h(
            "span.ret-reasons",
            x.verdict === "remove"
              ? h("span.badge.badge-bad", "delete")
              : x.reasons.map((r) =>
                  h(`span.badge.${PROTECTIONS.has(r) ? "badge-warn" : "badge-ok"}`, { dataset: { reason: r } }, r),
                ),
          ),
        ),
      ),
    ),
  );
}

/** What an apply did: the snapshots deleted and the deletes that failed (with their codes). */
function resultBlock(outcome) {
  if (!outcome.ok)
    return h(
      "section.block.ret-result",
      { dataset: { testid: "retention-result", state: "failed" } },
      h("h2", "The deletes stopped"),
      errorCard(outcome.error, { compact: true }),
      partial(outcome.error?.deleted || [], outcome.error?.failed || []),
    );
  const { deleted, failed, planned, stale } = outcome.result;
  if (stale)
    return h(
      "section.block.ret-result",
      { dataset: { testid: "retention-result", state: "stale" } },
      h("h2", "Nothing was deleted"),
      h(
        "p",
        `The snapshots changed since the preview: the policy would now delete ${plural(planned.length, "snapshot")}. The preview below is read again; look at it and confirm again.`,
      ),
    );
  const done = new Set([...deleted, ...failed.map((f) => f.id)].map((id) => id.toLowerCase()));
  const keptLater = planned.filter((id) => !done.has(id.toLowerCase()));
  return h(
    "section.block.ret-result",
    { dataset: { testid: "retention-result", state: failed.length ? "partial" : "done" } },
    h("h2", `${plural(deleted.length, "snapshot")} deleted${failed.length ? `, ${failed.length} failed` : ""}`),
    partial(deleted, failed),
    keptLater.length
      ? h("p.hint", `${plural(keptLater.length, "snapshot")} kept by the fresh plan made right before deleting.`)
      : null,
  );
}

function partial(deleted, failed) {
  return [
    deleted.length ? h("p.ret-list-label", "Deleted") : null,
    deleted.length
      ? h(
          "ul.ret-deleted",
          deleted.map((id) => h("li", { dataset: { id } }, h("s", lastSegment(id)))),
        )
      : null,
    failed.length ? h("p.ret-list-label", "Failed (the others went on)") : null,
    failed.length
      ? h(
          "ul.ret-failed.violations",
          failed.map((f) =>
            h("li", { dataset: { id: f.id } }, h("code", f.code), " ", lastSegment(f.id), ": ", f.message),
          ),
        )
      : null,
  ];
}

/**
 * The "Copy each new snapshot" choice of the worker's policy: none, to a region (CopyStart; the
 * regions the copy dialog offers), or to a page blob SAS URL (a masked input: only the blob and
 * its expiry are shown, never the signature). `{ el, values(), show(values, violations, disks) }`.
 */
function copyChoice(regions, onChange) {
  const labels = { none: "No copy", location: "To another region", targetUrl: "To a page blob (SAS URL)" };
  const radios = COPY_MODES.map((mode) =>
    h("input", { type: "radio", name: "copy-mode", value: mode, checked: mode === "none", on: { change: onChange } }),
  );
  const location = h("input", {
    type: "text",
    name: "copy-location",
    list: "copy-region-list",
    placeholder: "northeurope",
    autocomplete: "off",
    spellcheck: "false",
    on: { input: onChange },
  });
  const target = h("input", {
    type: "password",
    name: "copy-target",
    placeholder: "https://account.blob.core.windows.net/container/disk.vhd?sv=…&sig=…",
    autocomplete: "off",
    spellcheck: "false",
    on: { input: onChange },
  });
  const fLocation = field({
    label: "Target region",
    input: location,
    hint: "Each run's snapshot is copied there as an incremental snapshot (tagged with the run); the run waits for the copy.",
  });
  const fTarget = field({
    label: "Target blob SAS URL",
    input: target,
    hint: "A differential copy: the first run copies the snapshot in full, later runs only what changed. One blob holds one disk's chain: this copy takes exactly one disk, picked by hand.",
  });
  const notes = h("div.ret-copy-notes", { dataset: { testid: "copy-notes" } });
  const el = h(
    "div.ret-copy",
    { dataset: { testid: "policy-copy" } },
    h(
      "fieldset.ret-modes",
      h("legend", "Copy each new snapshot"),
      radios.map((r) => h("label.check", r, " ", labels[r.value])),
    ),
    h(
      "datalist",
      { id: "copy-region-list" },
      regions.map((r) => h("option", { value: r })),
    ),
    fLocation,
    fTarget,
    notes,
  );
  const values = () => ({
    mode: radios.find((r) => r.checked)?.value || "none",
    location: location.value,
    targetUrl: target.value,
  });
  const show = (v, violations, disks) => {
    fLocation.hidden = v.mode !== "location";
    fTarget.hidden = v.mode !== "targetUrl";
    const on = (f) => violations.filter((x) => x.field === f).map((x) => x.message);
    fLocation.setError(v.mode === "location" ? on("copy.location").join("; ") : "");
    fTarget.setError(v.mode === "targetUrl" ? on("copy.targetUrl").join("; ") : "");
    const lines = [];
    if (v.mode === "location") {
      const loc = v.location.trim().toLowerCase();
      const same = disks.filter((d) => String(d.location).toLowerCase() === loc);
      if (loc && same.length)
        lines.push(
          h(
            "p.warn-text",
            `${plural(same.length, "selected disk")} ${same.length === 1 ? "is" : "are"} in ${loc} already: a copy is meant for another region.`,
          ),
        );
    }
    if (v.mode === "targetUrl") {
      const seen = v.targetUrl.trim() ? sasSummary(v.targetUrl.trim()) : null;
      if (seen)
        lines.push(
          h(
            "p.hint",
            { dataset: { testid: "copy-target-summary" } },
            "Blob ",
            h("code.break", seen.blob),
            seen.expires ? ` · the SAS expires ${seen.expires}` : "",
            " · its signature is never shown.",
          ),
        );
    }
    mount(notes, lines);
  };
  return { el, values, show };
}
