//! The embedded engine: SQLite through sqlx.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;

use super::queries::{Dialect, SqlStore};
use super::{StoreError, StoreOptions};

impl Dialect for Sqlite {
    // The column's NOCASE collation folds ASCII letters, as usernames are, and
    // its unique index answers the comparison.
    const NAME_IS: &'static str = "u.username = $1";
    // SQLite has no row locks, nor needs them: a write transaction holds the
    // database's only write lock (see BEGIN_WRITE), so no other transaction
    // changes anything it reads.
    const FOR_UPDATE: &'static str = "";
    const FOR_SHARE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    // Takes the write lock at once. A deferred transaction that read first
    // could not take it later if another writer committed meanwhile: it would
    // fail at once, where waiting its turn (the busy timeout) succeeds.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
}

impl SqlStore<Sqlite> {
    pub(super) async fn open(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let connect = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL lets the CLI write while a server reads; the busy timeout makes
            // concurrent writers wait for each other instead of failing.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(options.timeout)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.timeout)
            .connect_with(connect)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}
