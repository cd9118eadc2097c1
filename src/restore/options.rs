//! [`RestoreOptions`]: read from JSON key by key (wrong types and unknown keys are violations,
//! with a "did you mean").

use crate::error::{Result, Violation};
use crate::models::{DiskSkuName, NetworkAccessPolicy, Tags};
use crate::rules::{parse_options, Reader};

/// Options of [`super::build_disk_config`]. JSON names are camelCase; `name` is required.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// The new disk's name.
    pub name: Option<String>,
    /// Its resource group; default the snapshot's (or the storage account's).
    pub resource_group: Option<String>,
    /// Its region: for `Copy` the snapshot's (the default), for `Import` required.
    pub location: Option<String>,
    /// Disk sku; default ARM's (`Standard_LRS`).
    pub sku: Option<DiskSkuName>,
    /// Availability zone: at most one of `"1"`, `"2"`, `"3"`; none with a `_ZRS` sku.
    pub zones: Option<Vec<String>>,
    /// Size in GiB, not smaller than the source's.
    pub disk_size_gb: Option<i64>,
    /// Export policy of the disk.
    pub network_access_policy: Option<NetworkAccessPolicy>,
    /// Tags.
    pub tags: Option<Tags>,
    /// Compute api-version; default [`crate::api_version::DEFAULT_API_VERSION`].
    pub api_version: Option<String>,
}

/// The keys of restore options, in the order they are read.
pub(super) const OPTION_KEYS: &[&str] =
    &["apiVersion", "name", "resourceGroup", "location", "sku", "zones", "diskSizeGB", "networkAccessPolicy", "tags"];

/// The disk skus, for messages.
pub(super) const DISK_SKUS: &str =
    "Standard_LRS, Premium_LRS, StandardSSD_LRS, UltraSSD_LRS, Premium_ZRS, StandardSSD_ZRS or PremiumV2_LRS";

impl RestoreOptions {
    /// Reads what can be read: the options with every refused key left out, and the violations
    /// (wrong types, unknown keys). An error only when the text is not an object.
    pub fn read(text: &str) -> Result<(RestoreOptions, Vec<Violation>)> {
        let Some(map) = parse_options(text, "restore options")? else {
            return Ok((RestoreOptions::default(), Vec::new()));
        };
        let mut r = Reader::new(&map, "options", OPTION_KEYS);
        let api_version = r.string("apiVersion", "apiVersion.type");
        let name = r.string("name", "name.type");
        let resource_group = r.string("resourceGroup", "resourceGroup.type");
        let location = r.string("location", "location.type");
        let sku = r.choice("sku", "sku.type", DISK_SKUS, DiskSkuName::parse);
        let zones = r.typed("zones", "zones.type", "an array of zone strings such as [\"1\"]", |v| {
            v.as_array()?.iter().map(|z| z.as_str().map(str::to_string)).collect::<Option<Vec<String>>>()
        });
        let disk_size_gb = r.integer("diskSizeGB", "diskSize.type");
        let network_access_policy = r.choice(
            "networkAccessPolicy",
            "networkAccessPolicy.type",
            "AllowAll, AllowPrivate or DenyAll",
            NetworkAccessPolicy::parse,
        );
        let tags = r.tags("tags", "tags.type");
        let options = RestoreOptions {
            name,
            resource_group,
            location,
            sku,
            zones,
            disk_size_gb,
            network_access_policy,
            tags,
            api_version,
        };
        Ok((options, r.finish("options.unknown", "restore option")))
    }
}
