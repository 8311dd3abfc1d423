//! Sessions and their refresh tokens: creation, rotation and revocation. Times
//! are fixed Unix seconds, passed in as the store takes them.

use crate::store::{
    LiveSessions, RefreshRecord, RotateRefresh, Rotation, SessionClient, SessionRow, Store,
};

use super::engines::on_each_engine;

const NOW: u64 = 1_800_000_000;
const HOUR: u64 = 3600;

/// A user with a session `s1` started at [`NOW`], whose refresh token `r1`
/// expires in an hour.
async fn signed_in(store: &Store) -> i64 {
    let user = store.create_user("alice", "hash", &[]).await.unwrap();
    let created = store
        .create_session("s1", user.id, 0, NOW, Some(("r1", NOW + HOUR)))
        .await
        .unwrap();
    assert!(created);
    user.id
}

/// Refresh token `jti` of live session `session`, as issued and never used.
pub(crate) fn unused(
    jti: &str,
    session: &str,
    user: i64,
    issued: u64,
    expires: u64,
) -> RefreshRecord {
    RefreshRecord {
        jti: jti.to_owned(),
        session_id: session.to_owned(),
        user_id: user,
        issued_at: issued as i64,
        expires_at: expires as i64,
        used_at: None,
        successor_jti: None,
        access_jti: None,
        used_by: None,
        session_revoked: false,
    }
}

/// Exchanges `jti` at `now` for `successor`, in sessions of at most `max_age`.
async fn rotate(store: &Store, jti: &str, successor: &str, now: u64, max_age: u64) -> Rotation {
    let exchange = RotateRefresh {
        jti,
        successor_jti: successor,
        access_jti: "access",
        now,
        successor_expires_at: now + HOUR,
        session_max_age: max_age,
        used_by: "client",
    };
    store.rotate_refresh(&exchange).await.unwrap()
}

