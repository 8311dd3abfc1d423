//! Revocations as servers follow them, the purge of what has expired, and the
//! Postgres feed.

use std::time::Duration;

use crate::store::Store;

use super::engines::{on_each_engine, TestDb};

const NOW: u64 = 1_800_000_000;

#[tokio::test]
async fn revocations_are_followed_by_id_until_they_expire() {
    on_each_engine(|store| async move {
        store.revoke_token("t1", NOW + 100).await.unwrap();
        store.revoke_token("t2", NOW + 50).await.unwrap();
        let rows = store.revocations_after(0, NOW).await.unwrap();
        let seen: Vec<(&str, &str, i64)> = rows
            .iter()
            .map(|row| (row.kind.as_str(), row.value.as_str(), row.expires_at))
            .collect();
        assert_eq!(
            seen,
            [
                ("token", "t1", NOW as i64 + 100),
                ("token", "t2", NOW as i64 + 50)
            ]
        );
        assert!(rows[0].id < rows[1].id);

        let newer = store.revocations_after(rows[0].id, NOW).await.unwrap();
        assert_eq!(newer, rows[1..]);
        let live = store.revocations_after(0, NOW + 60).await.unwrap();
        assert_eq!(live, rows[..1]);
    })
    .await;
}

#[tokio::test]
async fn the_purge_forgets_only_what_no_longer_matters() {
    on_each_engine(|store| async move {
        let user = store.create_user("alice", "hash", &[]).await.unwrap().id;
        let old = NOW - 10_000;
        let sessions = [
            ("spent", old, Some(("r-spent", NOW - 1))),
            ("live", old, Some(("r-live", NOW + 100))),
            ("young", NOW - 10, None),
        ];
        for (session, created, refresh) in sessions {
            let created = store.create_session(session, user, 0, created, refresh);
            assert!(created.await.unwrap());
        }
        store.revoke_token("t-gone", NOW - 1).await.unwrap();
        store.revoke_token("t-kept", NOW).await.unwrap();

        store.purge_expired(NOW, 5_000).await.unwrap();

        assert!(store.refresh_record("r-spent").await.unwrap().is_none());
        assert!(store.refresh_record("r-live").await.unwrap().is_some());
        let kept: Vec<String> = store
            .revocations_after(0, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.value)
            .collect();
        assert_eq!(kept, ["t-kept"]);
        // The old session with no token left is gone; the others are live.
        for (session, exists) in [("spent", false), ("live", true), ("young", true)] {
            let revoked = store.revoke_session(session, user, NOW, NOW + 1);
            assert_eq!(revoked.await.unwrap(), exists, "{session}");
        }
    })
    .await;
}

#[tokio::test]
async fn sqlite_has_no_revocation_feed() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    assert!(store.revocation_feed().await.unwrap().is_none());
    store.close().await;
}

#[tokio::test]
async fn postgres_announces_each_revocation_as_it_commits() {
    let db = TestDb::postgres().await;
    let store = db.open().await;
    let mut feed = store.revocation_feed().await.unwrap().unwrap();
    // Another process, as far as the feed can tell.
    let writer = Store::open(&db.url).await.unwrap();
    // Announcements are database-wide: other tests' schemas announce theirs
    // on the same channel, so this one is told apart by its value.
    let jti = format!("t-{}", uuid::Uuid::new_v4().simple());
    writer.revoke_token(&jti, NOW + 5).await.unwrap();
    let ours = async {
        loop {
            let row = feed.next().await.unwrap();
            if let Some(row) = row.filter(|row| row.value == jti) {
                return row;
            }
        }
    };
    // A generous bound, only so that a lost announcement fails the test
    // instead of hanging it.
    let announced = tokio::time::timeout(Duration::from_secs(60), ours)
        .await
        .expect("no announcement");
    let stored = writer.revocations_after(0, NOW).await.unwrap();
    assert_eq!(stored, [announced]);
    writer.close().await;
    store.close().await;
}
