//! Routes that need a valid token.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::{paths, ProtectedResponse, UserProfile};

use crate::error::{AuthError, Result};
use crate::extract::auth_user::AuthUser;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PROTECTED, get(protected_show))
        .route(paths::ME, get(me_show))
}

/// `GET /protected`: the seeds' demo resource. Stateless: the token alone decides.
async fn protected_show(user: AuthUser) -> Json<ProtectedResponse> {
    Json(ProtectedResponse {
        hello_from: user.username,
        data: vec![1, 2, 3],
    })
}

/// `GET /me`: the caller's profile, read from the store.
async fn me_show(State(state): State<AppState>, user: AuthUser) -> Result<Json<UserProfile>> {
    let user = state
        .store
        .find_user_by_id(user.id)
        .await?
        .ok_or(AuthError::UnknownUser)?;
    Ok(Json(user.into()))
}
