//! The in-memory deny list every token check consults: revoked access tokens
//! (`jti`) and revoked sessions (`sid`). Written through to the store and
//! followed from it, so a check never costs a database round trip.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::clock::unix_now;
use crate::store::{RevocationRow, Store};

/// Revoked token ids and session ids, each remembered until it no longer matters.
///
/// Every protected request reads this, on every core, so reads take no lock and
/// write nothing shared (a read lock's counter would bounce between cores): the
/// entries live in two immutable maps behind `ArcSwap`s, replaced whole by
/// writers. New entries go to the small `recent` map, copied on each write;
/// once it holds `MERGE_AT` (256) entries (and on every purge) it is merged into
/// `settled`, so a write costs a copy of at most that many entries plus, now and
/// then, one of the whole list.
#[derive(Debug, Default)]
pub struct Revocations {
    settled: ArcSwap<Denied>,
    recent: ArcSwap<Denied>,
    /// Serialises writers, and holds the store cursor.
    writer: Mutex<Cursor>,
    /// Seconds past its `until` an entry is still kept: verification accepts a
    /// token until `exp` plus the leeway, so its revocation must last as long.
    leeway: u64,
}

/// How many recent entries trigger a merge into the settled map.
const MERGE_AT: usize = 256;

#[derive(Debug, Default, Clone)]
struct Denied {
    tokens: HashMap<String, u64>,
    sessions: HashMap<String, u64>,
}

impl Denied {
    fn denies(&self, jti: &str, sid: &str) -> bool {
        self.tokens.contains_key(jti) || self.sessions.contains_key(sid)
    }

    fn len(&self) -> usize {
        self.tokens.len() + self.sessions.len()
    }

    /// Whether `row` is here already, for at least as long.
    fn holds(&self, row: &RevocationRow) -> bool {
        let set = if row.kind == "session" {
            &self.sessions
        } else {
            &self.tokens
        };
        set.get(&row.value).is_some_and(|held| *held >= until(row))
    }
}

/// Until when a stored row denies.
fn until(row: &RevocationRow) -> u64 {
    u64::try_from(row.expires_at).unwrap_or(0)
}

#[derive(Debug, Default)]
struct Cursor {
    /// Highest store row applied; the follower asks for rows after it.
    last_row: i64,
}

impl Revocations {
    /// An empty list for tokens checked without leeway.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list whose entries outlive their `until` by `leeway`, the clock
    /// skew token verification tolerates on `exp`.
    pub fn with_leeway(leeway: Duration) -> Self {
        Self {
            leeway: leeway.as_secs(),
            ..Self::default()
        }
    }

    /// Whether the token `jti` or its session `sid` has been revoked.
    pub fn is_revoked(&self, jti: &str, sid: &str) -> bool {
        // `recent` first: a merge stores the new `settled` before it empties
        // `recent`, so an entry is always in one of the two maps read here.
        let recent = self.recent.load();
        (recent.len() > 0 && recent.denies(jti, sid)) || self.settled.load().denies(jti, sid)
    }

    /// Denies access token `jti` until `until` (its `exp`).
    pub fn revoke_token(&self, jti: &str, until: u64) {
        self.add(|denied| {
            denied.tokens.insert(jti.to_owned(), until);
        });
    }

    /// Denies every token of session `sid` until `until`.
    pub fn revoke_session(&self, sid: &str, until: u64) {
        self.add(|denied| {
            denied.sessions.insert(sid.to_owned(), until);
        });
    }

    /// Applies rows read from the store (idempotent: rows already held change
    /// nothing, so re-reading them costs no copy).
    pub(crate) fn apply(&self, rows: &[RevocationRow]) {
        if rows.is_empty() {
            return;
        }
        let mut cursor = self.write();
        cursor.last_row = rows
            .iter()
            .map(|row| row.id)
            .fold(cursor.last_row, i64::max);
        let (settled, held) = (self.settled.load(), self.recent.load());
        let mut fresh = rows
            .iter()
            .filter(|row| !settled.holds(row) && !held.holds(row))
            .peekable();
        if fresh.peek().is_none() {
            return;
        }
        let mut recent = Denied::clone(&held);
        for row in fresh {
            let set = if row.kind == "session" {
                &mut recent.sessions
            } else {
                &mut recent.tokens
            };
            set.insert(row.value.clone(), until(row));
        }
        self.publish(recent, None);
    }

    /// Forgets entries whose tokens are refused anyway: expired, leeway included.
    pub(crate) fn purge(&self, now: u64) {
        let _cursor = self.write();
        self.publish(Denied::clone(&self.recent.load()), Some(self.horizon(now)));
    }

    /// Entries whose `until` is before this no longer matter at `now`.
    pub(crate) fn horizon(&self, now: u64) -> u64 {
        now.saturating_sub(self.leeway)
    }

