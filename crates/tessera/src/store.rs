//! Where users live: an embedded SQLite database by default.
//!
//! Handlers only see [`Store`]'s methods, so another engine can be added
//! behind them without touching the HTTP layer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tessera_shared::UserProfile;

mod revocations;
mod sessions;
mod users;

pub use revocations::RevocationRow;
pub use sessions::{RefreshRecord, Rotation};

/// How long a session revocation is remembered: past the longest access-token
/// lifetime plus leeway any server may be configured with, so no token of the
/// session can outlive it.
pub const SESSION_REVOCATION_SECS: u64 = 24 * 3600 + 60;

/// A user row, including the password hash. Never serialised to clients.
#[derive(Debug, Clone)]
pub struct StoredUser {
    /// Primary key.
    pub id: i64,
    /// Account name as registered.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// RFC 3339 creation time (UTC).
    pub created_at: String,
    /// Granted roles, sorted.
    pub roles: Vec<String>,
}

impl From<StoredUser> for UserProfile {
    fn from(user: StoredUser) -> Self {
        Self {
            id: user.id,
            username: user.username,
            created_at: user.created_at,
            roles: user.roles,
        }
    }
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A user with that name (in any letter case) exists.
    #[error("username is already taken")]
    UsernameTaken,
    /// The database URL is not one this build understands.
    #[error("unsupported database URL {0:?}: expected sqlite://PATH")]
    UnsupportedUrl(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Handle to the user database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL lets the CLI write while a server reads; the busy timeout makes
            // concurrent writers wait for each other instead of failing.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
