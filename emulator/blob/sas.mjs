// Shared access signatures of the blob emulator. Every SAS is a grant kept by the service
// (like a managed disk's `si` stored access policy): the URL carries `si` (the grant id) and a
// `sig` that signs the resource and the SAS fields with a per-service key, so a changed path,
// snapshot, permission or expiry no longer matches. Expiry and revocation live in the grant,
// not in the URL, as for managed disks (whose SAS URLs carry no `se`).
//
// Managed-disk shape:  ?snapshot=<time>&sv=2018-11-09&sr=bs&si=<64 hex>&sig=<base64>  (a snapshot)
//                      ?sv=2018-11-09&sr=b&si=<64 hex>&sig=<base64>                   (a disk blob)
// Target-account shape: ?sv=2021-06-08&se=<iso>&sr=b&sp=<perms>&si=<uuid>&sig=<base64>
import { createHmac, randomBytes, timingSafeEqual, randomUUID } from "node:crypto";
import { E } from "./xml.mjs";

const PERMS = /^[racwd]+$/;

export class SasGrants {
  constructor() {
    this.key = randomBytes(32);
    /** @type {Map<string, object>} */
    this.grants = new Map();
  }

  static stringToSign(host, container, blob, snapshot, { sv, sr, si, sp, se }) {
    return [host.toLowerCase(), container, blob, snapshot || "", sv || "", sr || "", si || "", sp || "", se || ""].join(
      "\n",
    );
  }

  sign(text) {
    return createHmac("sha256", this.key).update(text, "utf8").digest("base64");
  }

  /**
   * Record a grant and return its query string (without `?`).
   * `g`: { host, container, blob, snapshot?, perms, expiresAt, managed, familyId? }.
   */
  add(g) {
    if (typeof g.perms !== "string" || !PERMS.test(g.perms))
      throw new TypeError(`permissions must be letters of "racwd" (e.g. "r" or "rw"), not ${JSON.stringify(g.perms)}`);
    if (g.snapshot && /[wcd]/.test(g.perms)) throw new TypeError("a snapshot SAS can only read (permissions 'r')");
    if (!Number.isFinite(g.expiresAt)) throw new TypeError("expiresAt must be a time (ms, Date or ISO text)");
    const si = g.managed ? randomBytes(32).toString("hex") : randomUUID();
    const fields = g.managed
      ? { sv: "2018-11-09", sr: g.snapshot ? "bs" : "b", si }
      : { sv: "2021-06-08", se: new Date(g.expiresAt).toISOString().slice(0, 19) + "Z", sr: "b", sp: g.perms, si };
    const sig = this.sign(SasGrants.stringToSign(g.host, g.container, g.blob, g.snapshot, fields));
    this.grants.set(si, { ...g, si, fields, revoked: false });
    const q = new URLSearchParams();
    if (g.snapshot) q.set("snapshot", g.snapshot);
    for (const [k, v] of Object.entries(fields)) q.set(k, v);
    q.set("sig", sig);
    return q.toString();
  }

  /** Revoke by grant id or by any URL carrying `si=`; returns whether a live grant was revoked. */
  revoke(urlOrId) {
    let si = String(urlOrId);
    if (si.includes("?") || si.includes("si=")) {
      try {
        si = new URL(si, "http://x").searchParams.get("si") || "";
      } catch {
        return false;
      }
    }
    const g = this.grants.get(si);
    if (!g || g.revoked) return false;
    g.revoked = true;
    return true;
  }

  /** Grants not revoked and not expired at `now`, optionally of one family. */
  open(now, familyId) {
    let n = 0;
    for (const g of this.grants.values())
      if (!g.revoked && g.expiresAt > now && (familyId === undefined || g.familyId === familyId)) n += 1;
    return n;
  }

  /**
   * Check the SAS of a request on (host, container, blob, snapshot): returns the grant, or
   * throws 403 AuthenticationFailed (no SAS, bad signature, unknown/revoked grant, expired) or
   * 403 AuthorizationPermissionMismatch (the grant lacks `need`, one of "r", "w", "c").
   */
  check(query, { host, container, blob, snapshot }, need, now) {
    const sig = query.get("sig");
    const si = query.get("si");
    if (!sig || !si)
      throw E.authFailed("The request carries no shared access signature (sv, sr, si, sig); this emulator needs one.");
    const fields = {};
    for (const k of ["sv", "sr", "si", "sp", "se"]) if (query.has(k)) fields[k] = query.get(k);
    const text = SasGrants.stringToSign(host, container, blob, snapshot, fields);
    const want = Buffer.from(this.sign(text), "utf8");
    const got = Buffer.from(sig, "utf8");
    if (want.length !== got.length || !timingSafeEqual(want, got))
      throw E.authFailed(`Signature did not match. String to sign used was ${text.replace(/\n/g, "\\n")}`);
    const g = this.grants.get(si);
    if (!g || g.revoked) throw E.authFailed(`Signed identifier '${si}' does not exist or has been revoked.`);
    if (now >= g.expiresAt)
      throw E.authFailed(
        `Signed expiry time [${new Date(g.expiresAt).toUTCString()}] must be after signed start time [${new Date(now).toUTCString()}]`,
      );
    const ok = need === "c" ? /[cw]/.test(g.perms) : g.perms.includes(need);
    if (!ok) throw E.permission();
    return g;
  }
}
