//! The revocation follower on Postgres: rows whose ids were taken before, but
//! committed after, rows it already read still reach it by polling alone.

use super::database::TestSchema;
use crate::clock::unix_now;
use crate::store::Store;
use crate::Revocations;
use sqlx::postgres::PgPoolOptions;
use sqlx::Connection;

async fn insert_revocation(tx: &mut sqlx::PgConnection, jti: &str) {
    sqlx::query("INSERT INTO revocations (kind, value, expires_at) VALUES ('token', $1, $2)")
        .bind(jti)
        .bind((unix_now() + 3600) as i64)
        .execute(tx)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_revocation_committed_out_of_id_order_is_seen_without_its_notification() {
    let schema = TestSchema::create().await;
    let store = Store::open(&schema.url()).await.unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&schema.url())
        .await
        .unwrap();
    let (mut slow, mut fast) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    // `slow` takes the lower id, then `fast` takes the next one and commits first.
    let mut slow_tx = slow.begin().await.unwrap();
    insert_revocation(&mut slow_tx, "committed-late").await;
    let mut fast_tx = fast.begin().await.unwrap();
    insert_revocation(&mut fast_tx, "committed-early").await;
    fast_tx.commit().await.unwrap();

    // No feed here: only the once-a-second poll.
    let follower = Revocations::new();
    follower.sync(&store).await.unwrap();
    assert!(follower.is_revoked("committed-early", "-"));
    assert!(
        !follower.is_revoked("committed-late", "-"),
        "not committed yet"
    );

    slow_tx.commit().await.unwrap();
    for _ in 0..3 {
        follower.sync(&store).await.unwrap();
    }
    assert!(
        follower.is_revoked("committed-late", "-"),
        "a row committed behind the cursor was skipped"
    );
    assert!(follower.is_revoked("committed-early", "-"));
    drop((slow, fast));
    pool.close().await;
    store.close().await;
}
