//! The per-account limit on wrong codes, and replays.

use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;
use serde_json::json;

use super::{code_at, enrolled, json_of, other_than};
use crate::helpers::{assert_error, now, TestApp};

#[tokio::test]
async fn a_code_is_accepted_once() {
    let app = TestApp::spawn().await;
    let erin = enrolled(&app, "erin").await;
    let body = json!({ "code": code_at(&erin.secret, now() + 30) });
    let first = app.sign_in("erin").await;
    let first = first["access_token"].as_str().unwrap();
    let (status, _) = json_of(app.post_bearer("/mfa/verify", first, Some(&body)).await).await;
    assert_eq!(status, StatusCode::OK);
    let second = app.sign_in("erin").await;
    let second = second["access_token"].as_str().unwrap();
    let replayed = app.post_bearer("/mfa/verify", second, Some(&body)).await;
    assert_error(
        replayed,
        StatusCode::FORBIDDEN,
        "Invalid or already used code",
    )
    .await;
    // Nor does the confirmation's code (an older step) work.
    let older = json!({ "code": code_at(&erin.secret, now().saturating_sub(30)) });
    let older = app.post_bearer("/mfa/verify", second, Some(&older)).await;
    assert_eq!(older.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn five_wrong_codes_lock_the_account_out_of_codes_for_a_while() {
    let app = TestApp::spawn().await;
    let frank = enrolled(&app, "frank").await;
    let right = code_at(&frank.secret, now() + 30);
    let wrong = json!({ "code": other_than(&right) });
    // Across sign-ins: the count is the account's, not the session's.
    for attempt in 0..5 {
        let session = app.sign_in("frank").await;
        let first = session["access_token"].as_str().unwrap();
        let refused = app.post_bearer("/mfa/verify", first, Some(&wrong)).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "attempt {attempt}");
    }
    let session = app.sign_in("frank").await;
    let first = session["access_token"].as_str().unwrap();
    let locked = app
        .post_bearer("/mfa/verify", first, Some(&json!({ "code": right })))
        .await;
    let retry_after: u64 = locked.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let recovery = json!({ "recovery_code": frank.recovery_codes[0] });
    let locked = app.post_bearer("/mfa/verify", first, Some(&recovery)).await;
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "recovery codes too"
    );
}

#[tokio::test]
async fn concurrent_wrong_codes_cannot_beat_the_limit() {
    let app = TestApp::spawn().await;
    let gina = enrolled(&app, "gina").await;
    let right = code_at(&gina.secret, now() + 30);
    let wrong = json!({ "code": other_than(&right) });
    let session = app.sign_in("gina").await;
    let first = session["access_token"].as_str().unwrap();
    let burst = (0..20).map(|_| app.post_bearer("/mfa/verify", first, Some(&wrong)));
    let statuses: Vec<StatusCode> = futures::future::join_all(burst)
        .await
        .iter()
        .map(|response| response.status())
        .collect();
    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::FORBIDDEN)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Exactly five are counted; other limits may refuse some sooner.
    assert!((1..=5).contains(&checked), "{statuses:?}");
    assert_eq!(checked + refused, 20, "{statuses:?}");
    let locked = app
        .post_bearer("/mfa/verify", first, Some(&json!({ "code": right })))
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
}
