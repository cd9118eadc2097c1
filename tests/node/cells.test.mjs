// www/js/cells.js (how a snapshot's facts are shown) in Node, over a small fake document: the plain
// facts (kind, time zone and seconds, age, sizes, state), hostile values (wrong types, markup in
// tags, unknown zones, huge tag sets) and the DOM the cells build.
import test from "node:test";
import assert from "node:assert/strict";

class FakeNode {}
class FakeText extends FakeNode {
  constructor(text) {
    super();
    this.data = text;
  }
  get textContent() {
    return this.data;
  }
}
class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.children = [];
    this.dataset = {};
    this.style = {};
    this.id = "";
    const classes = new Set();
    this.classList = { add: (c) => classes.add(c), contains: (c) => classes.has(c), values: () => [...classes] };
  }
  setAttribute(k, v) {
    this.attributes.set(k, String(v));
  }
  getAttribute(k) {
    return this.attributes.has(k) ? this.attributes.get(k) : null;
  }
  addEventListener() {}
  append(...nodes) {
    for (const n of nodes) this.children.push(n instanceof FakeNode ? n : new FakeText(String(n)));
  }
  replaceChildren() {
    this.children = [];
  }
  get textContent() {
    return this.children.map((c) => c.textContent).join("");
  }
  /** Elements below (depth first) that have class c. */
  byClass(c) {
    const out = [];
    for (const ch of this.children) {
      if (!(ch instanceof FakeElement)) continue;
      if (ch.classList.contains(c)) out.push(ch);
      out.push(...ch.byClass(c));
    }
    return out;
  }
}
globalThis.Node = FakeNode;
globalThis.document = { createElement: (t) => new FakeElement(t), createElementNS: (_ns, t) => new FakeElement(t) };

const cells = await import("../../www/js/cells.js");

const ISO = "2026-12-01T16:40:12.3456789+00:00";
const snap = (over = {}) => ({
  name: "s1",
  id: "/subscriptions/0000/resourceGroups/rg-A/providers/Microsoft.Compute/snapshots/s1",
  location: "westeurope",
  sku: { name: "Standard_ZRS" },
  tags: { backup: "daily" },
  ...over,
  properties: {
    timeCreated: ISO,
    incremental: true,
    diskSizeGB: 128,
    provisioningState: "Succeeded",
    creationData: {
      createOption: "Copy",
      sourceResourceId: "/subscriptions/0000/resourceGroups/rg-A/providers/Microsoft.Compute/disks/d1",
    },
    ...(over.properties || {}),
  },
});

test("created time: seconds, the zone's name, the ISO time as the title", () => {
  assert.match(cells.fmtCreated(ISO, { timeZone: "UTC", locale: "en-GB" }), /16:40:12/);
  assert.match(cells.fmtCreated(ISO, { timeZone: "UTC", locale: "en-GB" }), /UTC/);
  // Another zone moves the clock and names the zone (India is +05:30, no daylight saving).
  const kolkata = cells.fmtCreated(ISO, { timeZone: "Asia/Kolkata", locale: "en-GB" });
  assert.match(kolkata, /22:10:12/);
  assert.match(kolkata, /GMT\+5:30|IST/);
  const el = cells.createdCell(snap(), { timeZone: "Asia/Kolkata", locale: "en-GB" });
  assert.equal(el.tagName, "TIME");
  assert.equal(el.getAttribute("datetime"), ISO);
  assert.match(el.getAttribute("title"), new RegExp(`^${ISO.replace(/[+.]/g, "\\$&")} \\(shown in Asia/Kolkata\\)$`));
  assert.match(el.textContent, /22:10:12/);
});

test("created time: hostile values do not throw", () => {
  assert.equal(cells.fmtCreated(""), "—");
  assert.equal(cells.fmtCreated(null), "—");
  assert.equal(cells.fmtCreated("not a time"), "not a time");
  // An unknown zone falls back to UTC instead of throwing.
  assert.match(cells.fmtCreated(ISO, { timeZone: "Mars/Olympus", locale: "en-GB" }), /16:40:12 UTC/);
  assert.equal(cells.createdCell({ properties: { timeCreated: 42 } }).textContent.length > 0, true);
  assert.equal(cells.createdCell(null).textContent, "—");
  assert.equal(typeof cells.userTimeZone(), "string");
});

