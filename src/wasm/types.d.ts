// Types of the azure-incremental-snapshots package. ARM objects use ARM's own field names.

/** A JSON value as ARM sends it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Stable error codes (see README "Error codes"). */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_RESOURCE_ID"
  | "INVALID_JSON"
  | "NOT_FOUND"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "CONFLICT"
  | "THROTTLED"
  | "OPERATION_FAILED"
  | "ARM_ERROR"
  | "NETWORK"
  | "ABORTED"
  | "UNTRUSTED_URL"
  | "INVALID_RESPONSE"
  | "TIMEOUT";

/**
 * Every stable error code, in the order of the README's table: a new frozen array on each call
 * (the one source is the crate's `ErrorCode::ALL`; a native test checks the union above matches it).
 */
export function errorCodes(): readonly ErrorCode[];

/** One broken rule found by validation. */
export interface Violation {
  field: string;
  rule: string;
  message: string;
}

/** What every function of this package throws (or rejects with). */
export interface AzureSnapshotsError extends Error {
  name: "AzureSnapshotsError";
  code: ErrorCode;
  /** The offending input field, or null. */
  field: string | null;
  /** Every broken rule, when validation found several. */
  violations?: Violation[];
  /** HTTP status of ARM's reply. */
  status?: number;
  /** ARM's own error code (x-ms-error-code or error.code). */
  armCode?: string;
  target?: string;
  /** x-ms-request-id (else x-ms-correlation-request-id). */
  requestId?: string;
  details?: { code?: string; target?: string; message?: string }[];
  /** What the server asked to wait before retrying, in ms. */
  retryAfterMs?: number;
  /**
   * The caller's own error behind this one: what a token function threw or rejected with
   * (UNAUTHORIZED), what a custom fetch threw or rejected with (NETWORK).
   */
  cause?: unknown;
  /** applyRetention rejected with ABORTED: the snapshots deleted before the abort (the delete in flight may still land). */
  deleted?: string[];
  /** applyRetention rejected with ABORTED: the deletes that failed before the abort. */
  failed?: RetentionFailure[];
}

/**
 * True when `e` is an error this package threw (or rejected with): an `Error` named
 * "AzureSnapshotsError" whose `code` is one of `errorCodes()`. Narrows `e` in a `catch` without a cast.
 */
export function isAzureSnapshotsError(e: unknown): e is AzureSnapshotsError;

export type DiskSkuName =
  | "Standard_LRS"
  | "Premium_LRS"
  | "StandardSSD_LRS"
  | "UltraSSD_LRS"
  | "Premium_ZRS"
  | "StandardSSD_ZRS"
  | "PremiumV2_LRS";
/**
 * The skus of an incremental snapshot, what `options.sku` takes. (`Premium_LRS` is refused for
 * incremental snapshots, rule `sku.incremental`; only a full snapshot, `incremental: false`, may
 * have it: see `FullSnapshotSkuName`.)
 */
export type SnapshotSkuName = "Standard_LRS" | "Standard_ZRS";
/** Every snapshot sku ARM knows, as a snapshot read from ARM may carry it (full snapshots may be Premium_LRS). */
export type FullSnapshotSkuName = SnapshotSkuName | "Premium_LRS";
export type NetworkAccessPolicy = "AllowAll" | "AllowPrivate" | "DenyAll";
export type PublicNetworkAccess = "Enabled" | "Disabled";
export type DataAccessAuthMode = "AzureActiveDirectory" | "None";
export type CreateOption =
  | "Empty"
  | "Attach"
  | "FromImage"
  | "Import"
  | "Copy"
  | "Restore"
  | "Upload"
  | "CopyStart"
  | "ImportSecure"
  | "UploadPreparedSecure"
  | "CopyFromSanSnapshot";
export type DiskState =
  | "Unattached"
  | "Attached"
  | "Reserved"
  | "Frozen"
  | "ActiveSAS"
  | "ActiveSASFrozen"
  | "ReadyToUpload"
  | "ActiveUpload";
/** Open enums: ARM may send values newer than these types (the examples even send "0"). */
export type Open<T extends string> = T | (string & {});

