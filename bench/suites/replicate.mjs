// 6. Replicate a chain: on the emulator (ARM and its Blob service in this process), one disk of
// 1 GiB with N incremental snapshots, a few MiB written between each. `client.replicateSnapshots`
// (the first snapshot in full, each later one as its diff) against a full copy of every snapshot
// (`copyPageRanges` without `previousUrl`, one target blob snapshot each), side by side: bytes
// sent by Put Page From URL (the results' copiedBytes, and the requests the emulator's Blob
// service logged), requests, and time. Both must leave the target's snapshots equal to the source
// snapshots (checked in the first round).
import { summarize, cell, ratio } from "../lib/stats.mjs";
import { API, QUICK, TOKEN, assert, log, pkg, rounds, startEmulator, target, withTimeout } from "../lib/harness.mjs";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const SNAPSHOTS = 8;
const DISK_BYTES = GIB;
/** What the "VM" holds before the first snapshot, and writes between two snapshots. */
const BASE_BYTES = 64 * MIB;
const WRITE_BYTES = 4 * MIB;
const RUNS = QUICK ? 2 : 5;
const WARMUPS = 1;

/** A deterministic buffer (a PRNG), so every page differs and nothing compresses to a pattern. */
function bytes(length, seed) {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

/** PUT an ARM resource and follow its long-running operation to the end (the emulator's, Retry-After 0). */
async function armPut(origin, path, body) {
  const url = `${origin}${path}?api-version=${API}`;
  const headers = { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const r = await fetch(url, { method: "PUT", headers, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`PUT ${path} → ${r.status} ${await r.text()}`);
  const op = r.headers.get("azure-asyncoperation");
  for (let i = 0; op && i < 50; i++) {
    const s = await (await fetch(op, { headers })).json();
    if (s.status !== "InProgress") break;
  }
}

/**
 * The chain: a new 1 GiB disk with BASE_BYTES written, then SNAPSHOTS incremental snapshots with
 * WRITE_BYTES written (in 1 MiB pieces spread over the disk) before each later one.
 */
async function makeChain(emu, client) {
  const origin = new URL(emu.url).origin;
  const { subscriptionId, resourceGroups } = emu.seedInfo;
  const diskId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroups[0]}/providers/Microsoft.Compute/disks/bench-replicate`;
  await armPut(origin, diskId, {
    location: "westeurope",
    sku: { name: "Standard_LRS" },
    properties: { creationData: { createOption: "Empty" }, diskSizeGB: DISK_BYTES / GIB },
  });
  let seed = 1;
  const write = (offset, length) =>
    emu.writeDisk(diskId, [{ offset, length, dataBase64: bytes(length, seed++).toString("base64") }]);
  write(0, BASE_BYTES);
  const snapshots = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    if (i > 0) {
      for (let k = 0; k < WRITE_BYTES / MIB; k++) write((((i * 131 + k * 37) % (DISK_BYTES / MIB - 1)) + 1) * MIB, MIB);
    }
    snapshots.push(await client.createIncrementalSnapshot(diskId, { name: `bench-repl-${i + 1}` }));
  }
  return { diskId, snapshots };
}

/** Put Page From URL requests in the Blob service's log (its entries name headers, never values). */
const putPages = (emu) =>
  emu.blob.requests.filter((r) => r.method === "PUT" && r.headers?.includes("x-ms-copy-source")).length;

/** Each target snapshot holds its source snapshot's bytes: every page either lists, and the length. */
async function checkTarget(emu, client, snapshots, targetUrl, targetSnapshots, what) {
  const blob = emu.blob;
  for (const [i, snap] of snapshots.entries()) {
    const { accessSAS } = await client.grantAccess(snap.id, { durationInSeconds: 600 });
    try {
      const source = { url: accessSAS, snapshot: new URL(accessSAS).searchParams.get("snapshot") };
      const target = { url: targetUrl, snapshot: targetSnapshots[i] };
      assert(
        blob.properties(source.url, source.snapshot).size === blob.properties(target.url, target.snapshot).size,
        `${what}: target snapshot ${i + 1}'s length`,
      );
      const ranges = [source, target].flatMap((b) => blob.pageList(b.url, { snapshot: b.snapshot }));
      for (const r of ranges.filter((x) => x.kind === "page")) {
        const at = { offset: r.start, length: r.end - r.start + 1 };
        const a = blob.read(source.url, { snapshot: source.snapshot, ...at });
        const b = blob.read(target.url, { snapshot: target.snapshot, ...at });
        assert(a.equals(b), `${what}: target snapshot ${i + 1} differs from ${snap.name} at ${r.start}`);
      }
    } finally {
      await client.revokeAccess(snap.id);
    }
  }
}

