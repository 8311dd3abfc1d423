//! Revoked access tokens and sessions; each insert is announced by a trigger.

use sqlx::{Postgres, Transaction};

use super::PgStore;
use crate::store::{RevocationRow, StoreError};

pub(super) async fn insert(
    tx: &mut Transaction<'_, Postgres>,
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

impl PgStore {
    pub(in crate::store) async fn revoke_token(
        &self,
        jti: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert(&mut tx, "token", jti, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn revocations_after(
        &self,
        after: i64,
        now: u64,
    ) -> Result<Vec<RevocationRow>, StoreError> {
        let rows = sqlx::query_as::<_, RevocationRow>(
            "SELECT id, kind, value, expires_at FROM revocations WHERE id > $1 AND expires_at >= $2 ORDER BY id",
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
        let now = now as i64;
        sqlx::query("DELETE FROM revocations WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "DELETE FROM sessions s WHERE s.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)",
        )
        .bind(now - session_horizon as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
