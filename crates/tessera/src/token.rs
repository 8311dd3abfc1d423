//! Issuing and verifying access tokens (HS256 JWTs).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AuthError;
use crate::secret::JwtSecret;

/// The claims of every Tessera access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user's numeric id, as a string (RFC 7519 §4.1.2).
    pub sub: String,
    /// The user's name at the time of issue.
    pub username: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Not valid before, seconds since the Unix epoch.
    pub nbf: u64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Random unique token id.
    pub jti: String,
}

/// Lifetimes used by a [`TokenService`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSettings {
    /// How long an access token stays valid. Defaults to 15 minutes.
    pub access_ttl: Duration,
    /// Clock skew tolerated on `exp` and `nbf`, whole seconds. Defaults to 5 seconds.
    pub leeway: Duration,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            leeway: Duration::from_secs(5),
        }
    }
}

/// A freshly signed token and its lifetime.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Its claims, as signed.
    pub claims: Claims,
}

/// Signs and checks tokens. Build it once (keys and [`Validation`] are
/// prepared here, not per request) and share it behind an `Arc`.
pub struct TokenService {
    header: Header,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
}

impl TokenService {
    /// A service signing with HS256 under `secret`.
    pub fn new(secret: &JwtSecret, settings: TokenSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Pinned: the token's own `alg` header is never trusted.
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = settings.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "sub"]);
        Self {
            header: Header::new(Algorithm::HS256),
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            access_ttl: settings.access_ttl,
        }
    }

    /// How long the tokens this service issues stay valid.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Signs an access token for user `user_id` named `username`.
    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let now = unix_now();
        let expires_in = self.access_ttl.as_secs();
        let claims = Claims {
            sub: user_id.to_string(),
            username: username.to_owned(),
            iat: now,
            nbf: now,
            exp: now + expires_in,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        let token = jsonwebtoken::encode(&self.header, &claims, &self.encoding)?;
        Ok(IssuedToken {
            token,
            expires_in,
            claims,
        })
    }

    /// Checks the signature, algorithm, `exp` and `nbf` of `token` and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| {
                tracing::debug!(error = %err, "token rejected");
                match err.kind() {
                    ErrorKind::ExpiredSignature => AuthError::Expired,
                    ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                    ErrorKind::InvalidSignature => AuthError::BadSignature,
                    ErrorKind::InvalidAlgorithm
                    | ErrorKind::InvalidAlgorithmName
                    | ErrorKind::MissingAlgorithm => AuthError::WrongAlgorithm,
                    ErrorKind::MissingRequiredClaim(_) => AuthError::MissingClaim,
                    // The claims are deserialised before they are validated, so an
                    // absent `exp` or `username` surfaces as serde's "missing field".
                    ErrorKind::Json(json) if json.to_string().starts_with("missing field") => {
                        AuthError::MissingClaim
                    }
                    _ => AuthError::MalformedToken,
                }
            })
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(&JwtSecret::generate(), TokenSettings::default())
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_identity() {
        let tokens = service();
        let issued = tokens.issue(7, "alice").unwrap();
        let claims = tokens.verify(&issued.token).unwrap();
        assert_eq!(claims, issued.claims);
        assert_eq!(
            (claims.sub.as_str(), claims.username.as_str()),
            ("7", "alice")
        );
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(issued.expires_in, 900);
    }

    #[test]
    fn every_token_gets_its_own_id() {
        let tokens = service();
        let a = tokens.issue(1, "a").unwrap().claims.jti;
        let b = tokens.issue(1, "a").unwrap().claims.jti;
        assert_ne!(a, b);
    }

    #[test]
    fn a_token_from_another_key_is_rejected() {
        let token = service().issue(1, "a").unwrap().token;
        assert!(matches!(
            service().verify(&token),
            Err(AuthError::BadSignature)
        ));
    }
}
