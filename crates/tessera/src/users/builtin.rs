//! Tessera's own users (the SQLite/Postgres store) as an implementation of
//! [`Users`]: the default when the app brings none.

use super::{Identity, Users, UsersError, UsersFuture};
use crate::password::Passwords;
use crate::store::{Store, StoreError, StoredUser};

/// The built-in users: accounts made with `POST /register` or the CLI. The
/// identity's id is the row's id and its version the credential version.
pub(crate) struct StoreUsers {
    store: Store,
    passwords: Passwords,
}

impl StoreUsers {
    pub(crate) fn new(store: Store, passwords: Passwords) -> Self {
        Self { store, passwords }
    }
}

impl Users for StoreUsers {
    fn authenticate<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> UsersFuture<'a, Option<Identity>> {
        Box::pin(async move {
            // An app's user kept here (see `mirror`) has no password to check:
            // to this hook it is unknown, and costs as much as any.
            let user = self
                .store
                .find_user_by_name(username)
                .await?
                .filter(|user| user.external_id.is_none());
            let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
            if !self
                .passwords
                .verify(password.to_owned(), stored_hash)
                .await?
            {
                return Ok(None);
            }
            Ok(user.map(identity))
        })
    }

    fn identity<'a>(&'a self, id: &'a str) -> UsersFuture<'a, Option<Identity>> {
        Box::pin(async move {
            let Ok(id) = id.parse() else {
                return Ok(None);
            };
            let user = self.store.find_user_by_id(id).await?;
            Ok(user.filter(|user| user.external_id.is_none()).map(identity))
        })
    }
}

fn identity(user: StoredUser) -> Identity {
    Identity {
        id: user.id.to_string(),
        username: user.username,
        roles: user.roles,
        version: user.credential_version,
        email_verified: user.email.as_ref().map(|_| user.email_verified),
    }
}

impl From<StoreError> for UsersError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => Self::Unavailable(cause.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}
