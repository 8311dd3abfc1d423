//! What the app renders from: the session's state and its tokens.

use std::rc::Rc;

use tessera_shared::AuthResponse;
use yew::prelude::*;

use crate::token::{self, Claims};

/// The raw JWTs of a signed-in session, and the access token's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token, sent as `Authorization: Bearer` with protected calls.
    pub access: AttrValue,
    /// The refresh token, exchanged for a new pair (once). `None` only for a
    /// session stored by a client that kept none.
    pub refresh: Option<AttrValue>,
    /// The access token's claims, decoded without verification; the defaults
    /// (all `None`) for a token that does not decode.
    pub claims: Rc<Claims>,
}

impl Tokens {
    /// The tokens from their raw JWTs, decoding the access token's claims.
    pub fn new(access: impl Into<AttrValue>, refresh: Option<AttrValue>) -> Self {
        let access = access.into();
        let claims = token::claims(&access).unwrap_or_default();
        Self {
            access,
            refresh,
            claims: Rc::new(claims),
        }
    }

    /// Whether the access token's `exp` has passed at `now` (Unix seconds);
    /// `false` for a token without one.
    pub fn access_expired(&self, now: i64) -> bool {
        self.claims
            .exp
            .is_some_and(|exp| token::is_expired(exp, now))
    }
}

impl From<AuthResponse> for Tokens {
    fn from(issued: AuthResponse) -> Self {
        Self::new(issued.access_token, Some(issued.refresh_token.into()))
    }
}

/// How a session was signed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOut {
    /// In this tab, by [`crate::Session::sign_out`].
    Here,
    /// Every session of the user, by [`crate::Session::sign_out_everywhere`].
    Everywhere,
    /// In another tab of the app (seen through the `storage` event).
    OtherTab,
}

/// Why a session expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiredReason {
    /// When the stored tokens ran out (e.g. while the app was closed), or there
    /// was no refresh token to renew them with.
    TimedOut,
    /// When the server refused the session (a refresh or a retried call got a
    /// 401); carries the server's `msg`.
    Refused(String),
}

/// The session, as components see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// No session. Carries how it ended when it ended in this page's lifetime.
    SignedOut(Option<SignOut>),
    /// Signed in; the tokens carry the decoded claims.
    SignedIn(Tokens),
    /// Signed in, with a refresh in flight; calls made now wait for it.
    Refreshing(Tokens),
    /// The session ended without a sign-out.
    Expired(ExpiredReason),
}

impl Default for SessionState {
    fn default() -> Self {
        Self::SignedOut(None)
    }
}

impl SessionState {
    /// The tokens, while signed in (or refreshing).
    pub fn tokens(&self) -> Option<&Tokens> {
        match self {
            Self::SignedIn(tokens) | Self::Refreshing(tokens) => Some(tokens),
            Self::SignedOut(_) | Self::Expired(_) => None,
        }
    }

    /// Whether there is a session (possibly being refreshed).
    pub fn is_signed_in(&self) -> bool {
        self.tokens().is_some()
    }

    /// The access token's claims, while signed in.
    pub fn claims(&self) -> Option<&Claims> {
        self.tokens().map(|tokens| &*tokens.claims)
    }

    /// Whether the session is a first step, waiting for its second factor
    /// (see [`Claims::needs_second_factor`]).
    pub fn needs_second_factor(&self) -> bool {
        self.claims().is_some_and(Claims::needs_second_factor)
    }

    /// The state stored tokens give at `now` (Unix seconds).
    ///
    /// They are kept while the access token is unexpired, or while the refresh
    /// token is (then [`SessionState::Refreshing`]: the provider refreshes at
    /// once). Otherwise the session has [`ExpiredReason::TimedOut`]; an
    /// unreadable access token is silently dropped.
    pub fn restore(stored: Option<Tokens>, now: i64) -> Self {
        let Some(tokens) = stored else {
            return Self::default();
        };
        let refresh_alive = tokens
            .refresh
            .as_deref()
            .and_then(|refresh| expired(refresh, now))
            == Some(false);
        match expired(&tokens.access, now) {
            Some(false) => Self::SignedIn(tokens),
            Some(true) if refresh_alive => Self::Refreshing(tokens),
            Some(true) => Self::Expired(ExpiredReason::TimedOut),
            None => Self::default(),
        }
    }
}

/// Whether `token` is expired at `now`; `None` when it cannot be decoded.
fn expired(token: &str, now: i64) -> Option<bool> {
    let exp = token::claims(token).ok()?.exp;
    Some(exp.is_some_and(|exp| token::is_expired(exp, now)))
}

impl Reducible for SessionState {
    /// The next state; the session's keeper decides it, the reducer renders it.
    type Action = SessionState;

    fn reduce(self: Rc<Self>, next: SessionState) -> Rc<Self> {
        Rc::new(next)
    }
}
