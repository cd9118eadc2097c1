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

use crate::api_version::{at_least, parse_api_version, DEFAULT_API_VERSION, MIN_INCREMENTAL};
use crate::error::{Error, Result, Violation};
use crate::models::{SnapshotSkuName, Tags};
use crate::resource_id::{ResourceId, DISKS};
use crate::rules::{self, check_resource_name, kind, merge, parse_options, quoted, Reader, Violations};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// `$schema` of templates.
pub const TEMPLATE_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/// `$schema` of parameter files.
pub const PARAMETERS_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";
const CONTENT_VERSION: &str = "1.0.0.0";

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

/// The keys of a `snapshotName` object.
const NAMING_KEYS: &[&str] = &["parameter", "defaultValue", "timestamp", "expression"];

impl TemplateOptions {
    /// Reads options from JSON text (`null` or empty: none). Each key is read with its own type
    /// check and unknown keys are refused; when any is refused, the error carries every such
    /// violation and every rule the other options break (templates need nothing else to check).
    pub fn from_json_text(text: &str) -> Result<TemplateOptions> {
        let (options, refused) = TemplateOptions::read(text)?;
        if refused.is_empty() {
            return Ok(options);
        }
        Err(match plan_checked(&options, refused) {
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

/// A disk the template is for.
#[derive(Debug, Clone)]
struct DiskEntry {
    name: String,
    id: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Naming {
    Documented,
    Fixed(String),
    Parameter { name: String, default_value: Option<String> },
    Timestamp,
    Expression(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    Single,
    CopyLoop,
    PerDisk,
}

/// Everything validated, ready to emit.
struct Plan {
    api_version: String,
    disks: Vec<DiskEntry>,
    layout: Layout,
    naming: Naming,
    tags: Option<Tags>,
    location: Option<String>,
    outputs: bool,
    sku: Option<SnapshotSkuName>,
}

fn read_disk(value: &Value, field: &str, v: &mut Violations) -> Option<DiskEntry> {
    let (id, name) = match value {
        Value::String(id) => (id.clone(), None),
        Value::Object(map) => {
            let mut text = |key: &str, rule: &'static str| match map.get(key).filter(|x| !x.is_null()) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => {
                    v.add(
                        format!("{field}.{key}"),
                        rule,
                        format!("the disk's {key} must be a string, got {}", kind(other)),
                    );
                    Err(())
                }
            };
            let (id, name) = (text("id", "disk.id"), text("name", "disk.shape"));
            match (id, name) {
                (Ok(Some(id)), Ok(name)) => (id, name),
                (Ok(None), _) => {
                    v.add(format!("{field}.id"), "disk.id", "the disk has no id");
                    return None;
                }
                _ => return None,
            }
        }
        other => {
            v.add(field, "disk.shape", format!("expected a disk object or a disk id, got {}", kind(other)));
            return None;
        }
    };
    match ResourceId::parse_of_type(&id, DISKS) {
        Ok(parsed) => {
            let name = name.or_else(|| parsed.name().map(str::to_string)).unwrap_or_default();
            Some(DiskEntry { name, id: parsed.to_string() })
        }
        Err(e) => {
            v.add(format!("{field}.id"), "disk.id", e.message);
            None
        }
    }
}

fn read_naming(value: Option<&Value>, v: &mut Violations) -> Naming {
    let map = match value {
        None => return Naming::Documented,
        Some(Value::String(name)) => {
            if is_expression(name) {
                return Naming::Expression(name.clone());
            }
            check_resource_name(
                name,
                "options.snapshotName",
                "a snapshot name",
                ["snapshotName.length", "snapshotName.chars", "snapshotName.start", "snapshotName.end"],
                v,
            );
            return Naming::Fixed(name.clone());
        }
        Some(Value::Object(map)) => map,
        Some(other) => {
            v.add(
                "options.snapshotName",
                "snapshotName.shape",
                format!(
                    "snapshotName must be a name, {{ parameter }}, {{ timestamp: true }} or {{ expression }}, got {}",
                    kind(other)
                ),
            );
            return Naming::Documented;
        }
    };
    let mut r = Reader::new(map, "options.snapshotName", NAMING_KEYS);
    let parameter = r.string("parameter", "snapshotName.shape");
    let default_value = r.string("defaultValue", "snapshotName.shape");
    let timestamp = r.boolean("timestamp", "snapshotName.shape");
    let expression = r.string("expression", "snapshotName.shape");
    let refused = r.finish("snapshotName.shape", "snapshotName key");
    let any_refused = !refused.is_empty();
    v.0.extend(refused);
    match (parameter, expression, timestamp, default_value) {
        (Some(p), None, None | Some(false), default_value) => {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || p.len() > 255 {
                let bad = rules::describe_chars(p.chars().filter(|c| !(c.is_ascii_alphanumeric() || *c == '_')));
                let found = if bad.is_empty() { String::new() } else { format!("; found {bad}") };
                v.add(
                    "options.snapshotName.parameter",
                    "snapshotName.parameterName",
                    format!("parameter names are 1 to 255 letters, digits and '_'{found}"),
                );
            }
            if ["diskName", "diskResourceId", "disks"].contains(&p.as_str()) {
                v.add(
                    "options.snapshotName.parameter",
                    "snapshotName.parameterName",
                    format!("{} is already a parameter of the template", quoted(&p)),
                );
            }
            Naming::Parameter { name: p, default_value }
        }
        (None, Some(e), None | Some(false), None) => {
            if !is_expression(&e) {
                v.add(
                    "options.snapshotName.expression",
                    "snapshotName.expression",
                    "an ARM expression is written [ ... ]",
                );
            }
            Naming::Expression(e)
        }
        (None, None, Some(true), None) => Naming::Timestamp,
        _ => {
            if !any_refused {
                v.add(
                    "options.snapshotName",
                    "snapshotName.shape",
                    "give exactly one of parameter, timestamp or expression",
                );
            }
            Naming::Documented
        }
    }
}

/// ARM's expression syntax: `[` … `]`, not `[[` (an escaped literal).
fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

fn plan(options: &TemplateOptions) -> Result<Plan> {
    plan_checked(options, Vec::new())
}

/// [`plan`] after reading refused `refused` (reported first; nothing more is said about them).
fn plan_checked(options: &TemplateOptions, refused: Vec<Violation>) -> Result<Plan> {
    let mut v = Violations::default();
    let api_version = match &options.api_version {
        None => DEFAULT_API_VERSION.to_string(),
        Some(a) => {
            match parse_api_version("options.apiVersion", a) {
                Err(e) => v.add("options.apiVersion", "apiVersion.format", e.message),
                Ok(_) if !at_least(a, MIN_INCREMENTAL) => v.add(
                    "options.apiVersion",
                    "apiVersion.incremental",
                    format!("incremental snapshots need api-version {MIN_INCREMENTAL} or later"),
                ),
                Ok(_) => {}
            }
            a.clone()
        }
    };
    let mut disks = Vec::new();
    if options.disk.is_some() && options.disks.is_some() {
        v.add("options.disk", "disks.both", "give disk or disks, not both");
    }
    if let Some(d) = &options.disk {
        disks.extend(read_disk(d, "options.disk", &mut v));
    }
    if options.disks.as_ref().is_some_and(|d| d.is_empty()) {
        v.add(
            "options.disks",
            "disks.empty",
            "an empty disks list would snapshot nothing; leave it out for the parameterized template",
        );
    }
    for (i, d) in options.disks.iter().flatten().enumerate() {
        disks.extend(read_disk(d, &format!("options.disks[{i}]"), &mut v));
    }
    for (i, d) in disks.iter().enumerate() {
        if disks[..i].iter().any(|o| o.id.eq_ignore_ascii_case(&d.id)) {
            v.add(
                format!("options.disks[{i}]"),
                "disks.unique",
                "the same disk twice would make two snapshots of one name",
            );
        }
        if let (Ok(a), Ok(b)) = (ResourceId::parse(&d.id), ResourceId::parse(&disks[0].id)) {
            if !a.subscription_id().eq_ignore_ascii_case(b.subscription_id()) {
                v.add(
                    format!("options.disks[{i}]"),
                    "disks.subscription",
                    "incremental snapshots are made in the disk's subscription: one template, one subscription",
                );
            }
        }
    }
    let layout = match options.layout.as_deref() {
        None if disks.len() > 1 => Layout::CopyLoop,
        None => Layout::Single,
        Some("copyLoop") => Layout::CopyLoop,
        Some("perDisk") => Layout::PerDisk,
        Some(other) => {
            v.add(
                "options.layout",
                "layout.value",
                format!("layout {} is neither \"copyLoop\" nor \"perDisk\"", quoted(other)),
            );
            Layout::Single
        }
    };
    if layout == Layout::PerDisk && disks.is_empty() {
        v.add("options.disks", "layout.perDiskNeedsDisks", "the perDisk layout needs the disks, to know how many");
    }
    let naming = read_naming(options.snapshot_name.as_ref(), &mut v);
    if matches!(naming, Naming::Fixed(_)) && (layout != Layout::Single || disks.len() > 1) {
        v.add("options.snapshotName", "snapshotName.fixedNeedsOneDisk", "a fixed name fits one snapshot only");
    }
    if matches!(naming, Naming::Expression(_)) && layout == Layout::PerDisk {
        v.add(
            "options.snapshotName",
            "snapshotName.expressionPerDisk",
            "one expression cannot name several resources; use copyLoop",
        );
    }
    if let Naming::Expression(e) = &naming {
        if layout == Layout::CopyLoop && !e.contains("copyIndex(") {
            v.add(
                "options.snapshotName",
                "snapshotName.expressionNeedsCopyIndex",
                "in a copy loop the name expression must use copyIndex(), or every snapshot gets the same name",
            );
        }
    }
    if let Some(tags) = &options.tags {
        rules::check_tags(tags, "options", &mut v);
    }
    if let Some(l) = &options.location {
        if !(is_expression(l)
            || (!l.is_empty() && l.len() <= 64 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')))
        {
            v.add("options.location", "location.format", "a region name such as westeurope, or an expression");
        }
    }
    match &options.sku {
        Some(SnapshotSkuName::PremiumLrs) => v.add(
            "options.sku",
            "sku.incremental",
            "incremental snapshots live on standard storage; Premium_LRS makes no sense for them",
        ),
        Some(SnapshotSkuName::Other(s)) => {
            v.add("options.sku", "sku.name", format!("unknown snapshot sku {}", quoted(s)))
        }
        _ => {}
    }
    if options.incremental == Some(false) {
        v.add(
            "options.incremental",
            "incremental.required",
            "this template makes incremental snapshots; incremental must stay true",
        );
    }
    Error::from_violations(merge(refused, v.0))?;
    Ok(Plan {
        api_version,
        disks,
        layout,
        naming,
        tags: options.tags.clone(),
        location: options.location.clone(),
        outputs: options.outputs.unwrap_or(false),
        sku: options.sku.clone(),
    })
}

/// A map that serializes its entries in insertion order.
struct Ordered<V>(Vec<(String, V)>);

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
    api_version: String,
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
            let (_, output_inner) = name_expression(plan, "parameters('disks')[copyIndex()].name");
            outputs.push((
                "snapshotIds".to_string(),
                Output { kind: "array", value: None, copy: Some(OutputCopy { count, input: id_of(&output_inner) }) },
            ));
            let _ = inner;
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
            values.push(("diskResourceId".to_string(), text(&plan.disks[0].id)));
        }
        Layout::CopyLoop => {
            let disks = plan.disks.iter().map(|d| DiskValue { name: d.name.clone(), id: d.id.clone() }).collect();
            values.push(("disks".to_string(), ParameterValue { value: ParamValue::Disks(disks) }));
        }
        Layout::PerDisk => {
            for (i, d) in plan.disks.iter().enumerate() {
                values.push((format!("diskName{}", i + 1), text(&d.name)));
                values.push((format!("diskResourceId{}", i + 1), text(&d.id)));
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

fn pretty<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid_argument("options", format!("cannot write the template: {e}")))
}

/// The template for `options`, as pretty JSON text.
pub fn build_snapshot_template(options: &TemplateOptions) -> Result<String> {
    pretty(&template(&plan(options)?))
}

/// The parameters file matching [`build_snapshot_template`] for the same options, filled from
/// `disk` / `disks`.
pub fn build_template_parameters(options: &TemplateOptions) -> Result<String> {
    pretty(&parameters_file(&plan(options)?)?)
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

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert!(is_expression("[a]") && !is_expression("[[a]") && !is_expression("a"));
    }
}
