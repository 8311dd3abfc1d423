//! Passkeys and the WebAuthn ceremonies in flight. A ceremony is taken by
//! one `DELETE ... RETURNING`, so only one request can finish it; a
//! passkey's counter rises by one conditional `UPDATE`.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{secs, Dialect, SqlStore};
use crate::store::{PasskeyRecord, StoreError};

type PasskeyRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
);

const COLUMNS: &str = "id, user_id, credential_id, user_handle, name, passkey, sign_count, \
                       created_at, last_used_at";

fn record(row: PasskeyRow) -> PasskeyRecord {
    let (id, user_id, credential_id, user_handle, name, passkey, sign_count, created, used) = row;
    PasskeyRecord {
        id,
        user_id,
        credential_id,
        user_handle,
        name,
        passkey,
        sign_count: secs(sign_count),
        created_at: secs(created),
        last_used_at: used.map(secs),
    }
}

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn put_ceremony(
        &self,
        id: &str,
        kind: &str,
        user_id: Option<i64>,
        state: &str,
        now: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1")
            .bind(now as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (id, kind, user_id, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(kind)
        .bind(user_id)
        .bind(state)
        .bind(expires_at as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn take_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: u64,
    ) -> Result<Option<(Option<i64>, String)>, StoreError> {
        let row: Option<(Option<i64>, String, i64)> = sqlx::query_as(
            "DELETE FROM webauthn_ceremonies WHERE id = $1 AND kind = $2 \
             RETURNING user_id, state, expires_at",
        )
        .bind(id)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .filter(|(_, _, expires_at)| secs(*expires_at) > now)
            .map(|(user_id, state, _)| (user_id, state)))
    }

    pub(in crate::store) async fn passkeys(
        &self,
        user_id: i64,
    ) -> Result<Vec<PasskeyRecord>, StoreError> {
        let rows: Vec<PasskeyRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(record).collect())
    }

    pub(in crate::store) async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<PasskeyRecord>, StoreError> {
        let row: Option<PasskeyRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
        ))
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(record))
    }

    pub(in crate::store) async fn add_passkey(
        &self,
        passkey: &PasskeyRecord,
    ) -> Result<bool, StoreError> {
        let added: Option<String> = sqlx::query_scalar(
            "INSERT INTO passkeys (id, user_id, credential_id, user_handle, name, passkey, \
             sign_count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (credential_id) DO NOTHING RETURNING id",
        )
        .bind(passkey.id.as_str())
        .bind(passkey.user_id)
        .bind(passkey.credential_id.as_str())
        .bind(passkey.user_handle.as_str())
        .bind(passkey.name.as_str())
        .bind(passkey.passkey.as_str())
        .bind(passkey.sign_count as i64)
        .bind(passkey.created_at as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(added.is_some())
    }

    pub(in crate::store) async fn rename_passkey(
        &self,
        user_id: i64,
        id: &str,
        name: &str,
    ) -> Result<Option<PasskeyRecord>, StoreError> {
        let row: Option<PasskeyRow> = sqlx::query_as(&format!(
            "UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(user_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(record))
    }

    pub(in crate::store) async fn delete_passkey(
        &self,
        user_id: i64,
        id: &str,
    ) -> Result<bool, StoreError> {
        let deleted: Option<String> =
            sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING id")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(deleted.is_some())
    }

    pub(in crate::store) async fn delete_user_passkeys(
        &self,
        user_id: i64,
    ) -> Result<u64, StoreError> {
        let deleted: Vec<String> =
            sqlx::query_scalar("DELETE FROM passkeys WHERE user_id = $1 RETURNING id")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(deleted.len() as u64)
    }

    pub(in crate::store) async fn record_passkey_use(
        &self,
        id: &str,
        sign_count: u64,
        passkey: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        // A counter of 0 is an authenticator that keeps none (synced
        // passkeys); any other must rise past the one accepted before.
        let used: Option<String> = sqlx::query_scalar(
            "UPDATE passkeys SET sign_count = $2, passkey = $3, last_used_at = $4 \
             WHERE id = $1 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0)) RETURNING id",
        )
        .bind(id)
        .bind(sign_count as i64)
        .bind(passkey)
        .bind(now as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(used.is_some())
    }
}