export interface CreationData {
  createOption: Open<CreateOption>;
  storageAccountId?: string;
  imageReference?: { [key: string]: Json };
  galleryImageReference?: { [key: string]: Json };
  sourceUri?: string;
  sourceResourceId?: string;
  /** Read-only: the source's uniqueId when this was created. */
  readonly sourceUniqueId?: string;
  uploadSizeBytes?: number;
  logicalSectorSize?: number;
  securityDataUri?: string;
  securityMetadataUri?: string;
  performancePlus?: boolean;
  elasticSanResourceId?: string;
  provisionedBandwidthCopySpeed?: Open<"None" | "Enhanced">;
  instantAccessDurationMinutes?: number;
  [unknown: string]: unknown;
}

export interface Encryption {
  diskEncryptionSetId?: string;
  type?: Open<
    | "EncryptionAtRestWithPlatformKey"
    | "EncryptionAtRestWithCustomerKey"
    | "EncryptionAtRestWithPlatformAndCustomerKeys"
  >;
}

interface TrackedResource {
  readonly id?: string;
  readonly name?: string;
  readonly type?: string;
  location?: string;
  tags?: { [name: string]: string };
  extendedLocation?: { name?: string; type?: string };
  readonly systemData?: { [key: string]: Json };
  [unknown: string]: unknown;
}

export interface SnapshotProperties {
  readonly timeCreated?: string;
  osType?: Open<"Windows" | "Linux">;
  hyperVGeneration?: Open<"V1" | "V2">;
  purchasePlan?: { [key: string]: Json };
  supportedCapabilities?: { [key: string]: Json };
  creationData?: CreationData;
  diskSizeGB?: number;
  readonly diskSizeBytes?: number;
  readonly diskState?: Open<DiskState>;
  readonly uniqueId?: string;
  encryptionSettingsCollection?: { [key: string]: Json };
  readonly provisioningState?: string;
  incremental?: boolean;
  readonly incrementalSnapshotFamilyId?: string;
  encryption?: Encryption;
  networkAccessPolicy?: Open<NetworkAccessPolicy>;
  diskAccessId?: string;
  securityProfile?: { [key: string]: Json };
  supportsHibernation?: boolean;
  publicNetworkAccess?: Open<PublicNetworkAccess>;
  completionPercent?: number;
  copyCompletionError?: { errorCode: Open<"CopySourceNotFound">; errorMessage: string };
  dataAccessAuthMode?: Open<DataAccessAuthMode>;
  /** Read-only, api-version 2026-03-02. */
  readonly snapshotAccessState?: Open<
    "Unknown" | "Pending" | "Available" | "InstantAccess" | "AvailableWithInstantAccess"
  >;
  [unknown: string]: unknown;
}

export interface Snapshot extends TrackedResource {
  readonly managedBy?: string | null;
  sku?: { name?: Open<FullSnapshotSkuName>; readonly tier?: string };
  properties?: SnapshotProperties;
}

export interface DiskProperties {
  readonly timeCreated?: string;
  osType?: Open<"Windows" | "Linux">;
  hyperVGeneration?: Open<"V1" | "V2">;
  creationData?: CreationData;
  diskSizeGB?: number;
  readonly diskSizeBytes?: number;
  /** Changes when a disk is deleted and recreated under the same name. */
  readonly uniqueId?: string;
  readonly provisioningState?: string;
  diskIOPSReadWrite?: number;
  diskMBpsReadWrite?: number;
  diskIOPSReadOnly?: number;
  diskMBpsReadOnly?: number;
  readonly diskState?: Open<DiskState>;
  encryption?: Encryption;
  maxShares?: number;
  networkAccessPolicy?: Open<NetworkAccessPolicy>;
  diskAccessId?: string;
  tier?: string;
  burstingEnabled?: boolean;
  supportsHibernation?: boolean;
  completionPercent?: number;
  publicNetworkAccess?: Open<PublicNetworkAccess>;
  dataAccessAuthMode?: Open<DataAccessAuthMode>;
  optimizedForFrequentAttach?: boolean;
  /** ARM spells this one with a capital L. */
  readonly LastOwnershipUpdateTime?: string;
  [unknown: string]: unknown;
}

export interface Disk extends TrackedResource {
  readonly managedBy?: string | null;
  readonly managedByExtended?: string[];
  sku?: { name?: Open<DiskSkuName>; readonly tier?: string };
  zones?: string[];
  properties?: DiskProperties;
}

