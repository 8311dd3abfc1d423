//! Tessera: JWT authentication for full-stack Rust web apps.
//!
//! Put Tessera inside your axum app: [`Tessera::open`] builds it from a plain
//! [`Config`], [`Tessera::router`] gives you its routes (the Flask tutorials'
//! `POST /auth` → `{"access_token"}` and `POST /login` → `{"jwt"}`, plus
//! `/register`, `/refresh`, `/logout`, `/me`, JWKS, ...) to `merge` or `nest`,
//! [`AuthUser`] protects your own handlers (Flask's `@jwt_required`), and
//! [`Tessera::maintenance`] is the background work every instance runs.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{extract::FromRef, routing::get, Json, Router};
//! use tessera::{AuthUser, Config, StoreConfig, Tessera, TokenService};
//!
//! // The app's own state; the extractors find the token checks in it.
//! #[derive(Clone)]
//! struct AppState {
//!     tessera: Tessera,
//! }
//!
//! impl FromRef<AppState> for Arc<TokenService> {
//!     fn from_ref(state: &AppState) -> Self {
//!         state.tessera.tokens()
//!     }
//! }
//!
//! async fn dashboard(user: AuthUser) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "hello_from": user.username }))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! let config = Config {
//!     store: StoreConfig { data_dir: "./myapp-data".into(), ..StoreConfig::default() },
//!     ..Config::default()
//! };
//! # let config = Config { store: StoreConfig { data_dir: dir.path().into(), ..config.store }, ..config };
//! let tessera = Tessera::open(config).await?;
//! let maintenance = tokio::spawn(tessera.maintenance());
//!
//! let app: Router = Router::new()
//!     .route("/dashboard", get(dashboard))
//!     .nest("/api", tessera.router())
//!     .with_state(AppState { tessera: tessera.clone() });
//! # let _ = app;
//! // The sign-in limits key on the client's address: serve with it.
//! // axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! maintenance.abort();
//! tessera.close().await;
//! # Ok(())
//! # }
//! ```
//!
//! The users are Tessera's own (its SQLite or Postgres store, `POST /register`)
//! unless the app brings its own: implement [`Users`] (Flask-JWT's
//! `authenticate` and `identity`) and pass it to [`TesseraBuilder::users`];
//! sessions, refresh rotation, revocation and the rate limits work the same.
//! [`TesseraBuilder::claims`] adds the app's own claims to every access token,
//! read back typed with [`AuthUser<E>`](AuthUser).
//!
//! To run Tessera as a service of its own, as `tessera serve` does, use
//! [`Server`]. For tokens only (your own sign-in route), a [`TokenService`]
//! issues, refreshes and verifies them. Other services that trust Tessera's
//! tokens check them with a [`Verifier`], given only Tessera's URL, and the
//! [`RemoteUser`] extractor.

mod account;
mod accounts;
mod clock;
mod config;
mod data_dir;
mod device;
mod error;
mod extract;
mod keys;
mod limits;
mod mail;
mod maintenance;
mod mfa;
mod passkey;
mod password;
mod revocation;
mod routes;
mod secret;
mod server;
mod session;
mod site;
mod startup;
mod state;
mod store;
mod tessera;
mod token;
mod users;
mod validate;
mod verifier;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::Router;

use crate::site::Site;
use crate::state::AppState;
use tower::layer::util::{Identity as NoLayer, Stack};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use account::{RESET_PASSWORD_TTL, VERIFY_EMAIL_TTL};
pub use accounts::{Accounts, AccountsError};
pub use config::{Config, ConfigError, Signup, StoreConfig, MAX_LEEWAY};
pub use error::ApiError;
pub use extract::assurance::{FirstStep, SecondFactor};
pub use extract::auth_user::{
    bearer_token, Admin, AuthUser, FreshUser, Role, WithRole, MAX_AUTHORIZATION_LEN,
};
pub use extract::json::JsonBody;
pub use extract::remote_user::RemoteUser;
pub use keys::{KeyError, KeyInfo, KeyRing, Keys, SigningAlg};
pub use limits::Rate;
pub use mail::{Mailer, SmtpServer, SmtpTls};
pub use maintenance::KEY_RELOAD_INTERVAL;
pub use password::{PasswordError, Passwords};
pub use revocation::Revocations;
pub use secret::{JwtSecret, SecretError, MIN_SECRET_LEN};
pub use server::{Server, ServerConfig};
pub use session::SessionSettings;
pub use site::MissingIndex;
pub use startup::{SecondFactorKeyError, StartupError};
pub use store::StoreError;
pub use tessera::{Tessera, TesseraBuilder};
pub use token::{Assurance, AuthError, IssuedToken};
pub use token::{
    Claims, Grant, NoExtraClaims, RefreshClaims, TokenService, TokenSettings, RESERVED_CLAIMS,
};
pub use users::{Identity, Users, UsersError, UsersFuture};
pub use verifier::{Verifier, VerifierBuilder, VerifierError, VerifyError};

/// Largest request body accepted; credentials are tiny, so anything bigger is abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The Tessera API as an axum router: every route, JSON errors for unknown
/// routes and methods, the body limit and the security headers. Request
/// logging is added by [`Server`].
pub(crate) fn app(state: AppState) -> Router {
    with_common_layers(api(state).fallback(|| async { ApiError::NotFound }))
}

/// [`app`] plus the browser app in `site`, served at `/` with SPA fallback.
pub(crate) fn app_with_site(state: AppState, site: Site) -> Router {
    let pages = site::serve.layer(CompressionLayer::new()).with_state(site);
    with_common_layers(api(state).fallback_service(pages))
}

// Layers are stacked with one `ServiceBuilder` per `layer` call: axum boxes and
// clones every route once per `layer` call on every request, so one stack costs
// one box where a call per layer cost one each (a third of `/healthz`'s CPU).

fn api<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    routes::router(&state)
        .route_layer(
            ServiceBuilder::new()
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                // RFC 6749 §5.1: responses carrying tokens must not be cached.
                .layer(SetResponseHeaderLayer::if_not_present(
                    CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                )),
        )
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
}

fn with_common_layers(router: Router) -> Router {
    router.layer(security_headers())
}

/// What every answer of Tessera's carries (the routes', and the fallback's when
/// Tessera serves everything).
type SecurityHeaders = ServiceBuilder<
    Stack<
        SetResponseHeaderLayer<HeaderValue>,
        Stack<
            SetResponseHeaderLayer<HeaderValue>,
            Stack<
                SetResponseHeaderLayer<HeaderValue>,
                Stack<SetResponseHeaderLayer<HeaderValue>, NoLayer>,
            >,
        >,
    >,
>;

fn security_headers() -> SecurityHeaders {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // API answers are data, never documents: nothing may run or embed them.
        // The app's page sets its own, looser policy first.
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}
