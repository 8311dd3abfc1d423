//! The device cookie (OWASP Authentication cheat sheet, "device cookies").
//!
//! A successful sign-in hands the client a signed, HttpOnly, SameSite=Strict
//! cookie naming the user (Secure when the request came over HTTPS). A sign-in
//! for that user that shows it counts against its own per-device limit instead
//! of the username's limits, so guesses from other addresses cannot lock out a
//! client that has signed in before.

use std::time::Duration;

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};

use crate::token::TokenService;

/// The cookie's name.
pub(crate) const COOKIE_NAME: &str = "tessera_device";

/// How long a device cookie lasts; every successful sign-in issues a new one.
pub(crate) const COOKIE_TTL: Duration = Duration::from_secs(180 * 24 * 3600);

/// At most this many device cookies of a request are checked (each costs a signature check).
const MAX_PRESENTED: usize = 4;

/// The id of a device cookie in `headers` that this server signed for
/// `username` (letter case aside) and that is still valid, if there is one.
pub(crate) fn trusted_device(
    tokens: &TokenService,
    headers: &HeaderMap,
    username: &str,
) -> Option<String> {
    presented(headers)
        .take(MAX_PRESENTED)
        .filter_map(|token| tokens.verify_device(token).ok())
        .find(|claims| claims.sub.eq_ignore_ascii_case(username))
        .map(|claims| claims.jti)
}

/// A `Set-Cookie` value handing out a new device cookie for `username`.
pub(crate) fn issue(
    tokens: &TokenService,
    username: &str,
    secure: bool,
) -> Result<HeaderValue, String> {
    let token = tokens
        .device_token(username, COOKIE_TTL)
        .map_err(|err| err.to_string())?;
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE_NAME}={token}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        COOKIE_TTL.as_secs()
    );
    HeaderValue::from_str(&cookie).map_err(|err| err.to_string())
}

/// The values of every `tessera_device` cookie the request carries.
fn presented(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|line| line.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE_NAME).then(|| value.trim_matches('"'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::JwtSecret;
    use crate::token::TokenSettings;

    fn cookie_headers(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(COOKIE, HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    #[test]
    fn an_issued_cookie_is_trusted_for_its_user_only() {
        let tokens = TokenService::new(&JwtSecret::generate(), TokenSettings::default());
        let set_cookie = issue(&tokens, "Alice", false).unwrap();
        let set_cookie = set_cookie.to_str().unwrap();
        assert!(
            set_cookie.contains("; HttpOnly; SameSite=Strict"),
            "{set_cookie}"
        );
        assert!(!set_cookie.contains("Secure"));
        let pair = set_cookie.split(';').next().unwrap();
        let headers = cookie_headers(&["theme=dark", &format!("other=1; {pair}")]);
        assert!(trusted_device(&tokens, &headers, "alice").is_some());
        assert!(trusted_device(&tokens, &headers, "ALICE").is_some());
        assert!(trusted_device(&tokens, &headers, "bob").is_none());
        let forged = cookie_headers(&[&format!("{COOKIE_NAME}=x.y.z")]);
        assert!(trusted_device(&tokens, &forged, "alice").is_none());
        assert!(issue(&tokens, "alice", true)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
    }
}