    /// How many entries are held (tokens + sessions).
    pub fn len(&self) -> usize {
        let (settled, recent) = (self.settled.load(), self.recent.load());
        let fresh_tokens = recent
            .tokens
            .keys()
            .filter(|key| !settled.tokens.contains_key(*key));
        let fresh_sessions = recent
            .sessions
            .keys()
            .filter(|key| !settled.sessions.contains_key(*key));
        settled.len() + fresh_tokens.count() + fresh_sessions.count()
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads rows added to the store since the last call (by this process or
    /// any other sharing the store: the CLI, other instances), reading the last
    /// 64 ids below the cursor again (a row can commit after rows with higher
    /// ids were read).
    pub(crate) async fn sync(&self, store: &Store) -> Result<usize, crate::store::StoreError> {
        let after = self.write().last_row.saturating_sub(REREAD_ROWS);
        let rows = store
            .revocations_after(after, self.horizon(unix_now()))
            .await?;
        self.apply(&rows);
        Ok(rows.len())
    }

    /// Re-reads every unexpired revocation (idempotent). Catches rows whose ids
    /// were taken before, but committed after, rows already seen.
    pub(crate) async fn reload(&self, store: &Store) -> Result<usize, crate::store::StoreError> {
        let rows = store.revocations_after(0, self.horizon(unix_now())).await?;
        self.apply(&rows);
        Ok(rows.len())
    }

    /// One new entry, by copying the recent map.
    fn add(&self, insert: impl FnOnce(&mut Denied)) {
        let _cursor = self.write();
        let mut recent = Denied::clone(&self.recent.load());
        insert(&mut recent);
        self.publish(recent, None);
    }

    /// Stores `recent`, or, when it has grown to [`MERGE_AT`] entries or a purge
    /// asks for it (dropping entries whose `until` is before `purge`), merges it into
    /// `settled`. Called with the writer lock held.
    fn publish(&self, recent: Denied, purge: Option<u64>) {
        if purge.is_none() && recent.len() < MERGE_AT {
            self.recent.store(Arc::new(recent));
            return;
        }
        let mut settled = Denied::clone(&self.settled.load());
        settled.tokens.extend(recent.tokens);
        settled.sessions.extend(recent.sessions);
        if let Some(now) = purge {
            settled.tokens.retain(|_, until| *until >= now);
            settled.sessions.retain(|_, until| *until >= now);
        }
        // In this order: see `is_revoked`.
        self.settled.store(Arc::new(settled));
        self.recent.store(Arc::new(Denied::default()));
    }

    fn write(&self) -> MutexGuard<'_, Cursor> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How many ids below its cursor each [`Revocations::sync`] reads again. Ids are
/// taken when a row is inserted, not when it commits, so on Postgres a
/// transaction can commit a row below ids the follower already read; should its
/// notification be missed as well (the listener reconnecting), this window
/// catches it at the next poll rather than at the full re-read a minute later.
/// It would take this many revocations committed meanwhile to push a late row
/// out of the window: a late row belongs to a transaction in flight during one
/// poll, and far fewer run at once. Kept small because every instance re-reads
/// the window every second.
pub(crate) const REREAD_ROWS: i64 = 64;

/// How often a server looks for revocations written elsewhere.
pub(crate) const SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// How often expired entries are purged from memory and the store.
pub(crate) const PURGE_INTERVAL: Duration = Duration::from_secs(60);

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
    fn entries_stay_denied_across_merges_and_purges() {
        let list = Revocations::new();
        for n in 0..3 * MERGE_AT as u64 {
            list.revoke_token(&format!("t{n}"), 100 + n % 2 * 100);
        }
        list.revoke_session("s1", 300);
        assert_eq!(list.len(), 3 * MERGE_AT + 1);
        assert!((0..3 * MERGE_AT).all(|n| list.is_revoked(&format!("t{n}"), "-")));
        assert!(list.is_revoked("-", "s1"));
        list.purge(150);
        assert_eq!(
            list.len(),
            3 * MERGE_AT / 2 + 1,
            "the odd ones live until 200"
        );
        assert!(list.is_revoked("t1", "-") && !list.is_revoked("t0", "-"));
    }

    #[test]
    fn readers_never_miss_an_entry_while_writers_merge() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let list = Arc::new(Revocations::new());
        let written = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (list, written) = (list.clone(), written.clone());
            std::thread::spawn(move || {
                for n in 0..4 * MERGE_AT {
                    list.revoke_token(&format!("t{n}"), u64::MAX);
                    written.store(n + 1, Ordering::Release);
                }
            })
        };
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (list, written) = (list.clone(), written.clone());
                std::thread::spawn(move || {
                    while written.load(Ordering::Acquire) < 4 * MERGE_AT {
                        let seen = written.load(Ordering::Acquire);
                        for n in seen.saturating_sub(8)..seen {
                            assert!(list.is_revoked(&format!("t{n}"), "-"), "t{n} missed");
                        }
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for reader in readers {
            reader.join().unwrap();
        }
    }

    #[test]
    fn revoked_tokens_stay_denied_while_the_leeway_accepts_them() {
        let list = Revocations::with_leeway(Duration::from_secs(5));
        list.revoke_token("t1", 100);
        list.apply(&[row(1, "session", "s1", 100)]);
        list.purge(105);
        assert!(list.is_revoked("t1", "-"), "exp + leeway has not passed");
        assert!(list.is_revoked("-", "s1"));
        list.purge(106);
        assert!(!list.is_revoked("t1", "-") && !list.is_revoked("-", "s1"));
    }

    #[test]
    fn applying_rows_advances_the_cursor() {
        let list = Revocations::new();
        list.apply(&[row(3, "token", "a", 10), row(7, "token", "b", 10)]);
        assert_eq!(list.write().last_row, 7);
    }

    #[test]
    fn reapplying_held_rows_changes_nothing_and_later_expiries_win() {
        let list = Revocations::new();
        list.apply(&[row(1, "token", "a", 10), row(2, "session", "s", 10)]);
        let before = list.recent.load_full();
        list.apply(&[row(1, "token", "a", 10), row(2, "session", "s", 10)]);
        assert!(Arc::ptr_eq(&before, &list.recent.load_full()), "no copy");
        list.apply(&[row(5, "token", "a", 20)]);
        list.purge(15);
        assert!(list.is_revoked("a", "-") && !list.is_revoked("-", "s"));
    }
}
