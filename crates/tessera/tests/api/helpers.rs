//! `TestApp`: a real server on an ephemeral port with its own data dir, plus request helpers.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use tessera::config::{Cli, Command};
use tessera::{JwtSecret, ServeArgs, Server};
use tokio::sync::oneshot;

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) secret: String,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    /// A server with the defaults, a fresh database and a known secret.
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server configured with extra `tessera serve` flags.
    pub(crate) async fn spawn_with(flags: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let dir = data_dir.path().to_str().unwrap();
        let mut args = serve_args(&[&["--addr", "127.0.0.1:0", "--data-dir", dir], flags].concat());
        let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
        args.jwt_secret = Some(JwtSecret::new(secret.clone()).unwrap());
        let server = Server::bind(args).await.expect("server starts");
        let addr = server.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            secret,
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            shutdown: Some(shutdown),
            _data_dir: data_dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        request.send().await.unwrap()
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET with a raw `Authorization` value (may be any bytes).
    pub(crate) async fn get_authorized(&self, path: &str, authorization: &[u8]) -> Response {
        let value = header::HeaderValue::from_bytes(authorization).unwrap();
        self.client
            .get(self.url(path))
            .header(header::AUTHORIZATION, value)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get_bearer(&self, path: &str, token: &str) -> Response {
        self.get_authorized(path, format!("Bearer {token}").as_bytes())
            .await
    }

    /// Registers `username` with [`PASSWORD`]; returns the new profile.
    pub(crate) async fn register(&self, username: &str) -> Value {
        let response = self
            .post_json("/register", &credentials(username, PASSWORD))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Signs `username` in with [`PASSWORD`] through `/auth`; returns the access token.
    pub(crate) async fn token_for(&self, username: &str) -> String {
        let response = self
            .post_json("/auth", &credentials(username, PASSWORD))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A token with arbitrary `claims`, signed with this server's secret.
    pub(crate) fn forge(&self, algorithm: Algorithm, claims: &Value) -> String {
        let key = EncodingKey::from_secret(self.secret.as_bytes());
        jsonwebtoken::encode(&Header::new(algorithm), claims, &key).unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Parses `tessera serve` flags exactly as the binary would.
pub(crate) fn serve_args(flags: &[&str]) -> ServeArgs {
    match Cli::try_parse_from([&["tessera", "serve"], flags].concat())
        .unwrap()
        .command
    {
        Command::Serve(args) => args,
        Command::User { .. } => unreachable!("parsed a serve command"),
    }
}

pub(crate) fn credentials(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims as Tessera issues them, valid for an hour, for user 1 "alice".
pub(crate) fn valid_claims() -> Value {
    let now = now();
    json!({ "sub": "1", "username": "alice", "iat": now, "nbf": now, "exp": now + 3600, "jti": "test" })
}

/// Asserts the status and the `{"msg": ..}` body.
pub(crate) async fn assert_error(response: Response, status: StatusCode, msg: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "msg": msg }));
}

/// Asserts a 401 token failure: its message and its RFC 6750 challenge.
pub(crate) async fn assert_token_refused(response: Response, msg: &str) {
    let challenge = response.headers().get(header::WWW_AUTHENTICATE).cloned();
    assert_error(response, StatusCode::UNAUTHORIZED, msg).await;
    assert_eq!(
        challenge.unwrap(),
        r#"Bearer realm="tessera", error="invalid_token""#
    );
}
