// The page's modules (www/js/*.js) import each other without a circle, and none imports the entry
// module (the one www/index.html loads; it boots the app on import). Static imports only: the
// page's dynamic import()s load the package and MSAL, never one of its own modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const www = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "www");
const jsDir = join(www, "js");

/** "js/main.js" from <script type="module" src="js/main.js"> in index.html, as "main.js". */
function entryModule() {
  const html = readFileSync(join(www, "index.html"), "utf8");
  const m =
    /<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/.exec(html) ??
    /<script\b[^>]*\bsrc="([^"]+)"[^>]*\btype="module"/.exec(html);
  assert.ok(m, "www/index.html loads one module script");
  const src = posix.normalize(m[1].replace(/^\.\//, ""));
  assert.match(src, /^js\/[^/]+\.js$/, "the entry module is under www/js/");
  return src.slice("js/".length);
}

/** module → the page modules it imports statically (import … from "./x.js", import "./x.js", export … from). */
function importGraph() {
  const graph = new Map();
  const modules = readdirSync(jsDir)
    .filter((f) => f.endsWith(".js"))
    .sort();
  for (const file of modules) {
    const text = readFileSync(join(jsDir, file), "utf8");
    const deps = new Set();
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?:[^"';]*?\sfrom\s+)?["'](\.\/[^"']+)["']/gm)) {
      deps.add(posix.normalize(m[1]));
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** The first import circle found, as [a, b, …, a], or null. */
function findCycle(graph) {
  const state = new Map(); // undefined: unseen, 1: on the stack, 2: done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 1) return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

test("every static import of a page module names a module that exists", () => {
  const graph = importGraph();
  const missing = [...graph].flatMap(([from, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${from} → ${d}`));
  assert.deepEqual(missing, [], `imports of missing modules:\n  ${missing.join("\n  ")}`);
});

test("the page's modules import each other without a circle", () => {
  const cycle = findCycle(importGraph());
  assert.equal(cycle, null, cycle ? `import circle: ${cycle.join(" → ")}` : "");
});

test("no module imports the entry module", () => {
  const entry = entryModule();
  const graph = importGraph();
  assert.ok(graph.has(entry), `the entry ${entry} is in www/js/`);
  const importers = [...graph].filter(([, deps]) => deps.includes(entry)).map(([from]) => from);
  assert.deepEqual(
    importers,
    [],
    `${importers.join(", ")} import${importers.length === 1 ? "s" : ""} the entry module ${entry} (it boots the app on import)`,
  );
});

test("the circle finder finds a circle and names it", () => {
  const graph = new Map([
    ["a.js", ["b.js"]],
    ["b.js", ["c.js"]],
    ["c.js", ["a.js"]],
    ["d.js", []],
  ]);
  assert.deepEqual(findCycle(graph), ["a.js", "b.js", "c.js", "a.js"]);
  assert.equal(
    findCycle(
      new Map([
        ["a.js", ["b.js"]],
        ["b.js", []],
      ]),
    ),
    null,
  );
});
