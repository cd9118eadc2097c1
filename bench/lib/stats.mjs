// Small statistics helpers for the benchmarks: median, quartiles, min/max of a list of runs.

/** Quantile by linear interpolation between closest ranks (q in [0, 1]). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summary of a list of measurements: median, min, max, q1, q3 and the runs themselves. */
export function summarize(runs, digits = 2) {
  const sorted = [...runs].sort((a, b) => a - b);
  const r = (x) => Number(x.toFixed(digits));
  return {
    median: r(quantile(sorted, 0.5)),
    min: r(sorted[0]),
    max: r(sorted[sorted.length - 1]),
    q1: r(quantile(sorted, 0.25)),
    q3: r(quantile(sorted, 0.75)),
    runs: runs.map(r),
  };
}

/** "12.3 (11.9–13.0)" for a table cell. */
export function cell(s, unit = "") {
  if (s === null || s === undefined) return "n/a";
  const f = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}

export function ratio(a, b) {
  return Number((a / b).toFixed(3));
}
