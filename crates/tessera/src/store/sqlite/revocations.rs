//! Revoked access tokens and sessions, as rows servers follow by id.

use sqlx::{Sqlite, Transaction};

use super::SqliteStore;
use crate::store::{RevocationRow, StoreError};

pub(super) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    kind: &str,
    value: &str,
    expires_at: u64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO revocations (kind, value, expires_at) VALUES (?, ?, ?)")
        .bind(kind)
        .bind(value)
        .bind(expires_at as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl SqliteStore {
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
            "SELECT id, kind, value, expires_at FROM revocations WHERE id > ? AND expires_at >= ? ORDER BY id",
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
        sqlx::query("DELETE FROM revocations WHERE expires_at < ?")
            .bind(now as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < ?")
            .bind(now as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "DELETE FROM sessions WHERE created_at < ? \
             AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = sessions.id)",
        )
        .bind(now.saturating_sub(session_horizon) as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
