//! Issuing and verifying access and refresh tokens.
//!
//! Both kinds are JWTs signed by the same keys, told apart by their explicit
//! `typ` header (RFC 8725 §3.11): access tokens are `at+jwt` (RFC 9068),
//! refresh tokens `refresh+jwt`. Neither is ever accepted as the other.

mod assurance;
mod cache;
mod device;
mod error;
mod refresh;
mod reserved;
#[cfg(test)]
mod tests;
mod verify;

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use jsonwebtoken::Header;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::clock::{new_id, unix_now};
use crate::keys::{KeyRing, Keys};
use crate::revocation::Revocations;
use crate::secret::JwtSecret;

pub use assurance::Assurance;
pub(crate) use assurance::SignIn;
pub use error::AuthError;
pub use reserved::RESERVED_CLAIMS;

use reserved::check_extra;

// Defined with the key ring, which prepares its headers for both kinds.
pub(crate) use crate::keys::{ACCESS_TYP, REFRESH_TYP};

/// No claims beyond Tessera's own: the default for [`Claims`]' extension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoExtraClaims {}

/// The claims of an access token. `E` carries an application's own claims,
/// flattened beside the standard ones (see [`TokenService::issue_access`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims<E = NoExtraClaims> {
    /// Subject: the user's numeric id, as a string (RFC 7519 §4.1.2).
    pub sub: String,
    /// The user's name at the time of issue.
    pub username: String,
    /// The user's roles at the time of issue.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Session id: shared by every token of one sign-in; revoking it ends them all.
    pub sid: String,
    /// Issued by a password sign-in (not by a refresh).
    #[serde(default)]
    pub fresh: bool,
    /// Whether the user's email address is verified; absent when the user
    /// has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Issuer, when the server is configured with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience, when the server is configured with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Not valid before, seconds since the Unix epoch.
    pub nbf: u64,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Random unique token id.
    pub jti: String,
    /// How the user authenticated (RFC 8176): `["pwd"]` or `["pwd", "otp"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The assurance level, `"0"`, `"1"` or `"2"` (see [`Assurance`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The application's own claims.
    #[serde(flatten)]
    pub extra: E,
}

impl<E> Claims<E> {
    /// The token's assurance level, read from `acr`.
    pub fn assurance(&self) -> Assurance {
        Assurance::from_acr(self.acr.as_deref())
    }
}

/// The claims of a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshClaims {
    /// The user's id.
    pub sub: String,
    /// The session (rotation family) it belongs to.
    pub sid: String,
    /// Issuer, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Issued at.
    pub iat: u64,
    /// Not valid before.
    pub nbf: u64,
    /// Expiry.
    pub exp: u64,
    /// Token id; the store tracks its use by this.
    pub jti: String,
    /// Set only on the stateless refresh tokens of
    /// [`TokenService::issue_refresh`], the only ones
    /// [`TokenService::refresh_access`] takes: a session's refresh tokens (a
    /// first-step one included) go through `POST /refresh`, which keeps the
    /// session's assurance level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stateless: bool,
}

/// Who a token is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The user's id.
    pub user_id: i64,
    /// The user's name.
    pub username: String,
    /// The user's roles.
    pub roles: Vec<String>,
    /// The session the token belongs to.
    pub session_id: String,
    /// Whether the user just proved their password.
    pub fresh: bool,
    /// Whether the user's email address is verified; `None` when the user
    /// has none (the claim is then left out).
    pub email_verified: Option<bool>,
}

/// Lifetimes and names used by a [`TokenService`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    /// How long an access token stays valid. Defaults to 15 minutes.
    pub access_ttl: Duration,
    /// Clock skew tolerated on `exp` and `nbf`, whole seconds. Defaults to 5 seconds.
    pub leeway: Duration,
    /// `iss` to issue and require. Defaults to none.
    pub issuer: Option<String>,
    /// `aud` to issue and require. Defaults to none.
    pub audience: Option<String>,
    /// The token cache (`tessera serve --token-cache`): how many verified
    /// access tokens are remembered, so that checking one again skips decoding
    /// and the signature (see [`TokenService::verify_access`]); 0 turns the
    /// cache off. Rounded up to a power of two; each entry holds a token and
    /// its claims. Defaults to 4096.
    pub token_cache: usize,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            leeway: Duration::from_secs(5),
            issuer: None,
            audience: None,
            token_cache: 4096,
        }
    }
}

