//! Hand-written readers of the JSON the blob side takes back (checkpoints, the chain, a grant's
//! result), over [`serde_json::Value`] as the rest of the crate reads options: one generic
//! `Value` parser for all of them instead of a serde `Deserialize` per type (which costs the
//! wasm several KiB each).
//!
//! Rules, those of the serde derives they replace: unknown keys are refused where the derive had
//! `deny_unknown_fields` (`Fields::strict`); a missing or `null` optional field is `None`; a
//! missing list with a default is empty; numbers are whole and non-negative.

use super::extents::Extent;
use super::sas::BlobIdentity;
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// The fields of one JSON object, read by name; errors are `INVALID_JSON` on `field`.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    what: &'a str,
    field: &'static str,
}

/// Parses `text` as JSON (`INVALID_JSON` on `field` when it is not).
pub(crate) fn parse(text: &str, field: &'static str, what: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::invalid_json(field, format!("{what} could not be read: {e}")))
}

impl<'a> Fields<'a> {
    /// The object `v` (a `what`, for messages).
    pub(crate) fn of(v: &'a Value, field: &'static str, what: &'a str) -> Result<Fields<'a>> {
        match v {
            Value::Object(map) => Ok(Fields { map, what, field }),
            _ => Err(Error::invalid_json(field, format!("{what} could not be read: expected an object"))),
        }
    }

    /// Refuses keys outside `known`.
    pub(crate) fn strict(self, known: &[&str]) -> Result<Fields<'a>> {
        if let Some(k) = self.map.keys().find(|k| !known.contains(&k.as_str())) {
            let shown: String = k.chars().take(64).collect();
            return Err(self.bad(&format!("unknown field {shown:?}")));
        }
        Ok(self)
    }

    fn bad(&self, why: &str) -> Error {
        Error::invalid_json(self.field, format!("{} could not be read: {why}", self.what))
    }

    /// The value of `key`, `None` when missing or `null`.
    pub(crate) fn opt(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn req(&self, key: &str) -> Result<&'a Value> {
        self.map.get(key).ok_or_else(|| self.bad(&format!("missing field {key:?}")))
    }

    fn typed<T>(&self, key: &str, v: &'a Value, read: impl Fn(&'a Value) -> Option<T>, expected: &str) -> Result<T> {
        read(v).ok_or_else(|| self.bad(&format!("{key} must be {expected}")))
    }

    /// A whole number ≥ 0.
    pub(crate) fn u64(&self, key: &str) -> Result<u64> {
        self.typed(key, self.req(key)?, Value::as_u64, "a whole number")
    }

    /// A whole number that fits 32 bits.
    pub(crate) fn u32(&self, key: &str) -> Result<u32> {
        self.typed(key, self.req(key)?, |v| v.as_u64().and_then(|n| u32::try_from(n).ok()), "a 32-bit whole number")
    }

    /// A string.
    pub(crate) fn string(&self, key: &str) -> Result<String> {
        self.typed(key, self.req(key)?, |v| v.as_str().map(str::to_string), "a string")
    }

    /// An optional string.
    pub(crate) fn opt_string(&self, key: &str) -> Result<Option<String>> {
        self.opt(key).map(|v| self.typed(key, v, |v| v.as_str().map(str::to_string), "a string")).transpose()
    }

    /// A boolean.
    pub(crate) fn bool(&self, key: &str) -> Result<bool> {
        self.typed(key, self.req(key)?, Value::as_bool, "a boolean")
    }

    /// A list (`default_empty`: missing is empty), each item read by `item`.
    pub(crate) fn list<T>(
        &self,
        key: &str,
        default_empty: bool,
        item: impl Fn(&'a Value) -> Result<T>,
    ) -> Result<Vec<T>> {
        let v = match self.map.get(key) {
            None if default_empty => return Ok(Vec::new()),
            None => self.req(key)?,
            Some(v) => v,
        };
        self.typed(key, v, Value::as_array, "a list")?.iter().map(item).collect()
    }

    /// A blob identity `{ origin, path, snapshot? }`.
    pub(crate) fn identity(&self, key: &str) -> Result<BlobIdentity> {
        identity(self.req(key)?, self.field)
    }

    /// An optional blob identity.
    pub(crate) fn opt_identity(&self, key: &str) -> Result<Option<BlobIdentity>> {
        self.opt(key).map(|v| identity(v, self.field)).transpose()
    }
}

/// `{ origin, path, snapshot? }` (other keys ignored, as the derive did).
pub(crate) fn identity(v: &Value, field: &'static str) -> Result<BlobIdentity> {
    let f = Fields::of(v, field, "a blob identity")?;
    Ok(BlobIdentity { origin: f.string("origin")?, path: f.string("path")?, snapshot: f.opt_string("snapshot")? })
}

/// `{ start, end, cleared }`.
pub(crate) fn extent(v: &Value, field: &'static str) -> Result<Extent> {
    let f = Fields::of(v, field, "an extent")?;
    Ok(Extent { start: f.u64("start")?, end: f.u64("end")?, cleared: f.bool("cleared")? })
}
