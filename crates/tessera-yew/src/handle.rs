//! What [`crate::use_session`] returns: the state, the actions, and the request
//! helper for the app's own protected calls.

use std::ops::Deref;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use tessera_shared::{AuthResponse, Credentials, RegisterRequest, SecondFactorProof, UserProfile};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::keeper::{end_on_server, Keeper};
use crate::{http, token, Error, ExpiredReason, Method, SessionState, SignOut, Tokens};

/// The session of the enclosing [`crate::SessionProvider`]: its
/// [`SessionState`] (through `Deref`) and the ways to change it.
///
/// Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Session {
    pub(crate) state: UseReducerHandle<SessionState>,
    pub(crate) keeper: Rc<Keeper>,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.keeper, &other.keeper)
    }
}

impl Deref for Session {
    type Target = SessionState;

    fn deref(&self) -> &SessionState {
        &self.state
    }
}

impl Session {
    /// Signs in: exchanges the credentials for tokens and stores them.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<(), Error> {
        let issued = http::auth(&self.keeper.config, credentials).await?;
        self.keeper.apply(SessionState::SignedIn(issued.into()));
        Ok(())
    }

    /// Signs up: creates the account and returns its profile; it does not sign
    /// in (call [`Session::sign_in`] next). The server may refuse with a 400
    /// (invalid name, password or email address), 403 (sign-up closed) or
    /// 409 (name or address taken).
    pub async fn sign_up(&self, request: &RegisterRequest) -> Result<UserProfile, Error> {
        http::register(&self.keeper.config, request).await
    }

    /// Signs out: forgets the tokens at once (here and in the other tabs), then
    /// ends the session on the server in the background, so it works offline too.
    pub fn sign_out(&self) {
        let tokens = self.keeper.tokens();
        self.keeper
            .apply(SessionState::SignedOut(Some(SignOut::Here)));
        if let Some(tokens) = tokens {
            spawn_local(end_on_server(self.keeper.config.clone(), tokens));
        }
    }

    /// Ends every session of the user on the server, then signs out here.
    /// On failure the session stays.
    pub async fn sign_out_everywhere(&self) -> Result<(), Error> {
        let path = self.keeper.config.paths.logout_all.clone();
        self.send_text(Method::Post, &path, None).await?;
        self.keeper
            .apply(SessionState::SignedOut(Some(SignOut::Everywhere)));
        Ok(())
    }

    /// Refreshes the tokens now (or joins the refresh in flight). A refused
    /// refresh ends the session as [`SessionState::Expired`].
    pub async fn refresh(&self) -> Result<(), Error> {
        let stale = self.keeper.access().await.ok_or(Error::SignedOut)?;
        self.keeper.refreshed(&stale).await.map(drop)
    }

    /// The access token to send now (after any refresh in flight); `None` when
    /// signed out. For calls [`Session::get`] and [`Session::send`] cannot make.
    pub async fn access_token(&self) -> Option<AttrValue> {
        self.keeper.access().await
    }

    /// `GET path` as the signed-in user, read as JSON `T`; see [`Session::send`].
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        http::parse(&self.send_text(Method::Get, path, None).await?)
    }

    /// `method path` with the JSON `body`, as the signed-in user, read as JSON `T`.
    ///
    /// `path` is relative to the provider's base URL. The access token goes
    /// along as `Authorization: Bearer`. An expired token is refreshed once
    /// before the call; a 401 answer leads to one refresh (shared by every
    /// call of this tab, or taken from another tab) and one retry; a second 401
    /// ends the session with the server's reason. Errors keep the server's `msg`.
    pub async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        let body = http::json_body(body)?;
        http::parse(&self.send_text(method, path, Some(body)).await?)
    }

    /// The request helper behind [`Session::get`] and [`Session::send`]: not
    /// generic, so it exists once in the wasm.
    async fn send_text(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<String, Error> {
        let url = self.keeper.config.url(path);
        let mut token = self.keeper.access().await.ok_or(Error::SignedOut)?;
        let due = self
            .keeper
            .tokens()
            .is_some_and(|tokens| tokens.access_expired(token::unix_now()));
        if due {
            token = self.keeper.refreshed(&token).await?;
        }
        let body = body.as_deref();
        match http::request(method, &url, Some(&token), body).await {
            Err(err) if err.is_unauthorized() => {}
            answer => return answer,
        }
        let token = self.keeper.refreshed(&token).await?;
        let answer = http::request(method, &url, Some(&token), body).await;
        if let Err(err) = &answer {
            if err.is_unauthorized() && self.keeper.tokens().is_some() {
                let reason = ExpiredReason::Refused(err.to_string());
                self.keeper.apply(SessionState::Expired(reason));
            }
        }
        answer
    }

    /// Signs in again as `credentials` (the same user, typically to get the
    /// fresh token a sensitive call needs), then ends the session it replaces
    /// on the server in the background, so it does not linger as a device.
    pub async fn confirm_password(&self, credentials: &Credentials) -> Result<(), Error> {
        let previous = self.keeper.tokens();
        self.sign_in(credentials).await?;
        if let Some(previous) = previous {
            spawn_local(end_on_server(self.keeper.config.clone(), previous));
        }
        Ok(())
    }

    /// `method path` as the signed-in user with an optional JSON `body`
    /// (e.g. from [`crate::json::object`]), returning the answer's body as
    /// text (empty for a `204`); the same token and refresh rules as
    /// [`Session::send`]. Not generic, and it needs no serializer: the way
    /// for calls whose answer is not read, or whose body is written by hand.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<String, Error> {
        self.send_text(method, path, body).await
    }

    /// `method path` with an optional JSON `body` and no token, for the
    /// API's public routes (a mailed link's token, a reset request); returns
    /// the answer's body as text. Works signed in or out.
    pub async fn call_public(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<String, Error> {
        let url = self.keeper.config.url(path);
        http::request(method, &url, None, body.as_deref()).await
    }

    /// Completes a first-step sign-in ([`SessionState::needs_second_factor`])
    /// with a current code of the user's authenticator app, or one of their
    /// recovery codes: the session goes on at the second-factor level, with
    /// new tokens. A wrong or used code is a 403 carrying the server's `msg`;
    /// the first step stays, so the user can try again.
    pub async fn verify_second_factor(&self, proof: &SecondFactorProof) -> Result<(), Error> {
        let path = self.keeper.config.paths.mfa_verify.clone();
        let body = crate::json::object(&[
            ("code", proof.code.as_deref()),
            ("recovery_code", proof.recovery_code.as_deref()),
        ]);
        let body = body.ok_or(Error::Unexpected("The code could not be sent."))?;
        let answer = self.send_text(Method::Post, &path, Some(body)).await?;
        let issued: AuthResponse = http::parse(&answer)?;
        self.adopt(issued.into());
        Ok(())
    }

    /// Signs in with tokens obtained elsewhere.
    pub fn adopt(&self, tokens: Tokens) {
        self.keeper.apply(SessionState::SignedIn(tokens));
    }
}
