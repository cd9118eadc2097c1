//! [`build_checked`] in named steps: read the api-version and the source, check the create
//! option (`Copy` or `CopyStart`) and the location, sku, network and encryption settings, then
//! name the target and build the body. Every step adds its violations; the order they are
//! checked in is the order they are reported in.

use super::body::{CreationBody, EncryptionBody, PropertiesBody, SkuBody, SnapshotConfig, SnapshotRequestBody};
use super::names::{default_copy_name, default_snapshot_name};
use super::options::{check_own_fields, SnapshotOptions};
use super::source::{SnapshotSource, SourceKind};
use crate::api_version::{self, ApiVersion};
use crate::error::{Error, Result, Violation};
use crate::models::{
    CreateOption, DataAccessAuthMode, DiskSkuName, EncryptionType, NetworkAccessPolicy, PublicNetworkAccess,
};
use crate::resource_id::ResourceId;
use crate::rules::{
    check_location, check_sku, merge, quoted, read_api_version, require_incremental, require_version, same_region,
    Violations,
};

/// What the first steps decided, read by the later ones.
struct Request<'a> {
    source: &'a SnapshotSource,
    options: &'a SnapshotOptions,
    api_version: ApiVersion,
    create_option: CreateOption,
    incremental: bool,
}

/// The network settings of the body: the options', else the disk's.
struct Network {
    network_access_policy: Option<NetworkAccessPolicy>,
    disk_access_id: Option<String>,
    public_network_access: Option<PublicNetworkAccess>,
    data_access_auth_mode: Option<DataAccessAuthMode>,
}

/// Builds and validates the request after reading found `refused` (reported first; nothing is
/// said about a refused field beyond its own violation).
pub(super) fn build_checked(
    source: &SnapshotSource,
    options: &SnapshotOptions,
    now_ms: i64,
    refused: Vec<Violation>,
) -> Result<SnapshotConfig> {
    let mut v = Violations::default();
    let api_version = read_api_version(options.api_version.as_deref(), &mut v);
    let source_id = read_source_id(source, &mut v);
    let create_option = options.create_option.clone().unwrap_or(match source.kind {
        SourceKind::Disk => CreateOption::Copy,
        SourceKind::Snapshot => CreateOption::CopyStart,
    });
    let incremental = options.incremental.unwrap_or(true);
    if incremental {
        require_incremental(&api_version, &mut v);
    }
    let request = Request { source, options, api_version, create_option, incremental };

    let location = read_location(&request, &mut v);
    check_sku_and_incremental(&request, &mut v);
    let network = read_network(&request, &mut v);
    check_property_versions(&request, &mut v);
    let encryption = options.encryption.as_ref().map(|e| read_encryption(e, &mut v));
    check_own_fields(options, &mut v);

    let name = target_name(&request, source_id.as_ref(), location.as_deref(), now_ms);
    let target = target_id(options, source_id.as_ref(), &name);
    Error::from_violations(merge(refused, v.0))?;
    let (Some(source_id), Some(target)) = (source_id, target) else {
        return Err(Error::invalid_argument(source.field(), "the source id or target name is not usable"));
    };
    let resource_group = target.resource_group_name().unwrap_or_default().to_string();
    let body = body_of(&request, &source_id, location, network, encryption);
    Ok(SnapshotConfig { id: target.to_string(), name, resource_group, api_version: request.api_version, body })
}

/// The source's id, which decides the subscription and the default resource group
/// (`source.id`, `source.type`).
fn read_source_id(source: &SnapshotSource, v: &mut Violations) -> Option<ResourceId> {
    let field = format!("{}.id", source.field());
    let Some(raw) = source.id.as_deref() else {
        v.add(field, "source.id", "the source has no id; pass the object ARM returned");
        return None;
    };
    match ResourceId::parse(raw) {
        Ok(id) if id.is_disk() || id.is_snapshot() => Some(id),
        Ok(_) => {
            v.add(field, "source.type", "the source must be a Microsoft.Compute disk or snapshot");
            None
        }
        Err(e) => {
            v.add(field, "source.id", e.message);
            None
        }
    }
}

/// The create option's rules, then the region: the options', else the source's (`None` when a
/// `CopyStart` has no target region).
fn read_location(r: &Request, v: &mut Violations) -> Option<String> {
    let mut location = r.options.location.clone().or_else(|| r.source.location.clone());
    match &r.create_option {
        CreateOption::Copy => check_copy(r, v),
        CreateOption::CopyStart => {
            if !check_copy_start(r, v) {
                location = None;
            }
        }
        other => v.add(
            "options.createOption",
            "createOption.supported",
            format!("createOption {other} does not make a snapshot of a disk; use Copy or CopyStart"),
        ),
    }
    if r.options.provisioned_bandwidth_copy_speed.is_some() && r.create_option != CreateOption::CopyStart {
        v.add(
            "options.provisionedBandwidthCopySpeed",
            "copySpeed.copyStartOnly",
            "provisionedBandwidthCopySpeed applies to CopyStart only",
        );
    }
    match &location {
        Some(l) => check_location(l, false, v),
        None if r.create_option != CreateOption::CopyStart && r.source.from_id => v.add(
            "options.location",
            "location.required",
            "a disk given by its id has no known region; pass the disk's region in options.location",
        ),
        None if r.create_option != CreateOption::CopyStart => v.add(
            format!("{}.location", r.source.field()),
            "location.required",
            "the source has no location; pass options.location",
        ),
        None => {}
    }
    location
}

