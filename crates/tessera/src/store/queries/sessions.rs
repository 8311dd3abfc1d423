//! Sessions and their refresh-token families.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Transaction, Type};

use super::{secs, Dialect, SqlStore};
use crate::store::{
    LiveSessions, RefreshRecord, RotateRefresh, SessionClient, SessionRow, StoreError,
};

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Decode<'r, DB> + Type<DB>,
    for<'r> bool: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn create_session(
        &self,
        session_id: &str,
        user_id: i64,
        credential_version: i64,
        now: u64,
        refresh: Option<(&str, u64)>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        // The version is checked in the statement that creates the session, on
        // the user's row held until commit: a password change committed first
        // leaves nothing to insert; one committed later revokes this session.
        let created: Option<String> = sqlx::query_scalar(&format!(
            "INSERT INTO sessions (id, user_id, created_at) \
             SELECT $1, u.id, $2 FROM users u WHERE u.id = $3 AND u.credential_version = $4{} \
             RETURNING id",
            DB::FOR_SHARE
        ))
        .bind(session_id)
        .bind(now as i64)
        .bind(user_id)
        .bind(credential_version)
        .fetch_optional(&mut *tx)
        .await?;
        if created.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some((jti, expires_at)) = refresh {
            Self::insert_refresh(&mut tx, jti, session_id, now, expires_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(in crate::store) async fn rotate_refresh(
        &self,
        used: &RotateRefresh<'_>,
    ) -> Result<Option<(u64, i64)>, StoreError> {
        let mut tx = self.begin().await?;
        // The session's row first, locked, as raising a session locks it
        // first too: a raise is then wholly before this rotation (which then
        // finds the first step's token gone) or wholly after it (and drops the
        // successor stored here), so the level read here is the chain's own.
        let acr: Option<i64> = sqlx::query_scalar(
            "UPDATE sessions SET acr = acr \
             WHERE id = (SELECT session_id FROM refresh_tokens WHERE jti = $1) RETURNING acr",
        )
        .bind(used.jti)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(acr) = acr else {
            tx.rollback().await?;
            return Ok(None);
        };
        // One conditional update: of concurrent callers, the others wait for
        // the first to commit and then find `used_at` set, matching nothing.
        let session: Option<(String, i64)> = sqlx::query_as(
            "UPDATE refresh_tokens SET used_at = $1, successor_jti = $2, access_jti = $3, used_by = $4 \
             WHERE jti = $5 AND used_at IS NULL AND expires_at >= $1 \
             AND session_id IN (SELECT id FROM sessions WHERE revoked_at IS NULL AND created_at > $6) \
             RETURNING session_id, \
             (SELECT s.created_at FROM sessions s WHERE s.id = refresh_tokens.session_id)",
        )
        .bind(used.now as i64)
        .bind(used.successor_jti)
        .bind(used.access_jti)
        .bind(used.used_by)
        .bind(used.jti)
        .bind(used.now.saturating_sub(used.session_max_age) as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session, created_at)) = session else {
            tx.rollback().await?;
            return Ok(None);
        };
        let deadline = secs(created_at) + used.session_max_age;
        let expires_at = used.successor_expires_at.min(deadline);
        Self::insert_refresh(&mut tx, used.successor_jti, &session, used.now, expires_at).await?;
        tx.commit().await?;
        Ok(Some((expires_at, acr)))
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
        let mut tx = self.begin().await?;
        let revoked: Option<String> = sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id",
        )
        .bind(now as i64)
        .bind(session_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        Self::insert_revocation(&mut tx, "session", session_id, until).await?;
        tx.commit().await?;
        Ok(revoked.is_some())
    }

    pub(in crate::store) async fn revoke_user_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
        now: u64,
        until: u64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin().await?;
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
            Self::insert_revocation(&mut tx, "session", session, until).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    pub(in crate::store) async fn record_session_client(
        &self,
        session_id: &str,
        client: &SessionClient<'_>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET user_agent = $1, client_network = $2, \
             refreshed_at = COALESCE($3, refreshed_at) WHERE id = $4",
        )
        .bind(client.user_agent)
        .bind(client.network)
        .bind(client.refreshed_at.map(|at| at as i64))
        .bind(session_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn live_sessions(
        &self,
        user_id: i64,
        live: &LiveSessions,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let rows = sqlx::query_as::<_, SessionRow>(
            "SELECT s.id, s.created_at, s.refreshed_at, s.user_agent, s.client_network \
             FROM sessions s WHERE s.user_id = $1 AND s.revoked_at IS NULL \
             AND (COALESCE(s.refreshed_at, s.created_at) >= $2 \
             OR (s.created_at > $3 AND EXISTS (SELECT 1 FROM refresh_tokens t \
             WHERE t.session_id = s.id AND t.used_at IS NULL AND t.expires_at >= $4))) \
             ORDER BY s.created_at DESC, s.id",
        )
        .bind(user_id)
        .bind(live.now.saturating_sub(live.access_horizon) as i64)
        .bind(live.now.saturating_sub(live.session_max_age) as i64)
        .bind(live.now as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub(super) async fn insert_refresh(
        tx: &mut Transaction<'_, DB>,
        jti: &str,
        session_id: &str,
        issued_at: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(jti)
        .bind(session_id)
        .bind(issued_at as i64)
        .bind(expires_at as i64)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
