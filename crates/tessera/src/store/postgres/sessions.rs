//! Sessions and their refresh-token families. Row locks make rotation exact
//! across any number of instances.

use super::{revocations, PgStore};
use crate::store::{RefreshRecord, RotateRefresh, StoreError};

impl PgStore {
    pub(in crate::store) async fn create_session(
        &self,
        session_id: &str,
        user_id: i64,
        credential_version: i64,
        now: u64,
        refresh: Option<(&str, u64)>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // FOR SHARE waits for a password change in progress and then re-checks
        // the version against the committed row; a change that starts later
        // waits for this session to commit, and then revokes it.
        let created = sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at) \
             SELECT $1, u.id, $2 FROM users u WHERE u.id = $3 AND u.credential_version = $4 \
             FOR SHARE",
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
        // Concurrent callers queue on the row lock; once the first commits, the
        // others re-check `used_at IS NULL` against the new row and match nothing.
        let session: Option<(String, i64)> = sqlx::query_as(
            "UPDATE refresh_tokens t SET used_at = $1, successor_jti = $2, access_jti = $3, used_by = $6 \
             FROM sessions s \
             WHERE t.jti = $4 AND t.used_at IS NULL AND t.expires_at >= $1 \
             AND s.id = t.session_id AND s.revoked_at IS NULL AND s.created_at > $5 \
             RETURNING t.session_id, s.created_at",
        )
        .bind(used.now as i64)
        .bind(used.successor_jti)
        .bind(used.access_jti)
        .bind(used.jti)
        .bind(used.now.saturating_sub(used.session_max_age) as i64)
        .bind(used.used_by)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session, created_at)) = session else {
            return Ok(None);
        };
        let deadline = u64::try_from(created_at).unwrap_or(0) + used.session_max_age;
        let expires_at = used.successor_expires_at.min(deadline);
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
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.jti = $1",
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
        let revoked = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
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
            "UPDATE sessions SET revoked_at = $1 \
             WHERE user_id = $2 AND revoked_at IS NULL AND id IS DISTINCT FROM $3 RETURNING id",
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
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    jti: &str,
    session_id: &str,
    issued_at: u64,
    expires_at: u64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(jti)
        .bind(session_id)
        .bind(issued_at as i64)
        .bind(expires_at as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
