//! The HMAC signing secret: from `TESSERA_JWT_SECRET` or the embedding program;
//! otherwise the key ring generates one into the data dir.

use std::fmt;

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Environment variable holding the signing secret. Never a CLI flag: flags show in `ps`.
pub(crate) const SECRET_ENV: &str = "TESSERA_JWT_SECRET";
/// The secret file older Tessera versions generated in the data dir; the key ring adopts it.
pub(crate) const SECRET_FILE: &str = "jwt-secret";
/// Shortest secret accepted: 32 bytes, the HS256 output size (RFC 7518 §3.2).
pub const MIN_SECRET_LEN: usize = 32;

/// Signing key material; its `Debug` output never shows the bytes.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

/// Why no usable secret could be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    #[error("the JWT secret from {origin} is {len} bytes; at least {MIN_SECRET_LEN} are required (generate one with `openssl rand -hex 32`)")]
    TooShort {
        /// Where the short secret came from.
        origin: String,
        /// Its length in bytes.
        len: usize,
    },
}

impl JwtSecret {
    /// Wraps `bytes`, refusing fewer than [`MIN_SECRET_LEN`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        Self::checked(bytes.into(), "the caller")
    }

    /// A fresh random secret (32 bytes from the OS, hex-encoded).
    pub fn generate() -> Self {
        let mut bytes = [0u8; MIN_SECRET_LEN];
        OsRng.fill_bytes(&mut bytes);
        Self(hex(&bytes).into_bytes())
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn checked(bytes: Vec<u8>, origin: &str) -> Result<Self, SecretError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretError::TooShort {
                origin: origin.to_owned(),
                len: bytes.len(),
            });
        }
        Ok(Self(bytes))
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(<redacted>)")
    }
}

/// The secret from the embedding program (`explicit`) or from [`SECRET_ENV`],
/// if either is set. Without one, HS256 keys come from the key ring in the data
/// dir (see [`crate::keys`]). An empty variable is an explicit, refused choice.
pub(crate) fn configured(explicit: Option<JwtSecret>) -> Result<Option<JwtSecret>, SecretError> {
    if explicit.is_some() {
        return Ok(explicit);
    }
    std::env::var_os(SECRET_ENV)
        .map(|value| JwtSecret::checked(value.into_encoded_bytes(), SECRET_ENV))
        .transpose()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused() {
        let err = JwtSecret::new(vec![b'x'; 31]).unwrap_err();
        assert!(err.to_string().contains("31 bytes"), "{err}");
        assert!(JwtSecret::new(vec![b'x'; 32]).is_ok());
    }

    #[test]
    fn debug_output_hides_the_key() {
        let secret = JwtSecret::generate();
        let shown = format!("{secret:?}");
        assert!(!shown.contains(std::str::from_utf8(secret.as_bytes()).unwrap()));
    }
}