/// `Copy`: a new incremental snapshot of a disk, in the disk's region.
fn check_copy(r: &Request, v: &mut Violations) {
    if r.source.kind == SourceKind::Snapshot && r.incremental {
        v.add(
            "options.incremental",
            "copy.incrementalFromDisk",
            "an incremental snapshot is taken of a disk; to copy a snapshot to another region use createOption CopyStart",
        );
    }
    if let (Some(want), Some(have)) = (&r.options.location, &r.source.location) {
        if !same_region(want, have) {
            v.add(
                "options.location",
                "copy.sameRegion",
                format!(
                    "a Copy snapshot is created in the source's region ({have}); use CopyStart to copy an incremental snapshot to {want}"
                ),
            );
        }
    }
}

/// `CopyStart`: an incremental snapshot copied to another region. False when the target
/// region is missing.
fn check_copy_start(r: &Request, v: &mut Violations) -> bool {
    match r.source.kind {
        SourceKind::Disk => v.add(
            r.source.field(),
            "copyStart.sourceSnapshot",
            "CopyStart copies an incremental snapshot, not a disk (ARM answers InvalidParameter)",
        ),
        SourceKind::Snapshot if !r.source.incremental => v.add(
            "source.properties.incremental",
            "copyStart.sourceIncremental",
            "only incremental snapshots can be copied across regions",
        ),
        SourceKind::Snapshot => {}
    }
    if !r.incremental {
        v.add("options.incremental", "copyStart.incremental", "a CopyStart copy is incremental");
    }
    let has_target = match (&r.options.location, &r.source.location) {
        (None, _) => {
            v.add("options.location", "copyStart.location", "CopyStart needs the target region in options.location");
            false
        }
        (Some(want), Some(have)) if same_region(want, have) => {
            v.add(
                "options.location",
                "copyStart.otherRegion",
                format!(
                    "the target region must differ from the source's ({have}); within a region take a new incremental snapshot instead"
                ),
            );
            true
        }
        _ => true,
    };
    require_version(&r.api_version, api_version::MIN_COPY_START, "apiVersion.copyStart", "CopyStart", v);
    has_target
}

/// A full snapshot of a disk that supports none (`incremental.requiredForSku`), and the sku.
fn check_sku_and_incremental(r: &Request, v: &mut Violations) {
    if r.source.kind == SourceKind::Disk
        && !r.incremental
        && r.source.disk_sku.as_ref().is_some_and(DiskSkuName::has_background_copy)
    {
        v.add(
            "options.incremental",
            "incremental.requiredForSku",
            "Premium SSD v2 and Ultra disks only support incremental snapshots",
        );
    }
    if let Some(sku) = &r.options.sku {
        check_sku(sku, r.incremental, v);
    }
}

/// Network settings: the options win, else the disk's are carried over; then their rules.
fn read_network(r: &Request, v: &mut Violations) -> Network {
    let (options, source) = (r.options, r.source);
    let network = Network {
        network_access_policy: options
            .network_access_policy
            .clone()
            .or_else(|| source.network_access_policy.clone())
            .filter(|p| !matches!(p, NetworkAccessPolicy::Other(s) if s == "0")),
        disk_access_id: options.disk_access_id.clone().or_else(|| source.disk_access_id.clone()),
        public_network_access: options.public_network_access.clone().or_else(|| source.public_network_access.clone()),
        data_access_auth_mode: options.data_access_auth_mode.clone().or_else(|| source.data_access_auth_mode.clone()),
    };
    if let Some(NetworkAccessPolicy::Other(p)) = &options.network_access_policy {
        v.add(
            "options.networkAccessPolicy",
            "networkAccessPolicy.value",
            format!("unknown policy {}; use AllowAll, AllowPrivate or DenyAll", quoted(p)),
        );
    }
    check_disk_access(&network, v);
    if let Some(PublicNetworkAccess::Other(p)) = &network.public_network_access {
        v.add(
            "options.publicNetworkAccess",
            "publicNetworkAccess.value",
            format!("unknown value {}; use Enabled or Disabled", quoted(p)),
        );
    }
    if let Some(DataAccessAuthMode::Other(p)) = &network.data_access_auth_mode {
        v.add(
            "options.dataAccessAuthMode",
            "dataAccessAuthMode.value",
            format!("unknown value {}; use AzureActiveDirectory or None", quoted(p)),
        );
    }
    network
}

