//! Opening, probing and closing a store.

use std::time::Duration;

use crate::store::{Store, StoreError, StoreOptions};

use super::engines::{on_each_engine, TestDb};

#[tokio::test]
async fn a_store_answers_until_closed() {
    on_each_engine(|store| async move {
        store.ping().await.unwrap();
        let copy = store.clone();
        store.close().await;
        assert!(copy.ping().await.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_store_opens_again_with_its_data() {
    for engine in ["sqlite", "postgres"] {
        let db = TestDb::on(engine).await;
        let options = StoreOptions {
            max_connections: 2,
            timeout: Duration::from_secs(30),
        };
        let first = Store::open_with(&db.url, &options).await.unwrap();
        assert_eq!(first.engine_name(), engine);
        first.create_user("alice", "hash", &[]).await.unwrap();
        first.close().await;
        // Migrations already applied are skipped; the data is still there.
        let again = db.open().await;
        assert!(
            again.find_user_by_name("alice").await.unwrap().is_some(),
            "{engine}"
        );
        again.close().await;
    }
}

#[tokio::test]
async fn other_urls_are_refused() {
    for url in ["mysql://localhost/tessera", "tessera.db", ""] {
        let refused = Store::open(url).await;
        assert!(
            matches!(refused, Err(StoreError::UnsupportedUrl(_))),
            "{url}"
        );
    }
}
