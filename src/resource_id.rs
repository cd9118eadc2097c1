//! ARM resource ids: parse, validate, format and compare.
//!
//! An id names a subscription, a resource group or a resource:
//! `/subscriptions/{guid}[/resourceGroups/{rg}[/providers/{Namespace}/{type}/{name}[/{type}/{name}]...]]`.
//! ARM treats ids case-insensitively (keywords and values alike), and tools that compared them as
//! plain strings broke when ARM changed the casing of a resource group. So: keywords are accepted
//! in any case and written canonically, values keep the casing they came with, and
//! [`ResourceId::eq_ignore_case`] is the comparison to use.
//!
//! Architecture invariant: a [`ResourceId`] that parsed is safe to put into a request path. Every
//! part is checked against ARM's naming rules and against anything that could change the path
//! (`/`, `?`, `#`, `%`, `\`, `..`, whitespace and control characters, over-long parts).

use crate::error::{Error, ErrorCode, Result};
use std::fmt;

/// Longest id accepted, in bytes (ARM's own URL limit is far above any valid id).
pub const MAX_ID_LEN: usize = 2048;
/// Longest name of a resource of a type without its own rule.
const MAX_GENERIC_NAME_LEN: usize = 260;

/// What an id points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceIdKind {
    /// `/subscriptions/{id}`
    Subscription,
    /// `/subscriptions/{id}/resourceGroups/{name}`
    ResourceGroup,
    /// Anything under `/providers/`.
    Resource,
}

impl ResourceIdKind {
    /// `"subscription"`, `"resourceGroup"` or `"resource"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceIdKind::Subscription => "subscription",
            ResourceIdKind::ResourceGroup => "resourceGroup",
            ResourceIdKind::Resource => "resource",
        }
    }
}

/// A validated ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    subscription_id: String,
    resource_group: Option<String>,
    /// Provider namespace, e.g. `Microsoft.Compute`.
    provider: Option<String>,
    /// `(type, name)` pairs from the outermost resource inwards.
    segments: Vec<(String, String)>,
}

/// The resource types this crate works with.
pub const DISKS: &str = "Microsoft.Compute/disks";
/// Snapshots' resource type.
pub const SNAPSHOTS: &str = "Microsoft.Compute/snapshots";

impl ResourceId {
    /// Parses and validates an id. A missing leading `/` is tolerated (official examples omit
    /// it), as is one trailing `/`; keywords may be in any case.
    pub fn parse(input: &str) -> Result<ResourceId> {
        parse_id(input)
            .map_err(|msg| Error::new(ErrorCode::InvalidResourceId, format!("{msg} (in resource id {})", quote(input))))
    }

    /// Parses an id that must name a resource of `resource_type` (e.g. [`DISKS`]).
    pub fn parse_of_type(input: &str, resource_type: &str) -> Result<ResourceId> {
        let id = ResourceId::parse(input)?;
        if !id.is_type(resource_type) {
            return Err(Error::new(
                ErrorCode::InvalidResourceId,
                format!("expected the id of a {resource_type} resource, got {}", quote(input)),
            ));
        }
        Ok(id)
    }

    /// Parses a scope for listing: a subscription or a resource group id.
    pub fn parse_scope(input: &str) -> Result<ResourceId> {
        let id = ResourceId::parse(input)?;
        if id.kind() == ResourceIdKind::Resource {
            return Err(Error::new(
                ErrorCode::InvalidResourceId,
                format!(
                    "expected /subscriptions/{{id}} or /subscriptions/{{id}}/resourceGroups/{{name}}, got {}",
                    quote(input)
                ),
            ));
        }
        Ok(id)
    }

    /// The id of a subscription.
    pub fn subscription(subscription_id: &str) -> Result<ResourceId> {
        ResourceId::parse(&format!("/subscriptions/{subscription_id}"))
    }

    /// The id of a Microsoft.Compute resource (`disks` or `snapshots`) in a resource group.
    pub fn compute(subscription_id: &str, resource_group: &str, compute_type: &str, name: &str) -> Result<ResourceId> {
        check_part(resource_group, "resource group name")?;
        check_part(name, "resource name")?;
        ResourceId::parse(&format!(
            "/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Compute/{compute_type}/{name}"
        ))
    }

    /// What the id points at.
    pub fn kind(&self) -> ResourceIdKind {
        if self.provider.is_some() {
            ResourceIdKind::Resource
        } else if self.resource_group.is_some() {
            ResourceIdKind::ResourceGroup
        } else {
            ResourceIdKind::Subscription
        }
    }

    /// The subscription GUID as written.
    pub fn subscription_id(&self) -> &str {
        &self.subscription_id
    }

    /// The resource group name, when the id has one.
    pub fn resource_group_name(&self) -> Option<&str> {
        self.resource_group.as_deref()
    }

