// Helpers of the Entra tests: an RSA key pair with a real self-signed X.509 certificate (built in
// DER here, since node:crypto parses certificates but does not make them), its thumbprints, a
// signed client assertion (RS256 or PS256), and a form-encoded token request.
//
// A certificate is not needed to test the assertion flow: register the public key with its
// thumbprint instead (`registerServicePrincipal({ publicKeyPem, thumbprint })`); any 40 (SHA-1)
// or 64 (SHA-256) hex digits will do, as long as the assertion's x5t / x5t#S256 header carries
// the same bytes in base64url. makeCredential() gives both ways.
import { createHash, generateKeyPairSync, randomUUID, sign, constants } from "node:crypto";

const len = (n) => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag, ...content) => {
  const c = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(c.length), c]);
};
const seq = (...c) => tlv(0x30, ...c);
const oid = (text) => {
  const [a, b, ...rest] = text.split(".").map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
};
const int = (buf) => tlv(0x02, buf[0] & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf);
const utcTime = (d) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, "")}Z`, "ascii"));
const name = (cn) => seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn, "utf8")))));

/** A self-signed certificate (PEM) of an RSA key pair, valid from yesterday for a year. */
export function selfSignedCertificate(privateKey, publicKey, cn = "emulator-test") {
  const alg = seq(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00])); // sha256WithRSAEncryption
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(createHash("sha256").update(randomUUID()).digest().subarray(0, 16)),
    alg,
    name(cn),
    seq(utcTime(new Date(now - 86400000)), utcTime(new Date(now + 365 * 86400000))),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const sig = sign("sha256", tbs, privateKey);
  const der = seq(tbs, alg, tlv(0x03, Buffer.from([0]), sig));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return { pem: `-----BEGIN CERTIFICATE-----\n${b64.trim()}\n-----END CERTIFICATE-----\n`, der };
}

/**
 * An RSA key pair and its certificate: { privateKey, publicKeyPem, certificatePem, thumbprint
 * (SHA-1 hex), thumbprintSha256 (hex), x5t, x5tS256 (base64url of them) }.
 */
export function makeCredential({ modulusLength = 2048 } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength });
  const { pem, der } = selfSignedCertificate(privateKey, publicKey);
  const sha1 = createHash("sha1").update(der).digest();
  const sha256 = createHash("sha256").update(der).digest();
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }),
    certificatePem: pem,
    thumbprint: sha1.toString("hex").toUpperCase(),
    thumbprintSha256: sha256.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    x5tS256: sha256.toString("base64url"),
  };
}

/**
 * A client assertion for `clientId` at the token endpoint `aud`, signed with `cred.privateKey`.
 * `alg`: RS256 or PS256; `header` and `claims` override the defaults (x5t#S256, and iss = sub =
 * clientId, a fresh jti, nbf = now, exp = now + 10 min).
 */
export function signAssertion(cred, { clientId, aud, alg = "RS256", header = {}, claims = {}, nowSeconds } = {}) {
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  const h = { alg, typ: "JWT", "x5t#S256": cred.x5tS256, ...header };
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
  const c = { aud, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + 600, ...claims };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc(h)}.${enc(c)}`;
  const key =
    alg === "PS256"
      ? { key: cred.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : cred.privateKey;
  return `${data}.${sign("sha256", Buffer.from(data), key).toString("base64url")}`;
}

/** The token endpoint URL of a tenant on the emulator. */
export const tokenUrl = (emu, tenant) => `${emu.url}/${tenant}/oauth2/v2.0/token`;

/** POST a form to the token endpoint; `params` is an object (undefined values left out). */
export async function tokenRequest(emu, tenant, params, { method = "POST", headers = {} } = {}) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined) form.set(k, v);
  const res = await fetch(tokenUrl(emu, tenant), {
    method,
    headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded", ...headers } : headers,
    body: method === "POST" ? form.toString() : undefined,
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const ARM_SCOPE = "https://management.azure.com/.default";
