//! The app's own claims in access tokens (`TesseraBuilder::claims`): at sign-in
//! and every refresh, with the app's users or the built-in ones, read back
//! typed; Tessera's own claims cannot be overridden.

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tessera::{Identity, TesseraBuilder};

use super::{pair, payload, refresh, AppUsers};
use crate::helpers::{assert_error, credentials, TestApp, PASSWORD};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Tenant {
    tenant: String,
    plan: String,
}

fn tenant_of(user: &Identity) -> Tenant {
    let plan = if user.roles.is_empty() {
        "free"
    } else {
        "gold"
    };
    Tenant {
        tenant: format!("tenant-of-{}", user.username),
        plan: plan.to_owned(),
    }
}

#[tokio::test]
async fn the_apps_claims_are_in_every_access_token() {
    let users = AppUsers::with(&["user1"]);
    let hook = users.clone();
    let build = move |tessera: TesseraBuilder| tessera.users(hook).claims(tenant_of);
    let app = TestApp::spawn_built(&[], build).await;
    let (access, token) = pair(
        app.post_json("/auth", &credentials("user1", PASSWORD))
            .await,
    )
    .await;
    let claims = app
        .tessera()
        .tokens()
        .verify_access::<Tenant>(&access)
        .unwrap();
    assert_eq!(claims.username, "user1");
    assert_eq!(claims.extra.tenant, "tenant-of-user1");
    assert_eq!(claims.extra.plan, "free");

    users.change("user1", |row| row.roles = vec!["staff".to_owned()]);
    let (access, _) = pair(refresh(&app, &token).await).await;
    let claims = app.tessera().tokens().verify_access::<Tenant>(&access);
    assert_eq!(
        claims.unwrap().extra.plan,
        "gold",
        "computed again at refresh"
    );
}

#[tokio::test]
async fn the_built_in_users_get_the_apps_claims_too() {
    let app = TestApp::spawn_built(&[], |tessera| tessera.claims(tenant_of)).await;
    app.register("alice").await;
    let body: Value = app.sign_in("alice").await;
    let claims = payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["tenant"], "tenant-of-alice");
    let (access, _) = pair(refresh(&app, body["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(payload(&access)["tenant"], "tenant-of-alice");
}

#[tokio::test]
async fn claims_that_would_override_tesseras_own_are_refused() {
    for reserved in [
        "sub", "username", "roles", "sid", "fresh", "exp", "jti", "amr",
    ] {
        let build = move |tessera: TesseraBuilder| {
            tessera.claims(move |_: &Identity| json!({ reserved: "mine", "plan": "gold" }))
        };
        let app = TestApp::spawn_built(&[], build).await;
        app.register("alice").await;
        for path in ["/auth", "/login"] {
            let refused = app.post_json(path, &credentials("alice", PASSWORD)).await;
            assert_error(
                refused,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
            )
            .await;
        }
    }
    // Not an object: nowhere to put it.
    let app = TestApp::spawn_built(&[], |tessera| tessera.claims(|_: &Identity| 7)).await;
    app.register("alice").await;
    let refused = app
        .post_json("/auth", &credentials("alice", PASSWORD))
        .await;
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
