//! One protected route, one token, three axum apps: Tessera's [`AuthUser`],
//! `jwt-authorizer` and `axum-jwt-auth`, each checking the token its
//! idiomatic way, so `bench/run --peers` (wrk) and `benches/verify.rs`
//! (criterion) compare like with like.
//!
//! Tessera signs the token ([`Fixture`]); every app pins the algorithm and
//! requires the same `iss`, `aud` and lifetime. Tessera does more on top, as it
//! always does: the token's `typ` (`at+jwt`, so refresh and device tokens are
//! refused) and its deny list (revoked sessions and tokens). The peers check
//! neither; they require the `username` claim, which only access tokens carry.

mod apps;

use std::sync::Arc;

use tempfile::TempDir;
use tessera::{JwtSecret, TokenService, TokenSettings};
use tessera::{Keys, SigningAlg};

pub use apps::{axum_jwt_auth_app, axum_jwt_auth_decoder, jwt_authorizer, jwt_authorizer_app};
pub use apps::{tessera_app, PeerClaims};

/// `iss` of the benchmark's tokens, required by all three apps.
pub const ISSUER: &str = "http://tessera.bench";
/// `aud` of the benchmark's tokens, required by all three apps
/// (`axum-jwt-auth` insists on one).
pub const AUDIENCE: &str = "peer-bench";
/// Clock skew every app tolerates, seconds (Tessera's default).
pub const LEEWAY_SECS: u64 = 5;
/// The protected route, the same path in every app.
pub const PROTECTED: &str = "/protected";

/// The algorithms compared: HMAC, which all three support, and Ed25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// HMAC-SHA256 under a shared secret.
    Hs256,
    /// Ed25519 signatures, checked with the public key (JWKS).
    EdDsa,
}

impl Alg {
    /// Both, in the order reports list them.
    pub const ALL: [Alg; 2] = [Alg::Hs256, Alg::EdDsa];

    /// The JOSE name (`HS256`, `EdDSA`).
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::EdDsa => "EdDSA",
        }
    }
}

/// Key material and one token, as Tessera makes them, and what the peers are
/// given to check it: the HS256 secret, or the public keys as a JWK Set.
pub struct Fixture {
    /// The algorithm.
    pub alg: Alg,
    /// Tessera's token service, verified-token cache on (the default, as served).
    pub tokens: Arc<TokenService>,
    /// An access token for user 42, `alice`, valid for an hour.
    pub token: String,
    /// The HS256 secret as text (jwt-authorizer takes a `&str`); `None` for EdDSA.
    pub secret: Option<String>,
    /// The public keys, as Tessera serves them at `/.well-known/jwks.json`.
    pub jwks: String,
    /// The EdDSA key ring, on disk for as long as the fixture lives.
    ring: Option<TempDir>,
}

impl Fixture {
    /// Keys for `alg` and a token signed with them. `token_cache` is the size
    /// of the service's verified-token cache (0: every check in full).
    pub fn new(alg: Alg, token_cache: usize) -> std::io::Result<Self> {
        let (secret, ring) = match alg {
            // Random, and text (jwt-authorizer takes a `&str`): hex of a generated secret.
            Alg::Hs256 => {
                let text: String = JwtSecret::generate()
                    .as_bytes()
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect();
                (Some(text), None)
            }
            Alg::EdDsa => (None, Some(tempfile::tempdir()?)),
        };
        let tokens = service(secret.as_deref(), ring.as_ref(), token_cache)?;
        let token = tokens
            .issue(42, "alice")
            .map_err(std::io::Error::other)?
            .token;
        let jwks = serde_json::to_string(tokens.keys().current().jwks())?;
        Ok(Self {
            alg,
            tokens: Arc::new(tokens),
            token,
            secret,
            jwks,
            ring,
        })
    }

    /// Another token service over the same keys, with a verified-token cache
    /// of `token_cache` entries (0: off).
    pub fn service(&self, token_cache: usize) -> std::io::Result<TokenService> {
        service(self.secret.as_deref(), self.ring.as_ref(), token_cache)
    }
}

/// A token service under the HS256 `secret` or over the EdDSA key `ring`.
fn service(
    secret: Option<&str>,
    ring: Option<&TempDir>,
    token_cache: usize,
) -> std::io::Result<TokenService> {
    let settings = settings(token_cache);
    match (secret, ring) {
        (Some(text), _) => {
            let secret = JwtSecret::new(text).map_err(std::io::Error::other)?;
            Ok(TokenService::new(&secret, settings))
        }
        (None, Some(ring)) => {
            let keys =
                Keys::open(ring.path(), SigningAlg::EdDsa, None).map_err(std::io::Error::other)?;
            Ok(TokenService::with_keys(keys, settings))
        }
        (None, None) => Err(std::io::Error::other("a fixture without keys")),
    }
}

/// Tessera's settings for the benchmark: an hour-long token, `iss` and `aud`.
fn settings(token_cache: usize) -> TokenSettings {
    TokenSettings {
        access_ttl: std::time::Duration::from_secs(3600),
        issuer: Some(ISSUER.to_owned()),
        audience: Some(AUDIENCE.to_owned()),
        token_cache,
        ..TokenSettings::default()
    }
}
