//! Key material: generating keys, parsing key files, and deriving kid, public key and JWK.

use argon2::password_hash::rand_core::OsRng;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, KeypairBytes};
use hmac::{Hmac, Mac};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{DecodingKey, EncodingKey};
use p256::pkcs8::LineEnding;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

use super::{SigningAlg, VerifyingKey};
use crate::secret::JwtSecret;

/// Smallest RSA modulus accepted, in bits (RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;

/// A parsed, checked private key with everything derived from it.
pub(super) struct Material {
    pub(super) alg: SigningAlg,
    pub(super) kid: String,
    pub(super) encoding: EncodingKey,
    pub(super) verifying: VerifyingKey,
    /// The public JWK (with kid, alg and `use`); `None` for HS256, whose key is secret.
    pub(super) jwk: Option<Jwk>,
    /// The canonical key file content: PKCS#8 PEM, or the secret itself.
    pub(super) file: Vec<u8>,
}

impl Material {
    /// A fresh random key of `alg`.
    pub(super) fn generate(alg: SigningAlg) -> Result<Self, String> {
        let pem = match alg {
            SigningAlg::Hs256 => return Ok(Self::from_secret(&JwtSecret::generate())),
            SigningAlg::EdDsa => ed25519_dalek::SigningKey::generate(&mut OsRng)
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|err| err.to_string())?,
            SigningAlg::Es256 => p256::SecretKey::random(&mut OsRng)
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|err| err.to_string())?,
            SigningAlg::Rs256 => rsa::RsaPrivateKey::new(&mut OsRng, MIN_RSA_BITS)
                .map_err(|err| err.to_string())?
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|err| err.to_string())?,
        };
        // Going through the parser gives generated and imported keys one canonical form.
        Self::parse(alg, pem.as_bytes())
    }

    /// An HS256 key from `secret`.
    pub(super) fn from_secret(secret: &JwtSecret) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let kid = format!("hs-{}", hex(&digest[..8]));
        Self {
            alg: SigningAlg::Hs256,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            verifying: VerifyingKey {
                kid: kid.clone(),
                algorithm: SigningAlg::Hs256.algorithm(),
                decoding: DecodingKey::from_secret(secret.as_bytes()),
                keyed_hmac: Some(
                    Hmac::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length"),
                ),
                ed25519: None,
            },
            kid,
            jwk: None,
            file: secret.as_bytes().to_vec(),
        }
    }

    /// Parses a key file of `alg`: PKCS#8 PEM for asymmetric keys, the raw secret for HS256.
    pub(super) fn parse(alg: SigningAlg, bytes: &[u8]) -> Result<Self, String> {
        let refused = |err: &dyn std::fmt::Display| match pem_text(bytes).ok().and_then(pem_alg) {
            Some(actual) => format!("it is an {actual} key, not an {alg} one"),
            None => format!(
                "expected an unencrypted PKCS#8 PEM (\"BEGIN PRIVATE KEY\") {alg} private key; \
                 {err} (convert with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem`)"
            ),
        };
        let (der, encoding) = match alg {
            SigningAlg::Hs256 => {
                let secret = JwtSecret::new(trim_line_end(bytes)).map_err(|err| err.to_string())?;
                return Ok(Self::from_secret(&secret));
            }
            SigningAlg::EdDsa => {
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem_text(bytes)?)
                    .map_err(|e| refused(&e))?;
                // jsonwebtoken derives the public key only from the 48-byte v1
                // encoding, without the optional embedded public key.
                let keypair = KeypairBytes {
                    secret_key: key.to_bytes(),
                    public_key: None,
                };
                let der = keypair.to_pkcs8_der().map_err(|err| err.to_string())?;
                let encoding = EncodingKey::from_ed_der(der.as_bytes());
                (der, encoding)
            }
            SigningAlg::Es256 => {
                let key =
                    p256::SecretKey::from_pkcs8_pem(pem_text(bytes)?).map_err(|e| refused(&e))?;
                let der = key.to_pkcs8_der().map_err(|err| err.to_string())?;
                let encoding = EncodingKey::from_ec_der(der.as_bytes());
                (der, encoding)
            }
            SigningAlg::Rs256 => {
                let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem_text(bytes)?)
                    .map_err(|e| refused(&e))?;
                key.validate().map_err(|err| err.to_string())?;
                let bits = key.size() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(format!(
                        "the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"
                    ));
                }
                let der = key.to_pkcs8_der().map_err(|err| err.to_string())?;
                // jsonwebtoken's RSA signer takes PKCS#1, not PKCS#8.
                let pkcs1 = key.to_pkcs1_der().map_err(|err| err.to_string())?;
                (der, EncodingKey::from_rsa_der(pkcs1.as_bytes()))
            }
        };
        let file = der
            .to_pem("PRIVATE KEY", LineEnding::LF)
            .map_err(|err| err.to_string())?;
        Self::asymmetric(alg, encoding, file.as_bytes().to_vec()).map_err(|err| err.to_string())
    }

    fn asymmetric(
        alg: SigningAlg,
        encoding: EncodingKey,
        file: Vec<u8>,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.algorithm())?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk)?;
        let ed25519 = match alg {
            SigningAlg::EdDsa => Some(ed25519_point(&jwk)?),
            _ => None,
        };
        Ok(Self {
            alg,
            verifying: VerifyingKey {
                kid: kid.clone(),
                algorithm: alg.algorithm(),
                decoding,
                keyed_hmac: None,
                ed25519,
            },
            kid,
            encoding,
            jwk: Some(jwk),
            file,
        })
    }
}

fn pem_text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes)
        .map(str::trim)
        .map_err(|_| "not a PEM file (it is not text)".to_owned())
}

/// Which algorithm the PKCS#8 PEM key `pem` is for, to say so when it was given for another.
fn pem_alg(pem: &str) -> Option<SigningAlg> {
    if ed25519_dalek::SigningKey::from_pkcs8_pem(pem).is_ok() {
        Some(SigningAlg::EdDsa)
    } else if p256::SecretKey::from_pkcs8_pem(pem).is_ok() {
        Some(SigningAlg::Es256)
    } else if rsa::RsaPrivateKey::from_pkcs8_pem(pem).is_ok() {
        Some(SigningAlg::Rs256)
    } else {
        None
    }
}

/// A trailing newline from an editor must not change an HMAC key.
fn trim_line_end(mut bytes: &[u8]) -> Vec<u8> {
    while let [rest @ .., b'\n' | b'\r'] = bytes {
        bytes = rest;
    }
    bytes.to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The public point of an Ed25519 JWK (its `x`), decompressed.
fn ed25519_point(jwk: &Jwk) -> Result<ed25519_dalek::VerifyingKey, jsonwebtoken::errors::Error> {
    let invalid = || jsonwebtoken::errors::Error::from(ErrorKind::InvalidEddsaKey);
    let AlgorithmParameters::OctetKeyPair(pair) = &jwk.algorithm else {
        return Err(invalid());
    };
    let bytes: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&pair.x)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(invalid)?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| invalid())
}
