// One disk's snapshot chains in one pass over a listing: groupSnapshotChains with the disk passed
// in gives every chain, and the disk's own chain (exactly what filterIncrementalSnapshots returns,
// oldest first) is read off it. Shared by the page (disk.js) and the worker (worker/src/index.js);
// it imports nothing and touches no DOM. tests/node/disk-chain.test.mjs checks it against
// filterIncrementalSnapshots.
//
// Why it is the same: the report's incremental chains are keyed by source id, source uniqueId and
// incrementalSnapshotFamilyId, each sorted oldest first in the filter's order, and with the disk
// passed in exactly those of its id and uniqueId are `current`. So one current chain is the
// filter's answer, and none means an empty chain. Two cases need the filter itself: the disk's
// snapshots split over several family ids (several current chains, which the report does not
// merge), and a CopyStart snapshot naming the disk's uniqueId (the report files it under the
// cross-region copies). Neither occurs in ARM's own listings; the filter answers them exactly.

/** The lower-cased text of an id-like value, "" when missing. */
const lower = (v) => (typeof v === "string" ? v.toLowerCase() : "");

/** { chain, report }: `report` = groupSnapshotChains(listing, { disks: [disk] }), `chain` the disk's. */
export function diskChains(lib, disk, listing) {
  const report = lib.groupSnapshotChains(listing, { disks: [disk] });
  const current = report.chains.filter((c) => c.current);
  const unique = lower(disk?.properties?.uniqueId);
  const copied = report.chains.some(
    (c) =>
      c.kind === "crossRegionCopy" &&
      c.snapshots.some((s) => lower(s.properties?.creationData?.sourceUniqueId) === unique),
  );
  if (current.length > 1 || copied) return { chain: lib.filterIncrementalSnapshots(disk, listing), report };
  return { chain: current[0]?.snapshots ?? [], report };
}
