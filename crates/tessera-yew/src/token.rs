//! Reading a JWT in the browser: decoding for display, the `Authorization`
//! header, expiry and the refresh schedule.
//!
//! Decoding here never verifies the signature; only the server holds the key
//! that can. The browser reads the claims to show them and to refresh a token
//! before it expires, nothing more.

use std::fmt;
use std::time::Duration;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

use crate::json;

/// A JWT's header and claims as pretty-printed JSON, plus the claims the
/// session reads; the signature is left unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedToken {
    /// The JOSE header, e.g. `{"alg": "HS256", "typ": "JWT"}`, pretty-printed.
    pub header: String,
    /// The claims (payload), pretty-printed.
    pub claims: String,
    /// The claims the session reads; every other claim is only shown.
    pub known: Claims,
}

/// The claims the session reads: who (Tessera's `sub` and `username`) and
/// when (RFC 7519 §4.1, Unix seconds). The rest (e.g. `roles`) is in
/// [`DecodedToken::claims`]; `GET /me` has the current roles.
///
/// Each is optional: a token without them still decodes, it just has no
/// countdown, dates or name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// `sub`: the user's id.
    pub sub: Option<String>,
    /// `username`: the user's name when the token was issued.
    pub username: Option<String>,
    /// `iat`: issued at.
    pub iat: Option<i64>,
    /// `nbf`: not valid before.
    pub nbf: Option<i64>,
    /// `exp`: expires at.
    pub exp: Option<i64>,
    /// `acr`: the session's assurance level (RFC 8176, RFC 9470). `"0"` is a
    /// first step: the password alone, from a user who has a second factor.
    pub acr: Option<String>,
    /// `fresh`: issued by a sign-in just now, not by a refresh; the server
    /// asks for it before sensitive changes (adding a passkey, say).
    pub fresh: Option<bool>,
}

impl Claims {
    /// Whether these are a first step's: the protected routes refuse the
    /// token until [`crate::Session::verify_second_factor`] completes the
    /// sign-in.
    pub fn needs_second_factor(&self) -> bool {
        self.acr.as_deref() == Some("0")
    }
}

/// Why a string could not be read as a JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not `header.claims.signature`: three dot-separated parts, the header non-empty.
    Shape,
    /// The named part is not valid base64url.
    Base64(&'static str),
    /// The named part does not hold a JSON object (of the expected claim types).
    Json(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape => f.write_str("not a JWT: expected header.claims.signature"),
            Self::Base64(part) => write!(f, "the {part} is not valid base64url"),
            Self::Json(part) => write!(f, "the {part} is not a JSON object"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Splits a compact JWT and decodes its header and claims, without verification.
pub fn decode(token: &str) -> Result<DecodedToken, TokenError> {
    let (header, claims) = split(token)?;
    let (header, IgnoredAny) = read_part(header, "header")?;
    let (claims, known) = read_part(claims, "claims")?;
    Ok(DecodedToken {
        header: json::pretty(&header),
        claims: json::pretty(&claims),
        known,
    })
}

/// Decodes only the claims the session reads, without verification: what
/// [`decode`] gives as `known`, without the pretty-printing (nor its code in
/// an app that shows no token).
pub fn claims(token: &str) -> Result<Claims, TokenError> {
    let (_, claims) = split(token)?;
    read_part(claims, "claims").map(|(_, known)| known)
}

/// The header and claims parts of `header.claims.signature`.
fn split(token: &str) -> Result<(&str, &str), TokenError> {
    let mut parts = token.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(claims), Some(_signature), None) if !header.is_empty() => {
            Ok((header, claims))
        }
        _ => Err(TokenError::Shape),
    }
}

/// One base64url JSON object: its text and its typed reading.
fn read_part<T: DeserializeOwned>(
    part: &str,
    name: &'static str,
) -> Result<(String, T), TokenError> {
    let bytes = base64url_decode(part).ok_or(TokenError::Base64(name))?;
    let text = String::from_utf8(bytes).map_err(|_| TokenError::Json(name))?;
    if !text.trim_start().starts_with('{') {
        return Err(TokenError::Json(name));
    }
    let typed = json::parse(&text).ok_or(TokenError::Json(name))?;
    Ok((text, typed))
}

/// Decodes base64url (RFC 4648 §5); JWTs drop the `=` padding, but it is accepted.
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let input = input.trim_end_matches('=');
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in input.bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The `Authorization` header value for a token: `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Whether a token with this `exp` is expired at `now` (both Unix seconds).
///
/// The server may allow some leeway; the browser does not, so a token it keeps
/// is one the server still accepts.
pub fn is_expired(exp: i64, now: i64) -> bool {
    now >= exp
}

/// The latest a refresh is scheduled before `exp`: 30 s.
pub const REFRESH_MARGIN_MS: i64 = 30_000;

/// The shortest wait before a scheduled refresh: 1 s.
pub const MIN_REFRESH_DELAY_MS: i64 = 1_000;

/// How long to wait, at `now_ms` (Unix milliseconds), before refreshing an
/// access token with these claims; `None` for a token without `exp`.
///
/// The refresh is due at 80 % of the token's life or 30 s before `exp`,
/// whichever is later. It is never sooner than a tenth of the token's life
/// (and 1 s) from now: a browser clock running ahead of the server's makes every
/// new token look due, and this keeps that to ten refreshes per token life
/// instead of a loop. A token without `iat` counts its life from now.
pub fn refresh_delay_ms(claims: &Claims, now_ms: i64) -> Option<u32> {
    let exp_ms = claims.exp?.saturating_mul(1000);
    let iat_ms = claims.iat.map_or(now_ms, |iat| iat.saturating_mul(1000));
    let life_ms = exp_ms.saturating_sub(iat_ms).max(0);
    let due_ms = (iat_ms + life_ms / 5 * 4).max(exp_ms.saturating_sub(REFRESH_MARGIN_MS));
    let floor_ms = (life_ms / 10).max(MIN_REFRESH_DELAY_MS);
    // Not `clamp`: a long life's floor can exceed the cap.
    let delay_ms = due_ms.saturating_sub(now_ms).max(floor_ms);
    u32::try_from(delay_ms.min(i64::from(i32::MAX))).ok()
}

/// A countdown such as `1d 02h 03m`, `2h 03m 04s`, `3m 04s` or `4s`.
pub fn format_duration(seconds: u64) -> String {
    let (days, hours) = (seconds / 86_400, seconds / 3_600 % 24);
    let (minutes, secs) = (seconds / 60 % 60, seconds % 60);
    if days > 0 {
        format!("{days}d {hours:02}h {minutes:02}m")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m {secs:02}s")
    } else if minutes > 0 {
        format!("{minutes}m {secs:02}s")
    } else {
        format!("{secs}s")
    }
}

/// How long a token with these claims stays valid after `now` (Unix
/// seconds): zero once expired, `None` for a token without `exp`.
pub fn time_left(claims: &Claims, now: i64) -> Option<Duration> {
    let left = claims.exp?.saturating_sub(now).max(0);
    Some(Duration::from_secs(left.unsigned_abs()))
}

/// The browser clock in Unix milliseconds.
pub fn unix_now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The browser clock in Unix seconds.
pub fn unix_now() -> i64 {
    unix_now_ms().div_euclid(1000)
}