/// `diskAccessId`: required by `AllowPrivate`, a disk access id, and only with `AllowPrivate`.
fn check_disk_access(network: &Network, v: &mut Violations) {
    let private = network.network_access_policy == Some(NetworkAccessPolicy::AllowPrivate);
    let Some(a) = &network.disk_access_id else {
        if private {
            v.add(
                "options.diskAccessId",
                "diskAccessId.required",
                "networkAccessPolicy AllowPrivate needs a diskAccessId",
            );
        }
        return;
    };
    if !ResourceId::parse(a).is_ok_and(|i| i.is_type("Microsoft.Compute/diskAccesses")) {
        v.add(
            "options.diskAccessId",
            "diskAccessId.format",
            "diskAccessId must be a Microsoft.Compute/diskAccesses resource id",
        );
    }
    if network.network_access_policy.is_some() && !private {
        v.add(
            "options.diskAccessId",
            "diskAccessId.policy",
            "diskAccessId is used only with networkAccessPolicy AllowPrivate",
        );
    }
}

/// Network properties asked for in the options need an api-version that has them.
fn check_property_versions(r: &Request, v: &mut Violations) {
    let o = r.options;
    let min_versions = [
        (
            o.network_access_policy.is_some() || o.disk_access_id.is_some(),
            "options.networkAccessPolicy",
            api_version::MIN_NETWORK_ACCESS_POLICY,
        ),
        (o.public_network_access.is_some(), "options.publicNetworkAccess", api_version::MIN_PUBLIC_NETWORK_ACCESS),
        (o.data_access_auth_mode.is_some(), "options.dataAccessAuthMode", api_version::MIN_DATA_ACCESS_AUTH_MODE),
    ];
    for (asked, field, min) in min_versions {
        if asked && !r.api_version.at_least(min) {
            v.add(
                field,
                "apiVersion.property",
                format!("this property needs api-version {min} or later (asked for {})", r.api_version),
            );
        }
    }
}

/// `encryption`: a disk encryption set id, which customer-managed keys need, and a known type.
fn read_encryption(e: &super::EncryptionOptions, v: &mut Violations) -> EncryptionBody {
    if let Some(des) = &e.disk_encryption_set_id {
        if !ResourceId::parse(des).is_ok_and(|i| i.is_type("Microsoft.Compute/diskEncryptionSets")) {
            v.add(
                "options.encryption.diskEncryptionSetId",
                "encryption.desId",
                "diskEncryptionSetId must be a Microsoft.Compute/diskEncryptionSets resource id",
            );
        }
    }
    match &e.encryption_type {
        Some(EncryptionType::CustomerKey | EncryptionType::PlatformAndCustomerKeys)
            if e.disk_encryption_set_id.is_none() =>
        {
            v.add(
                "options.encryption.diskEncryptionSetId",
                "encryption.desRequired",
                "customer-managed keys need a diskEncryptionSetId",
            );
        }
        Some(EncryptionType::Other(t)) => {
            v.add("options.encryption.type", "encryption.type", format!("unknown encryption type {}", quoted(t)))
        }
        _ => {}
    }
    EncryptionBody {
        disk_encryption_set_id: e.disk_encryption_set_id.clone(),
        encryption_type: e.encryption_type.clone(),
    }
}

/// The snapshot's name: the options', else from the source's name (and, for a copy, the region).
fn target_name(r: &Request, source_id: Option<&ResourceId>, location: Option<&str>, now_ms: i64) -> String {
    if let Some(n) = &r.options.name {
        return n.clone();
    }
    let base = source_id.and_then(ResourceId::name).unwrap_or("snapshot");
    match (&r.create_option, location) {
        (CreateOption::CopyStart, Some(l)) => default_copy_name(base, l),
        _ => default_snapshot_name(base, now_ms),
    }
}

/// The snapshot's id: in the source's subscription, in the options' resource group or else the
/// source's.
fn target_id(options: &SnapshotOptions, source_id: Option<&ResourceId>, name: &str) -> Option<ResourceId> {
    let source_id = source_id?;
    let resource_group = options.resource_group.as_deref().or_else(|| source_id.resource_group_name())?;
    ResourceId::compute(source_id.subscription_id(), resource_group, "snapshots", name).ok()
}

/// The PUT body. A `Copy` keeps the disk's edge zone; a `CopyStart` copy lands in another region.
fn body_of(
    r: &Request,
    source_id: &ResourceId,
    location: Option<String>,
    network: Network,
    encryption: Option<EncryptionBody>,
) -> SnapshotRequestBody {
    let options = r.options;
    let extended_location = match r.create_option {
        CreateOption::Copy => r.source.extended_location.clone(),
        _ => None,
    };
    SnapshotRequestBody {
        location,
        tags: options.tags.clone(),
        sku: options.sku.clone().map(|name| SkuBody { name }),
        extended_location,
        properties: PropertiesBody {
            creation_data: CreationBody {
                create_option: r.create_option.clone(),
                source_resource_id: source_id.to_string(),
                instant_access_duration_minutes: options.instant_access_duration_minutes,
                provisioned_bandwidth_copy_speed: options.provisioned_bandwidth_copy_speed.clone(),
            },
            incremental: r.incremental,
            encryption,
            network_access_policy: network.network_access_policy,
            disk_access_id: network.disk_access_id,
            public_network_access: network.public_network_access,
            data_access_auth_mode: network.data_access_auth_mode,
        },
    }
}