    /// The full resource type, e.g. `Microsoft.Compute/snapshots`
    /// (nested: `Microsoft.Compute/virtualMachines/extensions`).
    pub fn resource_type(&self) -> Option<String> {
        let provider = self.provider.as_ref()?;
        let mut t = provider.clone();
        for (ty, _) in &self.segments {
            t.push('/');
            t.push_str(ty);
        }
        Some(t)
    }

    /// The innermost resource name.
    pub fn name(&self) -> Option<&str> {
        self.segments.last().map(|(_, n)| n.as_str())
    }

    /// Whether this names a resource of `resource_type`, compared ignoring case.
    pub fn is_type(&self, resource_type: &str) -> bool {
        self.resource_type().is_some_and(|t| t.eq_ignore_ascii_case(resource_type))
    }

    /// Whether this is a managed disk id.
    pub fn is_disk(&self) -> bool {
        self.is_type(DISKS)
    }

    /// Whether this is a snapshot id.
    pub fn is_snapshot(&self) -> bool {
        self.is_type(SNAPSHOTS)
    }

    /// The subscription and resource group this resource lives in, as a scope id.
    pub fn resource_group_scope(&self) -> Option<ResourceId> {
        Some(ResourceId {
            subscription_id: self.subscription_id.clone(),
            resource_group: Some(self.resource_group.clone()?),
            provider: None,
            segments: Vec::new(),
        })
    }

    /// The subscription scope of this id.
    pub fn subscription_scope(&self) -> ResourceId {
        ResourceId {
            subscription_id: self.subscription_id.clone(),
            resource_group: None,
            provider: None,
            segments: Vec::new(),
        }
    }

    /// Case-insensitive equality, as ARM compares ids: ASCII letters only (see [`ids_equal`]).
    pub fn eq_ignore_case(&self, other: &ResourceId) -> bool {
        self.to_string().eq_ignore_ascii_case(&other.to_string())
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/subscriptions/{}", self.subscription_id)?;
        if let Some(rg) = &self.resource_group {
            write!(f, "/resourceGroups/{rg}")?;
        }
        if let Some(p) = &self.provider {
            write!(f, "/providers/{p}")?;
            for (t, n) in &self.segments {
                write!(f, "/{t}/{n}")?;
            }
        }
        Ok(())
    }
}

/// The parts of a parsed id, as `parseResourceId` returns them to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedResourceId {
    /// The canonical id (keywords in canonical case, values as given).
    pub id: String,
    /// `subscription`, `resourceGroup` or `resource`.
    pub kind: &'static str,
    /// Subscription GUID.
    pub subscription_id: String,
    /// Resource group name, or null.
    pub resource_group: Option<String>,
    /// Provider namespace, or null.
    pub provider: Option<String>,
    /// Full resource type (`Microsoft.Compute/snapshots`), or null.
    pub resource_type: Option<String>,
    /// Innermost resource name, or null.
    pub name: Option<String>,
}

impl From<&ResourceId> for ParsedResourceId {
    fn from(id: &ResourceId) -> Self {
        ParsedResourceId {
            id: id.to_string(),
            kind: id.kind().as_str(),
            subscription_id: id.subscription_id.clone(),
            resource_group: id.resource_group.clone(),
            provider: id.provider.clone(),
            resource_type: id.resource_type(),
            name: id.name().map(str::to_string),
        }
    }
}

/// Compares two id strings as ARM does: ignoring case and a missing leading `/`.
/// Strings that do not parse are compared the same way as plain text.
///
/// Case is folded for ASCII letters only; any other character must be equal exactly. ARM ids
/// are ASCII in practice (subscription GUIDs, provider namespaces, types, and disk and snapshot
/// names are ASCII by rule); only a resource group name may hold other letters, and such a
/// group written in two different cases (`Ä` / `ä`) is taken as two groups. Full Unicode case
/// folding would cost its tables (about 11 KB gzip of wasm) on every consumer's load.
pub fn ids_equal(a: &str, b: &str) -> bool {
    trim_id(a).eq_ignore_ascii_case(trim_id(b))
}

/// An id as [`ids_equal`] compares it, as a key for maps and sets: trimmed of whitespace and
/// slashes at both ends, ASCII letters in lower case. `ids_equal(a, b) == (id_key(a) == id_key(b))`.
pub fn id_key(id: &str) -> String {
    trim_id(id).to_ascii_lowercase()
}

fn trim_id(s: &str) -> &str {
    s.trim().trim_start_matches('/').trim_end_matches('/')
}

