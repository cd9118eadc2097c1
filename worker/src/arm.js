// The ARM client of the worker: the caller's token, the configured endpoint, and a fetch that
// sends nowhere else. Blob requests (the SAS URLs ARM grants and the caller's target URL) carry
// their credential in the URL: they may go to other hosts, never with an Authorization header.
import * as pkg from "../../pkg/workerd.js";
import { HttpError } from "./http.js";

const DEFAULT_ENDPOINT = "https://management.azure.com";

function num(value, fallback, min, max) {
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/** The worker's bounds and knobs, read from its vars (wrangler.toml), each clamped. */
export function settings(env) {
  return {
    waitMs: num(env?.WAIT_TIMEOUT_MS, 25_000, 100, 28_000),
    callMs: num(env?.ARM_TIMEOUT_MS, 25_000, 100, 28_000),
    maxRetries: num(env?.ARM_MAX_RETRIES, 2, 0, 5),
    maxRetryWaitMs: num(env?.ARM_MAX_RETRY_WAIT_MS, 5_000, 0, 28_000),
    retryAfter: num(env?.STATUS_RETRY_AFTER_SECONDS, 2, 1, 60),
    // Replication jobs (worker/src/replication.js): one alarm's batch and the pause between two.
    batchCheckpoints: num(env?.REPLICATION_BATCH_CHECKPOINTS, 32, 1, 1000),
    batchMs: num(env?.REPLICATION_BATCH_MS, 300_000, 1_000, 840_000),
    batchGapMs: num(env?.REPLICATION_BATCH_GAP_MS, 100, 0, 60_000),
    // chunks in flight (the package's own default, 8, when unset)
    concurrency: num(env?.REPLICATION_CONCURRENCY, undefined, 1, 64),
    retainMs: num(env?.REPLICATION_RETAIN_HOURS, 168, 0, 24 * 90) * 3_600_000,
  };
}

/** The configured ARM origin, by the package's endpoint rules (https, or http on loopback; origin only). */
export function armEndpoint(env) {
  const raw = String(env?.ARM_ENDPOINT || DEFAULT_ENDPOINT).trim();
  try {
    return pkg.parseEndpoint(raw);
  } catch {
    throw new HttpError(500, "CONFIGURATION", "ARM_ENDPOINT must be an https origin (http only on loopback)");
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Is `url` a URL a blob request may go to: https, or http on loopback when ARM itself is there. */
export function blobUrlAllowed(url, armOrigin) {
  if (url.username || url.password) return false;
  if (url.protocol === "https:") return true;
  const armLoopback = LOOPBACK.has(new URL(armOrigin).hostname);
  return url.protocol === "http:" && armLoopback && LOOPBACK.has(url.hostname);
}

/**
 * An ArmClient with `token` (a string or a function giving the current one), sending ARM requests
 * to the configured endpoint only. With `blob: true`, SAS requests (a `sig` in the query) may go to
 * any https host, and never with an Authorization header: such a request is refused, not sent.
 */
export function makeClient(env, token, { blob = false } = {}) {
  const origin = armEndpoint(env);
  const s = settings(env);
  const guardedFetch = (req) => {
    let url;
    try {
      url = new URL(req.url);
    } catch {
      return Promise.reject(new TypeError("refused: not a URL"));
    }
    const sas = url.searchParams.has("sig");
    if (sas && req.headers.has("authorization")) {
      return Promise.reject(new TypeError("refused: a SAS request with an Authorization header"));
    }
    if (url.origin === origin && !sas) return fetch(req);
    if (blob && sas && blobUrlAllowed(url, origin)) return fetch(req, { redirect: "manual" });
    return Promise.reject(new TypeError("refused: not the configured ARM endpoint"));
  };
  return new pkg.ArmClient({
    token,
    endpoint: origin,
    maxRetries: s.maxRetries,
    maxRetryWaitMs: s.maxRetryWaitMs,
    fetch: guardedFetch,
  });
}

export function freeClient(client) {
  try {
    client.free();
  } catch {
    /* already freed */
  }
}
