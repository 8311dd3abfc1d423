//! Which database the API tests run on: SQLite in the test's data dir by default,
//! or, with `TESSERA_TEST_DATABASE=postgres`, a fresh schema of the local Postgres
//! (`TESSERA_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`),
//! dropped afterwards. An unreachable Postgres fails the tests; it never skips them.

use sqlx::postgres::PgPoolOptions;
use sqlx::Executor;

/// The local Postgres the tests may use.
pub(crate) fn postgres_url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Whether this run targets Postgres.
pub(crate) fn wants_postgres() -> bool {
    std::env::var("TESSERA_TEST_DATABASE").is_ok_and(|engine| engine == "postgres")
}

/// A Postgres schema of its own, so concurrent tests and runs never collide.
pub(crate) struct TestSchema {
    pub(crate) name: String,
}

impl TestSchema {
    pub(crate) async fn create() -> Self {
        let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&postgres_url())
            .await
            .expect("Postgres must be reachable for these tests (see TESSERA_TEST_POSTGRES_URL)");
        pool.execute(format!("CREATE SCHEMA {name}").as_str())
            .await
            .unwrap();
        pool.close().await;
        Self { name }
    }

    /// A database URL whose connections work inside this schema.
    pub(crate) fn url(&self) -> String {
        format!("{}?options[search_path]={}", postgres_url(), self.name)
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let statement = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        if execute_while_dropping(statement).is_err() {
            eprintln!("warning: could not drop test schema {}", self.name);
        }
    }
}

/// Runs `statement` on the test server from a `Drop`, which cannot await: a
/// short-lived runtime on its own thread can.
fn execute_while_dropping(statement: String) -> Result<(), ()> {
    let dropped = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&postgres_url())
                .await?;
            pool.execute(statement.as_str()).await?;
            pool.close().await;
            Ok::<_, sqlx::Error>(())
        })
    })
    .join();
    match dropped {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// A Postgres database of its own, created with `options` (e.g. a locale), and
/// dropped afterwards: for what a schema cannot vary, such as the collation.
/// Only the store's own tests, which share this file, use it.
#[allow(dead_code)]
pub(crate) struct TestDatabase {
    pub(crate) name: String,
}

#[allow(dead_code)]
impl TestDatabase {
    pub(crate) async fn create(options: &str) -> Self {
        let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&postgres_url())
            .await
            .expect("Postgres must be reachable for these tests (see TESSERA_TEST_POSTGRES_URL)");
        pool.execute(format!("CREATE DATABASE {name} TEMPLATE template0 {options}").as_str())
            .await
            .unwrap();
        pool.close().await;
        Self { name }
    }

    /// The database's URL: the test server's, with this database's name.
    pub(crate) fn url(&self) -> String {
        let server = postgres_url();
        let server = server.split('?').next().unwrap_or_default();
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        format!("{base}/{}", self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if execute_while_dropping(statement).is_err() {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Waits until a statement containing `statement` is blocked by the
/// connection of process `holder` in the Postgres at `url`, or until `task`
/// (which runs it) has finished without waiting. For tests that force two
/// transactions into one order.
pub(crate) async fn until_blocked_or_done<T>(
    url: &str,
    holder: i32,
    statement: &str,
    task: &tokio::task::JoinHandle<T>,
) {
    use sqlx::Connection;
    let mut observer = sqlx::PgConnection::connect(url).await.unwrap();
    let pattern = format!("%{statement}%");
    while !task.is_finished() {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE $2",
        )
        .bind(holder)
        .bind(&pattern)
        .fetch_one(&mut observer)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
}

/// The server process of connection `connection`, as `pg_blocking_pids` names it.
pub(crate) async fn backend_pid(connection: &mut sqlx::PgConnection) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(connection)
        .await
        .unwrap()
}
