//! The rows of an app's own users (see `crate::users`): one per user who
//! signed in, found by the app's id for them, with no usable password.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Dialect, SqlStore};
use crate::clock::unix_now;
use crate::store::{MirroredUser, StoreError, SESSION_REVOCATION_SECS};

/// The unusable password hash of an app's user kept here: no PHC string, so no
/// password ever matches it.
const NO_PASSWORD: &str = "!";

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn mirror_user(
        &self,
        external_id: &str,
        username: &str,
        roles: &[String],
        version: i64,
    ) -> Result<MirroredUser, StoreError> {
        let mut tx = self.begin().await?;
        // The app may have given this name to another of its users since that
        // one's row was written: the row lets go of it (until its next sign-in).
        sqlx::query(&format!(
            "UPDATE users SET username = '#' || external_id WHERE id IN \
             (SELECT u.id FROM users u WHERE {} AND u.external_id <> $2)",
            DB::NAME_IS
        ))
        .bind(username)
        .bind(external_id)
        .execute(&mut *tx)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, created_at, credential_version, external_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_id) DO NOTHING",
        )
        .bind(username)
        .bind(NO_PASSWORD)
        .bind(unix_now() as i64)
        .bind(version)
        .bind(external_id)
        .execute(&mut *tx)
        .await;
        if let Err(err) = inserted {
            // Explicitly, as in `delete_user`: the locks taken above go now.
            tx.rollback().await?;
            return Err(name_taken(err));
        }
        let (id, previous): (i64, i64) = sqlx::query_as(&format!(
            "SELECT id, credential_version FROM users WHERE external_id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(external_id)
        .fetch_one(&mut *tx)
        .await?;
        let updated =
            sqlx::query("UPDATE users SET username = $1, credential_version = $2 WHERE id = $3")
                .bind(username)
                .bind(version)
                .bind(id)
                .execute(&mut *tx)
                .await;
        if let Err(err) = updated {
            tx.rollback().await?;
            return Err(name_taken(err));
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for role in roles {
            sqlx::query(
                "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        // A new version ends the user's sessions in this very transaction, so
        // no session started under the old one outlives the row saying so.
        let version_changed = previous != version;
        let mut ended_sessions: Vec<String> = Vec::new();
        if version_changed {
            let now = unix_now();
            ended_sessions = sqlx::query_scalar(
                "UPDATE sessions SET revoked_at = $1 \
                 WHERE user_id = $2 AND revoked_at IS NULL RETURNING id",
            )
            .bind(now as i64)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for session in &ended_sessions {
                let until = now + SESSION_REVOCATION_SECS;
                Self::insert_revocation(&mut tx, "session", session, until).await?;
            }
        }
        tx.commit().await?;
        Ok(MirroredUser {
            id,
            version_changed,
            ended_sessions,
        })
    }
}

/// A unique violation on writing an app user's row: its name is held by a
/// built-in account (the two kinds of user cannot share a name).
fn name_taken(err: sqlx::Error) -> StoreError {
    match err.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::UsernameTaken,
        _ => StoreError::from(err),
    }
}
