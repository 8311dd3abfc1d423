//! `TestApp`: a server with its own data dir (and Postgres schema), plus request
//! helpers. By default requests go to the server's router in-process (what a
//! socket would deliver, without the socket); `spawn_listening` serves it on a
//! loopback port for the tests about connections and real clients.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use tessera::Rate;
use tessera::{
    Accounts, Config, JwtSecret, Server, ServerConfig, StoreConfig, Tessera, TesseraBuilder,
};
use tokio::sync::oneshot;

use crate::database::{wants_postgres, TestSchema};

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct TestApp {
    pub(crate) secret: String,
    client: reqwest::Client,
    transport: Transport,
    flags: Vec<String>,
    data_dir: tempfile::TempDir,
    /// Held so the Postgres schema outlives every server of this app.
    schema: Option<std::sync::Arc<TestSchema>>,
}

/// How requests reach the server.
enum Transport {
    /// Its router, called in-process; the maintenance task runs beside it.
    InProcess {
        router: axum::Router,
        tessera: Tessera,
        maintenance: tokio::task::JoinHandle<()>,
    },
    /// A real socket.
    Listening {
        addr: SocketAddr,
        shutdown: Option<oneshot::Sender<()>>,
        stopped: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    },
}

/// The peer address in-process requests come from.
const IN_PROCESS_PEER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 40_000);

impl TestApp {
    /// A server with the defaults, a fresh database and a known secret.
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// [`TestApp::spawn_with`], served on a loopback port (for tests of
    /// connections, or that bring their own HTTP client).
    pub(crate) async fn spawn_listening(flags: &[&str]) -> Self {
        Self::spawn_as(flags, true).await
    }

    /// A server configured with extra `tessera serve` flags.
    ///
    /// The sign-in rate limits are off unless `flags` set them: tests sign in
    /// as often as they need to, and only the tests about limits meet them
    /// (a limit that a slow machine's retries run into is a flaky test).
    pub(crate) async fn spawn_with(flags: &[&str]) -> Self {
        Self::spawn_as(flags, false).await
    }

    /// A Tessera (in-process, without `Server`'s extras) opened by `build`
    /// from the configuration of `flags`: to plug in the app's own users or
    /// claims. Not for [`TestApp::restart`], which starts a plain server.
    pub(crate) async fn spawn_built(
        flags: &[&str],
        build: impl FnOnce(TesseraBuilder) -> TesseraBuilder,
    ) -> Self {
        let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
        let mut flags: Vec<String> = flags.iter().map(|flag| (*flag).to_owned()).collect();
        let schema = if wants_postgres() {
            let schema = TestSchema::create().await;
            flags.extend(["--database-url".to_owned(), schema.url()]);
            Some(std::sync::Arc::new(schema))
        } else {
            None
        };
        let data_dir = tempfile::tempdir().unwrap();
        let flags_now: Vec<&str> = flags.iter().map(String::as_str).collect();
        let (mut config, _) = settings(&flags_now);
        config.store.data_dir = data_dir.path().to_owned();
        config.jwt_secret = Some(JwtSecret::new(secret.clone()).unwrap());
        let tessera = build(Tessera::builder(config))
            .open()
            .await
            .expect("tessera opens");
        Self {
            secret,
            client: test_client(),
            transport: Transport::InProcess {
                router: tessera.router(),
                maintenance: tokio::spawn(tessera.maintenance()),
                tessera,
            },
            flags,
            data_dir,
            schema,
        }
    }

    /// The Tessera behind an in-process app.
    pub(crate) fn tessera(&self) -> &Tessera {
        match &self.transport {
            Transport::InProcess { tessera, .. } => tessera,
            Transport::Listening { .. } => panic!("only in-process apps expose their Tessera"),
        }
    }

    async fn spawn_as(flags: &[&str], listening: bool) -> Self {
        let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
        let mut flags: Vec<String> = flags.iter().map(|flag| (*flag).to_owned()).collect();
        let schema = if wants_postgres() {
            let schema = TestSchema::create().await;
            flags.extend(["--database-url".to_owned(), schema.url()]);
            Some(std::sync::Arc::new(schema))
        } else {
            None
        };
        let data_dir = tempfile::tempdir().unwrap();
        Self::start(data_dir, secret, flags, schema, listening).await
    }

