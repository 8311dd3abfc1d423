//! The shared engine: PostgreSQL through sqlx, for many Tessera instances.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::Postgres;

use super::queries::{Dialect, SqlStore};
use super::{RevocationRow, StoreError, StoreOptions};

/// The channel revocations are announced on (see the migration's trigger).
const REVOCATION_CHANNEL: &str = "tessera_revocations";

impl Dialect for Postgres {
    // lower() follows the database's collation, which may fold more than
    // ASCII (see migration 0002); under "C" it folds exactly A-Z, like
    // SQLite's NOCASE. The same expression as the unique index, so it is used.
    const NAME_IS: &'static str = "lower(u.username COLLATE \"C\") = lower($1 COLLATE \"C\")";
    // Many instances write at once, each transaction taking row locks: these
    // make a transaction that must see a row's latest committed state wait
    // for the one changing it, and re-read it.
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const FOR_SHARE: &'static str = " FOR SHARE";
    // Instances claiming mail at once each take different rows.
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    // Row locks, taken statement by statement, do what SQLite's write lock does.
    const BEGIN_WRITE: &'static str = "BEGIN";
}

impl SqlStore<Postgres> {
    pub(super) async fn open(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let timeout_ms = options.timeout.as_millis().to_string();
        // A statement timeout makes a stuck database fail requests (503) instead of hanging them.
        let connect =
            PgConnectOptions::from_str(url)?.options([("statement_timeout", timeout_ms.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.timeout)
            .connect_with(connect)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Postgres alone can announce what other processes commit (LISTEN/NOTIFY);
    /// SQLite servers poll the table.
    pub(super) async fn revocation_feed(&self) -> Result<RevocationFeed, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(REVOCATION_CHANNEL).await?;
        Ok(RevocationFeed { listener })
    }
}

/// Revocations announced by Postgres as other processes commit them.
#[derive(Debug)]
pub(crate) struct RevocationFeed {
    listener: PgListener,
}

impl RevocationFeed {
    /// The next announced revocation. After a lost connection the listener
    /// reconnects by itself; announcements made meanwhile are missed, so callers
    /// also poll the table now and then.
    pub(crate) async fn next(&mut self) -> Result<Option<RevocationRow>, StoreError> {
        let notification = self.listener.recv().await?;
        Ok(parse_announcement(notification.payload()))
    }
}

fn parse_announcement(payload: &str) -> Option<RevocationRow> {
    let mut parts = payload.splitn(4, ' ');
    let id = parts.next()?.parse().ok()?;
    let kind = parts.next()?.to_owned();
    let expires_at = parts.next()?.parse().ok()?;
    let value = parts.next()?.to_owned();
    Some(RevocationRow {
        id,
        kind,
        value,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_parse_into_rows() {
        let row = parse_announcement("42 session 1795512837 abc123").unwrap();
        assert_eq!(
            (
                row.id,
                row.kind.as_str(),
                row.expires_at,
                row.value.as_str()
            ),
            (42, "session", 1795512837, "abc123")
        );
        assert_eq!(parse_announcement("garbage"), None);
    }
}
