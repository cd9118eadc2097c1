//! The crate's one error type.
//!
//! Every failure, from a malformed resource id to an ARM throttling reply, is an [`Error`] with a
//! stable [`ErrorCode`]. The codes are part of the public contract: JavaScript callers switch on
//! `error.code`, so a code's string never changes once released (see README "Error codes").
//!
//! Architecture invariant: an `Error` never contains a bearer token. Messages are built from
//! resource ids, field names and ARM's own error text only.

use std::fmt;

/// Stable, machine-readable error codes. `as_str` gives the string JavaScript sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An argument is missing, of the wrong type or breaks a documented rule.
    InvalidArgument,
    /// A string is not a valid ARM resource id, or not the kind of id expected.
    InvalidResourceId,
    /// Input that should be JSON (a resource, a list page) is not valid JSON of the expected shape.
    InvalidJson,
    /// ARM answered 404.
    NotFound,
    /// ARM answered 401 (missing, invalid or expired token).
    Unauthorized,
    /// ARM answered 403 (the principal lacks a permission).
    Forbidden,
    /// ARM answered 409, or a snapshot name already exists.
    Conflict,
    /// ARM answered 429 and the retries were used up.
    Throttled,
    /// A long-running operation ended `Failed` or `Canceled`, or a copy reported an error.
    OperationFailed,
    /// Any other ARM error reply.
    ArmError,
    /// The request could not be sent or the connection broke, after retries.
    Network,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// ARM handed back a URL (nextLink, Location, Azure-AsyncOperation) on another origin,
    /// or the endpoint itself is not trusted (plain http off loopback).
    UntrustedUrl,
    /// A response could not be understood (truncated or malformed body, missing header).
    InvalidResponse,
    /// A bounded loop (polling, paging, retries) reached its limit.
    Timeout,
}

impl ErrorCode {
    /// Every code: the one list. The package exports it as `errorCodes()`; native tests check the
    /// TypeScript union and the README table against it, a Node test the page's and the worker's
    /// per-code tables.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidResourceId,
        ErrorCode::InvalidJson,
        ErrorCode::NotFound,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::Throttled,
        ErrorCode::OperationFailed,
        ErrorCode::ArmError,
        ErrorCode::Network,
        ErrorCode::Aborted,
        ErrorCode::UntrustedUrl,
        ErrorCode::InvalidResponse,
        ErrorCode::Timeout,
    ];

    /// The stable string form, e.g. `"INVALID_RESOURCE_ID"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidResourceId => "INVALID_RESOURCE_ID",
            ErrorCode::InvalidJson => "INVALID_JSON",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Throttled => "THROTTLED",
            ErrorCode::OperationFailed => "OPERATION_FAILED",
            ErrorCode::ArmError => "ARM_ERROR",
            ErrorCode::Network => "NETWORK",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::UntrustedUrl => "UNTRUSTED_URL",
            ErrorCode::InvalidResponse => "INVALID_RESPONSE",
            ErrorCode::Timeout => "TIMEOUT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule found by validation: which field, which rule, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The offending field as a JSON path from the options or resource root, e.g. `"sku.name"`.
    pub field: String,
    /// A short stable rule name, e.g. `"name.pattern"`, `"copyStart.sameRegion"`.
    pub rule: &'static str,
    /// A sentence for people.
    pub message: String,
}

