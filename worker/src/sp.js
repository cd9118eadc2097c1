// The worker's own identity for backup policies, which run with no user present: an Entra service
// principal (client-credentials flow) configured as worker secrets/vars. The client secret, the
// private key and the access tokens live in memory only and never leave this module in a text:
// errors carry Entra's error name and AADSTS code, never its description or a credential.
import { HttpError } from "./http.js";
import { armEndpoint } from "./arm.js";

const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
/** A cached token is used until this long before it expires. */
const EARLY_MS = 5 * 60_000;
const GUID_OR_NAME = /^[0-9A-Za-z][0-9A-Za-z.-]{0,99}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** tokens by tenant|client|authority: { token, expiresAt } (this isolate's memory only) */
const cache = new Map();
/** token requests in flight, by the same key: one request for concurrent callers */
const inflight = new Map();

/** The configured principal, or null when none is (policies then cannot run: 501). */
export function principal(env) {
  const tenantId = String(env?.AZURE_TENANT_ID ?? "").trim();
  const clientId = String(env?.AZURE_CLIENT_ID ?? "").trim();
  if (!tenantId || !clientId) return null;
  if (!GUID_OR_NAME.test(tenantId) || !GUID_OR_NAME.test(clientId)) {
    throw new HttpError(500, "CONFIGURATION", "AZURE_TENANT_ID and AZURE_CLIENT_ID must be GUIDs (or tenant names)");
  }
  const secret = env.AZURE_CLIENT_SECRET ? String(env.AZURE_CLIENT_SECRET) : null;
  const certificatePem = env.AZURE_CLIENT_CERTIFICATE_PEM ? String(env.AZURE_CLIENT_CERTIFICATE_PEM) : null;
  const privateKeyPem = env.AZURE_CLIENT_PRIVATE_KEY_PEM ? String(env.AZURE_CLIENT_PRIVATE_KEY_PEM) : null;
  if (!secret && !(certificatePem && privateKeyPem)) {
    throw new HttpError(
      500,
      "CONFIGURATION",
      "set AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PEM and AZURE_CLIENT_PRIVATE_KEY_PEM",
    );
  }
  const authority = authorityHost(env);
  return { tenantId, clientId, secret, certificatePem, privateKeyPem, authority };
}

export function requirePrincipal(env) {
  const p = principal(env);
  if (!p) {
    throw new HttpError(
      501,
      "NOT_CONFIGURED",
      "backup policies need a service principal: set AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential",
    );
  }
  return p;
}

function authorityHost(env) {
  const raw = String(env?.AZURE_AUTHORITY_HOST || DEFAULT_AUTHORITY).trim();
  let u;
  try {
    u = new URL(raw);
  } catch {
    u = null;
  }
  const ok =
    u &&
    !u.username &&
    !u.password &&
    (u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.has(u.hostname))) &&
    (u.pathname === "/" || u.pathname === "") &&
    !u.search;
  if (!ok)
    throw new HttpError(500, "CONFIGURATION", "AZURE_AUTHORITY_HOST must be an https origin (http only on loopback)");
  return u.origin;
}

