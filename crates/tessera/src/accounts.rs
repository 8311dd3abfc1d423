//! [`Accounts`]: the built-in accounts managed outside HTTP, by an app (seed
//! an administrator, count users) or by an operator (`tessera user ...`).

use std::sync::Arc;

use tessera_shared::UserProfile;

use crate::account::password_reset_link;
use crate::clock::unix_now;
use crate::config::StoreConfig;
use crate::password::{PasswordError, Passwords};
use crate::startup::StartupError;
use crate::store::{Store, StoreError, SESSION_REVOCATION_SECS};
use crate::token::TokenService;
use crate::validate;

/// Why an [`Accounts`] call did nothing.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// A username, password or role that breaks the rules of `/register`;
    /// the message says which.
    #[error("{0}")]
    Invalid(String),
    /// The username is taken.
    #[error("user '{0}' already exists")]
    Taken(String),
    /// No account has this username.
    #[error("no user named '{0}'")]
    NoSuchUser(String),
    /// The password could not be hashed (e.g. the hasher is busy).
    #[error("cannot hash the password: {0}")]
    Hashing(#[from] PasswordError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, AccountsError>;

/// The built-in accounts: list, look up, create (checked and hashed as
/// `POST /register` does), delete and set a password. Ending sessions goes
/// through the store's revocations, which every running instance follows
/// within a second; from [`crate::Tessera::accounts`], this instance denies
/// the tokens at once as well.
///
/// With the app's own users ([`crate::TesseraBuilder::users`]) the store
/// holds a row per app user who signed in; manage those in the app (an
/// account created here could not sign in through the app's hook).
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    passwords: Passwords,
    /// The running server's token checks, for the accounts of a server
    /// ([`crate::Tessera::accounts`]), which then owns the store; `None` for
    /// accounts [`Accounts::open`] opened on a store of their own.
    server: Option<Arc<TokenService>>,
}

impl Accounts {
    /// The accounts of the store `config` names, without a server: what the
    /// `tessera user` commands use. [`Accounts::close`] it when done. It
    /// starts a password hasher of its own, whose first, calibrating hash
    /// runs on the calling thread (a fraction of a second).
    ///
    /// # Errors
    /// When the store cannot be opened or migrated.
    pub async fn open(config: &StoreConfig) -> std::result::Result<Self, StartupError> {
        Ok(Self {
            store: config.open().await?,
            passwords: Passwords::new(1),
            server: None,
        })
    }

    /// The accounts of a running Tessera, whose deny list `tokens` holds.
    pub(crate) fn of_server(store: Store, passwords: Passwords, tokens: Arc<TokenService>) -> Self {
        Self {
            store,
            passwords,
            server: Some(tokens),
        }
    }

    /// Every account, oldest first.
    pub async fn list(&self) -> Result<Vec<UserProfile>> {
        Ok(self.store.list_users().await?)
    }

    /// The account named `username`, if there is one.
    pub async fn find(&self, username: &str) -> Result<Option<UserProfile>> {
        Ok(self
            .store
            .find_user_by_name(username)
            .await?
            .map(Into::into))
    }

    /// Creates `username` with `password` and `roles` (e.g. `["admin"]`),
    /// under the rules of `POST /register`, the password hashed with argon2id.
    pub async fn create(
        &self,
        username: &str,
        password: String,
        roles: &[String],
    ) -> Result<UserProfile> {
        validate::username(username).map_err(AccountsError::Invalid)?;
        for role in roles {
            validate::role(role).map_err(AccountsError::Invalid)?;
        }
        let hash = self.hash(password).await?;
        let created = match self.store.create_user(username, &hash, roles).await {
            Err(StoreError::UsernameTaken) => Err(AccountsError::Taken(username.to_owned())),
            created => Ok(created?),
        }?;
        tracing::info!(target: "tessera::audit", event = "registered", user_id = created.id, %username, "account created outside HTTP");
        Ok(created)
    }

    /// Deletes `username`; its tokens stop working. Unlike
    /// `DELETE /admin/users/{username}`, it may delete the last administrator
    /// (an operator's last resort).
    pub async fn delete(&self, username: &str) -> Result<()> {
        let id = self.store.delete_user(username).await?;
        let id = id.ok_or_else(|| AccountsError::NoSuchUser(username.to_owned()))?;
        tracing::info!(target: "tessera::audit", event = "user_deleted", user_id = id, %username, "account deleted outside HTTP");
        self.follow_revocations().await;
        Ok(())
    }

    /// Sets the password of `username` (under the rules of `/register`);
    /// every session of theirs ends, and their reset links stop working.
    /// Returns how many sessions ended.
    pub async fn set_password(&self, username: &str, password: String) -> Result<usize> {
        let user = self.store.find_user_by_name(username).await?;
        let user = user.ok_or_else(|| AccountsError::NoSuchUser(username.to_owned()))?;
        let hash = self.hash(password).await?;
        self.store.set_password_hash(user.id, &hash).await?;
        let now = unix_now();
        let ended = self
            .store
            .revoke_user_sessions(user.id, None, now, now + SESSION_REVOCATION_SECS)
            .await?;
        tracing::info!(target: "tessera::audit", event = "password_changed", user_id = user.id, %username, sessions_ended = ended.len(), "password set outside HTTP");
        self.follow_revocations().await;
        Ok(ended.len())
    }

    /// A new password reset link for `username` (older ones stop working),
    /// not mailed: for an operator to hand over. `link_origin` is where the
    /// browser app is served, such as `https://app.example` (taken as given:
    /// check it first if it comes from input); the link works once, for
    /// [`crate::RESET_PASSWORD_TTL`].
    pub async fn reset_link(&self, username: &str, link_origin: &str) -> Result<String> {
        password_reset_link(&self.store, link_origin, username)
            .await?
            .ok_or_else(|| AccountsError::NoSuchUser(username.to_owned()))
    }

    /// Closes the store's connections if [`Accounts::open`] opened them;
    /// does nothing for [`crate::Tessera::accounts`] (the server's, which
    /// [`crate::Tessera::close`] closes).
    pub async fn close(&self) {
        if self.server.is_none() {
            self.store.close().await;
        }
    }

    async fn hash(&self, password: String) -> Result<String> {
        validate::password(&password).map_err(AccountsError::Invalid)?;
        Ok(self.passwords.hash(password).await?)
    }

    /// Denies at once, on this instance, what was just revoked in the store.
    /// The change is made either way: a failure here only leaves it to the
    /// maintenance's next sync, a second later.
    async fn follow_revocations(&self) {
        if let Some(tokens) = &self.server {
            if let Err(err) = tokens.revocations().sync(&self.store).await {
                tracing::warn!(error = %err, "revocations not followed at once; the next sync will");
            }
        }
    }
}
