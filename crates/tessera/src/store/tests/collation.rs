//! Usernames collide regardless of letter case on Postgres whatever collation
//! the database was created with, as on SQLite. A Turkish ICU default maps `I`
//! to a dotless `ı` in `lower()`, so `ADMIN` and `admin` would not collide there.

use super::database::TestDatabase;
use crate::store::{Store, StoreError};

const TURKISH: &str = "LOCALE_PROVIDER icu ICU_LOCALE 'tr-TR' LOCALE 'C.UTF-8'";

#[tokio::test]
async fn names_differing_in_case_collide_under_a_turkish_collation() {
    let database = TestDatabase::create(TURKISH).await;
    let store = Store::open(&database.url()).await.unwrap();
    store.create_user("admin", "hash", &[]).await.unwrap();
    let twin = store.create_user("ADMIN", "hash", &[]).await;
    assert!(matches!(twin, Err(StoreError::UsernameTaken)), "{twin:?}");
    for spelling in ["ADMIN", "Admin", "admin"] {
        let found = store.find_user_by_name(spelling).await.unwrap();
        assert_eq!(found.map(|user| user.username).as_deref(), Some("admin"));
    }
    store.create_user("IRIS", "hash", &[]).await.unwrap();
    assert!(store.delete_user("iris").await.unwrap().is_some());
    store.close().await;
}
