//! [`SnapshotSource`]: the few facts of a disk or snapshot a new snapshot needs.

use crate::error::{Error, Result};
use crate::models::{DataAccessAuthMode, DiskSkuName, NetworkAccessPolicy, PublicNetworkAccess};
use crate::resource_id::{ResourceId, SNAPSHOTS};

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
    pub extended_location: Option<String>,
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

impl SnapshotSource {
    /// Reads a disk or snapshot object from JSON text; which one is told by `type`, else by the id.
    pub fn from_json_text(text: &str) -> Result<SnapshotSource> {
        if !text.trim_start().starts_with('{') {
            return Err(Error::invalid_argument("disk", "expected a disk (or snapshot) object as ARM returns it"));
        }
        use crate::read::{field, obj, obj_at, str_at};
        let bad =
            |why: String| Error::invalid_json("disk", format!("the source object does not match ARM's shape: {why}"));
        let v = crate::read::parse(text).map_err(|e| bad(e.to_string()))?;
        let top = obj(Some(&v), "the source").map_err(bad)?;
        let s = |m, key: &str, path: &str| str_at(m, key, path).map_err(bad);
        let id = s(top, "id", "")?;
        let resource_type = s(top, "type", "")?;
        let location = s(top, "location", "")?;
        let extended_location = match field(top, "extendedLocation") {
            None => None,
            Some(_) => crate::scan::raw_member(text, "extendedLocation").map(str::to_string),
        };
        let sku = obj_at(top, "sku", "").map_err(bad)?;
        let sku_name = s(sku, "name", "sku")?;
        let props = obj_at(top, "properties", "").map_err(bad)?;
        let incremental = crate::read::bool_at(props, "incremental", "properties").map_err(bad)?;
        let network_access_policy = s(props, "networkAccessPolicy", "properties")?;
        let disk_access_id = s(props, "diskAccessId", "properties")?;
        let public_network_access = s(props, "publicNetworkAccess", "properties")?;
        let data_access_auth_mode = s(props, "dataAccessAuthMode", "properties")?;
        let is_snapshot = match resource_type {
            Some(t) => t.eq_ignore_ascii_case(SNAPSHOTS),
            None => id.and_then(|i| ResourceId::parse(i).ok()).is_some_and(|i| i.is_snapshot()),
        };
        Ok(SnapshotSource {
            kind: if is_snapshot { SourceKind::Snapshot } else { SourceKind::Disk },
            id: id.map(str::to_string),
            location: location.map(str::to_string),
            extended_location,
            disk_sku: sku_name.map(DiskSkuName::parse),
            incremental: incremental == Some(true),
            network_access_policy: network_access_policy.map(NetworkAccessPolicy::parse),
            disk_access_id: disk_access_id.map(str::to_string),
            public_network_access: public_network_access.map(PublicNetworkAccess::parse),
            data_access_auth_mode: data_access_auth_mode.map(DataAccessAuthMode::parse),
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
