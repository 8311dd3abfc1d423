//! Password reset by mail: `POST /password/forgot` answers the same whether
//! or not the account exists, the link works once and for 30 minutes, and
//! `POST /password/reset` ends every session of the user.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::account_links::register_verified;
use crate::email::app_with_sink;
use crate::helpers::{assert_error, assert_token_refused, credentials, median, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a brand new password";
const FORGOT_ANSWER: &str =
    "If an account matches, a link to reset its password was sent to its email address";

async fn forgot(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let response = app.post_json("/password/forgot", body).await;
    (response.status(), response.json().await.unwrap())
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> reqwest::Response {
    app.post_json(
        "/password/reset",
        &json!({ "token": token, "new_password": new_password }),
    )
    .await
}

#[tokio::test]
async fn a_reset_link_sets_the_password_and_ends_every_session() {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, "alice", "alice@example.org").await;
    let session = app.sign_in("alice").await;
    let access = session["access_token"].as_str().unwrap().to_owned();
    let refresh = session["refresh_token"].as_str().unwrap().to_owned();

    let (status, body) = forgot(&app, &json!({ "email": "ALICE@example.org" })).await;
    assert_eq!(
        (status, body),
        (StatusCode::ACCEPTED, json!({ "msg": FORGOT_ANSWER }))
    );
    let mail = sink.wait_for("alice@example.org", 2).await;
    assert_eq!(mail.subject, "Acme: Reset your password");
    assert!(
        mail.link()
            .starts_with("https://app.example/reset-password#token="),
        "{}",
        mail.link()
    );

    // A password outside the rules leaves the link working.
    let short = reset(&app, &mail.token(), "short").await;
    assert_error(
        short,
        StatusCode::BAD_REQUEST,
        "Password must be at least 8 bytes long",
    )
    .await;
    let response = reset(&app, &mail.token(), NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Every session ended, access tokens included.
    assert_token_refused(
        app.get_bearer("/me", &access).await,
        "Token has been revoked",
    )
    .await;
    let refreshed = app
        .post_json("/refresh", &json!({ "refresh_token": refresh }))
        .await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    let old = app
        .post_json("/auth", &credentials("alice", PASSWORD))
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .post_json("/auth", &credentials("alice", NEW_PASSWORD))
        .await;
    assert_eq!(new.status(), StatusCode::OK);

    let notice = sink.wait_for("alice@example.org", 3).await;
    assert_eq!(notice.subject, "Acme: Your password was reset");
    // The link worked once.
    let again = reset(&app, &mail.token(), "yet another password").await;
    assert_error(
        again,
        StatusCode::BAD_REQUEST,
        "This link was already used or is not valid; ask for a new one",
    )
    .await;
}

#[tokio::test]
async fn a_username_works_too_and_a_newer_link_replaces_the_older() {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, "bob", "bob@example.org").await;
    assert_eq!(
        forgot(&app, &json!({ "username": "BOB" })).await.0,
        StatusCode::ACCEPTED
    );
    let first = sink.wait_for("bob@example.org", 2).await;
    assert_eq!(
        forgot(&app, &json!({ "username": "bob" })).await.0,
        StatusCode::ACCEPTED
    );
    let second = sink.wait_for("bob@example.org", 3).await;
    let old = reset(&app, &first.token(), NEW_PASSWORD).await;
    assert_error(
        old,
        StatusCode::BAD_REQUEST,
        "This link was replaced by a newer one; use the newest message",
    )
    .await;
    assert_eq!(
        reset(&app, &second.token(), NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn unknown_accounts_get_the_same_answer_and_no_mail() {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, "carol", "carol@example.org").await;
    let known = forgot(&app, &json!({ "email": "carol@example.org" })).await;
    for body in [
        json!({ "email": "nobody@example.org" }),
        json!({ "email": "not an address" }),
        json!({ "username": "nobody" }),
    ] {
        assert_eq!(forgot(&app, &body).await, known, "{body}");
    }
    // The asks for nobody were answered before the one for carol was sent:
    // once carol's link is here, nothing else is on its way.
    assert_eq!(
        forgot(&app, &json!({ "email": "carol@example.org" })).await,
        known
    );
    sink.wait_for("carol@example.org", 3).await;
    let recipients: Vec<String> = sink.messages().into_iter().map(|m| m.to).collect();
    assert_eq!(recipients, ["carol@example.org"; 3]);

    let (status, body) = forgot(&app, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["msg"], "Missing email or username parameter");
}

#[tokio::test]
async fn forgot_is_rate_limited_per_address_named() {
    let app = TestApp::spawn_with(&["--rate-limit-mail", "2/h"]).await;
    for _ in 0..2 {
        let status = forgot(&app, &json!({ "email": "someone@example.org" }))
            .await
            .0;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, _) = forgot(&app, &json!({ "email": "Someone@example.org" })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is another budget.
    assert_eq!(
        forgot(&app, &json!({ "email": "other@example.org" }))
            .await
            .0,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn forged_reset_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.register("dave").await;
    let response = reset(
        &app,
        "1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        NEW_PASSWORD,
    )
    .await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "This link was already used or is not valid; ask for a new one",
    )
    .await;
    let response = reset(&app, "garbage", NEW_PASSWORD).await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "This link is not valid; check that it was copied whole",
    )
    .await;
}

/// The median of `runs` answers to `body`.
async fn median_answer(app: &TestApp, body: &Value, runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let (status, _) = forgot(app, body).await;
        times.push(started.elapsed());
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    median(times)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow tier: measures answer times"]
async fn forgot_takes_as_long_for_accounts_that_do_not_exist() {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, "erin", "erin@example.org").await;
    let existing = json!({ "email": "erin@example.org" });
    let missing = json!({ "email": "nobody@example.org" });
    // Interleaved rounds, so a busy moment of the machine hits both alike.
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        with.push(median_answer(&app, &existing, 20).await);
        without.push(median_answer(&app, &missing, 20).await);
    }
    with.sort();
    without.sort();
    let (with, without) = (with[2], without[2]);
    eprintln!("POST /password/forgot median answer: account {with:?}, no account {without:?}");
    // The look-up and the mail happen after the answer: both answers are the
    // same work. Generous bound: a few milliseconds either way on a busy machine.
    let gap = with.abs_diff(without);
    assert!(
        gap < Duration::from_millis(20) || gap < with.max(without) / 2,
        "account {with:?}, no account {without:?}"
    );
}
