//! The HTTP routes, one module per concern, and the OpenAPI document that
//! describes them all. Only this module knows every route: they never import
//! one another.

mod account;
mod admin;
mod auth;
mod discovery;
mod email;
mod health;
mod jwks;
mod logout;
mod mfa;
mod openapi;
mod passkey_sign_in;
mod passkeys;
mod password_change;
mod password_reset;
mod refresh;
mod sessions;

use axum::middleware::from_fn_with_state;
use axum::Router;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::extract::auth_user::AuthUser;
use crate::limits;
use crate::state::AppState;
use crate::token::Assurance;
use openapi::{BearerScheme, OptionalLogoutBody};

/// Every API route. Those that take a password, a refresh token or a mailed
/// link's token, or send mail, are rate limited per client address (and know
/// their [`limits::Client`]).
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let limited = auth::router()
        .merge(refresh::router())
        .merge(password_change::router())
        .merge(password_reset::router())
        .merge(email::router())
        .merge(mfa::router())
        .merge(passkey_sign_in::router())
        .route_layer(from_fn_with_state(
            state.limits.clone(),
            limits::per_address,
        ));
    limited
        .merge(logout::router())
        .merge(sessions::router())
        .merge(mfa::status_router())
        .merge(passkeys::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(jwks::router())
        .merge(discovery::router())
        .merge(health::router())
        .merge(openapi::router(ApiDoc::openapi()))
}

/// Refuses a token whose sign-in needs no second step (the routes that
/// complete one take first-step tokens, and only those).
fn pending_second_step(user: &AuthUser) -> crate::error::Result<()> {
    if user.assurance() != Assurance::FirstStep {
        return Err(ApiError::SecondFactorState(
            "This sign-in needs no second step".to_owned(),
        ));
    }
    Ok(())
}

/// The API's OpenAPI 3.1 contract, generated from the handlers and wire types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera",
        description = "JWT authentication server. Every error body is `{\"msg\": \"...\"}`; \
                       an unknown route answers 404 and a known route with another method 405."
    ),
    paths(
        auth::auth_create,
        auth::login_create,
        auth::register_create,
        refresh::refresh_create,
        logout::logout_create,
        logout::logout_all_create,
        sessions::sessions_index,
        sessions::sessions_destroy,
        password_change::password_update,
        password_reset::forgot_create,
        password_reset::reset_create,
        email::email_update,
        email::email_verify,
        email::email_resend,
        mfa::totp_show,
        mfa::totp_create,
        mfa::totp_confirm,
        mfa::verify_create,
        mfa::totp_destroy,
        mfa::recovery_codes_create,
        passkey_sign_in::second_step_options_create,
        passkey_sign_in::second_step_create,
        passkey_sign_in::sign_in_options_create,
        passkey_sign_in::sign_in_create,
        passkeys::passkeys_index,
        passkeys::registration_options_create,
        passkeys::passkeys_create,
        passkeys::passkey_update,
        passkeys::passkey_destroy,
        account::protected_show,
        account::me_show,
        admin::users_index,
        admin::users_destroy,
        jwks::jwks_show,
        discovery::discovery_show,
        health::healthz_show,
        health::readyz_show,
        openapi::openapi_show,
    ),
    modifiers(&BearerScheme, &OptionalLogoutBody)
)]
struct ApiDoc;
