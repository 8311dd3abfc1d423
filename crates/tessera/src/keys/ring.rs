//! [`KeyRing`]: an immutable snapshot of the signing key and every verifying key.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use sha2::Sha256;

use super::material::Material;
use crate::secret::JwtSecret;

// The kinds of token the ring signs are named here, below the tokens, because
// the ring prepares each kind's header under each key (see `own_headers`).

/// `typ` of access tokens (RFC 9068 §2.1).
pub(crate) const ACCESS_TYP: &str = "at+jwt";
/// `typ` of refresh tokens.
pub(crate) const REFRESH_TYP: &str = "refresh+jwt";

/// One verification key.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    /// The key id tokens name in their `kid` header.
    pub kid: String,
    /// The only algorithm this key verifies; a token whose `alg` differs is refused.
    pub algorithm: Algorithm,
    /// The public key (or, for HS256, the secret).
    pub decoding: DecodingKey,
    /// HS256 only: the HMAC state already keyed with the secret. Keying hashes two
    /// blocks, a third of the HMAC's cost on a token; it is done once per key, not per check.
    pub(super) keyed_hmac: Option<Hmac<Sha256>>,
    /// EdDSA only: the public key as a curve point, decompressed once per key
    /// (`jsonwebtoken` decompresses it, a field exponentiation, on every check).
    pub(super) ed25519: Option<ed25519_dalek::VerifyingKey>,
}

/// Why [`VerifyingKey::check_signature`] refused a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The signature does not match the message under this key.
    Mismatch,
    /// The signature part is not base64url.
    Encoding,
}

