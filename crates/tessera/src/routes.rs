//! The HTTP routes, one module per concern.

mod account;
mod admin;
mod auth;
mod health;
mod jwks;
mod session;

use axum::Router;

use crate::state::AppState;

/// Every API route.
pub(crate) fn router() -> Router<AppState> {
    auth::router()
        .merge(session::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(jwks::router())
        .merge(health::router())
}
