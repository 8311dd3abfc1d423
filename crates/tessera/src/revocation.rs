//! The in-memory deny list every token check consults: revoked access tokens
//! (`jti`) and revoked sessions (`sid`). Written through to the store and
//! followed from it, so a check never costs a database round trip.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use crate::store::{RevocationRow, Store};
use crate::token::unix_now;

/// Revoked token ids and session ids, each remembered until it no longer matters.
#[derive(Debug, Default)]
pub struct Revocations {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    tokens: HashMap<String, u64>,
    sessions: HashMap<String, u64>,
    /// Highest store row applied; the follower asks for rows after it.
    last_row: i64,
}

impl Revocations {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the token `jti` or its session `sid` has been revoked.
    pub fn is_revoked(&self, jti: &str, sid: &str) -> bool {
        let inner = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.tokens.contains_key(jti) || inner.sessions.contains_key(sid)
    }

    /// Denies access token `jti` until `until` (its `exp`).
    pub fn revoke_token(&self, jti: &str, until: u64) {
        self.write().tokens.insert(jti.to_owned(), until);
    }

    /// Denies every token of session `sid` until `until`.
    pub fn revoke_session(&self, sid: &str, until: u64) {
        self.write().sessions.insert(sid.to_owned(), until);
    }

    /// Applies rows read from the store (idempotent).
    pub fn apply(&self, rows: &[RevocationRow]) {
        let mut inner = self.write();
        for row in rows {
            let set = if row.kind == "session" {
                &mut inner.sessions
            } else {
                &mut inner.tokens
            };
            set.insert(
                row.value.clone(),
                u64::try_from(row.expires_at).unwrap_or(0),
            );
            inner.last_row = inner.last_row.max(row.id);
        }
    }

    /// Forgets entries whose tokens have expired anyway.
    pub fn purge(&self, now: u64) {
        let mut inner = self.write();
        inner.tokens.retain(|_, until| *until >= now);
        inner.sessions.retain(|_, until| *until >= now);
    }

    /// How many entries are held (tokens + sessions).
    pub fn len(&self) -> usize {
        let inner = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.tokens.len() + inner.sessions.len()
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads rows added to the store since the last call (by this process or
    /// any other sharing the store: the CLI, other instances).
    pub async fn sync(&self, store: &Store) -> Result<usize, crate::store::StoreError> {
        let after = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .last_row;
        let rows = store.revocations_after(after, unix_now()).await?;
        self.apply(&rows);
        Ok(rows.len())
    }

    /// Re-reads every unexpired revocation (idempotent). Catches rows whose ids
    /// were taken before, but committed after, rows already seen.
    pub async fn reload(&self, store: &Store) -> Result<usize, crate::store::StoreError> {
        let rows = store.revocations_after(0, unix_now()).await?;
        self.apply(&rows);
        Ok(rows.len())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How often a server looks for revocations written elsewhere.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// How often expired entries are purged from memory and the store.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, kind: &str, value: &str, expires_at: i64) -> RevocationRow {
        RevocationRow {
            id,
            kind: kind.to_owned(),
            value: value.to_owned(),
            expires_at,
        }
    }

    #[test]
    fn tokens_and_sessions_are_denied_until_purged() {
        let list = Revocations::new();
        list.revoke_token("t1", 100);
        list.apply(&[row(1, "session", "s1", 200)]);
        assert!(list.is_revoked("t1", "other"));
        assert!(list.is_revoked("other", "s1"));
        assert!(!list.is_revoked("t2", "s2"));
        list.purge(150);
        assert!(!list.is_revoked("t1", "other"), "expired entries go");
        assert!(list.is_revoked("other", "s1"));
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn applying_rows_advances_the_cursor() {
        let list = Revocations::new();
        list.apply(&[row(3, "token", "a", 10), row(7, "token", "b", 10)]);
        assert_eq!(list.inner.read().unwrap().last_row, 7);
    }
}
