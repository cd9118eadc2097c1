//! Retries: which failures, how long to wait, and when a write may be sent again.
//!
//! Retryable: HTTP 408, 429, 500, 502, 503, 504 and network failures, at most
//! `max_retries` times. The wait is what the server asked for (`retry-after-ms`,
//! `x-ms-retry-after-ms`, or `Retry-After` in seconds or as an HTTP date), else exponential from
//! `retry_base_ms` with ±25% jitter, capped at `retry_max_ms`.
//!
//! Writes: ARM's PUT and DELETE are idempotent on a fixed URL (the snapshot name is chosen
//! before the first attempt, so a retried create can never make a second snapshot), so they are
//! retried like reads. POST (`beginGetAccess`, `endGetAccess`) is retried only when the server
//! said it did not take the request (429, 503); never after a broken connection or a 500.

use super::{ClientSettings, Failure, Method, Response};

/// The longest server-requested wait honoured (anything longer is cut to this).
const MAX_SERVER_DELAY_MS: u64 = 10 * 60 * 1000;

/// A small deterministic generator for jitter (xorshift64*), seeded by the shell.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator from a seed (0 is replaced by a fixed non-zero seed).
    pub fn new(seed: u64) -> Jitter {
        Jitter(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// A number in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The delay the server asked for, in ms, if it asked. `now_ms` resolves HTTP dates.
pub fn server_delay_ms(resp: &Response, now_ms: i64) -> Option<u64> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = resp.header(name).and_then(|v| parse_millis(v.trim())) {
            return Some(ms.min(MAX_SERVER_DELAY_MS));
        }
    }
    let value = resp.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs.saturating_mul(1000).min(MAX_SERVER_DELAY_MS));
    }
    let at = parse_http_date(value)?;
    let delta = at.saturating_sub(now_ms).max(0);
    Some((delta as u64).min(MAX_SERVER_DELAY_MS))
}

/// Whole milliseconds, optionally with a fraction (cut off): `250`, `250.75`. No floats parsed.
fn parse_millis(v: &str) -> Option<u64> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(whole.parse::<u64>().unwrap_or(u64::MAX))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to ms since the epoch.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let mut parts = rest.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()?.to_ascii_lowercase().as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if !parts.next()?.eq_ignore_ascii_case("GMT") {
        return None;
    }
    let iso = format!("{year:04}-{month:02}-{day:02}T{time}Z");
    let t = crate::time::parse_timestamp(&iso)?;
    Some(t.secs * 1000 + i64::from(t.nanos / 1_000_000))
}

/// Whether a status may be retried for `method`.
pub fn retryable_status(method: Method, status: u16) -> bool {
    match method {
        Method::Post => matches!(status, 429 | 503),
        _ => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
    }
}

/// Counts attempts of one request and decides on retries.
#[derive(Debug, Clone, Default)]
pub struct RetryState {
    retries: u32,
}

impl RetryState {
    /// Forget earlier attempts (a new request begins).
    pub fn reset(&mut self) {
        self.retries = 0;
    }

