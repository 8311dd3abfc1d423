//! The server's database read and written directly, with plain SQL, as an
//! operator's query or another instance's write would: for tests that set up a
//! race, or check what a crash left behind. The same statements run on SQLite
//! and Postgres (`$n` placeholders suit both).

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::AnyPool;

/// A connection pool to one test server's database.
pub(crate) struct Db(AnyPool);

/// What the database holds about one refresh token.
#[derive(Debug)]
pub(crate) struct RefreshRow {
    /// When it was exchanged, if it was.
    pub(crate) used_at: Option<i64>,
    /// The token it was exchanged for.
    pub(crate) successor_jti: Option<String>,
}

impl Db {
    /// Connects to the database at `url` (`sqlite://PATH` or `postgres://...`).
    pub(crate) async fn open(url: &str) -> Self {
        install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(url).await;
        Self(pool.unwrap())
    }

    /// The id of `username`.
    pub(crate) async fn user_id(&self, username: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(&self.0)
            .await
            .unwrap()
    }

    /// Messages still waiting in the outbox.
    pub(crate) async fn pending_mail(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox")
            .fetch_one(&self.0)
            .await
            .unwrap()
    }

    /// Queues a message as it is, due now, as another instance (or an
    /// earlier release) would have.
    pub(crate) async fn queue_mail(&self, to: &str, subject: &str, text: &str, html: &str) {
        sqlx::query(
            "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, created_at, \
             attempts, next_attempt_at, claimed_until) VALUES ($1, $2, $3, $4, $5, 0, $5, 0)",
        )
        .bind(to)
        .bind(subject)
        .bind(text)
        .bind(html)
        .bind(crate::helpers::now() as i64)
        .execute(&self.0)
        .await
        .unwrap();
    }

    /// The text and HTML bodies of the messages waiting in the outbox.
    pub(crate) async fn outbox_bodies(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT text_body, html_body FROM mail_outbox ORDER BY id")
            .fetch_all(&self.0)
            .await
            .unwrap()
    }

    /// Refresh token `jti`'s row, if there is one.
    pub(crate) async fn refresh_row(&self, jti: &str) -> Option<RefreshRow> {
        let row: Option<(Option<i64>, Option<String>)> =
            sqlx::query_as("SELECT used_at, successor_jti FROM refresh_tokens WHERE jti = $1")
                .bind(jti)
                .fetch_optional(&self.0)
                .await
                .unwrap();
        row.map(|(used_at, successor_jti)| RefreshRow {
            used_at,
            successor_jti,
        })
    }

    /// Gives user `id` the verified address `email`, as `POST /email` and the
    /// verification link do between them.
    pub(crate) async fn set_verified_email(&self, id: i64, email: &str, now: u64) {
        sqlx::query("UPDATE users SET email = $1, email_verified_at = $2 WHERE id = $3")
            .bind(email)
            .bind(now as i64)
            .bind(id)
            .execute(&self.0)
            .await
            .unwrap();
    }

    /// Stores a password reset link for user `id` by its SHA-256 hex digest,
    /// bound to `email`, replacing the user's earlier link as the server does.
    pub(crate) async fn put_reset_link(&self, id: i64, hash: &str, email: &str, expires_at: u64) {
        sqlx::query(
            "INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at) \
             VALUES ($1, 'reset_password', $2, $3, $4) \
             ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = excluded.token_hash, \
             email = excluded.email, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(hash)
        .bind(email)
        .bind(expires_at as i64)
        .execute(&self.0)
        .await
        .unwrap();
    }

    /// Closes the pool.
    pub(crate) async fn close(&self) {
        self.0.close().await;
    }
}
