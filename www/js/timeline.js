// The timeline picture of a disk's snapshots: one lane per chain (the current chain, orphaned
// chains of earlier incarnations, full snapshots, copies in other regions), time left to right.
// Pure SVG built with DOM calls (no inline styles: colours come from classes in app.css).
// Snapshots that would fall on (nearly) the same spot, e.g. seconds apart, are fanned out side by
// side with their count above them, and every mark's title has its exact time to the second.
import { s, fmtShortDate } from "./dom.js";
import { fmtCreated } from "./cells.js";

const WIDTH = 900;
const LABELS = 150;
const RIGHT = 24;
const LANE = 46;
const TOP = 16;
const AXIS = 34;

const timeOf = (snap) => new Date(snap.properties?.timeCreated || 0).getTime();

/** Marks closer than this (user units) are one cluster, fanned out this far apart. */
const CLUSTER = 12;
const FAN = 11;

/**
 * Where each snapshot's mark goes: its time's x, except that runs of marks closer than CLUSTER
 * are spread FAN apart around their middle (kept inside [lo, hi]). Returns [{ snap, x, cluster }]
 * in time order, where `cluster` is { size, index, first, last } of the run the mark belongs to.
 */
export function placeMarks(snapshots, x, lo, hi) {
  const sorted = [...snapshots].sort((a, b) => timeOf(a) - timeOf(b));
  const runs = [];
  for (const snap of sorted) {
    const px = x(timeOf(snap));
    const run = runs[runs.length - 1];
    if (run && px - run.start < CLUSTER) run.items.push({ snap, px });
    else runs.push({ start: px, items: [{ snap, px }] });
  }
  const out = [];
  for (const run of runs) {
    const n = run.items.length;
    const mid = run.items.reduce((a, i) => a + i.px, 0) / n;
    const width = (n - 1) * FAN;
    const left = Math.min(Math.max(mid - width / 2, lo), Math.max(lo, hi - width));
    run.items.forEach((it, i) => {
      out.push({
        snap: it.snap,
        x: n > 1 ? left + i * FAN : it.px,
        cluster: { size: n, index: i, first: run.items[0].snap, last: run.items[n - 1].snap },
      });
    });
  }
  return out;
}

/**
 * lanes: [{ label, kind: "current"|"orphaned"|"full"|"copy", snapshots: Snapshot[] }]
 * options: { highlight: snapshot id (lower case), mark?(snapshot) → { classes: string[], note, strike } | null
 * (the retention view: extra classes on a dot, a line of its tooltip, a stroke through it),
 * width: of the picture in user units (900; about the width it is shown at keeps text legible),
 * labels: false leaves out the lane labels on the left (one lane named by the heading above) }
 */
