//! What a mailed link may hand over: reset links go only to verified
//! addresses, a new address or password voids the links sent before, setting
//! an address is limited like any mail, and a reset refused for a busy hasher
//! leaves its link working.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::email::{app_with_sink, register_with_email};
use crate::helpers::{assert_error, credentials, now, TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;

const NEW_PASSWORD: &str = "a brand new password";
const USED_OR_UNKNOWN: &str = "This link was already used or is not valid; ask for a new one";

/// Registers `username` with `email` and opens the mailed verification link.
pub(crate) async fn register_verified(app: &TestApp, sink: &SmtpSink, username: &str, email: &str) {
    register_with_email(app, username, email).await;
    let mail = sink.wait_for(email, 1).await;
    let verified = app
        .post_json("/email/verify", &json!({ "token": mail.token() }))
        .await;
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);
}

async fn forgot(app: &TestApp, body: &Value) {
    let response = app.post_json("/password/forgot", body).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

async fn reset(app: &TestApp, token: &str) -> reqwest::Response {
    let body = json!({ "token": token, "new_password": NEW_PASSWORD });
    app.post_json("/password/reset", &body).await
}

async fn set_email(app: &TestApp, token: &str, email: &str) -> reqwest::Response {
    app.http()
        .request(reqwest::Method::PUT, app.url("/me/email"))
        .bearer_auth(token)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn reset_links_go_only_to_verified_addresses() {
    let (app, sink) = app_with_sink(&[]).await;
    // Anyone can type an address they do not own at sign-up.
    register_with_email(&app, "mallory", "victim@example.org").await;
    sink.wait_for("victim@example.org", 1).await; // the verification link
    forgot(&app, &json!({ "email": "victim@example.org" })).await;
    // Asked after, and mailed: once it is here, the ask above is done.
    register_verified(&app, &sink, "olivia", "olivia@example.org").await;
    forgot(&app, &json!({ "username": "olivia" })).await;
    sink.wait_for("olivia@example.org", 2).await;
    let to_victim = sink
        .messages()
        .into_iter()
        .filter(|mail| mail.to == "victim@example.org")
        .count();
    assert_eq!(to_victim, 1, "a reset link went to an unverified address");
}

/// An app with `username`, verified at `email`, who asked for a reset link:
/// the app, the link's token and a fresh access token.
async fn with_reset_link(username: &str, email: &str) -> (TestApp, String, String) {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, username, email).await;
    forgot(&app, &json!({ "username": username })).await;
    let link = sink.wait_for(email, 2).await.token();
    let access = app.token_for(username).await;
    (app, link, access)
}

/// The reset link `token` no longer works.
async fn assert_void(app: &TestApp, token: &str) {
    let refused = reset(app, token).await;
    assert_error(refused, StatusCode::BAD_REQUEST, USED_OR_UNKNOWN).await;
}

#[tokio::test]
async fn a_new_address_voids_the_reset_link_sent_to_the_old_one() {
    let (app, link, access) = with_reset_link("peggy", "peggy@old.example").await;
    let changed = set_email(&app, &access, "peggy@new.example").await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_void(&app, &link).await;
}

#[tokio::test]
async fn a_new_password_voids_the_reset_link_sent_before() {
    let (app, link, access) = with_reset_link("quentin", "quentin@example.org").await;
    let change = json!({ "current_password": PASSWORD, "new_password": "another long password" });
    let changed = app.post_bearer("/password", &access, Some(&change)).await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_void(&app, &link).await;
}

#[tokio::test]
async fn a_reset_link_works_only_while_its_address_is_the_users() {
    let (app, sink) = app_with_sink(&[]).await;
    register_verified(&app, &sink, "trent", "trent@old.example").await;
    let db = app.db().await;
    let user = db.user_id("trent").await;
    // A forgot request read the user just before the address changed (and
    // was verified), and stores its link just after: the change voided
    // the links before it, not this one.
    db.set_verified_email(user, "trent@new.example", now())
        .await;
    let token = format!("{}.{}", user, "A".repeat(43));
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    db.put_reset_link(user, &hash, "trent@old.example", now() + 600)
        .await;
    db.close().await;
    assert_void(&app, &token).await;
}

#[tokio::test]
async fn setting_an_address_is_limited_like_any_mail() {
    let app = TestApp::spawn_with(&["--rate-limit-mail", "2/h"]).await;
    app.register("rupert").await;
    let access = app.token_for("rupert").await;
    for email in ["r1@example.org", "r2@example.org"] {
        assert_eq!(
            set_email(&app, &access, email).await.status(),
            StatusCode::OK
        );
    }
    let limited = set_email(&app, &access, "r3@example.org").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn asking_for_a_taken_address_uses_up_no_budget() {
    let app = TestApp::spawn_with(&["--rate-limit-mail", "1/h"]).await;
    register_with_email(&app, "ursula", "ursula@example.org").await;
    app.register("victor").await;
    let access = app.token_for("victor").await;
    for _ in 0..3 {
        let taken = set_email(&app, &access, "ursula@example.org").await;
        assert_eq!(taken.status(), StatusCode::CONFLICT);
    }
    // Neither victor's budget nor the address's forgot-password one is spent.
    let own = set_email(&app, &access, "victor@example.org").await;
    assert_eq!(own.status(), StatusCode::OK);
    forgot(&app, &json!({ "email": "ursula@example.org" })).await;
}

/// Signs `username` in over and over until `stop`, keeping the one hasher busy.
fn keep_hasher_busy(
    app: &Arc<TestApp>,
    username: &str,
    stop: &Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    let (app, stop, body) = (
        Arc::clone(app),
        Arc::clone(stop),
        credentials(username, PASSWORD),
    );
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            app.post_json("/auth", &body).await;
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_refused_for_a_busy_hasher_leaves_its_link_working() {
    // One hasher and no queue: a reset that finds it busy gets 503 at once.
    let (app, sink) = app_with_sink(&["--hash-concurrency", "1", "--hash-queue", "0"]).await;
    register_verified(&app, &sink, "sybil", "sybil@example.org").await;
    app.register("busy").await;
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let storm: Vec<_> = (0..4)
        .map(|_| keep_hasher_busy(&app, "busy", &stop))
        .collect();

    // Until a reset meets the busy hasher; one that got through used its
    // link, so the next try needs a new one.
    let mut mails = 1;
    let link = loop {
        assert!(
            mails < 100,
            "the hasher was never busy; is the storm running?"
        );
        forgot(&app, &json!({ "username": "sybil" })).await;
        mails += 1;
        let link = sink.wait_for("sybil@example.org", mails).await.token();
        let status = reset(&app, &link).await.status();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            break link;
        }
        assert_eq!(status, StatusCode::NO_CONTENT);
        mails += 1; // the "password was reset" notice
        sink.wait_for("sybil@example.org", mails).await;
    };
    stop.store(true, Ordering::Relaxed);
    for task in storm {
        task.await.unwrap();
    }
    assert_eq!(reset(&app, &link).await.status(), StatusCode::NO_CONTENT);
}