async function replicateSuite() {
  const emu = await startEmulator({
    seed: "demo",
    retryAfterSeconds: 0,
    lroPolls: 0,
    logRequests: false,
    enforceRateLimit: false,
  });
  try {
    const client = new pkg.ArmClient({
      token: TOKEN,
      endpoint: emu.url,
      pollIntervalMs: 10,
      completionPollMs: 10,
      retryDelayMs: 10,
    });
    const { diskId, snapshots } = await makeChain(emu, client);
    let seq = 0;
    const figures = { differential: [], full: [] };
    const newTarget = (who) => emu.blob.targetUrl("benchtargets", "replicas", `${who}-${++seq}.vhd`);

    const differential = async () => {
      const targetUrl = newTarget("diff");
      const before = putPages(emu);
      const r = await withTimeout(client.replicateSnapshots(diskId, { targetUrl }), 300_000, "replicateSnapshots");
      const copied = r.replicated.reduce((n, x) => n + x.copiedBytes, 0);
      const cleared = r.replicated.reduce((n, x) => n + x.clearedBytes, 0);
      figures.differential.push({ copied, cleared, putPages: putPages(emu) - before });
      return { targetUrl, targetSnapshots: r.replicated.map((x) => x.targetSnapshot) };
    };

    const full = async () => {
      const targetUrl = newTarget("full");
      const before = putPages(emu);
      let copied = 0;
      let cleared = 0;
      let requests = 0;
      const targetSnapshots = [];
      for (const snap of snapshots) {
        const { accessSAS } = await client.grantAccess(snap.id, { durationInSeconds: 3600 });
        try {
          const r = await withTimeout(
            pkg.copyPageRanges({ sourceUrl: accessSAS, targetUrl, snapshotTarget: true }),
            300_000,
            "copyPageRanges",
          );
          copied += r.copiedBytes;
          cleared += r.clearedBytes;
          requests += r.requests;
          targetSnapshots.push(r.targetSnapshot);
        } finally {
          await client.revokeAccess(snap.id);
        }
      }
      figures.full.push({ copied, cleared, requests, putPages: putPages(emu) - before });
      return { targetUrl, targetSnapshots };
    };

    // A first call of each is the warm-up, and the check: every target snapshot equals its source.
    for (let i = 0; i < WARMUPS; i++) {
      const d0 = await differential();
      const f0 = await full();
      if (i === 0) {
        await checkTarget(emu, client, snapshots, d0.targetUrl, d0.targetSnapshots, "replicateSnapshots");
        await checkTarget(emu, client, snapshots, f0.targetUrl, f0.targetSnapshots, "full copies");
      }
    }
    const t = await rounds({ differential, full }, { warmups: 0, runs: RUNS });
    const last = (list) => list[list.length - 1];
    const d = last(figures.differential);
    const f = last(figures.full);
    assert(
      figures.differential.every((x) => x.copied === d.copied) && figures.full.every((x) => x.copied === f.copied),
      "every run copies the same bytes",
    );
    const ds = summarize(t.differential, 1);
    const fs = summarize(t.full, 1);
    return {
      snapshots: SNAPSHOTS,
      disk_bytes: DISK_BYTES,
      base_bytes: BASE_BYTES,
      write_bytes_between: WRITE_BYTES,
      differential: { copied_bytes: d.copied, cleared_bytes: d.cleared, put_page_requests: d.putPages, ms: ds.median },
      full: {
        copied_bytes: f.copied,
        cleared_bytes: f.cleared,
        put_page_requests: f.putPages,
        requests: f.requests,
        ms: fs.median,
      },
      bytes_full_over_differential: ratio(f.copied, d.copied),
      time_full_over_differential: ratio(fs.median, ds.median),
      runs: RUNS,
      warmups: WARMUPS,
      differential_spread: ds,
      full_spread: fs,
    };
  } finally {
    await emu.close();
  }
}

export async function run(results) {
  log(`replicate: ${SNAPSHOTS} snapshots of a 1 GiB disk, differential vs full copies …`);
  results.replicate = await replicateSuite();
}

export function targets({ replicate: r }) {
  return [
    target(
      `6. replicate ${r.snapshots} snapshots: sends less than a full copy of each`,
      `${r.bytes_full_over_differential.toFixed(2)}x fewer bytes`,
      r.differential.copied_bytes < r.full.copied_bytes,
    ),
  ];
}

export function print(results, lines) {
  const r = results.replicate;
  const mib = (b) => `${(b / MIB).toFixed(1)} MiB`;
  lines.push(
    `6. Replicate ${r.snapshots} snapshots of a ${r.disk_bytes / GIB} GiB disk (${mib(r.base_bytes)} first, ${mib(r.write_bytes_between)} written between each; emulator in-process; median (min–max) of ${r.runs} runs after ${r.warmups} warm-up)`,
  );
  lines.push(
    `   replicateSnapshots:        ${mib(r.differential.copied_bytes)} sent by Put Page From URL, ${r.differential.put_page_requests} Put Page From URL requests, ${cell(r.differential_spread, " ms")}`,
  );
  lines.push(
    `   copyPageRanges, full each: ${mib(r.full.copied_bytes)} sent by Put Page From URL, ${r.full.put_page_requests} Put Page From URL requests, ${cell(r.full_spread, " ms")}`,
  );
  lines.push(
    `   full/differential: ${r.bytes_full_over_differential.toFixed(2)}x the bytes, ${r.time_full_over_differential.toFixed(2)}x the time`,
  );
  lines.push("");
}
