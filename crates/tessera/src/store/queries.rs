//! The store's SQL, written once for both engines. sqlx's SQLite driver takes
//! the same `$N` placeholders as Postgres, and both speak the statements used
//! here (`RETURNING`, `ON CONFLICT`, `IS DISTINCT FROM`, `string_agg`; the
//! bundled SQLite is 3.46). The few places where the engines really differ are
//! the items of [`Dialect`], each implemented and explained beside its engine's
//! connection code.

use sqlx::{Database, Executor, IntoArguments, Pool, Transaction};

use super::StoreError;

mod account_tokens;
mod key_checks;
mod mfa;
mod mirror;
mod outbox;
mod passkeys;
mod revocations;
mod sessions;
mod users;

/// Where the two engines' SQL must differ.
pub(super) trait Dialect: Database {
    /// A condition: user `u` is named `$1`, letter case ignored, using the
    /// unique index on names.
    const NAME_IS: &'static str;
    /// Appended to a `SELECT` whose rows the transaction is about to change
    /// or delete: keeps other transactions off them until it ends.
    const FOR_UPDATE: &'static str;
    /// Appended to a `SELECT` whose rows must not change before the
    /// transaction ends.
    const FOR_SHARE: &'static str;
    /// Appended to the `SELECT` that picks rows to claim: rows another
    /// transaction holds are passed over instead of waited for.
    const SKIP_LOCKED: &'static str;
    /// Begins a transaction that will write.
    const BEGIN_WRITE: &'static str;
}

/// One engine's pool, with the shared queries as methods (in `users`,
/// `sessions` and `revocations`). Their `where` clauses say what the queries
/// ask of the driver; both sqlx drivers provide all of it.
#[derive(Debug)]
pub(super) struct SqlStore<DB: Database> {
    pub(super) pool: Pool<DB>,
}

// Derived, Clone would ask for `DB: Clone`; a pool clones whatever its driver.
impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Dialect> SqlStore<DB> {
    /// A transaction on a connection of the pool, begun for writing.
    async fn begin(&self) -> Result<Transaction<'static, DB>, sqlx::Error> {
        self.pool.begin_with(DB::BEGIN_WRITE).await
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError>
    where
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }
}

/// A stored Unix time as unsigned seconds (a negative one cannot have been
/// written by Tessera; it reads as the epoch).
fn secs(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}
