//! Enrol at one instance, complete a sign-in at another: the secret, the
//! used steps and the first-step session are in the shared database.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{claims, code_at, json_of};
use crate::helpers::{credentials, now, PASSWORD};
use crate::instances::Cluster;
use crate::process::RunningServer;

async fn post(
    server: &RunningServer,
    path: &str,
    token: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let client = crate::helpers::test_client();
    let response = client
        .post(format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    json_of(response).await
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn enrol_at_one_instance_and_verify_at_another() {
    let cluster = Cluster::start(&[]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    let (status, _) = json_of(a.post("/register", &credentials("alice", PASSWORD)).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, session) = json_of(a.post("/auth", &credentials("alice", PASSWORD)).await).await;
    let access = session["access_token"].as_str().unwrap();
    let (status, enrollment) = post(a, "/mfa/totp", access, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{enrollment}");
    let secret = enrollment["secret"].as_str().unwrap();
    let code = json!({ "code": code_at(secret, now()) });
    let (status, _) = post(b, "/mfa/totp/confirm", access, &code).await;
    assert_eq!(status, StatusCode::OK, "B opens the secret A sealed");

    let (_, first) = json_of(a.post("/auth", &credentials("alice", PASSWORD)).await).await;
    let first = first["access_token"].as_str().unwrap();
    assert_eq!(claims(first)["acr"], "0");
    let replayed = post(b, "/mfa/verify", first, &code).await.0;
    assert_eq!(
        replayed,
        StatusCode::FORBIDDEN,
        "B knows the step A accepted"
    );
    let next = json!({ "code": code_at(secret, now() + 30) });
    let (status, second) = post(b, "/mfa/verify", first, &next).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["acr"], "2");
    assert_eq!(
        a.get_bearer("/protected", access).await.status(),
        StatusCode::OK
    );
}
