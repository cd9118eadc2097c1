// The Entra token endpoint: the client-credentials flow with a secret or a client assertion
// (RS256, PS256), Entra's errors (AADSTS codes), the tokens it issues on the ARM side (accepted,
// then expired on the emulator clock), its faults, its control routes, and no credential in a log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, call } from "./helpers.mjs";
import { makeCredential, signAssertion, tokenRequest, tokenUrl, ASSERTION_TYPE, ARM_SCOPE } from "./entra-helpers.mjs";

const TENANT = "8d2c0f5e-6b0a-4c1e-9f7a-3e5b2d1c4a90"; // the demo seed's tenant
const CLIENT = "5f1e2d3c-4b5a-4978-8a6b-1c2d3e4f5a6b";
const SECRET = "Zx9~emulator.secret-value_0123456789";
const SUB = "11111111-2222-3333-4444-555555555555";
const cred = makeCredential();
const other = makeCredential();

async function setup(t, extra = {}) {
  const emu = await start({ seed: "demo" });
  t.after(() => emu.close());
  emu.registerServicePrincipal({
    tenantId: TENANT,
    clientId: CLIENT,
    secret: SECRET,
    certificatePem: cred.certificatePem,
    ...extra,
  });
  return emu;
}

const secretForm = (over = {}) => ({
  grant_type: "client_credentials",
  client_id: CLIENT,
  scope: ARM_SCOPE,
  client_secret: SECRET,
  ...over,
});
const assertionForm = (emu, opts = {}, over = {}) => ({
  grant_type: "client_credentials",
  client_id: CLIENT,
  scope: ARM_SCOPE,
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: signAssertion(opts.cred || cred, { clientId: CLIENT, aud: tokenUrl(emu, TENANT), ...opts }),
  ...over,
});

function assertEntraError(r, status, error, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error, error, r.text);
  assert.deepEqual(r.body.error_codes, [code]);
  assert.match(r.body.error_description, new RegExp(`^AADSTS${code}: `));
  assert.match(r.body.error_description, /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /);
  assert.match(r.body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  for (const k of ["trace_id", "correlation_id"]) assert.match(r.body[k], /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.get("x-ms-request-id"), r.body.trace_id);
}

test("secret flow: 200 with a Bearer token and its lifetime", async (t) => {
  const emu = await setup(t);
  const r = await tokenRequest(emu, TENANT, secretForm());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ["access_token", "expires_in", "ext_expires_in", "token_type"]);
  assert.equal(r.body.token_type, "Bearer");
  assert.equal(r.body.expires_in, 3599);
  assert.equal(r.body.ext_expires_in, 3599);
  assert.match(r.body.access_token, /^emusp_[A-Za-z0-9_-]{43}$/);
  assert.match(r.headers.get("cache-control"), /no-store/);
  // the emulator's own URL is a resource too, and the tenant may be written in any case
  const own = await tokenRequest(emu, TENANT.toUpperCase(), secretForm({ scope: `${emu.url}/.default` }));
  assert.equal(own.status, 200, own.text);
});

test("secret flow errors: wrong secret, unknown client, unknown tenant, a cert-only app", async (t) => {
  const emu = await setup(t);
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ client_secret: "nope" })),
    401,
    "invalid_client",
    7000215,
  );
  const unknown = await tokenRequest(emu, TENANT, secretForm({ client_id: "0000aaaa-0000-4000-8000-000000000000" }));
  assertEntraError(unknown, 400, "unauthorized_client", 700016);
  assert.match(unknown.body.error_description, /was not found in the directory '8d2c0f5e/);
  assertEntraError(
    await tokenRequest(emu, "99999999-9999-4999-8999-999999999999", secretForm()),
    400,
    "invalid_request",
    90002,
  );
  emu.registerServicePrincipal({ tenantId: TENANT, clientId: "cert-only-app", certificatePem: cred.certificatePem });
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ client_id: "cert-only-app" })),
    401,
    "invalid_client",
    7000215,
  );
});

