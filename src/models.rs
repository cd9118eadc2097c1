//! ARM models for managed disks and snapshots (Compute api-version 2025-01-02, plus the
//! read-only additions of 2026-03-02), named exactly as ARM names them in JSON.
//!
//! Three habits keep these models safe to round-trip:
//! - every enum is *open*: a value this crate does not know (`"diskState": "0"` is in the
//!   official examples) is kept as [`OpenEnum::Other`]-style text, never an error;
//! - every object keeps the properties it does not know in an `extra` map, so a resource read
//!   with a newer api-version can be written back whole;
//! - read-only properties are modelled (they are read) but [`Snapshot::to_put_body`] and
//!   [`Disk::to_put_body`] drop them, so they are never sent.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Properties a model does not know, kept as ARM sent them.
pub type Extra = Map<String, Value>;
/// ARM tags.
pub type Tags = BTreeMap<String, String>;

/// Accepts a JSON string, number or boolean as text: open enums must take `"0"` and `0` alike.
fn deserialize_open_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            // serde_json's own number text: avoids pulling core's float formatting into wasm.
            Ok(serde_json::Number::from_f64(v).map(|n| n.to_string()).unwrap_or_default())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(Text)
}

/// Declares an open enum: known variants plus `Other(String)`, (de)serialized as ARM's text.
/// Parsing ignores case (ARM does); serializing writes the canonical spelling.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// ARM's spelling of the value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            /// Reads ARM's text, ignoring case; unknown text is kept as `Other`.
            pub fn parse(text: &str) -> Self {
                $(if text.eq_ignore_ascii_case($text) { return $name::$variant; })*
                $name::Other(text.to_string())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_open_text(d).map(|t| $name::parse(&t))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// `creationData.createOption`.
    CreateOption {
        /// Empty disk.
        Empty = "Empty",
        /// Attach.
        Attach = "Attach",
        /// From a platform or gallery image.
        FromImage = "FromImage",
        /// Import a VHD from a storage account.
        Import = "Import",
        /// Copy a disk or snapshot (snapshots are taken this way).
        Copy = "Copy",
        /// Restore.
        Restore = "Restore",
        /// Upload.
        Upload = "Upload",
        /// Cross-region copy of an incremental snapshot.
        CopyStart = "CopyStart",
        /// Import secure.
        ImportSecure = "ImportSecure",
        /// Upload prepared secure.
        UploadPreparedSecure = "UploadPreparedSecure",
        /// From an Elastic SAN snapshot.
        CopyFromSanSnapshot = "CopyFromSanSnapshot",
    }
);

open_enum!(
    /// Snapshot sku names.
    SnapshotSkuName {
        /// Standard HDD, locally redundant.
        StandardLrs = "Standard_LRS",
        /// Premium SSD, locally redundant (pointless for incremental snapshots).
        PremiumLrs = "Premium_LRS",
        /// Standard HDD, zone redundant.
        StandardZrs = "Standard_ZRS",
    }
);

open_enum!(
    /// Disk sku names.
    DiskSkuName {
        /// Standard HDD.
        StandardLrs = "Standard_LRS",
        /// Premium SSD.
        PremiumLrs = "Premium_LRS",
        /// Standard SSD.
        StandardSsdLrs = "StandardSSD_LRS",
        /// Ultra disk.
        UltraSsdLrs = "UltraSSD_LRS",
        /// Premium SSD, zone redundant.
        PremiumZrs = "Premium_ZRS",
        /// Standard SSD, zone redundant.
        StandardSsdZrs = "StandardSSD_ZRS",
        /// Premium SSD v2.
        PremiumV2Lrs = "PremiumV2_LRS",
    }
);

impl DiskSkuName {
    /// Premium SSD v2 and Ultra disks copy their snapshots in the background
    /// (`completionPercent` climbs to 100 after the operation ends).
    pub fn has_background_copy(&self) -> bool {
        matches!(self, DiskSkuName::PremiumV2Lrs | DiskSkuName::UltraSsdLrs)
    }
}

open_enum!(
    /// `diskState`.
    DiskState {
        /// Not attached.
        Unattached = "Unattached",
        /// Attached to a VM.
        Attached = "Attached",
        /// Reserved.
        Reserved = "Reserved",
        /// Frozen.
        Frozen = "Frozen",
        /// A SAS is active.
        ActiveSas = "ActiveSAS",
        /// A SAS is active on a frozen disk.
        ActiveSasFrozen = "ActiveSASFrozen",
        /// Ready to upload.
        ReadyToUpload = "ReadyToUpload",
        /// Upload in progress.
        ActiveUpload = "ActiveUpload",
    }
);

