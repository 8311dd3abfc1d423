//! Forgotten passwords: a reset link by mail (`POST /password/forgot`) and
//! the new password set with it (`POST /password/reset`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use tessera_shared::{paths, ErrorBody, ForgotPasswordRequest, PasswordResetRequest};

use crate::error::{ApiError, Result};
use crate::extract::json::JsonBody;
use crate::state::AppState;
use crate::validate;

/// What `POST /password/forgot` always answers.
const FORGOT_ANSWER: &str =
    "If an account matches, a link to reset its password was sent to its email address";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSWORD_FORGOT, post(forgot_create))
        .route(paths::PASSWORD_RESET, post(reset_create))
}

/// `POST /password/forgot`: mails a reset link to the account named by
/// `email` or `username`, if there is one with a verified address. The answer is
/// the same, and comes as fast, whether or not there is: the look-up and
/// the mail happen after it.
#[utoipa::path(
    post,
    path = paths::PASSWORD_FORGOT,
    tag = "account",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "Always, account or not: a link is mailed if the account exists and has a verified address", body = ErrorBody),
        (status = 400, description = "Missing or invalid JSON body, or neither email nor username", body = ErrorBody),
        (status = 403, description = "The application owns the users (and their passwords)", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client or for this address or name", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn forgot_create(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<ForgotPasswordRequest>,
) -> Result<(StatusCode, Json<ErrorBody>)> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Resetting a password"));
    }
    let named = match (request.email, request.username) {
        (Some(email), _) if !email.trim().is_empty() => {
            Named::Email(email.trim().to_ascii_lowercase())
        }
        (_, Some(username)) if !username.is_empty() => {
            Named::Username(username.to_ascii_lowercase())
        }
        _ => {
            return Err(ApiError::BadRequest(
                "Missing email or username parameter".to_owned(),
            ))
        }
    };
    // Keyed by what was typed, so the limit says nothing about the account.
    state.limits.check_mail_request(named.key())?;
    tokio::spawn(send_reset(state, named));
    Ok((StatusCode::ACCEPTED, Json(ErrorBody::new(FORGOT_ANSWER))))
}

/// What a forgot-password request named.
enum Named {
    Email(String),
    Username(String),
}

impl Named {
    fn key(&self) -> &str {
        match self {
            Self::Email(email) | Self::Username(email) => email,
        }
    }
}

/// Looks the account up and mails it a link, after the request was answered.
async fn send_reset(state: AppState, named: Named) {
    let found = match &named {
        Named::Email(email) => match validate::email(email) {
            Ok(email) => state.store.find_user_by_email(&email).await,
            Err(_) => Ok(None),
        },
        Named::Username(name) => match validate::username(name) {
            Ok(()) => state.store.find_user_by_name(name).await,
            Err(_) => Ok(None),
        },
    };
    let user = match found {
        Ok(Some(user)) => user,
        Ok(None) => {
            tracing::info!(target: "tessera::audit", event = "password_reset_unknown", "password reset asked for no account");
            return;
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot look up the account of a password reset");
            return;
        }
    };
    // Per account too (however it was named), silently: a 429 would tell
    // the asker the account exists.
    if state
        .limits
        .check_mail_request(&format!("account:{}", user.id))
        .is_err()
    {
        return;
    }
    if let Err(err) = state.self_service().send_reset(&user).await {
        tracing::error!(error = %err, user_id = user.id, "cannot issue a password reset link");
    }
}

/// `POST /password/reset`: sets a new password with a reset link's token,
/// which then stops working, and ends every session of the user, access
/// tokens included.
#[utoipa::path(
    post,
    path = paths::PASSWORD_RESET,
    tag = "account",
    request_body = PasswordResetRequest,
    responses(
        (status = 204, description = "Password set; every session of the user ended"),
        (status = 400, description = "Missing or invalid JSON body, a password outside the rules, or a used, expired, replaced or forged link", body = ErrorBody),
        (status = 403, description = "The application owns the users (and their passwords)", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn reset_create(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<PasswordResetRequest>,
) -> Result<StatusCode> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Resetting a password"));
    }
    if request.token.is_empty() {
        return Err(ApiError::BadRequest("Missing token parameter".to_owned()));
    }
    if request.new_password.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing new_password parameter".to_owned(),
        ));
    }
    // The link is checked (a forged one costs no hash), then the password is
    // hashed, and only then is the link used up: a refused password or a
    // busy hasher (503) leaves it working.
    validate::password(&request.new_password).map_err(ApiError::BadRequest)?;
    let self_service = state.self_service();
    self_service.check_reset(&request.token).await?;
    let hash = state.passwords.hash(request.new_password).await?;
    let user = self_service.redeem_reset(&request.token).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    // Every session, access tokens included, through the revocations every instance follows.
    state.sessions().end_all(user.id, None).await?;
    // A passkey added by whoever held the password would outlive the reset.
    let passkeys = state.store.delete_user_passkeys(user.id).await?;
    tracing::info!(target: "tessera::audit", event = "password_reset", user_id = user.id, passkeys_removed = passkeys, "password reset by link");
    self_service.notify_reset(&user).await;
    Ok(StatusCode::NO_CONTENT)
}
