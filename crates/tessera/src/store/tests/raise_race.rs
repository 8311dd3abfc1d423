//! A refresh of a first step racing the raise of its session, forced into
//! the order that once let the refresh carry the first step's token chain
//! into the raised session (Postgres, where transactions interleave).

use crate::store::{RotateRefresh, Rotation};
use sqlx::{Connection, PgConnection};

use super::database::{backend_pid, until_blocked_or_done};
use super::engines::TestDb;

const NOW: u64 = 1_800_000_000;
const HOUR: u64 = 3600;

#[tokio::test]
async fn a_refresh_waits_for_a_raise_and_then_finds_its_first_step_token_gone() {
    let db = TestDb::postgres().await;
    let store = db.open().await;
    let user = store.create_user("alice", "hash", &[]).await.unwrap().id;
    let r1 = Some(("r1", NOW + HOUR));
    assert!(store.create_session("s1", user, 0, NOW, r1).await.unwrap());
    store.set_session_acr("s1", 0).await.unwrap();

    // A raise, its transaction held open after its first statement.
    let mut raise = PgConnection::connect(&db.url).await.unwrap();
    let holder = backend_pid(&mut raise).await;
    let mut tx = raise.begin().await.unwrap();
    sqlx::query("UPDATE sessions SET acr = 2 WHERE id = 's1' AND acr = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    let rotating = tokio::spawn({
        let store = store.clone();
        async move {
            let exchange = RotateRefresh {
                jti: "r1",
                successor_jti: "r2",
                access_jti: "access",
                now: NOW + 10,
                successor_expires_at: NOW + 10 + HOUR,
                session_max_age: 24 * HOUR,
                used_by: "client",
            };
            store.rotate_refresh(&exchange).await.unwrap()
        }
    });
    until_blocked_or_done(&db.url, holder, "SET acr = acr", &rotating).await;
    // The rest of the raise: the first step's unused refresh tokens go.
    sqlx::query("DELETE FROM refresh_tokens WHERE session_id = 's1' AND used_at IS NULL")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(rotating.await.unwrap(), Rotation::Unknown);
    assert_eq!(store.refresh_record("r2").await.unwrap(), None);
    store.close().await;
}
