//! [`build_checked`]: the rules of a restore, in the order they are reported (api-version, the
//! source, region, name, size, sku and sector size, zones, network, tags), then the target id and
//! the body.

use super::options::{RestoreOptions, DISK_SKUS};
use super::source::RestoreSource;
use crate::api_version::ApiVersion;
use crate::blob::sas::scrub;
use crate::error::{Error, Result, Violation};
use crate::models::{DiskSkuName, NetworkAccessPolicy};
use crate::resource_id::ResourceId;
use crate::rules::{
    check_location, check_resource_group, check_resource_name, check_tags, merge, quoted, read_api_version,
    same_region, Violations,
};
use serde_json::{Map, Value};

/// The storage account type an Import names.
const STORAGE_ACCOUNTS: &str = "Microsoft.Storage/storageAccounts";

/// What [`super::build_disk_config`] produces: where to PUT and what.
#[derive(Debug, Clone)]
pub struct DiskConfig {
    /// ARM id of the disk to create.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its resource group.
    pub resource_group: String,
    /// The api-version the body was validated for.
    pub api_version: ApiVersion,
    /// `Copy` (from a snapshot) or `Import` (from a blob).
    pub create_option: &'static str,
    /// The snapshot's id, for `Copy`.
    pub source_resource_id: Option<String>,
    /// The exact PUT body.
    pub body: Value,
}

impl DiskConfig {
    /// `{ id, name, resourceGroup, apiVersion, createOption, sourceResourceId?, body }`.
    pub fn to_value(&self) -> Value {
        let mut v = Map::new();
        v.insert("id".into(), text(&self.id));
        v.insert("name".into(), text(&self.name));
        v.insert("resourceGroup".into(), text(&self.resource_group));
        v.insert("apiVersion".into(), Value::String(self.api_version.to_string()));
        v.insert("createOption".into(), text(self.create_option));
        if let Some(s) = &self.source_resource_id {
            v.insert("sourceResourceId".into(), text(s));
        }
        v.insert("body".into(), self.body.clone());
        Value::Object(v)
    }
}

/// A JSON string (without serde's value serializer, which would cost the wasm several KiB).
pub(crate) fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// A blob URL as messages show it: without its query (a SAS), scrubbed.
pub(crate) fn shown_url(url: &str) -> String {
    let bare = url.split(['?', '#']).next().unwrap_or_default();
    let cut: String = bare.chars().take(200).collect();
    scrub(&cut)
}

fn source_field(key: &str) -> String {
    format!("source.{key}")
}

/// What the source decided: the id the target is placed beside, the region, the creation data.
struct Source {
    /// The snapshot's or the storage account's id (subscription and default group).
    anchor: Option<ResourceId>,
    location: Option<String>,
    creation: Map<String, Value>,
    create_option: &'static str,
    source_resource_id: Option<String>,
    size_gb: Option<i64>,
    sector_size: Option<i64>,
}

pub(super) fn build_checked(
    source: &RestoreSource,
    options: &RestoreOptions,
    refused: Vec<Violation>,
) -> Result<DiskConfig> {
    let mut v = Violations::default();
    let api_version = read_api_version(options.api_version.as_deref(), &mut v);
    let src = match source {
        RestoreSource::Snapshot { .. } => read_snapshot(source, options, &mut v),
        RestoreSource::Blob { source_uri, storage_account_id } => {
            read_blob(source_uri.as_deref(), storage_account_id.as_deref(), options, &mut v)
        }
    };
    if let Some(l) = &src.location {
        check_location(l, false, &mut v);
    }
    match &options.name {
        Some(n) => check_resource_name(n, "options.name", "a disk name", &mut v),
        None => v.add("options.name", "name.required", "the new disk needs a name (options.name)"),
    }
    if let Some(rg) = &options.resource_group {
        check_resource_group(rg, "options.resourceGroup", &mut v);
    }
    check_size(options.disk_size_gb, src.size_gb, &mut v);
    check_sku(options.sku.as_ref(), src.sector_size, &mut v);
    check_zones(options.zones.as_deref(), options.sku.as_ref(), &mut v);
    if let Some(NetworkAccessPolicy::Other(p)) = &options.network_access_policy {
        v.add(
            "options.networkAccessPolicy",
            "networkAccessPolicy.value",
            format!("unknown policy {}; use AllowAll, AllowPrivate or DenyAll", quoted(p)),
        );
    }
    if options.network_access_policy == Some(NetworkAccessPolicy::AllowPrivate) {
        v.add(
            "options.networkAccessPolicy",
            "diskAccessId.required",
            "networkAccessPolicy AllowPrivate needs a disk access resource, which restoreDisk does not set; use AllowAll or DenyAll",
        );
    }
    if let Some(tags) = &options.tags {
        check_tags(tags, "options", &mut v);
    }
    let mut violations = merge(refused, v.0);
    for x in &mut violations {
        x.message = scrub(&x.message);
    }
    Error::from_violations(violations)?;
    let (Some(anchor), Some(name), Some(location)) = (src.anchor.as_ref(), options.name.as_ref(), src.location.clone())
    else {
        return Err(Error::invalid_argument("source", "the source or the disk name is not usable"));
    };
    let resource_group = options.resource_group.as_deref().or_else(|| anchor.resource_group_name()).unwrap_or_default();
    let target = ResourceId::compute(anchor.subscription_id(), resource_group, "disks", name)
        .map_err(|e| e.with_field("options.name"))?;
    let body = body_of(options, location, src.creation);
    Ok(DiskConfig {
        id: target.to_string(),
        name: name.clone(),
        resource_group: resource_group.to_string(),
        api_version,
        create_option: src.create_option,
        source_resource_id: src.source_resource_id,
        body,
    })
}

