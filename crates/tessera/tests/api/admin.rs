//! `DELETE /admin/users/{username}`: a destructive action, so it needs a fresh
//! token, and it never leaves the service without an administrator.

use futures::future::join;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, assert_token_refused, TestApp};

const LIMITS_OFF: [&str; 4] = ["--rate-limit", "off", "--rate-limit-user", "off"];

async fn delete(app: &TestApp, token: &str, username: &str) -> Response {
    app.http()
        .delete(app.url(&format!("/admin/users/{username}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn text(body: &Value, field: &str) -> String {
    body[field].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_admin_cannot_delete_their_own_account() {
    let app = TestApp::spawn_with(&LIMITS_OFF).await;
    app.create_user("root", &["admin"]).await;
    let token = app.token_for("root").await;
    for spelling in ["root", "ROOT"] {
        assert_error(
            delete(&app, &token, spelling).await,
            StatusCode::CONFLICT,
            "You cannot delete your own account",
        )
        .await;
    }
    assert_eq!(
        app.get_bearer("/me", &token).await.status(),
        StatusCode::OK,
        "the account is still there"
    );
}

#[tokio::test]
async fn the_last_admin_is_never_deleted() {
    let app = TestApp::spawn_with(&LIMITS_OFF).await;
    app.create_user("root", &["admin"]).await;
    app.create_user("ops", &["admin"]).await;
    let root = app.token_for("root").await;
    let ops = app.token_for("ops").await;
    // Two administrators deleting each other at once: one of them stays.
    let (one, other) = join(delete(&app, &root, "ops"), delete(&app, &ops, "root")).await;
    let statuses = [one.status(), other.status()];
    assert!(
        statuses.contains(&StatusCode::NO_CONTENT)
            && statuses.iter().all(|status| matches!(
                *status,
                StatusCode::NO_CONTENT | StatusCode::CONFLICT | StatusCode::UNAUTHORIZED
            )),
        "{statuses:?}"
    );
    let accounts = app.accounts().await;
    let admins: Vec<String> = accounts
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter(|user| user.roles.iter().any(|role| role == "admin"))
        .map(|user| user.username)
        .collect();
    accounts.close().await;
    assert_eq!(admins.len(), 1, "{admins:?}");
    // The store's rule (tested there on both engines) keeps the race above
    // from deleting both: the last administrator is never deleted.
}

#[tokio::test]
async fn deleting_needs_a_fresh_token() {
    let app = TestApp::spawn_with(&LIMITS_OFF).await;
    app.create_user("root", &["admin"]).await;
    app.register("mallory").await;
    let signed_in = app.sign_in("root").await;
    let refreshed: Value = app
        .post_json(
            "/refresh",
            &json!({ "refresh_token": text(&signed_in, "refresh_token") }),
        )
        .await
        .json()
        .await
        .unwrap();
    let stale = text(&refreshed, "access_token");
    assert_token_refused(
        delete(&app, &stale, "mallory").await,
        "Fresh sign-in required: sign in with your password again",
    )
    .await;
    // Listing is not destructive: a refreshed token still does.
    assert_eq!(
        app.get_bearer("/admin/users", &stale).await.status(),
        StatusCode::OK
    );
    let fresh = text(&signed_in, "access_token");
    assert_eq!(
        delete(&app, &fresh, "mallory").await.status(),
        StatusCode::NO_CONTENT
    );
    // Without the role, freshness does not help.
    app.register("trent").await;
    let trent = app.token_for("trent").await;
    assert_error(
        delete(&app, &trent, "root").await,
        StatusCode::FORBIDDEN,
        "Requires the 'admin' role",
    )
    .await;
}
