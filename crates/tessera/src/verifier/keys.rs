//! The keys a [`Verifier`](super::Verifier) trusts: read from Tessera, kept,
//! and read again when a token names a key they lack or they are old.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tessera_shared::paths;
use tokio::sync::Mutex;

use super::VerifyError;

/// Keys this old are read again: Tessera's JWKS may be cached as long
/// (`Cache-Control: max-age=300`), and pruned keys must stop verifying.
const MAX_AGE: Duration = Duration::from_secs(300);
/// Tessera is asked at most this often, whatever tokens arrive: made-up
/// `kid`s must not become a flood of requests to it.
const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Longest one reading (discovery and JWKS) may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The keys in use and how to read them again.
pub(super) struct KeyCache {
    base: String,
    client: reqwest::Client,
    /// The checks every key's tokens get; each key adds its algorithm and the issuer.
    validation: Validation,
    /// Read by every token check: an `ArcSwapOption`, so checks never wait on a fetch.
    current: ArcSwapOption<KeySet>,
    /// Held while fetching, so that requests needing new keys wait for one fetch.
    last_fetch: Mutex<LastFetch>,
}

/// The public keys by `kid`, as read at `fetched`.
pub(super) struct KeySet {
    keys: HashMap<String, Key>,
    fetched: Instant,
}

/// One public key and the checks for the tokens it signed.
pub(super) struct Key {
    /// The only algorithm it verifies.
    pub(super) algorithm: Algorithm,
    pub(super) decoding: DecodingKey,
    /// Its algorithm, the discovery document's issuer, the lifetimes, the audience.
    pub(super) validation: Validation,
}

/// When the last fetch started and, if it failed, why.
#[derive(Default)]
struct LastFetch {
    at: Option<Instant>,
    failure: Option<String>,
}

/// The part of the discovery document a verifier needs.
#[derive(Deserialize)]
struct Metadata {
    issuer: String,
}

impl KeySet {
    pub(super) fn get(&self, kid: &str) -> Option<&Key> {
        self.keys.get(kid)
    }
}

impl KeyCache {
    pub(super) fn new(base: String, client: reqwest::Client, validation: Validation) -> Self {
        Self {
            base,
            client,
            validation,
            current: ArcSwapOption::empty(),
            last_fetch: Mutex::new(LastFetch::default()),
        }
    }

    /// Tessera's base URL.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// Keys that should hold `kid`: the current ones, or newly read ones
    /// when they lack it (unless Tessera was asked less than a second ago) or
    /// are old. Old keys keep verifying while another request reads new ones
    /// and while Tessera does not answer.
    pub(super) async fn keys_for(&self, kid: &str) -> Result<Arc<KeySet>, VerifyError> {
        let known = |set: &Arc<KeySet>| set.get(kid).is_some();
        if let Some(set) = self.current.load_full().filter(known) {
            if set.fetched.elapsed() < MAX_AGE {
                return Ok(set);
            }
            let Ok(mut last) = self.last_fetch.try_lock() else {
                return Ok(set);
            };
            return Ok(match self.fetch_unless_recent(&mut last).await {
                Ok(Some(fresh)) => fresh,
                _ => set,
            });
        }
        let mut last = self.last_fetch.lock().await;
        // The request that held the lock may have just read this very key.
        if let Some(set) = self.current.load_full().filter(known) {
            return Ok(set);
        }
        match self.fetch_unless_recent(&mut last).await {
            Ok(Some(fresh)) => Ok(fresh),
            Ok(None) => self
                .current
                .load_full()
                .ok_or_else(|| VerifyError::Unavailable("no keys read yet".to_owned())),
            Err(reason) => Err(VerifyError::Unavailable(reason)),
        }
    }

    /// Reads the keys now, unless Tessera was asked less than a second ago.
    pub(super) async fn refresh_now(&self) -> Result<(), VerifyError> {
        let mut last = self.last_fetch.lock().await;
        match self.fetch_unless_recent(&mut last).await {
            Ok(_) => Ok(()),
            Err(reason) => Err(VerifyError::Unavailable(reason)),
        }
    }

    /// New keys, `None` if Tessera was asked less than a second ago and
    /// answered, or why it did not (now or then).
    async fn fetch_unless_recent(
        &self,
        last: &mut LastFetch,
    ) -> Result<Option<Arc<KeySet>>, String> {
        if last.at.is_some_and(|at| at.elapsed() < MIN_INTERVAL) {
            return last.failure.clone().map_or(Ok(None), Err);
        }
        last.at = Some(Instant::now());
        let fetched = tokio::time::timeout(FETCH_TIMEOUT, self.fetch())
            .await
            .unwrap_or_else(|_| Err(format!("{} did not answer in time", self.base)));
        match fetched {
            Ok(set) => {
                let set = Arc::new(set);
                self.current.store(Some(set.clone()));
                last.failure = None;
                Ok(Some(set))
            }
            Err(reason) => {
                tracing::warn!(%reason, "cannot read Tessera's keys");
                last.failure = Some(reason.clone());
                Err(reason)
            }
        }
    }

    /// The issuer from the discovery document and the keys from the JWKS.
    async fn fetch(&self) -> Result<KeySet, String> {
        let metadata: Metadata = self.get_json(paths::OPENID_CONFIGURATION).await?;
        let jwks: JwkSet = self.get_json(paths::JWKS).await?;
        let mut validation = self.validation.clone();
        validation.set_issuer(&[metadata.issuer]);
        let keys = jwks
            .keys
            .iter()
            .filter_map(|jwk| usable(jwk, &validation))
            .collect();
        Ok(KeySet {
            keys,
            fetched: Instant::now(),
        })
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let url = format!("{}{path}", self.base);
        let failed = |err: reqwest::Error| format!("GET {url}: {}", with_causes(&err));
        let response = self.client.get(&url).send().await.map_err(failed)?;
        if !response.status().is_success() {
            return Err(format!("GET {url} answered {}", response.status()));
        }
        response.json().await.map_err(failed)
    }
}

/// `jwk` as a key, if it is a signing key with a `kid` and an algorithm a
/// verifier accepts. A key without `alg` is skipped rather than guessed at:
/// the algorithm must come from the key, never from the token.
fn usable(jwk: &Jwk, validation: &Validation) -> Option<(String, Key)> {
    let kid = jwk.common.key_id.clone()?;
    let signing = matches!(
        jwk.common.public_key_use,
        None | Some(PublicKeyUse::Signature)
    );
    let algorithm = match jwk.common.key_algorithm? {
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::RS256 => Algorithm::RS256,
        _ => return None,
    };
    let decoding = DecodingKey::from_jwk(jwk).ok().filter(|_| signing)?;
    let mut validation = validation.clone();
    validation.algorithms = vec![algorithm];
    let key = Key {
        algorithm,
        decoding,
        validation,
    };
    Some((kid, key))
}

/// `err` and what caused it: reqwest's own message rarely says ("error
/// sending request").
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(err) = cause {
        text.push_str(": ");
        text.push_str(&err.to_string());
        cause = err.source();
    }
    text
}
