// One Durable Object per replication job (SQLite-backed): a differential copy of a disk's
// incremental snapshots into a page blob, cut into bounded batches, one per alarm.
//
// - Each alarm runs `replicateSnapshots` from the saved checkpoint; every `onCheckpoint` is saved
//   before the copy goes on, and after REPLICATION_BATCH_CHECKPOINTS of them (or REPLICATION_BATCH_MS)
//   the batch aborts its own signal and re-arms the alarm: no invocation grows past the platform's
//   limits (subrequests, 15 min per alarm), and a restart loses at most the chunks in flight.
// - The caller's ARM token lives in this object's memory only, never in storage. When the object
//   restarts (memory gone) or ARM refuses the token, the job is `paused` until
//   POST /v1/replications/{id}/resume brings a token.
// - The target SAS URL is stored (a batch needs it) but never returned, logged or put in an
//   error: every text leaving the object goes through `scrub`. It is erased when the job ends.
import { DurableObject } from "cloudflare:workers";
import { freeClient, makeClient, settings } from "./arm.js";

export const NEEDS_TOKEN = "needs a token: POST /v1/replications/{id}/resume with Authorization: Bearer <ARM token>";
/** Consecutive failed batches (throttling, network, timeouts) before the job fails. */
const MAX_FAILED_BATCHES = 5;
/** Codes after which the job waits for a new token instead of failing. */
const TOKEN_CODES = new Set(["UNAUTHORIZED"]);
/** Codes worth another batch after a pause. */
const TRANSIENT_CODES = new Set(["THROTTLED", "NETWORK", "TIMEOUT"]);
/** Largest piece of the checkpoint in one row (a row holds at most 2 MB). */
const PART_CHARS = 512 * 1024;
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  disk TEXT NOT NULL,
  from_snapshot TEXT,
  target_url TEXT,
  status TEXT NOT NULL,
  progress TEXT,
  replicated TEXT,
  error TEXT,
  batches INTEGER NOT NULL DEFAULT 0,
  checkpoints INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE TABLE IF NOT EXISTS checkpoint_part (seq INTEGER PRIMARY KEY, text TEXT NOT NULL);