/// ARM's own description of a failure, as its error body and headers gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmErrorInfo {
    /// HTTP status of the reply (0 when the failure was not an HTTP reply, e.g. an LRO body).
    pub status: u16,
    /// ARM's code (`x-ms-error-code` wins over the body's `error.code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm_code: Option<String>,
    /// `error.target` from the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `x-ms-request-id`, else `x-ms-correlation-request-id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `error.details` as ARM sent them (code, target, message each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ArmErrorDetail>,
    /// Seconds the server asked to wait, when it did (throttling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// One entry of ARM's `error.details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArmErrorDetail {
    /// Detail code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Detail target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Detail message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The crate's error: a stable code, a message, and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Stable code.
    pub code: ErrorCode,
    /// A sentence for people; never contains a token.
    pub message: String,
    /// The offending input field, when one is to blame.
    pub field: Option<String>,
    /// Every rule broken, when validation found several (the first also fills `field`).
    pub violations: Vec<Violation>,
    /// ARM's side of the story, for errors that came from a reply.
    pub arm: Option<Box<ArmErrorInfo>>,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), field: None, violations: Vec::new(), arm: None }
    }

    /// `INVALID_ARGUMENT` blaming `field`.
    pub fn invalid_argument(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message).with_field(field)
    }

    /// `INVALID_JSON` blaming `field`.
    pub fn invalid_json(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidJson, message).with_field(field)
    }

    /// `INVALID_ARGUMENT` carrying every violation found; `field` is the first one's.
    /// Returns `Ok(())` when `violations` is empty, so validators can end with it.
    pub fn from_violations(violations: Vec<Violation>) -> Result<()> {
        let Some(first) = violations.first() else {
            return Ok(());
        };
        let message = if violations.len() == 1 {
            format!("{}: {}", first.field, first.message)
        } else {
            let all: Vec<String> = violations.iter().map(|v| format!("{}: {}", v.field, v.message)).collect();
            format!("{} problems: {}", violations.len(), all.join("; "))
        };
        let field = first.field.clone();
        Err(Error { code: ErrorCode::InvalidArgument, message, field: Some(field), violations, arm: None })
    }

    /// Sets the offending field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Prefixes the field path with `prefix` (e.g. `disk` + `id` → `disk.id`).
    pub fn in_field(mut self, prefix: &str) -> Self {
        self.field = Some(match self.field.take() {
            Some(inner) if !inner.is_empty() => format!("{prefix}.{inner}"),
            _ => prefix.to_string(),
        });
        for v in &mut self.violations {
            v.field = format!("{prefix}.{}", v.field);
        }
        self
    }

    /// Removes every form of `secret` (the bearer token) from everything this error says: its
    /// message, field, violations and ARM's code, target, request id and details. ARM and proxies
    /// in front of it have been seen echoing the `Authorization` header in error replies; the
    /// forms removed are the raw text, its JSON-escaped form and its percent-encoded forms, plus a
    /// prefix of at least 8 characters left at the end of a text that was cut short. The one place
    /// where errors are scrubbed: the shell calls it with every token a call used.
    pub fn redact(&mut self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let forms = secret_forms(secret);
        let scrub = |text: &mut String| redact_text(text, &forms);
        scrub(&mut self.message);
        if let Some(f) = self.field.as_mut() {
            scrub(f);
        }
        for v in &mut self.violations {
            scrub(&mut v.field);
            scrub(&mut v.message);
        }
        if let Some(arm) = self.arm.as_mut() {
            for t in [&mut arm.arm_code, &mut arm.target, &mut arm.request_id].into_iter().flatten() {
                scrub(t);
            }
            for d in &mut arm.details {
                for t in [&mut d.code, &mut d.target, &mut d.message].into_iter().flatten() {
                    scrub(t);
                }
            }
        }
    }

    /// The HTTP status when this error came from an ARM reply.
    pub fn status(&self) -> Option<u16> {
        self.arm.as_ref().map(|a| a.status).filter(|s| *s != 0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The forms a secret can take in text: as it is, JSON-escaped, percent-encoded (upper- and
/// lower-case hex, and with `+` for space as forms encode it).
fn secret_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let mut json = String::new();
    for c in secret.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '/' => json.push_str("\\/"),
            c if (c as u32) < 0x20 => json.push_str(&format!("\\u{:04x}", c as u32)),
            c => json.push(c),
        }
    }
    // Percent-encoded as RFC 3986 strictly, as encodeURIComponent and as encodeURI do it, each
    // with upper- and lower-case hex; and as forms encode it (`+` for a space).
    let mut encoded = Vec::new();
    for keep in ["-._~", "-._~!*'()", "-._~!*'();,/?:@&=+$#"] {
        let mut upper = String::new();
        for b in secret.bytes() {
            if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) {
                upper.push(b as char);
            } else {
                upper.push_str(&format!("%{b:02X}"));
            }
        }
        encoded.push(lower_hex_escapes(&upper));
        encoded.push(upper.replace("%20", "+"));
        encoded.push(upper);
    }
    // JSON writers that escape more than they must (System.Text.Json writes `+` as `\u002B`).
    let mut unicode = String::new();
    for c in secret.chars() {
        if c.is_ascii_alphanumeric() || "-._~=".contains(c) || !c.is_ascii() {
            unicode.push(c);
        } else {
            unicode.push_str(&format!("\\u{:04X}", c as u32));
        }
    }
    for f in [json, unicode].into_iter().chain(encoded) {
        if !forms.contains(&f) {
            forms.push(f);
        }
    }
    // Longest first, so a form that contains another is removed whole.
    crate::sort::stable_sort_by(&mut forms, |a, b| b.len().cmp(&a.len()));
    forms
}

/// The start of `text` for a message: whole when it has at most `max` characters, else cut at
/// the last boundary (`/`, whitespace, `,`, `;`, `&`, `?`) within `max` characters, so an id or a
/// word is never cut in the middle (cut at `max` only when the text has no boundary in its second
/// half). The second value says whether it was cut (the caller adds `…`).
pub fn excerpt(text: &str, max: usize) -> (&str, bool) {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return (text, false);
    };
    let head = &text[..end];
    let boundary = head
        .char_indices()
        .filter(|(_, c)| matches!(c, '/' | ',' | ';' | '&' | '?') || c.is_whitespace())
        .map(|(i, _)| i)
        .next_back()
        .filter(|&i| head[..i].chars().count() >= max / 2);
    match boundary {
        Some(i) => (&head[..i], true),
        None => (head, true),
    }
}