test("age: compact units, the future, nothing for no time", () => {
  const t = Date.parse(ISO);
  assert.equal(cells.fmtAge(ISO, t + 12_000), "12 s ago");
  assert.equal(cells.fmtAge(ISO, t + 5 * 60_000 + 59_000), "5 min ago");
  assert.equal(cells.fmtAge(ISO, t + 3 * 3600_000 + 10), "3 h ago");
  assert.equal(cells.fmtAge(ISO, t + 2 * 86400_000), "2 d ago");
  assert.equal(cells.fmtAge(ISO, t + 90 * 86400_000), "3 mo ago");
  assert.equal(cells.fmtAge(ISO, t + 800 * 86400_000), "2 y ago");
  assert.equal(cells.fmtAge(ISO, t - 120_000), "in 2 min");
  assert.equal(cells.fmtAge("garbage", t), "");
  assert.equal(cells.fmtAge(ISO, NaN), "");
  assert.equal(cells.ageCell(snap(), { now: t + 7200_000 }).textContent, "2 h ago");
});

test("kind: incremental, full, imported, copy", () => {
  assert.equal(cells.snapshotKind(snap()), "incremental");
  assert.equal(cells.snapshotKind(snap({ properties: { incremental: false } })), "full");
  assert.equal(
    cells.snapshotKind(
      snap({
        properties: { incremental: false, creationData: { createOption: "Import", sourceUri: "https://x/y.vhd" } },
      }),
    ),
    "imported",
  );
  assert.equal(
    cells.snapshotKind(snap({ properties: { creationData: { sourceUri: "https://x/y.vhd" } } })),
    "imported",
  );
  assert.equal(
    cells.snapshotKind(
      snap({
        properties: {
          creationData: {
            createOption: "copystart",
            sourceResourceId: "/subscriptions/0/resourceGroups/r/providers/Microsoft.Compute/snapshots/a",
          },
        },
      }),
    ),
    "copy",
  );
  // Hostile shapes: nothing, strings where objects belong, incremental as a string.
  assert.equal(cells.snapshotKind(null), "full");
  assert.equal(cells.snapshotKind({ properties: "x" }), "full");
  assert.equal(cells.snapshotKind({ properties: { incremental: "true", creationData: 7 } }), "full");
  const k = cells.kindCell(snap({ properties: { incremental: false } }));
  assert.equal(k.dataset.kind, "full");
  assert.equal(k.textContent, "full");
});

test("size, changed bytes, sku, resource group", () => {
  assert.equal(cells.sizeCell(snap()).textContent, "128 GiB");
  assert.equal(cells.sizeCell(snap(), { changedBytes: 4 * 2 ** 20 }).textContent, "128 GiB · 4 MiB changed");
  assert.equal(cells.sizeCell(snap({ properties: { diskSizeGB: 4096 } })).textContent, "4 TiB");
  assert.equal(cells.sizeCell(snap({ properties: { diskSizeGB: "128" } })).textContent, "—");
  assert.equal(cells.sizeCell(snap(), { changedBytes: -1 }).textContent, "128 GiB");
  assert.equal(cells.changedCell(undefined).textContent, "—");
  assert.equal(cells.changedCell(0).textContent, "0 B");
  assert.equal(cells.skuCell(snap()).textContent, "Standard_ZRS");
  assert.equal(cells.skuCell({}).textContent, "—");
  assert.equal(cells.resourceGroupCell(snap()).textContent, "rg-A");
  assert.equal(cells.resourceGroupOf("/SUBSCRIPTIONS/x/RESOURCEGROUPS/Big/providers/p"), "Big");
  assert.equal(cells.resourceGroupOf(undefined), "");
});

