//! Routes that need a valid token.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::{paths, ErrorBody, ProtectedResponse, UserProfile};

use crate::error::Result;
use crate::extract::auth_user::AuthUser;
use crate::state::AppState;
use crate::token::AuthError;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PROTECTED, get(protected_show))
        .route(paths::ME, get(me_show))
}

/// `GET /protected`: the seeds' demo resource. Stateless: the token alone decides.
#[utoipa::path(
    get,
    path = paths::PROTECTED,
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The demo resource", body = ProtectedResponse),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
    )
)]
async fn protected_show(user: AuthUser) -> Json<ProtectedResponse> {
    Json(ProtectedResponse {
        hello_from: user.username,
        data: vec![1, 2, 3],
    })
}

/// `GET /me`: the caller's profile, read from the store.
#[utoipa::path(
    get,
    path = paths::ME,
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = UserProfile),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn me_show(State(state): State<AppState>, user: AuthUser) -> Result<Json<UserProfile>> {
    let user = state
        .store
        .find_user_by_id(user.id)
        .await?
        .ok_or(AuthError::UnknownUser)?;
    Ok(Json(user.into()))
}
