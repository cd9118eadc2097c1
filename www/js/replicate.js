// The disk view's "Replicate" tab: a differential copy of the disk's chain into a page blob given
// by a SAS URL (a storage account in another region): the first snapshot in full, each later one
// as its changes only, a blob snapshot of the target after each (the package's
// replicateSnapshots). Progress per snapshot and in bytes, the target snapshots at the end. A run
// lives in this tab (the operations tray, kept across navigation): it stops with the tab, and its
// last checkpoint is kept in memory only, never stored (nor is the SAS URL). The worker's
// POST /v1/replications runs the same unattended; against real Azure it is the way to go, since a
// browser most likely cannot reach the managed-disk Blob hosts (no CORS). A finished run offers
// "Restore a disk from this copy" (restore.js): a disk imported from the target blob.
import { h, mount, fmtBytes, plural } from "./dom.js";
import { field, errorCard, progressBar, codeBlock } from "./ui.js";
import { runOperation } from "./operations-tray.js";
import { changesCache, chainPairs } from "./changes.js";
import { openBlobRestoreDialog } from "./restore.js";

/** Disk id (lower case) → the last run of this tab: { state, rows, result, error, checkpoint, targetUrl, render }. */
const jobs = new Map();

const lower = (id) => String(id || "").toLowerCase();

/** The emulator's control API: a writable page blob SAS URL on its Blob service (demo only). */
async function demoTarget(app, model) {
  const r = await fetch(new URL("/__emulator/blob/targets", location.href), {
    method: "POST",
    headers: { "content-type": "application/json", "x-emulator-secret": app.emulator?.controlSecret ?? "" },
    body: JSON.stringify({ container: "replicas" }),
  });
  if (!r.ok) throw new Error(`The emulator did not make a demo target (HTTP ${r.status}).`);
  const { url } = await r.json();
  if (typeof url !== "string") throw new Error("The emulator's answer holds no target URL.");
  return url;
}

/** One snapshot's line of a run: which, how far. */
function rowsOf(chain) {
  const planned = new Map(chainPairs(chain).map((p) => [p.snap.id, changesCache.get(p.key)?.changedBytes ?? null]));
  return chain.map((snap) => ({
    id: snap.id,
    plannedBytes: planned.get(snap.id), // what the changed sizes said this snapshot holds (if read)
    name: snap.name,
    state: "waiting",
    phase: "",
    chunksDone: 0,
    chunksTotal: 0,
    copiedBytes: null,
    clearedBytes: null,
    targetSnapshot: null,
  }));
}

/** The package's progress (one snapshot of the run) onto the rows; → the row it was about. */
function applyProgress(job, p) {
  if (!p || typeof p !== "object") return null;
  let i = -1;
  if (p.snapshotId) i = job.rows.findIndex((r) => lower(r.id) === lower(p.snapshotId));
  if (i < 0 && Number.isInteger(p.index)) i = p.index;
  if (i < 0 && Number.isInteger(p.snapshotIndex)) i = p.snapshotIndex;
  const row = job.rows[i];
  if (!row) return null;
  for (const r of job.rows.slice(0, i)) if (r.state !== "done" && r.state !== "skipped") r.state = "done";
  row.state = p.phase === "done" ? "done" : "copying";
  row.phase = p.phase || row.phase;
  if (typeof p.chunksDone === "number") row.chunksDone = p.chunksDone;
  if (typeof p.chunksTotal === "number") row.chunksTotal = p.chunksTotal;
  if (typeof p.copiedBytes === "number") row.copiedBytes = p.copiedBytes;
  if (typeof p.clearedBytes === "number") row.clearedBytes = p.clearedBytes;
  return row;
}

function applyResult(job, result) {
  for (const r of result?.replicated || []) {
    const row = job.rows.find((x) => lower(x.id) === lower(r.snapshotId));
    if (!row) continue;
    Object.assign(row, {
      state: "done",
      phase: "done",
      copiedBytes: r.copiedBytes,
      clearedBytes: r.clearedBytes,
      targetSnapshot: r.targetSnapshot,
    });
  }
  // Snapshots the run did not copy (already on the target, a resume from a later one).
  for (const row of job.rows) if (row.state !== "done") row.state = "skipped";
}

