//! Accounts and their roles.

use sqlx::FromRow;
use tessera_shared::UserProfile;

use super::SqliteStore;
use crate::clock::{unix_now, utc_text};
use crate::store::{Deletion, StoreError, StoredUser, SESSION_REVOCATION_SECS};

/// Columns of a user plus its roles, space-separated (role names hold no spaces).
const SELECT_USER: &str = "SELECT u.id, u.username, u.password_hash, u.credential_version, u.created_at, \
     COALESCE((SELECT group_concat(r.role, ' ') FROM user_roles r WHERE r.user_id = u.id), '') AS roles \
     FROM users u";

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    password_hash: String,
    credential_version: i64,
    created_at: i64,
    roles: String,
}

impl From<UserRow> for StoredUser {
    fn from(row: UserRow) -> Self {
        let mut roles: Vec<String> = row.roles.split_whitespace().map(str::to_owned).collect();
        roles.sort();
        Self {
            id: row.id,
            username: row.username,
            password_hash: row.password_hash,
            credential_version: row.credential_version,
            created_at: utc_text(u64::try_from(row.created_at).unwrap_or(0)),
            roles,
        }
    }
}

impl SqliteStore {
    pub(in crate::store) async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        roles: &[String],
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) RETURNING id",
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
        for role in roles {
            sqlx::query("INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)")
                .bind(id)
                .bind(role)
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
        let row = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} WHERE u.username = ?"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredUser::from))
    }

    pub(in crate::store) async fn find_user_by_id(
        &self,
        id: i64,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(&format!("{SELECT_USER} WHERE u.id = ?"))
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
        sqlx::query("UPDATE users SET password_hash = ?, credential_version = credential_version + 1 WHERE id = ?")
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
        // A write first, so the transaction takes SQLite's write lock at once;
        // and before the delete, whose cascade would take the sessions along.
        let sessions: Vec<String> = sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = ? \
             WHERE user_id = (SELECT id FROM users WHERE username = ?) RETURNING id",
        )
        .bind(unix_now() as i64)
        .bind(username)
        .fetch_all(&mut *tx)
        .await?;
        // Under the write lock taken above, so no other deletion interleaves.
        // `username` compares without case (the column is NOCASE).
        if protect_last_admin {
            let last: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
                 WHERE r.role = 'admin' AND u.username = ?1) \
                 AND NOT EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
                 WHERE r.role = 'admin' AND u.username <> ?1)",
            )
            .bind(username)
            .fetch_one(&mut *tx)
            .await?;
            if last {
                // Explicitly: a dropped transaction's rollback waits for the
                // connection's next use, holding the write lock until then.
                tx.rollback().await?;
                return Ok(Deletion::LastAdmin);
            }
        }
        let id: Option<i64> =
            sqlx::query_scalar("DELETE FROM users WHERE username = ? RETURNING id")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else {
            tx.rollback().await?;
            return Ok(Deletion::NoSuchUser);
        };
        let until = unix_now() + SESSION_REVOCATION_SECS;
        for session in &sessions {
            super::revocations::insert(&mut tx, "session", session, until).await?;
        }
        tx.commit().await?;
        Ok(Deletion::Deleted(id))
    }
}
