//! Whose users sign in: the app's own (Flask-JWT's `authenticate` and
//! `identity`), plugged in through [`Users`], or Tessera's built-in store,
//! which is the default implementation of the same hook.
//!
//! Sessions reference a row of Tessera's `users` table. An app's user gets one
//! (a mirror: its stable id, name, roles and version, and no usable password),
//! written at each sign-in and refresh, so sessions, revocations and the admin
//! routes work the same whoever owns the users.

mod builtin;
mod mirror;

use std::future::Future;
use std::pin::Pin;

use crate::password::PasswordError;

pub(crate) use builtin::StoreUsers;
pub(crate) use mirror::{Account, AccountError, ClaimsFn, Resolved, UserSource};

/// A user as the app knows them, answered by [`Users::authenticate`] and
/// [`Users::identity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The app's id for the user: stable for the user's whole life (a primary
    /// key, never the username) and never reused for another user. It is what
    /// [`Users::identity`] is later asked about.
    pub id: String,
    /// The name tokens carry (`username`); shown to the user, may change.
    pub username: String,
    /// Roles that go into access tokens (what [`WithRole`](crate::WithRole) checks).
    pub roles: Vec<String>,
    /// Bump it to end every session of the user, e.g. when the app changes the
    /// user's password or wants them signed out everywhere: a refresh or
    /// sign-in seeing a new version revokes the sessions started under the old one.
    pub version: i64,
    /// Whether the user's email address is verified; `None` when the app
    /// holds no address for them. Access tokens carry it as `email_verified`,
    /// and with [`Config::require_verified_email`](crate::Config::require_verified_email)
    /// a user with `Some(false)` cannot sign in.
    pub email_verified: Option<bool>,
}

/// Why the app's user store could not answer. Not for "no such user" or
/// "wrong password": those are `Ok(None)`.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The store is down or too slow; answered 503 with `Retry-After`.
    #[error("user store unavailable: {0}")]
    Unavailable(String),
    /// Too many password checks are queued ([`PasswordError::Busy`]); answered 503.
    #[error("too many password checks queued")]
    Busy,
    /// Anything else; answered 500, the cause logged, never sent.
    #[error("user store failed: {0}")]
    Internal(String),
}

impl From<PasswordError> for UsersError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::Busy => Self::Busy,
            PasswordError::Internal(cause) => Self::Internal(cause),
        }
    }
}

/// What the methods of [`Users`] return: a boxed future, so the hook can live
/// behind `Arc<dyn Users>`.
pub type UsersFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, UsersError>> + Send + 'a>>;

/// The app's own users, for [`TesseraBuilder::users`](crate::TesseraBuilder::users).
///
/// An implementation must guarantee:
/// - **No timing difference** between an unknown username and a wrong password:
///   when the user is unknown, still verify the password against a dummy hash.
///   [`Passwords::verify`](crate::Passwords::verify) with `None` does exactly
///   that, and [`Passwords::hash`](crate::Passwords::hash) makes the argon2id
///   hashes it checks, so the app can use Tessera's hasher for its own table.
/// - **A disabled, locked or deleted user is `Ok(None)`** from both methods:
///   signing in answers 401 like a wrong password, and refreshing is refused.
/// - **Stable ids**: [`Identity::id`] never changes for a user and never names
///   another one later.
/// - **Errors only for outages**: `Err` means "could not tell" and answers
///   503 or 500; it never signs anyone in.
///
/// Tessera does the rest around the hook: the rate limits and lockout before
/// `authenticate` is called, sessions, refresh rotation, revocation.
///
/// ```
/// use tessera::{Identity, Passwords, Users, UsersFuture};
///
/// struct OneUser {
///     passwords: Passwords,
///     hash: String, // Passwords::hash("abcxyz") at startup
/// }
///
/// impl Users for OneUser {
///     fn authenticate<'a>(&'a self, username: &'a str, password: &'a str)
///         -> UsersFuture<'a, Option<Identity>> {
///         Box::pin(async move {
///             let stored = (username == "user1").then(|| self.hash.clone());
///             // Unknown user: a full verification against a dummy, answering false.
///             if !self.passwords.verify(password.to_owned(), stored).await? {
///                 return Ok(None);
///             }
///             self.identity("1").await
///         })
///     }
///
///     fn identity<'a>(&'a self, id: &'a str) -> UsersFuture<'a, Option<Identity>> {
///         Box::pin(async move {
///             Ok((id == "1").then(|| Identity {
///                 id: "1".into(),
///                 username: "user1".into(),
///                 roles: vec![],
///                 version: 0,
///                 email_verified: None,
///             }))
///         })
///     }
/// }
/// ```
pub trait Users: Send + Sync + 'static {
    /// The user `username` if `password` is theirs; `Ok(None)` when the name
    /// is unknown, the password wrong or the user disabled (indistinguishably,
    /// in answer and in time). `username` and `password` are never empty.
    fn authenticate<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> UsersFuture<'a, Option<Identity>>;

    /// The user with [`Identity::id`] `id` as they are now, asked at every
    /// refresh (so new roles and a new version take effect); `Ok(None)` when
    /// they were deleted or disabled, which refuses the refresh.
    fn identity<'a>(&'a self, id: &'a str) -> UsersFuture<'a, Option<Identity>>;
}
