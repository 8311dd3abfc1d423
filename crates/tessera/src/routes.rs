//! The HTTP routes, one module per concern.

mod account;
mod auth;
mod health;

use axum::Router;

use crate::state::AppState;

/// Every API route.
pub(crate) fn router() -> Router<AppState> {
    auth::router()
        .merge(account::router())
        .merge(health::router())
}
