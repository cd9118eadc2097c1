// Starts bench/lib/emulator-child.mjs (the ARM emulator in a process of its own) and waits for
// its { url, seedInfo } line. Bounded: 60 s to start, 5 s to stop before SIGKILL.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const libDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(libDir, "..", "..");

/** The bulk seed every benchmark uses: `n` snapshots over 5 disks, ARM-sized pages. */
export function bulkOptions(n) {
  return { seed: { kind: "bulk", snapshots: n, disks: 5, chainShare: 0.1 }, pageSize: 1000, logRequests: false };
}

/** Resolves to { url, seedInfo, close() }. */
export async function spawnEmulator(options) {
  const child = spawn(process.execPath, [join(libDir, "emulator-child.mjs"), JSON.stringify(options)], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let timer;
  try {
    const line = await new Promise((resolveLine, reject) => {
      timer = setTimeout(() => reject(new Error("emulator child did not start in 60 s")), 60_000);
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        const i = buf.indexOf("\n");
        if (i >= 0) resolveLine(buf.slice(0, i));
      });
      child.once("exit", (code) => reject(new Error(`emulator child exited (${code})`)));
    });
    const { url, seedInfo } = JSON.parse(line);
    const close = () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(kill);
          done();
        });
        child.stdin.end();
      });
    return { url, seedInfo, close };
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
