//! Abuse limits: rate limits, the bounded password queue, deadlines, headers and CORS.

use futures::future::join_all;
use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_error, credentials, TestApp, PASSWORD};

async fn assert_limited(response: reqwest::Response) {
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .starts_with("Too many requests; retry in"),
        "{body}"
    );
}

#[tokio::test]
async fn sign_in_routes_are_limited_per_client_address() {
    let app = TestApp::spawn_with(&["--rate-limit", "3/min", "--rate-limit-user", "off"]).await;
    // One budget for all the limited routes.
    assert_eq!(
        app.post_json("/auth", &credentials("x", "wrong password"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_json("/login", &credentials("x", "wrong password"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_json("/refresh", &serde_json::json!({}))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_limited(
        app.post_json("/register", &credentials("someone", PASSWORD))
            .await,
    )
    .await;
    // Routes that take no password are not limited.
    for _ in 0..5 {
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn the_two_step_status_is_read_outside_the_limit_and_its_changes_inside() {
    let app = TestApp::spawn_with(&["--rate-limit", "2/min", "--rate-limit-user", "off"]).await;
    app.register("gus").await;
    let signed_in = app.sign_in("gus").await;
    let access = signed_in["access_token"].as_str().unwrap();
    // An account page reads the status on every load.
    for _ in 0..5 {
        let status = app.get_bearer("/mfa/totp", access).await;
        assert_eq!(status.status(), StatusCode::OK);
    }
    assert_limited(app.post_bearer("/mfa/totp", access, None).await).await;
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_username() {
    let app = TestApp::spawn_with(&["--rate-limit", "off", "--rate-limit-user", "2/min"]).await;
    app.register("alice").await;
    for _ in 0..2 {
        let response = app
            .post_json("/auth", &credentials("ALICE", "wrong password"))
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_limited(
        app.post_json("/auth", &credentials("alice", PASSWORD))
            .await,
    )
    .await;
    assert_eq!(
        app.post_json("/auth", &credentials("bob", "wrong password"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = TestApp::spawn_with(&["--rate-limit", "1/min", "--trusted-proxy", "127.0.0.1"]).await;
    let client = app.http();
    let attempt = |forwarded: &'static str| {
        client
            .post(app.url("/auth"))
            .header("x-forwarded-for", forwarded)
            .json(&credentials("x", "wrong password"))
            .send()
    };
    assert_eq!(
        attempt("203.0.113.1").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_limited(attempt("203.0.113.1").await.unwrap()).await;
    assert_eq!(
        attempt("203.0.113.2").await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "another client"
    );

    // Without the trust, the header is ignored and the socket address counts.
    let strict = TestApp::spawn_with(&["--rate-limit", "1/min"]).await;
    let first = strict
        .http()
        .post(strict.url("/auth"))
        .header("x-forwarded-for", "203.0.113.3")
        .json(&credentials("x", "y"))
        .send();
    assert_eq!(first.await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let spoofed = strict
        .http()
        .post(strict.url("/auth"))
        .header("x-forwarded-for", "203.0.113.4")
        .json(&credentials("x", "y"))
        .send();
    assert_limited(spoofed.await.unwrap()).await;
}

/// A proxy that appends its own `X-Forwarded-For` line (HAProxy's `option
/// forwardfor`) leaves the client's line first: the client cannot pick its key.
#[tokio::test]
async fn a_client_cannot_choose_its_address_with_a_forwarded_for_line_of_its_own() {
    let flags = ["--rate-limit", "1/min", "--rate-limit-user", "off"];
    let app = TestApp::spawn_with(&[&flags[..], &["--trusted-proxy", "127.0.0.1"]].concat()).await;
    let client = app.http();
    let attempt = |spoofed: &'static str| {
        client
            .post(app.url("/auth"))
            // `header` appends: two lines, the client's first, the proxy's last.
            .header("x-forwarded-for", spoofed)
            .header("x-forwarded-for", "203.0.113.9")
            .json(&credentials("x", "wrong password"))
            .send()
    };
    assert_eq!(
        attempt("198.51.100.1").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_limited(attempt("198.51.100.2").await.unwrap()).await;
}

/// An IPv6 host owns a whole /64: every address in it is one client.
#[tokio::test]
async fn ipv6_clients_are_limited_by_their_64() {
    let flags = ["--rate-limit", "1/min", "--rate-limit-user", "off"];
    let app = TestApp::spawn_with(&[&flags[..], &["--trusted-proxy", "127.0.0.1"]].concat()).await;
    let client = app.http();
    let attempt = |forwarded: &'static str| {
        client
            .post(app.url("/auth"))
            .header("x-forwarded-for", forwarded)
            .json(&credentials("x", "wrong password"))
            .send()
    };
    let refused = StatusCode::UNAUTHORIZED;
    assert_eq!(attempt("2001:db8:1:2::1").await.unwrap().status(), refused);
    assert_limited(attempt("2001:db8:1:2:ffff::9").await.unwrap()).await;
    assert_eq!(
        attempt("2001:db8:1:3::1").await.unwrap().status(),
        refused,
        "another /64"
    );
    assert_eq!(
        attempt("::ffff:203.0.113.1").await.unwrap().status(),
        refused
    );
    assert_limited(attempt("203.0.113.1").await.unwrap()).await;
}

/// A flood of sign-ins beyond the hashers and their queue is turned away at
/// once with 503, while token checks keep answering.
#[tokio::test]
async fn a_sign_in_flood_is_bounded_and_protected_routes_keep_answering() {
    let flags = [
        "--hash-concurrency",
        "1",
        "--hash-queue",
        "2",
        "--rate-limit",
        "off",
        "--rate-limit-user",
        "off",
    ];
    let app = TestApp::spawn_with(&flags).await;
    app.register("carol").await;
    let token = app.token_for("carol").await;
    let wrong = credentials("carol", "wrong password");
    let flood = join_all((0..24).map(|_| app.post_json("/auth", &wrong)));
    let checks = async {
        let mut slowest = std::time::Duration::ZERO;
        for _ in 0..10 {
            let started = std::time::Instant::now();
            assert_eq!(
                app.get_bearer("/protected", &token).await.status(),
                StatusCode::OK
            );
            slowest = slowest.max(started.elapsed());
        }
        slowest
    };
    let (responses, slowest) = futures::join!(flood, checks);
    let mut busy = 0;
    for response in responses {
        match response.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(response.headers()[header::RETRY_AFTER], "1");
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "24 checks cannot all fit in 1 hasher + 2 queued");
    // Token checks never wait for a hasher (they answer in milliseconds); the
    // bound is loose for a loaded machine, and the flood test in the slow tier
    // holds latency to a tighter one.
    assert!(
        slowest < std::time::Duration::from_secs(10),
        "a token check took {slowest:?}"
    );
}

#[tokio::test]
async fn requests_past_the_deadline_get_a_503() {
    let app = TestApp::spawn_with(&["--request-timeout", "1ms", "--rate-limit", "off"]).await;
    let response = app
        .post_json("/register", &credentials("dave", PASSWORD))
        .await;
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "Request took too long",
    )
    .await;
}

#[tokio::test]
async fn api_answers_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/nope").await;
    let headers = response.headers();
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert!(
        headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
        "CORS is off by default"
    );
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = TestApp::spawn_with(&["--cors-origin", "https://app.example"]).await;
    let client = app.http();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/auth"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .send()
    };
    let allowed = preflight("https://app.example").await.unwrap();
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}
