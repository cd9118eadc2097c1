// Microsoft Entra ID, as far as unattended work needs it: registered service principals, the
// client-credentials flow of the v2.0 token endpoint (POST /{tenant}/oauth2/v2.0/token, with a
// client secret or a signed client assertion, RS256 or PS256), the opaque access tokens it issues
// and ARM's checks of them, and the per-caller answers of Microsoft.Authorization/permissions.
// Errors are worded and coded as Entra's (`AADSTS…`) and ARM's.
import {
  X509Certificate,
  createHash,
  createPublicKey,
  randomBytes,
  randomUUID,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { constants as cryptoConstants } from "node:crypto";
import { ArmError } from "./util.mjs";

/** The prefix of the access tokens the emulator issues to service principals (the rest is random). */
export const SP_TOKEN_PREFIX = "emusp_";
export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Clock skew allowed on a client assertion's exp and nbf, in seconds (as Entra: 5 minutes). */
export const ASSERTION_SKEW_SECONDS = 300;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;
export const ENTRA_LIMITS = { principals: 1000, permissions: 10000, tokenLog: 10000, tokens: 100000 };
const ARM_RESOURCES = ["https://management.azure.com", "https://management.core.windows.net"];
const DOC =
  "Review the documentation at https://learn.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials.";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,255}$/;
const CLIENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const sha = (alg, data) => createHash(alg).update(data).digest();
const isPlain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** An Entra error: `{ error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri }`. */
export class EntraError extends Error {
  constructor(status, error, code, message) {
    super(`AADSTS${code}: ${message}`);
    this.status = status;
    this.error = error;
    this.code = code;
  }
}
const E = {
  missing: (p) =>
    new EntraError(400, "invalid_request", 900144, `The request body must contain the following parameter: '${p}'.`),
  tenant: (t) =>
    new EntraError(
      400,
      "invalid_request",
      90002,
      `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  grant: (g) =>
    new EntraError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${g}'.`),
  app: (c, t) =>
    new EntraError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${c}' was not found in the directory '${t}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  scopeSuffix: (s) =>
    new EntraError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${s} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  scope: (s) =>
    new EntraError(
      400,
      "invalid_scope",
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${s} is not valid.`,
    ),
  resource: (r, t) =>
    new EntraError(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${r} was not found in the tenant named ${t}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  noCredential: () =>
    new EntraError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  secret: (c) =>
    new EntraError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${c}'.`,
    ),
  malformed: (reason) =>
    new EntraError(401, "invalid_client", 50027, `JWT token is invalid or malformed. [Reason - ${reason}]`),
  keyNotFound: (thumb, c) =>
    new EntraError(
      401,
      "invalid_client",
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${c}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you are not using the global cloud.]`,
    ),
  signature: (thumb) =>
    new EntraError(
      401,
      "invalid_client",
      700027,
      `Client assertion failed signature validation. [Reason - The key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '${thumb}'] ${DOC}`,
    ),
  time: (now, nbf, exp) =>
    new EntraError(
      401,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${nbf === undefined ? "(none)" : iso(nbf * 1000)}, expiry time of assertion ${iso(exp * 1000)}. ${DOC}`,
    ),
  audience: () =>
    new EntraError(
      401,
      "invalid_client",
      700023,
      `Client assertion audience claim does not match Realm issuer. ${DOC}`,
    ),
  issuer: () =>
    new EntraError(
      401,
      "invalid_client",
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${DOC}`,
    ),
  method: (m) =>
    new EntraError(
      400,
      "invalid_request",
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${m} request.`,
    ),
};

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const entraTimestamp = (ms) =>
  new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");

/** Hex (SHA-1 40 digits, SHA-256 64 digits) → the raw bytes, or null. */
function hexThumb(v, name) {
  if (v === undefined) return null;
  if (typeof v !== "string" || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(v.replace(/:/g, "")))
    throw new TypeError(`${name} must be a certificate thumbprint in hex: 40 digits (SHA-1) or 64 (SHA-256)`);
  return Buffer.from(v.replace(/:/g, ""), "hex");
}

