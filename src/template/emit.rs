//! Emit: a [`Plan`] → the template or parameters file, serialized in ARM's usual key order.

use super::plan::{Layout, Naming, Plan};
use crate::api_version::ApiVersion;
use crate::error::{Error, Result};
use crate::models::{SnapshotSkuName, Tags};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// `$schema` of templates.
pub const TEMPLATE_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/// `$schema` of parameter files.
pub const PARAMETERS_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";
const CONTENT_VERSION: &str = "1.0.0.0";

/// A map that serializes its entries in insertion order.
pub(super) struct Ordered<V>(pub(super) Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Parameter {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_value: Option<String>,
    metadata: Description,
}

#[derive(Serialize)]
struct Description {
    description: String,
}

#[derive(Serialize)]
struct Copy {
    name: &'static str,
    count: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    #[serde(rename = "type")]
    kind: &'static str,
    api_version: ApiVersion,
    name: String,
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Tags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku: Option<Sku>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy: Option<Copy>,
    properties: Properties,
}

#[derive(Serialize)]
struct Sku {
    name: SnapshotSkuName,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    creation_data: CreationData,
    incremental: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationData {
    create_option: &'static str,
    source_resource_id: String,
}

#[derive(Serialize)]
struct Output {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy: Option<OutputCopy>,
}

#[derive(Serialize)]
struct OutputCopy {
    count: String,
    input: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Template {
    #[serde(rename = "$schema")]
    schema: &'static str,
    content_version: &'static str,
    parameters: Ordered<Parameter>,
    resources: Vec<Resource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<Ordered<Output>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParametersFile {
    #[serde(rename = "$schema")]
    schema: &'static str,
    content_version: &'static str,
    parameters: Ordered<ParameterValue>,
}

#[derive(Serialize)]
struct ParameterValue {
    value: ParamValue,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ParamValue {
    Text(String),
    Disks(Vec<DiskValue>),
}

#[derive(Serialize)]
struct DiskValue {
    name: String,
    id: String,
}

fn string_param(description: &str) -> Parameter {
    Parameter { kind: "string", default_value: None, metadata: Description { description: description.to_string() } }
}

/// Quotes text as an ARM string literal (single quotes doubled).
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The expression naming one snapshot, and the same without brackets (for use inside others).
fn name_expression(plan: &Plan, disk_name_expr: &str) -> (String, String) {
    let inner = match &plan.naming {
        Naming::Documented => format!("concat({disk_name_expr},'_snapshot1')"),
        Naming::Fixed(n) => return (n.clone(), literal(n)),
        Naming::Parameter { name, .. } if plan.layout == Layout::Single => format!("parameters('{name}')"),
        Naming::Parameter { name, .. } => format!("concat({disk_name_expr},'-',parameters('{name}'))"),
        Naming::Timestamp => format!("concat({disk_name_expr},'-snap-',parameters('snapshotTimestamp'))"),
        Naming::Expression(e) => e[1..e.len() - 1].to_string(),
    };
    (format!("[{inner}]"), inner)
}

fn resource(plan: &Plan, name: String, source: String, copy: Option<Copy>) -> Resource {
    Resource {
        kind: "Microsoft.Compute/snapshots",
        api_version: plan.api_version.clone(),
        name,
        location: plan.location.clone().unwrap_or_else(|| "[resourceGroup().location]".into()),
        tags: plan.tags.clone(),
        sku: plan.sku.clone().map(|name| Sku { name }),
        copy,
        properties: Properties {
            creation_data: CreationData { create_option: "Copy", source_resource_id: source },
            incremental: true,
        },
    }
}

fn naming_parameters(plan: &Plan, params: &mut Vec<(String, Parameter)>) {
    match &plan.naming {
        Naming::Parameter { name, default_value } => {
            let what = if plan.layout == Layout::Single {
                "Name of the snapshot"
            } else {
                "Suffix of each snapshot name, after the disk name and a dash"
            };
            let mut p = string_param(what);
            p.default_value = default_value.clone();
            params.push((name.clone(), p));
        }
        Naming::Timestamp => {
            let mut p =
                string_param("UTC time in each snapshot name; the default makes a new name at every deployment");
            p.default_value = Some("[utcNow('yyyyMMddHHmmss')]".into());
            params.push(("snapshotTimestamp".into(), p));
        }
        _ => {}
    }
}

fn template(plan: &Plan) -> Template {
    let mut params = Vec::new();
    let mut resources = Vec::new();
    let mut outputs = Vec::new();
    let id_of = |inner: &str| format!("[resourceId('Microsoft.Compute/snapshots', {inner})]");
    match plan.layout {
        Layout::Single => {
            params.push(("diskName".into(), string_param("Name of the disk to snapshot")));
            params.push(("diskResourceId".into(), string_param("ARM id of the disk to snapshot")));
            let (name, inner) = name_expression(plan, "parameters('diskName')");
            resources.push(resource(plan, name, "[parameters('diskResourceId')]".into(), None));
            outputs.push(("snapshotId".to_string(), Output { kind: "string", value: Some(id_of(&inner)), copy: None }));
        }
        Layout::CopyLoop => {
            params.push((
                "disks".into(),
                Parameter {
                    kind: "array",
                    default_value: None,
                    metadata: Description { description: "The disks to snapshot: [{ name, id }]".into() },
                },
            ));
            let count = "[length(parameters('disks'))]".to_string();
            let (name, inner) = name_expression(plan, "parameters('disks')[copyIndex()].name");
            resources.push(resource(
                plan,
                name,
                "[parameters('disks')[copyIndex()].id]".into(),
                Some(Copy { name: "snapshotLoop", count: count.clone() }),
            ));
            outputs.push((
                "snapshotIds".to_string(),
                Output { kind: "array", value: None, copy: Some(OutputCopy { count, input: id_of(&inner) }) },
            ));
        }
        Layout::PerDisk => {
            for i in 1..=plan.disks.len() {
                params.push((format!("diskName{i}"), string_param(&format!("Name of disk {i}"))));
                params.push((format!("diskResourceId{i}"), string_param(&format!("ARM id of disk {i}"))));
                let (name, inner) = name_expression(plan, &format!("parameters('diskName{i}')"));
                resources.push(resource(plan, name, format!("[parameters('diskResourceId{i}')]"), None));
                outputs.push((
                    format!("snapshotId{i}"),
                    Output { kind: "string", value: Some(id_of(&inner)), copy: None },
                ));
            }
        }
    }
    naming_parameters(plan, &mut params);
    Template {
        schema: TEMPLATE_SCHEMA,
        content_version: CONTENT_VERSION,
        parameters: Ordered(params),
        resources,
        outputs: plan.outputs.then_some(Ordered(outputs)),
    }
}

fn parameters_file(plan: &Plan) -> Result<ParametersFile> {
    if plan.disks.is_empty() {
        return Err(Error::invalid_argument("options.disks", "the parameters file needs disk or disks to fill in"));
    }
    let mut values = Vec::new();
    let text = |s: &str| ParameterValue { value: ParamValue::Text(s.to_string()) };
    match plan.layout {
        Layout::Single => {
            if plan.disks.len() > 1 {
                return Err(Error::invalid_argument(
                    "options.layout",
                    "several disks need the copyLoop or perDisk layout",
                ));
            }
            values.push(("diskName".to_string(), text(&plan.disks[0].name)));
            values.push(("diskResourceId".to_string(), text(&plan.disks[0].id.to_string())));
        }
        Layout::CopyLoop => {
            let disks = plan.disks.iter().map(|d| DiskValue { name: d.name.clone(), id: d.id.to_string() }).collect();
            values.push(("disks".to_string(), ParameterValue { value: ParamValue::Disks(disks) }));
        }
        Layout::PerDisk => {
            for (i, d) in plan.disks.iter().enumerate() {
                values.push((format!("diskName{}", i + 1), text(&d.name)));
                values.push((format!("diskResourceId{}", i + 1), text(&d.id.to_string())));
            }
        }
    }
    if let Naming::Parameter { name, default_value: None } = &plan.naming {
        let value = if plan.layout == Layout::Single {
            format!("{}_snapshot1", plan.disks[0].name)
        } else {
            "_snapshot1".into()
        };
        values.push((name.clone(), text(&value)));
    }
    Ok(ParametersFile { schema: PARAMETERS_SCHEMA, content_version: CONTENT_VERSION, parameters: Ordered(values) })
}

/// The template of `plan`, as pretty JSON text.
pub(super) fn template_text(plan: &Plan) -> Result<String> {
    pretty(&template(plan))
}

/// The parameters file of `plan` (which must name its disks), as pretty JSON text.
pub(super) fn parameters_text(plan: &Plan) -> Result<String> {
    pretty(&parameters_file(plan)?)
}

pub(super) fn pretty<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid_argument("options", format!("cannot write the template: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
    }
}
