//! Where users, sessions and revocations live: SQLite (embedded, the default)
//! or PostgreSQL (shared by many instances), chosen by the database URL.
//!
//! Both engines run the same SQL (`queries`); each engine's module holds only
//! what differs: connection settings, migrations, the few clauses named by
//! `queries::Dialect`, and on Postgres the LISTEN/NOTIFY revocation feed. The
//! rules that use the store live above it, in `session` and the routes.

use std::time::Duration;

use sqlx::{FromRow, Postgres, Sqlite};
use tessera_shared::UserProfile;

mod postgres;
mod queries;
mod sqlite;

use queries::SqlStore;

pub(crate) use postgres::RevocationFeed;

/// How long a session revocation is remembered: past the longest access-token
/// lifetime plus leeway any server may be configured with, so no token of the
/// session can outlive it.
pub(crate) const SESSION_REVOCATION_SECS: u64 = 24 * 3600 + 60;

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
    /// Bumped by every password change; a session is only created for the
    /// version read along with the hash it was checked against.
    pub credential_version: i64,
    /// For a user of the app's own users table (see [`crate::Users`]): the
    /// app's id for them. Such a row has no usable password.
    pub external_id: Option<String>,
    /// The email address, normalised; none when the user has not set one.
    pub email: Option<String>,
    /// Whether `email` was confirmed through a verification link.
    pub email_verified: bool,
}

/// What [`Store::mirror_user`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MirroredUser {
    /// The row's id.
    pub id: i64,
    /// Whether the row existed with another version.
    pub version_changed: bool,
    /// The sessions the new version ended (revoked, with their revocation
    /// rows written for [`SESSION_REVOCATION_SECS`]).
    pub ended_sessions: Vec<String>,
}

impl From<StoredUser> for UserProfile {
    fn from(user: StoredUser) -> Self {
        Self {
            id: user.id,
            username: user.username,
            created_at: user.created_at,
            roles: user.roles,
            email: user.email,
            email_verified: user.email_verified,
        }
    }
}

/// One revocation: `kind` is `token` (value = an access token's `jti`) or
/// `session` (value = a `sid`); it matters until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct RevocationRow {
    /// Increasing id; followers ask for rows after the last one they saw.
    pub id: i64,
    /// `token` or `session`.
    pub kind: String,
    /// The revoked `jti` or `sid`.
    pub value: String,
    /// Unix time after which the row can be forgotten.
    pub expires_at: i64,
}

/// A refresh token as stored, with its session's state.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct RefreshRecord {
    /// The token's id.
    pub jti: String,
    /// Its session (rotation family).
    pub session_id: String,
    /// The session's user.
    pub user_id: i64,
    /// Unix time it was issued.
    pub issued_at: i64,
    /// Unix time it expires.
    pub expires_at: i64,
    /// When it was exchanged, if it was.
    pub used_at: Option<i64>,
    /// The refresh token it was exchanged for.
    pub successor_jti: Option<String>,
    /// The access token issued with the successor.
    pub access_jti: Option<String>,
    /// Digest of the client that exchanged it (see `extract::client::Client`).
    pub used_by: Option<String>,
    /// Whether the session has been revoked.
    pub session_revoked: bool,
}

/// One use of a refresh token, as [`Store::rotate_refresh`] records it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RotateRefresh<'a> {
    /// The token presented.
    pub jti: &'a str,
    /// The refresh token it is exchanged for.
    pub successor_jti: &'a str,
    /// The access token issued with the successor.
    pub access_jti: &'a str,
    /// Unix time of the exchange.
    pub now: u64,
    /// When the successor expires, before the session's max age caps it.
    pub successor_expires_at: u64,
    /// Absolute session lifetime, seconds.
    pub session_max_age: u64,
    /// Digest of the client exchanging it.
    pub used_by: &'a str,
}

