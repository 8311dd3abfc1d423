//! An existing axum app with Tessera inside: the whole API nested under `/api`
//! (`/api/register`, `/api/auth`, `/api/refresh`, `/api/logout`, ...), beside
//! the app's own page, state and routes, which `AuthUser` and `WithRole` guard,
//! and a claim of the app's own (`plan`) in every access token.
//!
//! ```sh
//! cargo run -p tessera --example embed       # PORT=5000, data in ./embed-data (EMBED_DATA_DIR)
//! EMBED_ADMIN_PASSWORD=... cargo run -p tessera --example embed   # also creates user `admin`
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRef, State};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tessera::{Admin, ApiError, AuthUser, Config, Identity, Tessera, TokenService, WithRole};

/// The app's state: its own things, and Tessera.
#[derive(Clone)]
struct AppState {
    tessera: Tessera,
    started: Instant,
}

// `AuthUser` and `WithRole` find the token checks in the app's state through this.
impl FromRef<AppState> for Arc<TokenService> {
    fn from_ref(state: &AppState) -> Self {
        state.tessera.tokens()
    }
}

/// The app's own page.
const PAGE: Html<&str> = Html(
    "<!doctype html><title>Embed</title><h1>An app with Tessera inside</h1>\
    <p>Sign up at <code>POST /api/register</code>, sign in at <code>POST /api/auth</code>, \
    then <code>GET /api/dashboard</code> with <code>Authorization: Bearer &lt;token&gt;</code>.",
);

/// The app's own claim, added to every access token at sign-in and refresh.
#[derive(Clone, Serialize, Deserialize)]
struct Plan {
    plan: String,
}

fn plan_of(user: &Identity) -> Plan {
    let team = user.roles.iter().any(|role| role == "admin");
    let plan = if team { "team" } else { "free" }.to_owned();
    Plan { plan }
}

/// Any signed-in user: 401 with `WWW-Authenticate` before this runs otherwise.
async fn dashboard(user: AuthUser<Plan>) -> Json<Value> {
    let plan = &user.claims.extra.plan;
    Json(
        json!({ "hello_from": user.username, "user_id": user.id, "roles": user.claims.roles, "plan": plan }),
    )
}

/// Role `admin` only: 403 for the others.
async fn stats(
    State(state): State<AppState>,
    WithRole(admin, _): WithRole<Admin>,
) -> Result<Json<Value>, ApiError> {
    let users = state.tessera.accounts().list().await?.len();
    let uptime_secs = state.started.elapsed().as_secs();
    Ok(Json(
        json!({ "asked_by": admin.username, "users": users, "uptime_secs": uptime_secs }),
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Tessera's sign-ins, sign-ups and refusals, on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let data_dir = std::env::var("EMBED_DATA_DIR").unwrap_or_else(|_| "./embed-data".to_owned());
    // Every other field keeps its default: sign-up open, HS256 signed with
    // TESSERA_JWT_SECRET if set, else with a key generated into the data dir.
    let mut config = Config::default();
    config.store.data_dir = data_dir.into();
    let tessera = Tessera::builder(config).claims(plan_of).open().await?;
    let maintenance = tokio::spawn(tessera.maintenance());

    if let Ok(password) = std::env::var("EMBED_ADMIN_PASSWORD") {
        // Checked and hashed (argon2id) as `POST /api/register` would.
        let accounts = tessera.accounts();
        if accounts.find("admin").await?.is_none() {
            let roles = ["admin".to_owned()];
            accounts.create("admin", password, &roles).await?;
        }
    }

    let app = Router::new()
        .route("/", get(|| async { PAGE }))
        .route("/api/dashboard", get(dashboard))
        .route("/api/admin/stats", get(stats))
        .nest("/api", tessera.router())
        .with_state(AppState {
            tessera: tessera.clone(),
            started: Instant::now(),
        });

    let port: u16 = std::env::var("PORT").as_deref().unwrap_or("5000").parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    // The peer address is what Tessera's sign-in rate limits count by.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let ctrl_c = async { tokio::signal::ctrl_c().await.unwrap_or_default() };
    axum::serve(listener, app)
        .with_graceful_shutdown(ctrl_c)
        .await?;
    maintenance.abort();
    tessera.close().await;
    Ok(())
}