const copiedSoFar = (job) => job.rows.reduce((n, r) => n + (r.copiedBytes || 0), 0);

/** A row's chunks, and its bytes when the changed sizes were read (chunks are ≤ 4 MiB, the last of a range less). */
function rowProgress(row) {
  if (!row.chunksTotal) return row.phase || "copying";
  const chunks = `${row.chunksDone} of ${row.chunksTotal} chunks`;
  if (typeof row.plannedBytes !== "number") return `${row.phase || "copying"} · ${chunks}`;
  const done = Math.round((row.plannedBytes * row.chunksDone) / row.chunksTotal);
  return `${row.phase || "copying"} · ${chunks} · about ${fmtBytes(done)} of ${fmtBytes(row.plannedBytes)}`;
}

function describeRun(job) {
  const at = job.rows.findIndex((r) => r.state === "copying");
  const done = job.rows.filter((r) => r.state === "done").length;
  const row = job.rows[at];
  const pct = row?.chunksTotal ? (row.chunksDone / row.chunksTotal) * 100 : null;
  return {
    text: row
      ? `Snapshot ${at + 1} of ${job.rows.length} (${row.name}): ${rowProgress(row)}`
      : `${done} of ${job.rows.length} snapshots replicated`,
    percent: pct,
    caption: pct === null ? "" : `${pct.toFixed(0)} %`,
  };
}

function runView(job, { onRestore } = {}) {
  const stateBadge = {
    running: h("span.badge.badge-running", "Running"),
    succeeded: h("span.badge.badge-ok", "Finished"),
    failed: h("span.badge.badge-bad", "Failed"),
    cancelled: h("span.badge.badge-muted", "Stopped"),
  }[job.state];
  const d = describeRun(job);
  const bar = progressBar("Replication of the current snapshot");
  bar.set(job.state === "succeeded" ? 100 : d.percent, job.state === "succeeded" ? "100 %" : d.caption);
  const cell = (row) => {
    if (row.state === "done") return h("span.badge.badge-ok", "Replicated");
    if (row.state === "skipped") return h("span.badge.badge-muted", "Not copied by this run");
    if (row.state === "copying") return h("span", rowProgress(row));
    return h("span.muted", job.state === "running" ? "waiting" : "—");
  };
  return h(
    "section.block.replicate-run",
    { dataset: { testid: "replicate-run", state: job.state } },
    h("header.block-head", h("h3", "This tab's last replication ", stateBadge)),
    job.state === "running" ? [h("p.replicate-now", d.text), bar] : null,
    job.state === "succeeded"
      ? h(
          "p.replicate-bytes",
          { dataset: { copiedBytes: String(copiedSoFar(job)) } },
          `${fmtBytes(copiedSoFar(job))} copied (Put Page From URL), `,
          `${fmtBytes(job.rows.reduce((n, r) => n + (r.clearedBytes || 0), 0))} cleared, into ${plural(job.result?.replicated?.length ?? 0, "target snapshot")}`,
        )
      : null,
    h(
      "div.table-wrap",
      h(
        "table.grid.stack",
        { dataset: { testid: "replicate-rows" } },
        h("caption.visually-hidden", "Snapshots of the replication, oldest first"),
        h(
          "thead",
          h(
            "tr",
            h("th.num", { scope: "col" }, "#"),
            h("th", { scope: "col" }, "Snapshot"),
            h("th", { scope: "col" }, "State"),
            h("th", { scope: "col" }, "Copied"),
            h("th", { scope: "col" }, "Cleared"),
            h("th", { scope: "col" }, "Target snapshot"),
          ),
        ),
        h(
          "tbody",
          job.rows.map((row, i) =>
            h(
              "tr",
              { dataset: { name: row.name, state: row.state, targetSnapshot: row.targetSnapshot || "" } },
              h("td.num", { dataset: { label: "#" } }, String(i + 1)),
              h("td", { dataset: { label: "Snapshot" } }, h("span.snap-name", row.name)),
              h("td", { dataset: { label: "State" } }, cell(row)),
              h("td", { dataset: { label: "Copied" } }, row.copiedBytes === null ? "—" : fmtBytes(row.copiedBytes)),
              h("td", { dataset: { label: "Cleared" } }, row.clearedBytes === null ? "—" : fmtBytes(row.clearedBytes)),
              h(
                "td",
                { dataset: { label: "Target snapshot" } },
                row.targetSnapshot ? h("code", row.targetSnapshot) : "—",
              ),
            ),
          ),
        ),
      ),
    ),
    job.state === "succeeded" && onRestore
      ? h(
          "div.actions.replicate-restore",
          h(
            "button.btn",
            { type: "button", id: "replicate-restore", on: { click: onRestore } },
            "Restore a disk from this copy…",
          ),
        )
      : null,
    job.error ? errorCard(job.error, { compact: true }) : null,
    job.checkpoint && job.state !== "succeeded"
      ? h(
          "p.hint",
          { dataset: { testid: "replicate-checkpoint" } },
          "The last checkpoint is kept in this tab's memory (not stored anywhere): Resume continues from it with the target URL above. Closing or reloading the tab loses it.",
        )
      : null,
  );
}