/** One page of an ARM list. */
export interface ArmListPage<T> {
  value: T[];
  nextLink?: string | null;
}

/** A listing as the filters take it: an array, an ARM list page, or the raw JSON text of either. */
export type SnapshotListing = Snapshot[] | ArmListPage<Snapshot> | string;

export interface ParsedResourceId {
  /** Canonical form: keywords in canonical case, values as given. */
  id: string;
  kind: "subscription" | "resourceGroup" | "resource";
  subscriptionId: string;
  resourceGroup: string | null;
  provider: string | null;
  /** e.g. "Microsoft.Compute/snapshots". */
  resourceType: string | null;
  name: string | null;
}

/** Parses and validates an ARM id; throws INVALID_RESOURCE_ID. */
export function parseResourceId(id: string): ParsedResourceId;

export interface SnapshotConfigOptions {
  /** Default "<disk>-snap-<yyyyMMdd>-<HHmmss>" (copies: "<source>-<region>"). */
  name?: string;
  /** Default the source's resource group. */
  resourceGroup?: string;
  /** Default the disk's region; for CopyStart the target region (required). */
  location?: string;
  /** Default true. */
  incremental?: boolean;
  /** "Copy" for a disk (default), "CopyStart" for a snapshot (default when the source is one). */
  createOption?: "Copy" | "CopyStart";
  /** Standard_LRS or Standard_ZRS. Premium_LRS is refused unless `incremental: false` (a full snapshot; cast to pass it). */
  sku?: SnapshotSkuName;
  tags?: { [name: string]: string };
  /** Default: the disk's. */
  networkAccessPolicy?: NetworkAccessPolicy;
  diskAccessId?: string;
  publicNetworkAccess?: PublicNetworkAccess;
  dataAccessAuthMode?: DataAccessAuthMode;
  encryption?: Encryption;
  /** 60–300. */
  instantAccessDurationMinutes?: number;
  /** CopyStart only. */
  provisionedBandwidthCopySpeed?: "None" | "Enhanced";
  /** Default "2025-01-02". */
  apiVersion?: string;
}

export interface BuildSnapshotConfigOptions extends SnapshotConfigOptions {
  /** The time used for the default name: epoch ms or ISO 8601 (default now). */
  now?: number | string;
}

/** The PUT body of a new snapshot: writable properties only. */
export interface SnapshotRequestBody {
  location?: string;
  tags?: { [name: string]: string };
  sku?: { name: FullSnapshotSkuName };
  extendedLocation?: { name?: string; type?: string };
  properties: {
    creationData: {
      createOption: "Copy" | "CopyStart";
      sourceResourceId: string;
      instantAccessDurationMinutes?: number;
      provisionedBandwidthCopySpeed?: "None" | "Enhanced";
    };
    incremental: boolean;
    encryption?: Encryption;
    networkAccessPolicy?: NetworkAccessPolicy;
    diskAccessId?: string;
    publicNetworkAccess?: PublicNetworkAccess;
    dataAccessAuthMode?: DataAccessAuthMode;
  };
}

export interface SnapshotConfig {
  /** ARM id of the snapshot to create. */
  id: string;
  name: string;
  resourceGroup: string;
  apiVersion: string;
  /** PUT this to `id` with `api-version=apiVersion`. */
  body: SnapshotRequestBody;
}

/**
 * The New-AzSnapshotConfig -Incremental equivalent, validated (all problems at once). `source` is the
 * disk (or, for a cross-region CopyStart, the incremental snapshot) ARM returned, or a disk id: with
 * an id only, `options.location` is required (the disk's region is not in its id; INVALID_ARGUMENT
 * `options.location` without it) and the disk's network settings are not carried over.
 */
export function buildSnapshotConfig(source: Disk | Snapshot, options?: BuildSnapshotConfigOptions): SnapshotConfig;
export function buildSnapshotConfig(
  diskId: string,
  options: BuildSnapshotConfigOptions & { location: string },
): SnapshotConfig;

/**
 * The documented filter: the disk's incremental snapshots, oldest first, each as ARM sent it.
 * `snapshots` may also be a page's UTF-8 bytes (`await response.arrayBuffer()`, or a
 * `Uint8Array`): the fastest input, never decoded to a string.
 */
