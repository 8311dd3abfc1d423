//! The programs in `crates/tessera/examples`, run as users run them: each one
//! built, started as a process on a free port, and held to its contract over HTTP.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey, Validation};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use tessera::{JwtSecret, Tessera};

use crate::helpers::{assert_error, assert_token_refused, credentials, settings, PASSWORD};

/// The examples' directory beside this test binary (`<target>/<profile>/deps/api-*`
/// → `<target>/<profile>/examples`), brought up to date once per run by the
/// cargo running the tests: `cargo test --test api` alone does not build them.
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap();
        let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
            "debug" => "dev",
            other => other,
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "tessera", "--examples"])
            .args(["--profile", profile])
            .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap());
        // Not with the variables cargo set for this test run (CARGO_MANIFEST_DIR,
        // CARGO_PKG_*, ...): build scripts that watch them (ring's) would run
        // again, with every crate above them, here and in the next `cargo test`.
        let per_run = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_",
            "CARGO_TARGET_TMPDIR",
        ];
        for (name, _) in std::env::vars_os() {
            if per_run
                .iter()
                .any(|prefix| name.to_string_lossy().starts_with(prefix))
            {
                build.env_remove(name);
            }
        }
        let build = build.output().unwrap();
        let errors = String::from_utf8_lossy(&build.stderr);
        assert!(build.status.success(), "building the examples: {errors}");
        profile_dir.join("examples")
    })
}

/// An example running as a child process, in a temp dir of its own; killed on drop.
struct Example {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Example {
    /// Starts example `name` with `PORT=0` and `env`, and waits for its
    /// `listening on <url>` line.
    async fn start(name: &str, env: &[(&str, &str)]) -> Self {
        let binary = tokio::task::spawn_blocking(|| examples_dir().to_owned())
            .await
            .unwrap()
            .join(name);
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stderr.log");
        let mut child = Command::new(binary)
            .current_dir(dir.path())
            .env("PORT", "0")
            .env_remove("TESSERA_JWT_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // Off the runtime: an in-process Tessera may have to answer the example first.
        let waiting = tokio::task::spawn_blocking(move || {
            let mut lines = stdout.lines().map_while(Result::ok);
            lines.find_map(|line| Some(line.strip_prefix("listening on ")?.to_owned()))
        });
        // A stuck example fails its test instead of hanging the suite; the bound
        // is far above a start on a busy machine (a few seconds).
        let Ok(base) = tokio::time::timeout(std::time::Duration::from_secs(120), waiting).await
        else {
            let _ = child.kill();
            panic!("{name} did not say it was listening within 120 s");
        };
        let base = base.unwrap();
        let Some(base) = base else {
            let _ = child.kill();
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("{name} stopped before listening:\n{log}");
        };
        Self {
            child,
            base,
            log,
            _dir: dir,
        }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        client().get(format!("{}{path}", self.base))
    }

    fn post(&self, path: &str) -> RequestBuilder {
        client().post(format!("{}{path}", self.base))
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- stderr of the example at {} ---\n{log}", self.base);
        }
    }
}

fn client() -> reqwest::Client {
    crate::helpers::test_client()
}

async fn send(request: RequestBuilder) -> Response {
    request.send().await.unwrap()
}

async fn json_of(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// `token`'s header and claims, signed with `key` instead.
fn forge(token: &str, key: &EncodingKey) -> String {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .unwrap()
        .claims;
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

fn other_hs256_key() -> EncodingKey {
    EncodingKey::from_secret(JwtSecret::generate().as_bytes())
}

/// `route` answers `expected` to `token` in both schemes, and refuses no token
/// and `forged` with a challenge.
async fn assert_guarded(app: &Example, route: &str, token: &str, forged: &str, expected: &Value) {
    for scheme in ["Bearer", "JWT"] {
        let authorization = format!("{scheme} {token}");
        let response = send(app.get(route).header("Authorization", authorization)).await;
        assert_eq!(
            &json_of(response, StatusCode::OK).await,
            expected,
            "{scheme}"
        );
    }
    let anonymous = send(app.get(route)).await;
    assert_eq!(
        anonymous.headers()[WWW_AUTHENTICATE],
        r#"Bearer realm="tessera""#
    );
    assert_error(
        anonymous,
        StatusCode::UNAUTHORIZED,
        "Missing Authorization header",
    )
    .await;
    let forged = send(app.get(route).bearer_auth(forged)).await;
    assert_token_refused(forged, "Token signature is invalid").await;
}

#[tokio::test]
async fn flask_jwt_simple_answers_as_the_tutorial_with_the_apps_own_users() {
    let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
    let app = Example::start("flask_jwt_simple", &[("TESSERA_JWT_SECRET", &secret)]).await;

    let form = app
        .post("/login")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("username=test&password=test");
    let missing_json = "Missing JSON in request";
    assert_error(send(form).await, StatusCode::BAD_REQUEST, missing_json).await;
    let incomplete = [
        (json!([]), missing_json),
        (json!({}), "Missing username parameter"),
        (
            json!({ "username": "", "password": "test" }),
            "Missing username parameter",
        ),
        (json!({ "username": "test" }), "Missing password parameter"),
    ];
    for (body, msg) in incomplete {
        let response = send(app.post("/login").json(&body)).await;
        assert_error(response, StatusCode::BAD_REQUEST, msg).await;
    }
    for (username, password) in [("test", "wrong"), ("nobody", "test")] {
        let response = send(app.post("/login").json(&credentials(username, password))).await;
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            "Bad username or password",
        )
        .await;
    }

    let answer = json_of(
        send(app.post("/login").json(&credentials("test", "test"))).await,
        StatusCode::OK,
    )
    .await;
    let jwt = answer["jwt"].as_str().unwrap();
    assert_eq!(answer, json!({ "jwt": jwt }));
    // Signed with the secret from the environment.
    let key = DecodingKey::from_secret(secret.as_bytes());
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &Validation::default())
        .unwrap()
        .claims;
    assert_eq!(claims["username"], "test");

    let forged = forge(jwt, &other_hs256_key());
    assert_guarded(
        &app,
        "/protected",
        jwt,
        &forged,
        &json!({ "hello_from": "test" }),
    )
    .await;
}

#[tokio::test]
async fn flask_jwt_answers_as_the_tutorial_with_the_apps_own_users() {
    let secret = String::from_utf8(JwtSecret::generate().as_bytes().to_vec()).unwrap();
    let app = Example::start("flask_jwt", &[("TESSERA_JWT_SECRET", &secret)]).await;

    let auth = |body: &Value| app.post("/auth").json(body);
    let missing = [
        (json!({}), "Missing username parameter"),
        (json!({ "username": "user1" }), "Missing password parameter"),
    ];
    for (body, msg) in missing {
        assert_error(send(auth(&body)).await, StatusCode::BAD_REQUEST, msg).await;
    }
    for (username, password) in [("user1", "wrong"), ("nobody", "abcxyz")] {
        let response = send(auth(&credentials(username, password))).await;
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            "Bad username or password",
        )
        .await;
    }

