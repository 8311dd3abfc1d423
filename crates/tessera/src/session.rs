//! Session rules: sign-in, refresh rotation with reuse detection, sign-out.
//!
//! A session is one password sign-in. Its refresh tokens form a rotation
//! family: each is usable once, for the next pair. Presenting a used one again
//! is either a race between the user's own tabs (within the grace window: they
//! get the pair the first one got) or theft (after it: the whole session is
//! revoked, access tokens included).
//!
//! The rules know the store and the token service, not HTTP: the routes hand
//! them what the request proved, and `crate::error` answers their errors.

mod devices;
mod error;
mod revoke;
mod rotation;
mod settings;

use tessera_shared::AuthResponse;

use crate::clock::{new_id, unix_now};
use crate::store::{Store, StoredUser};
use crate::token::{AuthError, Claims, Grant, IssuedToken, NoExtraClaims, TokenService};

pub(crate) use devices::SeenFrom;
pub(crate) use error::SessionError;
pub(crate) use revoke::Revoke;
pub use settings::SessionSettings;

/// Result of a session rule.
type Result<T, E = SessionError> = std::result::Result<T, E>;

/// The session rules, over the user store and the token service.
#[derive(Clone, Copy)]
pub(crate) struct Sessions<'a> {
    store: &'a Store,
    tokens: &'a TokenService,
    settings: SessionSettings,
}

/// What a sign-in or refresh hands out.
pub(crate) struct Tokens {
    /// The new access token.
    pub(crate) access: IssuedToken,
    /// The new refresh token; none for `POST /login`, whose clients never refresh.
    pub(crate) refresh: Option<IssuedToken>,
}

impl Tokens {
    /// The `POST /auth` / `POST /refresh` body.
    pub(crate) fn into_response(self) -> Result<AuthResponse> {
        let refresh = self
            .refresh
            .ok_or_else(|| SessionError::Internal("no refresh token issued".to_owned()))?;
        Ok(AuthResponse {
            access_token: self.access.token,
            token_type: "Bearer".to_owned(),
            expires_in: self.access.expires_in,
            refresh_token: refresh.token,
            refresh_expires_in: refresh.expires_in,
        })
    }
}

impl<'a> Sessions<'a> {
    /// The rules over `store` and `tokens`, under `settings`.
    pub(crate) fn new(
        store: &'a Store,
        tokens: &'a TokenService,
        settings: SessionSettings,
    ) -> Self {
        Self {
            store,
            tokens,
            settings,
        }
    }

    /// Starts a session for `user`, who just proved their password: a fresh
    /// access token, plus a refresh token when `with_refresh`. Refused like a
    /// wrong password if the password changed since `user` was read. The
    /// session records the client it was `seen` from.
    pub(crate) async fn start(
        self,
        user: &StoredUser,
        with_refresh: bool,
        seen: &SeenFrom,
    ) -> Result<Tokens> {
        let now = unix_now();
        let session_id = new_id();
        let grant = grant(user, &session_id, true);
        let access = self
            .tokens
            .access_at(&grant, now, new_id(), NoExtraClaims {})?;
        let refresh = if with_refresh {
            let settings = self.settings;
            let exp = now + settings.refresh_ttl.min(settings.session_max_age).as_secs();
            let token = self
                .tokens
                .refresh_at(user.id, &session_id, now, exp, new_id())?;
            Some(token)
        } else {
            None
        };
        let first_refresh = refresh
            .as_ref()
            .map(|token| (token.jti.as_str(), token.exp));
        let created = self
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
            return Err(SessionError::PasswordChanged);
        }
        self.store
            .record_session_client(&session_id, &seen.client(None))
            .await?;
        Ok(Tokens { access, refresh })
    }

    /// Ends the session of user `user_id`'s access token `claims` (and the
    /// session of `other_refresh`, if it is theirs), and denies that access
    /// token until it expires.
    pub(crate) async fn end(
        self,
        user_id: i64,
        claims: &Claims,
        other_refresh: Option<&str>,
    ) -> Result<()> {
        let (sid, jti, exp) = (claims.sid.as_str(), claims.jti.as_str(), claims.exp);
        self.revoke(Revoke::Session { sid, user_id }).await?;
        self.revoke(Revoke::Token { jti, exp }).await?;
        if let Some(other) = other_refresh.and_then(|token| self.tokens.verify_refresh(token).ok())
        {
            if other.sub == user_id.to_string() && other.sid != sid {
                let sid = other.sid.as_str();
                self.revoke(Revoke::Session { sid, user_id }).await?;
            }
        }
        tracing::info!(target: "tessera::audit", event = "logout", user_id, session = %sid, "signed out");
        Ok(())
    }

    /// Ends every session of `user_id` but `keep`.
    pub(crate) async fn end_all(self, user_id: i64, keep: Option<&str>) -> Result<()> {
        let revoked = self.revoke(Revoke::UserSessions { user_id, keep }).await?;
        let sessions = revoked.sessions.len();
        tracing::info!(target: "tessera::audit", event = "sessions_revoked", user_id, sessions, "sessions revoked");
        Ok(())
    }

    /// The user `user_id` as stored now; a refresh for a deleted user is refused.
    async fn current_user(self, user_id: i64) -> Result<StoredUser> {
        Ok(self
            .store
            .find_user_by_id(user_id)
            .await?
            .ok_or(AuthError::RefreshInvalid)?)
    }
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
