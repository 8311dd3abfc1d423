//! The Flask-JWT-Simple tutorial, ported: the app keeps its own users and its
//! own `POST /login`, and uses Tessera only as a library to sign the token,
//! hash and check passwords, and guard `GET /protected`.
//!
//! ```sh
//! cargo run -p tessera --example flask_jwt_simple    # PORT=5000, TESSERA_JWT_SECRET: optional
//! curl -s -X POST localhost:5000/login -H 'content-type: application/json' \
//!      -d '{"username":"test","password":"test"}'    # 200 {"jwt":"eyJ..."}
//! curl -s localhost:5000/protected -H "Authorization: Bearer $JWT"   # {"hello_from":"test"}
//! ```

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use tessera::{ApiError, AuthUser, JsonBody, JwtSecret, Passwords, TokenService, TokenSettings};

#[derive(Clone)]
struct App {
    db: SqlitePool,
    tokens: Arc<TokenService>,
    passwords: Passwords,
}

// `AuthUser` finds the token checks in the app's state through this.
impl FromRef<App> for Arc<TokenService> {
    fn from_ref(app: &App) -> Self {
        app.tokens.clone()
    }
}

#[derive(Deserialize)]
struct Params {
    username: Option<String>,
    password: Option<String>,
}

/// `JsonBody` answers 400 `Missing JSON in request` itself; the rest is the tutorial's.
async fn login(
    State(app): State<App>,
    JsonBody(params): JsonBody<Params>,
) -> Result<Json<Value>, ApiError> {
    let present = |value: Option<String>, name: &str| {
        value
            .filter(|value| !value.is_empty())
            .ok_or_else(|| ApiError::BadRequest(format!("Missing {name} parameter")))
    };
    let username = present(params.username, "username")?;
    let password = present(params.password, "password")?;
    let user: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE username = ?")
            .bind(&username)
            .fetch_optional(&app.db)
            .await
            .map_err(ApiError::internal)?;
    let (id, hash) = user.unzip();
    // Without a hash (unknown user) this checks against a dummy one: a miss
    // takes as long as a wrong password, and both get the same 401.
    let (Some(id), true) = (id, app.passwords.verify(password, hash).await?) else {
        return Err(ApiError::BadCredentials);
    };
    let jwt = app
        .tokens
        .issue(id, &username)
        .map_err(ApiError::internal)?;
    Ok(Json(json!({ "jwt": jwt.token })))
}

/// `@jwt_required`: a missing or bad token gets 401 with `WWW-Authenticate`.
async fn protected(user: AuthUser) -> Json<Value> {
    Json(json!({ "hello_from": user.username }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Never in the code: the environment's secret, else a random one.
    let secret = match std::env::var("TESSERA_JWT_SECRET") {
        Ok(secret) => JwtSecret::new(secret)?,
        Err(_) => JwtSecret::generate(),
    };
    let tokens = Arc::new(TokenService::new(&secret, TokenSettings::default()));
    let passwords = Passwords::new(std::thread::available_parallelism()?.get());

    // The app's own users table, in memory: it lasts as long as its one connection.
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    sqlx::query(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, \
         password_hash TEXT NOT NULL)",
    )
    .execute(&db)
    .await?;
    // The tutorial's user; only the argon2id hash of its password is stored.
    sqlx::query("INSERT INTO users (username, password_hash) VALUES ('test', ?)")
        .bind(passwords.hash("test".to_owned()).await?)
        .execute(&db)
        .await?;

    let app = Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .with_state(App {
            db,
            tokens,
            passwords,
        });
    let port: u16 = std::env::var("PORT").as_deref().unwrap_or("5000").parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
