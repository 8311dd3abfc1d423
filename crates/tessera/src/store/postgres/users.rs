//! Accounts and their roles.

use sqlx::FromRow;
use tessera_shared::UserProfile;

use super::PgStore;
use crate::clock::{unix_now, utc_text};
use crate::store::{Deletion, StoreError, StoredUser, SESSION_REVOCATION_SECS};

/// Columns of a user and its roles as an array.
const SELECT_USER: &str =
    "SELECT u.id, u.username, u.password_hash, u.credential_version, u.created_at, \
     ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role) AS roles \
     FROM users u";

/// The case-insensitive name key, as in the unique index `users_username_ci`:
/// ASCII folding whatever the database's collation (see migration 0002).
const NAME_KEY: &str = "lower(u.username COLLATE \"C\")";

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    password_hash: String,
    credential_version: i64,
    created_at: i64,
    roles: Vec<String>,
}

impl From<UserRow> for StoredUser {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            password_hash: row.password_hash,
            credential_version: row.credential_version,
            created_at: utc_text(u64::try_from(row.created_at).unwrap_or(0)),
            roles: row.roles,
        }
    }
}

impl PgStore {
    pub(in crate::store) async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        roles: &[String],
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(unix_now() as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| match err.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::UsernameTaken,
            _ => StoreError::from(err),
        })?;
        sqlx::query("INSERT INTO user_roles (user_id, role) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(roles)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(in crate::store) async fn find_user_by_name(
        &self,
        username: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(&format!(
            "{SELECT_USER} WHERE {NAME_KEY} = lower($1 COLLATE \"C\")"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(StoredUser::from))
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
        sqlx::query("UPDATE users SET password_hash = $1, credential_version = credential_version + 1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn delete_user(
        &self,
        username: &str,
        protect_last_admin: bool,
    ) -> Result<Deletion, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Lock the user row first, then revoke its sessions before the delete's
        // cascade takes them along.
        let id: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM users u WHERE {NAME_KEY} = lower($1 COLLATE \"C\") FOR UPDATE"
        ))
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            tx.rollback().await?;
            return Ok(Deletion::NoSuchUser);
        };
        if protect_last_admin {
            // Locking every admin grant serialises deletions of admins; one that
            // waited sees the grants of users deleted meanwhile gone.
            let admins: Vec<i64> = sqlx::query_scalar(
                "SELECT user_id FROM user_roles WHERE role = 'admin' ORDER BY user_id FOR UPDATE",
            )
            .fetch_all(&mut *tx)
            .await?;
            if admins == [id] {
                // Explicitly: a dropped transaction's rollback waits for the
                // connection's next use, holding the locks until then.
                tx.rollback().await?;
                return Ok(Deletion::LastAdmin);
            }
        }
        let until = (unix_now() + SESSION_REVOCATION_SECS) as i64;
        sqlx::query(
            "INSERT INTO revocations (kind, value, expires_at) \
             SELECT 'session', id, $2 FROM sessions WHERE user_id = $1",
        )
        .bind(id)
        .bind(until)
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