/// `Copy`: a snapshot id (`source.id`, `source.type`), its region (`restore.sameRegion`,
/// `location.required`), and a background copy still running (`source.pending`).
fn read_snapshot(source: &RestoreSource, options: &RestoreOptions, v: &mut Violations) -> Source {
    let RestoreSource::Snapshot {
        id,
        resource_type,
        location,
        disk_size_gb,
        logical_sector_size,
        completion_percent,
        from_id,
    } = source
    else {
        return Source::none("Copy");
    };
    let field = if *from_id { "source".to_string() } else { source_field("id") };
    let anchor = match id.as_deref().map(ResourceId::parse) {
        None => {
            v.add(field, "source.id", "the snapshot has no id; pass the object ARM returned or its id");
            None
        }
        Some(Err(e)) => {
            v.add(field, "source.id", e.message);
            None
        }
        Some(Ok(i))
            if !i.is_snapshot()
                || resource_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case(crate::resource_id::SNAPSHOTS)) =>
        {
            v.add(field, "source.type", "a disk is restored from a Microsoft.Compute/snapshots resource (or a blob { sourceUri, storageAccountId })");
            None
        }
        Some(Ok(i)) => Some(i),
    };
    if let Some(p) = completion_percent.filter(|p| *p < 100.0) {
        v.add(
            ["source", "properties", "completionPercent"].join("."),
            "source.pending",
            format!(
                "the snapshot's background copy is at {}%; a disk can be made from it once it reaches 100",
                crate::read::display_f64(p)
            ),
        );
    }
    let location = match (&options.location, location) {
        (Some(want), Some(have)) if !same_region(want, have) => {
            v.add(
                "options.location",
                "restore.sameRegion",
                format!("a disk is created in its snapshot's region ({have}); copy the snapshot to {want} first (copySnapshot)"),
            );
            Some(want.clone())
        }
        (Some(want), _) => Some(want.clone()),
        (None, Some(have)) => Some(have.clone()),
        (None, None) => {
            let (field, message) = if *from_id {
                (
                    "options.location",
                    "a snapshot given by its id has no known region; pass the snapshot's region in options.location",
                )
            } else {
                ("location", "the snapshot has no location; pass options.location")
            };
            let field = if *from_id { field.to_string() } else { source_field(field) };
            v.add(field, "location.required", message);
            None
        }
    };
    let source_resource_id = anchor.as_ref().map(|_| id.clone().unwrap_or_default());
    let mut creation = Map::new();
    creation.insert("createOption".into(), text("Copy"));
    if let Some(s) = &source_resource_id {
        creation.insert("sourceResourceId".into(), text(s));
    }
    Source {
        anchor,
        location,
        creation,
        create_option: "Copy",
        source_resource_id,
        size_gb: *disk_size_gb,
        sector_size: *logical_sector_size,
    }
}

impl Source {
    fn none(create_option: &'static str) -> Source {
        Source {
            anchor: None,
            location: None,
            creation: Map::new(),
            create_option,
            source_resource_id: None,
            size_gb: None,
            sector_size: None,
        }
    }
}

/// `Import`: an https blob URL (`sourceUri.required`, `sourceUri.https`, `sourceUri.blob`), the
/// storage account (`storageAccountId.required`, `storageAccountId.format`) and the region
/// (`location.required`).
fn read_blob(uri: Option<&str>, account: Option<&str>, options: &RestoreOptions, v: &mut Violations) -> Source {
    let mut src = Source::none("Import");
    match uri {
        None => v.add(
            source_field("sourceUri"),
            "sourceUri.required",
            "a blob source needs sourceUri, the blob's https URL",
        ),
        Some(u) => {
            let shown = quoted(&shown_url(u));
            let lower = u.to_ascii_lowercase();
            match lower.strip_prefix("https://") {
                None => v.add(
                    source_field("sourceUri"),
                    "sourceUri.https",
                    format!("sourceUri must be an https URL, got {shown}"),
                ),
                Some(rest) => {
                    let path = rest.split(['?', '#']).next().unwrap_or_default();
                    let mut parts = path.split('/');
                    let host = parts.next().unwrap_or_default();
                    let segments = parts.filter(|s| !s.is_empty()).count();
                    if host.is_empty() || host.contains('@') || segments < 2 {
                        v.add(
                            source_field("sourceUri"),
                            "sourceUri.blob",
                            format!("sourceUri must name a blob, https://<account>.blob.core.windows.net/<container>/<blob>; got {shown}"),
                        );
                    }
                }
            }
            src.creation.insert("sourceUri".into(), text(u));
        }
    }
    match account.map(ResourceId::parse) {
        None => v.add(
            source_field("storageAccountId"),
            "storageAccountId.required",
            "an Import needs storageAccountId, the Microsoft.Storage/storageAccounts id holding the blob",
        ),
        Some(Ok(id)) if id.is_type(STORAGE_ACCOUNTS) && id.resource_group_name().is_some() => {
            src.creation.insert("storageAccountId".into(), Value::String(id.to_string()));
            src.anchor = Some(id);
        }
        Some(_) => v.add(
            source_field("storageAccountId"),
            "storageAccountId.format",
            "storageAccountId must be a Microsoft.Storage/storageAccounts resource id",
        ),
    }
    src.creation.insert("createOption".into(), text("Import"));
    src.location = options.location.clone();
    if src.location.is_none() {
        v.add("options.location", "location.required", "an Import needs the disk's region in options.location");
    }
    src
}