/// An id (or part of one) quoted for a message: whole up to 300 characters (a long disk id fits),
/// else cut at a `/` ([`crate::error::excerpt`]), never in the middle of a segment.
fn quote(s: &str) -> String {
    const SHOWN: usize = 300;
    let (head, cut) = crate::error::excerpt(s, SHOWN);
    let shown: String = head.chars().flat_map(char::escape_debug).collect();
    if cut {
        format!("\"{shown}…\"")
    } else {
        format!("\"{shown}\"")
    }
}

fn parse_id(input: &str) -> std::result::Result<ResourceId, String> {
    if input.is_empty() {
        return Err("the id is empty".into());
    }
    if input.len() > MAX_ID_LEN {
        return Err(format!("the id is longer than {MAX_ID_LEN} characters"));
    }
    let body = input.strip_prefix('/').unwrap_or(input);
    let body = body.strip_suffix('/').unwrap_or(body);
    let parts: Vec<&str> = body.split('/').collect();
    for part in &parts {
        check_part(part, "segment").map_err(|e| e.message)?;
    }
    let mut it = parts.into_iter();
    match it.next() {
        Some(k) if k.eq_ignore_ascii_case("subscriptions") => {}
        _ => return Err("an ARM id starts with /subscriptions/".into()),
    }
    let subscription_id = it.next().ok_or("the subscription id is missing")?;
    if !is_guid(subscription_id) {
        return Err(format!("subscription id {} is not a GUID", quote(subscription_id)));
    }
    let mut id = ResourceId {
        subscription_id: subscription_id.to_string(),
        resource_group: None,
        provider: None,
        segments: Vec::new(),
    };
    let Some(next) = it.next() else { return Ok(id) };
    if next.eq_ignore_ascii_case("resourceGroups") {
        let rg = it.next().ok_or("the resource group name is missing")?;
        check_resource_group_name(rg)?;
        id.resource_group = Some(rg.to_string());
        let Some(next) = it.next() else { return Ok(id) };
        parse_provider(next, &mut it, &mut id)?;
    } else {
        parse_provider(next, &mut it, &mut id)?;
    }
    Ok(id)
}

fn parse_provider<'a>(
    keyword: &str,
    it: &mut impl Iterator<Item = &'a str>,
    id: &mut ResourceId,
) -> std::result::Result<(), String> {
    if !keyword.eq_ignore_ascii_case("providers") {
        return Err(format!("expected resourceGroups or providers, found {}", quote(keyword)));
    }
    let namespace = it.next().ok_or("the provider namespace is missing")?;
    check_namespace(namespace)?;
    id.provider = Some(namespace.to_string());
    while let Some(ty) = it.next() {
        let name = it.next().ok_or_else(|| format!("the name after {} is missing", quote(ty)))?;
        check_type_segment(ty)?;
        id.segments.push((ty.to_string(), name.to_string()));
    }
    if id.segments.is_empty() {
        return Err("the resource type and name are missing after the provider".into());
    }
    let full_type = id.resource_type().unwrap_or_default();
    let name = id.segments.last().map(|(_, n)| n.as_str()).unwrap_or_default();
    if full_type.eq_ignore_ascii_case(DISKS) || full_type.eq_ignore_ascii_case(SNAPSHOTS) {
        check_disk_or_snapshot_name(name)?;
    } else {
        for (_, n) in &id.segments {
            check_generic_name(n)?;
        }
    }
    Ok(())
}

/// Rejects anything that could change a request path, whatever the part.
fn check_part(part: &str, what: &str) -> Result<()> {
    let fail = |msg: String| Err(Error::new(ErrorCode::InvalidResourceId, msg));
    if part.is_empty() {
        return fail(format!("a {what} is empty (double or stray '/')"));
    }
    if part == "." || part == ".." || part.contains("..") {
        return fail(format!("{what} {} contains '..'", quote(part)));
    }
    if let Some(c) = part.chars().find(|c| {
        matches!(c, '/' | '?' | '#' | '%' | '\\' | '&' | '"' | '<' | '>' | '\'' | '`')
            || c.is_control()
            || c.is_whitespace()
    }) {
        return fail(format!("{what} {} contains the character {}", quote(part), c.escape_debug()));
    }
    Ok(())
}

/// Canonical GUID text, 8-4-4-4-12 hex digits.
pub fn is_guid(s: &str) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && parts.iter().zip(groups).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Resource group names (the rules of [`crate::rules`], one place): the first rule broken.
pub fn check_resource_group_name(rg: &str) -> std::result::Result<(), String> {
    first_broken(|v| crate::rules::names::check_resource_group(rg, "", v))
}

/// Disk and snapshot names (the rules of [`crate::rules`], one place): the first rule broken.
pub fn check_disk_or_snapshot_name(name: &str) -> std::result::Result<(), String> {
    first_broken(|v| crate::rules::names::check_resource_name(name, "", &format!("name {}", quote(name)), v))
}

