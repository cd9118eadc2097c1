// The Retention view's policy model (www/js/policy-model.js) in Node, pure: the worker's body with
// its copy of each new snapshot (none, a region, a page blob SAS URL), the copy rules as the worker
// has them (worker/src/policies.js; tests/worker/policy-copy.test.mjs holds both to the same cases
// in workerd), and a SAS signature never in what the page shows (JSON, curl, the blob summary),
// however it is spelled; hostile values (wrong types, huge text) refused by rule, never thrown.
import test from "node:test";
import assert from "node:assert/strict";
import {
  COPY_MODES,
  SIG_PLACEHOLDER,
  copyOf,
  copyViolations,
  curlExample,
  redactSas,
  sasSummary,
  shownBody,
  targetUrlProblem,
  workerBody,
} from "../../www/js/policy-model.js";

// The worker panel's module reads location on import (through the page's state); nothing else runs.
globalThis.location = { search: "", hash: "" };
const { copyOfPolicy } = await import("../../www/js/worker-panel.js");

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/rg`;
const disk = (name, location = "westeurope") => ({
  id: `${RG}/providers/Microsoft.Compute/disks/${name}`,
  name,
  location,
});
const SIG = "c2lnbmF0dXJl+/0=ab";
const SAS = `https://acct.blob.core.windows.net/backups/d1.vhd?sv=2022-11-02&se=2026-12-31T00%3A00%3A00Z&sr=b&sp=rcw&sig=${encodeURIComponent(SIG)}`;
const base = {
  scope: RG,
  selector: { mode: "ids" },
  disks: [disk("d1")],
  schedule: { everyHours: 24, at: "02:00" },
  policy: { keepDaily: 3 },
  enabled: true,
};
const rules = (copy, sel = { selector: { mode: "ids" }, disks: [disk("d1")] }) =>
  copyViolations(copy, sel).map((v) => v.rule);

/** Every spelling of the signature that must never be shown. */
const forms = [SIG, encodeURIComponent(SIG), SIG.replace(/\+/g, " "), "c2lnbmF0dXJl"];

test("the body's copy: none leaves it out, a region is copy.location, a SAS URL copy.targetUrl (trimmed)", () => {
  assert.deepEqual(COPY_MODES, ["none", "location", "targetUrl"]);
  for (const copy of [undefined, null, {}, { mode: "none", location: "northeurope" }, { mode: "other" }])
    assert.equal("copy" in workerBody({ ...base, copy }), false, JSON.stringify(copy));
  const geo = workerBody({ ...base, copy: { mode: "location", location: " northeurope ", targetUrl: SAS } });
  assert.deepEqual(geo.copy, { location: "northeurope" });
  assert.deepEqual(Object.keys(geo), ["scope", "disks", "schedule", "retention", "copy", "enabled"]);
  const blob = workerBody({ ...base, copy: { mode: "targetUrl", location: "northeurope", targetUrl: ` ${SAS}\n` } });
  assert.deepEqual(blob.copy, { targetUrl: SAS });
  assert.deepEqual(blob.disks, { ids: [disk("d1").id] });
  assert.deepEqual(copyOf({ mode: "targetUrl", targetUrl: 42 }), { targetUrl: "42" });
  assert.deepEqual(copyViolations({ mode: "none" }, { selector: { mode: "tags" }, disks: [] }), []);
});

test("copy.location: a region name as the worker takes it (lower-case letters and digits, 2 to 40)", () => {
  for (const ok of ["northeurope", "westus3", "ab", "a".repeat(40)])
    assert.deepEqual(rules({ mode: "location", location: ok }), [], ok);
  for (const bad of [
    "",
    "North Europe",
    "NorthEurope",
    "west-europe",
    "a",
    "a".repeat(41),
    "westeurope;",
    "ノルウェー",
  ])
    assert.deepEqual(rules({ mode: "location", location: bad }), ["copy.location"], bad);
  // a region of a selected disk is not refused (the worker takes it), the view warns instead
  assert.deepEqual(rules({ mode: "location", location: "westeurope" }), []);
});

