//! [`KeyRing`]: an immutable snapshot of the signing key and every verifying key.

use std::fmt;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};

use super::material::Material;
use crate::secret::JwtSecret;

/// One verification key.
#[derive(Clone)]
pub struct VerifyingKey {
    /// The key id tokens name in their `kid` header.
    pub kid: String,
    /// The only algorithm this key verifies; a token whose `alg` differs is refused.
    pub algorithm: Algorithm,
    /// The public key (or, for HS256, the secret).
    pub decoding: DecodingKey,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The decoding key of an HS256 key is the secret itself.
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// The key that signs new tokens, every key that still verifies, and the public JWKS.
///
/// Built once per ring change and shared behind an `Arc`; nothing here is computed per token.
pub struct KeyRing {
    signing_kid: String,
    signing_algorithm: Algorithm,
    encoding: EncodingKey,
    verifying: Vec<VerifyingKey>,
    legacy: Option<usize>,
    jwks: JwkSet,
}

impl KeyRing {
    /// A ring of one HS256 key, `secret`, whose kid (`hs-` + 16 hex digits of its SHA-256)
    /// every instance sharing the secret agrees on. Tokens without a `kid` verify with it too,
    /// as Tessera issued them before key rings.
    pub fn from_secret(secret: &JwtSecret) -> Self {
        let key = Material::from_secret(secret);
        let kid = key.kid.clone();
        Self::assemble(key, Vec::new(), Some(&kid))
    }

    /// `signer` signs; `signer` and `others` verify; `legacy` (a kid) also verifies tokens
    /// without a `kid`. Duplicate kids are kept once.
    pub(super) fn assemble(signer: Material, others: Vec<Material>, legacy: Option<&str>) -> Self {
        let mut verifying: Vec<VerifyingKey> = Vec::with_capacity(others.len() + 1);
        let mut jwks = JwkSet { keys: Vec::new() };
        let signing_kid = signer.kid.clone();
        let signing_algorithm = signer.alg.algorithm();
        let encoding = signer.encoding.clone();
        for key in std::iter::once(signer).chain(others) {
            if verifying.iter().any(|known| known.kid == key.kid) {
                continue;
            }
            jwks.keys.extend(key.jwk);
            verifying.push(key.verifying);
        }
        let legacy = legacy.and_then(|kid| verifying.iter().position(|key| key.kid == kid));
        Self {
            signing_kid,
            signing_algorithm,
            encoding,
            verifying,
            legacy,
            jwks,
        }
    }

    /// The kid new tokens carry.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// The algorithm new tokens are signed with.
    pub fn signing_algorithm(&self) -> Algorithm {
        self.signing_algorithm
    }

    /// The private key new tokens are signed with.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The key a token with header `kid` must verify under, if it is in the ring.
    pub fn verifying_key(&self, kid: &str) -> Option<&VerifyingKey> {
        self.verifying.iter().find(|key| key.kid == kid)
    }

    /// The key for tokens without a `kid`, which Tessera issued before key rings: the
    /// configured HS256 secret or the adopted `jwt-secret` file. `None` when there is none,
    /// and then such tokens must be refused.
    pub fn legacy_key(&self) -> Option<&VerifyingKey> {
        self.legacy.map(|index| &self.verifying[index])
    }

    /// The key a token with `header` must verify under, or `None` if the token must be refused.
    ///
    /// The key is picked by `kid` (a token without one gets [`Self::legacy_key`]), and the
    /// header's `alg` must be that key's own. Headers that point at a key elsewhere (`jku`,
    /// `x5u`), carry one (`jwk`, `x5c`) or demand extensions (`crit`) are refused: keys come
    /// from the ring only. Verify with `Validation::new(key.algorithm)`.
    pub fn key_for(&self, header: &Header) -> Option<&VerifyingKey> {
        let foreign_key = header.jku.is_some()
            || header.x5u.is_some()
            || header.jwk.is_some()
            || header.x5c.is_some()
            || header.crit.is_some();
        if foreign_key {
            return None;
        }
        let key = match &header.kid {
            Some(kid) => self.verifying_key(kid),
            None => self.legacy_key(),
        }?;
        (key.algorithm == header.alg).then_some(key)
    }

    /// Every key that verifies, the signing key first.
    pub fn verifying_keys(&self) -> &[VerifyingKey] {
        &self.verifying
    }

    /// The public keys as a JWKS (`{"keys": [..]}`), each with `kid`, `alg` and `use: "sig"`;
    /// HS256 keys are secret and never listed, so an HS256-only ring has `{"keys": []}`.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("signing_kid", &self.signing_kid)
            .field("signing_algorithm", &self.signing_algorithm)
            .field("verifying", &self.verifying)
            .finish_non_exhaustive()
    }
}
