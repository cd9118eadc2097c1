// 3. Create an incremental snapshot and wait: ours against the SDK's beginCreateOrUpdateAndWait,
// at Retry-After 1 s and 0 s, requests counted from the emulator's log.
import { summarize, cell } from "../lib/stats.mjs";
import { sdkClient } from "../lib/sdk.mjs";
import {
  API,
  QUICK,
  TOKEN,
  assert,
  getJson,
  log,
  pkg,
  rounds,
  startEmulator,
  withTimeout,
  target,
} from "../lib/harness.mjs";

async function createWait(retryAfterSeconds) {
  const emu = await startEmulator({
    seed: { kind: "bulk", snapshots: 40, disks: 2, chainShare: 0.5 },
    retryAfterSeconds,
    lroPolls: 1,
    enforceRateLimit: false,
    logRequests: true,
  });
  try {
    const origin = new URL(emu.url).origin;
    const info = emu.seedInfo;
    const disk = await getJson(`${origin}${info.disks[1]}?api-version=${API}`);
    const client = new pkg.ArmClient({ token: TOKEN, endpoint: origin });
    const sdk = sdkClient({ url: origin, token: TOKEN, subscriptionId: info.subscriptionId });
    let seq = 0;
    const requests = { ours: [], sdk: [] };
    const counted = (who, fn) => async () => {
      emu.resetRequests();
      const t0 = Date.now();
      const out = await fn(`bench-${who}-r${retryAfterSeconds}-${++seq}`);
      requests[who].push(
        emu.requests.map(
          (r) =>
            `${r.method} ${r.status} ${new URL(r.url, origin).pathname
              .split("/")
              .slice(-2)
              .join("/")
              .replace(/DiskOperations\/.*/, "DiskOperations/…")} @${r.at - t0}ms`,
        ),
      );
      return out;
    };
    const t = await rounds(
      {
        ours: counted("ours", (name) =>
          withTimeout(
            client.createIncrementalSnapshot(disk, { name, signal: AbortSignal.timeout(60_000) }),
            60_000,
            "ours create",
          ),
        ),
        sdk: counted("sdk", (name) => {
          // The same body ours sends (the package's config builder), in the SDK's flattened model.
          const config = pkg.buildSnapshotConfig(disk, { name });
          const { properties, ...top } = config.body;
          return withTimeout(
            sdk.snapshots.beginCreateOrUpdateAndWait(
              config.resourceGroup,
              config.name,
              { ...top, ...properties },
              { abortSignal: AbortSignal.timeout(60_000) },
            ),
            60_000,
            "sdk create",
          );
        }),
      },
      {
        warmups: 1,
        runs: QUICK ? 2 : 5,
        check: (out) => {
          assert(
            out.ours?.properties?.provisioningState === "Succeeded",
            `ours create did not succeed: ${JSON.stringify(out.ours?.properties?.provisioningState)}`,
          );
          assert(
            out.sdk?.provisioningState === "Succeeded" || out.sdk?.properties?.provisioningState === "Succeeded",
            "sdk create did not succeed",
          );
          assert(
            out.ours.properties.incremental === true &&
              (out.sdk.incremental ?? out.sdk.properties?.incremental) === true,
            "both made incremental snapshots",
          );
        },
      },
    );
    const counts = (who) => requests[who].map((r) => r.length);
    const oc = summarize(counts("ours"), 0);
    const sc = summarize(counts("sdk"), 0);
    const o = summarize(t.ours, 1);
    const s = summarize(t.sdk, 1);
    client.free?.();
    return {
      retryAfterSeconds,
      lroPolls: 1,
      ours_requests: oc.median,
      sdk_requests: sc.median,
      ours_ms: o.median,
      sdk_ms: s.median,
      ours_requests_spread: oc,
      sdk_requests_spread: sc,
      ours_spread: o,
      sdk_spread: s,
      ours_sequence: requests.ours.at(-1),
      sdk_sequence: requests.sdk.at(-1),
    };
  } finally {
    await emu.close();
  }
}

export async function run(results) {
  log("create and wait (Retry-After 1 s, then 0 s) …");
  const r1 = await createWait(1);
  const r0 = await createWait(0);
  results.createWait = { ...r1, retryAfter0: r0 };
}

export function targets({ createWait: r }) {
  return [
    target(
      "3. create+wait: ≤ 4 requests (no more than today)",
      `${r.ours_requests} (SDK ${r.sdk_requests})`,
      r.ours_requests <= 4,
    ),
  ];
}

export function print(results, lines) {
  lines.push("3. Create an incremental snapshot and wait");
  for (const r of [results.createWait, results.createWait.retryAfter0]) {
    lines.push(
      `   Retry-After ${r.retryAfterSeconds} s: ours ${r.ours_requests} requests, ${cell(r.ours_spread, " ms")}; SDK ${r.sdk_requests} requests, ${cell(r.sdk_spread, " ms")}`,
    );
  }
  lines.push(`   ours: ${results.createWait.ours_sequence.join(" → ")}`);
  lines.push(`   SDK:  ${results.createWait.sdk_sequence.join(" → ")}`);
  lines.push("");
}