/** Every secret of the configuration and the cached tokens (for scrubbing texts that leave). */
export function secretsOf(env) {
  const out = [];
  for (const k of ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_PRIVATE_KEY_PEM"]) if (env?.[k]) out.push(String(env[k]));
  for (const v of cache.values()) out.push(v.token);
  return out;
}

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const b64urlText = (text) => b64url(new TextEncoder().encode(text));

function pemBytes(pem, label) {
  const m = String(pem).match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`));
  if (!m) throw new HttpError(500, "CONFIGURATION", `the ${label.toLowerCase()} PEM is not readable`);
  const bin = atob(m[1].replace(/\s+/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A client assertion (RS256, header x5t#S256 = base64url SHA-256 of the certificate's DER). */
export async function clientAssertion(p, tokenUrl, nowMs = Date.now()) {
  const der = pemBytes(p.certificatePem, "CERTIFICATE");
  let key;
  try {
    key = await crypto.subtle.importKey(
      "pkcs8",
      pemBytes(p.privateKeyPem, "PRIVATE KEY"),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(500, "CONFIGURATION", "AZURE_CLIENT_PRIVATE_KEY_PEM must be an RSA key in PKCS #8 PEM");
  }
  const thumb = await crypto.subtle.digest("SHA-256", der);
  const now = Math.floor(nowMs / 1000);
  const header = b64urlText(JSON.stringify({ alg: "RS256", typ: "JWT", "x5t#S256": b64url(thumb) }));
  const claims = b64urlText(
    JSON.stringify({
      aud: tokenUrl,
      iss: p.clientId,
      sub: p.clientId,
      jti: crypto.randomUUID(),
      nbf: now - 60,
      iat: now,
      exp: now + 600,
    }),
  );
  const input = `${header}.${claims}`;
  const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${b64url(sig)}`;
}

function tokenScope(env) {
  if (env?.AZURE_TOKEN_SCOPE) return String(env.AZURE_TOKEN_SCOPE);
  return `${armEndpoint(env)}/.default`;
}

/**
 * An ARM access token of the service principal, from the cache until 5 minutes before it
 * expires. Throws an HttpError: 501 when no principal is configured, 502 SP_TOKEN when Entra
 * refuses (its error name and AADSTS code only).
 */
export async function spToken(env, { signal } = {}) {
  const p = requirePrincipal(env);
  const key = `${p.tenantId}|${p.clientId}|${p.authority}`;
  const hit = cache.get(key);
  if (hit && Date.now() < hit.expiresAt - EARLY_MS) return hit.token;
  if (inflight.has(key)) return inflight.get(key);
  const pending = requestToken(env, p, signal).then(
    (t) => {
      inflight.delete(key);
      cache.set(key, t);
      return t.token;
    },
    (e) => {
      inflight.delete(key);
      throw e;
    },
  );
  inflight.set(key, pending);
  return pending;
}

/**
 * Forgets the cached token `token` (ARM answered 401 to it: expired or revoked before its
 * expires_in, or the clocks differ), so the next spToken asks Entra again. A token another caller
 * already replaced is left alone.
 */
export function dropToken(env, token) {
  const p = principal(env);
  if (!p || !token) return false;
  const key = `${p.tenantId}|${p.clientId}|${p.authority}`;
  const hit = cache.get(key);
  if (!hit || hit.token !== token) return false;
  cache.delete(key);
  return true;
}

/** Is `err` ARM's 401 (an expired or unknown token)? */
export function isUnauthorized(err) {
  return err?.code === "UNAUTHORIZED" || err?.status === 401;
}

async function requestToken(env, p, signal) {
  const tokenUrl = `${p.authority}/${encodeURIComponent(p.tenantId)}/oauth2/v2.0/token`;
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: p.clientId, scope: tokenScope(env) });
  if (p.certificatePem && p.privateKeyPem) {
    form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.set("client_assertion", await clientAssertion(p, tokenUrl));
  } else {
    form.set("client_secret", p.secret);
  }
  let res;
  try {
    res = await fetch(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      signal: signal ?? AbortSignal.timeout(15_000),
    });
  } catch {
    throw new HttpError(502, "SP_TOKEN", "the token endpoint could not be reached");
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok || !body || typeof body.access_token !== "string") {
    const name = body && typeof body.error === "string" ? body.error.slice(0, 60) : `HTTP ${res.status}`;
    const codes = body && Array.isArray(body.error_codes) ? body.error_codes.filter(Number.isInteger) : [];
    const e = new HttpError(
      502,
      "SP_TOKEN",
      `Entra refused the service principal's token request: ${name}${codes.length ? ` (AADSTS${codes[0]})` : ""}`,
      { entraStatus: res.status },
    );
    if (res.status === 429) e.retryAfterMs = 1000 * (Number(res.headers.get("retry-after")) || 5);
    throw e;
  }
  const seconds = Number(body.expires_in);
  const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds : 3599;
  return { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 };
}