test("copy.targetUrl: the worker's SAS rules, in its order, and exactly one disk picked by id", () => {
  const u = new URL(SAS);
  const cases = [
    ["", "copy.targetUrl.type"],
    ["not a url", "copy.targetUrl.format"],
    [SAS.replace("https://", "http://"), "copy.targetUrl.https"],
    [SAS.replace("https://", "https://user:pw@"), "copy.targetUrl.https"],
    ["ftp://acct.blob.core.windows.net/c/b?sig=x", "copy.targetUrl.https"],
    [`${u.origin}${u.pathname}?sv=2022-11-02`, "copy.targetUrl.sas"],
    [SAS.replace(/sig=[^&]*/, "SIG=abc"), "copy.targetUrl.sas"],
    [SAS.replace(/sig=[^&]*/, `sig=${SIG_PLACEHOLDER}`), "copy.targetUrl.redacted"],
    ["https://acct.blob.core.windows.net/container?sig=abc", "copy.targetUrl.blob"],
    [`${SAS}&snapshot=2026-01-01T00:00:00.0000000Z`, "copy.targetUrl.blob"],
    [`${SAS}#frag`, "copy.targetUrl.format"],
    [`${SAS}&x=${"a".repeat(5000)}`, "copy.targetUrl.length"],
    [`https://x/${"a".repeat(2_000_000)}`, "copy.targetUrl.length"],
  ];
  for (const [url, rule] of cases) {
    assert.deepEqual(rules({ mode: "targetUrl", targetUrl: url }), [rule], url.slice(0, 80));
    const why = targetUrlProblem(url);
    assert.ok(!why.message.includes("acct") && !why.message.includes("sig=abc"), "no part of the URL in the message");
  }
  for (const notText of [undefined, null, 42, {}, ["https://a/b/c?sig=x"]])
    assert.equal(targetUrlProblem(notText)?.rule, "copy.targetUrl.type", String(notText));
  assert.equal(
    targetUrlProblem("http://127.0.0.1:9999/blob/acct/c/b.vhd?sig=x"),
    null,
    "http on loopback (the emulator)",
  );
  assert.equal(targetUrlProblem("http://[::1]:9999/c/b.vhd?sig=x"), null);
  assert.equal(targetUrlProblem("http://10.0.0.1/c/b.vhd?sig=x")?.rule, "copy.targetUrl.https");
  // exactly one disk, picked by id (or the only disk of the scope): not tags, not 0 or 2
  const one = { mode: "targetUrl", targetUrl: SAS };
  assert.deepEqual(rules(one), []);
  assert.deepEqual(rules(one, { selector: { mode: "all" }, disks: [disk("d1")] }), []);
  assert.deepEqual(rules(one, { selector: { mode: "tags" }, disks: [disk("d1")] }), ["copy.targetUrl.oneDisk"]);
  assert.deepEqual(rules(one, { selector: { mode: "ids" }, disks: [disk("d1"), disk("d2")] }), [
    "copy.targetUrl.oneDisk",
  ]);
  assert.deepEqual(rules(one, { selector: { mode: "ids" }, disks: [] }), ["copy.targetUrl.oneDisk"]);
  assert.deepEqual(
    rules({ mode: "targetUrl", targetUrl: "nope" }, { selector: { mode: "tags" }, disks: [] }),
    ["copy.targetUrl.format", "copy.targetUrl.oneDisk"],
    "every violation at once",
  );
});

test("what the page shows has the placeholder for the signature: the JSON, the curl command, the summary", () => {
  const body = workerBody({ ...base, copy: { mode: "targetUrl", targetUrl: SAS } });
  const shown = shownBody(body);
  assert.equal(body.copy.targetUrl, SAS, "the body itself (what Save sends) is untouched");
  assert.equal(new URL(shown.copy.targetUrl).searchParams.get("sig"), SIG_PLACEHOLDER);
  assert.equal(new URL(shown.copy.targetUrl).pathname, "/backups/d1.vhd");
  assert.equal(new URL(shown.copy.targetUrl).searchParams.get("se"), "2026-12-31T00:00:00Z", "the rest kept");
  assert.equal(
    targetUrlProblem(shown.copy.targetUrl)?.rule,
    "copy.targetUrl.redacted",
    "sent unchanged, it is refused",
  );
  const texts = [JSON.stringify(shown), curlExample("p1", shown), JSON.stringify(sasSummary(SAS))];
  for (const t of texts) for (const f of forms) assert.ok(!t.includes(f), `${f} in ${t.slice(0, 200)}`);
  assert.ok(curlExample("p1", shown).includes(`sig=${SIG_PLACEHOLDER}`));
  assert.deepEqual(sasSummary(SAS), {
    blob: "https://acct.blob.core.windows.net/backups/d1.vhd",
    expires: "2026-12-31T00:00:00Z",
  });
  assert.equal(sasSummary("not a url"), null);
  // two sig parameters, an upper-case one beside it, a sig in a quoted curl: none shown
  const twice = redactSas("https://a.blob.core.windows.net/c/b?sig=one&sig=two");
  assert.ok(!twice.includes("one") && !twice.includes("two"), twice);
  assert.equal(redactSas("no url at all ?sig=abc"), SIG_PLACEHOLDER);
  const quote = shownBody({ ...body, copy: { targetUrl: "https://a.blob.core.windows.net/c/b?sig=it's" } });
  assert.ok(!/it's|it'\\''s/.test(curlExample("p1", quote)), "a quote in the signature does not survive either");
  // no copy, a region: shown as is
  const geo = workerBody({ ...base, copy: { mode: "location", location: "northeurope" } });
  assert.equal(shownBody(geo), geo);
});

test("the worker panel names a policy's copy: the region, or the blob's name (never its query)", () => {
  const blob = shownBody(workerBody({ ...base, copy: { mode: "targetUrl", targetUrl: SAS } }));
  assert.equal(copyOfPolicy(blob), " · copied to the blob d1.vhd");
  assert.equal(copyOfPolicy({ copy: { location: "northeurope" } }), " · copied to northeurope");
  assert.equal(
    copyOfPolicy({ copy: { location: "northeurope", targetUrl: SAS } }),
    " · copied to northeurope, copied to the blob d1.vhd",
  );
  for (const odd of [{}, { copy: null }, { copy: {} }]) assert.equal(copyOfPolicy(odd), "", JSON.stringify(odd));
  assert.equal(copyOfPolicy({ copy: { targetUrl: "REDACTED" } }), " · copied to a blob");
  assert.equal(copyOfPolicy({ copy: { targetUrl: "https://a.blob.core.windows.net/?sig=x" } }), " · copied to a blob");
});
