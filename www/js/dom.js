// Small DOM helpers: element building without innerHTML (text is always text), formatting.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("tag.class1.class2#id", { attr: value, on: { click() {} }, dataset: {} }, ...children)
 * Children: nodes, strings, numbers, arrays, null/undefined/false (skipped).
 */
export function h(spec, attrs, ...children) {
  return build(document.createElement.bind(document), spec, attrs, children);
}

/** The same for SVG elements. */
export function s(spec, attrs, ...children) {
  return build((t) => document.createElementNS(SVG_NS, t), spec, attrs, children, true);
}

function build(create, spec, attrs, children, svg = false) {
  const m = /^([a-zA-Z0-9-]+)?((?:[.#][\w-]+)*)$/.exec(spec);
  if (!m) throw new Error(`bad element spec ${spec}`);
  const el = create(m[1] || "div");
  for (const part of m[2].match(/[.#][\w-]+/g) || []) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  let value;
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "class") for (const c of String(v).split(/\s+/).filter(Boolean)) el.classList.add(c);
    else if (!svg && k === "value") value = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  if (value !== undefined) el.value = value;
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Replace the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** "1 snapshot", "3 snapshots". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** A date as the user reads it, or "—". */
export function fmtDate(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function fmtShortDate(ms) {
  return new Date(ms).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

/** 3 days ago / in 5 minutes. */
export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return "";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const diff = (t - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  if (abs < 86400 * 60) return rtf.format(Math.round(diff / 86400), "day");
  return rtf.format(Math.round(diff / (86400 * 30)), "month");
}

export function fmtGiB(gb) {
  if (gb === undefined || gb === null) return "—";
  return gb >= 1024 && gb % 1024 === 0 ? `${gb / 1024} TiB` : `${gb} GiB`;
}

/** Bytes in binary units: "0 B", "512 B", "4.0 MiB", "1 GiB" (whole units without decimals). */
export function fmtBytes(n) {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${n} B`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** The last segment of an ARM id (a VM's name from managedBy). */
export function lastSegment(id) {
  if (!id) return "";
  const parts = String(id).split("/").filter(Boolean);
  return parts[parts.length - 1] || "";
}

/** Case-insensitive id comparison, as ARM ids are. */
export function sameId(a, b) {
  const norm = (x) => `/${String(x || "").replace(/^\/+/, "")}`.toLowerCase();
  return Boolean(a) && Boolean(b) && norm(a) === norm(b);
}

/** Debounce for search boxes and live validation. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** Pretty JSON. */
export const json = (v) => JSON.stringify(v, null, 2);

/** A unique id for label/for pairs. */
let uid = 0;
export const nextId = (prefix = "f") => `${prefix}-${++uid}`;
