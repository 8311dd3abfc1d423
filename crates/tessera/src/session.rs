//! Session rules: sign-in, refresh rotation with reuse detection, sign-out.
//!
//! A session is one password sign-in. Its refresh tokens form a rotation
//! family: each is usable once, for the next pair. Presenting a used one again
//! is either a race between the user's own tabs (within the grace window: they
//! get the pair the first one got) or theft (after it: the whole session is
//! revoked, access tokens included).

use tessera_shared::AuthResponse;

use crate::error::{ApiError, Result};
use crate::extract::auth_user::AuthUser;
use crate::extract::client_digest::ClientDigest;
use crate::state::AppState;
use crate::store::{RefreshRecord, RotateRefresh, Rotation, StoredUser};
use crate::token::{new_id, unix_now, AuthError, Grant, IssuedToken, NoExtraClaims};

/// What a sign-in or refresh hands out.
pub(crate) struct Tokens {
    pub(crate) access: IssuedToken,
    pub(crate) refresh: Option<IssuedToken>,
}

impl Tokens {
    /// The `POST /auth` / `POST /refresh` body.
    pub(crate) fn into_response(self) -> Result<AuthResponse> {
        let refresh = self
            .refresh
            .ok_or_else(|| ApiError::internal("no refresh token issued"))?;
        Ok(AuthResponse {
            access_token: self.access.token,
            token_type: "Bearer".to_owned(),
            expires_in: self.access.expires_in,
            refresh_token: refresh.token,
            refresh_expires_in: refresh.expires_in,
        })
    }
}

/// Starts a session for `user`, who just proved their password: a fresh access
/// token, plus a refresh token when `with_refresh`. Refused like a wrong
/// password if the password changed since `user` was read.
pub(crate) async fn start(
    state: &AppState,
    user: &StoredUser,
    with_refresh: bool,
) -> Result<Tokens> {
    let now = unix_now();
    let session_id = new_id();
    let grant = grant(user, &session_id, true);
    let access = state
        .tokens
        .access_at(&grant, now, new_id(), NoExtraClaims {})
        .map_err(ApiError::internal)?;
    let refresh = if with_refresh {
        let settings = state.tokens.settings();
        let exp = now + settings.refresh_ttl.min(settings.session_max_age).as_secs();
        let token = state
            .tokens
            .refresh_at(user.id, &session_id, now, exp, new_id())
            .map_err(ApiError::internal)?;
        Some(token)
    } else {
        None
    };
    let first_refresh = refresh
        .as_ref()
        .map(|token| (token.jti.as_str(), token.exp));
    let created = state
        .store
        .create_session(
            &session_id,
            user.id,
            user.credential_version,
            now,
            first_refresh,
        )
        .await?;
    if !created {
        tracing::info!(target: "tessera::audit", event = "login_failed", user_id = user.id, "password changed during sign-in");
        return Err(ApiError::BadCredentials);
    }
    Ok(Tokens { access, refresh })
}

/// Exchanges refresh token `token`, presented by `client`, for a new pair, exactly once.
pub(crate) async fn refresh(
    state: &AppState,
    token: &str,
    client: &ClientDigest,
) -> Result<Tokens> {
    let claims = state.tokens.verify_refresh(token)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| AuthError::MalformedToken)?;
    if state.tokens.revocations().is_revoked("", &claims.sid) {
        return Err(AuthError::RefreshInvalid.into());
    }
    let now = unix_now();
    let (successor, access_jti) = (new_id(), new_id());
    let settings = state.tokens.settings();
    let successor_exp = now + settings.refresh_ttl.as_secs();
    match state
        .store
        .rotate_refresh(&RotateRefresh {
            jti: &claims.jti,
            successor_jti: &successor,
            access_jti: &access_jti,
            now,
            successor_expires_at: successor_exp,
            session_max_age: settings.session_max_age.as_secs(),
            used_by: &client.0,
        })
        .await?
    {
        Rotation::Rotated {
            expires_at: successor_exp,
        } => {
            let user = current_user(state, user_id).await?;
            let grant = grant(&user, &claims.sid, false);
            let access = state
                .tokens
                .access_at(&grant, now, access_jti, NoExtraClaims {});
            let refresh =
                state
                    .tokens
                    .refresh_at(user_id, &claims.sid, now, successor_exp, successor);
            Ok(Tokens {
                access: access.map_err(ApiError::internal)?,
                refresh: Some(refresh.map_err(ApiError::internal)?),
            })
        }
        Rotation::Refused(record) => reused(state, record, now, client).await,
        Rotation::Unknown => Err(AuthError::RefreshInvalid.into()),
    }
}

