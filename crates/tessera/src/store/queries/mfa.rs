//! Second factors: session levels, TOTP authenticators and recovery codes.
//! Every check that must hold across instances (a step used once, a code
//! spent once, the failure count) is one conditional statement.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{secs, Dialect, SqlStore};
use crate::store::{StoreError, TotpRecord};

type TotpRow = (String, Option<i64>, Option<i64>, i64, i64);

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> bool: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn session_acr(
        &self,
        session_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT acr FROM sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub(in crate::store) async fn set_session_acr(
        &self,
        session_id: &str,
        acr: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET acr = $1 WHERE id = $2")
            .bind(acr)
            .bind(session_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn raise_session(
        &self,
        session_id: &str,
        user_id: i64,
        acr: i64,
        now: u64,
        (refresh_jti, refresh_expires_at): (&str, u64),
        session_max_age: u64,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.begin().await?;
        // Only a live first-step session rises, and only once.
        let created_at: Option<i64> = sqlx::query_scalar(
            "UPDATE sessions SET acr = $3 \
             WHERE id = $1 AND user_id = $2 AND acr = 0 AND revoked_at IS NULL \
             RETURNING created_at",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(acr)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(created_at) = created_at else {
            tx.rollback().await?;
            return Ok(None);
        };
        // The first step's refresh tokens must not outlive it at the new level.
        sqlx::query("DELETE FROM refresh_tokens WHERE session_id = $1 AND used_at IS NULL")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        let expires_at = refresh_expires_at.min(secs(created_at) + session_max_age);
        Self::insert_refresh(&mut tx, refresh_jti, session_id, now, expires_at).await?;
        tx.commit().await?;
        Ok(Some(expires_at))
    }

    pub(in crate::store) async fn totp(
        &self,
        user_id: i64,
    ) -> Result<Option<TotpRecord>, StoreError> {
        let row: Option<TotpRow> = sqlx::query_as(
            "SELECT sealed_secret, confirmed_at, last_step, failures, failures_since \
             FROM totp_authenticators WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(sealed_secret, confirmed_at, last_step, failures, since)| TotpRecord {
                sealed_secret,
                confirmed: confirmed_at.is_some(),
                last_step,
                failures,
                failures_since: secs(since),
            },
        ))
    }

    pub(in crate::store) async fn put_pending_totp(
        &self,
        user_id: i64,
        sealed_secret: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let written: Option<i64> = sqlx::query_scalar(
            "INSERT INTO totp_authenticators (user_id, sealed_secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, \
             created_at = excluded.created_at, last_step = NULL \
             WHERE totp_authenticators.confirmed_at IS NULL \
             RETURNING user_id",
        )
        .bind(user_id)
        .bind(sealed_secret)
        .bind(now as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(written.is_some())
    }

    pub(in crate::store) async fn accept_totp_step(
        &self,
        user_id: i64,
        step: u64,
        now: u64,
        confirming: bool,
    ) -> Result<bool, StoreError> {
        let condition = if confirming {
            "confirmed_at IS NULL"
        } else {
            "confirmed_at IS NOT NULL"
        };
        let accepted: Option<i64> = sqlx::query_scalar(&format!(
            "UPDATE totp_authenticators SET last_step = $1, failures = 0, \
             confirmed_at = COALESCE(confirmed_at, $2) \
             WHERE user_id = $3 AND {condition} AND (last_step IS NULL OR last_step < $1) \
             RETURNING user_id"
        ))
        .bind(step as i64)
        .bind(now as i64)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(accepted.is_some())
    }

    pub(in crate::store) async fn take_mfa_attempt(
        &self,
        user_id: i64,
        now: u64,
        window: u64,
        max: i64,
    ) -> Result<Option<(i64, u64)>, StoreError> {
        // Counted before the code is checked, in the statement that refuses a
        // locked account, so concurrent attempts cannot all see a low count.
        let row: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE totp_authenticators SET \
             failures = CASE WHEN failures_since > $1 THEN failures + 1 ELSE 1 END, \
             failures_since = CASE WHEN failures_since > $1 THEN failures_since ELSE $2 END \
             WHERE user_id = $3 AND (failures_since <= $1 OR failures < $4) \
             RETURNING failures, failures_since",
        )
        .bind(now.saturating_sub(window) as i64)
        .bind(now as i64)
        .bind(user_id)
        .bind(max)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(failures, since)| (failures, secs(since))))
    }

    pub(in crate::store) async fn clear_mfa_failures(
        &self,
        user_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE totp_authenticators SET failures = 0 WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn replace_recovery_codes(
        &self,
        user_id: i64,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn spend_recovery_code(
        &self,
        user_id: i64,
        hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let spent: Option<i64> = sqlx::query_scalar(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL RETURNING user_id",
        )
        .bind(now as i64)
        .bind(user_id)
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(spent.is_some())
    }

    pub(in crate::store) async fn recovery_codes_left(
        &self,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }

    pub(in crate::store) async fn delete_totp(&self, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for table in ["recovery_codes", "totp_authenticators"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