open_enum!(
    /// `networkAccessPolicy`.
    NetworkAccessPolicy {
        /// Exportable from anywhere.
        AllowAll = "AllowAll",
        /// Exportable through a disk access resource only.
        AllowPrivate = "AllowPrivate",
        /// Not exportable.
        DenyAll = "DenyAll",
    }
);

open_enum!(
    /// `publicNetworkAccess`.
    PublicNetworkAccess {
        /// Enabled.
        Enabled = "Enabled",
        /// Disabled.
        Disabled = "Disabled",
    }
);

open_enum!(
    /// `dataAccessAuthMode`.
    DataAccessAuthMode {
        /// Export/upload needs an Entra ID token too.
        AzureActiveDirectory = "AzureActiveDirectory",
        /// SAS only.
        None = "None",
    }
);

open_enum!(
    /// `encryption.type`.
    EncryptionType {
        /// Platform-managed key.
        PlatformKey = "EncryptionAtRestWithPlatformKey",
        /// Customer-managed key.
        CustomerKey = "EncryptionAtRestWithCustomerKey",
        /// Both.
        PlatformAndCustomerKeys = "EncryptionAtRestWithPlatformAndCustomerKeys",
    }
);

open_enum!(
    /// `snapshotAccessState` (read-only, api-version 2026-03-02).
    SnapshotAccessState {
        /// Unknown.
        Unknown = "Unknown",
        /// Pending.
        Pending = "Pending",
        /// Available.
        Available = "Available",
        /// Instant access.
        InstantAccess = "InstantAccess",
        /// Available with instant access.
        AvailableWithInstantAccess = "AvailableWithInstantAccess",
    }
);

open_enum!(
    /// `creationData.provisionedBandwidthCopySpeed`.
    ProvisionedBandwidthCopySpeed {
        /// Default speed.
        None = "None",
        /// Faster CopyStart.
        Enhanced = "Enhanced",
    }
);

open_enum!(
    /// `osType`.
    OsType {
        /// Windows.
        Windows = "Windows",
        /// Linux.
        Linux = "Linux",
    }
);

open_enum!(
    /// `hyperVGeneration`.
    HyperVGeneration {
        /// Generation 1.
        V1 = "V1",
        /// Generation 2.
        V2 = "V2",
    }
);

open_enum!(
    /// `copyCompletionError.errorCode`.
    CopyCompletionErrorReason {
        /// The CopyStart source was deleted during the copy.
        CopySourceNotFound = "CopySourceNotFound",
    }
);

