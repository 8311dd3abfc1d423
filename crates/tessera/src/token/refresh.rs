//! Refresh for apps that issue tokens from their own sign-in route: a
//! stateless refresh token, exchanged for a new access token.

use std::time::Duration;

use super::{AuthError, Grant, IssuedToken, NoExtraClaims, TokenService};
use crate::clock::{new_id, unix_now};

impl TokenService {
    /// Signs a refresh token for `grant`'s user and session, valid for `ttl`:
    /// for an app that issues tokens from its own sign-in route and lets its
    /// clients refresh. Only [`Self::verify_refresh`] and [`Self::refresh_access`]
    /// accept it; it never passes as an access token, nor an access token as it.
    ///
    /// These refresh tokens are stateless: nothing records their use, so each
    /// works until it expires. Tessera's `POST /refresh` (with
    /// [`Tessera`](crate::Tessera)) adds one-time use, reuse detection and revocation.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tessera::{AuthError, Grant, JwtSecret, TokenService, TokenSettings};
    ///
    /// let tokens = TokenService::new(&JwtSecret::generate(), TokenSettings::default());
    /// let grant = Grant {
    ///     user_id: 7,
    ///     username: "alice".into(),
    ///     roles: vec![],
    ///     session_id: "session-1".into(),
    ///     fresh: true,
    ///     email_verified: None,
    /// };
    /// let refresh = tokens.issue_refresh(&grant, Duration::from_secs(14 * 24 * 3600)).unwrap();
    ///
    /// // Later, in the app's refresh route: look the user up again, then
    /// let access = tokens.refresh_access(&refresh.token, "alice", vec![]).unwrap();
    /// let claims = tokens.verify_access::<tessera::NoExtraClaims>(&access.token).unwrap();
    /// assert_eq!((claims.sub.as_str(), claims.fresh), ("7", false));
    ///
    /// // Neither kind passes for the other.
    /// assert_eq!(tokens.verify_access::<tessera::NoExtraClaims>(&refresh.token).unwrap_err(), AuthError::NotAccessToken);
    /// assert_eq!(tokens.refresh_access(&access.token, "alice", vec![]).unwrap_err(), AuthError::NotRefreshToken);
    /// ```
    pub fn issue_refresh(
        &self,
        grant: &Grant,
        ttl: Duration,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let now = unix_now();
        let exp = now + ttl.as_secs();
        let session = &grant.session_id;
        self.sign_refresh(grant.user_id, session, (now, exp), new_id(), true)
    }

    /// Checks `refresh_token` ([`Self::verify_refresh`]) and signs a new access
    /// token for its user and session, named `username` with `roles` (as the
    /// app's users table says now), not fresh. See [`Self::issue_refresh`].
    ///
    /// Only refresh tokens made by [`Self::issue_refresh`] pass: a Tessera
    /// session's refresh token (from `POST /auth`, a first-step one waiting
    /// for its second factor included) gets [`AuthError::NotRefreshToken`],
    /// so this cannot skip a second factor or a session's revocation.
    pub fn refresh_access(
        &self,
        refresh_token: &str,
        username: &str,
        roles: Vec<String>,
    ) -> Result<IssuedToken, AuthError> {
        let claims = self.verify_refresh(refresh_token)?;
        if !claims.stateless {
            return Err(AuthError::NotRefreshToken);
        }
        let user_id = claims.sub.parse().map_err(|_| AuthError::MalformedToken)?;
        let grant = Grant {
            user_id,
            username: username.to_owned(),
            roles,
            session_id: claims.sid,
            fresh: false,
            email_verified: None,
        };
        self.issue_access(&grant, NoExtraClaims {}).map_err(|err| {
            // Signing with a loaded key cannot fail but on a bug: say so in the log.
            tracing::error!(%err, "cannot sign an access token");
            AuthError::MalformedToken
        })
    }
}