    /// `Some(delay)` when the outcome should be retried after `delay` ms.
    pub fn decide(
        &mut self,
        settings: &ClientSettings,
        method: Method,
        outcome: std::result::Result<&Response, &Failure>,
        now_ms: i64,
        jitter: &mut Jitter,
    ) -> Option<u64> {
        if self.retries >= settings.max_retries {
            return None;
        }
        let server = match outcome {
            Ok(resp) if retryable_status(method, resp.status) => server_delay_ms(resp, now_ms),
            Ok(_) => return None,
            Err(Failure::Aborted | Failure::Fatal(_)) => return None,
            Err(Failure::Network(_) | Failure::Timeout) if method == Method::Post => return None,
            Err(Failure::Network(_) | Failure::Timeout) => None,
        };
        if server.is_some_and(|wait| settings.max_retry_wait_ms.is_some_and(|max| wait > max)) {
            return None;
        }
        let backoff = {
            let exp = settings.retry_base_ms.saturating_mul(1u64 << self.retries.min(20));
            let capped = exp.min(settings.retry_max_ms) as f64;
            (capped * (0.75 + 0.5 * jitter.next_unit())) as u64
        };
        // A server that asks for no wait at all (`0`, a date in the past) gets the backoff.
        let delay = server.filter(|asked| *asked > 0).unwrap_or(backoff);
        self.retries += 1;
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::Endpoint;

    fn settings() -> ClientSettings {
        ClientSettings::new(Endpoint::parse("https://management.azure.com").unwrap())
    }

    fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: String::new(),
        }
    }

    #[test]
    fn server_delays_in_every_form() {
        assert_eq!(server_delay_ms(&resp(429, &[("Retry-After", "3")]), 0), Some(3000));
        assert_eq!(server_delay_ms(&resp(429, &[("retry-after-ms", "250"), ("Retry-After", "3")]), 0), Some(250));
        assert_eq!(server_delay_ms(&resp(429, &[("x-ms-retry-after-ms", "40")]), 0), Some(40));
        let now = parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(server_delay_ms(&resp(503, &[("Retry-After", "Wed, 21 Oct 2015 07:28:05 GMT")]), now), Some(5000));
        assert_eq!(server_delay_ms(&resp(503, &[("Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT")]), now), Some(0));
        assert_eq!(server_delay_ms(&resp(503, &[("Retry-After", "soon")]), now), None);
        assert_eq!(server_delay_ms(&resp(503, &[("Retry-After", "99999999")]), now), Some(MAX_SERVER_DELAY_MS));
    }

    #[test]
    fn bounded_exponential_with_jitter_and_safe_writes() {
        let s = settings();
        let mut j = Jitter::new(7);
        let mut r = RetryState::default();
        let five_hundred = resp(500, &[]);
        let mut delays = Vec::new();
        while let Some(d) = r.decide(&s, Method::Get, Ok(&five_hundred), 0, &mut j) {
            delays.push(d);
        }
        assert_eq!(delays.len(), 3);
        for (i, d) in delays.iter().enumerate() {
            let base = 1000u64 << i;
            assert!(*d >= base * 3 / 4 && *d <= base * 5 / 4, "{i}: {d}");
        }
        let mut r = RetryState::default();
        assert_eq!(r.decide(&s, Method::Post, Ok(&five_hundred), 0, &mut j), None);
        assert_eq!(r.decide(&s, Method::Post, Err(&Failure::Network("reset".into())), 0, &mut j), None);
        assert!(r.decide(&s, Method::Put, Err(&Failure::Network("reset".into())), 0, &mut j).is_some());
        assert_eq!(r.decide(&s, Method::Get, Err(&Failure::Aborted), 0, &mut j), None);
        assert_eq!(r.decide(&s, Method::Get, Ok(&resp(404, &[])), 0, &mut j), None);
        assert_eq!(r.decide(&s, Method::Post, Ok(&resp(429, &[("Retry-After", "1")])), 0, &mut j), Some(1000));
    }

    #[test]
    fn a_wait_longer_than_the_caller_allows_is_returned_not_slept() {
        let mut s = settings();
        s.max_retry_wait_ms = Some(5000);
        let mut j = Jitter::new(7);
        let mut r = RetryState::default();
        let long = resp(429, &[("Retry-After", "30")]);
        assert_eq!(r.decide(&s, Method::Get, Ok(&long), 0, &mut j), None);
        let short = resp(429, &[("Retry-After", "5")]);
        assert_eq!(r.decide(&s, Method::Get, Ok(&short), 0, &mut j), Some(5000));
        // Without Retry-After the client's own backoff applies, whatever the cap.
        assert!(r.decide(&s, Method::Get, Ok(&resp(503, &[])), 0, &mut j).is_some());
    }
}