    async fn start(
        data_dir: tempfile::TempDir,
        secret: String,
        flags: Vec<String>,
        schema: Option<std::sync::Arc<TestSchema>>,
        listening: bool,
    ) -> Self {
        let flags_now: Vec<&str> = flags.iter().map(String::as_str).collect();
        let (mut config, mut server) = settings(&flags_now);
        config.store.data_dir = data_dir.path().to_owned();
        config.jwt_secret = Some(JwtSecret::new(secret.clone()).unwrap());
        server.addr = "127.0.0.1:0".parse().unwrap();
        let server = Server::bind(config, server).await.expect("server starts");
        let transport = if listening {
            let addr = server.local_addr().unwrap();
            let (shutdown, stop) = oneshot::channel::<()>();
            let stopped = tokio::spawn(server.run(async move {
                let _ = stop.await;
            }));
            Transport::Listening {
                addr,
                shutdown: Some(shutdown),
                stopped: Some(stopped),
            }
        } else {
            let tessera = server.tessera().clone();
            Transport::InProcess {
                router: server.router(),
                maintenance: tokio::spawn(tessera.maintenance()),
                tessera,
            }
        };
        Self {
            secret,
            client: test_client(),
            transport,
            flags,
            data_dir,
            schema,
        }
    }

    /// Stops the server and starts a new one on the same data and secret.
    pub(crate) async fn restart(mut self) -> Self {
        let listening = match &mut self.transport {
            Transport::Listening {
                shutdown, stopped, ..
            } => {
                shutdown.take().unwrap().send(()).unwrap();
                stopped.take().unwrap().await.unwrap().unwrap();
                true
            }
            Transport::InProcess {
                tessera,
                maintenance,
                ..
            } => {
                maintenance.abort();
                tessera.close().await;
                false
            }
        };
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        Self::start(
            data_dir,
            self.secret.clone(),
            self.flags.clone(),
            self.schema.clone(),
            listening,
        )
        .await
    }

    /// The loopback address of a server from [`TestApp::spawn_listening`].
    pub(crate) fn addr(&self) -> SocketAddr {
        match &self.transport {
            Transport::Listening { addr, .. } => *addr,
            Transport::InProcess { .. } => {
                panic!("this test needs a socket: start it with TestApp::spawn_listening")
            }
        }
    }

    /// A client for requests the helpers below do not cover: like
    /// `reqwest::Client`, but its requests go wherever this app's do.
    pub(crate) fn http(&self) -> Http<'_> {
        Http { app: self }
    }

    /// Sends `request` over the socket, or through the router in-process.
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        let Transport::InProcess { router, .. } = &self.transport else {
            return request.send().await.unwrap();
        };
        let request: axum::http::Request<reqwest::Body> =
            request.build().unwrap().try_into().unwrap();
        let (mut parts, body) = request.into_parts();
        parts
            .extensions
            .insert(axum::extract::ConnectInfo(IN_PROCESS_PEER));
        let request = axum::http::Request::from_parts(parts, axum::body::Body::new(body));
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        Response::from(axum::http::Response::from_parts(parts, body))
    }

    /// The server's data dir (its key ring lives in `keys/`).
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// The URL of the server's Postgres schema, when it has one.
    pub(crate) fn postgres_url(&self) -> Option<String> {
        self.schema.as_ref().map(|schema| schema.url())
    }

    /// The URL of the server's database (its Postgres schema, or the SQLite file).
    pub(crate) fn database_url(&self) -> String {
        self.postgres_url().unwrap_or_else(|| {
            let file = self.data_dir.path().join("tessera.db");
            format!("sqlite://{}", file.display())
        })
    }

    /// The server's database, for plain SQL.
    pub(crate) async fn db(&self) -> crate::db::Db {
        crate::db::Db::open(&self.database_url()).await
    }

    /// The server's accounts, opened a second time (as the CLI would).
    pub(crate) async fn accounts(&self) -> Accounts {
        let config = StoreConfig {
            data_dir: self.data_dir.path().to_owned(),
            database_url: self.postgres_url(),
            ..StoreConfig::default()
        };
        Accounts::open(&config).await.unwrap()
    }

    /// Creates `username` with [`PASSWORD`] and `roles`, as `tessera user add` does.
    pub(crate) async fn create_user(&self, username: &str, roles: &[&str]) {
        let roles: Vec<String> = roles.iter().map(|role| (*role).to_owned()).collect();
        let accounts = self.accounts().await;
        let created = accounts.create(username, PASSWORD.to_owned(), &roles).await;
        created.unwrap();
        accounts.close().await;
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
        self.send(request).await
    }

    /// The URL of `path` (in-process, a loopback URL nothing listens on).
    pub(crate) fn url(&self, path: &str) -> String {
        match &self.transport {
            Transport::Listening { addr, .. } => format!("http://{addr}{path}"),
            Transport::InProcess { .. } => format!("http://{IN_PROCESS_PEER}{path}"),
        }
    }

    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.send(self.client.post(self.url(path)).json(body)).await
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
        self.send(request).await
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.send(self.client.get(self.url(path))).await
    }

    /// GET with a raw `Authorization` value (may be any bytes).
    pub(crate) async fn get_authorized(&self, path: &str, authorization: &[u8]) -> Response {
        let value = header::HeaderValue::from_bytes(authorization).unwrap();
        self.send(
            self.client
                .get(self.url(path))
                .header(header::AUTHORIZATION, value),
        )
        .await
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
        tessera::KeyRing::from_secret(&secret)
            .signing_kid()
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &mut self.transport {
            Transport::Listening { shutdown, .. } => {
                if let Some(shutdown) = shutdown.take() {
                    let _ = shutdown.send(());
                }
            }
            Transport::InProcess { maintenance, .. } => maintenance.abort(),
        }
    }
}

