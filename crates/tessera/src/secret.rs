//! The HMAC signing secret: from `TESSERA_JWT_SECRET`, or generated once and kept in the data dir.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Environment variable holding the signing secret. Never a CLI flag: flags show in `ps`.
pub const SECRET_ENV: &str = "TESSERA_JWT_SECRET";
/// Name of the generated secret's file inside the data dir.
pub const SECRET_FILE: &str = "jwt-secret";
/// Shortest secret accepted: 32 bytes, the HS256 output size (RFC 7518 §3.2).
pub const MIN_SECRET_LEN: usize = 32;

/// Signing key material; its `Debug` output never shows the bytes.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

/// Where the secret in use came from, for the startup log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Passed in by the embedding program.
    Explicit,
    /// Read from [`SECRET_ENV`].
    Env,
    /// Read from (or just generated into) this file.
    File(PathBuf),
}

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
    /// The secret file could not be read or written.
    #[error("cannot use the JWT secret file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: io::Error,
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

    fn checked(bytes: Vec<u8>, origin: &str) -> Result<Self, SecretError> {
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

/// Picks the secret: `explicit` if given, else [`SECRET_ENV`], else the data dir's
/// [`SECRET_FILE`], creating it (mode 0600) on first start.
pub fn resolve(
    explicit: Option<JwtSecret>,
    data_dir: &Path,
) -> Result<(JwtSecret, SecretSource), SecretError> {
    if let Some(secret) = explicit {
        return Ok((secret, SecretSource::Explicit));
    }
    // An empty variable is an explicit (and refused) choice, not "unset".
    if let Some(value) = std::env::var_os(SECRET_ENV) {
        let bytes = value.into_encoded_bytes();
        return Ok((JwtSecret::checked(bytes, SECRET_ENV)?, SecretSource::Env));
    }
    let path = data_dir.join(SECRET_FILE);
    let secret = load_or_create(&path).map_err(|source| SecretError::File {
        path: path.clone(),
        source,
    })?;
    let origin = path.display().to_string();
    Ok((
        JwtSecret::checked(secret, &origin)?,
        SecretSource::File(path),
    ))
}

fn load_or_create(path: &Path) -> io::Result<Vec<u8>> {
    match fs::read(path) {
        Ok(bytes) => return Ok(trim_line_end(bytes)),
        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
        Err(_) => {}
    }
    // Write a private temp file, then hard-link it into place: the link fails if
    // another process won the race, and nobody ever reads a half-written secret.
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let generated = JwtSecret::generate();
    write_private(&temp, generated.as_bytes())?;
    let linked = fs::hard_link(&temp, path);
    fs::remove_file(&temp)?;
    match linked {
        Ok(()) => Ok(generated.0),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => fs::read(path).map(trim_line_end),
        Err(err) => Err(err),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// People edit the file by hand or paste it into `TESSERA_JWT_SECRET`: a trailing
/// newline must not change the key.
fn trim_line_end(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    bytes
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
    fn generated_file_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SECRET_FILE);
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn debug_output_hides_the_key() {
        let secret = JwtSecret::generate();
        let shown = format!("{secret:?}");
        assert!(!shown.contains(std::str::from_utf8(secret.as_bytes()).unwrap()));
    }
}
