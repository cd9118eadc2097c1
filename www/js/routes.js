// The page's hash routes (subscription → resource group → disk → tab; the Retention and Snapshots views of a scope): the links to each view and
// the parser of location.hash. Pure: no state, no DOM.

const enc = encodeURIComponent;

/** Links to the views, as hashes. */
export const href = {
  connect: () => "#/connect",
  subs: () => "#/subscriptions",
  sub: (sub) => `#/s/${enc(sub)}`,
  rg: (sub, rg) => `#/s/${enc(sub)}/rg/${enc(rg)}`,
  disk: (sub, rg, disk, tab) =>
    `#/s/${enc(sub)}/rg/${enc(rg)}/disk/${enc(disk)}${tab && tab !== "snapshots" ? `/${tab}` : ""}`,
  /** The Retention view of a resource group, or of the subscription without one. */
  retention: (sub, rg) => (rg ? `#/s/${enc(sub)}/rg/${enc(rg)}/retention` : `#/s/${enc(sub)}/retention`),
  /** The Snapshots console of a resource group, or of the subscription without one. */
  snapshots: (sub, rg) => (rg ? `#/s/${enc(sub)}/rg/${enc(rg)}/snapshots` : `#/s/${enc(sub)}/snapshots`),
};

/** A hash → { name, sub?, rg?, disk?, tab? }; name is home, connect, subs, sub, rg, disk, retention, snapshots or notfound. */
export function parseRoute(hash) {
  let parts;
  try {
    parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: "notfound" };
  }
  if (!parts.length) return { name: "home" };
  if (parts[0] === "connect") return { name: "connect" };
  if (parts[0] === "subscriptions") return { name: "subs" };
  if (parts[0] === "s" && parts[1]) {
    const sub = parts[1];
    if (parts[2] === "rg" && parts[3]) {
      if (parts[4] === "disk" && parts[5])
        return { name: "disk", sub, rg: parts[3], disk: parts[5], tab: parts[6] || "snapshots" };
      if (parts[4] === "retention") return { name: "retention", sub, rg: parts[3] };
      if (parts[4] === "snapshots") return { name: "snapshots", sub, rg: parts[3] };
      return { name: "rg", sub, rg: parts[3] };
    }
    if (parts[2] === "retention") return { name: "retention", sub };
    if (parts[2] === "snapshots") return { name: "snapshots", sub };
    return { name: "sub", sub };
  }
  return { name: "notfound" };
}

/** The view one level up from a hash (disk → its resource group → its subscription → the list). */
export function upOne(hash) {
  const r = parseRoute(hash);
  if (r.name === "disk" || ((r.name === "retention" || r.name === "snapshots") && r.rg)) return href.rg(r.sub, r.rg);
  if (r.name === "retention" || r.name === "snapshots") return href.sub(r.sub);
  if (r.name === "rg") return href.sub(r.sub);
  return href.subs();
}
