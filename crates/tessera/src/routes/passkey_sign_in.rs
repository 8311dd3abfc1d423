//! Signing in with a passkey: with no username (`/passkeys/sign-in`), or as
//! the second step of a password sign-in (`/mfa/passkey`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use tessera_shared::{paths, AuthResponse, ErrorBody, PasskeyAssertion, PasskeyChallenge};

use crate::error::Result;
use crate::extract::assurance::FirstStep;
use crate::extract::json::JsonBody;
use crate::extract::seen_from::Seen;
use crate::state::AppState;

use super::pending_second_step;
use crate::token::SignIn;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSKEY_SIGN_IN_OPTIONS, post(sign_in_options_create))
        .route(paths::PASSKEY_SIGN_IN, post(sign_in_create))
        .route(paths::MFA_PASSKEY_OPTIONS, post(second_step_options_create))
        .route(paths::MFA_PASSKEY, post(second_step_create))
}

/// `POST /passkeys/sign-in/options`: begins a sign-in with no username.
#[utoipa::path(
    post,
    path = paths::PASSKEY_SIGN_IN_OPTIONS,
    tag = "passkeys",
    responses(
        (status = 200, description = "The ceremony and its request options, for `navigator.credentials.get()` (any discoverable credential may answer; pass `mediation: \"conditional\"` for autofill)", body = PasskeyChallenge),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn sign_in_options_create(State(state): State<AppState>) -> Result<Json<PasskeyChallenge>> {
    Ok(Json(state.passkeys()?.start_sign_in().await?))
}

/// `POST /passkeys/sign-in`: signs in with a passkey.
#[utoipa::path(
    post,
    path = paths::PASSKEY_SIGN_IN,
    tag = "passkeys",
    request_body = PasskeyAssertion,
    responses(
        (status = 200, description = "Signed in: access and refresh tokens at acr \"2\", amr [\"hwk\", \"user\"]", body = AuthResponse),
        (status = 400, description = "Missing or invalid JSON body, an invalid credential, or an unknown, used or expired ceremony", body = ErrorBody),
        (status = 403, description = "Passkey not accepted (unknown, wrong signature, no user verification, a counter that did not rise, or its user may not sign in); or the email address must be verified first", body = ErrorBody),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn sign_in_create(
    State(state): State<AppState>,
    Seen(seen): Seen,
    JsonBody(body): JsonBody<PasskeyAssertion>,
) -> Result<Json<AuthResponse>> {
    let user_id = state
        .passkeys()?
        .finish_sign_in(&body.ceremony, body.credential)
        .await?;
    let (_, tokens) = state.sessions().start_with_passkey(user_id, &seen).await?;
    Ok(Json(tokens.into_response()?))
}

/// `POST /mfa/passkey/options`: begins a second step by passkey.
#[utoipa::path(
    post,
    path = paths::MFA_PASSKEY_OPTIONS,
    tag = "second factor",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ceremony and its request options; only the user's passkeys may answer", body = PasskeyChallenge),
        (status = 401, description = "Missing or invalid token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 409, description = "This sign-in needs no second step, or the user has no passkey", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn second_step_options_create(
    State(state): State<AppState>,
    FirstStep(user): FirstStep,
) -> Result<Json<PasskeyChallenge>> {
    pending_second_step(&user)?;
    Ok(Json(state.passkeys()?.start_second_step(user.id).await?))
}

/// `POST /mfa/passkey`: completes a sign-in with a passkey.
#[utoipa::path(
    post,
    path = paths::MFA_PASSKEY,
    tag = "second factor",
    security(("bearer" = [])),
    request_body = PasskeyAssertion,
    responses(
        (status = 200, description = "Sign-in completed: access and refresh tokens of the same session at acr \"2\", amr [\"pwd\", \"hwk\", \"user\"]; the first-step token stops working", body = AuthResponse),
        (status = 400, description = "Missing or invalid JSON body, an invalid credential, or an unknown, used or expired ceremony", body = ErrorBody),
        (status = 401, description = "Missing or invalid token, or its sign-in was already completed", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 challenge"))),
        (status = 403, description = "Passkey not accepted", body = ErrorBody),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 409, description = "This sign-in needs no second step", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn second_step_create(
    State(state): State<AppState>,
    FirstStep(user): FirstStep,
    JsonBody(body): JsonBody<PasskeyAssertion>,
) -> Result<Json<AuthResponse>> {
    pending_second_step(&user)?;
    state
        .passkeys()?
        .finish_second_step(user.id, &body.ceremony, body.credential)
        .await?;
    let tokens = state
        .sessions()
        .raise(user.id, &user.claims, SignIn::PasswordAndPasskey)
        .await?;
    Ok(Json(tokens.into_response()?))
}
