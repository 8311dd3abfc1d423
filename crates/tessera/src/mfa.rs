//! Second factors: TOTP (RFC 6238) with recovery codes. Enrolment,
//! confirmation, and checking a code or recovery code under the per-account
//! failure limit; what a correct factor then unlocks (a raised session, a
//! removal) is for the callers.
//!
//! Knows the store, not HTTP; `crate::error` answers [`MfaError`].

mod error;
mod recovery;
mod seal;
mod totp;

use tessera_shared::{SecondFactorProof, TotpEnrollment, TotpStatus};

use crate::clock::unix_now;
use crate::store::{Store, TotpRecord};

pub(crate) use error::MfaError;
pub(crate) use seal::{SecretsKey, CHECK_NAME as SECRETS_KEY_CHECK, KEY_FILE as SECRETS_KEY_FILE};
pub(crate) use totp::Authenticator;

/// Wrong codes allowed per account within [`FAILURE_WINDOW_SECS`].
pub(crate) const MAX_FAILURES: i64 = 5;
/// How long wrong codes count against an account, seconds.
pub(crate) const FAILURE_WINDOW_SECS: u64 = 300;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "Tessera";

type Result<T, E = MfaError> = std::result::Result<T, E>;

/// The second-factor rules over the store and the secrets key.
#[derive(Clone, Copy)]
pub(crate) struct SecondFactors<'a> {
    store: &'a Store,
    key: &'a SecretsKey,
}

impl<'a> SecondFactors<'a> {
    /// The rules over `store`, sealing with `key`.
    pub(crate) fn new(store: &'a Store, key: &'a SecretsKey) -> Self {
        Self { store, key }
    }

    /// Starts (or restarts) a TOTP enrolment for user `user_id` named `account`.
    pub(crate) async fn enroll(self, user_id: i64, account: &str) -> Result<TotpEnrollment> {
        let secret = Authenticator::new_secret();
        let sealed = self.key.seal(user_id, &secret);
        if !self
            .store
            .put_pending_totp(user_id, &sealed, unix_now())
            .await?
        {
            return Err(MfaError::AlreadyEnabled);
        }
        let auth = Authenticator::new(secret, ISSUER, account);
        Ok(TotpEnrollment {
            secret: auth.secret_base32(),
            otpauth_uri: auth.uri(),
            qr_svg: auth.qr_svg().map_err(MfaError::Internal)?,
        })
    }

    /// Confirms user `user_id`'s pending enrolment with a current `code`;
    /// returns their new recovery codes.
    pub(crate) async fn confirm(self, user_id: i64, code: &str) -> Result<Vec<String>> {
        let record = self.store.totp(user_id).await?;
        let record = record
            .filter(|record| !record.confirmed)
            .ok_or(MfaError::NothingPending)?;
        self.check_code(user_id, &record, code, true).await?;
        tracing::info!(target: "tessera::audit", event = "totp_enabled", user_id, "TOTP enabled");
        self.new_recovery_codes(user_id).await
    }

    /// Checks `proof` (a current code or an unused recovery code, which it
    /// spends) against user `user_id`'s confirmed authenticator.
    pub(crate) async fn check(self, user_id: i64, proof: &SecondFactorProof) -> Result<()> {
        let record = self.store.totp(user_id).await?;
        let record = record
            .filter(|record| record.confirmed)
            .ok_or(MfaError::NotEnabled)?;
        match (proof.code.as_deref(), proof.recovery_code.as_deref()) {
            (Some(code), None) => self.check_code(user_id, &record, code, false).await,
            (None, Some(typed)) => {
                let now = unix_now();
                let taken = self.take_attempt(user_id, now).await?;
                let hash = self.key.recovery_hash(user_id, &recovery::normalise(typed));
                if self.store.spend_recovery_code(user_id, &hash, now).await? {
                    self.store.clear_mfa_failures(user_id).await?;
                    tracing::info!(target: "tessera::audit", event = "recovery_code_used", user_id, "recovery code used");
                    return Ok(());
                }
                Err(failed(user_id, taken))
            }
            _ => Err(MfaError::BadRequest(
                "Send either code or recovery_code".to_owned(),
            )),
        }
    }

