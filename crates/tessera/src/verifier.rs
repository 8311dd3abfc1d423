//! Verifying Tessera's access tokens in another service, given only Tessera's URL.
//!
//! A [`Verifier`] reads the issuer from Tessera's discovery document and the
//! public keys from its JWKS, keeps both, and re-reads them when a token names
//! a key it does not know (a rotation) or they are five minutes old. The
//! [`RemoteUser`](crate::RemoteUser) extractor puts it in front of handlers.
//!
//! It checks what Tessera itself checks, except revocation: a remote service
//! does not see sign-outs, so a revoked access token stays valid there until
//! it expires (keep `access_ttl` short).

mod keys;
mod rules;

use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;

use crate::token::AuthError;
use crate::token::Claims;
use keys::KeyCache;
use rules::{base_url, check_header, refusal};

/// The only algorithms accepted: those whose public key can be published.
/// HS256 needs the secret, which a remote service never has.
pub(crate) const ALGORITHMS: [Algorithm; 3] =
    [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256];

/// Checks Tessera's access tokens in a service that is not Tessera: signature
/// (by the key the token's `kid` names, with that key's algorithm: EdDSA,
/// ES256 or RS256, never HS256), `typ` `at+jwt` (so a refresh token is
/// refused), `iss` (the discovery document's `issuer`), `aud` when
/// configured, and `exp`/`nbf` within the leeway.
///
/// Cheap to clone (clones share the keys). Nothing is fetched until the first
/// token; until Tessera has answered once, tokens get
/// [`VerifyError::Unavailable`]. The discovery document is read from
/// `<base_url>/.well-known/openid-configuration` and the keys from
/// `<base_url>/.well-known/jwks.json` (not from the document's `jwks_uri`:
/// a service may reach Tessera at an internal address while `jwks_uri` names
/// the public one). `https` URLs need a TLS backend of `reqwest` 0.12: turn
/// on one in your own `reqwest` dependency (say `features = ["rustls-tls"]`),
/// or pass a client with [`VerifierBuilder::http_client`].
///
/// ```
/// use axum::{routing::get, Router};
/// use tessera::{RemoteUser, Verifier};
///
/// async fn orders(user: RemoteUser) -> String {
///     format!("the orders of {}", user.username)
/// }
///
/// # fn main() -> Result<(), tessera::VerifierError> {
/// let verifier = Verifier::builder("http://tessera.internal:3000")
///     .audience("orders")
///     .build()?;
/// let app: Router = Router::new()
///     .route("/orders", get(orders))
///     .with_state(verifier); // or any state `Verifier: FromRef` of
/// // axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: std::sync::Arc<KeyCache>,
}

/// Settings of a [`Verifier`] before it is built.
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    base_url: String,
    audience: Option<String>,
    leeway: Duration,
    client: Option<reqwest::Client>,
}

/// Why a [`Verifier`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The base URL is not an absolute http(s) URL without query or fragment.
    #[error("{0:?} is not Tessera's base URL, such as https://auth.example")]
    Url(String),
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The token is not valid (401): the same reasons Tessera gives.
    #[error(transparent)]
    Token(#[from] AuthError),
    /// Tessera's keys could not be read and none that verify the token are
    /// known (503): the token can be neither accepted nor refused.
    #[error("cannot read Tessera's keys: {0}")]
    Unavailable(String),
}

impl Verifier {
    /// A verifier for the Tessera at `base_url` (with any path prefix it is
    /// nested under), with the default settings.
    pub fn new(base_url: &str) -> Result<Self, VerifierError> {
        Self::builder(base_url).build()
    }

    /// Settings for a verifier of the Tessera at `base_url`: no audience
    /// required, 5 s of leeway, a client that follows no redirects.
    pub fn builder(base_url: &str) -> VerifierBuilder {
        VerifierBuilder {
            base_url: base_url.to_owned(),
            audience: None,
            leeway: Duration::from_secs(5),
            client: None,
        }
    }

    /// Checks `token` and returns its claims; `E` is the application's own
    /// claims, if Tessera's tokens carry any.
    pub async fn verify<E>(&self, token: &str) -> Result<Claims<E>, VerifyError>
    where
        E: DeserializeOwned,
    {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::MalformedToken)?;
        check_header(&header)?;
        let kid = header.kid.as_deref().ok_or(AuthError::UnknownKey)?;
        let keys = self.keys.keys_for(kid).await?;
        let key = keys.get(kid).ok_or(AuthError::UnknownKey)?;
        // The key's algorithm decides; the header only has to agree with it.
        if header.alg != key.algorithm {
            return Err(AuthError::WrongAlgorithm.into());
        }
        let data = jsonwebtoken::decode::<Claims<E>>(token, &key.decoding, &key.validation)
            .map_err(|err| refusal(err.kind()))?;
        Ok(data.claims)
    }

    /// Reads Tessera's discovery document and keys now, rather than on the
    /// first token: to fail at start when Tessera is not there.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        self.keys.refresh_now().await
    }
}

impl VerifierBuilder {
    /// Requires `aud` to be `audience` (Tessera's `--audience`). Default: not checked.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Clock skew tolerated on `exp` and `nbf`, whole seconds. Default: 5 s,
    /// as Tessera's own `--leeway`.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Fetches with `client` (proxies, TLS roots, user agent); every fetch is
    /// still bounded to 10 s. Default: `reqwest`'s defaults, following no redirects.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The verifier; fetches nothing yet.
    pub fn build(self) -> Result<Verifier, VerifierError> {
        let base = base_url(&self.base_url).ok_or(VerifierError::Url(self.base_url))?;
        let client = match self.client {
            Some(client) => client,
            // Tessera never redirects these routes; following one could leave https.
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| VerifierError::Client(err.to_string()))?,
        };
        // The algorithm and the issuer come with each key (see `keys`).
        let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        let mut required = vec!["exp", "nbf", "iss"];
        validation.validate_aud = self.audience.is_some();
        if let Some(audience) = &self.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        let keys = KeyCache::new(base, client, validation);
        Ok(Verifier {
            keys: std::sync::Arc::new(keys),
        })
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("base_url", &self.keys.base())
            .finish_non_exhaustive()
    }
}
