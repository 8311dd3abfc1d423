//! The HTTP routes, one module per concern.

mod account;
mod admin;
mod auth;
mod discovery;
mod health;
mod jwks;
mod openapi;
mod session;

use axum::middleware::from_fn_with_state;
use axum::Router;

use crate::limits;
use crate::state::AppState;

/// Every API route. Those that take a password or a refresh token are rate
/// limited per client address (and know their [`limits::Client`]).
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let limited = auth::router()
        .merge(session::refresh_router())
        .merge(session::password_router())
        .route_layer(from_fn_with_state(
            state.limits.clone(),
            limits::per_address,
        ));
    limited
        .merge(session::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(jwks::router())
        .merge(discovery::router())
        .merge(health::router())
        .merge(openapi::router())
}
