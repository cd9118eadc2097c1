//! ARM deployment templates for incremental snapshots, and their parameter files.
//!
//! With no options, [`build_snapshot_template`] emits the documented template: parameters
//! `diskName` and `diskResourceId` (type `string`, lower case: the docs' `"String"` fails the
//! schema), one `Microsoft.Compute/snapshots` resource named
//! `[concat(parameters('diskName'),'_snapshot1')]` at `[resourceGroup().location]` with
//! `creationData { createOption: Copy, sourceResourceId }` and `incremental: true`.
//!
//! Options (JSON, camelCase; unknown keys are refused):
//! - `apiVersion`: default `2025-01-02`; anything below `2019-03-01` is refused;
//! - `disk` / `disks`: disk objects (`id`, optional `name`) or disk ids; they decide how many
//!   snapshots the template makes, and [`build_template_parameters`] takes their values;
//! - `layout`: `"copyLoop"` (one resource looping over an array parameter `disks` of
//!   `{ name, id }`; the default for several disks) or `"perDisk"` (parameters `diskName1`,
//!   `diskResourceId1`, ... and one resource each);
//! - `snapshotName`: the default is the documented `<diskName>_snapshot1`; or a fixed name
//!   (one disk only), `{ "parameter": "snapshotName", "defaultValue"?: "…" }` (the name of a single
//!   disk's snapshot, a suffix after the disk name with several), `{ "timestamp": true }` (a
//!   `snapshotTimestamp` parameter defaulting to `[utcNow('yyyyMMddHHmmss')]`, names
//!   `<disk>-snap-<timestamp>`: a new name at each deployment), or `{ "expression": "[…]" }`;
//! - `tags` (name → value), `location` (default `[resourceGroup().location]`), `sku`
//!   (`Standard_LRS` | `Standard_ZRS`), `outputs: true` (the snapshot ids), `incremental` (must
//!   stay true).
//!
//! Output is deterministic: keys in ARM's usual order, pretty-printed by [`to_pretty_json`].
//!
//! Two steps: `plan` (options → a validated [`plan::Plan`]; every rule, from `crate::rules`) and
//! `emit` (plan → JSON text).

mod emit;
mod plan;
mod restore;

pub use restore::build_restore_template_json;

pub use emit::{PARAMETERS_SCHEMA, TEMPLATE_SCHEMA};

use crate::error::{Error, Result, Violation};
use crate::models::{SnapshotSkuName, Tags};
use crate::rules::{parse_options, Reader};
use serde_json::Value;

/// Options of [`build_snapshot_template`] and [`build_template_parameters`].
#[derive(Debug, Default)]
pub struct TemplateOptions {
    /// Compute api-version of the snapshot resources.
    pub api_version: Option<String>,
    /// One disk (object or id).
    pub disk: Option<Value>,
    /// Several disks (objects or ids).
    pub disks: Option<Vec<Value>>,
    /// `copyLoop` or `perDisk`.
    pub layout: Option<String>,
    /// How snapshots are named (a name, or an object: see the module docs).
    pub snapshot_name: Option<Value>,
    /// Tags on every snapshot.
    pub tags: Option<Tags>,
    /// A fixed region instead of the resource group's.
    pub location: Option<String>,
    /// Add outputs with the snapshot ids.
    pub outputs: Option<bool>,
    /// Snapshot sku.
    pub sku: Option<SnapshotSkuName>,
    /// Must be true when given.
    pub incremental: Option<bool>,
}

/// The keys of template options, in the order they are read.
const OPTION_KEYS: &[&str] =
    &["apiVersion", "disk", "disks", "layout", "snapshotName", "tags", "location", "outputs", "sku", "incremental"];

impl TemplateOptions {
    /// Reads options from JSON text (`null` or empty: none). Each key is read with its own type
    /// check and unknown keys are refused; when any is refused, the error carries every such
    /// violation and every rule the other options break (templates need nothing else to check).
    pub fn from_json_text(text: &str) -> Result<TemplateOptions> {
        let (options, refused) = TemplateOptions::read(text)?;
        if refused.is_empty() {
            return Ok(options);
        }
        Err(match plan::plan_checked(&options, refused) {
            Err(e) => e,
            Ok(_) => Error::invalid_argument("options", "invalid template options"),
        })
    }

    /// Reads what can be read: the options with every refused key left out, and the violations.
    fn read(text: &str) -> Result<(TemplateOptions, Vec<Violation>)> {
        let Some(map) = parse_options(text, "template options")? else {
            return Ok((TemplateOptions::default(), Vec::new()));
        };
        let mut r = Reader::new(&map, "options", OPTION_KEYS);
        let options = TemplateOptions {
            api_version: r.string("apiVersion", "apiVersion.type"),
            disk: r.value("disk").cloned(),
            disks: r.array("disks", "disks.type", "an array of disk objects or disk ids").cloned(),
            layout: r.string("layout", "layout.type"),
            snapshot_name: r.value("snapshotName").cloned(),
            tags: r.tags("tags", "tags.type"),
            location: r.string("location", "location.type"),
            outputs: r.boolean("outputs", "outputs.type"),
            sku: r.choice("sku", "sku.type", "Standard_LRS or Standard_ZRS", SnapshotSkuName::parse),
            incremental: r.boolean("incremental", "incremental.type"),
        };
        Ok((options, r.finish("options.unknown", "option")))
    }
}

fn plan(options: &TemplateOptions) -> Result<plan::Plan> {
    plan::plan_checked(options, Vec::new())
}

/// The template for `options`, as pretty JSON text.
pub fn build_snapshot_template(options: &TemplateOptions) -> Result<String> {
    emit::template_text(&plan(options)?)
}

/// The parameters file matching [`build_snapshot_template`] for the same options, filled from
/// `disk` / `disks`.
pub fn build_template_parameters(options: &TemplateOptions) -> Result<String> {
    emit::parameters_text(&plan(options)?)
}

/// `buildSnapshotTemplate` on JSON text.
pub fn build_snapshot_template_json(options: &str) -> Result<String> {
    build_snapshot_template(&TemplateOptions::from_json_text(options)?)
}

/// `buildTemplateParameters` on JSON text.
pub fn build_template_parameters_json(options: &str) -> Result<String> {
    build_template_parameters(&TemplateOptions::from_json_text(options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn t(options: Value) -> Result<Value> {
        build_snapshot_template_json(&options.to_string()).map(|s| serde_json::from_str(&s).unwrap())
    }

    #[test]
    fn default_is_the_documented_template_with_lowercase_types() {
        let v = t(json!({})).unwrap();
        assert_eq!(v["parameters"]["diskName"]["type"], "string");
        let r = &v["resources"][0];
        assert_eq!(r["name"], "[concat(parameters('diskName'),'_snapshot1')]");
        assert_eq!(r["location"], "[resourceGroup().location]");
        assert_eq!(r["properties"]["creationData"]["sourceResourceId"], "[parameters('diskResourceId')]");
        assert_eq!(r["properties"]["incremental"], true);
    }

    #[test]
    fn rejects_old_api_versions_and_reports_everything() {
        let e = t(json!({ "apiVersion": "2018-09-30", "sku": "Premium_LRS", "incremental": false })).unwrap_err();
        let rules: Vec<&str> = e.violations.iter().map(|v| v.rule).collect();
        assert_eq!(rules, ["apiVersion.incremental", "sku.incremental", "incremental.required"]);
    }
}
