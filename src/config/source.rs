//! [`SnapshotSource`]: the few facts of a disk or snapshot a new snapshot needs.

use crate::error::{Error, Result};
use crate::models::{DataAccessAuthMode, DiskSkuName, NetworkAccessPolicy, PublicNetworkAccess};
use crate::resource_id::{ResourceId, SNAPSHOTS};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Which kind of resource a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A managed disk (`createOption: Copy`).
    Disk,
    /// A snapshot (`createOption: CopyStart` to another region).
    Snapshot,
}

/// The source of a new snapshot: the few facts of a disk or snapshot the config needs.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    /// Disk or snapshot.
    pub kind: SourceKind,
    /// ARM id.
    pub id: Option<String>,
    /// Region.
    pub location: Option<String>,
    /// Edge zone, verbatim.
    pub extended_location: Option<Box<RawValue>>,
    /// A disk's sku name.
    pub disk_sku: Option<DiskSkuName>,
    /// A snapshot's `properties.incremental`.
    pub incremental: bool,
    /// `properties.networkAccessPolicy`.
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// `properties.diskAccessId`.
    pub disk_access_id: Option<String>,
    /// `properties.publicNetworkAccess`.
    pub public_network_access: Option<PublicNetworkAccess>,
    /// `properties.dataAccessAuthMode`.
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
    /// Built from a disk id alone ([`SnapshotSource::from_disk_id`]): the disk's region, sku and
    /// network settings are unknown, so the region must come from `options.location`.
    pub from_id: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceKeys<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    location: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    extended_location: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sku: Option<SkuKeys<'a>>,
    #[serde(borrow, default)]
    properties: Option<SourcePropsKeys<'a>>,
}

#[derive(Deserialize)]
struct SkuKeys<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourcePropsKeys<'a> {
    #[serde(default)]
    incremental: Option<bool>,
    #[serde(borrow, default)]
    network_access_policy: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    disk_access_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    public_network_access: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data_access_auth_mode: Option<Cow<'a, str>>,
}

impl SnapshotSource {
    /// Reads a disk or snapshot object from JSON text; which one is told by `type`, else by the id.
    pub fn from_json_text(text: &str) -> Result<SnapshotSource> {
        if !text.trim_start().starts_with('{') {
            return Err(Error::invalid_argument("disk", "expected a disk (or snapshot) object as ARM returns it"));
        }
        let keys: SourceKeys = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("disk", format!("the source object does not match ARM's shape: {e}")))?;
        let is_snapshot = match keys.resource_type.as_deref() {
            Some(t) => t.eq_ignore_ascii_case(SNAPSHOTS),
            None => keys.id.as_deref().and_then(|i| ResourceId::parse(i).ok()).is_some_and(|i| i.is_snapshot()),
        };
        let props = keys.properties;
        let text_of = |v: &Option<Cow<str>>| v.as_deref().map(str::to_string);
        Ok(SnapshotSource {
            kind: if is_snapshot { SourceKind::Snapshot } else { SourceKind::Disk },
            id: text_of(&keys.id),
            location: text_of(&keys.location),
            extended_location: keys.extended_location.map(|r| r.to_owned()),
            disk_sku: keys.sku.and_then(|s| s.name).map(|n| DiskSkuName::parse(&n)),
            incremental: props.as_ref().and_then(|p| p.incremental) == Some(true),
            network_access_policy: props
                .as_ref()
                .and_then(|p| p.network_access_policy.as_deref())
                .map(NetworkAccessPolicy::parse),
            disk_access_id: props.as_ref().and_then(|p| p.disk_access_id.as_deref()).map(str::to_string),
            public_network_access: props
                .as_ref()
                .and_then(|p| p.public_network_access.as_deref())
                .map(PublicNetworkAccess::parse),
            data_access_auth_mode: props
                .as_ref()
                .and_then(|p| p.data_access_auth_mode.as_deref())
                .map(DataAccessAuthMode::parse),
            from_id: false,
        })
    }

    /// A disk known by its id only (`buildSnapshotConfig(diskId, { location })`): nothing but the
    /// id is known, so the region must be passed in `options.location` and the disk's network
    /// settings are not carried over. A snapshot id is refused: whether a snapshot is incremental
    /// (which a `CopyStart` needs) is not in its id, so a snapshot source is the object ARM returned.
    pub fn from_disk_id(id: &str) -> Result<SnapshotSource> {
        let parsed = ResourceId::parse(id).map_err(|e| e.with_field("disk"))?;
        if parsed.is_snapshot() {
            return Err(Error::invalid_argument(
                "disk",
                "a snapshot id alone does not say whether the snapshot is incremental; pass the snapshot object ARM returned",
            ));
        }
        if !parsed.is_disk() {
            return Err(Error::new(
                crate::error::ErrorCode::InvalidResourceId,
                "expected a Microsoft.Compute/disks id (or the disk object ARM returned)",
            )
            .with_field("disk"));
        }
        Ok(SnapshotSource {
            kind: SourceKind::Disk,
            id: Some(id.to_string()),
            location: None,
            extended_location: None,
            disk_sku: None,
            incremental: false,
            network_access_policy: None,
            disk_access_id: None,
            public_network_access: None,
            data_access_auth_mode: None,
            from_id: true,
        })
    }

    pub(super) fn field(&self) -> &'static str {
        match self.kind {
            SourceKind::Disk => "disk",
            SourceKind::Snapshot => "source",
        }
    }
}