/// A freshly signed token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Its id.
    pub jti: String,
    /// Unix time it expires.
    pub exp: u64,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Signs and checks tokens. Build it once (keys are parsed, and HMAC keys
/// prepared, when the ring is loaded, never per request) and share it behind an
/// `Arc`. It also holds the in-memory [`Revocations`] every access-token check
/// consults.
pub struct TokenService {
    keys: Keys,
    settings: TokenSettings,
    revocations: Revocations,
    /// Access tokens that passed full verification (see `cache`).
    token_cache: cache::TokenCache,
    /// When an unknown `kid` last made us re-read the key ring (Unix ms).
    last_miss_reload: AtomicU64,
}

impl TokenService {
    /// A service signing with HS256 under `secret` (kid derived from the secret).
    pub fn new(secret: &JwtSecret, settings: TokenSettings) -> Self {
        Self::with_keys(Keys::fixed(KeyRing::from_secret(secret)), settings)
    }

    /// A service signing with the newest key of `keys` and verifying with any of them.
    pub fn with_keys(keys: Keys, settings: TokenSettings) -> Self {
        Self {
            keys,
            token_cache: cache::TokenCache::new(settings.token_cache),
            revocations: Revocations::with_leeway(settings.leeway),
            settings,
            last_miss_reload: AtomicU64::new(0),
        }
    }

    /// The signing and verifying keys.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The lifetimes and names in use.
    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// The deny list consulted by [`Self::verify_access`].
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Signs a fresh access token for `user_id` named `username`, in a new
    /// session of its own and with no roles: the simplest use as a library.
    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let grant = Grant {
            user_id,
            username: username.to_owned(),
            roles: Vec::new(),
            session_id: new_id(),
            fresh: true,
            email_verified: None,
        };
        self.issue_access(&grant, NoExtraClaims {})
    }

    /// Signs an access token for `grant`, with the application's own claims `extra`,
    /// which [`crate::AuthUser<E>`] hands back typed:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use axum::{body::Body, http::Request, routing::get, Router};
    /// use serde::{Deserialize, Serialize};
    /// use tessera::{AuthUser, Grant, JwtSecret, TokenService, TokenSettings};
    /// use tower::ServiceExt;
    ///
    /// #[derive(Debug, Clone, Serialize, Deserialize)]
    /// struct Tenant {
    ///     tenant: String,
    ///     plan: String,
    /// }
    ///
    /// async fn billing(user: AuthUser<Tenant>) -> String {
    ///     format!("{} is on the {} plan", user.claims.extra.tenant, user.claims.extra.plan)
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tokens = Arc::new(TokenService::new(&JwtSecret::generate(), TokenSettings::default()));
    /// let grant = Grant {
    ///     user_id: 7,
    ///     username: "alice".into(),
    ///     roles: vec![],
    ///     session_id: "session-1".into(),
    ///     fresh: true,
    ///     email_verified: None,
    /// };
    /// let extra = Tenant { tenant: "acme".into(), plan: "gold".into() };
    /// let token = tokens.issue_access(&grant, extra).unwrap().token;
    ///
    /// let app = Router::new().route("/billing", get(billing)).with_state(tokens);
    /// let request = Request::get("/billing")
    ///     .header("Authorization", format!("Bearer {token}"))
    ///     .body(Body::empty())
    ///     .unwrap();
    /// let response = app.oneshot(request).await.unwrap();
    /// let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
    /// assert_eq!(body, "acme is on the gold plan");
    /// # }
    /// ```
    pub fn issue_access<E: Serialize>(
        &self,
        grant: &Grant,
        extra: E,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        self.access_at(grant, SignIn::Password, unix_now(), new_id(), extra)
    }

    /// Signs the access token `jti` of a `sign_in` as it was (or will be)
    /// issued at `iat`. Signing is deterministic, so the same inputs give
    /// the same token. Refused when `extra` is not a JSON object (or unit) or
    /// names one of the [`RESERVED_CLAIMS`].
    pub(crate) fn access_at<E: Serialize>(
        &self,
        grant: &Grant,
        sign_in: SignIn,
        iat: u64,
        jti: String,
        extra: E,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        check_extra(&extra)?;
        let exp = iat + self.settings.access_ttl.as_secs();
        let claims = Claims {
            sub: grant.user_id.to_string(),
            username: grant.username.clone(),
            roles: grant.roles.clone(),
            sid: grant.session_id.clone(),
            fresh: grant.fresh,
            email_verified: grant.email_verified,
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            iat,
            nbf: iat,
            exp,
            jti,
            amr: sign_in.amr(),
            acr: Some(sign_in.level().acr().to_owned()),
            extra,
        };
        let token = self.sign(ACCESS_TYP, &claims)?;
        Ok(issued(token, claims.jti, exp))
    }

    /// Signs refresh token `jti` of `session_id`, issued at `iat`.
    pub(crate) fn refresh_at(
        &self,
        user_id: i64,
        session_id: &str,
        iat: u64,
        exp: u64,
        jti: String,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        self.sign_refresh(user_id, session_id, (iat, exp), jti, false)
    }

    /// Signs refresh token `jti` of `session_id`, valid from `times.0` to
    /// `times.1`; `stateless` marks the ones [`Self::issue_refresh`] makes.
    fn sign_refresh(
        &self,
        user_id: i64,
        session_id: &str,
        (iat, exp): (u64, u64),
        jti: String,
        stateless: bool,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let claims = RefreshClaims {
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            iat,
            nbf: iat,
            exp,
            jti,
            stateless,
        };
        let token = self.sign(REFRESH_TYP, &claims)?;
        Ok(issued(token, claims.jti, exp))
    }

    /// Checks an access token: signature, key, algorithm, `typ`, `exp`, `nbf`,
    /// `iss`/`aud` when configured, and the deny list. Returns its claims.
    ///
    /// It returns tokens of every assurance level, first-step ones (`acr`
    /// `"0"`, a sign-in still waiting for its second factor) included: a
    /// caller must check [`Claims::assurance`] itself, as the
    /// [`AuthUser`](crate::AuthUser) and [`SecondFactor`](crate::SecondFactor)
    /// extractors do.
    ///
    /// A token that already passed this check keeps its claims in a small cache
    /// and skips decoding and the signature next time (the same bytes under the
    /// same keys); its lifetime, audience and the deny list are checked on every
    /// call. So `E` must be `Clone + Send + Sync + 'static`.
    pub fn verify_access<E>(&self, token: &str) -> Result<Claims<E>, AuthError>
    where
        E: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let ring = self.keys.snapshot().id();
        let (claims, verified_under) = match self.token_cache.get::<E>(token, ring) {
            Some(claims) => (claims, None),
            None => {
                let (claims, ring) = self.decode(token, ACCESS_TYP, AuthError::NotAccessToken)?;
                (claims, Some(ring))
            }
        };
        let (iss, aud) = (claims.iss.as_deref(), claims.aud.as_deref());
        self.check_times_and_audience(claims.exp, claims.nbf, iss, aud)?;
        if self.revocations.is_revoked(&claims.jti, &claims.sid) {
            return Err(AuthError::Revoked);
        }
        if let Some(ring) = verified_under {
            self.token_cache.put(token, ring, &claims);
        }
        Ok(claims)
    }

    /// Checks a refresh token's signature, key, `typ` and lifetime (not whether
    /// it was used: the store knows that). Returns its claims.
    pub fn verify_refresh(&self, token: &str) -> Result<RefreshClaims, AuthError> {
        let (claims, _): (RefreshClaims, _) =
            self.decode(token, REFRESH_TYP, AuthError::NotRefreshToken)?;
        let (iss, aud) = (claims.iss.as_deref(), claims.aud.as_deref());
        self.check_times_and_audience(claims.exp, claims.nbf, iss, aud)?;
        Ok(claims)
    }

    fn sign(
        &self,
        typ: &str,
        claims: &impl Serialize,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let ring = self.keys.snapshot();
        let mut header = Header::new(ring.signing_algorithm());
        header.typ = Some(typ.to_owned());
        header.kid = Some(ring.signing_kid().to_owned());
        jsonwebtoken::encode(&header, claims, ring.encoding_key())
    }
}

fn issued(token: String, jti: String, exp: u64) -> IssuedToken {
    IssuedToken {
        token,
        jti,
        exp,
        expires_in: exp.saturating_sub(unix_now()),
    }
}
