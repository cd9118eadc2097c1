#!/usr/bin/env node
// Command line for the ARM emulator:
//   node emulator/cli.mjs --port 8090 --seed demo --page-size 100 --latency 0 --retry-after 1
// Prints the URL, then serves until SIGINT/SIGTERM.
import { startEmulator } from "./index.mjs";

const HELP = `Usage: node emulator/cli.mjs [options]
  --port <n>            port (default 8090; 0 picks a free one)
  --host <addr>         address to listen on (default 127.0.0.1)
  --seed <name>         empty | demo | bulk (default demo)
  --snapshots <n>       bulk seed: number of snapshots (default 10000)
  --disks <n>           bulk seed: number of disks (default 5)
  --chain-share <x>     bulk seed: share of snapshots in the disks' chains (default 0.1)
  --subscription <id>   subscription id of the seed
  --page-size <n>       items per list page (default 1000)
  --latency <ms>        delay before every response (default 0)
  --retry-after <s>     Retry-After seconds on 202s ("none" to omit; default 1)
  --lro-polls <n>       InProgress polls before an operation ends (default 1)
  --copy-polls <n>      GETs for a background copy to reach 100% (default 3)
  --no-rate-limit       don't enforce 7 incremental snapshots per disk per 5 minutes
  --fault <json>        add a fault, e.g. '{"route":"GET snapshots","kind":"throttle","count":2}'
  --control-origin <o>  also accept control requests (with the secret) from this origin, e.g.
                        http://127.0.0.1:8000 or http://127.0.0.1:* (any port); repeatable
  --quiet               don't print each request
  --help
A page on the emulator's origin: node scripts/serve.mjs (www/ and pkg/; --static <dir> for others).`;

// Options with a value: where it goes (o: the startEmulator options, bulk: the bulk seed's) and
// whether it is a number.
const VALUE_OPTIONS = {
  "--port": ["o", "port", true],
  "--host": ["o", "host", false],
  "--seed": ["o", "seed", false],
  "--snapshots": ["bulk", "snapshots", true],
  "--disks": ["bulk", "disks", true],
  "--chain-share": ["bulk", "chainShare", true],
  "--subscription": ["bulk", "subscriptionId", false],
  "--page-size": ["o", "pageSize", true],
  "--latency": ["o", "latencyMs", true],
  "--lro-polls": ["o", "lroPolls", true],
  "--copy-polls": ["o", "copyPolls", true],
};

function parseArgs(argv) {
  const o = { port: 8090, seed: "demo", faults: [], allowedControlOrigins: [] };
  const bulk = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${a}: '${v}' is not a number`);
      return n;
    };
    if (Object.hasOwn(VALUE_OPTIONS, a)) {
      const [where, key, numeric] = VALUE_OPTIONS[a];
      const v = next();
      (where === "o" ? o : bulk)[key] = numeric ? int(v) : v;
      continue;
    }
    switch (a) {
      case "--retry-after": {
        const v = next();
        o.retryAfterSeconds = v === "none" ? null : int(v);
        break;
      }
      case "--no-rate-limit":
        o.enforceRateLimit = false;
        break;
      case "--fault":
        o.faults.push(JSON.parse(next()));
        break;
      case "--control-origin":
        o.allowedControlOrigins.push(next());
        break;
      case "--quiet":
        o.quiet = true;
        break;
      case "--help":
      case "-h":
        o.help = true;
        break;
      default:
        throw new Error(`unknown option '${a}'`);
    }
  }
  if (Object.keys(bulk).length || o.seed === "bulk") o.seed = { kind: o.seed, ...bulk };
  return o;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`error: ${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const quiet = opts.quiet;
delete opts.quiet;
let emu;
try {
  emu = await startEmulator(opts);
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
// stdout: the URL, then the control API's secret (send it as x-emulator-secret)
console.log(emu.url);
console.log(`control secret: ${emu.controlSecret}`);
console.error(
  `ARM emulator listening on ${emu.url} (seed ${JSON.stringify(opts.seed)}; subscription ${emu.seedInfo.subscriptionId}; ${emu.seedInfo.disks.length} disks, ${emu.seedInfo.snapshots} snapshots)`,
);
if (!quiet) {
  let seen = 0;
  setInterval(() => {
    // the log is capped, so print whatever is new since the last tick
    const reqs = emu.requests;
    if (seen > reqs.length) seen = 0;
    for (; seen < reqs.length; seen++) {
      const r = reqs[seen];
      if (r.status === 0 && !r.fault) break; // still in flight
      console.error(
        `${new Date(r.at).toISOString()} ${r.method} ${r.url} → ${r.status}${r.fault ? ` [fault ${r.fault}]` : ""}`,
      );
    }
  }, 250).unref();
}
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emu.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
