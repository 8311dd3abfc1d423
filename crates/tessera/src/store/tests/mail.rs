//! The mail outbox and the one-time link tokens, on both engines.

use crate::store::{AccountToken, OutgoingMail, TokenPurpose};

use super::engines::on_each_engine;

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "<p>h</p>".to_owned(),
    }
}

#[tokio::test]
async fn a_claimed_message_is_no_other_senders_until_released() {
    on_each_engine(|store| async move {
        store
            .enqueue_mail(&mail("a@example.org"), 100)
            .await
            .unwrap();
        store
            .enqueue_mail(&mail("b@example.org"), 100)
            .await
            .unwrap();
        // Not due before it was queued.
        assert!(store.claim_mail(99, 200, 10).await.unwrap().is_empty());
        let first = store.claim_mail(100, 200, 1).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].mail.to.as_str(), first[0].attempts),
            ("a@example.org", 1)
        );
        // Another sender gets the other message only.
        let second = store.claim_mail(150, 1_000, 10).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].mail.to, "b@example.org");
        // A failed attempt is due again at its retry time, counted.
        store.retry_mail(first[0].id, 300, "refused").await.unwrap();
        assert!(store.claim_mail(299, 400, 10).await.unwrap().is_empty());
        let again = store.claim_mail(300, 400, 10).await.unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 2));
        // A claim that lapsed (its sender stopped) can be taken over.
        let taken_over = store.claim_mail(401, 500, 10).await.unwrap();
        assert_eq!((taken_over.len(), taken_over[0].id), (1, first[0].id));
        let both = store.claim_mail(1_000, 1_100, 10).await.unwrap();
        assert_eq!(both.len(), 2);
        for message in &both {
            store.delete_mail(message.id).await.unwrap();
        }
        assert_eq!(store.pending_mail().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn one_live_token_per_user_and_purpose_used_once() {
    on_each_engine(|store| async move {
        let user = store
            .create_user_with_email("alice", "hash", &[], Some("alice@example.org"))
            .await
            .unwrap();
        let token = |hash: &str| AccountToken {
            token_hash: hash.to_owned(),
            email: Some("alice@example.org".to_owned()),
            expires_at: 1_000,
        };
        let verify = TokenPurpose::VerifyEmail;
        store
            .put_account_token(user.id, verify, &token("h1"))
            .await
            .unwrap();
        store
            .put_account_token(user.id, verify, &token("h2"))
            .await
            .unwrap();
        store
            .put_account_token(user.id, TokenPurpose::ResetPassword, &token("r1"))
            .await
            .unwrap();
        assert_eq!(
            store.account_token(user.id, verify).await.unwrap(),
            Some(token("h2"))
        );
        assert!(!store
            .take_account_token(user.id, verify, "h1")
            .await
            .unwrap());
        assert!(store
            .take_account_token(user.id, verify, "h2")
            .await
            .unwrap());
        assert!(!store
            .take_account_token(user.id, verify, "h2")
            .await
            .unwrap());
        // The other purpose's link is untouched.
        assert!(store
            .account_token(user.id, TokenPurpose::ResetPassword)
            .await
            .unwrap()
            .is_some());

        assert!(store
            .mark_email_verified(user.id, "alice@example.org", 5)
            .await
            .unwrap());
        assert!(
            store
                .find_user_by_email("alice@example.org")
                .await
                .unwrap()
                .unwrap()
                .email_verified
        );
        // A new address is unverified and voids the verification links.
        store
            .put_account_token(user.id, verify, &token("h3"))
            .await
            .unwrap();
        store
            .set_email(user.id, Some("alice@new.example"))
            .await
            .unwrap();
        let moved = store.find_user_by_id(user.id).await.unwrap().unwrap();
        assert_eq!(
            (moved.email.as_deref(), moved.email_verified),
            (Some("alice@new.example"), false)
        );
        assert!(store
            .account_token(user.id, verify)
            .await
            .unwrap()
            .is_none());
        assert!(!store
            .mark_email_verified(user.id, "alice@example.org", 6)
            .await
            .unwrap());
        let taken = store
            .create_user_with_email("bob", "hash", &[], Some("alice@new.example"))
            .await;
        assert!(
            matches!(taken, Err(crate::store::StoreError::EmailTaken)),
            "{taken:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn senders_claiming_at_once_never_take_the_same_message() {
    on_each_engine(|store| async move {
        for n in 0..40 {
            store
                .enqueue_mail(&mail(&format!("user{n}@example.org")), 100)
                .await
                .unwrap();
        }
        // Four senders on connections of their own, as instances would be.
        let senders = (0..4).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut taken = Vec::new();
                loop {
                    let claimed = store.claim_mail(100, 1_000, 3).await.unwrap();
                    if claimed.is_empty() {
                        return taken;
                    }
                    taken.extend(claimed.into_iter().map(|message| message.id));
                }
            })
        });
        let mut all: Vec<i64> = Vec::new();
        for sender in senders.collect::<Vec<_>>() {
            all.extend(sender.await.unwrap());
        }
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!((count, all.len()), (40, 40));
    })
    .await;
}
