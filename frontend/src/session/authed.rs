//! The protected routes, called as the session's user.
//!
//! Here rather than in [`crate::api`], which knows no session: a protected
//! call needs the session's access token and, after a 401, a refreshed one.

use gloo_net::http::Method;
use tessera_shared::paths::{LOGOUT_ALL, ME, PROTECTED};
use tessera_shared::{ProtectedResponse, UserProfile};

use super::{SessionAction, SessionHandle, SIGNED_OUT_EVERYWHERE_NOTICE};
use crate::api::{self, ApiError};

impl SessionHandle {
    /// `GET /protected`: the demo resource, visible only with a valid token.
    pub async fn protected(&self) -> Result<ProtectedResponse, ApiError> {
        api::parse(&self.send(Method::GET, PROTECTED, None).await?)
    }

    /// `GET /me`: the profile of the session's user.
    pub async fn me(&self) -> Result<UserProfile, ApiError> {
        api::parse(&self.send(Method::GET, ME, None).await?)
    }

    /// Ends every session of the user (`POST /logout/all`), then signs out here.
    pub async fn logout_everywhere(&self) -> Result<(), ApiError> {
        self.send(Method::POST, LOGOUT_ALL, None).await?;
        self.keeper
            .apply(SessionAction::SignOut(SIGNED_OUT_EVERYWHERE_NOTICE.into()));
        Ok(())
    }

    /// [`api::request`] for a protected route, with the session's access token.
    ///
    /// On a 401 it refreshes the session once (see [`Self::refreshed`]) and
    /// retries once; a second 401 ends the session with the server's reason.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, ApiError> {
        let token = self.access_token().await.ok_or(ApiError::SignedOut)?;
        match api::request(method.clone(), path, Some(&token), body).await {
            Err(err) if err.is_unauthorized() => {}
            answer => return answer,
        }
        let token = self.refreshed(&token).await?;
        let answer = api::request(method, path, Some(&token), body).await;
        if let Err(err) = &answer {
            if err.is_unauthorized() {
                self.expire(Some(err.to_string()));
            }
        }
        answer
    }
}
