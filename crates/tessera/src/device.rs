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
use crate::users::Account;

/// The cookie's name.
pub(crate) const COOKIE_NAME: &str = "tessera_device";

/// How long a device cookie lasts; every successful sign-in issues a new one.
pub(crate) const COOKIE_TTL: Duration = Duration::from_secs(180 * 24 * 3600);

/// At most this many device cookies of a request are checked (each costs a signature check).
const MAX_PRESENTED: usize = 4;

/// The id of a device cookie in `headers` that this server signed for `user`
/// (the same account, at its current credential version) and that is still
/// valid, if there is one. An unknown user has no trusted devices.
pub(crate) fn trusted_device(
    tokens: &TokenService,
    headers: &HeaderMap,
    user: Option<&Account>,
) -> Option<String> {
    let user = user?;
    presented(headers)
        .take(MAX_PRESENTED)
        .filter_map(|token| tokens.verify_device(token).ok())
        .find(|claims| {
            claims.uid == user.id
                && claims.cv == user.identity.version
                && claims.sub.eq_ignore_ascii_case(&user.identity.username)
        })
        .map(|claims| claims.jti)
}

/// A `Set-Cookie` value handing out a new device cookie for `user`.
pub(crate) fn issue(
    tokens: &TokenService,
    user: &Account,
    secure: bool,
) -> Result<HeaderValue, String> {
    let account = (
        user.id,
        user.identity.username.as_str(),
        user.identity.version,
    );
    let token = tokens
        .device_token(account, COOKIE_TTL)
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
    use crate::users::Identity;

    fn cookie_headers(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(COOKIE, HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    fn user(id: i64, username: &str, version: i64) -> Account {
        Account {
            id,
            identity: Identity {
                id: id.to_string(),
                username: username.to_owned(),
                roles: Vec::new(),
                version,
                email_verified: None,
            },
        }
    }

    #[test]
    fn an_issued_cookie_is_trusted_for_its_account_at_its_password_only() {
        let tokens = TokenService::new(&JwtSecret::generate(), TokenSettings::default());
        let alice = user(1, "Alice", 0);
        let set_cookie = issue(&tokens, &alice, false).unwrap();
        let set_cookie = set_cookie.to_str().unwrap();
        assert!(
            set_cookie.contains("; HttpOnly; SameSite=Strict"),
            "{set_cookie}"
        );
        assert!(!set_cookie.contains("Secure"));
        let pair = set_cookie.split(';').next().unwrap();
        let headers = cookie_headers(&["theme=dark", &format!("other=1; {pair}")]);
        let trusted = |user: &Account| trusted_device(&tokens, &headers, Some(user)).is_some();
        assert!(trusted(&alice));
        assert!(
            trusted(&user(1, "ALICE", 0)),
            "names match regardless of case"
        );
        assert!(!trusted(&user(2, "bob", 0)));
        assert!(
            !trusted(&user(1, "Alice", 1)),
            "a new password voids the cookie"
        );
        assert!(
            !trusted(&user(7, "alice", 0)),
            "a name registered again is another account"
        );
        assert!(
            trusted_device(&tokens, &headers, None).is_none(),
            "unknown user"
        );
        let forged = cookie_headers(&[&format!("{COOKIE_NAME}=x.y.z")]);
        assert!(trusted_device(&tokens, &forged, Some(&alice)).is_none());
        assert!(issue(&tokens, &alice, true)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
    }
}