/** Check and normalise a service principal; throws TypeError with a message for the caller. */
export function normalizePrincipal(p) {
  if (!isPlain(p))
    throw new TypeError(
      "a service principal must be an object { tenantId, clientId, secret?, certificatePem? | publicKeyPem?, thumbprint?, tokenLifetimeSeconds? }",
    );
  const known = [
    "tenantId",
    "clientId",
    "secret",
    "certificatePem",
    "publicKeyPem",
    "thumbprint",
    "thumbprintSha256",
    "tokenLifetimeSeconds",
  ];
  for (const k of Object.keys(p))
    if (!known.includes(k))
      throw new TypeError(`unknown property '${String(k).slice(0, 40)}' (known: ${known.join(", ")})`);
  const { tenantId, clientId, secret, certificatePem, publicKeyPem } = p;
  if (typeof tenantId !== "string" || !TENANT_RE.test(tenantId))
    throw new TypeError("tenantId must be a tenant id (a GUID) or a domain name");
  if (typeof clientId !== "string" || !CLIENT_RE.test(clientId))
    throw new TypeError("clientId must be an application (client) id, usually a GUID");
  if (secret !== undefined && !(typeof secret === "string" && secret.length >= 1 && secret.length <= 1024))
    throw new TypeError("secret must be a string of 1 to 1024 characters");
  if (certificatePem !== undefined && publicKeyPem !== undefined)
    throw new TypeError("give certificatePem or publicKeyPem, not both");
  const lifetime = p.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!(Number.isInteger(lifetime) && lifetime >= 1 && lifetime <= 86400))
    throw new TypeError("tokenLifetimeSeconds must be an integer from 1 to 86400");
  const out = {
    tenantId,
    clientId,
    secretHash: secret === undefined ? null : sha("sha256", secret),
    tokenLifetimeSeconds: lifetime,
    key: null,
    sha1: null,
    sha256: null,
  };
  if (certificatePem !== undefined) {
    if (typeof certificatePem !== "string" || certificatePem.length > 32768)
      throw new TypeError("certificatePem must be a PEM certificate");
    let cert;
    try {
      cert = new X509Certificate(certificatePem);
    } catch (e) {
      throw new TypeError(`certificatePem is not a certificate: ${String(e.message).slice(0, 200)}`);
    }
    out.key = cert.publicKey;
    out.sha1 = sha("sha1", cert.raw);
    out.sha256 = sha("sha256", cert.raw);
    const given = hexThumb(p.thumbprint, "thumbprint");
    if (given && !given.equals(given.length === 20 ? out.sha1 : out.sha256))
      throw new TypeError("thumbprint does not match the certificate (leave it out: it is computed)");
  } else if (publicKeyPem !== undefined) {
    if (typeof publicKeyPem !== "string" || publicKeyPem.length > 32768)
      throw new TypeError("publicKeyPem must be a PEM public key");
    try {
      out.key = createPublicKey(publicKeyPem);
    } catch (e) {
      throw new TypeError(`publicKeyPem is not a public key: ${String(e.message).slice(0, 200)}`);
    }
    if (out.key.asymmetricKeyType !== "rsa")
      throw new TypeError("publicKeyPem must be an RSA key (Entra signs with RS256 or PS256)");
    for (const [name, v] of [
      ["thumbprint", p.thumbprint],
      ["thumbprintSha256", p.thumbprintSha256],
    ]) {
      const t = hexThumb(v, name);
      if (t) out[t.length === 20 ? "sha1" : "sha256"] = t;
    }
    if (!out.sha1 && !out.sha256)
      throw new TypeError("publicKeyPem needs thumbprint (the certificate's SHA-1 or SHA-256 thumbprint, in hex)");
  } else if (p.thumbprint !== undefined || p.thumbprintSha256 !== undefined) {
    throw new TypeError("thumbprint needs certificatePem or publicKeyPem");
  }
  if (out.key && out.key.asymmetricKeyType !== "rsa")
    throw new TypeError("the certificate's key must be RSA (RS256 or PS256)");
  if (!out.secretHash && !out.key)
    throw new TypeError("a service principal needs a secret, a certificatePem or a publicKeyPem");
  return out;
}

/** What the API tells about a principal: never the secret. */
export function describePrincipal(p) {
  return {
    tenantId: p.tenantId,
    clientId: p.clientId,
    credentials: [...(p.secretHash ? ["secret"] : []), ...(p.key ? ["certificate"] : [])],
    ...(p.sha1 ? { thumbprint: p.sha1.toString("hex").toUpperCase() } : {}),
    ...(p.sha256 ? { thumbprintSha256: p.sha256.toString("hex").toUpperCase() } : {}),
    tokenLifetimeSeconds: p.tokenLifetimeSeconds,
  };
}

const normScope = (s) => {
  const t = String(s).trim().toLowerCase().replace(/\/+$/, "");
  return t.startsWith("/") ? t : `/${t}`;
};
const SCOPE_RE = /^\/subscriptions\/[^/]+(\/resourcegroups\/[^/]+(\/providers\/[^/]+\/[^/]+\/[^/]+)?)?$|^\/$/i;
const ACTION_RE = /^[A-Za-z0-9.*/_-]{1,300}$/;