export function filterIncrementalSnapshots(
  disk: Disk,
  snapshots: SnapshotListing | Uint8Array | ArrayBuffer,
): Snapshot[];

export interface SnapshotChain {
  /** Lower-cased source id | source unique id | family id. */
  key: string;
  kind: "incremental" | "crossRegionCopy" | "full";
  sourceResourceId: string | null;
  sourceUniqueId: string | null;
  incrementalSnapshotFamilyId: string | null;
  /** The source disk was deleted and recreated since (certain when the disk is passed in). */
  orphaned: boolean;
  /** The chain of a disk passed in `options.disks`. */
  current: boolean;
  count: number;
  /** 500 for incremental chains, else null. */
  limit: number | null;
  remaining: number | null;
  /** Snapshots whose completionPercent is below 100. */
  pendingCopies: number;
  oldest: string | null;
  newest: string | null;
  snapshots: Snapshot[];
}

export interface SnapshotChainReport {
  chains: SnapshotChain[];
  /** Snapshots with no creationData.sourceResourceId. */
  unsourced: Snapshot[];
  total: number;
  /**
   * Present when options.disks was given: for each disk, in order, its chain by the documented
   * rule, oldest first: exactly what filterIncrementalSnapshots(disk, snapshots) returns.
   */
  disks?: { id: string; uniqueId: string; snapshots: Snapshot[] }[];
}

/** Every chain of a listing; pass the disks to mark current and orphaned chains for certain. */
export function groupSnapshotChains(snapshots: SnapshotListing, options?: { disks?: Disk[] }): SnapshotChainReport;

// --- Retention (README "Retention") -------------------------------------------------------

/** restic's `forget` policy, in UTC, per incremental chain. A count of 0 leaves the rule out; at least one rule is required. */
export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** An ISO 8601 duration of whole units (P7D, PT36H, P1Y2M), measured back from the chain's newest snapshot. */
  keepWithin?: string;
}

export interface RetentionOptions {
  /** The disks whose current chains are planned; a chain no disk matches (source id and uniqueId) is orphan. */
  disks?: Disk[];
  /** Plan orphan chains by the rules too (default: keep all of their snapshots). */
  includeOrphans?: boolean;
  /** A tag (any value, name compared ignoring case) that keeps a snapshot. Default "retention-lock". */
  lockTag?: string;
}

export type RetentionReason =
  | "last"
  | "hourly"
  | "daily"
  | "weekly"
  | "monthly"
  | "yearly"
  | "within"
  | "in-progress"
  | "locked"
  | "immutable"
  | "orphan"
  | "undated"
  | "unreadable";

export interface RetentionChainPlan {
  sourceResourceId: string | null;
  sourceUniqueId: string | null;
  orphan: boolean;
  /** Newest first (undated ones last), with every rule and protection that keeps each. */
  keep: { id: string | null; name: string | null; timeCreated: string | null; reasons: RetentionReason[] }[];
  /** Newest first. */
  remove: { id: string | null; name: string | null; timeCreated: string | null }[];
}

export interface RetentionPlan {
  chains: RetentionChainPlan[];
}

/** Which snapshots of each incremental chain the policy keeps and removes. Pure: deletes nothing. */
export function planRetention(snapshots: SnapshotListing, policy: RetentionPolicy, options?: RetentionOptions): RetentionPlan;

export interface ApplyRetentionOptions extends CallOptions {
  /** Plan only; delete nothing. Default false. */
  dryRun?: boolean;
  includeOrphans?: boolean;
  lockTag?: string;
}

export interface RetentionFailure {
  id: string;
  code: ErrorCode;
  message: string;
}

export interface AppliedRetention {
  /** The first plan (of the listing before any delete). */
  plan: RetentionPlan;
  /** Each snapshot deleted (or found already gone), oldest first per chain. */
  deleted: string[];
  /** Each delete that failed; the others went on. */
  failed: RetentionFailure[];
}

/** How the snapshots of a template are named. */
export type TemplateSnapshotName =
  /** A fixed name (one disk only). */
  | string
  /** A template parameter: the name of one disk's snapshot, or a suffix after each disk name. */
  | { parameter: string; defaultValue?: string }
  /** A `snapshotTimestamp` parameter defaulting to `[utcNow('yyyyMMddHHmmss')]`: `<disk>-snap-<timestamp>`. */
  | { timestamp: true }
  /** Any ARM expression, e.g. `"[concat(parameters('diskName'),'-daily')]"`. */
  | { expression: string };

