//! Where users live: an embedded SQLite database by default.
//!
//! Handlers only see [`UserStore`]'s methods, so another engine can be added
//! behind them without touching the HTTP layer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::FromRow;
use tessera_shared::UserProfile;

/// A user row, including the password hash. Never serialised to clients.
#[derive(Debug, Clone, FromRow)]
pub struct StoredUser {
    /// Primary key.
    pub id: i64,
    /// Account name as registered.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// RFC 3339 creation time (UTC).
    pub created_at: String,
}

impl From<StoredUser> for UserProfile {
    fn from(user: StoredUser) -> Self {
        Self {
            id: user.id,
            username: user.username,
            created_at: user.created_at,
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
pub struct UserStore {
    pool: SqlitePool,
}

impl UserStore {
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

    /// Inserts a user. Uniqueness is the database's job, so concurrent sign-ups
    /// of one name yield exactly one success and [`StoreError::UsernameTaken`] for the rest.
    pub async fn create(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<UserProfile, StoreError> {
        sqlx::query_as::<_, StoredUser>(
            "INSERT INTO users (username, password_hash) VALUES (?, ?) \
             RETURNING id, username, password_hash, created_at",
        )
        .bind(username)
        .bind(password_hash)
        .fetch_one(&self.pool)
        .await
        .map(UserProfile::from)
        .map_err(|err| match err.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::UsernameTaken,
            _ => StoreError::Database(err),
        })
    }

    /// The user named `username` (letter case ignored), hash included.
    pub async fn find_by_name(&self, username: &str) -> Result<Option<StoredUser>, StoreError> {
        let user = sqlx::query_as::<_, StoredUser>(
            "SELECT id, username, password_hash, created_at FROM users WHERE username = ?",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        Ok(user)
    }

    /// The profile of user `id`.
    pub async fn find_by_id(&self, id: i64) -> Result<Option<UserProfile>, StoreError> {
        let user = sqlx::query_as::<_, StoredUser>(
            "SELECT id, username, password_hash, created_at FROM users WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(user.map(UserProfile::from))
    }

    /// Every user, oldest first.
    pub async fn list(&self) -> Result<Vec<UserProfile>, StoreError> {
        let users = sqlx::query_as::<_, StoredUser>(
            "SELECT id, username, password_hash, created_at FROM users ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(users.into_iter().map(UserProfile::from).collect())
    }

    /// Deletes the user named `username`; `false` when there was none.
    pub async fn delete(&self, username: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM users WHERE username = ?")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
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
