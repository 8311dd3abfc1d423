//! A ceremony begun at one instance finishes at another: its state is in the
//! shared database, and taken once there.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::authenticator::SoftPasskey;
use super::ORIGIN;
use crate::helpers::{credentials, PASSWORD};
use crate::instances::Cluster;
use crate::mfa::{claims, json_of};
use crate::process::RunningServer;

async fn post(
    server: &RunningServer,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let client = crate::helpers::test_client();
    let mut request = client.post(format!("{}{path}", server.base)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    json_of(request.send().await.unwrap()).await
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn register_and_sign_in_across_instances() {
    let cluster = Cluster::start(&["--public-url", ORIGIN]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    let (status, _) = json_of(a.post("/register", &credentials("alice", PASSWORD)).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, session) = json_of(a.post("/auth", &credentials("alice", PASSWORD)).await).await;
    let access = session["access_token"].as_str().unwrap();

    let mut key = SoftPasskey::new(ORIGIN);
    let (status, challenge) = post(a, "/passkeys/options", Some(access), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let body = json!({
        "ceremony": challenge["ceremony"],
        "name": "Laptop",
        "credential": key.register(&challenge["options"]),
    });
    let (status, added) = post(b, "/passkeys", Some(access), &body).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "B finishes what A began: {added}"
    );

    let (_, challenge) = post(b, "/passkeys/sign-in/options", None, &json!({})).await;
    let body = json!({
        "ceremony": challenge["ceremony"],
        "credential": key.assert(&challenge["options"]),
    });
    let (status, tokens) = post(a, "/passkeys/sign-in", None, &body).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        claims(tokens["access_token"].as_str().unwrap())["amr"],
        json!(["hwk", "user"])
    );
    let (status, again) = post(b, "/passkeys/sign-in", None, &body).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "A took the ceremony: {again}"
    );
}
