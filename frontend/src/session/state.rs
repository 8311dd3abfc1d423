//! What the app renders from: the session's tokens and the sign-in page's notice.

use std::rc::Rc;

use tessera_shared::AuthResponse;
use yew::prelude::*;

use crate::token;

/// The sign-in page's notice after a session ran out.
pub const EXPIRED_NOTICE: &str = "Your session has expired. Please sign in again.";

/// The sign-in page's notice after signing out.
pub const SIGNED_OUT_NOTICE: &str = "You have signed out.";

/// The sign-in page's notice after signing out of every session.
pub const SIGNED_OUT_EVERYWHERE_NOTICE: &str = "You have signed out everywhere.";

/// The raw JWTs of a signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token, sent as `Authorization: Bearer` with protected calls.
    pub access: AttrValue,
    /// The refresh token, exchanged at `POST /refresh` for a new pair (once).
    /// `None` only for a session stored by an older app, which had none.
    pub refresh: Option<AttrValue>,
}

impl From<AuthResponse> for Tokens {
    fn from(issued: AuthResponse) -> Self {
        Self {
            access: issued.access_token.into(),
            refresh: Some(issued.refresh_token.into()),
        }
    }
}

impl Tokens {
    /// Whether the access token's `exp` has passed at `now` (Unix seconds);
    /// `false` for a token without one.
    pub fn access_expired(&self, now: i64) -> bool {
        expired(&self.access, now) == Some(true)
    }
}

/// Whether `token` is expired at `now`; `None` when it cannot be decoded.
fn expired(token: &str, now: i64) -> Option<bool> {
    let exp = token::decode(token).ok()?.known.exp;
    Some(exp.is_some_and(|exp| token::is_expired(exp, now)))
}

/// Who is signed in, plus a one-off message for the sign-in page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// The tokens, while signed in.
    pub tokens: Option<Tokens>,
    /// Why the user was sent to the sign-in page, if there is something to say.
    pub notice: Option<AttrValue>,
}

impl Session {
    /// The session stored tokens give at `now` (Unix seconds).
    ///
    /// They are kept while the access token is unexpired, or while the refresh
    /// token is (the provider then refreshes at once). Otherwise the result is
    /// signed out with [`EXPIRED_NOTICE`]; an unreadable access token is
    /// silently dropped.
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
            Some(false) => Self::signed_in(tokens),
            Some(true) if refresh_alive => Self::signed_in(tokens),
            Some(true) => Self {
                tokens: None,
                notice: Some(EXPIRED_NOTICE.into()),
            },
            None => Self::default(),
        }
    }

    fn signed_in(tokens: Tokens) -> Self {
        Self {
            tokens: Some(tokens),
            notice: None,
        }
    }
}

/// A change to the [`Session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    /// New tokens: from a sign-in, a refresh, or another tab.
    SignIn(Tokens),
    /// Signed out, with the notice to show.
    SignOut(AttrValue),
    /// The server refused the session; carries its reason when it gave one.
    Expire(Option<String>),
    /// Leave a notice for the sign-in page; the tokens are unchanged.
    Notify(AttrValue),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let (tokens, notice) = match action {
            SessionAction::SignIn(tokens) => (Some(tokens), None),
            SessionAction::SignOut(notice) => (None, Some(notice)),
            SessionAction::Expire(None) => (None, Some(EXPIRED_NOTICE.into())),
            SessionAction::Expire(Some(reason)) => (
                None,
                Some(format!("Your session has expired ({reason}). Please sign in again.").into()),
            ),
            SessionAction::Notify(notice) => (self.tokens.clone(), Some(notice)),
        };
        Rc::new(Session { tokens, notice })
    }
}
