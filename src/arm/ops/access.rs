//! `grantAccess`'s options: validated into the `beginGetAccess` body.

use crate::error::{Error, Result, Violation};

/// The longest grant ARM gives: 60 days (5,184,000 s); a longer one is a client error.
pub const MAX_SAS_SECONDS: i64 = 60 * 86_400;

/// Options of `grantAccess`: `{ durationInSeconds, access?: "Read", fileFormat? }`.
#[derive(Debug, Clone)]
pub struct GrantAccessOptions {
    /// Seconds the SAS stays valid (1 s to 60 days, ARM's limit).
    pub duration_in_seconds: i64,
    /// `Read` (default) or `Write`.
    pub access: Option<String>,
    /// `VHD` or `VHDX`.
    pub file_format: Option<String>,
}

impl GrantAccessOptions {
    /// Reads the options' JSON text (an object; unknown keys refused), `INVALID_ARGUMENT` on
    /// `options` when it does not read.
    pub fn from_json(text: &str) -> Result<GrantAccessOptions> {
        const KNOWN: [&str; 3] = ["durationInSeconds", "access", "fileFormat"];
        let bad = |why: String| Error::invalid_argument("options", format!("grantAccess options: {why}"));
        let v = crate::read::parse(text).map_err(|e| bad(e.to_string()))?;
        let m = match &v {
            serde_json::Value::Object(m) => m,
            _ => return Err(bad("expected an object".into())),
        };
        if let Some(k) = m.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            let shown: String = k.chars().take(64).collect();
            return Err(bad(format!(
                "unknown option {shown:?}, expected one of durationInSeconds, access, fileFormat"
            )));
        }
        let duration_in_seconds = match m.get("durationInSeconds") {
            None => return Err(bad("durationInSeconds is required".into())),
            Some(d) => d.as_i64().ok_or_else(|| bad("durationInSeconds must be a whole number of seconds".into()))?,
        };
        let text = |key: &str| crate::read::str_at(Some(m), key, "").map_err(bad).map(|s| s.map(str::to_string));
        Ok(GrantAccessOptions { duration_in_seconds, access: text("access")?, file_format: text("fileFormat")? })
    }

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
