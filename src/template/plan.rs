//! Plan: validated template options → what the template holds (disks, layout, naming, the
//! settings of every snapshot resource). Every rule is checked here; emitting cannot fail on
//! the options.

use super::TemplateOptions;
use crate::api_version::ApiVersion;
use crate::error::{Error, Result, Violation};
use crate::models::{SnapshotSkuName, Tags};
use crate::resource_id::{ResourceId, DISKS};
use crate::rules::{
    check_location, check_resource_name, check_sku, check_tags, describe_chars, is_expression, kind, merge, quoted,
    read_api_version, require_incremental, Reader, Violations,
};
use serde_json::Value;

/// The keys of a `snapshotName` object.
const NAMING_KEYS: &[&str] = &["parameter", "defaultValue", "timestamp", "expression"];

/// A disk the template is for, its id parsed once.
#[derive(Debug, Clone)]
pub(super) struct DiskEntry {
    pub(super) name: String,
    pub(super) id: ResourceId,
}

/// How snapshots are named.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Naming {
    Documented,
    Fixed(String),
    Parameter { name: String, default_value: Option<String> },
    Timestamp,
    Expression(String),
}

/// How the resources are laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Layout {
    Single,
    CopyLoop,
    PerDisk,
}

/// Everything validated, ready to emit.
pub(super) struct Plan {
    pub(super) api_version: ApiVersion,
    pub(super) disks: Vec<DiskEntry>,
    pub(super) layout: Layout,
    pub(super) naming: Naming,
    pub(super) tags: Option<Tags>,
    pub(super) location: Option<String>,
    pub(super) outputs: bool,
    pub(super) sku: Option<SnapshotSkuName>,
}

/// The plan of `options`, after reading found `refused` (reported first; nothing more is said
/// about them).
pub(super) fn plan_checked(options: &TemplateOptions, refused: Vec<Violation>) -> Result<Plan> {
    let mut v = Violations::default();
    let api_version = read_api_version(options.api_version.as_deref(), &mut v);
    require_incremental(&api_version, &mut v);
    let disks = read_disks(options, &mut v);
    let layout = read_layout(options.layout.as_deref(), &disks, &mut v);
    let naming = read_naming(options.snapshot_name.as_ref(), &mut v);
    check_naming_fits_layout(&naming, layout, disks.len(), &mut v);
    if let Some(tags) = &options.tags {
        check_tags(tags, "options", &mut v);
    }
    if let Some(l) = &options.location {
        check_location(l, true, &mut v);
    }
    if let Some(sku) = &options.sku {
        check_sku(sku, true, &mut v);
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

/// `disk` or `disks`: each a disk id or object, all different, all in one subscription.
fn read_disks(options: &TemplateOptions, v: &mut Violations) -> Vec<DiskEntry> {
    let mut disks = Vec::new();
    if options.disk.is_some() && options.disks.is_some() {
        v.add("options.disk", "disks.both", "give disk or disks, not both");
    }
    if let Some(d) = &options.disk {
        disks.extend(read_disk(d, "options.disk", v));
    }
    if options.disks.as_ref().is_some_and(|d| d.is_empty()) {
        v.add(
            "options.disks",
            "disks.empty",
            "an empty disks list would snapshot nothing; leave it out for the parameterized template",
        );
    }
    for (i, d) in options.disks.iter().flatten().enumerate() {
        disks.extend(read_disk(d, &format!("options.disks[{i}]"), v));
    }
    for (i, d) in disks.iter().enumerate() {
        if disks[..i].iter().any(|o| o.id.eq_ignore_case(&d.id)) {
            v.add(
                format!("options.disks[{i}]"),
                "disks.unique",
                "the same disk twice would make two snapshots of one name",
            );
        }
        if !d.id.subscription_id().eq_ignore_ascii_case(disks[0].id.subscription_id()) {
            v.add(
                format!("options.disks[{i}]"),
                "disks.subscription",
                "incremental snapshots are made in the disk's subscription: one template, one subscription",
            );
        }
    }
    disks
}

/// One disk: an id, or an object with `id` and an optional `name` (other keys are ignored: it
/// may be the disk ARM returned).
fn read_disk(value: &Value, field: &str, v: &mut Violations) -> Option<DiskEntry> {
    let (id, name) = match value {
        Value::String(id) => (id.clone(), None),
        Value::Object(map) => {
            let mut r = Reader::new(map, field, &[]);
            let id = r.string("id", "disk.id");
            let name = r.string("name", "disk.shape");
            let id_refused = id.is_none() && r.value("id").is_some();
            let any_refused = !r.v.0.is_empty();
            v.0.extend(r.v.0);
            match id {
                Some(id) if !any_refused => (id, name),
                None if !id_refused => {
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
        Ok(id) => {
            let name = name.or_else(|| id.name().map(str::to_string)).unwrap_or_default();
            Some(DiskEntry { name, id })
        }
        Err(e) => {
            v.add(format!("{field}.id"), "disk.id", e.message);
            None
        }
    }
}

/// `layout`: given, or a copy loop for several disks (`layout.value`, `layout.perDiskNeedsDisks`).
fn read_layout(layout: Option<&str>, disks: &[DiskEntry], v: &mut Violations) -> Layout {
    let layout = match layout {
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
    layout
}

/// `snapshotName`: absent (the documented name), a name or an expression, or an object with
/// exactly one of `parameter`, `timestamp`, `expression`.
fn read_naming(value: Option<&Value>, v: &mut Violations) -> Naming {
    let map = match value {
        None => return Naming::Documented,
        Some(Value::String(name)) if is_expression(name) => return Naming::Expression(name.clone()),
        Some(Value::String(name)) => {
            check_resource_name(name, "options.snapshotName", "a snapshot name", v);
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
            check_parameter_name(&p, v);
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

/// The name of the `snapshotName` parameter: ARM's parameter name rules, and not one the
/// template already has (`snapshotName.parameterName`).
fn check_parameter_name(p: &str, v: &mut Violations) {
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || p.len() > 255 {
        let bad = describe_chars(p.chars().filter(|c| !(c.is_ascii_alphanumeric() || *c == '_')));
        let found = if bad.is_empty() { String::new() } else { format!("; found {bad}") };
        v.add(
            "options.snapshotName.parameter",
            "snapshotName.parameterName",
            format!("parameter names are 1 to 255 letters, digits and '_'{found}"),
        );
    }
    if ["diskName", "diskResourceId", "disks"].contains(&p) {
        v.add(
            "options.snapshotName.parameter",
            "snapshotName.parameterName",
            format!("{} is already a parameter of the template", quoted(p)),
        );
    }
}

/// A fixed name names one snapshot; an expression names several only in a copy loop, with
/// `copyIndex()`.
fn check_naming_fits_layout(naming: &Naming, layout: Layout, disk_count: usize, v: &mut Violations) {
    match naming {
        Naming::Fixed(_) if layout != Layout::Single || disk_count > 1 => {
            v.add("options.snapshotName", "snapshotName.fixedNeedsOneDisk", "a fixed name fits one snapshot only")
        }
        Naming::Expression(_) if layout == Layout::PerDisk => v.add(
            "options.snapshotName",
            "snapshotName.expressionPerDisk",
            "one expression cannot name several resources; use copyLoop",
        ),
        Naming::Expression(e) if layout == Layout::CopyLoop && !e.contains("copyIndex(") => v.add(
            "options.snapshotName",
            "snapshotName.expressionNeedsCopyIndex",
            "in a copy loop the name expression must use copyIndex(), or every snapshot gets the same name",
        ),
        _ => {}
    }
}