/** The Entra and authorization state of one emulator (kept across reseeds). */
export class Entra {
  constructor({ now }) {
    this.now = now; // the emulator clock: issued tokens age with it
    this.principals = new Map(); // `${tenant}|${client}` lower → principal
    this.tokens = new Map(); // access token → { tenantId, clientId, expiresMs }
    this.jtis = new Map(); // `${client}|${jti}` → wall-clock ms until which it is remembered
    this.permissions = new Map(); // caller key → Map(scope → { actions, notActions, dataActions, notDataActions })
    this.tokenRequests = [];
  }

  register(p) {
    const n = normalizePrincipal(p);
    const key = `${n.tenantId}|${n.clientId}`.toLowerCase();
    if (!this.principals.has(key) && this.principals.size >= ENTRA_LIMITS.principals)
      throw new RangeError(`at most ${ENTRA_LIMITS.principals} service principals`);
    this.principals.set(key, n);
    return describePrincipal(n);
  }
  listPrincipals() {
    return [...this.principals.values()].map(describePrincipal);
  }
  clearPrincipals() {
    this.principals.clear();
    this.tokens.clear();
  }
  knownTenant(t) {
    const lo = t.toLowerCase();
    for (const p of this.principals.values()) if (p.tenantId.toLowerCase() === lo) return true;
    return false;
  }

  /** Caller key of a token or principal: a user token, an issued token's principal, or { clientId }. */
  callerKey(who) {
    if (typeof who === "string" && who.length > 0 && who.length <= 10000) {
      const t = this.tokens.get(who);
      if (t) return `sp:${t.clientId.toLowerCase()}`;
      if (who.startsWith(SP_TOKEN_PREFIX))
        throw new TypeError("that service-principal token is unknown (never issued, or cleared)");
      return `token:${who}`;
    }
    if (isPlain(who) && who.token !== undefined) {
      if (typeof who.token !== "string" || who.token === "") throw new TypeError("token must be a bearer token");
      return this.callerKey(who.token);
    }
    if (isPlain(who) && typeof who.clientId === "string" && CLIENT_RE.test(who.clientId))
      return `sp:${who.clientId.toLowerCase()}`;
    throw new TypeError("give a bearer token (string or { token }) or a service principal { clientId }");
  }

  setPermissions(who, scope, perms = {}) {
    const key = this.callerKey(who);
    if (typeof scope !== "string" || scope.length > 2000 || !SCOPE_RE.test(normScope(scope)))
      throw new TypeError(
        "scope must be '/', '/subscriptions/{sub}', '…/resourceGroups/{rg}' or a resource id under it",
      );
    if (!isPlain(perms))
      throw new TypeError("permissions must be an object { actions, notActions?, dataActions?, notDataActions? }");
    const fields = ["actions", "notActions", "dataActions", "notDataActions"];
    for (const k of Object.keys(perms))
      if (!fields.includes(k))
        throw new TypeError(`unknown property '${String(k).slice(0, 40)}' (known: ${fields.join(", ")})`);
    const entry = {};
    for (const f of fields) {
      const v = perms[f] ?? [];
      if (!Array.isArray(v) || v.length > 200 || !v.every((a) => typeof a === "string" && ACTION_RE.test(a)))
        throw new TypeError(
          `${f} must be an array of at most 200 actions such as 'Microsoft.Compute/snapshots/write' or '*'`,
        );
      entry[f] = [...v];
    }
    let m = this.permissions.get(key);
    if (!m) {
      let total = 0;
      for (const x of this.permissions.values()) total += x.size;
      if (total >= ENTRA_LIMITS.permissions)
        throw new RangeError(`at most ${ENTRA_LIMITS.permissions} permission entries`);
      m = new Map();
      this.permissions.set(key, m);
    }
    m.set(normScope(scope), entry);
    return {
      caller: key.startsWith("sp:") ? { clientId: key.slice(3) } : { token: "(a user token)" },
      scope: normScope(scope),
      ...entry,
    };
  }
  clearPermissions(who) {
    if (who === undefined) this.permissions.clear();
    else this.permissions.delete(this.callerKey(who));
  }
  describePermissions() {
    const out = [];
    for (const [key, m] of this.permissions)
      for (const [scope, e] of m)
        out.push({
          caller: key.startsWith("sp:") ? { clientId: key.slice(3) } : { token: "(a user token)" },
          scope,
          ...e,
        });
    return out;
  }

