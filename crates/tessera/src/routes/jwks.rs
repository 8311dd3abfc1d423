//! The public signing keys, for services that verify Tessera's tokens themselves.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::paths;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::JWKS, get(jwks_show))
}

/// `GET /.well-known/jwks.json`: every public verification key by `kid`
/// (`{"keys": []}` for HS256, whose key is secret). Cacheable briefly: after a
/// rotation verifiers see the new key within minutes, and should re-fetch on an
/// unknown `kid` anyway.
#[utoipa::path(
    get,
    path = paths::JWKS,
    tag = "keys",
    responses(
        (status = 200, description = "The public verification keys (empty for HS256)", body = super::openapi::JwkSet, headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
    )
)]
async fn jwks_show(State(state): State<AppState>) -> Response {
    let ring = state.tokens.keys().current();
    let mut response = Json(ring.jwks()).into_response();
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
