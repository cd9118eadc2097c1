//! The client's operations, each a state machine over [`Caller`](super::lro::Caller),
//! [`Lro`](super::lro::Lro) and the paged [`Listing`](super::paging::Listing), one module each:
//! `get` (one resource), `list` (every item of a listing), `list_incremental` (a disk's chain),
//! `create` (a new snapshot, also a CopyStart copy; `copy_progress` reads its background copy),
//! `single_request` (delete, grant and revoke access) with `access` (the grant's options),
//! `immutability` (set or lock a snapshot's immutability policy).
//!
//! Every operation outputs JSON text (a resource, an array, or `null`), which the shell hands to
//! JavaScript as plain objects.

mod access;
mod copy_progress;
mod create;
mod get;
mod immutability;
mod list;
mod list_incremental;
mod restore;
mod single_request;

pub use access::GrantAccessOptions;
pub use create::CreateSnapshot;
pub use get::GetResource;
pub use immutability::{
    immutability_body, PolicyAction, ReadImmutability, UpdateImmutability, IMMUTABILITY_API_VERSION,
};
pub use list::ListAll;
pub use list_incremental::{ListIncremental, SearchScope};
pub use restore::{in_progress_from, RestoreDisk, RestoreFrom};
pub use single_request::SingleRequest;

use super::{errors, ClientSettings, Response};
use crate::error::Result;
use crate::resource_id::ResourceId;

/// A resource an operation starts from (the source of a create or copy, the disk of a listing):
/// its id, or the object ARM returned.
#[derive(Debug, Clone)]
pub enum ResourceRef {
    /// A disk or snapshot id: read first.
    Id(ResourceId),
    /// The JSON text of the object ARM returned.
    Object(String),
}

impl ResourceRef {
    /// An id string (of a resource of `expected_type`).
    pub fn id(text: &str, field: &str, expected_type: &str) -> Result<ResourceRef> {
        resource_id(text, field, expected_type).map(ResourceRef::Id)
    }
}

/// Parses an id argument `field` of a resource of `expected_type`.
pub fn resource_id(text: &str, field: &str, expected_type: &str) -> Result<ResourceId> {
    ResourceId::parse_of_type(text, expected_type).map_err(|e| e.with_field(field))
}

fn resource_url(settings: &ClientSettings, id: &ResourceId) -> String {
    settings.endpoint.url(&id.to_string(), &settings.api_version)
}

fn require_json_object(resp: &Response, what: &str) -> Result<String> {
    let v = crate::read::raw_value(&resp.body)
        .ok_or_else(|| errors::invalid_response(resp, what, crate::read::why_not(&resp.body, "a JSON object")))?;
    if !v.starts_with('{') {
        return Err(errors::invalid_response(resp, what, "it is not a JSON object"));
    }
    Ok(resp.body.clone())
}

/// The reply to a GET of one resource: its JSON object, or the error ARM answered.
fn resource_body(resp: &Response, what: &str, now_ms: i64) -> Result<String> {
    if resp.status != 200 {
        return Err(errors::from_response(resp, now_ms));
    }
    require_json_object(resp, what)
}