test("tags: chips key: value, sorted, markup stays text, odd shapes", () => {
  const el = cells.tagsCell({ z: "1", a: "<img src=x onerror=alert(1)>", n: null });
  const chips = el.byClass("tag");
  assert.deepEqual(
    chips.map((c) => c.textContent),
    ["a: <img src=x onerror=alert(1)>", "n: ", "z: 1"],
  );
  // Text, never elements: the only child of a chip is a text node.
  assert.ok(chips.every((c) => c.children.length === 1 && !(c.children[0] instanceof FakeElement)));
  assert.equal(cells.tagsCell(["a", "b"]).textContent, "—");
  assert.equal(cells.tagsCell("a=b").textContent, "—");
  assert.equal(cells.tagsCell(null).textContent, "—");
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, `v${i}`]));
  assert.equal(cells.tagsCell(many).byClass("tag").length, 5000);
});

test("state: ready, creating, failed copy, copying, access granted, instant access, snapshotAccessState", () => {
  assert.equal(cells.stateCell(snap()).dataset.state, "ready");
  assert.equal(cells.stateCell(snap()).textContent, "Ready");
  assert.equal(cells.stateCell(snap({ properties: { provisioningState: "Creating" } })).textContent, "Creating");
  const failed = cells.stateCell(
    snap({ properties: { copyCompletionError: { errorCode: "CopySourceNotFound", errorMessage: "gone" } } }),
  );
  assert.equal(failed.dataset.state, "failed");
  assert.match(failed.textContent, /Copy failed: CopySourceNotFound/);
  assert.equal(cells.stateCell(snap({ properties: { completionPercent: 40 } })).textContent, "Copying");
  assert.match(cells.stateCell(snap({ properties: { diskState: "ActiveSAS" } })).textContent, /Access granted/);
  assert.match(
    cells.stateCell(snap({ properties: { snapshotAccessState: "AvailableWithInstantAccess" } })).textContent,
    /Instant access/,
  );
  assert.match(
    cells.stateCell(snap({ properties: { creationData: { instantAccessDurationMinutes: 120 } } })).textContent,
    /Instant access 120 min/,
  );
  assert.match(cells.stateCell(snap({ properties: { snapshotAccessState: "Pending" } })).textContent, /Pending/);
  // "Available" is the normal case and says nothing more than Ready.
  assert.equal(cells.stateCell(snap({ properties: { snapshotAccessState: "Available" } })).textContent, "Ready");
  assert.equal(cells.stateCell({ properties: { completionPercent: "40" } }).dataset.state, "ready");
});

test("copy progress: CopyStart copies and background copies, clamped; none otherwise", () => {
  const copy = (pct) =>
    snap({
      properties: { completionPercent: pct, creationData: { createOption: "CopyStart", sourceResourceId: "x" } },
    });
  const bar = cells.copyProgressCell(copy(42.4));
  const progress = bar.byClass("progress")[0];
  assert.equal(progress.getAttribute("role"), "progressbar");
  assert.equal(progress.getAttribute("aria-valuenow"), "42");
  assert.equal(bar.textContent, "42 %");
  assert.equal(cells.copyProgressCell(copy(100)).textContent, "100 %");
  assert.equal(cells.copyProgressCell(copy(150)).byClass("progress")[0].getAttribute("aria-valuenow"), "100");
  assert.equal(cells.copyProgressCell(copy(-5)).textContent, "0 %");
  assert.equal(cells.copyProgressCell(snap({ properties: { completionPercent: 100 } })).textContent, "—");
  assert.equal(cells.copyProgressCell(snap({ properties: { completionPercent: 30 } })).textContent, "30 %");
  assert.equal(cells.copyProgressCell(snap()).textContent, "—");
  assert.equal(cells.copyProgressCell(copy(NaN)).textContent, "—");
});

test("facts: plain values for sorting and filtering", () => {
  const f = cells.snapshotFacts(snap());
  assert.equal(f.resourceGroup, "rg-A");
  assert.equal(f.kind, "incremental");
  assert.equal(f.created, Date.parse(ISO));
  assert.equal(f.sizeBytes, 128 * 2 ** 30);
  assert.deepEqual(f.tags, [["backup", "daily"]]);
  assert.equal(f.state, "ready");
  assert.deepEqual(cells.KINDS, ["incremental", "full", "imported", "copy"]);
  const empty = cells.snapshotFacts(undefined);
  assert.equal(empty.name, "");
  assert.equal(empty.created, null);
  assert.equal(empty.sizeBytes, null);
});