export function replicateTab(app, model, { signal }) {
  const key = lower(model.disk.id);
  const demo = app.session?.mode === "demo";
  const chain = model.chain;
  const input = h("input.mono", {
    type: "text",
    name: "targetUrl",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://<account>.blob.core.windows.net/<container>/<blob>?sv=…&sig=…",
  });
  input.value = jobs.get(key)?.targetUrl || "";
  const urlField = field({
    label: "Target page blob (SAS URL with write permission)",
    input,
    id: "replicate-target",
    hint: "A page blob in a storage account of the other region; it is created (or grown) to the disk's size. The URL stays in this tab's memory only.",
  });
  const fromSelect = h(
    "select",
    { name: "from" },
    chain.map((snap, i) =>
      h(
        "option",
        { value: i ? snap.id : "" },
        i ? `${snap.name} (in full, then the later ones)` : `${snap.name}, the oldest (the whole chain)`,
      ),
    ),
  );
  const fromField = field({
    label: "Start from",
    input: fromSelect,
    id: "replicate-from",
    hint: "The snapshot copied in full; each later one follows as its changes.",
  });
  const runHost = h("div.replicate-run-host");
  const submit = h("button.btn.btn-primary", { type: "submit", id: "replicate-start" }, "Replicate");
  const resume = h(
    "button.btn",
    { type: "button", id: "replicate-resume", hidden: true, on: { click: () => start({ resume: true }) } },
    "Resume from the checkpoint",
  );
  const demoButton = demo
    ? h(
        "button.btn.btn-small",
        {
          type: "button",
          id: "replicate-demo-target",
          on: {
            click: async (ev) => {
              const b = ev.currentTarget;
              b.disabled = true;
              try {
                input.value = await demoTarget(app, model);
                urlField.setError("");
              } catch (e) {
                app.showError(e);
              } finally {
                b.disabled = false;
              }
            },
          },
        },
        "Use a demo target",
      )
    : null;

  const show = () => {
    const job = jobs.get(key);
    if (!job) {
      mount(runHost);
      return;
    }
    // The copy as a new disk: the blob the run wrote (its URL with the SAS the user gave).
    const onRestore = () => {
      const done = job.rows.filter((r) => r.state === "done");
      openBlobRestoreDialog(app, { targetUrl: job.targetUrl, disk: model.disk, lastSnapshot: done.at(-1)?.name });
    };
    mount(runHost, runView(job, { onRestore }));
    const running = job.state === "running";
    submit.disabled = running || !chain.length;
    resume.hidden = running || !job.checkpoint || job.state === "succeeded";
  };

  async function start({ resume: fromCheckpoint = false } = {}) {
    const targetUrl = input.value.trim();
    if (!targetUrl) {
      urlField.setError("Give the target's SAS URL.");
      input.focus();
      return;
    }
    urlField.setError("");
    const previous = jobs.get(key);
    const checkpoint = fromCheckpoint ? previous?.checkpoint : undefined;
    const job = {
      state: "running",
      rows: rowsOf(chain),
      result: null,
      error: null,
      checkpoint: checkpoint || null,
      targetUrl,
      render: null,
    };
    jobs.set(key, job);
    // Drawn again on each report while the tab is shown; the run itself outlives the view.
    job.render = () => {
      if (runHost.isConnected) show();
    };
    job.render();
    const outcome = await runOperation({
      title: `Replicate ${model.disk.name} (${plural(chain.length, "snapshot")})`,
      kind: "replicate",
      diskId: model.disk.id,
      describe: () => describeRun(job),
      run: ({ signal: opSignal, onProgress }) =>
        app.session.client.replicateSnapshots(model.disk.id, {
          targetUrl,
          from: fromSelect.value || undefined,
          checkpoint: checkpoint || undefined,
          signal: opSignal,
          onProgress: (p) => {
            applyProgress(job, p);
            onProgress(p);
            job.render();
          },
          onCheckpoint: (cp) => {
            job.checkpoint = cp; // memory only
          },
        }),
      successText: (r) => {
        const list = r?.replicated ?? [];
        const bytes = list.reduce((n, x) => n + (x.copiedBytes || 0), 0);
        return `${plural(list.length, "snapshot")} replicated, ${fmtBytes(bytes)} copied`;
      },
    });
    if (outcome.ok) {
      job.state = "succeeded";
      job.result = outcome.result;
      applyResult(job, outcome.result);
    } else {
      job.state = outcome.error?.code === "ABORTED" ? "cancelled" : "failed";
      job.error = outcome.error?.code === "ABORTED" ? null : outcome.error;
    }
    job.render();
  }

  const form = h(
    "form.replicate-form",
    {
      novalidate: true,
      on: {
        submit: (ev) => {
          ev.preventDefault();
          start();
        },
      },
    },
    urlField,
    chain.length > 1 ? fromField : null,
    h("div.actions", submit, resume, demoButton),
  );

  const out = h(
    "div.replicate-tab",
    { dataset: { testid: "replicate" } },
    h(
      "section.block",
      h("h2", "Replicate to another region"),
      h(
        "p",
        `Copies this disk's chain (${plural(chain.length, "incremental snapshot")}) into one page blob of a storage account in another region: the first snapshot in full, each later one as only the pages that changed since the one before, and a blob snapshot of the target after each, one restore point per snapshot. Azure copies the bytes itself (Put Page From URL); nothing passes through this page.`,
      ),
      h(
        "div.notice",
        { dataset: { testid: "replicate-cors" } },
        h("h3", "Where this can run"),
        h(
          "p",
          "Against real Azure, a browser most likely cannot do this: the Blob hosts behind a managed disk's SAS URLs (md-….blob.storage.azure.net) belong to Microsoft and send no CORS headers, so the browser refuses their answers. This page only talks to Azure Resource Manager there; leave the blob work to the worker.",
        ),
        demo
          ? h(
              "p",
              "Under the demo, the emulator's Blob service is on this page's own origin, so the replication runs here in the page.",
            )
          : null,
        h(
          "p",
          h("strong", "A replication run in this page stops when the tab is closed or reloaded. "),
          "It keeps running while you browse other views. Its last checkpoint is kept in memory only (never saved, nor is the SAS URL), so it can be resumed only from this tab. The worker's ",
          h("code", "POST /v1/replications"),
          " runs the same replication unattended and resumes from its stored checkpoints.",
        ),
      ),
      chain.length
        ? form
        : h("p.empty-note", "This disk has no incremental snapshot yet: there is nothing to replicate."),
      runHost,
    ),
    demo ? null : codeBlock({ title: "With the worker", text: workerExample(model), testid: "replicate-worker" }),
  );
  show();
  return out;
}

function workerExample(model) {
  return [
    "# The worker runs the replication unattended (see its GET /v1/openapi.json)",
    'curl -X POST "$WORKER/v1/replications" \\',
    '  -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" \\',
    `  -d '{"disk":"${model.disk.id}","targetUrl":"<target SAS URL>"}'`,
    "# → { id, status, statusUrl }: GET the statusUrl for its progress and, at the end, the target snapshots",
  ].join("\n");
}
