//! Tessera: JWT authentication for full-stack Rust web apps.
//!
//! As a server (`tessera serve`), it speaks the two classic Flask tutorials'
//! contracts: `POST /auth` answers `{"access_token": ..}`, `POST /login` answers
//! `{"jwt": ..}`, and protected routes take `Authorization: Bearer <token>` or
//! `Authorization: JWT <token>`. Users live in SQLite with argon2id hashes.
//!
//! As a library, it protects routes of your own axum app: put an
//! `Arc<TokenService>` in your state and take [`AuthUser`] in a handler.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{body::Body, http::{Request, StatusCode}, routing::get, Router};
//! use tessera::{AuthUser, JwtSecret, TokenService, TokenSettings};
//! use tower::ServiceExt;
//!
//! // The extractor does the work of Flask's `@jwt_required` + `current_identity`.
//! async fn dashboard(user: AuthUser) -> String {
//!     format!("hello {} (user {})", user.username, user.id)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // In production the secret comes from your configuration (32+ bytes).
//! let tokens = Arc::new(TokenService::new(&JwtSecret::generate(), TokenSettings::default()));
//! let app = Router::new().route("/dashboard", get(dashboard)).with_state(tokens.clone());
//!
//! let token = tokens.issue(42, "alice").unwrap().token;
//! let request = Request::get("/dashboard")
//!     .header("Authorization", format!("Bearer {token}"))
//!     .body(Body::empty())
//!     .unwrap();
//! assert_eq!(app.clone().oneshot(request).await.unwrap().status(), StatusCode::OK);
//!
//! let anonymous = Request::get("/dashboard").body(Body::empty()).unwrap();
//! assert_eq!(app.oneshot(anonymous).await.unwrap().status(), StatusCode::UNAUTHORIZED);
//! # }
//! ```

pub mod cli;
pub mod config;
mod data_dir;
mod device;
pub mod error;
pub mod extract;
pub mod keys;
pub mod limits;
pub mod password;
pub mod revocation;
mod routes;
pub mod secret;
pub mod server;
mod session;
pub mod site;
pub mod state;
pub mod store;
pub mod token;
pub mod validate;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::{ServeArgs, Signup};
pub use error::ApiError;
pub use extract::auth_user::{Admin, AuthUser, FreshUser, Role, WithRole};
pub use extract::json::JsonBody;
pub use password::Passwords;
pub use secret::JwtSecret;
pub use server::Server;
pub use site::Site;
pub use state::AppState;
pub use store::Store;
pub use token::AuthError;
pub use token::{Claims, Grant, NoExtraClaims, RefreshClaims, TokenService, TokenSettings};

/// Largest request body accepted; credentials are tiny, so anything bigger is abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The Tessera API as an axum router: every route, JSON errors for unknown
/// routes and methods, the body limit and the security headers. Request
/// logging is added by [`Server`].
pub fn app(state: AppState) -> Router {
    with_common_layers(api(state).fallback(|| async { ApiError::NotFound }))
}

/// [`app`] plus the browser app in `site`, served at `/` with SPA fallback.
pub fn app_with_site(state: AppState, site: Site) -> Router {
    let pages = site::serve.layer(CompressionLayer::new()).with_state(site);
    with_common_layers(api(state).fallback_service(pages))
}

// Layers are stacked with one `ServiceBuilder` per `layer` call: axum boxes and
// clones every route once per `layer` call on every request, so one stack costs
// one box where a call per layer cost one each (a third of `/healthz`'s CPU).

fn api(state: AppState) -> Router {
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
    router.layer(
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
            )),
    )
}