test("bad scopes and missing parameters", async (t) => {
  const emu = await setup(t);
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ scope: "https://management.azure.com/user_impersonation" })),
    400,
    "invalid_scope",
    1002012,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ scope: `${ARM_SCOPE} https://graph.microsoft.com/.default` })),
    400,
    "invalid_scope",
    70011,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ scope: "https://vault.azure.net/.default" })),
    400,
    "invalid_resource",
    500011,
  );
  for (const p of ["grant_type", "client_id", "scope"]) {
    const r = await tokenRequest(emu, TENANT, secretForm({ [p]: undefined }));
    assertEntraError(r, 400, "invalid_request", 900144);
    assert.match(r.body.error_description, new RegExp(`parameter: '${p}'`));
  }
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ client_secret: undefined })),
    401,
    "invalid_client",
    7000218,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, secretForm({ grant_type: "password" })),
    400,
    "unsupported_grant_type",
    70003,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, {}, { client_assertion_type: "jwt" })),
    400,
    "invalid_request",
    900144,
  );
  assertEntraError(await tokenRequest(emu, TENANT, {}, { method: "GET" }), 400, "invalid_request", 900561);
});

test("assertion flow: RS256 and PS256, by x5t#S256 or x5t, with a certificate or a public key", async (t) => {
  const emu = await setup(t);
  for (const alg of ["RS256", "PS256"]) {
    const r = await tokenRequest(emu, TENANT, assertionForm(emu, { alg }));
    assert.equal(r.status, 200, `${alg}: ${r.text}`);
    assert.match(r.body.access_token, /^emusp_/);
  }
  const x5t = await tokenRequest(emu, TENANT, assertionForm(emu, { header: { "x5t#S256": undefined, x5t: cred.x5t } }));
  assert.equal(x5t.status, 200, x5t.text);
  // a bare public key with the thumbprint it is known by (no certificate needed)
  const k = makeCredential();
  const info = emu.registerServicePrincipal({
    tenantId: TENANT,
    clientId: "key-app",
    publicKeyPem: k.publicKeyPem,
    thumbprint: k.thumbprint,
  });
  assert.deepEqual(info.credentials, ["certificate"]);
  const keyed = await tokenRequest(emu, TENANT, {
    ...assertionForm(emu),
    client_id: "key-app",
    client_assertion: signAssertion(k, {
      clientId: "key-app",
      aud: tokenUrl(emu, TENANT),
      alg: "PS256",
      header: { "x5t#S256": undefined, x5t: k.x5t },
    }),
  });
  assert.equal(keyed.status, 200, keyed.text);
  // the SHA-256 thumbprint is not known for that key: its x5t#S256 is "not registered"
  const noSha256 = await tokenRequest(emu, TENANT, {
    ...assertionForm(emu),
    client_id: "key-app",
    client_assertion: signAssertion(k, { clientId: "key-app", aud: tokenUrl(emu, TENANT) }),
  });
  assertEntraError(noSha256, 401, "invalid_client", 700027);
});

