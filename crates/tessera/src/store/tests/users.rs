//! Accounts: creation, look-ups, password changes and deletion.

use std::time::{Duration, SystemTime};

use crate::store::{Deletion, StoreError};

use super::engines::on_each_engine;

fn roles(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[tokio::test]
async fn users_are_created_found_and_listed() {
    on_each_engine(|store| async move {
        let before = SystemTime::now() - Duration::from_secs(1);
        let alice = store
            .create_user("Alice", "hash-a", &roles(&["viewer", "admin", "admin"]))
            .await
            .unwrap();
        let after = SystemTime::now() + Duration::from_secs(1);
        assert_eq!(alice.username, "Alice");
        assert_eq!(alice.roles, ["admin", "viewer"]);
        // RFC 3339 UTC in whole seconds, as clients have always seen it.
        assert_eq!(alice.created_at.len(), 20, "{}", alice.created_at);
        let created = humantime::parse_rfc3339(&alice.created_at).unwrap();
        assert!(
            before <= created && created <= after,
            "{}",
            alice.created_at
        );

        let bob = store.create_user("bob", "hash-b", &[]).await.unwrap();
        assert!(bob.id > alice.id);
        assert!(bob.roles.is_empty());

        let found = store.find_user_by_name("ALICE").await.unwrap().unwrap();
        assert_eq!(
            (
                found.id,
                found.username.as_str(),
                found.password_hash.as_str()
            ),
            (alice.id, "Alice", "hash-a")
        );
        assert_eq!((found.credential_version, found.roles), (0, alice.roles));
        assert_eq!(found.created_at, alice.created_at);
        assert!(store.find_user_by_name("nobody").await.unwrap().is_none());

        let by_id = store.find_user_by_id(bob.id).await.unwrap().unwrap();
        assert_eq!(by_id.username, "bob");
        assert!(store.find_user_by_id(bob.id + 1).await.unwrap().is_none());

        let listed = store.list_users().await.unwrap();
        let names: Vec<&str> = listed.iter().map(|user| user.username.as_str()).collect();
        assert_eq!(names, ["Alice", "bob"]);
        assert_eq!(listed[0].roles, ["admin", "viewer"]);
    })
    .await;
}

#[tokio::test]
async fn a_name_is_taken_in_any_letter_case() {
    on_each_engine(|store| async move {
        store.create_user("alice", "hash", &[]).await.unwrap();
        for name in ["alice", "ALICE", "aLiCe"] {
            let taken = store.create_user(name, "hash", &[]).await;
            assert!(matches!(taken, Err(StoreError::UsernameTaken)), "{name}");
        }
        assert_eq!(store.list_users().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_password_change_bumps_the_credential_version() {
    on_each_engine(|store| async move {
        let user = store.create_user("alice", "old", &[]).await.unwrap();
        for (hash, version) in [("new", 1), ("newer", 2)] {
            store.set_password_hash(user.id, hash).await.unwrap();
            let stored = store.find_user_by_id(user.id).await.unwrap().unwrap();
            assert_eq!(
                (stored.password_hash.as_str(), stored.credential_version),
                (hash, version)
            );
        }
    })
    .await;
}

#[tokio::test]
async fn deleting_a_user_revokes_its_sessions() {
    on_each_engine(|store| async move {
        let carol = store.create_user("carol", "hash", &[]).await.unwrap();
        let other = store.create_user("dave", "hash", &[]).await.unwrap();
        let now = tessera_now();
        for (session, refresh) in [("c1", Some(("c1-r", now + 60))), ("c2", None)] {
            assert!(store
                .create_session(session, carol.id, 0, now, refresh)
                .await
                .unwrap());
        }
        assert!(store
            .create_session("d1", other.id, 0, now, None)
            .await
            .unwrap());

        assert_eq!(store.delete_user("CAROL").await.unwrap(), Some(carol.id));
        assert!(store.find_user_by_id(carol.id).await.unwrap().is_none());
        assert!(store.refresh_record("c1-r").await.unwrap().is_none());
        let mut revoked: Vec<(String, String)> = store
            .revocations_after(0, now)
            .await
            .unwrap()
            .into_iter()
            .map(|row| (row.kind, row.value))
            .collect();
        revoked.sort();
        let session = |id: &str| ("session".to_owned(), id.to_owned());
        assert_eq!(revoked, [session("c1"), session("c2")]);
        assert_eq!(store.delete_user("carol").await.unwrap(), None);
        assert!(store.find_user_by_id(other.id).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn the_last_admin_is_never_deleted() {
    on_each_engine(|store| async move {
        let alice = store
            .create_user("alice", "h", &roles(&["admin"]))
            .await
            .unwrap();
        let bob = store
            .create_user("bob", "h", &roles(&["admin"]))
            .await
            .unwrap();
        let carol = store.create_user("carol", "h", &[]).await.unwrap();

        let deleted = store.delete_user_unless_last_admin("ALICE").await.unwrap();
        assert_eq!(deleted, Deletion::Deleted(alice.id));
        let kept = store.delete_user_unless_last_admin("bob").await.unwrap();
        assert_eq!(kept, Deletion::LastAdmin);
        assert!(store.find_user_by_id(bob.id).await.unwrap().is_some());
        // Others go, the last admin or not.
        let deleted = store.delete_user_unless_last_admin("carol").await.unwrap();
        assert_eq!(deleted, Deletion::Deleted(carol.id));
        let missing = store.delete_user_unless_last_admin("nobody").await.unwrap();
        assert_eq!(missing, Deletion::NoSuchUser);
    })
    .await;
}

/// The clock `delete_user` reads, in whole seconds.
fn tessera_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn an_apps_users_are_mirrored_by_their_stable_id() {
    on_each_engine(|store| async move {
        let first = store
            .mirror_user("u-1", "user1", &roles(&["staff"]), 0)
            .await
            .unwrap();
        assert!(!first.version_changed);
        let row = store.find_user_by_name("USER1").await.unwrap().unwrap();
        assert_eq!(row.id, first.id);
        assert_eq!(row.external_id.as_deref(), Some("u-1"));
        assert_eq!((row.roles, row.credential_version), (roles(&["staff"]), 0));

        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let created = store.create_session("s1", first.id, 0, now, None).await;
        assert!(created.unwrap());

        // Renamed by the app, new roles, a new version: the same row, and the
        // sessions of the old version end with it.
        let again = store.mirror_user("u-1", "first", &[], 3).await.unwrap();
        assert_eq!(again.id, first.id);
        assert!(again.version_changed);
        assert_eq!(again.ended_sessions, ["s1"]);
        let revoked = store.revocations_after(0, now).await.unwrap();
        assert!(revoked
            .iter()
            .any(|row| row.kind == "session" && row.value == "s1"));
        let row = store.find_user_by_id(first.id).await.unwrap().unwrap();
        assert_eq!((row.username.as_str(), row.roles.len()), ("first", 0));
        assert_eq!(row.credential_version, 3);
        let unchanged = store.mirror_user("u-1", "first", &[], 3).await.unwrap();
        assert!(!unchanged.version_changed && unchanged.ended_sessions.is_empty());

        // Another app user now called "first": the old row lets the name go.
        let other = store.mirror_user("u-2", "First", &[], 0).await.unwrap();
        assert_ne!(other.id, first.id);
        let row = store.find_user_by_id(first.id).await.unwrap().unwrap();
        assert_eq!(row.username, "#u-1");
        let found = store.find_user_by_name("first").await.unwrap().unwrap();
        assert_eq!(found.id, other.id);

        // A built-in account's name is not the app's to take.
        store.create_user("alice", "hash-a", &[]).await.unwrap();
        let taken = store.mirror_user("u-3", "Alice", &[], 0).await;
        assert!(matches!(taken, Err(StoreError::UsernameTaken)), "{taken:?}");
        let alice = store.find_user_by_name("alice").await.unwrap().unwrap();
        assert_eq!(alice.external_id, None);
    })
    .await;
}