`;

/**
 * Removes every form of the secrets (the target URL, its signature, the token) from a text, and
 * any SAS signature at all (`sig=…`).
 */
export function scrubText(text, secrets = []) {
  let out = String(text);
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < 8) continue;
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])) {
      out = out.split(form).join("[REDACTED]");
    }
  }
  return out.replace(/((?:^|[?&;\s"'])sig(?:=|%3D))[^&\s"'<>]*/gi, "$1[REDACTED]");
}

/** `value` with every string scrubbed (deep; JSON values only). */
export function scrub(value, secrets) {
  if (value === null || value === undefined) return value ?? null;
  return JSON.parse(scrubText(JSON.stringify(value), secrets));
}

export function secretsOf(targetUrl) {
  const out = [];
  if (typeof targetUrl === "string") {
    out.push(targetUrl);
    try {
      const u = new URL(targetUrl);
      const sig = u.searchParams.get("sig");
      if (sig) out.push(sig);
      out.push(u.search.slice(1));
    } catch {
      /* not a URL: the whole text is scrubbed */
    }
  }
  return out;
}

/** An error as the job shows it: code and message (and ARM's details that help), scrubbed. */
function errorOf(err, secrets) {
  if (err && typeof err === "object" && err.name === "AzureSnapshotsError") {
    const e = { code: String(err.code), message: String(err.message ?? err.code) };
    if (err.armCode) e.armCode = String(err.armCode);
    if (Number.isInteger(err.status)) e.armStatus = err.status;
    if (err.requestId) e.requestId = String(err.requestId);
    return scrub(e, secrets);
  }
  return { code: "INTERNAL", message: "the replication failed unexpectedly" };
}

/** The position of a progress report (what a batch counts as the copy having advanced). */
const keyOf = (p) => (p && typeof p === "object" ? `${p.snapshotId}|${p.index}|${p.chunksDone}` : null);

/**
 * One bounded batch of `replicateSnapshots`: the copier that replication jobs and backup policies
 * (worker/src/policies.js) share. Runs from `checkpoint` (or `from`), hands every checkpoint to
 * `onCheckpoint` before the copy goes on, and after REPLICATION_BATCH_CHECKPOINTS checkpoints that
 * advanced (or REPLICATION_BATCH_MS) aborts `controller` itself: `{ done: false }`, to be called
 * again with the last checkpoint. `{ done: true, replicated }` when the chain is copied; any other
 * failure rejects (with the package's error). `progress` is the last progress report's JSON text.
 */
export async function replicateBatch(
  env,
  token,
  { disk, targetUrl, from, checkpoint, controller, progress, onProgress, onCheckpoint },
) {
  const s = settings(env);
  const started = Date.now();
  // A checkpoint counts towards the batch only when the copy advanced since the last one that
  // counted: a resumed copy checkpoints its plan at once, and a finished one again before its
  // snapshot, so counting those would stop every batch where the previous one stopped.
  let counted = (() => {
    try {
      return keyOf(JSON.parse(progress));
    } catch {
      return null;
    }
  })();
  let latest = counted;
  let seen = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
    controller.abort();
  };
  const hard = setTimeout(stop, s.batchMs + 60_000);
  const client = makeClient(env, token, { blob: true });
  const opts = {
    targetUrl,
    signal: controller.signal,
    onProgress: (p) => {
      latest = keyOf(p) ?? latest;
      try {
        onProgress?.(p);
      } catch {
        /* progress is informative only */
      }
    },
    onCheckpoint: (cp) => {
      if (controller.signal.aborted) return;
      onCheckpoint(cp);
      if (latest !== counted) {
        counted = latest;
        seen += 1;
      }
      if (seen >= s.batchCheckpoints || Date.now() - started >= s.batchMs) stop();
    },
  };
  if (from) opts.from = from;
  if (s.concurrency !== undefined) opts.concurrency = s.concurrency;
  if (checkpoint !== undefined) opts.checkpoint = checkpoint;
  try {
    const result = await client.replicateSnapshots(disk, opts);
    return { done: true, replicated: result?.replicated ?? [] };
  } catch (err) {
    if (stopped && err && err.code === "ABORTED") return { done: false };
    throw err;
  } finally {
    clearTimeout(hard);
    freeClient(client);
  }
}

export class ReplicationJob extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => this.sql.exec(SCHEMA));
    /** The caller's ARM token: memory only. */
    this.token = null;
    /** The running batch's AbortController, if a batch runs. */
    this.running = null;
  }

  row() {
    return this.sql.exec("SELECT * FROM job WHERE id = 1").toArray()[0] ?? null;
  }

  update(fields) {
    const keys = Object.keys(fields);
    const set = keys.map((k) => `${k} = ?`).join(", ");
    this.sql.exec(`UPDATE job SET ${set}, updated_at = ? WHERE id = 1`, ...keys.map((k) => fields[k]), Date.now());
  }

  readCheckpoint() {
    const parts = this.sql.exec("SELECT text FROM checkpoint_part ORDER BY seq").toArray();
    if (!parts.length) return undefined;
    return JSON.parse(parts.map((p) => p.text).join(""));
  }

  saveCheckpoint(cp) {
    const text = JSON.stringify(cp);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM checkpoint_part");
      for (let i = 0, seq = 0; i < text.length; i += PART_CHARS, seq++) {
        this.sql.exec("INSERT INTO checkpoint_part (seq, text) VALUES (?, ?)", seq, text.slice(i, i + PART_CHARS));
      }
      this.sql.exec("UPDATE job SET checkpoints = checkpoints + 1, updated_at = ? WHERE id = 1", Date.now());
    });
  }

  /** The job as the API shows it: never the target URL, never a token. */
  view(row = this.row()) {
    if (!row) return null;
    const out = {
      id: this.ctx.id.toString(),
      disk: row.disk,
      status: row.status,
      progress: {
        batches: row.batches,
        checkpoints: row.checkpoints,
        ...(row.progress ? { copy: JSON.parse(row.progress) } : {}),
      },
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
    if (row.from_snapshot) out.from = row.from_snapshot;
    if (row.replicated) out.replicated = JSON.parse(row.replicated);
    if (row.error) out.error = JSON.parse(row.error);
    return out;
  }

  /** The job's state; a running job whose token this object no longer holds is paused now. */
  async status() {
    const row = this.row();
    if (!row) return null;
    if (row.status === "running" && !this.token && !this.running)
      this.pause({ code: "TOKEN_NEEDED", message: NEEDS_TOKEN });
    return this.view();
  }

  async start({ disk, targetUrl, from, token }) {
    if (this.row()) return { conflict: true, job: this.view() };
    const now = Date.now();
    this.sql.exec(
      "INSERT INTO job (id, disk, from_snapshot, target_url, status, created_at, updated_at) VALUES (1, ?, ?, ?, 'running', ?, ?)",
      disk,
      from ?? null,
      targetUrl,
      now,
      now,
    );
    this.token = token;
    await this.ctx.storage.setAlarm(now);
    return { job: this.view() };
  }

  async resume(token) {
    const row = this.row();
    if (!row) return null;
    if (TERMINAL.has(row.status)) return { ended: true, job: this.view() };
    this.token = token;
    if (row.status === "paused") {
      this.update({ status: "running", error: null, failures: 0 });
      await this.ctx.storage.setAlarm(Date.now());
    }
    return { job: this.view() };
  }

  async cancel() {
    const row = this.row();
    if (!row) return null;
    if (TERMINAL.has(row.status)) return { ended: true, job: this.view() };
    this.end("cancelled", {});
    if (this.running) this.running.abort();
    return { job: this.view() };
  }

  pause(error) {
    this.token = null;
    this.update({ status: "paused", error: JSON.stringify(error) });
  }

  /** A final state: the target URL and the checkpoint are erased; the record is kept a while. */
  end(status, fields) {
    this.token = null;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM checkpoint_part");
      this.update({ status, target_url: null, ended_at: Date.now(), ...fields });
    });
    const { retainMs } = settings(this.env);
    this.ctx.storage.setAlarm(Date.now() + retainMs);
  }

  async alarm() {
    const row = this.row();
    if (!row) return;
    if (TERMINAL.has(row.status)) {
      const { retainMs } = settings(this.env);
      if (Date.now() >= (row.ended_at ?? 0) + retainMs) await this.ctx.storage.deleteAll();
      else await this.ctx.storage.setAlarm((row.ended_at ?? Date.now()) + retainMs);
      return;
    }
    if (row.status !== "running" || this.running) return;
    if (!this.token) {
      this.pause({ code: "TOKEN_NEEDED", message: NEEDS_TOKEN });
      return;
    }
    await this.batch(row);
  }

  /** One bounded batch of the copy, from the saved checkpoint (through `replicateBatch`). */
  async batch(row) {
    const s = settings(this.env);
    const secrets = secretsOf(row.target_url);
    const controller = new AbortController();
    this.running = controller;
    this.update({ batches: row.batches + 1 });
    try {
      const out = await replicateBatch(this.env, () => this.token ?? "", {
        disk: row.disk,
        targetUrl: row.target_url,
        from: row.from_snapshot ?? undefined,
        checkpoint: this.readCheckpoint(),
        controller,
        progress: row.progress,
        onProgress: (p) => this.update({ progress: JSON.stringify(scrub(p, secrets)) }),
        onCheckpoint: (cp) => this.saveCheckpoint(cp),
      });
      if (this.row()?.status !== "running") return;
      if (!out.done) {
        this.update({ failures: 0, error: null });
        await this.ctx.storage.setAlarm(Date.now() + s.batchGapMs);
        return;
      }
      this.end("succeeded", { replicated: JSON.stringify(scrub(out.replicated, secrets)), error: null });
    } catch (err) {
      const now = this.row();
      if (!now || now.status !== "running") return; // cancelled meanwhile
      const e = errorOf(err, [...secrets, this.token]);
      if (TOKEN_CODES.has(e.code)) {
        this.pause({ ...e, message: `ARM refused the token (${e.message}); ${NEEDS_TOKEN}` });
      } else if (
        (TRANSIENT_CODES.has(e.code) ||
          (e.code === "ARM_ERROR" && e.armStatus >= 500) ||
          (e.code === "FORBIDDEN" && e.armCode === "AuthenticationFailed")) &&
        now.failures + 1 < MAX_FAILED_BATCHES
      ) {
        this.update({ failures: now.failures + 1, error: JSON.stringify(e) });
        await this.ctx.storage.setAlarm(Date.now() + Math.min(60_000, 1000 * 2 ** now.failures));
      } else {
        this.end("failed", { error: JSON.stringify(e) });
      }
    } finally {
      this.running = null;
    }
  }
}