/** Options of buildSnapshotTemplate and buildTemplateParameters. Unknown keys are refused. */
export interface TemplateOptions {
  /** Compute api-version of the snapshot resources (default 2025-01-02; at least 2019-03-01). */
  apiVersion?: string;
  /** One disk: an ARM disk object (`id`, `name`) or a disk id. */
  disk?: Disk | string;
  /** Several disks in one template. */
  disks?: Array<Disk | string>;
  /** `copyLoop` (default for several disks): one resource looping over an array parameter; `perDisk`: one resource each. */
  layout?: "copyLoop" | "perDisk";
  /** Default: the documented `<diskName>_snapshot1`. */
  snapshotName?: TemplateSnapshotName;
  tags?: { [name: string]: string };
  /** A fixed region; default `[resourceGroup().location]`. */
  location?: string;
  /** Add outputs with the snapshot resource ids. */
  outputs?: boolean;
  sku?: "Standard_LRS" | "Standard_ZRS";
  /** Must stay true: these are incremental snapshot templates. */
  incremental?: true;
}

export interface TemplateParameter {
  type: "string" | "array";
  defaultValue?: string;
  metadata: { description: string };
}

export interface TemplateSnapshotResource {
  type: "Microsoft.Compute/snapshots";
  apiVersion: string;
  name: string;
  location: string;
  tags?: { [name: string]: string };
  sku?: { name: "Standard_LRS" | "Standard_ZRS" };
  copy?: { name: string; count: string };
  properties: {
    creationData: { createOption: "Copy"; sourceResourceId: string };
    incremental: true;
  };
}

export interface TemplateOutput {
  type: "string" | "array";
  value?: string;
  copy?: { count: string; input: string };
}

/** An ARM deployment template (schema 2019-04-01 deploymentTemplate). */
export interface DeploymentTemplate {
  $schema: string;
  contentVersion: "1.0.0.0";
  parameters: { [name: string]: TemplateParameter };
  resources: TemplateSnapshotResource[];
  outputs?: { [name: string]: TemplateOutput };
}

/** An ARM deployment parameters file (schema 2019-04-01 deploymentParameters). */
export interface DeploymentParameters {
  $schema: string;
  contentVersion: "1.0.0.0";
  parameters: { [name: string]: { value: string | Array<{ name: string; id: string }> } };
}

/** An ARM template that takes incremental snapshots of one or many disks (default: the documented one). */
export function buildSnapshotTemplate(options?: TemplateOptions): DeploymentTemplate;

/** The parameters file for the template of the same options, filled from `disk` / `disks`. */
export function buildTemplateParameters(options: TemplateOptions): DeploymentParameters;

/** An Azure cloud `new ArmClient({ cloud })` knows. */
export interface CloudInfo {
  /** The name the `cloud` option takes. */
  readonly name: Cloud;
  /** Its Resource Manager endpoint, e.g. `https://management.azure.com`. */
  readonly armEndpoint: string;
}

/** The clouds `ArmClient` knows, in a fixed order: a new frozen array on each call. */
export function clouds(): readonly CloudInfo[];

/**
 * An endpoint's origin (lower-case, no trailing slash), validated by the rules `ArmClient`'s
 * `endpoint` option applies: https, or http on 127.0.0.1 / localhost / [::1] only (else
 * UNTRUSTED_URL); an origin only (else INVALID_ARGUMENT).
 */
export function parseEndpoint(endpoint: string): string;

/**
 * How the client reads a long-running operation's (or a provisioning) status: ignoring case,
 * `Succeeded`; `Failed`, `Canceled`, `Cancelled` are `Failed`; anything else is `Running`.
 */
export function operationStatus(status: string): "Succeeded" | "Failed" | "Running";

export type Cloud = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";

