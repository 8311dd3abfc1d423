//! One-time links' tokens (email verification, password reset): one live
//! token per user and purpose, kept as a hash.

use sqlx::{ColumnIndex, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use super::{secs, Dialect, SqlStore};
use crate::store::{AccountToken, StoreError, TokenPurpose};

#[derive(FromRow)]
struct TokenRow {
    token_hash: String,
    email: Option<String>,
    expires_at: i64,
}

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn put_account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
        email: Option<&str>,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        // Replacing the row is what makes every older link of this purpose void.
        sqlx::query(
            "INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = excluded.token_hash, \
             email = excluded.email, expires_at = excluded.expires_at",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash)
        .bind(email)
        .bind(expires_at as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
    ) -> Result<Option<AccountToken>, StoreError> {
        let row = sqlx::query_as::<_, TokenRow>(
            "SELECT token_hash, email, expires_at FROM account_tokens \
             WHERE user_id = $1 AND purpose = $2",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| AccountToken {
            token_hash: row.token_hash,
            email: row.email,
            expires_at: secs(row.expires_at),
        }))
    }

    pub(in crate::store) async fn take_account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        let taken: Option<i64> = sqlx::query_scalar(
            "DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND token_hash = $3 \
             RETURNING user_id",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.is_some())
    }
}
