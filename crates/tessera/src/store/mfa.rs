//! The store's part of second factors: session levels, TOTP authenticators,
//! recovery codes and the secrets key's check value (SQL in `queries::mfa`
//! and `queries::key_checks`).

use super::{Engine, Store, StoreError};

/// A user's TOTP authenticator as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TotpRecord {
    /// The shared secret, sealed with the key ring's secrets key.
    pub sealed_secret: String,
    /// Whether the user confirmed it with a code; a pending one signs nobody in.
    pub confirmed: bool,
    /// The newest time step accepted, if any: older and equal ones are refused.
    pub last_step: Option<i64>,
    /// Attempts counted since `failures_since` (a right code clears them).
    pub failures: i64,
    /// Unix time the failure count started.
    pub failures_since: u64,
}

impl Store {
    /// How session `session_id` was signed in, as stored: its `acr` digit for
    /// a password sign-in, 3 or 4 for a passkey's (see `token::SignIn`); `None` if
    /// there is no such session.
    pub(crate) async fn session_acr(&self, session_id: &str) -> Result<Option<i64>, StoreError> {
        dispatch!(self, db => db.session_acr(session_id).await)
    }

    /// Sets how session `session_id` was signed in (as `session_acr` reads it).
    pub(crate) async fn set_session_acr(
        &self,
        session_id: &str,
        acr: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.set_session_acr(session_id, acr).await)
    }

    /// Raises user `user_id`'s live first-step session `session_id` to the
    /// stored sign-in `acr` (a level-2 one), once: its unused refresh tokens are dropped and refresh token
    /// `refresh_jti` added, expiring at `refresh_expires_at` or when the
    /// session turns `session_max_age` seconds old. Returns that expiry, or
    /// `None` when the session is not (or no longer) a live first step.
    pub(crate) async fn raise_session(
        &self,
        session_id: &str,
        user_id: i64,
        acr: i64,
        now: u64,
        refresh: (&str, u64),
        session_max_age: u64,
    ) -> Result<Option<u64>, StoreError> {
        dispatch!(self, db => db.raise_session(session_id, user_id, acr, now, refresh, session_max_age).await)
    }

    /// User `user_id`'s TOTP authenticator, confirmed or pending.
    pub(crate) async fn totp(&self, user_id: i64) -> Result<Option<TotpRecord>, StoreError> {
        dispatch!(self, db => db.totp(user_id).await)
    }

    /// Stores a pending authenticator for `user_id` (replacing a pending one);
    /// `false`, changing nothing, when they have a confirmed one.
    pub(crate) async fn put_pending_totp(
        &self,
        user_id: i64,
        sealed_secret: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.put_pending_totp(user_id, sealed_secret, now).await)
    }

    /// Accepts time step `step` of user `user_id`'s authenticator if no equal
    /// or later step was accepted before (of concurrent callers, one wins), and
    /// clears the failure count. With `confirming`, only a pending
    /// authenticator, which this confirms; otherwise only a confirmed one.
    pub(crate) async fn accept_totp_step(
        &self,
        user_id: i64,
        step: u64,
        now: u64,
        confirming: bool,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.accept_totp_step(user_id, step, now, confirming).await)
    }

    /// Takes one second-factor attempt for `user_id` before their code is
    /// checked: counts it, in a count restarted when its first attempt is over
    /// `window` seconds old, unless `max` are already counted in the window.
    /// One statement, so concurrent callers cannot exceed `max`. Returns the
    /// count and when it started; `None` if the account is locked or the user
    /// has no authenticator. A right code clears the count.
    pub(crate) async fn take_mfa_attempt(
        &self,
        user_id: i64,
        now: u64,
        window: u64,
        max: i64,
    ) -> Result<Option<(i64, u64)>, StoreError> {
        dispatch!(self, db => db.take_mfa_attempt(user_id, now, window, max).await)
    }

    /// Clears user `user_id`'s attempt count (after a right recovery code).
    pub(crate) async fn clear_mfa_failures(&self, user_id: i64) -> Result<(), StoreError> {
        dispatch!(self, db => db.clear_mfa_failures(user_id).await)
    }

    /// Replaces user `user_id`'s recovery codes with these hashes.
    pub(crate) async fn replace_recovery_codes(
        &self,
        user_id: i64,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.replace_recovery_codes(user_id, hashes).await)
    }

    /// Spends user `user_id`'s recovery code with hash `hash`; `false` when
    /// there is no such unspent code.
    pub(crate) async fn spend_recovery_code(
        &self,
        user_id: i64,
        hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.spend_recovery_code(user_id, hash, now).await)
    }

    /// How many of user `user_id`'s recovery codes are unspent.
    pub(crate) async fn recovery_codes_left(&self, user_id: i64) -> Result<i64, StoreError> {
        dispatch!(self, db => db.recovery_codes_left(user_id).await)
    }

    /// Removes user `user_id`'s authenticator and recovery codes.
    pub(crate) async fn delete_totp(&self, user_id: i64) -> Result<(), StoreError> {
        dispatch!(self, db => db.delete_totp(user_id).await)
    }
}

impl Store {
    /// The check value recorded for the key named `name`, if any instance has
    /// recorded one.
    pub(crate) async fn key_check(&self, name: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, db => db.key_check(name).await)
    }

    /// Records `check_value` for the key named `name` unless a value is
    /// recorded already; returns the recorded value (this one, or the one
    /// another instance recorded first), for the caller to compare.
    pub(crate) async fn record_key_check(
        &self,
        name: &str,
        check_value: &str,
    ) -> Result<String, StoreError> {
        dispatch!(self, db => db.record_key_check(name, check_value).await)
    }
}
