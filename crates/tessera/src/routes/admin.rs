//! User administration, for holders of the `admin` role.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use tessera_shared::{paths, ErrorBody, UserProfile};

use crate::error::{ApiError, Result};
use crate::extract::auth_user::{Admin, FreshUser, WithRole};
use crate::session::Revoke;
use crate::state::AppState;
use crate::store::Deletion;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ADMIN_USERS, get(users_index))
        .route(
            &format!("{}/{{username}}", paths::ADMIN_USERS),
            delete(users_destroy),
        )
}

/// `GET /admin/users`: every account, oldest first.
#[utoipa::path(
    get,
    path = paths::ADMIN_USERS,
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every account, oldest first", body = Vec<UserProfile>),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "The token lacks the `admin` role", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 `insufficient_scope` challenge"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn users_index(
    State(state): State<AppState>,
    _admin: WithRole<Admin>,
) -> Result<Json<Vec<UserProfile>>> {
    Ok(Json(state.store.list_users().await?))
}

/// `DELETE /admin/users/{username}`: deletes the account and ends its sessions
/// at once. Destructive, so it takes a fresh token; and it never deletes the
/// caller nor the last administrator.
#[utoipa::path(
    delete,
    path = "/admin/users/{username}",
    tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account to delete")),
    responses(
        (status = 204, description = "Account deleted and its sessions ended"),
        (status = 401, description = "Missing, malformed, expired, revoked or not fresh token (sign in with the password again)", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "The token lacks the `admin` role", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 `insufficient_scope` challenge"))),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The account is the caller's own, or the last administrator", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn users_destroy(
    State(state): State<AppState>,
    WithRole(admin, _): WithRole<Admin>,
    _fresh: FreshUser,
    Path(username): Path<String>,
) -> Result<StatusCode> {
    let target = state
        .store
        .find_user_by_name(&username)
        .await?
        .ok_or(ApiError::UnknownUser)?;
    if target.id == admin.id {
        return Err(ApiError::OwnAccount);
    }
    let account = Revoke::Account {
        username: &username,
    };
    let revoked = state.sessions().revoke(account).await?;
    let id = match revoked.deletion {
        Some(Deletion::Deleted(id)) => id,
        Some(Deletion::LastAdmin) => return Err(ApiError::LastAdmin),
        Some(Deletion::NoSuchUser) | None => return Err(ApiError::UnknownUser),
    };
    tracing::info!(target: "tessera::audit", event = "user_deleted", user_id = id, %username, by = admin.id, "user deleted");
    Ok(StatusCode::NO_CONTENT)
}