/// `sku` of a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSku {
    /// Sku name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<SnapshotSkuName>,
    /// Read-only tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `sku` of a disk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiskSku {
    /// Sku name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<DiskSkuName>,
    /// Read-only tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `encryption`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encryption {
    /// ARM id of a disk encryption set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_encryption_set_id: Option<String>,
    /// Encryption type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<EncryptionType>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `extendedLocation` (edge zones).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtendedLocation {
    /// Name of the extended location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type (`EdgeZone`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub location_type: Option<String>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `copyCompletionError` of a CopyStart snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyCompletionError {
    /// Why the copy stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<CopyCompletionErrorReason>,
    /// ARM's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `creationData`: how a disk or snapshot came to be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationData {
    /// How it was created (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_option: Option<CreateOption>,
    /// Storage account of an imported VHD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_account_id: Option<String>,
    /// Source image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_reference: Option<Value>,
    /// Source gallery image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gallery_image_reference: Option<Value>,
    /// Source blob URI for Import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    /// ARM id of the source disk or snapshot for Copy / CopyStart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_resource_id: Option<String>,
    /// Read-only: the `uniqueId` of the source when this was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_unique_id: Option<String>,
    /// Upload size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_size_bytes: Option<i64>,
    /// 512 or 4096.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_sector_size: Option<i64>,
    /// Security data URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_data_uri: Option<String>,
    /// Security metadata URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_metadata_uri: Option<String>,
    /// Performance plus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance_plus: Option<bool>,
    /// Elastic SAN snapshot source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elastic_san_resource_id: Option<String>,
    /// CopyStart speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_bandwidth_copy_speed: Option<ProvisionedBandwidthCopySpeed>,
    /// Instant access window (60–300 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instant_access_duration_minutes: Option<i64>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `properties` of a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotProperties {
    /// Read-only creation time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_created: Option<String>,
    /// OS type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<OsType>,
    /// Hyper-V generation.
    #[serde(default, rename = "hyperVGeneration", skip_serializing_if = "Option::is_none")]
    pub hyper_v_generation: Option<HyperVGeneration>,
    /// Marketplace plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_plan: Option<Value>,
    /// Supported capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_capabilities: Option<Value>,
    /// How it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_data: Option<CreationData>,
    /// Size in GiB.
    #[serde(default, rename = "diskSizeGB", skip_serializing_if = "Option::is_none")]
    pub disk_size_gb: Option<i64>,
    /// Read-only size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_size_bytes: Option<i64>,
    /// Read-only state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_state: Option<DiskState>,
    /// Read-only unique id of this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
    /// Azure Disk Encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_settings_collection: Option<Value>,
    /// Read-only provisioning state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Whether the snapshot is incremental.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<bool>,
    /// Read-only: shared by the incremental snapshots of one disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental_snapshot_family_id: Option<String>,
    /// Encryption at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// Export policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Disk access resource id for AllowPrivate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_access_id: Option<String>,
    /// Security profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_profile: Option<Value>,
    /// Hibernation support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_hibernation: Option<bool>,
    /// Public network access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Background copy progress (Premium SSD v2 / Ultra sources and CopyStart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<f64>,
    /// Why a CopyStart stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_completion_error: Option<CopyCompletionError>,
    /// Data access auth mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
    /// Read-only (2026-03-02): instant-access state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_access_state: Option<SnapshotAccessState>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A snapshot resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Read-only ARM id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Read-only name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Read-only type, `Microsoft.Compute/snapshots`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Region (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Read-only: the VM using it (always null for snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// Sku.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<SnapshotSku>,
    /// Edge zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_location: Option<ExtendedLocation>,
    /// Read-only system data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<Value>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<SnapshotProperties>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `properties` of a disk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskProperties {
    /// Read-only creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_created: Option<String>,
    /// OS type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<OsType>,
    /// Hyper-V generation.
    #[serde(default, rename = "hyperVGeneration", skip_serializing_if = "Option::is_none")]
    pub hyper_v_generation: Option<HyperVGeneration>,
    /// Marketplace plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_plan: Option<Value>,
    /// Supported capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_capabilities: Option<Value>,
    /// How it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_data: Option<CreationData>,
    /// Size in GiB.
    #[serde(default, rename = "diskSizeGB", skip_serializing_if = "Option::is_none")]
    pub disk_size_gb: Option<i64>,
    /// Read-only size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_size_bytes: Option<i64>,
    /// Read-only unique id: changes when a disk is deleted and recreated under the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
    /// Azure Disk Encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_settings_collection: Option<Value>,
    /// Read-only provisioning state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Provisioned IOPS (Ultra, Premium v2).
    #[serde(default, rename = "diskIOPSReadWrite", skip_serializing_if = "Option::is_none")]
    pub disk_iops_read_write: Option<i64>,
    /// Provisioned MBps (Ultra, Premium v2).
    #[serde(default, rename = "diskMBpsReadWrite", skip_serializing_if = "Option::is_none")]
    pub disk_mbps_read_write: Option<i64>,
    /// Shared-disk read-only IOPS.
    #[serde(default, rename = "diskIOPSReadOnly", skip_serializing_if = "Option::is_none")]
    pub disk_iops_read_only: Option<i64>,
    /// Shared-disk read-only MBps.
    #[serde(default, rename = "diskMBpsReadOnly", skip_serializing_if = "Option::is_none")]
    pub disk_mbps_read_only: Option<i64>,
    /// Read-only state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_state: Option<DiskState>,
    /// Encryption at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// Shared disk: how many VMs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_shares: Option<i64>,
    /// Read-only: VMs sharing the disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_info: Option<Value>,
    /// Export policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Disk access resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_access_id: Option<String>,
    /// Read-only: when bursting was enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursting_enabled_time: Option<String>,
    /// Performance tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// On-demand bursting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursting_enabled: Option<bool>,
    /// Read-only: pending property updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_updates_in_progress: Option<Value>,
    /// Hibernation support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_hibernation: Option<bool>,
    /// Security profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_profile: Option<Value>,
    /// Upload/copy progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<f64>,
    /// Public network access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Data access auth mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_access_auth_mode: Option<DataAccessAuthMode>,
    /// Frequent-attach optimisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimized_for_frequent_attach: Option<bool>,
    /// Read-only; ARM spells it with a capital L.
    #[serde(default, rename = "LastOwnershipUpdateTime", skip_serializing_if = "Option::is_none")]
    pub last_ownership_update_time: Option<String>,
    /// Availability policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_policy: Option<Value>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A managed disk resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Disk {
    /// Read-only ARM id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Read-only name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Read-only type, `Microsoft.Compute/disks`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Read-only: the VM the disk is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// Read-only: VMs of a shared disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by_extended: Option<Vec<String>>,
    /// Sku.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<DiskSku>,
    /// Availability zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    /// Edge zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_location: Option<ExtendedLocation>,
    /// Read-only system data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<Value>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<DiskProperties>,
    /// Unknown properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of an ARM list: `{ value, nextLink }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmList<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// Absolute URL of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// A page of snapshots.
