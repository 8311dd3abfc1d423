//! Check values of keys every instance must share (the second-factor secrets
//! key): recorded once, by whichever instance comes first, then only read.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Dialect, SqlStore};
use crate::store::StoreError;

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn key_check(
        &self,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT check_value FROM key_checks WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub(in crate::store) async fn record_key_check(
        &self,
        name: &str,
        check_value: &str,
    ) -> Result<String, StoreError> {
        // Insert if absent, then read: of instances starting together, the
        // first insert wins and every one of them reads the same value.
        sqlx::query(
            "INSERT INTO key_checks (name, check_value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(check_value)
        .execute(&self.pool)
        .await?;
        let recorded: String =
            sqlx::query_scalar("SELECT check_value FROM key_checks WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?;
        Ok(recorded)
    }
}