export function timelineSvg(lanes, { highlight, mark, width = WIDTH, labels = true } = {}) {
  const W = width;
  // A narrow picture (a phone) gives its lane labels less room, so the marks keep most of it.
  const LEFT = labels ? (W < 600 ? 96 : LABELS) : 14;
  const maxChars = Math.max(8, Math.floor((LEFT - 12) / 7));
  const used = lanes.filter((l) => l.snapshots.length);
  const times = used.flatMap((l) => l.snapshots.map(timeOf)).filter((t) => t > 0);
  const height = TOP + Math.max(1, used.length) * LANE + AXIS;
  const svg = s("svg.timeline", {
    viewBox: `0 0 ${W} ${height}`,
    role: "img",
    "aria-label": used.length
      ? `Timeline of ${times.length} snapshots from ${fmtCreated(new Date(Math.min(...times)).toISOString())} to ${fmtCreated(new Date(Math.max(...times)).toISOString())}`
      : "Timeline: no snapshots",
    preserveAspectRatio: "xMinYMin meet",
  });
  if (!times.length) {
    svg.append(s("text.tl-empty", { x: W / 2, y: height / 2, "text-anchor": "middle" }, "No snapshots yet"));
    return svg;
  }
  const scale = compressedScale(times);
  const x = (t) => LEFT + scale.pos(t) * (W - LEFT - RIGHT);

  // Axis with day ticks (at most ~8 labels) inside the uncompressed stretches, and a break mark
  // with the skipped duration where a long quiet period was shortened.
  const axisY = TOP + used.length * LANE + 6;
  svg.append(s("line.tl-axis", { x1: LEFT, x2: W - RIGHT, y1: axisY, y2: axisY }));
  const day = 86400e3;
  const spanDays = scale.visibleSpan / day;
  const stepDays = spanDays <= 8 ? 1 : spanDays <= 20 ? 3 : spanDays <= 60 ? 7 : spanDays <= 200 ? 30 : 90;
  const first = new Date(scale.min);
  first.setHours(0, 0, 0, 0);
  const marks = [];
  for (let t = first.getTime(), i = 0; t <= scale.max && i < 2000; t += stepDays * day, i++) {
    if (t < scale.min || scale.inBreak(t)) continue;
    marks.push({ t, tick: true });
  }
  // The first snapshot after a shortened stretch gets its date on the axis.
  for (const b of scale.breaks) marks.push({ t: b.to, tick: false });
  marks.sort((a, b) => a.t - b.t);
  let lastLabelX = -Infinity;
  for (const m of marks) {
    const tx = x(m.t);
    if (m.tick) svg.append(s("line.tl-tick", { x1: tx, x2: tx, y1: TOP - 6, y2: axisY + 4 }));
    if (tx - lastLabelX > 56) {
      svg.append(s("text.tl-tick-label", { x: tx, y: axisY + 20, "text-anchor": "middle" }, fmtShortDate(m.t)));
      lastLabelX = tx;
    }
  }
  for (const b of scale.breaks) {
    const bx = x(b.mid);
    svg.append(s("rect.tl-break-bg", { x: bx - 6, y: axisY - 6, width: 12, height: 12 }));
    svg.append(s("line.tl-break", { x1: bx - 5, x2: bx - 1, y1: axisY + 5, y2: axisY - 5 }));
    svg.append(s("line.tl-break", { x1: bx + 1, x2: bx + 5, y1: axisY + 5, y2: axisY - 5 }));
    svg.append(
      s(
        "text.tl-break-label",
        { x: bx, y: axisY - 9, "text-anchor": "middle" },
        `+${fmtSpan(b.real)}`,
        s("title", `${fmtSpan(b.real)} without snapshots, shortened`),
      ),
    );
  }

  used.forEach((lane, i) => {
    const y = TOP + i * LANE + LANE / 2;
    const g = s(`g.tl-lane.tl-${lane.kind}`, { dataset: { kind: lane.kind } });
    if (labels)
      g.append(
        s(
          "text.tl-label",
          { x: 8, y: y + 4 },
          lane.label.length > maxChars ? `${lane.label.slice(0, maxChars - 1)}…` : lane.label,
          s("title", lane.label),
        ),
      );
    const placed = placeMarks(lane.snapshots, x, LEFT + 6, W - RIGHT - 6);
    if (placed.length > 1 && lane.kind !== "full")
      g.append(s("line.tl-chain", { x1: placed[0].x, x2: placed[placed.length - 1].x, y1: y, y2: y }));
    for (const { snap, x: cx, cluster } of placed) {
      if (cluster.size > 1 && cluster.index === 0) {
        // One bracket over a fanned-out run, with its count and exact span in the title.
        const x2 = cx + (cluster.size - 1) * FAN;
        const span = `${fmtCreated(cluster.first.properties?.timeCreated)} – ${fmtCreated(cluster.last.properties?.timeCreated)}`;
        g.append(
          s(
            "g.tl-cluster",
            { dataset: { count: String(cluster.size) } },
            s("line.tl-cluster-bar", { x1: cx - 4, x2: x2 + 4, y1: y - 11, y2: y - 11 }),
            s(
              "text.tl-count",
              { x: (cx + x2) / 2, y: y - 15, "text-anchor": "middle" },
              `${cluster.size}`,
              s("title", `${cluster.size} snapshots close together: ${span}`),
            ),
          ),
        );
      }
      const pct = snap.properties?.completionPercent;
      const pending = typeof pct === "number" && pct < 100;
      const failed = Boolean(snap.properties?.copyCompletionError) || snap.properties?.provisioningState === "Failed";
      const hl = highlight && snap.id?.toLowerCase() === highlight;
      const extra = mark?.(snap) || null;
      const cls = [
        "tl-dot",
        pending ? "pending" : "",
        failed ? "failed" : "",
        hl ? "highlight" : "",
        ...(extra?.classes || []),
      ]
        .filter(Boolean)
        .join(".");
      const title = s(
        "title",
        `${snap.name}\n${fmtCreated(snap.properties?.timeCreated)}${pending ? `\ncopying: ${pct.toFixed(0)} %` : ""}${failed ? "\nfailed" : ""}${extra?.note ? `\n${extra.note}` : ""}`,
      );
      const dot =
        lane.kind === "full"
          ? s(`rect.${cls}`, { x: cx - 6, y: y - 6, width: 12, height: 12, rx: 2 }, title)
          : s(`circle.${cls}`, { cx, cy: y, r: hl ? 8 : cluster.size > 1 ? 5 : 6 }, title);
      dot.dataset.name = snap.name;
      g.append(dot);
      if (extra?.strike) g.append(s("line.tl-strike", { x1: cx - 8, x2: cx + 8, y1: y + 8, y2: y - 8 }));
      if (pending) g.append(s("text.tl-pct", { x: cx, y: y - 11, "text-anchor": "middle" }, `${pct.toFixed(0)}%`));
    }
    svg.append(g);
  });
  return svg;
}