/// `diskSizeGB`: 1 to 65536 (`diskSize.range`), not smaller than the source (`diskSize.smaller`).
fn check_size(asked: Option<i64>, source: Option<i64>, v: &mut Violations) {
    let Some(n) = asked else { return };
    if !(1..=65536).contains(&n) {
        v.add("options.diskSizeGB", "diskSize.range", format!("diskSizeGB must be from 1 to 65536 (got {n})"));
    }
    if let Some(s) = source.filter(|s| n < *s) {
        v.add(
            "options.diskSizeGB",
            "diskSize.smaller",
            format!("a disk cannot be smaller than its source: diskSizeGB {n} is less than the snapshot's {s} GB"),
        );
    }
}

/// A known disk sku (`sku.name`); a 4096-byte-sector snapshot only to Premium SSD v2 or Ultra
/// (`sectorSize.sku`).
fn check_sku(sku: Option<&DiskSkuName>, sector_size: Option<i64>, v: &mut Violations) {
    if let Some(DiskSkuName::Other(s)) = sku {
        v.add("options.sku", "sku.name", format!("unknown disk sku {}; use {DISK_SKUS}", quoted(s)));
        return;
    }
    if sector_size == Some(4096) && !sku.is_some_and(DiskSkuName::has_background_copy) {
        let asked = sku.map_or("the default Standard_LRS".to_string(), |s| s.to_string());
        v.add(
            "options.sku",
            "sectorSize.sku",
            format!("the snapshot has 4096-byte sectors, which only PremiumV2_LRS and UltraSSD_LRS disks take (not {asked})"),
        );
    }
}

/// `zones`: at most one (`zones.count`), each `"1"`, `"2"` or `"3"` (`zones.value`), none with
/// a zone-redundant sku (`zones.zrs`).
fn check_zones(zones: Option<&[String]>, sku: Option<&DiskSkuName>, v: &mut Violations) {
    let Some(zones) = zones.filter(|z| !z.is_empty()) else { return };
    if zones.len() > 1 {
        v.add("options.zones", "zones.count", format!("a disk is in at most one zone (got {})", zones.len()));
    }
    for (i, z) in zones.iter().enumerate().take(crate::rules::MAX_PER_FIELD) {
        if !matches!(z.as_str(), "1" | "2" | "3") {
            v.add(
                format!("options.zones[{i}]"),
                "zones.value",
                format!("zones are \"1\", \"2\" or \"3\", not {}", quoted(z)),
            );
        }
    }
    if let Some(s) = sku.filter(|s| s.to_string().ends_with("_ZRS")) {
        v.add("options.zones", "zones.zrs", format!("a {s} disk is zone-redundant: it takes no zones"));
    }
}

/// The PUT body, writable properties only.
fn body_of(options: &RestoreOptions, location: String, creation: Map<String, Value>) -> Value {
    let mut body = Map::new();
    body.insert("location".into(), Value::String(location));
    if let Some(t) = &options.tags {
        body.insert("tags".into(), Value::Object(t.iter().map(|(k, v)| (k.clone(), text(v))).collect()));
    }
    if let Some(s) = &options.sku {
        let mut sku = Map::new();
        sku.insert("name".into(), Value::String(s.to_string()));
        body.insert("sku".into(), Value::Object(sku));
    }
    if let Some(z) = options.zones.as_ref().filter(|z| !z.is_empty()) {
        body.insert("zones".into(), Value::Array(z.iter().map(|x| text(x)).collect()));
    }
    let mut props = Map::new();
    props.insert("creationData".into(), Value::Object(creation));
    if let Some(n) = options.disk_size_gb {
        props.insert("diskSizeGB".into(), Value::from(n));
    }
    if let Some(p) = &options.network_access_policy {
        props.insert("networkAccessPolicy".into(), Value::String(p.to_string()));
    }
    body.insert("properties".into(), Value::Object(props));
    Value::Object(body)
}