    let mut tokens = Vec::new();
    for username in ["user1", "user2"] {
        let answer = json_of(
            send(auth(&credentials(username, "abcxyz"))).await,
            StatusCode::OK,
        )
        .await;
        let token = answer["access_token"].as_str().unwrap().to_owned();
        // Signed with the secret from the environment, for the app's user.
        let key = DecodingKey::from_secret(secret.as_bytes());
        let claims = jsonwebtoken::decode::<Value>(&token, &key, &Validation::default());
        let claims = claims.unwrap().claims;
        assert_eq!(claims["username"], username);
        tokens.push(token);
    }
    let forged = forge(&tokens[0], &other_hs256_key());
    let data = json!({ "data": [1, 2, 3] });
    assert_guarded(&app, "/protected", &tokens[1], &forged, &data).await;

    // The app owns its users: Tessera registers no one.
    let register = send(app.post("/register").json(&credentials("user3", "abcxyz"))).await;
    assert_eq!(register.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn embed_serves_the_whole_api_under_api_beside_the_apps_own_routes() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let env = [
        ("EMBED_DATA_DIR", data_dir),
        ("EMBED_ADMIN_PASSWORD", PASSWORD),
    ];
    let app = Example::start("embed", &env).await;

    let page = send(app.get("/")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let sign_in = |name: &str| app.post("/api/auth").json(&credentials(name, PASSWORD));
    let registered = send(
        app.post("/api/register")
            .json(&credentials("alice", PASSWORD)),
    )
    .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let pair = json_of(send(sign_in("alice")).await, StatusCode::OK).await;
    let access = pair["access_token"].as_str().unwrap();
    let forged = forge(access, &other_hs256_key());
    let expected = json!({ "hello_from": "alice", "user_id": 2, "roles": [], "plan": "free" });
    assert_guarded(&app, "/api/dashboard", access, &forged, &expected).await;

    // The admin route: 403 for alice, the app's figures for the admin made at start.
    let refused = send(app.get("/api/admin/stats").bearer_auth(access)).await;
    assert_error(refused, StatusCode::FORBIDDEN, "Requires the 'admin' role").await;
    let admin = json_of(send(sign_in("admin")).await, StatusCode::OK).await;
    let admin_token = admin["access_token"].as_str().unwrap();
    let stats = send(app.get("/api/admin/stats").bearer_auth(admin_token)).await;
    let stats = json_of(stats, StatusCode::OK).await;
    assert_eq!(
        (&stats["asked_by"], &stats["users"]),
        (&json!("admin"), &json!(2))
    );
    assert!(stats["uptime_secs"].is_u64(), "{stats}");
    let dashboard = send(app.get("/api/dashboard").bearer_auth(admin_token)).await;
    assert_eq!(json_of(dashboard, StatusCode::OK).await["plan"], "team");

    // Refresh and logout work under the prefix, and the app's own routes see the sign-out.
    let body = json!({ "refresh_token": pair["refresh_token"] });
    let renewed = json_of(
        send(app.post("/api/refresh").json(&body)).await,
        StatusCode::OK,
    )
    .await;
    let renewed = renewed["access_token"].as_str().unwrap();
    let logout = send(app.post("/api/logout").bearer_auth(renewed)).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let after = send(app.get("/api/dashboard").bearer_auth(renewed)).await;
    assert_token_refused(after, "Token has been revoked").await;

    // A restart on the same data keeps the users and does not make the admin twice.
    drop(app);
    let app = Example::start("embed", &env).await;
    let admin = json_of(
        send(app.post("/api/auth").json(&credentials("admin", PASSWORD))).await,
        StatusCode::OK,
    )
    .await;
    let stats = send(
        app.get("/api/admin/stats")
            .bearer_auth(admin["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(json_of(stats, StatusCode::OK).await["users"], 2);
}

#[tokio::test]
async fn resource_server_checks_tokens_from_tesseras_discovery_alone() {
    // Tessera as `tessera serve --signing-alg EdDSA --public-url <its own address>`
    // runs it: bound first, so that the public URL is the address it listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tessera_url = format!("http://{}", listener.local_addr().unwrap());
    let (mut config, _) = settings(&["--signing-alg", "EdDSA", "--public-url", &tessera_url]);
    let data = tempfile::tempdir().unwrap();
    config.store.data_dir = data.path().to_owned();
    let tessera = Tessera::open(config).await.unwrap();
    let router: axum::Router = tessera.router();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let alice = credentials("alice", PASSWORD);
    let register = client()
        .post(format!("{tessera_url}/register"))
        .json(&alice);
    assert_eq!(send(register).await.status(), StatusCode::CREATED);
    let sign_in = client().post(format!("{tessera_url}/auth")).json(&alice);
    let pair = json_of(send(sign_in).await, StatusCode::OK).await;
    let access = pair["access_token"].as_str().unwrap();

    let app = Example::start("resource_server", &[("TESSERA_URL", &tessera_url)]).await;
    let other_key = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
        .to_pkcs8_der()
        .unwrap();
    let forged = forge(access, &EncodingKey::from_ed_der(other_key.as_bytes()));
    assert_guarded(
        &app,
        "/protected",
        access,
        &forged,
        &json!({ "hello_from": "alice" }),
    )
    .await;
    let refresh = pair["refresh_token"].as_str().unwrap();
    let refused = send(app.get("/protected").bearer_auth(refresh)).await;
    assert_token_refused(refused, "Token is not an access token").await;

    // Pointed at a Tessera that is not there, it neither accepts nor refuses: 503.
    let gone = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let away = Example::start(
        "resource_server",
        &[("TESSERA_URL", &format!("http://{gone}"))],
    )
    .await;
    let unavailable = send(away.get("/protected").bearer_auth(access)).await;
    assert_eq!(unavailable.headers()[RETRY_AFTER], "1");
    assert_error(
        unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
    )
    .await;
}

#[test]
fn the_readme_shows_the_embed_example_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let embed = std::fs::read_to_string(root.join("examples/embed.rs")).unwrap();
    assert!(
        readme.contains(&format!("```rust\n{embed}```\n")),
        "README.md's copy of examples/embed.rs differs from the file"
    );
}
