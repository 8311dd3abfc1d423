//! Second factors: TOTP enrolment (`/mfa/totp`, `/mfa/totp/confirm`),
//! completing a sign-in (`/mfa/verify`), removal and new recovery codes.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use tessera_shared::{
    paths, AuthResponse, ErrorBody, RecoveryCodes, SecondFactorProof, TotpCode, TotpEnrollment,
    TotpStatus,
};

use crate::error::{ApiError, Result};
use crate::extract::assurance::{FirstStep, SecondFactor};
use crate::extract::auth_user::{AuthUser, FreshUser};
use crate::extract::json::JsonBody;
use crate::state::AppState;
use crate::token::{AuthError, SignIn};

/// The routes that check a code (rate limited per address, like sign-in).
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::MFA_TOTP, post(totp_create).delete(totp_destroy))
        .route(paths::MFA_TOTP_CONFIRM, post(totp_confirm))
        .route(paths::MFA_VERIFY, post(verify_create))
        .route(paths::MFA_RECOVERY_CODES, post(recovery_codes_create))
}

#[utoipa::path(
    get,
    path = paths::MFA_TOTP,
    tag = "second factor",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether TOTP is on (a pending enrolment is not), and how many recovery codes are left", body = TotpStatus),
        (status = 401, description = "Missing, malformed, expired or revoked token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn totp_show(State(state): State<AppState>, user: AuthUser) -> Result<Json<TotpStatus>> {
    Ok(Json(state.second_factors().status(user.id).await?))
}

#[utoipa::path(
    post,
    path = paths::MFA_TOTP,
    tag = "second factor",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A pending enrolment: the secret, its otpauth:// URI and a QR code; confirm it with a code", body = TotpEnrollment),
        (status = 401, description = "Missing, invalid or not fresh token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 409, description = "TOTP is already enabled", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn totp_create(
    State(state): State<AppState>,
    FreshUser(user): FreshUser,
) -> Result<Json<TotpEnrollment>> {
    let enrollment = state
        .second_factors()
        .enroll(user.id, &user.username)
        .await?;
    Ok(Json(enrollment))
}

#[utoipa::path(
    post,
    path = paths::MFA_TOTP_CONFIRM,
    tag = "second factor",
    security(("bearer" = [])),
    request_body = TotpCode,
    responses(
        (status = 200, description = "TOTP enabled: ten recovery codes, shown this once; the user's other sessions end", body = RecoveryCodes),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Missing, invalid or not fresh token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 403, description = "Wrong or already used code", body = ErrorBody),
        (status = 409, description = "No enrolment is pending", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many wrong codes for this account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn totp_confirm(
    State(state): State<AppState>,
    FreshUser(user): FreshUser,
    JsonBody(body): JsonBody<TotpCode>,
) -> Result<Json<RecoveryCodes>> {
    let code = required(body.code)?;
    let recovery_codes = state.second_factors().confirm(user.id, &code).await?;
    // Sessions signed in with the password alone predate the second factor.
    state
        .sessions()
        .end_all(user.id, Some(&user.claims.sid))
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[utoipa::path(
    post,
    path = paths::MFA_VERIFY,
    tag = "second factor",
    security(("bearer" = [])),
    request_body = SecondFactorProof,
    responses(
        (status = 200, description = "Sign-in completed: access and refresh tokens of the same session at acr \"2\"; the first-step token stops working", body = AuthResponse),
        (status = 400, description = "Missing or invalid JSON body, or neither or both of code and recovery_code", body = ErrorBody),
        (status = 401, description = "Missing or invalid token, or its sign-in was already completed", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "Wrong or already used code or recovery code", body = ErrorBody),
        (status = 409, description = "TOTP is not enabled", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many wrong codes for this account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn verify_create(
    State(state): State<AppState>,
    FirstStep(user): FirstStep,
    JsonBody(proof): JsonBody<SecondFactorProof>,
) -> Result<Json<AuthResponse>> {
    super::pending_second_step(&user)?;
    state.second_factors().check(user.id, &proof).await?;
    let tokens = state
        .sessions()
        .raise(user.id, &user.claims, SignIn::PasswordAndCode)
        .await?;
    Ok(Json(tokens.into_response()?))
}

#[utoipa::path(
    delete,
    path = paths::MFA_TOTP,
    tag = "second factor",
    security(("bearer" = [])),
    request_body = TotpCode,
    responses(
        (status = 204, description = "TOTP removed, with the recovery codes"),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Missing or invalid token, not fresh, or not signed in with the second factor", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 403, description = "Wrong or already used code", body = ErrorBody),
        (status = 409, description = "TOTP is not enabled", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many wrong codes for this account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn totp_destroy(
    State(state): State<AppState>,
    SecondFactor(user): SecondFactor,
    JsonBody(body): JsonBody<TotpCode>,
) -> Result<axum::http::StatusCode> {
    if !user.claims.fresh {
        return Err(AuthError::NotFresh.into());
    }
    let code = required(body.code)?;
    state.second_factors().disable(user.id, &code).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = paths::MFA_RECOVERY_CODES,
    tag = "second factor",
    security(("bearer" = [])),
    request_body = TotpCode,
    responses(
        (status = 200, description = "Ten new recovery codes, shown this once; the old ones stop working", body = RecoveryCodes),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Missing or invalid token, not fresh, or not signed in with the second factor", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 403, description = "Wrong or already used code", body = ErrorBody),
        (status = 409, description = "TOTP is not enabled", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many wrong codes for this account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn recovery_codes_create(
    State(state): State<AppState>,
    SecondFactor(user): SecondFactor,
    JsonBody(body): JsonBody<TotpCode>,
) -> Result<Json<RecoveryCodes>> {
    if !user.claims.fresh {
        return Err(AuthError::NotFresh.into());
    }
    let code = required(body.code)?;
    let recovery_codes = state.second_factors().regenerate(user.id, &code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// The status read, which checks nothing and is not limited: an account page
/// reads it on every load.
pub(super) fn status_router() -> Router<AppState> {
    Router::new().route(paths::MFA_TOTP, get(totp_show))
}

fn required(code: String) -> Result<String> {
    if code.trim().is_empty() {
        return Err(ApiError::BadRequest("Missing code parameter".to_owned()));
    }
    Ok(code)
}