impl VerifyingKey {
    /// Checks `signature` (the token's third part, base64url) over `message` (its
    /// `header.payload` part) with this key's own algorithm. HMACs are compared in
    /// constant time.
    pub(crate) fn check_signature(
        &self,
        message: &[u8],
        signature: &str,
    ) -> Result<(), SignatureError> {
        if let Some(point) = &self.ed25519 {
            return check_ed25519(point, message, signature);
        }
        let Some(keyed) = &self.keyed_hmac else {
            return match jsonwebtoken::crypto::verify(
                signature,
                message,
                &self.decoding,
                self.algorithm,
            ) {
                Ok(true) => Ok(()),
                Ok(false) => Err(SignatureError::Mismatch),
                Err(_) => Err(SignatureError::Encoding),
            };
        };
        // An HS256 MAC is 32 bytes; room for more tells "too long" from "not base64".
        let mut decoded = [0u8; 64];
        let length = match URL_SAFE_NO_PAD.decode_slice(signature, &mut decoded) {
            Ok(length) => length,
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
                return Err(SignatureError::Mismatch)
            }
            Err(base64::DecodeSliceError::DecodeError(_)) => return Err(SignatureError::Encoding),
        };
        let mut mac = keyed.clone();
        mac.update(message);
        mac.verify_slice(&decoded[..length])
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// An Ed25519 signature check as `jsonwebtoken` makes it (the same
/// `ed25519-dalek` verification, the same answers), on a prepared point.
fn check_ed25519(
    point: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    signature: &str,
) -> Result<(), SignatureError> {
    use ed25519_dalek::Verifier as _;
    // A signature is 64 bytes; room for more tells "too long" from "not base64".
    let mut decoded = [0u8; 65];
    let length = match URL_SAFE_NO_PAD.decode_slice(signature, &mut decoded) {
        Ok(length) => length,
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => return Err(SignatureError::Mismatch),
        Err(base64::DecodeSliceError::DecodeError(_)) => return Err(SignatureError::Encoding),
    };
    let signature = ed25519_dalek::Signature::from_slice(&decoded[..length])
        .map_err(|_| SignatureError::Mismatch)?;
    point
        .verify(message, &signature)
        .map_err(|_| SignatureError::Mismatch)
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
    /// Unique per ring built in this process, so state derived from one ring
    /// (verified tokens) is never mistaken for another's.
    id: u64,
    signing_kid: String,
    signing_algorithm: Algorithm,
    encoding: EncodingKey,
    verifying: Vec<VerifyingKey>,
    legacy: Option<usize>,
    jwks: JwkSet,
    /// The exact first part of the tokens each key signs, per kind: `(part, typ, key index)`.
    own_headers: Vec<(String, &'static str, usize)>,
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
        let own_headers = own_headers(&verifying);
        static BUILT: AtomicU64 = AtomicU64::new(0);
        Self {
            id: BUILT.fetch_add(1, Ordering::Relaxed),
            signing_kid,
            signing_algorithm,
            encoding,
            verifying,
            legacy,
            jwks,
            own_headers,
        }
    }

    /// This ring's identity within the process: two rings never share one.
    pub(crate) fn id(&self) -> u64 {
        self.id
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
    pub(crate) fn verifying_key(&self, kid: &str) -> Option<&VerifyingKey> {
        self.verifying.iter().find(|key| key.kid == kid)
    }

    /// The key for tokens without a `kid`, which Tessera issued before key rings: the
    /// configured HS256 secret or the adopted `jwt-secret` file. `None` when there is none,
    /// and then such tokens must be refused.
    pub(crate) fn legacy_key(&self) -> Option<&VerifyingKey> {
        self.legacy.map(|index| &self.verifying[index])
    }

    /// The key a token with `header` must verify under, or `None` if the token must be refused.
    ///
    /// The key is picked by `kid` (a token without one gets [`Self::legacy_key`]), and the
    /// header's `alg` must be that key's own. Headers that point at a key elsewhere (`jku`,
    /// `x5u`), carry one (`jwk`, `x5c`) or demand extensions (`crit`) are refused: keys come
    /// from the ring only. Verify with `Validation::new(key.algorithm)`. Token checks apply
    /// these rules to a leaner parse of the header; this is the reference the tests hold.
    #[cfg(test)]
    pub(crate) fn key_for(&self, header: &Header) -> Option<&VerifyingKey> {
        let foreign_key = header.jku.is_some()
            || header.x5u.is_some()
            || header.jwk.is_some()
            || header.x5c.is_some()
            || header.crit.is_some();
        if foreign_key {
            return None;
        }
        self.key_named(header.kid.as_deref())
            .filter(|key| key.algorithm == header.alg)
    }

    /// The key named by a token's `kid` ([`Self::legacy_key`] without one), whatever its algorithm.
    pub(crate) fn key_named(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match kid {
            Some(kid) => self.verifying_key(kid),
            None => self.legacy_key(),
        }
    }

    /// The key whose own header for tokens of kind `typ` is exactly `encoded` (a token's
    /// first part, still base64url). Every token Tessera signs has such a header, and
    /// recognising it spares decoding and parsing it; any other header, however
    /// equivalent, takes the full path through [`Self::key_for`]'s rules.
    pub(crate) fn key_for_own_header(&self, encoded: &str, typ: &str) -> Option<&VerifyingKey> {
        self.own_headers
            .iter()
            .find(|(own, own_typ, _)| own == encoded && *own_typ == typ)
            .map(|(_, _, index)| &self.verifying[*index])
    }

    /// Every key that verifies, the signing key first.
    #[cfg(test)]
    pub(crate) fn verifying_keys(&self) -> &[VerifyingKey] {
        &self.verifying
    }

    /// The public keys as a JWKS (`{"keys": [..]}`), each with `kid`, `alg` and `use: "sig"`;
    /// HS256 keys are secret and never listed, so an HS256-only ring has `{"keys": []}`.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

/// The headers `jsonwebtoken::encode` puts on Tessera's access and refresh tokens
/// under each key (the JSON of its `Header`, base64url-encoded).
fn own_headers(keys: &[VerifyingKey]) -> Vec<(String, &'static str, usize)> {
    let mut headers = Vec::with_capacity(keys.len() * 2);
    for (index, key) in keys.iter().enumerate() {
        for typ in [ACCESS_TYP, REFRESH_TYP] {
            let mut header = Header::new(key.algorithm);
            header.typ = Some(typ.to_owned());
            header.kid = Some(key.kid.clone());
            let json = serde_json::to_vec(&header).expect("a JOSE header serialises");
            headers.push((URL_SAFE_NO_PAD.encode(json), typ, index));
        }
    }
    headers
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