/** "19 months", "12 days". */
function fmtSpan(ms) {
  const days = ms / 86400e3;
  if (days >= 60) return `${Math.round(days / 30.4)} months`;
  if (days >= 2) return `${Math.round(days)} days`;
  return `${Math.round(ms / 3600e3)} h`;
}

/**
 * A time scale onto 0..1 where quiet stretches much longer than the usual spacing of snapshots
 * are shortened (and reported as breaks), so a chain from last year and one made today both stay
 * readable.
 */
export function compressedScale(times) {
  const ts = [...new Set(times)].sort((a, b) => a - b);
  const gaps = ts
    .slice(1)
    .map((t, i) => t - ts[i])
    .filter((g) => g > 0);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 86400e3;
  const cap = Math.max(median * 3, 86400e3);
  const segs = []; // { from, to, len, broken }
  for (let i = 0; i + 1 < ts.length; i++) {
    const g = ts[i + 1] - ts[i];
    const broken = g > cap * 2;
    segs.push({ from: ts[i], to: ts[i + 1], len: broken ? cap : g, broken });
  }
  let visible = segs.reduce((n, sg) => n + sg.len, 0);
  if (visible < 3600e3) visible = 3600e3;
  const pad = visible * 0.04;
  const min = ts[0] - pad;
  const max = ts[ts.length - 1] + pad;
  const total = visible + 2 * pad;
  const pos = (t) => {
    if (t <= ts[0]) return (t - min) / total;
    let acc = pad;
    for (const sg of segs) {
      if (t <= sg.to) return (acc + ((t - sg.from) / (sg.to - sg.from || 1)) * sg.len) / total;
      acc += sg.len;
    }
    return (acc + (t - ts[ts.length - 1])) / total;
  };
  const breaks = segs
    .filter((sg) => sg.broken)
    .map((sg) => ({ mid: sg.from + (sg.to - sg.from) / 2, real: sg.to - sg.from, from: sg.from, to: sg.to }));
  return {
    pos,
    min,
    max,
    breaks,
    visibleSpan: total,
    inBreak: (t) => breaks.some((b) => t > b.from && t < b.to),
  };
}
