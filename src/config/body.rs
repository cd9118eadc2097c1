//! [`SnapshotConfig`]: where to PUT, and the exact body.

use crate::api_version::ApiVersion;
use crate::models::{
    CreateOption, DataAccessAuthMode, EncryptionType, NetworkAccessPolicy, ProvisionedBandwidthCopySpeed,
    PublicNetworkAccess, SnapshotSkuName, Tags,
};
use serde::Serialize;
use serde_json::value::RawValue;

/// What [`build_snapshot_config`] produces: where to PUT and what.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotConfig {
    /// ARM id of the snapshot to create.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its resource group.
    pub resource_group: String,
    /// The api-version the body was validated for.
    pub api_version: ApiVersion,
    /// The exact PUT body.
    pub body: SnapshotRequestBody,
}

/// The PUT body of a new snapshot: only writable properties, in ARM's names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRequestBody {
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Sku.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<SkuBody>,
    /// The source disk's edge zone, carried over verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_location: Option<Box<RawValue>>,
    /// Properties.
    pub properties: PropertiesBody,
}

/// `sku` of the body.
#[derive(Debug, Clone, Serialize)]
pub struct SkuBody {
    /// Sku name.
    pub name: SnapshotSkuName,
}

/// `properties` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertiesBody {
    /// How to create it.
    pub creation_data: CreationBody,
    /// Incremental or full.
    pub incremental: bool,
    /// Encryption at rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionBody>,
    /// Export policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Disk access id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_access_id: Option<String>,
    /// Public network access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Data access auth mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
}

/// `properties.creationData` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationBody {
    /// `Copy` or `CopyStart`.
    pub create_option: CreateOption,
    /// The source disk or snapshot.
    pub source_resource_id: String,
    /// Instant access window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant_access_duration_minutes: Option<i64>,
    /// CopyStart speed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_bandwidth_copy_speed: Option<ProvisionedBandwidthCopySpeed>,
}

/// `properties.encryption` of the body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionBody {
    /// Disk encryption set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,
    /// Type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<EncryptionType>,
}
