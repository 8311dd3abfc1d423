//! The store's part of passkeys: the credentials and the ceremonies in
//! flight (SQL in `queries::passkeys`).

use super::{Engine, Store, StoreError};

/// A passkey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PasskeyRecord {
    /// Its id in the routes.
    pub id: String,
    /// Its owner.
    pub user_id: i64,
    /// The authenticator's id for the credential, base64url; unique.
    pub credential_id: String,
    /// The WebAuthn user id the credential holds, base64url.
    pub user_handle: String,
    /// The name its owner gave it.
    pub name: String,
    /// The relying-party library's record of it (public key, flags), JSON.
    pub passkey: String,
    /// The authenticator's signature counter as last accepted.
    pub sign_count: u64,
    /// Unix time it was registered.
    pub created_at: u64,
    /// Unix time it last signed in.
    pub last_used_at: Option<u64>,
}

impl Store {
    /// Stores a ceremony `kind` begun for `user_id` (none: anyone), with the
    /// library's `state`, until `expires_at`; drops the expired ones.
    pub(crate) async fn put_ceremony(
        &self,
        id: &str,
        kind: &str,
        user_id: Option<i64>,
        state: &str,
        now: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.put_ceremony(id, kind, user_id, state, now, expires_at).await)
    }

    /// Takes (deletes) ceremony `id` of `kind`: its user and state, if it
    /// exists and has not expired. A second take finds nothing.
    pub(crate) async fn take_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: u64,
    ) -> Result<Option<(Option<i64>, String)>, StoreError> {
        dispatch!(self, db => db.take_ceremony(id, kind, now).await)
    }

    /// User `user_id`'s passkeys, oldest first.
    pub(crate) async fn passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRecord>, StoreError> {
        dispatch!(self, db => db.passkeys(user_id).await)
    }

    /// The passkey whose credential id is `credential_id` (base64url).
    pub(crate) async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<PasskeyRecord>, StoreError> {
        dispatch!(self, db => db.passkey_by_credential(credential_id).await)
    }

    /// Adds `passkey`; `false`, adding nothing, when its credential is
    /// registered already (to anyone).
    pub(crate) async fn add_passkey(&self, passkey: &PasskeyRecord) -> Result<bool, StoreError> {
        dispatch!(self, db => db.add_passkey(passkey).await)
    }

    /// Renames user `user_id`'s passkey `id`; `None` if they have no such passkey.
    pub(crate) async fn rename_passkey(
        &self,
        user_id: i64,
        id: &str,
        name: &str,
    ) -> Result<Option<PasskeyRecord>, StoreError> {
        dispatch!(self, db => db.rename_passkey(user_id, id, name).await)
    }

    /// Deletes user `user_id`'s passkey `id`; whether there was one.
    pub(crate) async fn delete_passkey(&self, user_id: i64, id: &str) -> Result<bool, StoreError> {
        dispatch!(self, db => db.delete_passkey(user_id, id).await)
    }

    /// Deletes every passkey of user `user_id`; how many there were.
    pub(crate) async fn delete_user_passkeys(&self, user_id: i64) -> Result<u64, StoreError> {
        dispatch!(self, db => db.delete_user_passkeys(user_id).await)
    }

    /// Records a sign-in by passkey `id` at counter `sign_count`, with its
    /// updated record; `false`, changing nothing, when the counter did not
    /// rise past the one stored (a cloned authenticator, or a race with
    /// another sign-in of the same count).
    pub(crate) async fn record_passkey_use(
        &self,
        id: &str,
        sign_count: u64,
        passkey: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.record_passkey_use(id, sign_count, passkey, now).await)
    }
}