pub type SnapshotList = ArmList<Snapshot>;
/// A page of disks.
pub type DiskList = ArmList<Disk>;

impl Snapshot {
    /// `properties.creationData`, when present.
    pub fn creation_data(&self) -> Option<&CreationData> {
        self.properties.as_ref()?.creation_data.as_ref()
    }

    /// Whether `properties.incremental` is true.
    pub fn is_incremental(&self) -> bool {
        self.properties.as_ref().and_then(|p| p.incremental) == Some(true)
    }

    /// The body to PUT to create or replace this snapshot: everything but the read-only
    /// properties (unknown properties are kept).
    pub fn to_put_body(&self) -> Snapshot {
        let mut s = self.clone();
        s.id = None;
        s.name = None;
        s.resource_type = None;
        s.managed_by = None;
        s.system_data = None;
        if let Some(sku) = &mut s.sku {
            sku.tier = None;
        }
        if let Some(p) = &mut s.properties {
            p.time_created = None;
            p.disk_size_bytes = None;
            p.disk_state = None;
            p.unique_id = None;
            p.provisioning_state = None;
            p.incremental_snapshot_family_id = None;
            p.completion_percent = None;
            p.copy_completion_error = None;
            p.snapshot_access_state = None;
            if let Some(c) = &mut p.creation_data {
                c.source_unique_id = None;
            }
        }
        s
    }
}

impl Disk {
    /// `properties.uniqueId`, when present.
    pub fn unique_id(&self) -> Option<&str> {
        self.properties.as_ref()?.unique_id.as_deref()
    }

    /// The sku name, when present.
    pub fn sku_name(&self) -> Option<&DiskSkuName> {
        self.sku.as_ref()?.name.as_ref()
    }

    /// The body to PUT for this disk: everything but the read-only properties.
    pub fn to_put_body(&self) -> Disk {
        let mut d = self.clone();
        d.id = None;
        d.name = None;
        d.resource_type = None;
        d.managed_by = None;
        d.managed_by_extended = None;
        d.system_data = None;
        if let Some(sku) = &mut d.sku {
            sku.tier = None;
        }
        if let Some(p) = &mut d.properties {
            p.time_created = None;
            p.disk_size_bytes = None;
            p.unique_id = None;
            p.provisioning_state = None;
            p.disk_state = None;
            p.share_info = None;
            p.bursting_enabled_time = None;
            p.property_updates_in_progress = None;
            p.last_ownership_update_time = None;
            if let Some(c) = &mut p.creation_data {
                c.source_unique_id = None;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values_and_ignore_case() {
        let s: DiskState = serde_json::from_str("\"0\"").unwrap();
        assert_eq!(s, DiskState::Other("0".into()));
        let n: DiskState = serde_json::from_str("0").unwrap();
        assert_eq!(n, DiskState::Other("0".into()));
        let a: DiskState = serde_json::from_str("\"activesas\"").unwrap();
        assert_eq!(a, DiskState::ActiveSas);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"ActiveSAS\"");
    }

    #[test]
    fn last_ownership_update_time_keeps_its_capital_l() {
        let d: Disk =
            serde_json::from_str(r#"{"properties":{"LastOwnershipUpdateTime":"2024-01-01T00:00:00Z","futureProp":1}}"#)
                .unwrap();
        let p = d.properties.as_ref().unwrap();
        assert_eq!(p.last_ownership_update_time.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(p.extra.get("futureProp"), Some(&Value::from(1)));
        let back = serde_json::to_value(&d).unwrap();
        assert!(back["properties"].get("LastOwnershipUpdateTime").is_some());
        let put = serde_json::to_value(d.to_put_body()).unwrap();
        assert!(put["properties"].get("LastOwnershipUpdateTime").is_none());
        assert_eq!(put["properties"]["futureProp"], 1);
    }
}
