//! The caller's passkeys: list, register (`/passkeys/options`, then
//! `POST /passkeys`), rename, remove.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use tessera_shared::{
    paths, ErrorBody, PasskeyChallenge, PasskeyInfo, PasskeyList, PasskeyName, PasskeyRegistration,
};

use crate::error::Result;
use crate::extract::auth_user::{AuthUser, FreshUser};
use crate::extract::json::JsonBody;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSKEYS, get(passkeys_index).post(passkeys_create))
        .route(paths::PASSKEY_OPTIONS, post(registration_options_create))
        .route(
            paths::PASSKEY,
            axum::routing::patch(passkey_update).delete(passkey_destroy),
        )
}

/// `GET /passkeys`: the caller's passkeys.
#[utoipa::path(
    get,
    path = paths::PASSKEYS,
    tag = "passkeys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's passkeys, oldest first", body = PasskeyList),
        (status = 401, description = "Missing, invalid or revoked token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn passkeys_index(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PasskeyList>> {
    let passkeys = state.passkeys()?.list(user.id).await?;
    Ok(Json(PasskeyList { passkeys }))
}

/// `POST /passkeys/options`: begins a registration.
#[utoipa::path(
    post,
    path = paths::PASSKEY_OPTIONS,
    tag = "passkeys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ceremony and its creation options, for `navigator.credentials.create()`; they ask for a discoverable credential and user verification", body = PasskeyChallenge),
        (status = 401, description = "Missing, invalid or not fresh token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn registration_options_create(
    State(state): State<AppState>,
    FreshUser(user): FreshUser,
) -> Result<Json<PasskeyChallenge>> {
    let challenge = state
        .passkeys()?
        .start_registration(user.id, &user.username)
        .await?;
    Ok(Json(challenge))
}

/// `POST /passkeys`: finishes a registration.
#[utoipa::path(
    post,
    path = paths::PASSKEYS,
    tag = "passkeys",
    security(("bearer" = [])),
    request_body = PasskeyRegistration,
    responses(
        (status = 201, description = "Passkey registered", body = PasskeyInfo),
        (status = 400, description = "Missing or invalid JSON body, a name empty or over 64 characters, an invalid credential, or an unknown, used or expired ceremony", body = ErrorBody),
        (status = 401, description = "Missing, invalid or not fresh token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 403, description = "The credential does not answer the ceremony (challenge, origin, user verification)", body = ErrorBody),
        (status = 404, description = "Passkeys are off: the server has no public URL", body = ErrorBody),
        (status = 409, description = "This authenticator's credential is registered already", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn passkeys_create(
    State(state): State<AppState>,
    FreshUser(user): FreshUser,
    JsonBody(body): JsonBody<PasskeyRegistration>,
) -> Result<(StatusCode, Json<PasskeyInfo>)> {
    let passkey = state
        .passkeys()?
        .finish_registration(user.id, &body.ceremony, &body.name, body.credential)
        .await?;
    Ok((StatusCode::CREATED, Json(passkey)))
}

/// `PATCH /passkeys/{id}`: renames one of the caller's passkeys.
#[utoipa::path(
    patch,
    path = paths::PASSKEY,
    tag = "passkeys",
    params(("id" = String, Path, description = "The passkey's id, as `GET /passkeys` lists it")),
    security(("bearer" = [])),
    request_body = PasskeyName,
    responses(
        (status = 200, description = "Renamed", body = PasskeyInfo),
        (status = 400, description = "Missing or invalid JSON body, or a name empty or over 64 characters", body = ErrorBody),
        (status = 401, description = "Missing, invalid or revoked token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 404, description = "No such passkey of the caller's, or passkeys are off", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn passkey_update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PasskeyName>,
) -> Result<Json<PasskeyInfo>> {
    let passkey = state.passkeys()?.rename(user.id, &id, &body.name).await?;
    Ok(Json(passkey))
}

/// `DELETE /passkeys/{id}`: removes one of the caller's passkeys.
#[utoipa::path(
    delete,
    path = paths::PASSKEY,
    tag = "passkeys",
    params(("id" = String, Path, description = "The passkey's id, as `GET /passkeys` lists it")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed: it signs nobody in any more, and the user's other sessions end"),
        (status = 401, description = "Missing, invalid or not fresh token, or a first-step token", body = ErrorBody, headers(("WWW-Authenticate" = String, description = "RFC 6750 / RFC 9470 challenge"))),
        (status = 404, description = "No such passkey of the caller's, or passkeys are off", body = ErrorBody),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn passkey_destroy(
    State(state): State<AppState>,
    FreshUser(user): FreshUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    state.passkeys()?.remove(user.id, &id).await?;
    // Sessions do not record which passkey began them: a removed one (a lost
    // phone's) may have begun any but this one.
    state
        .sessions()
        .end_all(user.id, Some(&user.claims.sid))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
