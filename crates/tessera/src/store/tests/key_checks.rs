//! Check values of shared keys: the first recorded stays, whoever writes next.

use futures::future::join_all;

use super::engines::on_each_engine;

#[tokio::test]
async fn the_first_check_value_recorded_stays() {
    on_each_engine(|store| async move {
        assert_eq!(store.key_check("second-factor").await.unwrap(), None);
        assert_eq!(
            store
                .record_key_check("second-factor", "aaa")
                .await
                .unwrap(),
            "aaa"
        );
        assert_eq!(
            store
                .record_key_check("second-factor", "bbb")
                .await
                .unwrap(),
            "aaa",
            "a later key is answered with the first"
        );
        assert_eq!(
            store.key_check("second-factor").await.unwrap().as_deref(),
            Some("aaa")
        );
        assert_eq!(store.key_check("other").await.unwrap(), None, "by name");
    })
    .await;
}

#[tokio::test]
async fn concurrent_first_records_agree_on_one_value() {
    on_each_engine(|store| async move {
        let values: Vec<String> = (0..6).map(|n| format!("key{n}")).collect();
        let answers = join_all(
            values
                .iter()
                .map(|value| store.record_key_check("second-factor", value)),
        )
        .await;
        let answers: Vec<String> = answers.into_iter().map(Result::unwrap).collect();
        assert!(values.contains(&answers[0]), "{answers:?}");
        assert!(
            answers.iter().all(|answer| *answer == answers[0]),
            "{answers:?}"
        );
    })
    .await;
}
