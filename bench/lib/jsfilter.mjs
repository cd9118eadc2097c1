// The documented chain filter written in plain JavaScript, the way a user of the Azure SDK or of
// raw fetch would write it (PowerShell: Get-AzSnapshot | Where-Object { $_.Incremental -and
// $_.CreationData.SourceResourceId -eq $disk.Id -and $_.CreationData.SourceUniqueId -eq
// $disk.UniqueId }), ids compared ignoring case, result sorted oldest first by timeCreated.

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Is `p` (a snapshot's properties) incremental and of the disk with lower-case `id` and `uid`? */
function ofDisk(p, id, uid) {
  if (p.incremental !== true) return false;
  const c = p.creationData;
  if (!c || typeof c.sourceResourceId !== "string" || typeof c.sourceUniqueId !== "string") return false;
  return c.sourceResourceId.toLowerCase() === id && c.sourceUniqueId.toLowerCase() === uid;
}

/** The matches of ARM JSON snapshots (with `properties`, as JSON.parse gives them), unsorted. */
export function matchArmJson(disk, snapshots) {
  const id = disk.id.toLowerCase();
  const uid = disk.properties.uniqueId.toLowerCase();
  return snapshots.filter((s) => s.properties && ofDisk(s.properties, id, uid));
}

/** Oldest first. ARM writes timeCreated in one fixed format (7 fractional digits, +00:00), so the
 * strings sort like the instants (Date.parse would drop the sub-millisecond digits). */
export function sortArmJson(chain) {
  return chain.sort((a, b) => cmp(a.properties.timeCreated, b.properties.timeCreated) || cmp(a.name, b.name));
}

/** The documented filter over ARM JSON: matches, oldest first. */
export function filterArmJson(disk, snapshots) {
  return sortArmJson(matchArmJson(disk, snapshots));
}

/** The matches among the SDK's models (@azure/arm-compute 25 flattens `properties` onto the
 * model and turns timeCreated into a Date), unsorted. */
export function matchSdkModels(disk, snapshots) {
  const id = disk.id.toLowerCase();
  const uid = disk.properties.uniqueId.toLowerCase();
  return snapshots.filter((s) => ofDisk(s.properties ?? s, id, uid)); // older SDKs nested, newer ones flatten
}

export function sortSdkModels(chain) {
  const t = (s) => {
    const v = (s.properties ?? s).timeCreated;
    return v instanceof Date ? v.getTime() : Date.parse(v);
  };
  return chain.sort((a, b) => t(a) - t(b) || cmp(a.name, b.name));
}

export function filterSdkModels(disk, snapshots) {
  return sortSdkModels(matchSdkModels(disk, snapshots));
}
