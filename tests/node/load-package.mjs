// Loads the built package from pkg/ the way Node resolves it for `import`, without installing it.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const pkgDir = join(root, "pkg");

/** Picks the target of an `exports` entry for the given conditions, in Node's order. */
export function resolveExport(entry, conditions) {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) return entry.map((e) => resolveExport(e, conditions)).find(Boolean);
  if (entry && typeof entry === "object") {
    for (const [key, value] of Object.entries(entry)) {
      if (key === "default" || conditions.includes(key)) {
        const hit = resolveExport(value, conditions);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

export async function loadPackage(conditions = ["node", "import"]) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const target = resolveExport(manifest.exports?.["."] ?? manifest.exports, conditions);
  if (!target) throw new Error(`pkg/package.json has no export for ${conditions.join(", ")}; run npm run build`);
  return import(pathToFileURL(join(pkgDir, target)).href);
}
