// The ARM emulator in a process of its own (so its JSON serialization runs on the other core, as
// ARM's would run on Azure's machines). argv[2]: startEmulator options as JSON. Prints one line
// { url, seedInfo } and serves until stdin closes or SIGTERM.
import { startEmulator } from "../../emulator/index.mjs";

const emu = await startEmulator(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(`${JSON.stringify({ url: emu.url, seedInfo: emu.seedInfo })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emu.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
// A bound: never outlive a stuck parent by more than 15 minutes.
setTimeout(stop, 15 * 60_000).unref();
