//! A password sign-in racing the confirmation of the user's TOTP, forced
//! into the order that once left it a password-only session: its second
//! factor read before the confirmation, its session created after the
//! confirmation ended the others (Postgres, where the two interleave).

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, PgConnection};

use super::{assert_insufficient, claims, code_at, json_of, PENDING};
use crate::database::{backend_pid, until_blocked_or_done, wants_postgres, TestSchema};
use crate::helpers::{credentials, now, TestApp, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_racing_the_confirmation_ends_a_first_step() {
    // Postgres on both tiers: on SQLite nothing interleaves.
    let own = TestSchema::create().await;
    // The held sign-in waits as long as the test needs, however busy the machine.
    let own_url = own.url();
    let mut flags = vec!["--db-timeout", "5min"];
    if !wants_postgres() {
        flags.extend(["--database-url", own_url.as_str()]);
    }
    let app = TestApp::spawn_with(&flags).await;
    let url = app.postgres_url().unwrap_or_else(|| own.url());
    app.register("alice").await;
    let access = app.token_for("alice").await;
    let (status, enrollment) = json_of(app.post_bearer("/mfa/totp", &access, None).await).await;
    assert_eq!(status, StatusCode::OK, "{enrollment}");
    let secret = enrollment["secret"].as_str().unwrap().to_owned();

    // The user's row held (against the sign-in's FOR SHARE, not against the
    // key-share locks of the rows the confirmation inserts), so a sign-in
    // stops just before its session exists.
    let mut holder = PgConnection::connect(&url).await.unwrap();
    let holder_pid = backend_pid(&mut holder).await;
    let mut held = holder.begin().await.unwrap();
    sqlx::query("SELECT id FROM users WHERE username = 'alice' FOR NO KEY UPDATE")
        .execute(&mut *held)
        .await
        .unwrap();
    let app = Arc::new(app);
    let signing_in = tokio::spawn({
        let app = Arc::clone(&app);
        async move {
            app.post_json("/auth", &credentials("alice", PASSWORD))
                .await
        }
    });
    until_blocked_or_done(&url, holder_pid, "INSERT INTO sessions", &signing_in).await;

    // TOTP confirmed, the other sessions ended: then the sign-in goes on.
    let code = json!({ "code": code_at(&secret, now()) });
    let confirmed = app
        .post_bearer("/mfa/totp/confirm", &access, Some(&code))
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    held.rollback().await.unwrap();

    let (status, session) = json_of(signing_in.await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let token = session["access_token"].as_str().unwrap();
    assert_eq!(
        claims(token)["acr"],
        "0",
        "a password-only session outlived the confirmation"
    );
    assert_insufficient(app.get_bearer("/protected", token).await, PENDING).await;
}
