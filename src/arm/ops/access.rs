//! `grantAccess`'s options: validated into the `beginGetAccess` body.

use crate::error::{Error, Result, Violation};
use serde::Deserialize;

/// The longest grant ARM gives: 60 days (5,184,000 s); a longer one is a client error.
pub const MAX_SAS_SECONDS: i64 = 60 * 86_400;

/// Options of `grantAccess`: `{ durationInSeconds, access?: "Read", fileFormat? }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantAccessOptions {
    /// Seconds the SAS stays valid (1 s to 60 days, ARM's limit).
    pub duration_in_seconds: i64,
    /// `Read` (default) or `Write`.
    #[serde(default)]
    pub access: Option<String>,
    /// `VHD` or `VHDX`.
    #[serde(default)]
    pub file_format: Option<String>,
}

impl GrantAccessOptions {
    /// The validated `beginGetAccess` body as JSON text.
    pub fn to_body(&self) -> Result<String> {
        let mut problems = Vec::new();
        let mut refuse = |field: &str, rule, message: &str| {
            problems.push(Violation { field: format!("options.{field}"), rule, message: message.into() });
        };
        if !(1..=MAX_SAS_SECONDS).contains(&self.duration_in_seconds) {
            refuse(
                "durationInSeconds",
                "grantAccess.duration",
                "durationInSeconds must be between 1 and 5184000 (60 days)",
            );
        }
        let access = self.access.clone().unwrap_or_else(|| "Read".into());
        if !["Read", "Write"].iter().any(|a| a.eq_ignore_ascii_case(&access)) {
            refuse("access", "grantAccess.access", "access must be Read or Write");
        }
        if let Some(f) = &self.file_format {
            if !["VHD", "VHDX"].iter().any(|a| a.eq_ignore_ascii_case(f)) {
                refuse("fileFormat", "grantAccess.fileFormat", "fileFormat must be VHD or VHDX");
            }
        }
        Error::from_violations(problems)?;
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            access: &'a str,
            duration_in_seconds: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            file_format: Option<&'a str>,
        }
        let body = Body {
            access: &access,
            duration_in_seconds: self.duration_in_seconds,
            file_format: self.file_format.as_deref(),
        };
        serde_json::to_string(&body).map_err(|e| Error::invalid_argument("options", e.to_string()))
    }
}
