//! Signing keys: the key ring, rotation, and the public JWKS.
//!
//! The newest key of the ring signs new tokens; every key still in the ring
//! verifies them, picked by the token's `kid`, with the algorithm stored with
//! the key (never the token's `alg` header). Asymmetric public keys are
//! published as a JWKS so other services can verify tokens on their own.
//!
//! The on-disk format is documented on [`Keys`], the public face of this module.

mod disk;
mod live;
mod locked;
mod manifest;
mod material;
mod ring;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};

pub use live::Keys;
pub use ring::KeyRing;
pub(crate) use ring::{SignatureError, VerifyingKey, ACCESS_TYP, REFRESH_TYP};

/// Which algorithm signs new tokens (`--signing-alg`, `TESSERA_SIGNING_ALG`). Default: HS256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigningAlg {
    /// HMAC with SHA-256 under a shared secret; no public key, so an empty JWKS.
    #[default]
    #[serde(rename = "HS256")]
    Hs256,
    /// Ed25519 signatures.
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// ECDSA on P-256 with SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256; generated keys are 2048 bits.
    #[serde(rename = "RS256")]
    Rs256,
}

impl SigningAlg {
    /// The matching `jsonwebtoken` algorithm.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Self::Hs256 => Algorithm::HS256,
            Self::EdDsa => Algorithm::EdDSA,
            Self::Es256 => Algorithm::ES256,
            Self::Rs256 => Algorithm::RS256,
        }
    }

    /// The JOSE name: `HS256`, `EdDSA`, `ES256` or `RS256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }
}

impl std::str::FromStr for SigningAlg {
    type Err = String;

    /// The JOSE name, ignoring case.
    fn from_str(value: &str) -> Result<Self, String> {
        [Self::Hs256, Self::EdDsa, Self::Es256, Self::Rs256]
            .into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(value))
            .ok_or_else(|| format!("{value:?} is not HS256, EdDSA, ES256 or RS256"))
    }
}

impl std::fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One key of an on-disk ring, as `tessera keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id tokens carry in their `kid` header.
    pub kid: String,
    /// Its algorithm.
    pub alg: SigningAlg,
    /// When it was added to the ring, seconds since the Unix epoch.
    pub created_at: u64,
    /// Whether it signs new tokens (the newest key); the others only verify.
    pub signing: bool,
}

/// Why a key ring could not be read, changed or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file or directory of the ring could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// There is no ring to list or prune.
    #[error("no key ring in {0} (`tessera serve` or `tessera keys rotate` creates one)")]
    NoRing(PathBuf),
    /// `keyring.json` is not a ring this version understands.
    #[error("the key ring manifest {path} is invalid: {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A key file (or a file to import) does not hold a usable key of the expected algorithm.
    #[error("{path} is not a usable {alg} key: {reason}")]
    InvalidKey {
        /// The file.
        path: PathBuf,
        /// The algorithm it should be for.
        alg: SigningAlg,
        /// Why it was refused.
        reason: String,
    },
    /// The imported key is in the ring already.
    #[error("key {0} is already in the ring")]
    Duplicate(String),
    /// A new key could not be generated.
    #[error("cannot generate a {alg} key: {reason}")]
    Generate {
        /// The algorithm asked for.
        alg: SigningAlg,
        /// What failed.
        reason: String,
    },
}

impl KeyError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
