//! Second factors in the store: session levels, raising a first step once,
//! TOTP steps accepted once, the failure count, recovery codes spent once.

use crate::store::Store;

use super::engines::on_each_engine;

const NOW: u64 = 1_800_000_000;
const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

async fn user(store: &Store) -> i64 {
    store.create_user("alice", "hash", &[]).await.unwrap().id
}

#[tokio::test]
async fn a_first_step_session_rises_once_and_loses_its_unused_refresh_tokens() {
    on_each_engine(|store| async move {
        let user = user(&store).await;
        assert!(store
            .create_session("s1", user, 0, NOW, Some(("r1", NOW + HOUR)))
            .await
            .unwrap());
        assert_eq!(
            store.session_acr("s1").await.unwrap(),
            Some(1),
            "the default"
        );
        assert_eq!(store.session_acr("nope").await.unwrap(), None);
        store.set_session_acr("s1", 0).await.unwrap();

        let raised = store
            .raise_session(
                "s1",
                user,
                2,
                NOW + 10,
                ("r2", NOW + 10 + 14 * DAY),
                7 * DAY,
            )
            .await
            .unwrap();
        assert_eq!(
            raised,
            Some(NOW + 7 * DAY),
            "capped by the session's max age"
        );
        assert_eq!(store.session_acr("s1").await.unwrap(), Some(2));
        assert_eq!(store.refresh_record("r1").await.unwrap(), None, "dropped");
        assert!(store.refresh_record("r2").await.unwrap().is_some());

        let again = store
            .raise_session("s1", user, 2, NOW + 20, ("r3", NOW + HOUR), 7 * DAY)
            .await
            .unwrap();
        assert_eq!(again, None, "only a first step rises");
        assert_eq!(store.refresh_record("r3").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn totp_steps_are_accepted_once_and_only_forward() {
    on_each_engine(|store| async move {
        let user = user(&store).await;
        assert!(store.put_pending_totp(user, "sealed-1", NOW).await.unwrap());
        assert!(
            store.put_pending_totp(user, "sealed-2", NOW).await.unwrap(),
            "a pending one is replaced"
        );
        assert!(
            !store.accept_totp_step(user, 100, NOW, false).await.unwrap(),
            "not confirmed yet"
        );
        assert!(
            store.accept_totp_step(user, 100, NOW, true).await.unwrap(),
            "confirms"
        );
        let record = store.totp(user).await.unwrap().unwrap();
        assert_eq!(
            (
                record.sealed_secret.as_str(),
                record.confirmed,
                record.last_step
            ),
            ("sealed-2", true, Some(100))
        );
        assert!(
            !store.put_pending_totp(user, "sealed-3", NOW).await.unwrap(),
            "a confirmed one stays"
        );
        assert!(
            !store.accept_totp_step(user, 100, NOW, false).await.unwrap(),
            "the same step"
        );
        assert!(
            !store.accept_totp_step(user, 99, NOW, false).await.unwrap(),
            "an older step"
        );
        assert!(store.accept_totp_step(user, 101, NOW, false).await.unwrap());

        store.delete_totp(user).await.unwrap();
        assert_eq!(store.totp(user).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn attempts_count_within_their_window_up_to_the_limit_and_recovery_codes_are_spent_once() {
    on_each_engine(|store| async move {
        let user = user(&store).await;
        assert_eq!(
            store.take_mfa_attempt(user, NOW, 300, 5).await.unwrap(),
            None,
            "no authenticator"
        );
        store.put_pending_totp(user, "sealed", NOW).await.unwrap();
        assert_eq!(
            store.take_mfa_attempt(user, NOW, 300, 5).await.unwrap(),
            Some((1, NOW))
        );
        assert_eq!(
            store
                .take_mfa_attempt(user, NOW + 299, 300, 5)
                .await
                .unwrap(),
            Some((2, NOW))
        );
        assert_eq!(
            store
                .take_mfa_attempt(user, NOW + 301, 300, 5)
                .await
                .unwrap(),
            Some((1, NOW + 301)),
            "a new window"
        );
        for attempt in 2..=5 {
            let taken = store.take_mfa_attempt(user, NOW + 302, 300, 5).await;
            assert_eq!(taken.unwrap(), Some((attempt, NOW + 301)));
        }
        let locked = store.take_mfa_attempt(user, NOW + 302, 300, 5).await;
        assert_eq!(locked.unwrap(), None, "the limit reached");
        store.clear_mfa_failures(user).await.unwrap();
        let cleared = store.take_mfa_attempt(user, NOW + 303, 300, 5).await;
        assert_eq!(cleared.unwrap(), Some((1, NOW + 301)), "cleared");

        let hashes = vec!["h1".to_owned(), "h2".to_owned()];
        store.replace_recovery_codes(user, &hashes).await.unwrap();
        assert!(store.spend_recovery_code(user, "h1", NOW).await.unwrap());
        assert!(
            !store.spend_recovery_code(user, "h1", NOW).await.unwrap(),
            "spent"
        );
        assert!(
            !store.spend_recovery_code(user, "h3", NOW).await.unwrap(),
            "unknown"
        );
        store
            .replace_recovery_codes(user, &["h4".to_owned()])
            .await
            .unwrap();
        assert!(
            !store.spend_recovery_code(user, "h2", NOW).await.unwrap(),
            "replaced"
        );
        assert!(store.spend_recovery_code(user, "h4", NOW).await.unwrap());
    })
    .await;
}