#[tokio::test]
async fn a_session_starts_only_at_the_current_credential_version() {
    on_each_engine(|store| async move {
        let user = signed_in(&store).await;
        let record = store.refresh_record("r1").await.unwrap().unwrap();
        assert_eq!(record, unused("r1", "s1", user, NOW, NOW + HOUR));
        assert!(store
            .create_session("s2", user, 0, NOW, None)
            .await
            .unwrap());

        store.set_password_hash(user, "new").await.unwrap();
        let stale = store.create_session("s3", user, 0, NOW, Some(("r3", NOW + HOUR)));
        assert!(!stale.await.unwrap());
        assert!(store.refresh_record("r3").await.unwrap().is_none());
        assert!(store
            .create_session("s4", user, 1, NOW, None)
            .await
            .unwrap());
        assert!(!store
            .create_session("s5", user + 1, 0, NOW, None)
            .await
            .unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_refresh_token_is_used_once() {
    on_each_engine(|store| async move {
        signed_in(&store).await;
        let rotated = rotate(&store, "r1", "r2", NOW + 10, 24 * HOUR).await;
        assert_eq!(
            rotated,
            Rotation::Rotated {
                expires_at: NOW + 10 + HOUR,
                acr: 1,
            }
        );
        let successor = store.refresh_record("r2").await.unwrap().unwrap();
        assert_eq!(
            (successor.session_id.as_str(), successor.issued_at),
            ("s1", (NOW + 10) as i64)
        );

        let again = rotate(&store, "r1", "r3", NOW + 11, 24 * HOUR).await;
        let Rotation::Refused(used) = again else {
            panic!("a used token rotated again");
        };
        assert_eq!(used.used_at, Some((NOW + 10) as i64));
        assert_eq!(used.successor_jti.as_deref(), Some("r2"));
        assert_eq!(used.access_jti.as_deref(), Some("access"));
        assert_eq!(used.used_by.as_deref(), Some("client"));
        assert!(store.refresh_record("r3").await.unwrap().is_none());

        let unknown = rotate(&store, "nope", "r4", NOW, 24 * HOUR).await;
        assert_eq!(unknown, Rotation::Unknown);
    })
    .await;
}

#[tokio::test]
async fn a_successor_never_outlives_its_session() {
    on_each_engine(|store| async move {
        signed_in(&store).await;
        // The session may live 90 minutes from NOW: the successor, due to
        // expire an hour after NOW + 40 minutes, is cut to that.
        let rotated = rotate(&store, "r1", "r2", NOW + 40 * 60, 90 * 60).await;
        let cut = Rotation::Rotated {
            expires_at: NOW + 90 * 60,
            acr: 1,
        };
        assert_eq!(rotated, cut);
        // At its age limit the session rotates no more.
        let old = rotate(&store, "r2", "r3", NOW + 90 * 60, 90 * 60).await;
        assert!(matches!(old, Rotation::Refused(_)));
    })
    .await;
}

#[tokio::test]
async fn expired_tokens_and_revoked_sessions_are_refused() {
    on_each_engine(|store| async move {
        let user = signed_in(&store).await;
        let late = rotate(&store, "r1", "r2", NOW + HOUR + 1, 24 * HOUR).await;
        assert!(matches!(late, Rotation::Refused(_)));

        assert!(store
            .revoke_session("s1", user, NOW + 1, NOW + HOUR)
            .await
            .unwrap());
        let revoked = rotate(&store, "r1", "r2", NOW + 2, 24 * HOUR).await;
        let Rotation::Refused(record) = revoked else {
            panic!("a revoked session's token rotated");
        };
        assert!(record.session_revoked);
        assert_eq!(record.used_at, None);
    })
    .await;
}

#[tokio::test]
async fn sessions_are_revoked_one_or_all_at_once() {
    on_each_engine(|store| async move {
        let user = signed_in(&store).await;
        for session in ["s2", "s3"] {
            assert!(store
                .create_session(session, user, 0, NOW, None)
                .await
                .unwrap());
        }
        // Only the user's own live session counts.
        assert!(!store
            .revoke_session("s1", user + 1, NOW, NOW + HOUR)
            .await
            .unwrap());
        assert!(store
            .revoke_session("s1", user, NOW, NOW + HOUR)
            .await
            .unwrap());
        assert!(!store
            .revoke_session("s1", user, NOW, NOW + HOUR)
            .await
            .unwrap());

        let others = store.revoke_user_sessions(user, Some("s2"), NOW, NOW + HOUR);
        assert_eq!(others.await.unwrap(), ["s3"]);
        let rest = store.revoke_user_sessions(user, None, NOW, NOW + HOUR);
        assert_eq!(rest.await.unwrap(), ["s2"]);
        assert!(store
            .revoke_user_sessions(user, None, NOW, NOW + HOUR)
            .await
            .unwrap()
            .is_empty());

        let rows = store.revocations_after(0, NOW).await.unwrap();
        let mut revoked: Vec<&str> = rows.iter().map(|row| row.value.as_str()).collect();
        revoked.sort_unstable();
        revoked.dedup();
        assert_eq!(revoked, ["s1", "s2", "s3"]);
        for row in &rows {
            let kind_and_end = (row.kind.as_str(), row.expires_at);
            assert_eq!(kind_and_end, ("session", (NOW + HOUR) as i64));
        }
    })
    .await;
}

#[tokio::test]
async fn live_sessions_list_where_each_was_last_used() {
    on_each_engine(|store| async move {
        let user = signed_in(&store).await;
        let live = LiveSessions {
            now: NOW + 60,
            access_horizon: 15 * 60,
            session_max_age: 24 * HOUR,
        };
        let seen = |agent, network, refreshed_at| SessionClient {
            user_agent: Some(agent),
            network: Some(network),
            refreshed_at,
        };
        store
            .record_session_client("s1", &seen("Firefox", "203.0.113.0/24", None))
            .await
            .unwrap();
        // A session without a refresh token (`POST /login`), never recorded.
        assert!(store
            .create_session("s2", user, 0, NOW + 30, None)
            .await
            .unwrap());
        let listed = store.live_sessions(user, &live).await.unwrap();
        let expected =
            |id: &str, created, refreshed, agent: Option<&str>, net: Option<&str>| SessionRow {
                id: id.to_owned(),
                created_at: created as i64,
                refreshed_at: refreshed,
                user_agent: agent.map(str::to_owned),
                client_network: net.map(str::to_owned),
            };
        assert_eq!(
            listed,
            [
                expected("s2", NOW + 30, None, None, None),
                expected("s1", NOW, None, Some("Firefox"), Some("203.0.113.0/24")),
            ]
        );

        // A refresh records when, and from where this time.
        let refreshed = seen("Safari", "2001:db8:1::/48", Some(NOW + 50));
        store.record_session_client("s1", &refreshed).await.unwrap();
        let listed = store.live_sessions(user, &live).await.unwrap();
        assert_eq!(listed[1].refreshed_at, Some((NOW + 50) as i64));
        assert_eq!(listed[1].client_network.as_deref(), Some("2001:db8:1::/48"));

        // An hour on, s2's access token has expired and it holds no refresh
        // token: only s1, whose refresh token lasts until NOW + HOUR, is live.
        let later = LiveSessions {
            now: NOW + HOUR,
            ..live
        };
        let ids: Vec<String> = store
            .live_sessions(user, &later)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.id)
            .collect();
        assert_eq!(ids, ["s1"]);
        // Past its refresh token, or revoked, a session is not live; other
        // users' sessions are never listed.
        let gone = LiveSessions {
            now: NOW + HOUR + 1,
            ..live
        };
        assert!(store.live_sessions(user, &gone).await.unwrap().is_empty());
        assert!(store
            .revoke_session("s1", user, NOW + 61, NOW + HOUR)
            .await
            .unwrap());
        assert_eq!(store.live_sessions(user, &live).await.unwrap().len(), 1);
        assert!(store
            .live_sessions(user + 1, &live)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
