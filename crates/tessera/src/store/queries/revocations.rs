//! Revoked access tokens and sessions, as rows servers follow by id.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Transaction, Type};

use super::{Dialect, SqlStore};
use crate::store::{RevocationRow, StoreError};

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
{
    pub(in crate::store) async fn revoke_token(
        &self,
        jti: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        Self::insert_revocation(&mut tx, "token", jti, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn revocations_after(
        &self,
        after: i64,
        now: u64,
    ) -> Result<Vec<RevocationRow>, StoreError> {
        let rows = sqlx::query_as::<_, RevocationRow>(
            "SELECT id, kind, value, expires_at FROM revocations \
             WHERE id > $1 AND expires_at >= $2 ORDER BY id",
        )
        .bind(after)
        .bind(now as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub(in crate::store) async fn purge_expired(
        &self,
        now: u64,
        session_horizon: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM revocations WHERE expires_at < $1")
            .bind(now as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
            .bind(now as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "DELETE FROM sessions WHERE created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = sessions.id)",
        )
        .bind(now.saturating_sub(session_horizon) as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a revocation in `tx`; servers learn of it once `tx` commits.
    pub(super) async fn insert_revocation(
        tx: &mut Transaction<'_, DB>,
        kind: &str,
        value: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO revocations (kind, value, expires_at) VALUES ($1, $2, $3)")
            .bind(kind)
            .bind(value)
            .bind(expires_at as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
