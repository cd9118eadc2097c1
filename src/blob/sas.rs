//! SAS URLs: validation, the blob they name, and keeping their signatures out of errors.
//!
//! Rule (the ARM endpoint rule, [`crate::arm::Endpoint::parse`]): `https://`, or `http://` on a
//! loopback host only. No fragment, no user info, no whitespace or control characters (the URL
//! also travels in headers: `x-ms-copy-source`, `x-ms-previous-snapshot-url`).

use crate::arm::Endpoint;
use crate::error::{Error, ErrorCode, Result, REDACTED};
use serde::Serialize;

/// The blob a SAS URL names, without its signature: what a checkpoint is tied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobIdentity {
    /// `scheme://host[:port]`, lower-case.
    pub origin: String,
    /// The path, `/container/blob`, as given.
    pub path: String,
    /// The `snapshot` query parameter, percent-decoded, when the URL names a blob snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

impl BlobIdentity {
    /// `origin/path[?snapshot=…]`: safe to show.
    pub fn display(&self) -> String {
        match &self.snapshot {
            Some(s) => format!("{}{}?snapshot={s}", self.origin, self.path),
            None => format!("{}{}", self.origin, self.path),
        }
    }
}

/// A validated SAS URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SasUrl {
    url: String,
    identity: BlobIdentity,
    secrets: Vec<String>,
}

impl std::fmt::Debug for SasUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SasUrl({})", self.identity.display())
    }
}

/// Percent-decodes `s` (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything outside RFC 3986's unreserved characters (for query values).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl SasUrl {
    /// Validates `url`, blaming `field` (e.g. `"sourceUrl"`). Errors never quote the query.
    pub fn parse(url: &str, field: &str) -> Result<SasUrl> {
        let bad = |why: &str| Error::invalid_argument(field, format!("{field} is not a usable SAS URL: {why}"));
        if url.len() > 8192 {
            return Err(bad("longer than 8192 characters"));
        }
        if url.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b >= 0x80) {
            return Err(bad("it contains whitespace, control or non-ASCII characters"));
        }
        if url.contains('#') {
            return Err(bad("it has a fragment"));
        }
        let Some(scheme_end) = url.find("://") else {
            return Err(bad("not an absolute http(s) URL"));
        };
        let after = &url[scheme_end + 3..];
        let authority_len = after.find(['/', '?']).unwrap_or(after.len());
        let origin_text = &url[..scheme_end + 3 + authority_len];
        let endpoint = Endpoint::parse(origin_text).map_err(|e| {
            if e.code == ErrorCode::UntrustedUrl {
                Error::new(
                    ErrorCode::UntrustedUrl,
                    format!("{field} uses plain http off loopback; a SAS URL must be https (http only for 127.0.0.1, localhost, [::1])"),
                )
                .with_field(field)
            } else {
                bad("not an absolute http(s) URL with a host")
            }
        })?;
        let rest = &after[authority_len..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.len() < 2 || !path.starts_with('/') || path.ends_with('/') || !path[1..].contains('/') {
            return Err(bad("the path must name a blob: /container/blob"));
        }
        let mut snapshot = None;
        let mut secrets = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k).to_ascii_lowercase();
            match key.as_str() {
                "snapshot" => {
                    if snapshot.is_some() {
                        return Err(bad("it has two snapshot parameters"));
                    }
                    snapshot = Some(percent_decode(v));
                }
                "sig" => {
                    for s in [v.to_string(), percent_decode(v)] {
                        if !s.is_empty() && !secrets.contains(&s) {
                            secrets.push(s);
                        }
                    }
                }
                "comp" | "marker" | "blockid" => {
                    return Err(bad("it carries an operation parameter (comp, marker); give the blob's SAS URL"));
                }
                _ => {}
            }
        }
        let identity = BlobIdentity { origin: endpoint.origin().to_string(), path: path.to_string(), snapshot };
        Ok(SasUrl { url: url.to_string(), identity, secrets })
    }

    /// The URL as given (signature included): only for requests.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The blob it names.
    pub fn identity(&self) -> &BlobIdentity {
        &self.identity
    }

    /// Same page blob (origin and path), whatever the snapshot.
    pub fn same_blob(&self, other: &SasUrl) -> bool {
        self.identity.origin == other.identity.origin && self.identity.path == other.identity.path
    }

    /// The URL with `extra` (`comp=page`) appended to its query.
    pub fn with_query(&self, extra: &str) -> String {
        let sep = if self.url.contains('?') {
            if self.url.ends_with('?') || self.url.ends_with('&') {
                ""
            } else {
                "&"
            }
        } else {
            "?"
        };
        format!("{}{sep}{extra}", self.url)
    }

    /// Removes this URL's signature (every form) from `err`.
    pub fn redact(&self, err: &mut Error) {
        for s in &self.secrets {
            err.redact(s);
        }
    }
}

/// Replaces the value of every `sig=` query parameter in `text` (also `sig%3D`, any case) with
/// `[redacted]`: for service messages, which may echo URLs.
pub fn scrub(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hit = ["sig=", "sig%3d"].iter().find(|p| lower[i..].starts_with(**p)).map(|p| p.len());
        let boundary = i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric();
        match hit {
            Some(len) if boundary => {
                out.push_str(&text[i..i + len]);
                i += len;
                let end = text[i..]
                    .find(|c: char| c == '&' || c == '"' || c == '\'' || c == '<' || c == '>' || c.is_whitespace())
                    .map_or(text.len(), |e| i + e);
                if end > i {
                    out.push_str(REDACTED);
                }
                i = end;
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_and_scrub() {
        assert_eq!(percent_decode("2021-08-05T20%3A58%3A06.9Z"), "2021-08-05T20:58:06.9Z");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(scrub("x?sv=1&sig=abc%2Bd&se=2 sig=q"), "x?sv=1&sig=[redacted]&se=2 sig=[redacted]");
        assert_eq!(scrub("SIG%3Dsecret' é"), "SIG%3D[redacted]' é");
        assert_eq!(scrub("mysig=keep"), "mysig=keep");
    }
}
