//! Device tokens: the signed value of OWASP's "device cookie". A client that
//! signed in as a user is handed one naming that user; showing it again lets
//! the client keep signing in while guesses from elsewhere have locked the
//! username (see `limits`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{AuthError, TokenService};
use crate::clock::{new_id, unix_now};

/// `typ` of device tokens; never accepted as an access or refresh token, nor they as one.
pub(crate) const DEVICE_TYP: &str = "device+jwt";

/// The claims of a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeviceClaims {
    /// The username it was issued for, lower-cased (usernames match regardless of case).
    pub(crate) sub: String,
    /// The account's id: a name deleted and registered again is another account.
    pub(crate) uid: i64,
    /// The account's credential version at issue: a password change (or reset)
    /// voids every device cookie made before it, so cookies collected with an
    /// old password buy no guesses at the new one.
    pub(crate) cv: i64,
    /// Random: names this device in the per-device limit.
    pub(crate) jti: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aud: Option<String>,
    iat: u64,
    nbf: u64,
    exp: u64,
}

impl TokenService {
    /// Signs a device token for account `uid` named `username` at credential
    /// version `cv`, valid for `ttl`.
    pub(crate) fn device_token(
        &self,
        (uid, username, cv): (i64, &str, i64),
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = unix_now();
        let claims = DeviceClaims {
            sub: username.to_ascii_lowercase(),
            uid,
            cv,
            jti: new_id(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + ttl.as_secs(),
        };
        self.sign(DEVICE_TYP, &claims)
    }

    /// Checks a device token's signature, key, `typ` and lifetime; returns its claims.
    pub(crate) fn verify_device(&self, token: &str) -> Result<DeviceClaims, AuthError> {
        let (claims, _): (DeviceClaims, _) =
            self.decode(token, DEVICE_TYP, AuthError::MalformedToken)?;
        let (iss, aud) = (claims.iss.as_deref(), claims.aud.as_deref());
        self.check_times_and_audience(claims.exp, claims.nbf, iss, aud)?;
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::JwtSecret;
    use crate::token::{Grant, TokenSettings};

    fn service() -> TokenService {
        TokenService::new(&JwtSecret::generate(), TokenSettings::default())
    }

    #[test]
    fn device_tokens_name_the_account_its_password_and_the_user_in_lower_case() {
        let tokens = service();
        let token = tokens
            .device_token((7, "Alice", 3), Duration::from_secs(60))
            .unwrap();
        let claims = tokens.verify_device(&token).unwrap();
        assert_eq!(claims.sub, "alice");
        assert_eq!((claims.uid, claims.cv), (7, 3));
        assert_eq!(claims.jti.len(), 32);
    }

    #[test]
    fn device_tokens_are_no_other_kind_of_token() {
        let tokens = service();
        let device = tokens
            .device_token((1, "alice", 0), Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            tokens.verify_access::<crate::token::NoExtraClaims>(&device),
            Err(AuthError::NotAccessToken)
        );
        assert_eq!(
            tokens.verify_refresh(&device),
            Err(AuthError::NotRefreshToken)
        );
        let grant = Grant {
            user_id: 1,
            username: "alice".to_owned(),
            roles: Vec::new(),
            session_id: "s".to_owned(),
            fresh: true,
            email_verified: None,
        };
        let access = tokens.issue_access(&grant, crate::token::NoExtraClaims {});
        assert!(tokens.verify_device(&access.unwrap().token).is_err());
        let other = service()
            .device_token((1, "alice", 0), Duration::from_secs(60))
            .unwrap();
        assert!(
            tokens.verify_device(&other).is_err(),
            "another server's key"
        );
    }
}
