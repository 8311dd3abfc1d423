//! Refreshing: a new access token and a new refresh token for a refresh token.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use tessera_shared::{paths, AuthResponse, ErrorBody, RefreshRequest};

use crate::error::{ApiError, Result};
use crate::extract::client_digest::ClientDigest;
use crate::extract::json::JsonBody;
use crate::extract::seen_from::Seen;
use crate::state::AppState;

/// `POST /refresh` takes a refresh token, so it is rate limited like the sign-in routes.
pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::REFRESH, post(refresh_create))
}

/// `POST /refresh`: a new access token and a new refresh token (rotation).
#[utoipa::path(
    post,
    path = paths::REFRESH,
    tag = "session",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and refresh token", body = AuthResponse),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Refresh token invalid, expired, revoked or reused", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client or for this username", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn refresh_create(
    State(state): State<AppState>,
    client: ClientDigest,
    Seen(seen): Seen,
    JsonBody(request): JsonBody<RefreshRequest>,
) -> Result<Json<AuthResponse>> {
    if request.refresh_token.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing refresh_token parameter".to_owned(),
        ));
    }
    let tokens = state
        .sessions()
        .refresh(&request.refresh_token, &client.0, &seen)
        .await?;
    Ok(Json(tokens.into_response()?))
}