/// Outcome of trying to use a refresh token once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rotation {
    /// This call used the token; the successor is stored, expiring at
    /// `expires_at` (capped to the session's absolute lifetime).
    Rotated {
        /// Unix time the successor expires.
        expires_at: u64,
        /// The session's stored assurance level, read in the same
        /// transaction: what the new pair carries.
        acr: i64,
    },
    /// The token was not usable: already used (the record says when and for
    /// what), its session revoked, or expired.
    Refused(RefreshRecord),
    /// No such token (never issued here, or purged with its session).
    Unknown,
}

/// A live session as the signed-in devices list shows it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct SessionRow {
    /// The session's id (its tokens' `sid`).
    pub id: String,
    /// Unix time it started (the password sign-in).
    pub created_at: i64,
    /// Unix time of its last refresh, if it was ever refreshed.
    pub refreshed_at: Option<i64>,
    /// The `User-Agent` last seen from it (cut to 512 bytes), if any.
    pub user_agent: Option<String>,
    /// The network its client was last seen in (e.g. `203.0.113.0/24`), if known.
    pub client_network: Option<String>,
}

/// Where a session was used from, as [`Store::record_session_client`] writes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionClient<'a> {
    /// The request's `User-Agent`, if it sent one.
    pub user_agent: Option<&'a str>,
    /// The client's network, shortened (never the full address).
    pub network: Option<&'a str>,
    /// Unix time of the refresh that used it; `None` when the session starts.
    pub refreshed_at: Option<u64>,
}

/// Which of a user's sessions [`Store::live_sessions`] lists: not revoked, and
/// holding a token that may still work.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiveSessions {
    /// Now, Unix time.
    pub now: u64,
    /// Access-token lifetime plus leeway, seconds: a session last signed in or
    /// refreshed within it may hold a working access token.
    pub access_horizon: u64,
    /// Absolute session lifetime, seconds: older sessions cannot be refreshed.
    pub session_max_age: u64,
}

/// Outcome of deleting a user with [`Store::delete_user_unless_last_admin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deletion {
    /// The user with this id was deleted and its sessions revoked.
    Deleted(i64),
    /// There is no such user.
    NoSuchUser,
    /// The user is the only one holding the `admin` role; nothing changed.
    LastAdmin,
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A user with that name (in any letter case) exists.
    #[error("username is already taken")]
    UsernameTaken,
    /// Another account has that email address.
    #[error("email address is already in use")]
    EmailTaken,
    /// The database URL is not one this build understands.
    #[error("unsupported database URL {0:?}: expected sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// The database cannot be reached or did not answer in time (503 to clients).
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        let unavailable = match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            // Postgres: query_canceled (statement timeout), admin_shutdown,
            // crash_shutdown, cannot_connect_now.
            sqlx::Error::Database(db) => {
                matches!(
                    db.code().as_deref(),
                    Some("57014" | "57P01" | "57P02" | "57P03")
                )
            }
            _ => false,
        };
        if unavailable {
            Self::Unavailable(err)
        } else {
            Self::Database(err)
        }
    }
}

/// Connection settings shared by both engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreOptions {
    /// Most connections the pool opens. Defaults to 10.
    pub max_connections: u32,
    /// Longest wait for a connection, a lock or (Postgres) a statement. Defaults to 5 seconds.
    pub timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    Sqlite(SqlStore<Sqlite>),
    Postgres(SqlStore<Postgres>),
}

/// Runs `$call` on whichever engine backs `$store`.
macro_rules! dispatch {
    ($store:expr, $engine:ident => $call:expr) => {
        match &$store.engine {
            Engine::Sqlite($engine) => $call,
            Engine::Postgres($engine) => $call,
        }
    };
}
// Declared after the macro, which it uses.
mod mfa;

pub(crate) use mfa::TotpRecord;

// Declared after the macro, which it uses.
mod account;
mod passkeys;

pub(crate) use passkeys::PasskeyRecord;

