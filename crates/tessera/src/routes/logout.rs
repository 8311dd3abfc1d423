//! Signing out: of the caller's session, or of every session of theirs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tessera_shared::{paths, ErrorBody, LogoutRequest};

use crate::error::Result;
use crate::extract::assurance::FirstStep;
use crate::extract::auth_user::AuthUser;
use crate::extract::json::JsonBody;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::LOGOUT, post(logout_create))
        .route(paths::LOGOUT_ALL, post(logout_all_create))
}

/// `POST /logout`: ends the caller's session, a first step waiting for its
/// second factor included; the body may name another refresh token of theirs
/// to revoke too.
#[utoipa::path(
    post,
    path = paths::LOGOUT,
    tag = "session",
    request_body = LogoutRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Session ended"),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn logout_create(
    State(state): State<AppState>,
    // A first step too, so a sign-in abandoned at the second factor can end.
    FirstStep(user): FirstStep,
    body: Option<JsonBody<LogoutRequest>>,
) -> Result<StatusCode> {
    let other = body.and_then(|JsonBody(request)| request.refresh_token);
    state
        .sessions()
        .end(user.id, &user.claims, other.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /logout/all`: ends every session of the caller ("sign out
/// everywhere"). Not with a first-step token: knowing the password alone must
/// not end the sessions that passed the second factor.
#[utoipa::path(
    post,
    path = paths::LOGOUT_ALL,
    tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session of the caller ended"),
        (status = 401, description = "Missing, malformed, expired or revoked token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn logout_all_create(State(state): State<AppState>, user: AuthUser) -> Result<StatusCode> {
    state.sessions().end_all(user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
