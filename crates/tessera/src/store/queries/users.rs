//! Accounts and their roles.

use sqlx::{ColumnIndex, Decode, Encode, Executor, FromRow, IntoArguments, Type};
use tessera_shared::UserProfile;

use super::{secs, Dialect, SqlStore};
use crate::clock::{unix_now, utc_text};
use crate::store::{Deletion, StoreError, StoredUser, SESSION_REVOCATION_SECS};

/// Columns of a user plus its roles, space-separated (role names hold no spaces).
const SELECT_USER: &str = "SELECT u.id, u.username, u.password_hash, u.credential_version, u.created_at, u.external_id, \
     u.email, u.email_verified_at, \
     COALESCE((SELECT string_agg(r.role, ' ') FROM user_roles r WHERE r.user_id = u.id), '') AS roles \
     FROM users u";

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    password_hash: String,
    credential_version: i64,
    created_at: i64,
    external_id: Option<String>,
    email: Option<String>,
    email_verified_at: Option<i64>,
    roles: String,
}

impl From<UserRow> for StoredUser {
    fn from(row: UserRow) -> Self {
        // Sorted here, so both engines agree whatever their collations.
        let mut roles: Vec<String> = row.roles.split_whitespace().map(str::to_owned).collect();
        roles.sort();
        Self {
            id: row.id,
            username: row.username,
            password_hash: row.password_hash,
            credential_version: row.credential_version,
            created_at: utc_text(secs(row.created_at)),
            external_id: row.external_id,
            email_verified: row.email.is_some() && row.email_verified_at.is_some(),
            email: row.email,
            roles,
        }
    }
}

/// A unique index refused the row: which one, the message names.
fn unique_violation(err: sqlx::Error) -> StoreError {
    match err.as_database_error() {
        Some(db) if db.is_unique_violation() => {
            if db.message().contains("email") {
                StoreError::EmailTaken
            } else {
                StoreError::UsernameTaken
            }
        }
        _ => StoreError::from(err),
    }
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
    pub(in crate::store) async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        roles: &[String],
        email: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, created_at, email) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(unix_now() as i64)
        .bind(email)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique_violation)?;
        for role in roles {
            sqlx::query(
                "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub(in crate::store) async fn find_user_by_name(
        &self,
        username: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} WHERE {}", DB::NAME_IS))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredUser::from))
    }

    pub(in crate::store) async fn find_user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredUser::from))
    }

    pub(in crate::store) async fn set_email(
        &self,
        id: i64,
        email: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET email = $1, email_verified_at = NULL WHERE id = $2")
            .bind(email)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unique_violation)?;
        // A link sent to the old address must neither verify the new one nor
        // reset the password of an account that address no longer names.
        sqlx::query("DELETE FROM account_tokens WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn mark_email_verified(
        &self,
        id: i64,
        email: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email = $3 RETURNING id",
        )
        .bind(now as i64)
        .bind(id)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(updated.is_some())
    }

    pub(in crate::store) async fn find_user_by_id(
        &self,
        id: i64,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredUser::from))
    }

    pub(in crate::store) async fn list_users(&self) -> Result<Vec<UserProfile>, StoreError> {
        let rows = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} ORDER BY u.id"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredUser::from(row).into())
            .collect())
    }

    pub(in crate::store) async fn set_password_hash(
        &self,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, credential_version = credential_version + 1 \
             WHERE id = $2",
        )
        .bind(password_hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // A reset link mailed before the change must not undo it.
        sqlx::query("DELETE FROM account_tokens WHERE user_id = $1 AND purpose = 'reset_password'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn delete_user(
        &self,
        username: &str,
        protect_last_admin: bool,
    ) -> Result<Deletion, StoreError> {
        let mut tx = self.begin().await?;
        // The user's row first, locked, so every session created before this
        // commits is seen below (and revoked), and none is created after.
        let id: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT u.id FROM users u WHERE {}{}",
            DB::NAME_IS,
            DB::FOR_UPDATE
        ))
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            // Explicitly: a dropped transaction's rollback waits for the
            // connection's next use, holding its locks until then.
            tx.rollback().await?;
            return Ok(Deletion::NoSuchUser);
        };
        if protect_last_admin {
            // Locking every admin grant serialises deletions of admins; one that
            // waited sees the grants of users deleted meanwhile gone.
            let admins: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT user_id FROM user_roles WHERE role = 'admin' ORDER BY user_id{}",
                DB::FOR_UPDATE
            ))
            .fetch_all(&mut *tx)
            .await?;
            if admins == [id] {
                tx.rollback().await?;
                return Ok(Deletion::LastAdmin);
            }
        }
        // Before the delete, whose cascade takes the sessions along.
        sqlx::query(
            "INSERT INTO revocations (kind, value, expires_at) \
             SELECT 'session', id, $2 FROM sessions WHERE user_id = $1",
        )
        .bind(id)
        .bind((unix_now() + SESSION_REVOCATION_SECS) as i64)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Deletion::Deleted(id))
    }
}