fn lower_hex_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push('%');
            out.push((b[i + 1] as char).to_ascii_lowercase());
            out.push((b[i + 2] as char).to_ascii_lowercase());
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn redact_text(text: &mut String, forms: &[String]) {
    for f in forms {
        if text.contains(f.as_str()) {
            *text = text.replace(f.as_str(), REDACTED);
        }
    }
    // A text cut short (an excerpt of a reply) may end inside a secret.
    for f in forms {
        let min = 8.min(f.len());
        for len in (min..f.len()).rev() {
            if !f.is_char_boundary(len) {
                continue;
            }
            if text.ends_with(&f[..len]) {
                let keep = text.len() - len;
                text.truncate(keep);
                text.push_str(REDACTED);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_screaming_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
        }
    }

    fn all_strings() -> Vec<&'static str> {
        ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
    }

    fn read(path: &str) -> String {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
    }

    /// The `ErrorCode` union of src/wasm/types.d.ts (TypeScript needs the literals) lists exactly
    /// `ErrorCode::ALL`, in its order.
    #[test]
    fn the_typescript_union_lists_every_code() {
        let dts = read("src/wasm/types.d.ts");
        let start = dts.find("export type ErrorCode =").expect("types.d.ts declares `export type ErrorCode =`");
        let rest = &dts[start + "export type ErrorCode =".len()..];
        let union = &rest[..rest.find(';').expect("the ErrorCode union ends with `;`")];
        let listed: Vec<&str> = union
            .split('|')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| {
                m.strip_prefix('"')
                    .and_then(|m| m.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("not a string literal: {m}"))
            })
            .collect();
        assert_eq!(listed, all_strings(), "src/wasm/types.d.ts ErrorCode union vs ErrorCode::ALL");
    }

    /// The table under README "## Error codes" lists exactly `ErrorCode::ALL`, in its order.
    #[test]
    fn the_readme_table_lists_every_code() {
        let readme = read("README.md");
        let start = readme.find("\n## Error codes\n").expect("README has a `## Error codes` section");
        let section = &readme[start + 1..];
        let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
        let listed: Vec<&str> = section
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .map(|l| &l[..l.find('`').expect("a code cell ends with a backtick")])
            .collect();
        assert_eq!(listed, all_strings(), "README error-code table vs ErrorCode::ALL");
    }

    #[test]
    fn violations_are_reported_together_with_the_first_field() {
        let err = Error::from_violations(vec![
            Violation { field: "name".into(), rule: "name.pattern", message: "bad".into() },
            Violation { field: "sku.name".into(), rule: "sku.incremental", message: "no".into() },
        ])
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert_eq!(err.field.as_deref(), Some("name"));
        assert_eq!(err.violations.len(), 2);
        assert!(err.message.starts_with("2 problems"), "{}", err.message);
        assert_eq!(Error::from_violations(Vec::new()), Ok(()));
    }

    #[test]
    fn in_field_prefixes_field_and_violations() {
        let err = Error::invalid_argument("id", "x").in_field("disk");
        assert_eq!(err.field.as_deref(), Some("disk.id"));
    }

    #[test]
    fn redact_removes_every_form_of_the_secret() {
        let token = "eyJ0eX+/a=b\"c d";
        let json_form = "eyJ0eX+\\/a=b\\\"c d";
        let url_form = "eyJ0eX%2B%2Fa%3Db%22c%20d";
        let mut e = Error::new(
            ErrorCode::Unauthorized,
            format!("bad token {token} / {json_form} / {url_form} / {}", url_form.to_lowercase()),
        );
        e.field = Some(format!("x{token}"));
        e.arm = Some(Box::new(ArmErrorInfo {
            status: 401,
            arm_code: Some(format!("Bearer {token}")),
            target: Some(url_form.into()),
            request_id: Some(format!("id-{}", &token[..10])),
            details: vec![ArmErrorDetail {
                code: Some(token.into()),
                target: Some(json_form.into()),
                message: Some(format!("echo: Bearer {token}")),
            }],
            retry_after_ms: None,
        }));
        e.redact(token);
        let all = format!("{e:?}");
        assert!(!all.contains("eyJ0eX"), "{all}");
        assert!(e.message.contains(REDACTED));
    }

    #[test]
    fn redact_leaves_other_text_alone() {
        let mut e = Error::new(ErrorCode::NotFound, "the disk d1 was not found");
        e.redact("secret-token-value");
        assert_eq!(e.message, "the disk d1 was not found");
    }
}