  /** The `value` of a permissions GET at `scope` for `caller` (ctx.caller). */
  permissionsAt(caller, scope) {
    const m = this.permissions.get(caller.key);
    if (!m) return [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }];
    const s = normScope(scope);
    return [...m.entries()]
      .filter(([at]) => at === "/" || s === at || s.startsWith(`${at}/`))
      .sort((a, b) => a[0].length - b[0].length)
      .map(([, e]) => ({
        actions: [...e.actions],
        notActions: [...e.notActions],
        dataActions: [...e.dataActions],
        notDataActions: [...e.notDataActions],
      }));
  }

  /** ARM's check of a bearer token: the caller, or an ArmError (401) for a bad or expired SP token. */
  authenticate(token) {
    if (!token.startsWith(SP_TOKEN_PREFIX)) return { kind: "user", key: `token:${token}` };
    const t = this.tokens.get(token);
    const challenge = (desc) => ({
      "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${desc}"`,
    });
    if (!t)
      throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", {
        headers: challenge("The access token is invalid."),
      });
    if (t.expiresMs <= this.now())
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
        {
          headers: challenge("The access token has expired."),
        },
      );
    return {
      kind: "servicePrincipal",
      key: `sp:${t.clientId.toLowerCase()}`,
      tenantId: t.tenantId,
      clientId: t.clientId,
    };
  }

  logToken(entry) {
    this.tokenRequests.push(entry);
    if (this.tokenRequests.length > ENTRA_LIMITS.tokenLog)
      this.tokenRequests.splice(0, this.tokenRequests.length - ENTRA_LIMITS.tokenLog);
  }

  /**
   * One token request. `tenant` is the path's tenant, `form` the parsed body, `endpoints` the URLs
   * this endpoint answers as (for the assertion's aud), `tenants` the tenants the ARM side knows.
   * Returns { status, body } in Entra's shapes.
   */
  token({ tenant, form, endpoints, resources, tenants, correlationId, method }) {
    const traceId = randomUUID();
    const entry = {
      at: new Date(this.now()).toISOString(),
      tenant,
      clientId: form.get("client_id") ?? undefined,
      grantType: form.get("grant_type") ?? undefined,
      scope: form.get("scope") ?? undefined,
    };
    try {
      if (method !== "POST") throw E.method(method);
      const res = this.issue({ tenant, form, endpoints, resources, tenants, entry });
      entry.status = 200;
      return { status: 200, body: res };
    } catch (e) {
      if (!(e instanceof EntraError)) throw e;
      const now = this.now();
      entry.status = e.status;
      entry.error = e.error;
      entry.errorCodes = [e.code];
      return {
        status: e.status,
        body: {
          error: e.error,
          error_description: `${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp(now)}`,
          error_codes: [e.code],
          timestamp: entraTimestamp(now),
          trace_id: traceId,
          correlation_id: correlationId,
          error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
        },
      };
    } finally {
      this.logToken(entry);
    }
  }

  issue({ tenant, form, endpoints, resources, tenants, entry }) {
    if (
      !TENANT_RE.test(tenant) ||
      !(this.knownTenant(tenant) || tenants.some((t) => t.toLowerCase() === tenant.toLowerCase()))
    )
      throw E.tenant(tenant);
    const grant = form.get("grant_type");
    if (!grant) throw E.missing("grant_type");
    if (grant !== "client_credentials") throw E.grant(grant);
    const clientId = form.get("client_id");
    if (!clientId) throw E.missing("client_id");
    const scope = form.get("scope");
    if (!scope) throw E.missing("scope");
    const p = this.principals.get(`${tenant}|${clientId}`.toLowerCase());
    if (!p) throw E.app(clientId, tenant);
    // scope: exactly one `<resource>/.default` of a resource this tenant has (ARM, or the emulator)
    const scopes = scope.trim().split(/\s+/);
    if (scopes.length !== 1) throw E.scope(scope);
    if (!/\/\.default$/i.test(scopes[0])) throw E.scopeSuffix(scopes[0]);
    const resource = scopes[0].replace(/\/\.default$/i, "").replace(/\/+$/, "");
    if (!resources.some((r) => r.toLowerCase() === resource.toLowerCase())) throw E.resource(resource, tenant);
    // the credential
    const assertion = form.get("client_assertion");
    const assertionType = form.get("client_assertion_type");
    if (assertion || assertionType) {
      entry.credential = "assertion";
      if (!assertionType || assertionType !== ASSERTION_TYPE) throw E.missing("client_assertion_type");
      if (!assertion) throw E.missing("client_assertion");
      this.checkAssertion(p, assertion, endpoints, entry);
    } else {
      const secret = form.get("client_secret");
      if (secret === null) throw E.noCredential();
      entry.credential = "secret";
      if (!p.secretHash || !timingSafeEqual(sha("sha256", secret), p.secretHash)) throw E.secret(clientId);
    }
    // an opaque token, recognisable by its prefix, expiring on the emulator clock
    const token = `${SP_TOKEN_PREFIX}${b64url(randomBytes(32))}`;
    const expiresMs = this.now() + p.tokenLifetimeSeconds * 1000;
    this.pruneTokens();
    this.tokens.set(token, { tenantId: p.tenantId, clientId: p.clientId, expiresMs });
    entry.tokenExpiresAt = new Date(expiresMs).toISOString();
    return {
      token_type: "Bearer",
      expires_in: p.tokenLifetimeSeconds,
      ext_expires_in: p.tokenLifetimeSeconds,
      access_token: token,
    };
  }

  pruneTokens() {
    if (this.tokens.size < ENTRA_LIMITS.tokens) return;
    const now = this.now();
    for (const [k, v] of this.tokens) if (v.expiresMs <= now) this.tokens.delete(k);
    while (this.tokens.size >= ENTRA_LIMITS.tokens) this.tokens.delete(this.tokens.keys().next().value);
  }

  /** Verify a client assertion (a JWT) for principal `p`; throws EntraError. Wall-clock times. */
  checkAssertion(p, jwt, endpoints, entry) {
    const parts = jwt.split(".");
    if (parts.length !== 3 || jwt.length > 16384) throw E.malformed("the assertion is not a JWS in compact form");
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      throw E.malformed("the header or the claims are not base64url JSON");
    }
    if (!isPlain(header) || !isPlain(claims)) throw E.malformed("the header and the claims must be JSON objects");
    entry.alg = header.alg;
    if (header.alg !== "RS256" && header.alg !== "PS256")
      throw E.malformed(`unsupported alg '${String(header.alg).slice(0, 20)}' (RS256 or PS256)`);
    // the key: by x5t#S256 (SHA-256 thumbprint) or x5t (SHA-1)
    const kid = header["x5t#S256"] ?? header.x5t;
    const want = header["x5t#S256"] !== undefined ? p.sha256 : p.sha1;
    let thumb;
    try {
      thumb = typeof kid === "string" ? Buffer.from(kid, "base64url") : Buffer.alloc(0);
    } catch {
      thumb = Buffer.alloc(0);
    }
    const thumbHex = thumb.toString("hex").toUpperCase();
    if (!p.key || !want || thumb.length !== want.length || !timingSafeEqual(thumb, want))
      throw E.keyNotFound(thumbHex, p.clientId);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`, "ascii");
    const sig = Buffer.from(parts[2], "base64url");
    const key =
      header.alg === "PS256"
        ? {
            key: p.key,
            padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
            saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
          }
        : { key: p.key, padding: cryptoConstants.RSA_PKCS1_PADDING };
    let ok = false;
    try {
      ok = verify("sha256", data, key, sig);
    } catch {
      ok = false;
    }
    if (!ok) throw E.signature(thumbHex);
    // claims
    const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!auds.some((a) => typeof a === "string" && endpoints.some((u) => u.toLowerCase() === a.toLowerCase())))
      throw E.audience();
    if (claims.iss !== p.clientId || claims.sub !== p.clientId) throw E.issuer();
    if (typeof claims.exp !== "number") throw E.malformed("the assertion has no 'exp' claim");
    if (claims.nbf !== undefined && typeof claims.nbf !== "number") throw E.malformed("'nbf' must be a number");
    const wall = Date.now();
    const skew = ASSERTION_SKEW_SECONDS * 1000;
    if (claims.exp * 1000 + skew <= wall || (claims.nbf !== undefined && claims.nbf * 1000 - skew > wall))
      throw E.time(wall, claims.nbf, claims.exp);
    if (typeof claims.jti !== "string" || claims.jti === "" || claims.jti.length > 500)
      throw E.malformed("the assertion has no 'jti' claim");
    for (const [k, until] of this.jtis) if (until <= wall) this.jtis.delete(k);
    const jkey = `${p.clientId.toLowerCase()}|${claims.jti}`;
    if (this.jtis.has(jkey))
      throw E.malformed("the assertion's 'jti' was already used: an assertion may be presented once");
    if (this.jtis.size < ENTRA_LIMITS.tokens) this.jtis.set(jkey, claims.exp * 1000 + skew);
  }
}

/** The resources a `<resource>/.default` scope may name: ARM, and the emulator at the URLs it is reached by. */
export function tokenResources(origins) {
  return [...ARM_RESOURCES, ...origins];
}

/** Does this tenant id look like a GUID (ARM compares a token's tenant with the subscription's only then)? */
export const isGuid = (t) => GUID.test(t);
