//! Guessing a user's password must not lock the user out: the strict
//! per-username limit counts per client address, and a client that signed in
//! before (it holds the device cookie) keeps signing in.

use reqwest::{header, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{credentials, TestApp, PASSWORD};

/// Clients told apart by the address a trusted proxy (the test) forwards.
struct Clients {
    app: TestApp,
}

impl Clients {
    async fn spawn(flags: &[&str]) -> Self {
        let trusted = ["--rate-limit", "off", "--trusted-proxy", "127.0.0.1"];
        let app = TestApp::spawn_with(&[&trusted[..], flags].concat()).await;
        app.register("alice").await;
        Self { app }
    }

    /// `POST path` as client `address`, with `cookie` if given.
    async fn sign_in(
        &self,
        path: &str,
        address: &str,
        username: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> Response {
        let mut request = self
            .app
            .http()
            .post(self.app.url(path))
            .header("x-forwarded-for", address)
            .json(&credentials(username, password));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    }
}

/// The `name=value` part of the device cookie a response sets.
fn device_cookie(response: &Response) -> String {
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn guesses_from_one_address_do_not_lock_the_user_out_elsewhere() {
    let clients = Clients::spawn(&["--rate-limit-user", "3/min"]).await;
    let attacker = "198.51.100.66";
    let mut limited = false;
    for _ in 0..6 {
        let response = clients
            .sign_in("/auth", attacker, "alice", "wrong password", None)
            .await;
        limited |= response.status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "the attacker's address is limited");
    for (path, username) in [("/auth", "alice"), ("/login", "ALICE")] {
        let response = clients
            .sign_in(path, "203.0.113.5", username, PASSWORD, None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.unwrap();
        let fields: Vec<&String> = body.as_object().unwrap().keys().collect();
        let expected = if path == "/auth" {
            vec![
                "access_token",
                "expires_in",
                "refresh_expires_in",
                "refresh_token",
                "token_type",
            ]
        } else {
            vec!["jwt"]
        };
        assert_eq!(fields, expected, "the seeds' bodies are unchanged");
    }
}

#[tokio::test]
async fn a_client_with_the_device_cookie_signs_in_after_the_global_budget_is_spent() {
    let flags = [
        "--rate-limit-user",
        "2/min",
        "--rate-limit-user-global",
        "4/h",
    ];
    let clients = Clients::spawn(&flags).await;
    let signed_in = clients
        .sign_in("/auth", "203.0.113.5", "alice", PASSWORD, None)
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let set_cookie = signed_in.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("tessera_device="), "{set_cookie}");
    assert!(
        set_cookie.contains("; HttpOnly; SameSite=Strict"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain HTTP");
    let cookie = device_cookie(&signed_in);

    // Guesses from many addresses spend the username's global budget.
    let mut spent = false;
    for last in 1..=10 {
        let attacker = format!("198.51.100.{last}");
        let response = clients
            .sign_in("/auth", &attacker, "alice", "wrong password", None)
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            spent = true;
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(
        spent,
        "the global budget bounds guesses from many addresses"
    );
    let stranger = clients
        .sign_in("/auth", "192.0.2.44", "alice", PASSWORD, None)
        .await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);

    // The client that signed in before still gets in, from any address and case.
    let known = clients
        .sign_in("/login", "192.0.2.45", "Alice", PASSWORD, Some(&cookie))
        .await;
    assert_eq!(known.status(), StatusCode::OK);
    let body: Value = known.json().await.unwrap();
    assert!(body["jwt"].is_string());
    // But not as someone else, and its own guesses are limited.
    let elsewhere = clients
        .sign_in(
            "/auth",
            "192.0.2.45",
            "bob",
            "wrong password",
            Some(&cookie),
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);
    let mut device_limited = false;
    for _ in 0..3 {
        let response = clients
            .sign_in(
                "/auth",
                "192.0.2.45",
                "alice",
                "wrong password",
                Some(&cookie),
            )
            .await;
        device_limited |= response.status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(device_limited, "a device cookie has a limit of its own");
}

#[tokio::test]
async fn the_device_cookie_is_secure_behind_an_https_proxy() {
    let clients = Clients::spawn(&["--rate-limit-user", "off"]).await;
    let response = clients
        .app
        .http()
        .post(clients.app.url("/auth"))
        .header("x-forwarded-for", "203.0.113.5")
        .header("x-forwarded-proto", "https")
        .json(&credentials("alice", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.ends_with("; Secure"), "{set_cookie}");
}

/// Without a share per address, one address could spend the whole global
/// budget on its own and keep every cookie-less client (API clients, a new
/// browser) out.
#[tokio::test]
async fn one_address_cannot_spend_the_whole_username_budget() {
    let flags = [
        "--rate-limit-user",
        "100/min",
        "--rate-limit-user-global",
        "20/h",
    ];
    let clients = Clients::spawn(&flags).await;
    let attacker = "198.51.100.66";
    let mut limited_at = None;
    for attempt in 1..=25 {
        let response = clients
            .sign_in("/auth", attacker, "alice", "wrong password", None)
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited_at = Some(attempt);
            break;
        }
    }
    assert_eq!(limited_at, Some(3), "one address gets a tenth of 20/h");
    let victim = clients
        .sign_in("/auth", "203.0.113.9", "alice", PASSWORD, None)
        .await;
    assert_eq!(
        victim.status(),
        StatusCode::OK,
        "a cookie-less client elsewhere"
    );
}
