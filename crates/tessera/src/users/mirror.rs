//! From an [`Identity`] to the `users` row its sessions reference, and the
//! claims that go into its access tokens.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Identity, Users, UsersError};
use crate::store::{Store, StoreError, StoredUser};

/// Makes the app's own claims for a user's access tokens.
pub(crate) type ClaimsFn =
    dyn Fn(&Identity) -> Result<Map<String, Value>, serde_json::Error> + Send + Sync;

/// Whose users sign in, and what else their tokens carry.
#[derive(Clone)]
pub(crate) struct UserSource {
    users: Arc<dyn Users>,
    /// Whether `users` is the app's (mirrored) rather than the built-in store.
    app_owned: bool,
    claims: Option<Arc<ClaimsFn>>,
}

/// A user who may hold a session: the row sessions reference, and who they are.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// The `users` row's id: the tokens' `sub`.
    pub(crate) id: i64,
    /// The user as the hook answered; its version is the row's credential version.
    pub(crate) identity: Identity,
}

/// An account read for a sign-in or refresh.
pub(crate) struct Resolved {
    pub(crate) account: Account,
    /// The app bumped the user's version since their row was last written:
    /// the sessions started before have ended.
    pub(crate) version_changed: bool,
    /// Those sessions, revoked in the store already.
    pub(crate) ended_sessions: Vec<String>,
}

/// Why an account could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AccountError {
    #[error(transparent)]
    Users(#[from] UsersError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UserSource {
    /// `users` (the app's own when `app_owned`), adding `claims` to tokens.
    pub(crate) fn new(
        users: Arc<dyn Users>,
        app_owned: bool,
        claims: Option<Arc<ClaimsFn>>,
    ) -> Self {
        Self {
            users,
            app_owned,
            claims,
        }
    }

    /// Whether the app owns the users (so Tessera neither registers users nor
    /// changes passwords).
    pub(crate) fn app_owned(&self) -> bool {
        self.app_owned
    }

    /// `row` as an account of these users: `None` for a row of the other kind
    /// (an app's user while the built-in store signs in, or the reverse).
    pub(crate) fn account_of(&self, row: StoredUser) -> Option<Account> {
        let id = match (row.external_id, self.app_owned) {
            (Some(external), true) => external,
            (None, false) => row.id.to_string(),
            _ => return None,
        };
        Some(Account {
            id: row.id,
            identity: Identity {
                id,
                username: row.username,
                roles: row.roles,
                version: row.credential_version,
                email_verified: row.email.as_ref().map(|_| row.email_verified),
            },
        })
    }

    /// The account `username` proves with `password`, or `None`.
    pub(crate) async fn authenticate(
        &self,
        store: &Store,
        username: &str,
        password: &str,
    ) -> Result<Option<Resolved>, AccountError> {
        match self.users.authenticate(username, password).await? {
            Some(identity) => Ok(Some(self.resolve(store, identity).await?)),
            None => Ok(None),
        }
    }

    /// Account `user_id` as the hook answers for it now; `None` when it is gone
    /// or disabled.
    pub(crate) async fn current(
        &self,
        store: &Store,
        user_id: i64,
    ) -> Result<Option<Resolved>, AccountError> {
        let id = if self.app_owned {
            let row = store.find_user_by_id(user_id).await?;
            // A built-in account has no business signing in through the app.
            match row.and_then(|row| row.external_id) {
                Some(external) => external,
                None => return Ok(None),
            }
        } else {
            user_id.to_string()
        };
        match self.users.identity(&id).await? {
            Some(identity) => Ok(Some(self.resolve(store, identity).await?)),
            None => Ok(None),
        }
    }

    /// The row of `identity`: the built-in one it names, or the app user's
    /// mirror, written now.
    async fn resolve(&self, store: &Store, identity: Identity) -> Result<Resolved, AccountError> {
        if !self.app_owned {
            let id = identity
                .id
                .parse()
                .map_err(|_| UsersError::Internal(format!("built-in user id {:?}", identity.id)))?;
            let account = Account { id, identity };
            return Ok(Resolved {
                account,
                version_changed: false,
                ended_sessions: Vec::new(),
            });
        }
        let mirrored = store
            .mirror_user(
                &identity.id,
                &identity.username,
                &identity.roles,
                identity.version,
            )
            .await
            .map_err(|err| match err {
                // Not the client's doing: a 500, and the log says what to fix.
                StoreError::UsernameTaken => AccountError::Users(UsersError::Internal(format!(
                    "the app's user {:?} is named like a built-in account of Tessera's store; \
                     delete that account (`tessera user delete`)",
                    identity.id
                ))),
                other => other.into(),
            })?;
        Ok(Resolved {
            account: Account {
                id: mirrored.id,
                identity,
            },
            version_changed: mirrored.version_changed,
            ended_sessions: mirrored.ended_sessions,
        })
    }

    /// The app's claims for `identity`'s access tokens (none without a hook).
    pub(crate) fn claims(&self, identity: &Identity) -> Result<Map<String, Value>, String> {
        match &self.claims {
            Some(claims) => claims(identity).map_err(|err| format!("custom claims: {err}")),
            None => Ok(Map::new()),
        }
    }
}
