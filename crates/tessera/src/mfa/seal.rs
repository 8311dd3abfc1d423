//! The secrets key: seals TOTP secrets and queued mail at rest
//! (ChaCha20-Poly1305) and keys the hashes of recovery codes. It lives with
//! the signing keys: in the key ring's directory (`second-factor.key`,
//! created once, never rotated, since rotating it would lock every enrolled
//! user out), or, when the ring is a configured HS256 secret, derived from
//! that secret.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::JwtSecret;

/// The key file's name in the key ring's directory.
pub(crate) const KEY_FILE: &str = "second-factor.key";

/// The name the key's check value is recorded under in the database.
pub(crate) const CHECK_NAME: &str = "second-factor";

const NONCE_LEN: usize = 12;

/// Seals and opens second-factor secrets; derived once at start.
pub(crate) struct SecretsKey {
    seal: ChaCha20Poly1305,
    /// Seals queued mail: a subkey of its own, so nothing sealed for one
    /// use ever opens as the other.
    outbox: ChaCha20Poly1305,
    recovery: Hmac<Sha256>,
    check: String,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl SecretsKey {
    /// The key derived from a configured HS256 secret (every instance given
    /// the secret derives the same key).
    pub(crate) fn from_secret(secret: &JwtSecret) -> Self {
        Self::from_master(&subkey(secret.as_bytes(), b"tessera second-factor master"))
    }

    /// The key kept in the ring directory `dir`, if its file is there.
    pub(crate) fn load(dir: &Path) -> io::Result<Option<Self>> {
        if !dir.join(KEY_FILE).exists() {
            return Ok(None);
        }
        Self::load_or_create(dir).map(Some)
    }

    /// The key kept in the ring directory `dir`, created there (mode 0600) if
    /// absent. Instances starting together agree: the file appears whole
    /// (written aside, then linked into place) and the first one wins.
    pub(crate) fn load_or_create(dir: &Path) -> io::Result<Self> {
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            let mut master = [0u8; 32];
            OsRng.fill_bytes(&mut master);
            let aside = dir.join(format!("{KEY_FILE}.{}", crate::clock::new_id()));
            let mut file = private_file(&aside)?;
            file.write_all(hex(&master).as_bytes())?;
            file.sync_all()?;
            let linked = fs::hard_link(&aside, &path);
            fs::remove_file(&aside)?;
            match linked {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
                Err(err) => return Err(err),
            }
        }
        let text = fs::read_to_string(&path)?;
        let master = unhex(text.trim())
            .filter(|bytes| bytes.len() == 32)
            .ok_or_else(|| io::Error::other(format!("{} is not 64 hex digits", path.display())))?;
        Ok(Self::from_master(&master))
    }

    fn from_master(master: &[u8]) -> Self {
        let seal = subkey(master, b"tessera totp seal v1");
        let outbox = subkey(master, b"tessera outbox seal v1");
        let recovery = subkey(master, b"tessera recovery codes v1");
        let check = subkey(
            &subkey(master, b"tessera second-factor check v1"),
            b"tessera second-factor key check",
        );
        Self {
            check: hex(&check),
            seal: ChaCha20Poly1305::new(&Key::from(seal)),
            outbox: ChaCha20Poly1305::new(&Key::from(outbox)),
            recovery: <Hmac<Sha256> as Mac>::new_from_slice(&recovery)
                .expect("HMAC takes any key length"),
        }
    }

    /// A value that tells this key from another without revealing it (an
    /// HMAC of a fixed label under a subkey of its own), recorded in the
    /// database so that every instance can check it holds the same key.
    pub(crate) fn check_value(&self) -> &str {
        &self.check
    }

    /// `plain` sealed for user `user_id`: base64url of nonce and ciphertext.
    /// The user id is authenticated too, so a sealed secret copied to
    /// another user's row does not open.
    pub(crate) fn seal(&self, user_id: i64, plain: &[u8]) -> String {
        seal_with(&self.seal, &user_id.to_be_bytes(), plain)
    }

    /// What [`Self::seal`] sealed for `user_id`; `None` if it was sealed
    /// under another key or for another user, or altered.
    pub(crate) fn open(&self, user_id: i64, sealed: &str) -> Option<Vec<u8>> {
        open_with(&self.seal, &user_id.to_be_bytes(), sealed)
    }

    /// A part of a queued message sealed under the outbox's own subkey and
    /// bound to `context` (authenticated, not stored): it opens only with the
    /// same context.
    pub(crate) fn seal_mail(&self, context: &[u8], plain: &[u8]) -> String {
        seal_with(&self.outbox, context, plain)
    }

    /// What [`Self::seal_mail`] sealed for `context`; `None` if it was sealed
    /// under another key or for another context, or altered.
    pub(crate) fn open_mail(&self, context: &[u8], sealed: &str) -> Option<Vec<u8>> {
        open_with(&self.outbox, context, sealed)
    }

    /// The stored form of user `user_id`'s recovery code `code` (normalised):
    /// a keyed hash, so a copy of the database alone cannot test guesses.
    pub(crate) fn recovery_hash(&self, user_id: i64, code: &str) -> String {
        let mut mac = self.recovery.clone();
        mac.update(&user_id.to_be_bytes());
        mac.update(code.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// `plain` sealed under `cipher` with a fresh random nonce, `aad`
/// authenticated: base64url of nonce and ciphertext.
fn seal_with(cipher: &ChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let payload = Payload { msg: plain, aad };
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), payload)
        .expect("ChaCha20-Poly1305 seals any message under 256 GiB");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    URL_SAFE_NO_PAD.encode(out)
}

/// What [`seal_with`] sealed under `cipher` and `aad`, if it opens.
fn open_with(cipher: &ChaCha20Poly1305, aad: &[u8], sealed: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let payload = Payload { msg: sealed, aad };
    cipher.decrypt(&Nonce::from(nonce), payload).ok()
}

/// HMAC-SHA256(key, label): a 32-byte key for one purpose.
fn subkey(key: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn private_file(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_finds_only_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SecretsKey::load(dir.path()).unwrap().is_none());
        assert!(!dir.path().join(KEY_FILE).exists(), "nothing created");
        let made = SecretsKey::load_or_create(dir.path()).unwrap();
        let found = SecretsKey::load(dir.path()).unwrap().unwrap();
        assert_eq!(made.check_value(), found.check_value());
    }

    #[test]
    fn sealed_secrets_open_only_for_their_user_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretsKey::load_or_create(dir.path()).unwrap();
        let sealed = key.seal(7, b"secret bytes");
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(7, &sealed).as_deref(), Some(&b"secret bytes"[..]));
        assert_eq!(key.open(8, &sealed), None, "another user's row");
        let again = SecretsKey::load_or_create(dir.path()).unwrap();
        assert_eq!(
            again.open(7, &sealed).as_deref(),
            Some(&b"secret bytes"[..])
        );
        let other = SecretsKey::from_secret(&JwtSecret::generate());
        assert_eq!(other.open(7, &sealed), None, "another key");
        assert_ne!(key.recovery_hash(7, "abc"), other.recovery_hash(7, "abc"));
        assert_eq!(key.check_value(), again.check_value());
        assert_ne!(key.check_value(), other.check_value());
        let file = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        assert!(!file.contains(key.check_value()), "never the key itself");
    }
}
