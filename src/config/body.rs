//! [`SnapshotConfig`]: where to PUT, and the exact body.

use crate::api_version::ApiVersion;
use crate::models::{
    CreateOption, DataAccessAuthMode, EncryptionType, NetworkAccessPolicy, ProvisionedBandwidthCopySpeed,
    PublicNetworkAccess, SnapshotSkuName, Tags,
};
use crate::read::push_json_str;
use serde::Serialize;

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
    /// The source disk's edge zone, carried over verbatim (its JSON text).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "verbatim")]
    pub extended_location: Option<String>,
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

/// The serde reference (native tests) writes `extended_location` verbatim, as the hand-written
/// [`SnapshotRequestBody::to_json`] does.
fn verbatim<S: serde::Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;
    #[cfg(not(target_arch = "wasm32"))]
    let raw = text
        .as_ref()
        .map(|t| serde_json::value::RawValue::from_string(t.clone()))
        .transpose()
        .map_err(S::Error::custom)?;
    #[cfg(target_arch = "wasm32")]
    let raw = text.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().map_err(S::Error::custom)?;
    raw.serialize(s)
}

/// `,"key":"value"` when `value` is there.
fn push_opt(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":");
        push_json_str(out, Some(v));
    }
}

impl SnapshotConfig {
    /// The config's JSON, written by hand: the text `serde_json::to_string` makes of it (the
    /// derive's names, order and skipped fields), without serde's code in the wasm.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"id\":");
        push_json_str(&mut out, Some(&self.id));
        push_opt(&mut out, "name", Some(&self.name));
        push_opt(&mut out, "resourceGroup", Some(&self.resource_group));
        push_opt(&mut out, "apiVersion", Some(self.api_version.as_str()));
        out.push_str(",\"body\":");
        out.push_str(&self.body.to_json());
        out.push('}');
        out
    }
}

impl SnapshotRequestBody {
    /// The PUT body's JSON, as [`SnapshotConfig::to_json`].
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        let mut first = true;
        let mut key = |out: &mut String, k: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
        };
        if let Some(l) = &self.location {
            key(&mut out, "location");
            push_json_str(&mut out, Some(l));
        }
        if let Some(tags) = &self.tags {
            key(&mut out, "tags");
            out.push('{');
            for (i, (k, v)) in tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_str(&mut out, Some(k));
                out.push(':');
                push_json_str(&mut out, Some(v));
            }
            out.push('}');
        }
        if let Some(sku) = &self.sku {
            key(&mut out, "sku");
            out.push_str("{\"name\":");
            push_json_str(&mut out, Some(sku.name.as_str()));
            out.push('}');
        }
        if let Some(e) = &self.extended_location {
            key(&mut out, "extendedLocation");
            out.push_str(e);
        }
        key(&mut out, "properties");
        let p = &self.properties;
        let c = &p.creation_data;
        out.push_str("{\"creationData\":{\"createOption\":");
        push_json_str(&mut out, Some(c.create_option.as_str()));
        push_opt(&mut out, "sourceResourceId", Some(&c.source_resource_id));
        if let Some(m) = c.instant_access_duration_minutes {
            out.push_str(",\"instantAccessDurationMinutes\":");
            out.push_str(&m.to_string());
        }
        push_opt(
            &mut out,
            "provisionedBandwidthCopySpeed",
            c.provisioned_bandwidth_copy_speed.as_ref().map(|s| s.as_str()),
        );
        out.push_str(if p.incremental { "},\"incremental\":true" } else { "},\"incremental\":false" });
        if let Some(e) = &p.encryption {
            out.push_str(",\"encryption\":{");
            let set = e.disk_encryption_set_id.as_deref();
            if let Some(id) = set {
                out.push_str("\"diskEncryptionSetId\":");
                push_json_str(&mut out, Some(id));
            }
            if let Some(t) = &e.encryption_type {
                out.push_str(if set.is_some() { ",\"type\":" } else { "\"type\":" });
                push_json_str(&mut out, Some(t.as_str()));
            }
            out.push('}');
        }
        push_opt(&mut out, "networkAccessPolicy", p.network_access_policy.as_ref().map(|v| v.as_str()));
        push_opt(&mut out, "diskAccessId", p.disk_access_id.as_deref());
        push_opt(&mut out, "publicNetworkAccess", p.public_network_access.as_ref().map(|v| v.as_str()));
        push_opt(&mut out, "dataAccessAuthMode", p.data_access_auth_mode.as_ref().map(|v| v.as_str()));
        out.push_str("}}");
        out
    }
}