pub(crate) use account::{AccountToken, OutboxMessage, OutgoingMail, TokenPurpose};

impl Store {
    #[cfg(test)]
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://...`) with
    /// default options, creating a SQLite file if needed, and applies pending migrations.
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, &StoreOptions::default()).await
    }

    /// [`Self::open`] with explicit connection settings.
    pub(crate) async fn open_with(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite(SqlStore::<Sqlite>::open(url, options).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres(SqlStore::<Postgres>::open(url, options).await?)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Self { engine })
    }

    #[cfg(test)]
    /// `sqlite` or `postgres`.
    pub(crate) fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// Inserts a user with `roles`. Uniqueness is the database's job, so concurrent
    /// sign-ups of one name yield exactly one success and [`StoreError::UsernameTaken`].
    pub(crate) async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        roles: &[String],
    ) -> Result<UserProfile, StoreError> {
        Ok(self
            .create_user_with_email(username, password_hash, roles, None)
            .await?
            .into())
    }

    /// The user named `username` (letter case ignored), hash and roles included.
    pub(crate) async fn find_user_by_name(
        &self,
        username: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        dispatch!(self, db => db.find_user_by_name(username).await)
    }

    /// User `id`, hash and roles included.
    pub(crate) async fn find_user_by_id(&self, id: i64) -> Result<Option<StoredUser>, StoreError> {
        dispatch!(self, db => db.find_user_by_id(id).await)
    }

    /// Every user, oldest first.
    pub(crate) async fn list_users(&self) -> Result<Vec<UserProfile>, StoreError> {
        dispatch!(self, db => db.list_users().await)
    }

    /// Writes the row of the app's user `external_id`: creates it (with no
    /// usable password) or brings its name, roles and version up to date; a
    /// new version revokes every session of the user in the same transaction.
    /// A row of another app user holding the name lets go of it;
    /// [`StoreError::UsernameTaken`] when a built-in account holds it.
    pub(crate) async fn mirror_user(
        &self,
        external_id: &str,
        username: &str,
        roles: &[String],
        version: i64,
    ) -> Result<MirroredUser, StoreError> {
        dispatch!(self, db => db.mirror_user(external_id, username, roles, version).await)
    }

    /// Replaces user `id`'s password hash and bumps its credential version, so
    /// sign-ins that checked the old hash cannot start a session any more;
    /// voids any password reset link sent before.
    pub(crate) async fn set_password_hash(
        &self,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.set_password_hash(id, password_hash).await)
    }

    /// Deletes the user named `username` and revokes every session it had (for
    /// [`SESSION_REVOCATION_SECS`]), so its live tokens stop working on every server
    /// following the revocations. `None` when there was no such user.
    pub(crate) async fn delete_user(&self, username: &str) -> Result<Option<i64>, StoreError> {
        let deletion = dispatch!(self, db => db.delete_user(username, false).await)?;
        Ok(match deletion {
            Deletion::Deleted(id) => Some(id),
            Deletion::NoSuchUser | Deletion::LastAdmin => None,
        })
    }

    /// [`Self::delete_user`], unless the user is the last one holding the
    /// `admin` role. Checked in the deleting transaction, so two administrators
    /// deleting each other at once cannot both succeed.
    pub(crate) async fn delete_user_unless_last_admin(
        &self,
        username: &str,
    ) -> Result<Deletion, StoreError> {
        dispatch!(self, db => db.delete_user(username, true).await)
    }

    /// Records a new session for `user_id`, with its first refresh token `(jti,
    /// expires_at)` if any, provided the user's credential is still at
    /// `credential_version` (checked in the statement that creates the session,
    /// so a password change that commits first always wins). `false` when it
    /// is not (or the user is gone): nothing was created.
    pub(crate) async fn create_session(
        &self,
        session_id: &str,
        user_id: i64,
        credential_version: i64,
        now: u64,
        refresh: Option<(&str, u64)>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.create_session(session_id, user_id, credential_version, now, refresh).await)
    }

    /// Uses refresh token `use.jti` exactly once: a conditional update, so of
    /// any number of concurrent callers (in this process or another) one wins
    /// and stores the successor and who used it; the others get
    /// [`Rotation::Refused`]. The successor expires at `successor_expires_at` or
    /// when its session turns `session_max_age` seconds old, whichever comes
    /// first; a session already that old is refused.
    pub(crate) async fn rotate_refresh(
        &self,
        used: &RotateRefresh<'_>,
    ) -> Result<Rotation, StoreError> {
        let rotated = dispatch!(self, db => db.rotate_refresh(used).await)?;
        if let Some((expires_at, acr)) = rotated {
            return Ok(Rotation::Rotated { expires_at, acr });
        }
        Ok(match self.refresh_record(used.jti).await? {
            Some(record) => Rotation::Refused(record),
            None => Rotation::Unknown,
        })
    }

    /// Refresh token `jti` and its session's state.
    pub(crate) async fn refresh_record(
        &self,
        jti: &str,
    ) -> Result<Option<RefreshRecord>, StoreError> {
        dispatch!(self, db => db.refresh_record(jti).await)
    }

    /// Revokes session `session_id` of `user_id`: its refresh tokens stop
    /// working, and its access tokens too (through a revocation row kept until
    /// `until`). Returns whether such a live session existed.
    pub(crate) async fn revoke_session(
        &self,
        session_id: &str,
        user_id: i64,
        now: u64,
        until: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.revoke_session(session_id, user_id, now, until).await)
    }

    /// Revokes every live session of `user_id` except `keep`; returns the revoked ids.
    pub(crate) async fn revoke_user_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
        now: u64,
        until: u64,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, db => db.revoke_user_sessions(user_id, keep, now, until).await)
    }

    /// Records where session `session_id` is used from: its client's user agent
    /// and network, and for a refresh, when. A session that no longer exists is
    /// left alone.
    pub(crate) async fn record_session_client(
        &self,
        session_id: &str,
        client: &SessionClient<'_>,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.record_session_client(session_id, client).await)
    }

    /// The live sessions of `user_id`, newest first: not revoked, and either
    /// signed in or refreshed recently enough that an access token of theirs may
    /// still work, or holding an unused refresh token that has not expired.
    pub(crate) async fn live_sessions(
        &self,
        user_id: i64,
        live: &LiveSessions,
    ) -> Result<Vec<SessionRow>, StoreError> {
        dispatch!(self, db => db.live_sessions(user_id, live).await)
    }

    /// Denies the access token `jti` until `expires_at`.
    pub(crate) async fn revoke_token(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        dispatch!(self, db => db.revoke_token(jti, expires_at).await)
    }

    /// Unexpired revocations with an id above `after`, oldest first.
    pub(crate) async fn revocations_after(
        &self,
        after: i64,
        now: u64,
    ) -> Result<Vec<RevocationRow>, StoreError> {
        dispatch!(self, db => db.revocations_after(after, now).await)
    }

    /// Forgets what no longer matters: expired revocations and refresh tokens, and
    /// sessions older than `session_horizon` seconds with no refresh token left.
    pub(crate) async fn purge_expired(
        &self,
        now: u64,
        session_horizon: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.purge_expired(now, session_horizon).await)
    }

    /// Succeeds when the database answers a trivial query.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, db => db.ping().await)
    }

    /// A live feed of revocations as other processes commit them (Postgres
    /// LISTEN/NOTIFY); `None` on SQLite, where polling is all there is.
    pub(crate) async fn revocation_feed(
        &self,
    ) -> Result<Option<postgres::RevocationFeed>, StoreError> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(None),
            Engine::Postgres(db) => db.revocation_feed().await.map(Some),
        }
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        dispatch!(self, db => db.close().await);
    }
}

#[cfg(test)]
mod tests;
