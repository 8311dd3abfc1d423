//! Another service's `RemoteUser` refuses a first-step token as Tessera does.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_insufficient, claims, code_at, enrolled, json_of, PENDING};
use crate::helpers::{now, TestApp};
use crate::remote_user::service;
use crate::verifier::verifier_for;

#[tokio::test]
async fn remote_services_refuse_the_first_step_and_accept_the_second() {
    let app = TestApp::spawn_listening(&[
        "--public-url",
        "https://auth.example",
        "--signing-alg",
        "ES256",
    ])
    .await;
    let grace = enrolled(&app, "grace").await;
    let url = service(verifier_for(&app, None)).await;
    let client = crate::helpers::test_client();

    let first = app.sign_in("grace").await;
    let first = first["access_token"].as_str().unwrap();
    let orders = client.get(format!("{url}/orders")).bearer_auth(first);
    assert_insufficient(orders.send().await.unwrap(), PENDING).await;

    let body = json!({ "code": code_at(&grace.secret, now() + 30) });
    let (status, second) = json_of(app.post_bearer("/mfa/verify", first, Some(&body)).await).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["acr"], "2");
    let orders = client.get(format!("{url}/orders")).bearer_auth(access);
    assert_eq!(orders.send().await.unwrap().status(), StatusCode::OK);
}
