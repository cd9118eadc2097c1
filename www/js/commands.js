// The same snapshot as PowerShell (Az.Compute) and Azure CLI commands, from the validated config
// that buildSnapshotConfig returned (so every value shown here has passed the package's rules).
import { topLevelResource } from "./ids.js";

/** PowerShell single-quoted string. */
export const psQuote = (v) => `'${String(v).replace(/'/g, "''")}'`;
/** POSIX shell single-quoted string, when needed. */
export const shQuote = (v) =>
  /^[A-Za-z0-9_./:=@%+,-]+$/.test(String(v)) ? String(v) : `'${String(v).replace(/'/g, "'\\''")}'`;

/**
 * New-AzSnapshotConfig ... -Incremental | New-AzSnapshot, for a config (from buildSnapshotConfig).
 * `source` is the disk (or snapshot for a cross-region copy).
 */
export function powershellCommand(config) {
  const b = config.body;
  const p = b.properties;
  const src = topLevelResource(p.creationData.sourceResourceId);
  const lines = [];
  if (src) lines.push(`Set-AzContext -Subscription ${psQuote(src.subscriptionId)}`);
  const isCopy = p.creationData.createOption === "CopyStart";
  const getter = isCopy ? "Get-AzSnapshot" : "Get-AzDisk";
  const nameParam = isCopy ? "-SnapshotName" : "-DiskName";
  if (src)
    lines.push(
      `$source = ${getter} -ResourceGroupName ${psQuote(src.resourceGroup)} ${nameParam} ${psQuote(src.name)}`,
    );
  const args = [
    `-SourceResourceId ${src ? "$source.Id" : psQuote(p.creationData.sourceResourceId)}`,
    `-Location ${psQuote(b.location)}`,
    `-CreateOption ${p.creationData.createOption}`,
  ];
  if (p.incremental) args.push("-Incremental");
  if (b.sku?.name) args.push(`-SkuName ${b.sku.name}`);
  if (p.networkAccessPolicy) args.push(`-NetworkAccessPolicy ${p.networkAccessPolicy}`);
  if (p.diskAccessId) args.push(`-DiskAccessId ${psQuote(p.diskAccessId)}`);
  if (p.publicNetworkAccess) args.push(`-PublicNetworkAccess ${p.publicNetworkAccess}`);
  if (p.dataAccessAuthMode) args.push(`-DataAccessAuthMode ${p.dataAccessAuthMode}`);
  if (p.encryption?.type) args.push(`-EncryptionType ${p.encryption.type}`);
  if (p.encryption?.diskEncryptionSetId) args.push(`-DiskEncryptionSetId ${psQuote(p.encryption.diskEncryptionSetId)}`);
  const tags = Object.entries(b.tags || {});
  if (tags.length) args.push(`-Tag @{ ${tags.map(([k, v]) => `${psQuote(k)} = ${psQuote(v)}`).join("; ")} }`);
  lines.push(`$config = New-AzSnapshotConfig \`\n    ${args.join(" `\n    ")}`);
  if (p.creationData.instantAccessDurationMinutes) {
    lines.push(`$config.CreationData.InstantAccessDurationMinutes = ${p.creationData.instantAccessDurationMinutes}`);
  }
  if (p.creationData.provisionedBandwidthCopySpeed) {
    lines.push(
      `$config.CreationData.ProvisionedBandwidthCopySpeed = ${psQuote(p.creationData.provisionedBandwidthCopySpeed)}`,
    );
  }
  lines.push(
    `New-AzSnapshot -ResourceGroupName ${psQuote(config.resourceGroup)} -SnapshotName ${psQuote(config.name)} -Snapshot $config`,
  );
  return `${lines.join("\n")}\n`;
}

/** az snapshot create --incremental true ... for a config. */
export function azCommand(config) {
  const b = config.body;
  const p = b.properties;
  const src = topLevelResource(config.id);
  const args = [];
  if (src) args.push(`--subscription ${shQuote(src.subscriptionId)}`);
  args.push(`--resource-group ${shQuote(config.resourceGroup)}`, `--name ${shQuote(config.name)}`);
  args.push(`--source ${shQuote(p.creationData.sourceResourceId)}`);
  args.push(`--incremental ${p.incremental ? "true" : "false"}`);
  if (b.location) args.push(`--location ${shQuote(b.location)}`);
  if (p.creationData.createOption === "CopyStart") args.push("--copy-start true");
  if (p.creationData.provisionedBandwidthCopySpeed)
    args.push(`--bandwidth-copy-speed ${p.creationData.provisionedBandwidthCopySpeed}`);
  if (p.creationData.instantAccessDurationMinutes)
    args.push(`--instant-access-duration-minutes ${p.creationData.instantAccessDurationMinutes}`);
  if (b.sku?.name) args.push(`--sku ${b.sku.name}`);
  if (p.networkAccessPolicy) args.push(`--network-access-policy ${p.networkAccessPolicy}`);
  if (p.diskAccessId) args.push(`--disk-access ${shQuote(p.diskAccessId)}`);
  if (p.publicNetworkAccess) args.push(`--public-network-access ${p.publicNetworkAccess}`);
  if (p.dataAccessAuthMode) args.push(`--data-access-auth-mode ${p.dataAccessAuthMode}`);
  if (p.encryption?.type) args.push(`--encryption-type ${p.encryption.type}`);
  if (p.encryption?.diskEncryptionSetId)
    args.push(`--disk-encryption-set ${shQuote(p.encryption.diskEncryptionSetId)}`);
  const tags = Object.entries(b.tags || {});
  if (tags.length) args.push(`--tags ${tags.map(([k, v]) => shQuote(`${k}=${v}`)).join(" ")}`);
  return `az snapshot create \\\n  ${args.join(" \\\n  ")}\n`;
}

/** The raw REST call: PUT url and body. */
export function restRequest(config, endpoint) {
  const base = (endpoint || "https://management.azure.com").replace(/\/+$/, "");
  return `PUT ${base}${config.id}?api-version=${config.apiVersion}\nContent-Type: application/json\nAuthorization: Bearer <token>\n\n${JSON.stringify(config.body, null, 2)}\n`;
}