test("assertion errors: key, time, audience, issuer, replay, thumbprint, malformed", async (t) => {
  const emu = await setup(t);
  const now = Math.floor(Date.now() / 1000);
  // signed with another key under the registered thumbprint
  const wrongKey = await tokenRequest(emu, TENANT, assertionForm(emu, { cred: { ...other, x5tS256: cred.x5tS256 } }));
  assertEntraError(wrongKey, 401, "invalid_client", 700027);
  assert.match(wrongKey.body.error_description, /failed signature validation/);
  // a thumbprint that is not registered
  const wrongThumb = await tokenRequest(emu, TENANT, assertionForm(emu, { cred: other }));
  assertEntraError(wrongThumb, 401, "invalid_client", 700027);
  assert.match(wrongThumb.body.error_description, new RegExp(`not registered.*'${other.thumbprintSha256}'`));
  const noThumb = await tokenRequest(emu, TENANT, assertionForm(emu, { header: { "x5t#S256": undefined } }));
  assertEntraError(noThumb, 401, "invalid_client", 700027);
  // time range (5 minutes of skew either way)
  const expired = await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { nbf: now - 1200, exp: now - 600 } }));
  assertEntraError(expired, 401, "invalid_client", 700024);
  const skewed = await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { nbf: now - 900, exp: now - 60 } }));
  assert.equal(skewed.status, 200, skewed.text);
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { nbf: now + 900, exp: now + 1500 } })),
    401,
    "invalid_client",
    700024,
  );
  // audience: this endpoint only (not the real login host, not another tenant's endpoint)
  for (const aud of [
    `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    tokenUrl(emu, "99999999-9999-4999-8999-999999999999"),
  ]) {
    assertEntraError(await tokenRequest(emu, TENANT, assertionForm(emu, { aud })), 401, "invalid_client", 700023);
  }
  // iss and sub: both the client id
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { iss: "someone-else" } })),
    401,
    "invalid_client",
    700021,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { sub: "someone-else" } })),
    401,
    "invalid_client",
    700021,
  );
  // one jti, once
  const form = assertionForm(emu);
  assert.equal((await tokenRequest(emu, TENANT, form)).status, 200);
  const replay = await tokenRequest(emu, TENANT, form);
  assertEntraError(replay, 401, "invalid_client", 50027);
  assert.match(replay.body.error_description, /already used/);
  // malformed, no jti, another alg
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, {}, { client_assertion: "not.a-jwt" })),
    401,
    "invalid_client",
    50027,
  );
  assertEntraError(
    await tokenRequest(emu, TENANT, assertionForm(emu, { claims: { jti: undefined } })),
    401,
    "invalid_client",
    50027,
  );
  assertEntraError(
    await tokenRequest(
      emu,
      TENANT,
      assertionForm(emu, {}, { client_assertion: `${b64({ alg: "none" })}.${b64({})}.` }),
    ),
    401,
    "invalid_client",
    50027,
  );
  // a secret-only app has no key to check an assertion with
  emu.registerServicePrincipal({ tenantId: TENANT, clientId: "secret-only", secret: "s" });
  const secretOnly = await tokenRequest(emu, TENANT, {
    ...assertionForm(emu),
    client_id: "secret-only",
    client_assertion: signAssertion(cred, { clientId: "secret-only", aud: tokenUrl(emu, TENANT) }),
  });
  assertEntraError(secretOnly, 401, "invalid_client", 700027);
});

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");

test("an issued token works on ARM, expires on the emulator clock; other SP tokens are refused", async (t) => {
  const emu = await setup(t, { tokenLifetimeSeconds: 600 });
  const r = await tokenRequest(emu, TENANT, secretForm());
  assert.equal(r.body.expires_in, 600);
  const token = r.body.access_token;
  const ok = await call(emu, "GET", `/subscriptions/${SUB}/resourceGroups`, { token, api: "2021-04-01" });
  assert.equal(ok.status, 200, ok.text);
  emu.advanceClock(601 * 1000);
  const expired = await call(emu, "GET", `/subscriptions/${SUB}/resourceGroups`, { token, api: "2021-04-01" });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error.code, "ExpiredAuthenticationToken");
  assert.equal(expired.headers.get("x-ms-error-code"), "ExpiredAuthenticationToken");
  assert.match(expired.headers.get("www-authenticate"), /invalid_token/);
  // a fresh one works again (client assertions are checked against the wall clock)
  const again = await tokenRequest(emu, TENANT, assertionForm(emu));
  assert.equal(again.status, 200, again.text);
  const ok2 = await call(emu, "GET", `/subscriptions/${SUB}`, { token: again.body.access_token });
  assert.equal(ok2.status, 200, ok2.text);
  // a token the emulator never issued
  const forged = await call(emu, "GET", `/subscriptions/${SUB}`, { token: "emusp_forged" });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, "InvalidAuthenticationToken");
  // a token of another tenant on this tenant's subscription
  const otherTenant = "0f0f0f0f-1111-4222-8333-444444444444";
  emu.registerServicePrincipal({ tenantId: otherTenant, clientId: CLIENT, secret: SECRET });
  const foreign = await tokenRequest(emu, otherTenant, secretForm());
  assert.equal(foreign.status, 200, foreign.text);
  const wrongTenant = await call(emu, "GET", `/subscriptions/${SUB}`, { token: foreign.body.access_token });
  assert.equal(wrongTenant.status, 401);
  assert.equal(wrongTenant.body.error.code, "InvalidAuthenticationTokenTenant");
  // user tokens are as before
  assert.equal((await call(emu, "GET", `/subscriptions/${SUB}`)).status, 200);
});

test("faults on the token endpoint: 429 and 503 in Entra's shape", async (t) => {
  const emu = await setup(t);
  emu.addFault({ route: "POST /oauth2/v2.0/token", kind: "throttle", retryAfter: 7 });
  emu.addFault({ route: "POST /oauth2/v2.0/token", kind: "status", status: 503, retryAfter: 2 });
  const r429 = await tokenRequest(emu, TENANT, secretForm());
  assertEntraError(r429, 429, "temporarily_unavailable", 90055);
  assert.equal(r429.headers.get("retry-after"), "7");
  const r503 = await tokenRequest(emu, TENANT, secretForm());
  assertEntraError(r503, 503, "temporarily_unavailable", 50000);
  assert.equal(r503.headers.get("retry-after"), "2");
  assert.equal((await tokenRequest(emu, TENANT, secretForm())).status, 200);
});

test("control routes: service principals and token log, guarded by the secret", async (t) => {
  const emu = await start({ seed: "demo" });
  t.after(() => emu.close());
  const ctl = (method, p, body, secret = emu.controlSecret) =>
    fetch(`${emu.url}/__emulator${p}`, {
      method,
      headers: { "content-type": "application/json", ...(secret ? { "x-emulator-secret": secret } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const sp = { tenantId: TENANT, clientId: CLIENT, secret: SECRET, tokenLifetimeSeconds: 120 };
  for (const [m, p] of [
    ["POST", "/service-principals"],
    ["GET", "/service-principals"],
    ["GET", "/token-requests"],
    ["DELETE", "/service-principals"],
  ]) {
    assert.equal((await ctl(m, p, m === "POST" ? sp : undefined, null)).status, 403, `${m} ${p}`);
    assert.equal((await ctl(m, p, m === "POST" ? sp : undefined, "wrong")).status, 403, `${m} ${p}`);
  }
  assert.equal(emu.entra.principals.size, 0);
  const created = await ctl("POST", "/service-principals", sp);
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(JSON.parse(created.text), {
    tenantId: TENANT,
    clientId: CLIENT,
    credentials: ["secret"],
    tokenLifetimeSeconds: 120,
  });
  const withCert = await ctl("POST", "/service-principals", {
    tenantId: TENANT,
    clientId: "cert-app",
    certificatePem: cred.certificatePem,
  });
  assert.equal(JSON.parse(withCert.text).thumbprint, cred.thumbprint);
  assert.equal(JSON.parse(withCert.text).thumbprintSha256, cred.thumbprintSha256);
  for (const bad of [
    {},
    { tenantId: TENANT, clientId: CLIENT },
    { tenantId: TENANT, clientId: CLIENT, secret: "x", extra: 1 },
    { tenantId: TENANT, clientId: CLIENT, publicKeyPem: cred.publicKeyPem },
    {
      tenantId: TENANT,
      clientId: CLIENT,
      certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
    },
    { tenantId: TENANT, clientId: CLIENT, certificatePem: cred.certificatePem, thumbprint: other.thumbprint },
    { tenantId: "a/b", clientId: CLIENT, secret: "x" },
    { tenantId: TENANT, clientId: CLIENT, secret: "x", tokenLifetimeSeconds: 0 },
  ])
    assert.equal((await ctl("POST", "/service-principals", bad)).status, 400, JSON.stringify(bad).slice(0, 80));
  // the token endpoint: a token, and a failure; neither the secret, the assertion nor the token in any log
  const ok = await tokenRequest(emu, TENANT, secretForm());
  assert.equal(ok.status, 200, ok.text);
  await tokenRequest(emu, TENANT, secretForm({ client_secret: "wrong-secret-value" }));
  await tokenRequest(emu, TENANT, assertionForm(emu, {}, { client_id: "cert-app" }));
  const list = await ctl("GET", "/service-principals");
  const log = await ctl("GET", "/token-requests");
  const reqs = await ctl("GET", "/requests");
  assert.equal(JSON.parse(log.text).tokenRequests.length, 3);
  assert.deepEqual(
    JSON.parse(log.text).tokenRequests.map((e) => [e.credential, e.status]),
    [
      ["secret", 200],
      ["secret", 401],
      ["assertion", 401],
    ],
  );
  const everything = [list.text, log.text, reqs.text, JSON.stringify(emu.tokenRequests), JSON.stringify(emu.requests)];
  for (const text of everything) {
    assert.ok(!text.includes(SECRET), "no secret in a log");
    assert.ok(!text.includes("wrong-secret-value"), "no rejected secret in a log");
    assert.ok(!text.includes(ok.body.access_token), "no access token in a log");
    assert.ok(!text.includes("eyJ"), "no assertion in a log");
  }
  assert.equal((await ctl("DELETE", "/token-requests")).status, 204);
  assert.equal(emu.tokenRequests.length, 0);
  // deleting the principals drops their tokens too
  assert.equal((await ctl("DELETE", "/service-principals")).status, 204);
  const gone = await call(emu, "GET", `/subscriptions/${SUB}`, { token: ok.body.access_token });
  assert.equal(gone.status, 401);
  assert.equal(gone.body.error.code, "InvalidAuthenticationToken");
});
