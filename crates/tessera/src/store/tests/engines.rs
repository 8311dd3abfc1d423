//! Fresh databases, one per test, on either engine.

use std::future::Future;

use crate::store::Store;
use tempfile::TempDir;

use super::database::TestSchema;

/// An empty database of its own, removed when dropped.
pub(crate) struct TestDb {
    /// Its URL, as `Store::open` takes it.
    pub(crate) url: String,
    // Held for their `Drop`, which removes the database.
    _dir: Option<TempDir>,
    _schema: Option<TestSchema>,
}

impl TestDb {
    /// A SQLite file in a directory of its own.
    pub(crate) fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
        Self {
            url,
            _dir: Some(dir),
            _schema: None,
        }
    }

    /// A schema of its own on the local Postgres.
    pub(crate) async fn postgres() -> Self {
        let schema = TestSchema::create().await;
        Self {
            url: schema.url(),
            _dir: None,
            _schema: Some(schema),
        }
    }

    /// A fresh database on `engine` (`sqlite` or `postgres`).
    pub(crate) async fn on(engine: &str) -> Self {
        match engine {
            "sqlite" => Self::sqlite(),
            "postgres" => Self::postgres().await,
            other => panic!("no engine {other}"),
        }
    }

    /// The store on it, migrations applied.
    pub(crate) async fn open(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }
}

/// Runs `test` on a fresh SQLite database, then on a fresh Postgres schema.
/// The engine is printed first, so a failure says which one failed.
pub(crate) async fn on_each_engine<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    for engine in ["sqlite", "postgres"] {
        eprintln!("on {engine}:");
        let db = TestDb::on(engine).await;
        let store = db.open().await;
        assert_eq!(store.engine_name(), engine);
        test(store.clone()).await;
        store.close().await;
    }
}