/// A refresh token that was already used (or whose session ended).
async fn reused(
    state: &AppState,
    record: RefreshRecord,
    now: u64,
    client: &ClientDigest,
) -> Result<Tokens> {
    if record.session_revoked || secs(record.expires_at) < now {
        return Err(AuthError::RefreshInvalid.into());
    }
    let (Some(used_at), Some(successor), Some(access_jti)) =
        (record.used_at, record.successor_jti, record.access_jti)
    else {
        return Err(AuthError::RefreshInvalid.into());
    };
    let grace = state.tokens.settings().refresh_grace.as_secs();
    let used_at = secs(used_at);
    // Only the client that used the token can be its own racing tabs; anyone
    // else replaying it this soon has a copy. (Tokens used before clients were
    // recorded have no `used_by`.)
    let same_client = record
        .used_by
        .as_deref()
        .is_none_or(|used_by| used_by == client.0);
    if now < used_at + grace && same_client {
        // Tabs racing: hand out the very pair the first caller got.
        let next = state
            .store
            .refresh_record(&successor)
            .await?
            .ok_or(AuthError::RefreshInvalid)?;
        let user = current_user(state, record.user_id).await?;
        let grant = grant(&user, &record.session_id, false);
        let access = state
            .tokens
            .access_at(&grant, used_at, access_jti, NoExtraClaims {});
        let refresh = state.tokens.refresh_at(
            user.id,
            &record.session_id,
            secs(next.issued_at),
            secs(next.expires_at),
            successor,
        );
        return Ok(Tokens {
            access: access.map_err(ApiError::internal)?,
            refresh: Some(refresh.map_err(ApiError::internal)?),
        });
    }
    tracing::warn!(
        target: "tessera::audit",
        event = "refresh_reuse_detected",
        user_id = record.user_id,
        session = %record.session_id,
        other_client = !same_client,
        "refresh token reuse detected; revoking the session"
    );
    revoke_session(state, &record.session_id, record.user_id).await?;
    Err(AuthError::RefreshReused.into())
}

/// Ends `user`'s session (and the session of `other_refresh`, if it is theirs),
/// and denies the presented access token until it expires.
pub(crate) async fn end(
    state: &AppState,
    user: &AuthUser,
    other_refresh: Option<&str>,
) -> Result<()> {
    revoke_session(state, &user.claims.sid, user.id).await?;
    state
        .store
        .revoke_token(&user.claims.jti, user.claims.exp)
        .await?;
    state
        .tokens
        .revocations()
        .revoke_token(&user.claims.jti, user.claims.exp);
    if let Some(claims) = other_refresh.and_then(|token| state.tokens.verify_refresh(token).ok()) {
        if claims.sub == user.id.to_string() && claims.sid != user.claims.sid {
            revoke_session(state, &claims.sid, user.id).await?;
        }
    }
    tracing::info!(target: "tessera::audit", event = "logout", user_id = user.id, session = %user.claims.sid, "signed out");
    Ok(())
}

/// Ends every session of `user_id` but `keep`.
pub(crate) async fn end_all(state: &AppState, user_id: i64, keep: Option<&str>) -> Result<()> {
    let now = unix_now();
    let until = revocation_horizon(state, now);
    let revoked = state
        .store
        .revoke_user_sessions(user_id, keep, now, until)
        .await?;
    for session in &revoked {
        state.tokens.revocations().revoke_session(session, until);
    }
    tracing::info!(target: "tessera::audit", event = "sessions_revoked", user_id, sessions = revoked.len(), "sessions revoked");
    Ok(())
}

/// Ends session `session_id` of `user_id`: its refresh and access tokens stop working.
pub(crate) async fn revoke_session(state: &AppState, session_id: &str, user_id: i64) -> Result<()> {
    let now = unix_now();
    let until = revocation_horizon(state, now);
    state
        .store
        .revoke_session(session_id, user_id, now, until)
        .await?;
    state.tokens.revocations().revoke_session(session_id, until);
    Ok(())
}

/// Until when a revoked session's access tokens could still be presented.
fn revocation_horizon(state: &AppState, now: u64) -> u64 {
    let settings = state.tokens.settings();
    now + settings.access_ttl.as_secs() + settings.leeway.as_secs()
}

async fn current_user(state: &AppState, user_id: i64) -> Result<StoredUser> {
    Ok(state
        .store
        .find_user_by_id(user_id)
        .await?
        .ok_or(AuthError::RefreshInvalid)?)
}

/// A stored Unix time (a signed SQL integer) as the unsigned seconds tokens use.
fn secs(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

fn grant(user: &StoredUser, session_id: &str, fresh: bool) -> Grant {
    Grant {
        user_id: user.id,
        username: user.username.clone(),
        roles: user.roles.clone(),
        session_id: session_id.to_owned(),
        fresh,
    }
}
