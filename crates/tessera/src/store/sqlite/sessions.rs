//! Sessions and their refresh-token families.

use super::{revocations, SqliteStore};
use crate::store::{RefreshRecord, RotateRefresh, StoreError};

impl SqliteStore {
    pub(in crate::store) async fn create_session(
        &self,
        session_id: &str,
        user_id: i64,
        credential_version: i64,
        now: u64,
        refresh: Option<(&str, u64)>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One statement: SQLite's single writer means a password change commits
        // either before it (no row) or after it (and then revokes this session).
        let created = sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at) \
             SELECT ?, id, ? FROM users WHERE id = ? AND credential_version = ?",
        )
        .bind(session_id)
        .bind(now as i64)
        .bind(user_id)
        .bind(credential_version)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !created {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some((jti, expires_at)) = refresh {
            insert_refresh(&mut tx, jti, session_id, now, expires_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(in crate::store) async fn rotate_refresh(
        &self,
        used: &RotateRefresh<'_>,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let session: Option<String> = sqlx::query_scalar(
            "UPDATE refresh_tokens SET used_at = ?, successor_jti = ?, access_jti = ?, used_by = ? \
             WHERE jti = ? AND used_at IS NULL AND expires_at >= ? \
             AND session_id IN (SELECT id FROM sessions WHERE revoked_at IS NULL AND created_at > ?) \
             RETURNING session_id",
        )
        .bind(used.now as i64)
        .bind(used.successor_jti)
        .bind(used.access_jti)
        .bind(used.used_by)
        .bind(used.jti)
        .bind(used.now as i64)
        .bind(used.now.saturating_sub(used.session_max_age) as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(session) = session else {
            return Ok(None);
        };
        let created_at: i64 = sqlx::query_scalar("SELECT created_at FROM sessions WHERE id = ?")
            .bind(&session)
            .fetch_one(&mut *tx)
            .await?;
        let expires_at = used
            .successor_expires_at
            .min(secs(created_at) + used.session_max_age);
        insert_refresh(&mut tx, used.successor_jti, &session, used.now, expires_at).await?;
        tx.commit().await?;
        Ok(Some(expires_at))
    }

    pub(in crate::store) async fn refresh_record(
        &self,
        jti: &str,
    ) -> Result<Option<RefreshRecord>, StoreError> {
        let record = sqlx::query_as::<_, RefreshRecord>(
            "SELECT t.jti, t.session_id, s.user_id, t.issued_at, t.expires_at, t.used_at, \
             t.successor_jti, t.access_jti, t.used_by, s.revoked_at IS NOT NULL AS session_revoked \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.jti = ?",
        )
        .bind(jti)
        .fetch_optional(&self.pool)
        .await?;
        Ok(record)
    }

    pub(in crate::store) async fn revoke_session(
        &self,
        session_id: &str,
        user_id: i64,
        now: u64,
        until: u64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let revoked = sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
            .bind(now as i64)
            .bind(session_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        revocations::insert(&mut tx, "session", session_id, until).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    pub(in crate::store) async fn revoke_user_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
        now: u64,
        until: u64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let revoked: Vec<String> = sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ? RETURNING id",
        )
        .bind(now as i64)
        .bind(user_id)
        .bind(keep)
        .fetch_all(&mut *tx)
        .await?;
        for session in &revoked {
            revocations::insert(&mut tx, "session", session, until).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }
}

async fn insert_refresh(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    jti: &str,
    session_id: &str,
    issued_at: u64,
    expires_at: u64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(jti)
    .bind(session_id)
    .bind(issued_at as i64)
    .bind(expires_at as i64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored Unix time as unsigned seconds.
fn secs(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}
