//! The tokens in one-time links: `<user id>.<256 random bits, base64url>`,
//! stored as a SHA-256 and compared in constant time.

use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::unix_now;
use crate::store::{AccountToken, StoreError};

/// Why a link's token was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LinkError {
    /// Not a token Tessera could have issued.
    #[error("This link is not valid; check that it was copied whole")]
    Malformed,
    /// No live link of this kind: used already, or never issued.
    #[error("This link was already used or is not valid; ask for a new one")]
    Unknown,
    /// A newer link of the same kind replaced it (or it never was the live one).
    #[error("This link was replaced by a newer one; use the newest message")]
    Superseded,
    /// Too old.
    #[error("This link has expired; ask for a new one")]
    Expired,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new link token for `user_id` valid for `ttl`, and what the store keeps of it.
pub(super) fn new_link(
    user_id: i64,
    email: Option<String>,
    ttl: Duration,
) -> (String, AccountToken) {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let token = format!("{user_id}.{}", URL_SAFE_NO_PAD.encode(secret));
    let stored = AccountToken {
        token_hash: hash(&token),
        email,
        expires_at: unix_now() + ttl.as_secs(),
    };
    (token, stored)
}

/// The user id a token names and the token's hash.
pub(super) fn parse(token: &str) -> Result<(i64, String), LinkError> {
    let token = token.trim();
    let (user_id, secret) = token.split_once('.').ok_or(LinkError::Malformed)?;
    let user_id: i64 = user_id.parse().map_err(|_| LinkError::Malformed)?;
    if secret.len() != 43 || URL_SAFE_NO_PAD.decode(secret).is_err() {
        return Err(LinkError::Malformed);
    }
    Ok((user_id, hash(token)))
}

/// Whether two stored hashes are equal, taking the same time wherever they differ.
pub(super) fn same_hash(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_user_and_are_stored_hashed() {
        let (token, stored) = new_link(42, None, Duration::from_secs(60));
        assert!(token.starts_with("42."));
        assert!(!stored.token_hash.contains(&token[3..]));
        let (user_id, hash) = parse(&token).unwrap();
        assert_eq!(user_id, 42);
        assert!(same_hash(&stored.token_hash, &hash));
        let (other, _) = new_link(42, None, Duration::from_secs(60));
        assert!(!same_hash(&stored.token_hash, &parse(&other).unwrap().1));
        for bad in [
            "",
            "42",
            "x.abc",
            "42.short",
            &format!("42.{}", "!".repeat(43)),
        ] {
            assert!(matches!(parse(bad), Err(LinkError::Malformed)), "{bad}");
        }
    }
}
