// Where the bytes of a .wasm go: sections, and code size per function grouped by crate (from the
// "name" custom section, when the module has one). Also the module with its custom sections
// (names, producers, target features) removed, i.e. what `wasm-opt --strip-debug
// --strip-producers` or `wasm-bindgen --remove-name-section` would ship.

function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}

function str(buf, pos) {
  const [len, p] = leb(buf, pos);
  return [buf.subarray(p, p + len).toString("utf8"), p + len];
}

export function sections(buf) {
  const out = [];
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, p] = leb(buf, pos + 1);
    const start = pos;
    const end = p + size;
    let name =
      [
        "custom",
        "type",
        "import",
        "function",
        "table",
        "memory",
        "global",
        "export",
        "start",
        "element",
        "code",
        "data",
        "datacount",
        "tag",
      ][id] ?? `id${id}`;
    if (id === 0) name = `custom:${str(buf, p)[0]}`;
    out.push({ id, name, start, contentStart: p, end, bytes: end - start });
    pos = end;
  }
  return out;
}

/** The module without custom sections. */
export function stripCustom(buf) {
  const parts = [buf.subarray(0, 8)];
  for (const s of sections(buf)) if (s.id !== 0) parts.push(buf.subarray(s.start, s.end));
  return Buffer.concat(parts);
}

function importedFunctions(buf, sec) {
  let [count, pos] = leb(buf, sec.contentStart);
  let funcs = 0;
  for (let i = 0; i < count; i++) {
    [, pos] = str(buf, pos);
    [, pos] = str(buf, pos);
    const kind = buf[pos++];
    if (kind === 0) {
      [, pos] = leb(buf, pos);
      funcs++;
    } else if (kind === 1) {
      pos++; // reftype
      const flags = buf[pos++];
      [, pos] = leb(buf, pos);
      if (flags & 1) [, pos] = leb(buf, pos);
    } else if (kind === 2) {
      const flags = buf[pos++];
      [, pos] = leb(buf, pos);
      if (flags & 1) [, pos] = leb(buf, pos);
    } else if (kind === 3) {
      pos += 2; // valtype, mut
    } else if (kind === 4) {
      pos++;
      [, pos] = leb(buf, pos);
    }
  }
  return funcs;
}

function functionNames(buf, sec) {
  const names = new Map();
  let pos = sec.contentStart;
  [, pos] = str(buf, pos); // "name"
  while (pos < sec.end) {
    const sub = buf[pos++];
    const [size, p] = leb(buf, pos);
    if (sub === 1) {
      let [count, q] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let idx;
        let name;
        [idx, q] = leb(buf, q);
        [name, q] = str(buf, q);
        names.set(idx, name);
      }
    }
    pos = p + size;
  }
  return names;
}

/** Legacy Rust mangling (_ZN…E) to a readable path: "serde_json::de::Deserializer<R>::…". */
function demangleLegacy(name) {
  let pos = 3;
  const parts = [];
  while (pos < name.length && name[pos] !== "E") {
    const m = /^\d+/.exec(name.slice(pos));
    if (!m) break;
    pos += m[0].length;
    parts.push(name.substr(pos, Number(m[0])));
    pos += Number(m[0]);
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .join("::")
    .replace(/^_\$/, "$")
    .replace(/\$LT\$/g, "<")
    .replace(/\$GT\$/g, ">")
    .replace(/\$RF\$/g, "&")
    .replace(/\$u20\$/g, " ")
    .replace(/\$u7b\$/g, "{")
    .replace(/\$u7d\$/g, "}")
    .replace(/\$C\$/g, ",")
    .replace(/\$BP\$/g, "*")
    .replace(/\.\./g, "::");
}

/** A readable name: legacy symbols demangled, v0 symbols reduced to their identifiers. */
export function readable(name) {
  if (name.startsWith("_ZN")) return demangleLegacy(name);
  if (name.startsWith("_R")) {
    const ids = [...name.matchAll(/(?:^|[A-Za-z_])(\d+)([A-Za-z_][A-Za-z0-9_]*)/g)]
      .map((m) => m[2].slice(0, Number(m[1])))
      .filter((x) => !/^[A-Z]$/.test(x));
    return ids.join("::");
  }
  return name;
}

/** Rough crate of a Rust symbol: the first path segment, after `<`, `&mut `, `dyn ` and the like. */
export function crateOf(name) {
  if (name.startsWith("__wbg") || name.startsWith("__wbindgen") || name.startsWith("__externref"))
    return "wasm_bindgen (glue)";
  if (name.startsWith("_R")) {
    const m = /C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
    if (m) return m[2].slice(0, Number(m[1]));
  }
  const n = readable(name);
  if (/ (externref|multivalue) shim/.test(n)) return "(wasm-bindgen export shims)";
  const m = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(n);
  if (m) return m[1];
  return /^[a-z_][a-z0-9_]*$/.test(n) ? "(C / std exports)" : "(other)";
}

/** { sections, functions: count, code: total, byCrate: [{crate, bytes}], top: [{name, bytes}] } */
/** Printable ASCII runs of at least `min` bytes in the data section (messages, tables). */
export function dataStrings(buf, min = 16) {
  const data = sections(buf).find((s) => s.name === "data");
  if (!data) return { bytes: 0, runs: 0, longest: [] };
  const runs = [];
  let start = -1;
  for (let i = data.contentStart; i <= data.end; i++) {
    const c = i < data.end ? buf[i] : 0;
    const printable = c >= 0x20 && c < 0x7f;
    if (printable && start < 0) start = i;
    if (!printable && start >= 0) {
      if (i - start >= min) runs.push(buf.subarray(start, i).toString("latin1"));
      start = -1;
    }
  }
  return {
    bytes: runs.reduce((k, r) => k + r.length, 0),
    runs: runs.length,
    longest: [...runs]
      .sort((a, b) => b.length - a.length)
      .slice(0, 10)
      .map((r) => r.slice(0, 120)),
  };
}

export function anatomy(buf) {
  const secs = sections(buf);
  const imp = secs.find((s) => s.name === "import");
  const code = secs.find((s) => s.name === "code");
  const nameSec = secs.find((s) => s.name === "custom:name");
  const base = imp ? importedFunctions(buf, imp) : 0;
  const names = nameSec ? functionNames(buf, nameSec) : new Map();
  const funcs = [];
  if (code) {
    let [count, pos] = leb(buf, code.contentStart);
    for (let i = 0; i < count; i++) {
      const [size, p] = leb(buf, pos);
      funcs.push({ name: names.get(base + i) ?? `func[${base + i}]`, bytes: p + size - pos });
      pos = p + size;
    }
  }
  const byCrate = new Map();
  for (const f of funcs) {
    const c = crateOf(f.name);
    byCrate.set(c, (byCrate.get(c) ?? 0) + f.bytes);
  }
  return {
    sections: secs.map((s) => ({ name: s.name, bytes: s.bytes })),
    functions: funcs.length,
    codeBytes: code ? code.bytes : 0,
    byCrate: [...byCrate].map(([crate, bytes]) => ({ crate, bytes })).sort((a, b) => b.bytes - a.bytes),
    top: [...funcs]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 40)
      .map((f) => ({ ...f, name: readable(f.name) })),
  };
}
