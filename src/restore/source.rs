//! [`RestoreSource`]: a snapshot (the object ARM returned, or its id) or a blob written by
//! differential copy, read by hand over `serde_json::Value`.

use crate::error::{Error, Result, Violation};
use crate::rules::{parse_options, Reader};
use serde_json::Value;

/// What a disk is restored from.
#[derive(Debug, Clone)]
pub enum RestoreSource {
    /// An incremental (or full) snapshot: `createOption: Copy`.
    Snapshot {
        /// Its ARM id as given.
        id: Option<String>,
        /// `type`, when the object has one.
        resource_type: Option<String>,
        /// Its region (none when given by id alone).
        location: Option<String>,
        /// `properties.diskSizeGB`.
        disk_size_gb: Option<i64>,
        /// `properties.creationData.logicalSectorSize` (512 or 4096).
        logical_sector_size: Option<i64>,
        /// `properties.completionPercent`, when present (a background copy still running is < 100).
        completion_percent: Option<f64>,
        /// Given by its id alone.
        from_id: bool,
    },
    /// A page blob: `createOption: Import`.
    Blob {
        /// The blob's URL (may carry a SAS; never shown with its signature).
        source_uri: Option<String>,
        /// The storage account holding it.
        storage_account_id: Option<String>,
    },
}

/// The keys of a blob source.
const BLOB_KEYS: &[&str] = &["sourceUri", "storageAccountId"];

impl RestoreSource {
    /// A snapshot known by its id only.
    pub fn snapshot_id(id: &str) -> RestoreSource {
        RestoreSource::Snapshot {
            id: Some(id.to_string()),
            resource_type: None,
            location: None,
            disk_size_gb: None,
            logical_sector_size: None,
            completion_percent: None,
            from_id: true,
        }
    }

    /// Reads a source from JSON text: a string is a snapshot id, an object with `sourceUri` a
    /// blob, any other object a snapshot as ARM returned it. A blob source's wrong types and
    /// unknown keys are added to `refused`.
    pub fn from_json_text(text: &str, refused: &mut Vec<Violation>) -> Result<RestoreSource> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid_json("source", format!("the source is not valid JSON: {e}")))?;
        match &value {
            Value::String(id) => Ok(RestoreSource::snapshot_id(id)),
            Value::Object(map) if map.contains_key("sourceUri") || map.contains_key("storageAccountId") => {
                let Some(map) = parse_options(text, "the blob source")? else {
                    return Err(Error::invalid_argument("source", "the blob source must be an object"));
                };
                let mut r = Reader::new(&map, "source", BLOB_KEYS);
                let source_uri = r.string("sourceUri", "sourceUri.type");
                let storage_account_id = r.string("storageAccountId", "storageAccountId.type");
                refused.extend(r.finish("source.unknown", "blob source key"));
                Ok(RestoreSource::Blob { source_uri, storage_account_id })
            }
            Value::Object(map) => {
                let text_of = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
                let props = map.get("properties");
                let creation = props.and_then(|p| p.get("creationData"));
                Ok(RestoreSource::Snapshot {
                    id: text_of(map.get("id")),
                    resource_type: text_of(map.get("type")),
                    location: text_of(map.get("location")),
                    disk_size_gb: props.and_then(|p| p.get("diskSizeGB")).and_then(Value::as_i64),
                    logical_sector_size: creation.and_then(|c| c.get("logicalSectorSize")).and_then(Value::as_i64),
                    completion_percent: props.and_then(|p| p.get("completionPercent")).and_then(Value::as_f64),
                    from_id: false,
                })
            }
            _ => Err(Error::invalid_argument(
                "source",
                "the source must be a snapshot (its id or the object ARM returned) or a blob { sourceUri, storageAccountId }",
            )),
        }
    }
}