export interface ArmClientOptions {
  /** A token, or a function returning one (called per request, so it can refresh). */
  token: string | (() => string | Promise<string>);
  /** An ARM origin; https, or http on 127.0.0.1 / localhost / [::1]. Overrides `cloud`. */
  endpoint?: string;
  cloud?: Cloud;
  /** Compute api-version, default "2025-01-02". */
  apiVersion?: string;
  /** Retries after the first attempt, default 3. */
  maxRetries?: number;
  /** A fetch to use instead of the global one. */
  fetch?: (request: Request) => Promise<Response>;
  /** First backoff without Retry-After, default 1000. */
  retryDelayMs?: number;
  /** Poll interval without Retry-After, default 2000. */
  pollIntervalMs?: number;
  /** Interval between reads while waiting for completionPercent 100, default 5000. */
  completionPollMs?: number;
  /**
   * Longest Retry-After to wait out; a throttled reply asking for more is thrown at once
   * (code THROTTLED, with retryAfterMs) instead. Default: wait as long as ARM asks.
   */
  maxRetryWaitMs?: number;
  /** Longest time for one request, body included; TIMEOUT (after retries) past it. Default 120000. */
  requestTimeoutMs?: number;
  /** Longest time for one call, every retry and poll included; TIMEOUT past it. Default 86400000 (24 h). */
  operationTimeoutMs?: number;
  /** Largest response body read (bytes, after decompression); INVALID_RESPONSE past it. Default 16777216. */
  maxResponseBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Progress {
  phase: "checking" | "submitting" | "submitted" | "provisioning" | "copying" | "done";
  status?: string;
  completionPercent?: number;
  id?: string;
}

export interface CreateOptions extends SnapshotConfigOptions, CallOptions {
  /** Wait for the operation and, for Premium SSD v2 / Ultra and CopyStart, completionPercent 100. Default true. */
  wait?: boolean;
  onProgress?: (progress: Progress) => void;
}

export interface CopyOptions extends CreateOptions {
  location: string;
}

export interface Subscription {
  id: string;
  subscriptionId: string;
  displayName?: string;
  state?: string;
  tenantId?: string;
  [unknown: string]: unknown;
}

export interface ResourceGroup {
  id: string;
  name: string;
  location: string;
  tags?: { [name: string]: string };
  [unknown: string]: unknown;
}

export class ArmClient {
  constructor(options: ArmClientOptions);
  free(): void;
  readonly endpoint: string;
  readonly apiVersion: string;
  listSubscriptions(options?: CallOptions): Promise<Subscription[]>;
  listResourceGroups(subscriptionId: string, options?: CallOptions): Promise<ResourceGroup[]>;
  getDisk(diskId: string, options?: CallOptions): Promise<Disk>;
  listDisks(scopeId: string, options?: CallOptions): Promise<Disk[]>;
  getSnapshot(snapshotId: string, options?: CallOptions): Promise<Snapshot>;
  listSnapshots(scopeId: string, options?: CallOptions): Promise<Snapshot[]>;
  listIncrementalSnapshots(
    disk: Disk | string,
    options?: CallOptions & { scope?: "resourceGroup" | "subscription" },
  ): Promise<Snapshot[]>;
  createIncrementalSnapshot(disk: Disk | string, options?: CreateOptions): Promise<Snapshot>;
  copySnapshot(snapshot: Snapshot | string, options: CopyOptions): Promise<Snapshot>;
  deleteSnapshot(snapshotId: string, options?: CallOptions): Promise<{ deleted: boolean }>;
  grantAccess(
    snapshotId: string,
    options: CallOptions & { durationInSeconds: number; access?: "Read" | "Write"; fileFormat?: "VHD" | "VHDX" },
  ): Promise<{ accessSAS?: string; securityDataAccessSAS?: string; securityMetadataAccessSAS?: string }>;
  revokeAccess(snapshotId: string, options?: CallOptions): Promise<null>;
  /**
   * Plans a disk's chains (its resource group's snapshots) or a scope's (a subscription or resource group, matched to its
   * disks) and, unless dryRun, deletes what both that plan and a fresh one made right before deleting remove.
   */
  applyRetention(
    diskOrScopeId: Disk | string,
    policy: RetentionPolicy,
    options?: ApplyRetentionOptions,
  ): Promise<AppliedRetention>;
  /** The pages that changed between two incremental snapshots of one family (or every valid page of one): grants Read access, diffs, revokes. */
  getSnapshotChanges(newerId: string, olderId?: string, options?: { signal?: AbortSignal }): Promise<SnapshotChanges>;
  getSnapshotChanges(newerId: string, options?: { signal?: AbortSignal }): Promise<SnapshotChanges>;
  /** Replicates the disk's chain (oldest first; the first in full, each later as a diff) into one page blob, snapshotting it after each. */
  replicateSnapshots(disk: string | Json, options: ReplicateOptions): Promise<{ replicated: ReplicatedSnapshot[] }>;
}

// --- Differential copy (README "Differential copy") ---------------------------------------

/** A run of pages; `end` inclusive, both 512-aligned (`end % 512 === 511`). */
export interface PageRange {
  start: number;
  end: number;
  /** Cleared since the older snapshot (else: pages with data). */
  cleared: boolean;
}

/** Options every SAS-level call takes. */
export interface BlobCallOptions {
  signal?: AbortSignal;
  /** A custom `fetch(request)` (as for ArmClient). */
  fetch?: (request: Request) => Promise<Response>;
  /** `x-ms-version` (default "2021-06-08", at least "2019-07-07"). */
  xMsVersion?: string;
  /** Longest time for one request, and for one callback to settle (default 120000). */
  requestTimeoutMs?: number;
  /** Retries of one request (0 to 10, default 5). */
  maxRetries?: number;
  /** First backoff (default 1000), doubled per retry. */
  retryDelayMs?: number;
  /** Longest Retry-After waited out. */
  maxRetryWaitMs?: number;
}

export interface PageRangeDiff {
  contentLength: number;
  ranges: PageRange[];
}

/** The pages of the snapshot `url` that changed since `previousUrl` (an older snapshot of the same page blob), or every valid page. */
export function listPageRangeDiff(
  url: string,
  options?: BlobCallOptions & { previousUrl?: string; range?: { start: number; end: number } },
): Promise<PageRangeDiff>;

/** Where a copy stands: plain JSON, tied to the blobs (never a signature). Pass it back as `checkpoint`. */
export type CopyCheckpoint = { version: number; [key: string]: Json };

export interface CopyProgress {
  phase: "planning" | "preparing" | "copying" | "snapshotting" | "done";
  chunksDone: number;
  chunksTotal: number;
}

export interface CopyPageRangesOptions extends BlobCallOptions {
  sourceUrl: string;
  previousUrl?: string;
  targetUrl: string;
  snapshotTarget?: boolean;
  checkpoint?: CopyCheckpoint;
  onCheckpoint?: (checkpoint: CopyCheckpoint) => unknown;
  onProgress?: (progress: CopyProgress) => unknown;
  /** Requests in flight (1 to 64, default 8). */
  concurrency?: number;
  /** Bytes per Put Page From URL (a multiple of 512, at most 4 MiB, the default). */
  chunkBytes?: number;
  /** Copy the last page (a managed disk's VHD footer) even when unchanged (default true). */
  copyFooter?: boolean;
}

export interface CopyResult {
  contentLength: number;
  copiedBytes: number;
  clearedBytes: number;
  requests: number;
  targetSnapshot?: string;
}

/** Copies the changed pages of `sourceUrl` (since `previousUrl`, or all) server-side into the page blob `targetUrl`. */
export function copyPageRanges(options: CopyPageRangesOptions): Promise<CopyResult>;

export interface SnapshotChanges {
  contentLength: number;
  changedBytes: number;
  clearedBytes: number;
  ranges: PageRange[];
}

export type ReplicateCheckpoint = { version: number; [key: string]: Json };

export interface ReplicateOptions {
  targetUrl: string;
  /** A snapshot id or name in the chain to start from (in full); default the oldest. */
  from?: string;
  checkpoint?: ReplicateCheckpoint;
  onCheckpoint?: (checkpoint: ReplicateCheckpoint) => unknown;
  onProgress?: (progress: CopyProgress & { snapshotId: string; index: number; count: number }) => unknown;
  concurrency?: number;
  chunkBytes?: number;
  xMsVersion?: string;
  signal?: AbortSignal;
}

export interface ReplicatedSnapshot {
  snapshotId: string;
  targetSnapshot: string | null;
  copiedBytes: number;
  clearedBytes: number;
}

// --- Immutability (api-version 2026-03-02) -----------------------------------------------------

export type ImmutabilityPolicyType = "Unlocked" | "Locked";

/**
 * A snapshot's immutability policy. The POST's reply is `ImmutabilityPolicyData`
 * (`immutabilityDurationDays`, `type`); the times and `isPolicyExpired` are handed on when ARM
 * sends them (the SDKs model them on a snapshot read at 2026-03-02; the spec excerpt does not).
 */
export interface ImmutabilityPolicy {
  /** Days from the policy's start (kept when a policy is extended or locked), not from now. */
  immutabilityDurationDays: number;
  type: Open<ImmutabilityPolicyType>;
  policyStartTime?: string;
  policyExpirationTime?: string;
  isPolicyExpired?: boolean;
}

export interface ImmutabilityOptions extends CallOptions {
  /** Whole days, 1 to 146000. */
  days: number;
}

export interface SnapshotProperties {
  /** Read at api-version 2026-03-02 (its shape is not in the spec excerpt: read, don't require). */
  readonly immutabilityPolicy?: ImmutabilityPolicy | null;
}

export interface ArmClient {
  /** `POST …/updateImmutabilityPolicy` (Unlocked) at api-version 2026-03-02, followed to its end. */
  setImmutabilityPolicy(snapshotId: string, options: ImmutabilityOptions): Promise<ImmutabilityPolicy>;
  /** `POST …/updateImmutabilityPolicyLock` (Locked): cannot be undone; only extended afterwards. */
  lockImmutabilityPolicy(snapshotId: string, options: ImmutabilityOptions): Promise<ImmutabilityPolicy>;
  /** The snapshot read at 2026-03-02: its `properties.immutabilityPolicy`, or null (none, or not reported). */
  getImmutabilityPolicy(snapshotId: string, options?: CallOptions): Promise<ImmutabilityPolicy | null>;
}

// --- Restore (README "Restore a disk") -----------------------------------------------------

/** Where a disk is restored from: a snapshot (its id, or the object ARM returned), or a page blob. */
export type RestoreSource = Snapshot | string | RestoreBlobSource;

/** A page blob (for example one `replicateSnapshots` wrote) and the storage account holding it: `createOption: Import`. */
export interface RestoreBlobSource {
  /** https URL of the blob; a SAS in it is never shown in an error. */
  sourceUri: string;
  /** `Microsoft.Storage/storageAccounts` id; the disk goes to its subscription (and, by default, its group). */
  storageAccountId: string;
}

export interface RestoreOptions {
  /** The new disk's name (required). */
  name: string;
  /** Default the snapshot's (or the storage account's) group. */
  resourceGroup?: string;
  /** Copy: the snapshot's region (the default); Import: required. */
  location?: string;
  /** A 4096-byte-sector snapshot only to PremiumV2_LRS or UltraSSD_LRS. */
  sku?: DiskSkuName;
  /** At most one of "1", "2", "3"; none with a _ZRS sku. */
  zones?: string[];
  /** Not smaller than the snapshot's size. */
  diskSizeGB?: number;
  networkAccessPolicy?: "AllowAll" | "DenyAll";
  tags?: { [name: string]: string };
  apiVersion?: string;
}

export interface DiskConfig {
  id: string;
  name: string;
  resourceGroup: string;
  apiVersion: string;
  createOption: "Copy" | "Import";
  /** The snapshot's id (Copy). */
  sourceResourceId?: string;
  body: Json;
}

export interface RestoreProgress {
  phase: "checking" | "submitting" | "submitted" | "provisioning" | "hydrating" | "done";
  status?: string;
  /** The disk's hydration, while it reports one. */
  completionPercent?: number;
  id?: string;
}

export interface RestoreDiskOptions extends RestoreOptions, CallOptions {
  /** Wait for the operation and the disk's hydration (completionPercent 100, when it reports one). Default true. */
  wait?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
}

/** The validated PUT of a restored disk (every violation at once, INVALID_ARGUMENT). */
export function buildDiskConfig(source: RestoreSource, options: RestoreOptions): DiskConfig;
/** A deployable ARM template of the same disk (parameter diskName, output diskId). */
export function buildRestoreTemplate(source: RestoreSource, options: RestoreOptions): Json;

export interface ArmClient {
  /**
   * Creates a disk from a snapshot (Copy, in its region) or a blob (Import), never over an existing one
   * (CONFLICT on options.name); a 6th disk at once from one snapshot is CONFLICT on source.
   */
  restoreDisk(source: RestoreSource, options: RestoreDiskOptions): Promise<Disk>;
}
