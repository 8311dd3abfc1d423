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
mod raise;
mod revoke;
mod rotation;
mod settings;

use tessera_shared::AuthResponse;

use crate::clock::{new_id, unix_now};
use crate::store::Store;
use crate::token::{AuthError, Claims, Grant, IssuedToken, SignIn, TokenService};
use crate::users::{Account, Resolved, UserSource};

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
    accounts: &'a UserSource,
    settings: SessionSettings,
    /// Users whose email address is not verified may not sign in.
    require_verified_email: bool,
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
    /// The rules over `store`, `tokens` and the users of `accounts`, under `settings`.
    pub(crate) fn new(
        store: &'a Store,
        tokens: &'a TokenService,
        accounts: &'a UserSource,
        settings: SessionSettings,
        require_verified_email: bool,
    ) -> Self {
        Self {
            store,
            tokens,
            accounts,
            settings,
            require_verified_email,
        }
    }

    /// Starts a session for `user`, who just proved their password: a fresh
    /// access token, plus a refresh token when `with_refresh`. Refused like a
    /// wrong password if the password changed since `user` was read. The
    /// session records the client it was `seen` from. A user with a confirmed
    /// second factor gets a first-step session (see [`crate::Assurance`])
    /// until they give it.
    pub(crate) async fn start(
        self,
        user: &Account,
        with_refresh: bool,
        seen: &SeenFrom,
    ) -> Result<Tokens> {
        self.open(user, with_refresh, seen, None).await
    }

    /// Starts a session for user `user_id`, who just signed in with a
    /// passkey: a pair at [`SignIn::Passkey`]. Refused like an unknown
    /// passkey when the user is gone or disabled.
    pub(crate) async fn start_with_passkey(
        self,
        user_id: i64,
        seen: &SeenFrom,
    ) -> Result<(Account, Tokens)> {
        let resolved = self
            .accounts
            .current(self.store, user_id)
            .await?
            .ok_or(SessionError::PasskeyOwnerGone)?;
        // As for a password: the old version's sessions end, this one starts.
        self.deny_if_version_changed(&resolved);
        let account = resolved.account;
        self.refuse_unverified(&account)?;
        let tokens = self
            .open(&account, true, seen, Some(SignIn::Passkey))
            .await?;
        tracing::info!(target: "tessera::audit", event = "passkey_sign_in", user_id, "signed in with a passkey");
        Ok((account, tokens))
    }

    /// Opens the session of [`Self::start`]; `given` is how the user signed
    /// in when it was not a password (whose level depends on their factors).
    async fn open(
        self,
        user: &Account,
        with_refresh: bool,
        seen: &SeenFrom,
        given: Option<SignIn>,
    ) -> Result<Tokens> {
        let now = unix_now();
        let session_id = new_id();
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
                user.identity.version,
                now,
                first_refresh,
            )
            .await?;
        if !created {
            tracing::info!(target: "tessera::audit", event = "login_failed", user_id = user.id, "password changed during sign-in");
            return Err(SessionError::PasswordChanged);
        }
        let sign_in = match given {
            Some(sign_in) => sign_in,
            None => {
                // The second factor is read after the session exists: a TOTP
                // confirmed before this read makes it a first step, and one
                // confirmed after it ends this session with every other one
                // (`POST /mfa/totp/confirm`), so no password-only session
                // outlives it.
                let totp = self.store.totp(user.id).await?;
                if totp.is_some_and(|totp| totp.confirmed) {
                    SignIn::PasswordFirstStep
                } else {
                    SignIn::Password
                }
            }
        };
        // Issued now, after the round trips above: its full lifetime from
        // the moment it is handed out (a busy database can take seconds).
        let access = self.access(user, &session_id, (true, sign_in), unix_now(), new_id())?;
        if sign_in != SignIn::Password {
            // Nobody knows the session yet: no token of it can be refreshed before this.
            self.store
                .set_session_acr(&session_id, sign_in.stored())
                .await?;
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

    /// For a user whose version the app bumped, as a sign-in or refresh
    /// `resolved` them: their sessions, which the store ended with the new
    /// version, are denied here at once. Answers whether the version changed.
    fn deny_if_version_changed(self, resolved: &Resolved) -> bool {
        if !resolved.version_changed {
            return false;
        }
        self.deny_sessions(&resolved.account, &resolved.ended_sessions);
        true
    }

    /// Starts a session for the user proving `password`; `None` if it is not theirs.
    pub(crate) async fn sign_in(
        self,
        username: &str,
        password: &str,
        with_refresh: bool,
        seen: &SeenFrom,
    ) -> Result<Option<(Account, Tokens)>> {
        let Some(resolved) = self
            .accounts
            .authenticate(self.store, username, password)
            .await?
        else {
            return Ok(None);
        };
        self.deny_if_version_changed(&resolved);
        let account = &resolved.account;
        // Only after the password proved right, so it tells a guesser nothing.
        self.refuse_unverified(account)?;
        let tokens = self.start(account, with_refresh, seen).await?;
        Ok(Some((resolved.account, tokens)))
    }

    /// Refuses `account` when the server requires a verified email address
    /// and theirs is not.
    fn refuse_unverified(self, account: &Account) -> Result<()> {
        if self.require_verified_email && account.identity.email_verified == Some(false) {
            tracing::info!(target: "tessera::audit", event = "login_refused_unverified", user_id = account.id, "sign-in refused: email address not verified");
            return Err(SessionError::EmailNotVerified);
        }
        Ok(())
    }

    /// How session `session_id` was signed in; refreshes keep it.
    async fn sign_in_of(self, session_id: &str) -> Result<SignIn> {
        let stored = self.store.session_acr(session_id).await?;
        Ok(SignIn::from_stored(
            stored.ok_or(AuthError::RefreshInvalid)?,
        ))
    }

    /// User `user_id` as the users hook answers for them now. A refresh for a
    /// user deleted or disabled, or whose version changed, is refused.
    async fn current_user(self, user_id: i64) -> Result<Account> {
        let resolved = self
            .accounts
            .current(self.store, user_id)
            .await?
            .ok_or(AuthError::RefreshInvalid)?;
        if self.deny_if_version_changed(&resolved) {
            return Err(AuthError::RefreshInvalid.into());
        }
        Ok(resolved.account)
    }

    /// Signs access token `jti` of session `session_id` for `user`, issued at
    /// `iat`, fresh or not and of `sign_in`, with the app's claims.
    fn access(
        self,
        user: &Account,
        session_id: &str,
        (fresh, sign_in): (bool, SignIn),
        iat: u64,
        jti: String,
    ) -> Result<IssuedToken> {
        let extra = self
            .accounts
            .claims(&user.identity)
            .map_err(SessionError::Internal)?;
        Ok(self
            .tokens
            .access_at(&grant(user, session_id, fresh), sign_in, iat, jti, extra)?)
    }
}

/// A stored Unix time (a signed SQL integer) as the unsigned seconds tokens use.
fn secs(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

fn grant(user: &Account, session_id: &str, fresh: bool) -> Grant {
    Grant {
        user_id: user.id,
        username: user.identity.username.clone(),
        roles: user.identity.roles.clone(),
        session_id: session_id.to_owned(),
        fresh,
        email_verified: user.identity.email_verified,
    }
}
