//! Unit tests of the key ring: the verification rules, the on-disk ring, and imports.

mod disk;
mod import;
mod robustness;
mod verify;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, decode_header, encode, Header, Validation};
use serde_json::{json, Value};

use super::KeyRing;

fn claims() -> Value {
    json!({ "sub": "7", "exp": crate::clock::unix_now() + 60 })
}

/// A token from the ring's signing key, naming it by kid.
fn sign(ring: &KeyRing) -> String {
    let mut header = Header::new(ring.signing_algorithm());
    header.kid = Some(ring.signing_kid().to_owned());
    encode(&header, &claims(), ring.encoding_key()).unwrap()
}

/// What token.rs does: the key from the header, the algorithm from the key.
fn verify(ring: &KeyRing, token: &str) -> Result<Value, ErrorKind> {
    let header = decode_header(token).map_err(|err| err.into_kind())?;
    let key = ring.key_for(&header).ok_or(ErrorKind::InvalidToken)?;
    decode::<Value>(token, &key.decoding, &Validation::new(key.algorithm))
        .map(|data| data.claims)
        .map_err(|err| err.into_kind())
}

/// The permission bits of `path`.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
