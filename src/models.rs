//! The open enums of ARM's disk and snapshot properties (Compute api-version 2025-01-02), named
//! exactly as ARM names them in JSON, and ARM tags.
//!
//! Every enum is *open*: a value this crate does not know (`"networkAccessPolicy": "0"` is in
//! the official examples) is kept as `Other(text)`, never an error. Resources themselves are
//! never modelled whole: each reader takes the few fields it needs and keeps the rest verbatim
//! (`filter::DiskIdentity`, `config::SnapshotSource`, `scan::ScannedSnapshot`).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

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
    /// `creationData.provisionedBandwidthCopySpeed`.
    ProvisionedBandwidthCopySpeed {
        /// Default speed.
        None = "None",
        /// Faster CopyStart.
        Enhanced = "Enhanced",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values_and_ignore_case() {
        let s: NetworkAccessPolicy = serde_json::from_str("\"0\"").unwrap();
        assert_eq!(s, NetworkAccessPolicy::Other("0".into()));
        let n: NetworkAccessPolicy = serde_json::from_str("0").unwrap();
        assert_eq!(n, NetworkAccessPolicy::Other("0".into()));
        let a: DiskSkuName = serde_json::from_str("\"premiumv2_lrs\"").unwrap();
        assert_eq!(a, DiskSkuName::PremiumV2Lrs);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"PremiumV2_LRS\"");
    }
}
