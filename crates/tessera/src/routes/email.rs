//! The caller's email address: setting it (`PUT /me/email`), confirming it
//! from the mailed link (`POST /email/verify`) and asking for a new link
//! (`POST /email/resend`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use tessera_shared::{paths, EmailChangeRequest, ErrorBody, TokenRequest, UserProfile};

use crate::error::{ApiError, Result};
use crate::extract::auth_user::{AuthUser, FreshUser};
use crate::extract::json::JsonBody;
use crate::state::AppState;
use crate::token::AuthError;
use crate::validate;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ME_EMAIL, put(email_update))
        .route(paths::EMAIL_VERIFY, post(email_verify))
        .route(paths::EMAIL_RESEND, post(email_resend))
}

/// `PUT /me/email`: sets or changes the caller's address. The new address is
/// unverified until its link is used; the old one is told of the change.
#[utoipa::path(
    put,
    path = paths::ME_EMAIL,
    tag = "account",
    request_body = EmailChangeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Address set; a verification link is mailed to it", body = UserProfile),
        (status = 400, description = "Missing or invalid JSON body, or not an email address", body = ErrorBody),
        (status = 401, description = "Missing, invalid or not fresh token (sign in with the password again)", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "The application owns the users (and their addresses)", body = ErrorBody),
        (status = 409, description = "Another account has this address", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many mails asked for this account or address, or too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn email_update(
    State(state): State<AppState>,
    FreshUser(caller): FreshUser,
    JsonBody(request): JsonBody<EmailChangeRequest>,
) -> Result<Json<UserProfile>> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Setting an email address"));
    }
    let email = validate::email(&request.email).map_err(ApiError::BadRequest)?;
    let user = state
        .store
        .find_user_by_id(caller.id)
        .await?
        .ok_or(AuthError::UnknownUser)?;
    if user.email.as_deref() == Some(email.as_str()) && user.email_verified {
        return Ok(Json(user.into()));
    }
    // Taken: answered before anything is counted, so asking for someone
    // else's address uses up no budget of theirs.
    if let Some(owner) = state.store.find_user_by_email(&email).await? {
        if owner.id != user.id {
            return Err(ApiError::EmailTaken);
        }
    }
    // Each change mails two addresses: limited like every other mail, per
    // account and per address set (a budget apart from the forgot-password
    // one of that address), so no one turns it into a mail cannon.
    state
        .limits
        .check_mail_request(&format!("account:{}", user.id))?;
    state.limits.check_mail_request(&format!("set:{email}"))?;
    let updated = state.self_service().change_email(&user, &email).await?;
    Ok(Json(updated.into()))
}

/// `POST /email/verify`: confirms the address the link was mailed to.
#[utoipa::path(
    post,
    path = paths::EMAIL_VERIFY,
    tag = "account",
    request_body = TokenRequest,
    responses(
        (status = 204, description = "Address verified"),
        (status = 400, description = "Missing or invalid JSON body, or a used, expired, replaced or forged link", body = ErrorBody),
        (status = 403, description = "The application owns the users (and their addresses)", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn email_verify(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<StatusCode> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Verifying an email address"));
    }
    if request.token.is_empty() {
        return Err(ApiError::BadRequest("Missing token parameter".to_owned()));
    }
    state.self_service().verify_email(&request.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /email/resend`: mails the caller a new verification link (the older
/// ones stop working). Limited per account.
#[utoipa::path(
    post,
    path = paths::EMAIL_RESEND,
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way", body = ErrorBody),
        (status = 400, description = "No address set, or it is verified already", body = ErrorBody),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "The application owns the users (and their addresses)", body = ErrorBody),
        (status = 429, description = "Too many links asked for, or too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn email_resend(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<(StatusCode, Json<ErrorBody>)> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Verifying an email address"));
    }
    let user = state
        .store
        .find_user_by_id(caller.id)
        .await?
        .ok_or(AuthError::UnknownUser)?;
    let Some(email) = &user.email else {
        return Err(ApiError::BadRequest(
            "No email address is set; add one with PUT /me/email".to_owned(),
        ));
    };
    if user.email_verified {
        return Err(ApiError::BadRequest(
            "Email address is already verified".to_owned(),
        ));
    }
    state
        .limits
        .check_mail_request(&format!("account:{}", user.id))?;
    state.self_service().send_verification(&user).await?;
    let msg = format!("A new verification link was sent to {email}");
    Ok((StatusCode::ACCEPTED, Json(ErrorBody::new(msg))))
}
