//! Signed-in devices: the caller's live sessions, and ending one of them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use tessera_shared::{paths, ErrorBody, SessionList};

use crate::error::Result;
use crate::extract::auth_user::AuthUser;
use crate::state::AppState;

/// Where one session is ended.
const SESSION: &str = "/sessions/{id}";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SESSIONS, get(sessions_index))
        .route(SESSION, delete(sessions_destroy))
}

/// `GET /sessions`: the caller's live sessions, newest first, the current one marked.
#[utoipa::path(
    get,
    path = paths::SESSIONS,
    tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's live sessions", body = SessionList),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn sessions_index(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<SessionList>> {
    let sessions = state.sessions().list(user.id, &user.claims.sid).await?;
    Ok(Json(SessionList { sessions }))
}

/// `DELETE /sessions/{id}`: ends one of the caller's sessions at once, its
/// access tokens included, on every instance. A fresh token is not needed:
/// signing a device out only ever takes access away.
#[utoipa::path(
    delete,
    path = SESSION,
    tag = "session",
    params(("id" = String, Path, description = "The session's id, as `GET /sessions` lists it")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Session ended"),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 404, description = "No such live session of the caller's", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn sessions_destroy(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    state.sessions().end_one(user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