fn first_broken(check: impl FnOnce(&mut crate::rules::Violations)) -> std::result::Result<(), String> {
    let mut violations = crate::rules::Violations::default();
    check(&mut violations);
    violations.0.into_iter().next().map_or(Ok(()), |v| Err(v.message))
}

fn check_namespace(ns: &str) -> std::result::Result<(), String> {
    let ok = !ns.is_empty()
        && ns.len() <= 128
        && ns.contains('.')
        && ns.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!("provider namespace {} is not like Microsoft.Compute", quote(ns)))
    }
}

fn check_type_segment(ty: &str) -> std::result::Result<(), String> {
    if !ty.is_empty() && ty.len() <= 128 && ty.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(format!("resource type {} is not a plain word", quote(ty)))
    }
}

fn check_generic_name(name: &str) -> std::result::Result<(), String> {
    if name.chars().count() > MAX_GENERIC_NAME_LEN {
        return Err(format!("name {} is longer than {MAX_GENERIC_NAME_LEN} characters", quote(name)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "00000000-0000-0000-0000-000000000000";

    fn ok(input: &str, canonical: &str, kind: ResourceIdKind) {
        let id = ResourceId::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(id.to_string(), canonical, "{input}");
        assert_eq!(id.kind(), kind, "{input}");
    }

    fn bad(input: &str, needle: &str) {
        let err = ResourceId::parse(input).expect_err(input);
        assert_eq!(err.code, ErrorCode::InvalidResourceId);
        assert!(err.message.contains(needle), "{input}: {}", err.message);
    }

    #[test]
    fn parses_scopes_and_resources() {
        ok(&format!("/subscriptions/{SUB}"), &format!("/subscriptions/{SUB}"), ResourceIdKind::Subscription);
        ok(
            &format!("/Subscriptions/{SUB}/resourcegroups/My(RG)-1.x/"),
            &format!("/subscriptions/{SUB}/resourceGroups/My(RG)-1.x"),
            ResourceIdKind::ResourceGroup,
        );
        ok(
            &format!("subscriptions/{SUB}/resourceGroups/rg/Providers/Microsoft.Compute/disks/d_1"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d_1"),
            ResourceIdKind::Resource,
        );
        ok(
            &format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/e"
            ),
            &format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/e"
            ),
            ResourceIdKind::Resource,
        );
    }

    #[test]
    fn rejects_path_changing_input() {
        let base = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/");
        bad(&format!("{base}a?b"), "character");
        bad(&format!("{base}a#b"), "character");
        bad(&format!("{base}a%2Fb"), "character");
        bad(&format!("{base}a\\b"), "character");
        bad(&format!("{base}a\nb"), "character");
        bad(&format!("{base}a b"), "character");
        bad(&format!("{base}../disks/x"), "..");
        bad(&format!("{base}a//b"), "empty");
        bad(&format!("{base}{}", "a".repeat(81)), "1 to 80");
        bad(&format!("{base}-a"), "start");
        bad(&format!("{base}a."), "end with");
        bad("/subscriptions/not-a-guid", "GUID");
        bad(&format!("/subscriptions/{SUB}/resourceGroups/rg."), "end with '.'");
        bad(&format!("/subscriptions/{SUB}/resourceGroups/{}", "r".repeat(91)), "1 to 90");
        bad(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks"), "missing");
        bad("", "empty");
        bad(&"/".repeat(3000), "longer");
    }

    #[test]
    fn compares_ignoring_case_and_leading_slash() {
        let a =
            ResourceId::parse(&format!("/subscriptions/{SUB}/resourceGroups/RG/providers/Microsoft.Compute/disks/D"))
                .unwrap();
        let b =
            ResourceId::parse(&format!("subscriptions/{SUB}/resourcegroups/rg/providers/microsoft.compute/Disks/d"))
                .unwrap();
        assert!(a.eq_ignore_case(&b));
        assert!(ids_equal(&a.to_string(), &b.to_string()));
        assert_eq!(id_key(&a.to_string()), id_key(&b.to_string()));
        assert_eq!(id_key(&format!(" {a}/ ")), id_key(&b.to_string()));
        assert!(ids_equal(&format!(" {a}/ "), &b.to_string()));
        assert!(b.is_disk() && !b.is_snapshot());
    }

    #[test]
    fn builds_compute_ids_with_name_rules() {
        let snap = ResourceId::compute(SUB, "rg", "snapshots", "d-snap").unwrap();
        assert!(snap.is_snapshot());
        assert_eq!(snap.name(), Some("d-snap"));
        assert!(ResourceId::compute(SUB, "rg", "snapshots", "x/../../y").is_err());
        assert!(ResourceId::compute(SUB, "rg", "snapshots", "bad name").is_err());
    }
}
