//! The same properties over a real server: every `Authorization` value and every
//! refresh token gets 200 or 401 (never another status; only an empty refresh
//! token is a 400, a missing parameter), and exactly the answer the library's own
//! parsing and checking predict for it.

use std::cell::Cell;

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use reqwest::header::WWW_AUTHENTICATE;
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use super::edits::{apply, edit, Edit};
use crate::helpers::TestApp;
use tessera::bearer_token;
use tessera::{JwtSecret, NoExtraClaims, TokenService, TokenSettings};

/// Modest: each case is a request, and the suite must stay quick.
fn config() -> Config {
    Config {
        cases: 96,
        // A manual runner has no source file to keep regressions beside.
        failure_persistence: None,
        ..Config::default()
    }
}

/// A server with user alice signed in once; proptest's runner is synchronous,
/// so requests run on a runtime of their own through `block_on`.
struct Signed {
    app: TestApp,
    oracle: TokenService,
    access: String,
    refresh: String,
    runtime: Runtime,
}

fn signed_in() -> Signed {
    let runtime = Runtime::new().unwrap();
    // A long grace: a refresh token that verifies must get 200 however often it
    // comes back within the test (a repeat gets the pair the first use got). All
    // requests come from one address, so the per-address limit is off.
    let flags = ["--refresh-grace", "60s", "--rate-limit", "off"];
    let app = runtime.block_on(TestApp::spawn_with(&flags));
    let body = runtime.block_on(async {
        app.create_user("alice", &[]).await;
        app.sign_in("alice").await
    });
    let secret = JwtSecret::new(app.secret.clone()).unwrap();
    Signed {
        oracle: TokenService::new(&secret, TokenSettings::default()),
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        app,
        runtime,
    }
}

/// Up to two edits; none leaves the token valid, so both answers get exercised.
fn edited() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 0..3)
}

/// 401 with a challenge and a `{"msg"}` body.
async fn assert_refusal(response: reqwest::Response) {
    assert!(response.headers().contains_key(WWW_AUTHENTICATE));
    let body: Value = response.json().await.unwrap();
    assert!(
        body["msg"].as_str().is_some_and(|msg| !msg.is_empty()),
        "{body}"
    );
}

#[test]
fn every_authorization_value_gets_200_or_401_as_predicted() {
    let signed = signed_in();
    let (app, kid) = (&signed.app, signed.app.kid());
    let schemes = select(
        &[
            "Bearer ", "JWT ", "bearer  ", "Bearer\t", " jwt ", "Basic ", "", "Bearer",
        ][..],
    );
    let seen = Cell::new((0, 0));
    let mut runner = TestRunner::new(config());
    runner
        .run(&(schemes, edited()), |(scheme, edits)| {
            let token = edits.iter().fold(signed.access.clone(), |token, e| {
                apply(&token, &signed.refresh, &kid, e)
            });
            // Bytes a header may not carry at all are out of scope: the client refuses them.
            let value: Vec<u8> = format!("{scheme}{token}")
                .bytes()
                .map(|b| {
                    if (b < 0x20 && b != b'\t') || b == 0x7f {
                        b'~'
                    } else {
                        b
                    }
                })
                .collect();
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_bytes(&value).unwrap());
            let predicted = bearer_token(&headers)
                .and_then(|token| signed.oracle.verify_access::<NoExtraClaims>(token))
                .is_ok_and(|claims| claims.sub.parse::<i64>().is_ok());
            signed.runtime.block_on(async {
                let response = app.get_authorized("/protected", &value).await;
                let status = response.status();
                if predicted {
                    seen.set((seen.get().0 + 1, seen.get().1));
                    assert_eq!(status, StatusCode::OK, "{value:?}");
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body, json!({ "hello_from": "alice", "data": [1, 2, 3] }));
                } else {
                    seen.set((seen.get().0, seen.get().1 + 1));
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{value:?}");
                    assert_refusal(response).await;
                }
            });
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = seen.get();
    assert!(
        accepted > 0 && refused > 0,
        "both answers exercised: {accepted}, {refused}"
    );
}

#[test]
fn every_refresh_token_gets_200_or_401_as_predicted() {
    let signed = signed_in();
    let (app, kid) = (&signed.app, signed.app.kid());
    let seen = Cell::new((0, 0));
    let mut runner = TestRunner::new(config());
    runner
        .run(&edited(), |edits| {
            let token = edits.iter().fold(signed.refresh.clone(), |token, e| {
                apply(&token, &signed.access, &kid, e)
            });
            let predicted = signed.oracle.verify_refresh(&token);
            signed.runtime.block_on(async {
                let response = app
                    .post_json("/refresh", &json!({ "refresh_token": token }))
                    .await;
                let status = response.status();
                match predicted {
                    _ if token.is_empty() => assert_eq!(status, StatusCode::BAD_REQUEST),
                    Ok(claims) => {
                        seen.set((seen.get().0 + 1, seen.get().1));
                        assert_eq!(status, StatusCode::OK, "{token:?}");
                        let body: Value = response.json().await.unwrap();
                        let access = body["access_token"].as_str().unwrap();
                        let next = signed
                            .oracle
                            .verify_access::<NoExtraClaims>(access)
                            .unwrap();
                        assert_eq!((next.sub, next.sid), (claims.sub, claims.sid));
                    }
                    Err(_) => {
                        seen.set((seen.get().0, seen.get().1 + 1));
                        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
                        assert_refusal(response).await;
                    }
                }
            });
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = seen.get();
    assert!(
        accepted > 0 && refused > 0,
        "both answers exercised: {accepted}, {refused}"
    );
}
