//! `TestApp`: a real server on an ephemeral port with its own data dir, plus request helpers.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use tessera::limits::Rate;
use tessera::{Config, JwtSecret, Server, ServerConfig, Store};
use tokio::sync::oneshot;

use crate::database::{wants_postgres, TestSchema};

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) secret: String,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    stopped: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    flags: Vec<String>,
    data_dir: tempfile::TempDir,
    /// Held so the Postgres schema outlives every server of this app.
    schema: Option<std::sync::Arc<TestSchema>>,
}

impl TestApp {
    /// A server with the defaults, a fresh database and a known secret.
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server configured with extra `tessera serve` flags.
    ///
    /// The sign-in rate limits are off unless `flags` set them: tests sign in
    /// as often as they need to, and only the tests about limits meet them
    /// (a limit that a slow machine's retries run into is a flaky test).
    pub(crate) async fn spawn_with(flags: &[&str]) -> Self {
        let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
        let mut flags: Vec<String> = flags.iter().map(|flag| (*flag).to_owned()).collect();
        let schema = if wants_postgres() {
            let schema = TestSchema::create().await;
            flags.extend(["--database-url".to_owned(), schema.url()]);
            Some(std::sync::Arc::new(schema))
        } else {
            None
        };
        Self::start(tempfile::tempdir().unwrap(), secret, flags, schema).await
    }

    async fn start(
        data_dir: tempfile::TempDir,
        secret: String,
        flags: Vec<String>,
        schema: Option<std::sync::Arc<TestSchema>>,
    ) -> Self {
        let flags_now: Vec<&str> = flags.iter().map(String::as_str).collect();
        let (mut config, mut server) = settings(&flags_now);
        config.store.data_dir = data_dir.path().to_owned();
        config.jwt_secret = Some(JwtSecret::new(secret.clone()).unwrap());
        server.addr = "127.0.0.1:0".parse().unwrap();
        let server = Server::bind(config, server).await.expect("server starts");
        let addr = server.local_addr().unwrap();
        let (shutdown, stop) = oneshot::channel::<()>();
        let stopped = tokio::spawn(server.run(async move {
            let _ = stop.await;
        }));
        Self {
            addr,
            secret,
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            shutdown: Some(shutdown),
            stopped: Some(stopped),
            flags,
            data_dir,
            schema,
        }
    }

    /// Stops the server and starts a new one on the same data and secret.
    pub(crate) async fn restart(mut self) -> Self {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.stopped.take().unwrap().await.unwrap().unwrap();
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        Self::start(
            data_dir,
            self.secret.clone(),
            self.flags.clone(),
            self.schema.clone(),
        )
        .await
    }

    /// The server's data dir (its key ring lives in `keys/`).
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// The server's store, opened a second time (as the CLI would).
    pub(crate) async fn store(&self) -> Store {
        let url = match &self.schema {
            Some(schema) => schema.url(),
            None => format!(
                "sqlite://{}",
                self.data_dir.path().join("tessera.db").display()
            ),
        };
        Store::open(&url).await.unwrap()
    }

    /// Creates `username` with [`PASSWORD`] and `roles` directly in the store.
    pub(crate) async fn create_user(&self, username: &str, roles: &[&str]) {
        let hash = tessera::password::hash_blocking(PASSWORD).unwrap();
        let roles: Vec<String> = roles.iter().map(|role| (*role).to_owned()).collect();
        let store = self.store().await;
        store.create_user(username, &hash, &roles).await.unwrap();
        store.close().await;
    }

    /// Signs in through `/auth`; returns the whole answer.
    pub(crate) async fn sign_in(&self, username: &str) -> Value {
        let response = self
            .post_json("/auth", &credentials(username, PASSWORD))
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// POST with a bearer token and an optional JSON body.
    pub(crate) async fn post_bearer(
        &self,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.post(self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
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

    /// An access token with arbitrary `claims`, signed with this server's secret.
    pub(crate) fn forge(&self, algorithm: Algorithm, claims: &Value) -> String {
        self.forge_typed(algorithm, "at+jwt", claims)
    }

    /// A token of type `typ` with arbitrary `claims`, signed with this server's secret.
    pub(crate) fn forge_typed(&self, algorithm: Algorithm, typ: &str, claims: &Value) -> String {
        let key = EncodingKey::from_secret(self.secret.as_bytes());
        let mut header = Header::new(algorithm);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid());
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    /// The `kid` this server signs with.
    pub(crate) fn kid(&self) -> String {
        let secret = JwtSecret::new(self.secret.clone()).unwrap();
        tessera::keys::KeyRing::from_secret(&secret)
            .signing_kid()
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The configuration a test names by `tessera serve` flags (the names operators
/// know), on top of the defaults, except that the sign-in rate limits are off
/// unless `flags` set them: tests sign in as often as they need to, and only
/// the tests about limits meet them (a limit that a slow machine's retries run
/// into is a flaky test). The binary's own flag parsing is tested in its crate.
pub(crate) fn settings(flags: &[&str]) -> (Config, ServerConfig) {
    let mut config = Config {
        rate_limit: Rate::Off,
        rate_limit_user: Rate::Off,
        ..Config::default()
    };
    let mut server = ServerConfig::default();
    for pair in flags.chunks(2) {
        let [flag, value] = pair else {
            panic!("flag without a value in {flags:?}")
        };
        let duration = || humantime::parse_duration(value).unwrap();
        let rate = || value.parse::<Rate>().unwrap();
        match *flag {
            "--access-ttl" => config.access_ttl = duration(),
            "--refresh-ttl" => config.refresh_ttl = duration(),
            "--refresh-grace" => config.refresh_grace = duration(),
            "--session-max-age" => config.session_max_age = duration(),
            "--leeway" => config.leeway = duration(),
            "--public-url" => config.public_url = Some((*value).to_owned()),
            "--issuer" => config.issuer = Some((*value).to_owned()),
            "--audience" => config.audience = Some((*value).to_owned()),
            "--signup" => config.signup = value.parse().unwrap(),
            "--signing-alg" => config.signing_alg = value.parse().unwrap(),
            "--hash-concurrency" => config.hash_concurrency = Some(value.parse().unwrap()),
            "--hash-queue" => config.hash_queue = Some(value.parse().unwrap()),
            "--hash-queue-wait" => config.hash_queue_wait = duration(),
            "--rate-limit" => config.rate_limit = rate(),
            "--rate-limit-user" => config.rate_limit_user = rate(),
            "--rate-limit-user-global" => config.rate_limit_user_global = rate(),
            "--trusted-proxy" => config.trusted_proxies.push(value.parse().unwrap()),
            "--ipv6-prefix" => config.ipv6_prefix = value.parse().unwrap(),
            "--database-url" => config.store.database_url = Some((*value).to_owned()),
            "--data-dir" => config.store.data_dir = value.into(),
            "--addr" => server.addr = value.parse().unwrap(),
            "--static-dir" => server.static_dir = Some(value.into()),
            "--cors-origin" => server.cors_origins.push((*value).to_owned()),
            "--request-timeout" => server.request_timeout = duration(),
            "--max-connections" => server.max_connections = Some(value.parse().unwrap()),
            "--max-connections-per-address" => {
                server.max_connections_per_address = value.parse().unwrap();
            }
            "--header-timeout" => server.header_timeout = duration(),
            other => panic!("the tests do not know the flag {other}"),
        }
    }
    (config, server)
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
    json!({
        "sub": "1", "username": "alice", "roles": [], "sid": "test-session", "fresh": true,
        "iat": now, "nbf": now, "exp": now + 3600, "jti": "test",
    })
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