/// [`TestApp::http`]: builds requests with reqwest, sends them with [`TestApp::send`].
pub(crate) struct Http<'a> {
    app: &'a TestApp,
}

impl<'a> Http<'a> {
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        url: impl reqwest::IntoUrl,
    ) -> Request<'a> {
        Request {
            app: self.app,
            builder: self.app.client.request(method, url),
        }
    }

    pub(crate) fn get(&self, url: impl reqwest::IntoUrl) -> Request<'a> {
        self.request(reqwest::Method::GET, url)
    }

    pub(crate) fn post(&self, url: impl reqwest::IntoUrl) -> Request<'a> {
        self.request(reqwest::Method::POST, url)
    }

    pub(crate) fn delete(&self, url: impl reqwest::IntoUrl) -> Request<'a> {
        self.request(reqwest::Method::DELETE, url)
    }
}

/// A request being built for [`Http`].
pub(crate) struct Request<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Request<'_> {
    pub(crate) fn header(
        self,
        name: impl TryInto<header::HeaderName, Error: std::fmt::Debug>,
        value: impl TryInto<header::HeaderValue, Error: std::fmt::Debug>,
    ) -> Self {
        let (name, value) = (name.try_into().unwrap(), value.try_into().unwrap());
        self.map(|builder| builder.header(name, value))
    }

    pub(crate) fn json(self, body: &Value) -> Self {
        self.map(|builder| builder.json(body))
    }

    pub(crate) fn bearer_auth(self, token: &str) -> Self {
        self.map(|builder| builder.bearer_auth(token))
    }

    fn map(self, change: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> Self {
        Self {
            app: self.app,
            builder: change(self.builder),
        }
    }

    /// Sends it (never fails: a failure to send panics in the test).
    pub(crate) async fn send(self) -> reqwest::Result<Response> {
        Ok(self.app.send(self.builder).await)
    }
}

/// The configuration a test names by `tessera serve` flags (the names operators
/// know; a switch such as `--require-verified-email` takes `true`), on top of
/// the defaults, except that the sign-in and mail rate limits are off unless
/// `flags` set them: tests sign in as often as they need to, and only
/// the tests about limits meet them (a limit that a slow machine's retries run
/// into is a flaky test). The binary's own flag parsing is tested in its crate.
pub(crate) fn settings(flags: &[&str]) -> (Config, ServerConfig) {
    let mut config = Config {
        rate_limit: Rate::Off,
        rate_limit_user: Rate::Off,
        rate_limit_mail: Rate::Off,
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
            "--db-timeout" => config.store.db_timeout = duration(),
            "--addr" => server.addr = value.parse().unwrap(),
            "--static-dir" => server.static_dir = Some(value.into()),
            "--cors-origin" => server.cors_origins.push((*value).to_owned()),
            "--request-timeout" => server.request_timeout = duration(),
            "--max-connections" => server.max_connections = Some(value.parse().unwrap()),
            "--max-connections-per-address" => {
                server.max_connections_per_address = value.parse().unwrap();
            }
            "--header-timeout" => server.header_timeout = duration(),
            "--mailer" => config.mailer = value.parse().unwrap(),
            "--mail-from" => config.mail_from = (*value).to_owned(),
            "--product-name" => config.product_name = (*value).to_owned(),
            "--mail-retry-for" => config.mail_retry_for = duration(),
            "--rate-limit-mail" => config.rate_limit_mail = rate(),
            "--require-verified-email" => config.require_verified_email = value.parse().unwrap(),
            other => panic!("the tests do not know the flag {other}"),
        }
    }
    (config, server)
}

pub(crate) fn credentials(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

/// The middle one of `times` (the upper middle of an even count).
pub(crate) fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
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

/// A client for servers on a real socket. It keeps an idle connection for
/// 2 s at most, far below the server's header timeout (10 s by default)
/// that closes idle keep-alive connections: reusing one the server is
/// closing at that very moment fails the request (`IncompleteMessage`),
/// and a busy machine makes such pauses between requests common.
pub(crate) fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}
