//! Changing the password: with a fresh token and the current password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tessera_shared::{paths, ErrorBody, PasswordChangeRequest};

use crate::error::{ApiError, Result};
use crate::extract::auth_user::FreshUser;
use crate::extract::json::JsonBody;
use crate::limits::{Client, MAX_WRONG_CURRENT_PASSWORDS};
use crate::session::Revoke;
use crate::state::AppState;
use crate::token::AuthError;
use crate::validate;

/// `POST /password` checks a password, so it is rate limited like the sign-in routes.
pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::PASSWORD, post(password_update))
}

/// `POST /password`: needs a fresh token and the current password; ends every
/// other session of the user. Limited per account and per client address; after
/// [`MAX_WRONG_CURRENT_PASSWORDS`] wrong current passwords in a row the session
/// itself ends, so a stolen fresh token buys only that many guesses.
#[utoipa::path(
    post,
    path = paths::PASSWORD,
    tag = "session",
    request_body = PasswordChangeRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Password changed; every other session ended"),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Missing, invalid or not fresh token (sign in with the password again)", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "Current password is incorrect, or the application owns the users", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many password changes for this account or from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn password_update(
    State(state): State<AppState>,
    client: Client,
    FreshUser(user): FreshUser,
    JsonBody(request): JsonBody<PasswordChangeRequest>,
) -> Result<StatusCode> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Changing a password"));
    }
    if request.current_password.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing current_password parameter".to_owned(),
        ));
    }
    if request.new_password.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing new_password parameter".to_owned(),
        ));
    }
    validate::password(&request.new_password).map_err(ApiError::BadRequest)?;
    // Counted before argon2, so a guesser cannot make us hash past the limits.
    state.limits.check_password_change(user.id, &client)?;
    let sessions = state.sessions();
    let (sid, user_id) = (user.claims.sid.as_str(), user.id);
    let valid_until = user.claims.exp + state.tokens.settings().leeway.as_secs();
    let checks = state.limits.current_password_check(sid, valid_until);
    if checks > MAX_WRONG_CURRENT_PASSWORDS {
        // Guesses sent at once, past the allowance while the first ones were checked.
        sessions.revoke(Revoke::Session { sid, user_id }).await?;
        return Err(AuthError::Revoked.into());
    }
    let right = match check_current(&state, user.id, request.current_password).await {
        Ok(right) => right,
        Err(err) => {
            state.limits.current_password_unchecked(sid);
            return Err(err);
        }
    };
    if !right {
        let ended = checks >= MAX_WRONG_CURRENT_PASSWORDS;
        tracing::warn!(target: "tessera::audit", event = "password_change_failed", user_id = user.id, session = %sid, client = %client.address, failures = checks, session_ended = ended, "wrong current password");
        if ended {
            sessions.revoke(Revoke::Session { sid, user_id }).await?;
        }
        return Err(ApiError::WrongPassword);
    }
    state.limits.current_password_right(sid);
    let hash = state.passwords.hash(request.new_password).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    sessions.end_all(user_id, Some(sid)).await?;
    tracing::info!(target: "tessera::audit", event = "password_changed", user_id = user.id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Whether `current` is the password of user `user_id`.
async fn check_current(state: &AppState, user_id: i64, current: String) -> Result<bool> {
    let stored = state
        .store
        .find_user_by_id(user_id)
        .await?
        .ok_or(AuthError::UnknownUser)?;
    if current.len() > validate::MAX_PASSWORD_LEN {
        return Ok(false);
    }
    let right = state
        .passwords
        .verify(current, Some(stored.password_hash))
        .await?;
    Ok(right)
}
