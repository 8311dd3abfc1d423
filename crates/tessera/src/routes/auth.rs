//! Signing in (`/auth`, `/login`) and signing up (`/register`).

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use tessera_shared::{
    paths, AuthResponse, Credentials, ErrorBody, LoginResponse, RegisterRequest, UserProfile,
};

use crate::config::Signup;
use crate::device;
use crate::error::{ApiError, Result};
use crate::extract::json::JsonBody;
use crate::limits::Client;
use crate::session::Tokens;
use crate::state::AppState;
use crate::validate;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::AUTH, post(auth_create))
        .route(paths::LOGIN, post(login_create))
        .route(paths::REGISTER, post(register_create))
}

/// `POST /auth`, Flask-JWT's shape.
#[utoipa::path(
    post,
    path = paths::AUTH,
    tag = "sign-in",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in: access and refresh tokens", body = AuthResponse, headers(("Set-Cookie" = String, description = "The device cookie (`tessera_device`): lets this client keep signing in while the username is locked by guesses from elsewhere"))),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Bad username or password", body = ErrorBody),
        (status = 403, description = "The server requires a verified email address, and this account's is not verified yet", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client or for this username", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn auth_create(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<(
    [(axum::http::HeaderName, HeaderValue); 1],
    Json<AuthResponse>,
)> {
    let (tokens, cookie) = sign_in(&state, &client, &headers, credentials, true).await?;
    Ok(([(SET_COOKIE, cookie)], Json(tokens.into_response()?)))
}

/// `POST /login`, Flask-JWT-Simple's shape.
#[utoipa::path(
    post,
    path = paths::LOGIN,
    tag = "sign-in",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in: the access token", body = LoginResponse, headers(("Set-Cookie" = String, description = "The device cookie (`tessera_device`): lets this client keep signing in while the username is locked by guesses from elsewhere"))),
        (status = 400, description = "Missing or invalid JSON body, or a missing field", body = ErrorBody),
        (status = 401, description = "Bad username or password", body = ErrorBody),
        (status = 403, description = "The server requires a verified email address, and this account's is not verified yet", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client or for this username", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn login_create(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<(
    [(axum::http::HeaderName, HeaderValue); 1],
    Json<LoginResponse>,
)> {
    let (tokens, cookie) = sign_in(&state, &client, &headers, credentials, false).await?;
    let body = LoginResponse {
        jwt: tokens.access.token,
    };
    Ok(([(SET_COOKIE, cookie)], Json(body)))
}

/// `POST /register`: 201 with the new profile. With an email address, a
/// verification link is mailed to it.
#[utoipa::path(
    post,
    path = paths::REGISTER,
    tag = "sign-in",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = UserProfile),
        (status = 400, description = "Missing or invalid JSON body, or a field outside its rules", body = ErrorBody),
        (status = 403, description = "Sign-up is closed on this server, or the application owns the users", body = ErrorBody),
        (status = 409, description = "Username or email address is already taken", body = ErrorBody),
        (status = 413, description = "Request body over 16 KiB", body = ErrorBody),
        (status = 429, description = "Too many requests from this client or for this username", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn register_create(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RegisterRequest>,
) -> Result<(StatusCode, Json<UserProfile>)> {
    if state.accounts.app_owned() {
        return Err(ApiError::AppOwnsUsers("Registration"));
    }
    if state.signup == Signup::Closed {
        return Err(ApiError::SignupClosed);
    }
    let RegisterRequest {
        username,
        password,
        email,
    } = request;
    validate::username(&username).map_err(ApiError::BadRequest)?;
    validate::password(&password).map_err(ApiError::BadRequest)?;
    let email = email
        .as_deref()
        .map(validate::email)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let hash = state.passwords.hash(password).await?;
    let user = state
        .store
        .create_user_with_email(&username, &hash, &[], email.as_deref())
        .await?;
    tracing::info!(target: "tessera::audit", event = "registered", user_id = user.id, username = %user.username, "user registered");
    state.self_service().send_verification(&user).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Checks credentials and starts a session (with a refresh token when
/// `with_refresh`); on success returns its tokens and a new device cookie
/// (`Set-Cookie`). Unknown users and wrong passwords take the same path through
/// argon2 and get the same answer.
async fn sign_in(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    credentials: Credentials,
    with_refresh: bool,
) -> Result<(Tokens, HeaderValue)> {
    let Credentials { username, password } = credentials;
    if username.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing username parameter".to_owned(),
        ));
    }
    if password.is_empty() {
        return Err(ApiError::BadRequest(
            "Missing password parameter".to_owned(),
        ));
    }
    // No stored account can have such a name or password, so refusing them
    // early reveals nothing, and spares argon2 oversized input.
    if validate::username(&username).is_err() || password.len() > validate::MAX_PASSWORD_LEN {
        return Err(ApiError::BadCredentials);
    }
    // Per username from this address, and per username from everywhere, which
    // slows guessing spread over many addresses; a client that signed in as this
    // user before counts per device instead, so such guessing cannot lock it
    // out. Counted before the password check so a guesser cannot make us hash.
    // The lookup comes first (an indexed read, already bounded by the
    // per-address limit) so a device cookie is trusted only for the account it
    // was issued to, at its current version (for an app's users, as of their
    // last sign-in or refresh here).
    let known = state.store.find_user_by_name(&username).await?;
    let known = known.and_then(|row| state.accounts.account_of(row));
    let device = device::trusted_device(&state.tokens, headers, known.as_ref());
    state
        .limits
        .check_sign_in(&username, client, device.as_deref())?;
    let signed_in = state
        .sessions()
        .sign_in(&username, &password, with_refresh)
        .await?;
    let Some((user, tokens)) = signed_in else {
        tracing::info!(target: "tessera::audit", event = "login_failed", %username, client = %client.address, "sign-in refused");
        return Err(ApiError::BadCredentials);
    };
    tracing::info!(target: "tessera::audit", event = "login_ok", user_id = user.id, username = %user.identity.username, "signed in");
    let cookie = device::issue(&state.tokens, &user, client.https).map_err(ApiError::internal)?;
    Ok((tokens, cookie))
}