    /// Whether user `user_id` has a confirmed authenticator, and how many
    /// recovery codes they have left.
    pub(crate) async fn status(self, user_id: i64) -> Result<TotpStatus> {
        let enabled = self
            .store
            .totp(user_id)
            .await?
            .is_some_and(|record| record.confirmed);
        let left = if enabled {
            self.store.recovery_codes_left(user_id).await?
        } else {
            0
        };
        Ok(TotpStatus {
            enabled,
            recovery_codes_left: u32::try_from(left).unwrap_or(0),
        })
    }

    /// Removes user `user_id`'s TOTP after checking a current `code`.
    pub(crate) async fn disable(self, user_id: i64, code: &str) -> Result<()> {
        self.check(user_id, &code_proof(code)).await?;
        self.store.delete_totp(user_id).await?;
        tracing::info!(target: "tessera::audit", event = "totp_disabled", user_id, "TOTP removed");
        Ok(())
    }

    /// Replaces user `user_id`'s recovery codes after checking a current `code`.
    pub(crate) async fn regenerate(self, user_id: i64, code: &str) -> Result<Vec<String>> {
        self.check(user_id, &code_proof(code)).await?;
        tracing::info!(target: "tessera::audit", event = "recovery_codes_replaced", user_id, "recovery codes replaced");
        self.new_recovery_codes(user_id).await
    }

    async fn new_recovery_codes(self, user_id: i64) -> Result<Vec<String>> {
        let codes = recovery::generate();
        let hashes: Vec<String> = codes
            .iter()
            .map(|code| self.key.recovery_hash(user_id, &recovery::normalise(code)))
            .collect();
        self.store.replace_recovery_codes(user_id, &hashes).await?;
        Ok(codes)
    }

    /// Accepts `code` once: its time step must be newer than any accepted
    /// before (so a code seen once is refused for the rest of its window).
    async fn check_code(
        self,
        user_id: i64,
        record: &TotpRecord,
        code: &str,
        confirming: bool,
    ) -> Result<()> {
        let now = unix_now();
        let taken = self.take_attempt(user_id, now).await?;
        let secret = self
            .key
            .open(user_id, &record.sealed_secret)
            .ok_or_else(|| MfaError::Internal("a TOTP secret does not open".to_owned()))?;
        let auth = Authenticator::new(secret, ISSUER, "");
        if let Some(step) = auth.step_of(code.trim(), now) {
            if self
                .store
                .accept_totp_step(user_id, step, now, confirming)
                .await?
            {
                return Ok(());
            }
            tracing::info!(target: "tessera::audit", event = "totp_replay", user_id, "a TOTP code was used again");
        }
        Err(failed(user_id, taken))
    }

    /// Takes one attempt under the limit before a code is checked (so
    /// concurrent guesses cannot all pass a stale count); the attempt number.
    async fn take_attempt(self, user_id: i64, now: u64) -> Result<i64> {
        let taken = self
            .store
            .take_mfa_attempt(user_id, now, FAILURE_WINDOW_SECS, MAX_FAILURES)
            .await?;
        if let Some((attempt, _)) = taken {
            return Ok(attempt);
        }
        // Refused: locked, unless the authenticator went meanwhile.
        let record = self
            .store
            .totp(user_id)
            .await?
            .ok_or(MfaError::NotEnabled)?;
        let until = record.failures_since + FAILURE_WINDOW_SECS;
        Err(MfaError::TooManyAttempts(until.saturating_sub(now).max(1)))
    }
}

/// Logs wrong code number `attempt` (already counted); the error to answer it with.
fn failed(user_id: i64, attempt: i64) -> MfaError {
    if attempt == MAX_FAILURES {
        tracing::warn!(target: "tessera::audit", event = "second_factor_locked", user_id, "too many wrong second-factor codes; refusing more for a while");
    } else {
        tracing::info!(target: "tessera::audit", event = "second_factor_failed", user_id, "wrong second-factor code");
    }
    MfaError::InvalidCode
}

fn code_proof(code: &str) -> SecondFactorProof {
    SecondFactorProof {
        code: Some(code.to_owned()),
        recovery_code: None,
    }
}
