// A copy of the package's wasm with its function names kept, for profiles and size breakdowns:
// the crate's cargo output through wasm-bindgen and wasm-opt -Oz -g (the build's own steps, plus
// -g so binaryen keeps the "name" section). Takes ~30 s. Returns { dir, wasm, glue, cleanup }.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const NAME = "azure_incremental_snapshots";

export function namedBuild(root) {
  const crateWasm = join(root, "target/wasm32-unknown-unknown/release", `${NAME}.wasm`);
  if (!existsSync(crateWasm)) throw new Error(`${crateWasm} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "bench-named-"));
  const env = { ...process.env, PATH: `${join(homedir(), ".cargo", "bin")}:${process.env.PATH}` };
  const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
  execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", dir, "--out-name", NAME, crateWasm], {
    env,
    stdio: "inherit",
  });
  const features = execFileSync(wasmOpt, [crateWasm, "--print-features", "-o", "/dev/null"], { encoding: "utf8" })
    .split(/\s+/)
    .filter((f) => f.startsWith("--enable-"));
  const wasm = join(dir, `${NAME}_bg.wasm`);
  execFileSync(wasmOpt, ["-Oz", "-g", ...features, wasm, "-o", wasm], { stdio: "inherit" });
  return { dir, wasm, glue: join(dir, `${NAME}.js`), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
