//! `buildRestoreTemplate`: a deployable ARM template of the disk [`crate::restore`] would create
//! (one `Microsoft.Compute/disks` resource, its name a `diskName` parameter defaulting to
//! `options.name`, and the new disk's id as the `diskId` output), in ARM's usual key order.
//!
//! The resource's values are the validated body's; a literal string that starts with `[` is
//! escaped as `[[` so ARM never reads a tag value as an expression.

use super::emit::{pretty, Ordered, TEMPLATE_SCHEMA};
use crate::error::Result;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A template node: a JSON value, or an object whose keys keep their order.
enum Node {
    Value(Value),
    Object(Ordered<Node>),
    Array(Vec<Node>),
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Node::Value(v) => v.serialize(s),
            Node::Object(o) => o.serialize(s),
            Node::Array(a) => a.serialize(s),
        }
    }
}

fn text(s: &str) -> Node {
    Node::Value(Value::String(s.to_string()))
}

fn object(entries: Vec<(&str, Node)>) -> Node {
    Node::Object(Ordered(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// The template for a disk restored from `source` (JSON text, as `buildDiskConfig` takes it) with
/// `options`, as pretty JSON text.
pub fn build_restore_template_json(source: &str, options: &str) -> Result<String> {
    let config = crate::restore::config_of_json(source, options)?;
    let body = config.body;
    let mut resource = vec![
        ("type", text("Microsoft.Compute/disks")),
        ("apiVersion", Node::Value(Value::String(config.api_version.to_string()))),
        ("name", text("[parameters('diskName')]")),
    ];
    for key in ["location", "tags", "sku", "zones", "properties"] {
        if let Some(v) = body.get(key) {
            let mut v = v.clone();
            escape_literals(&mut v);
            resource.push((key, Node::Value(v)));
        }
    }
    let parameter = object(vec![
        ("type", text("string")),
        ("defaultValue", text(&config.name)),
        ("metadata", object(vec![("description", text("Name of the restored disk"))])),
    ]);
    let output = object(vec![
        ("type", text("string")),
        ("value", text("[resourceId('Microsoft.Compute/disks', parameters('diskName'))]")),
    ]);
    let template = object(vec![
        ("$schema", text(TEMPLATE_SCHEMA)),
        ("contentVersion", text("1.0.0.0")),
        ("parameters", object(vec![("diskName", parameter)])),
        ("resources", Node::Array(vec![object(resource)])),
        ("outputs", object(vec![("diskId", output)])),
    ]);
    pretty(&template)
}

/// Every string value that starts with `[` gets another `[`: a literal, not an expression.
fn escape_literals(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with('[') => s.insert(0, '['),
        Value::Array(a) => a.iter_mut().for_each(escape_literals),
        Value::Object(m) => m.values_mut().for_each(escape_literals),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tag_values_that_look_like_expressions_stay_literal() {
        let mut v = json!({ "a": "[x]", "b": ["[y", "z"] });
        escape_literals(&mut v);
        assert_eq!(v, json!({ "a": "[[x]", "b": ["[[y", "z"] }));
    }
}
