//! The signed-in session: the access token, kept in a Yew context and in `localStorage`.
//!
//! [`SessionProvider`] restores the token on load (an expired one is dropped),
//! and [`use_session`] gives components a [`SessionHandle`] to sign in and out.
//! The token is stored as the raw JWT under `access_token`, exactly where the
//! old jQuery page kept it.

use std::ops::Deref;
use std::rc::Rc;

use gloo_storage::{LocalStorage, Storage};
use yew::prelude::*;

use crate::token;

/// The `localStorage` key holding the raw access token.
pub const TOKEN_KEY: &str = "access_token";

/// The sign-in page's notice after a token ran out.
pub const EXPIRED_NOTICE: &str = "Your session has expired. Please sign in again.";

/// The sign-in page's notice after signing out.
pub const SIGNED_OUT_NOTICE: &str = "You have signed out.";

/// Who is signed in, plus a one-off message for the sign-in page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// The access token, while signed in.
    pub token: Option<AttrValue>,
    /// Why the user was sent to the sign-in page, if there is something to say.
    pub notice: Option<AttrValue>,
}

impl Session {
    /// The session a stored token gives at `now` (Unix seconds).
    ///
    /// A token is kept while its `exp` lies ahead; an expired one gives a signed-out
    /// session with [`EXPIRED_NOTICE`], and an unreadable one is silently dropped.
    pub fn restore(stored: Option<String>, now: i64) -> Self {
        let Some(stored) = stored else {
            return Self::default();
        };
        match token::decode(&stored).map(|decoded| decoded.known.exp) {
            Ok(Some(exp)) if token::is_expired(exp, now) => Self {
                token: None,
                notice: Some(EXPIRED_NOTICE.into()),
            },
            Ok(_) => Self {
                token: Some(stored.into()),
                notice: None,
            },
            Err(_) => Self::default(),
        }
    }
}

/// A change to the [`Session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    /// A new token was issued.
    SignIn(AttrValue),
    /// The user signed out.
    SignOut,
    /// The server refused the token; carries its reason when it gave one.
    Expire(Option<String>),
    /// Leave a notice for the sign-in page; the token is unchanged.
    Notify(AttrValue),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let (token, notice) = match action {
            SessionAction::SignIn(token) => (Some(token), None),
            SessionAction::SignOut => (None, Some(SIGNED_OUT_NOTICE.into())),
            SessionAction::Expire(None) => (None, Some(EXPIRED_NOTICE.into())),
            SessionAction::Expire(Some(reason)) => (
                None,
                Some(format!("Your session has expired ({reason}). Please sign in again.").into()),
            ),
            SessionAction::Notify(notice) => (self.token.clone(), Some(notice)),
        };
        Rc::new(Session { token, notice })
    }
}

/// Reads the stored token, if any.
pub fn load_token() -> Option<String> {
    LocalStorage::raw().get_item(TOKEN_KEY).ok().flatten()
}

/// Stores the token, or removes it for `None`.
pub fn store_token(token: Option<&str>) {
    match token {
        // A full or disabled storage only costs the user a sign-in after reload;
        // the session itself lives on in memory.
        Some(token) => drop(LocalStorage::raw().set_item(TOKEN_KEY, token)),
        None => LocalStorage::delete(TOKEN_KEY),
    }
}

/// What [`use_session`] returns: the current [`Session`] plus the ways to change it.
#[derive(Clone, PartialEq)]
pub struct SessionHandle(UseReducerHandle<Session>);

impl Deref for SessionHandle {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.0
    }
}

impl SessionHandle {
    /// Signs in with a freshly issued token and stores it.
    pub fn login(&self, token: String) {
        store_token(Some(&token));
        self.0.dispatch(SessionAction::SignIn(token.into()));
    }

    /// Signs out and forgets the stored token.
    pub fn logout(&self) {
        store_token(None);
        self.0.dispatch(SessionAction::SignOut);
    }

    /// Drops a token the server refused, keeping its reason for the sign-in page.
    pub fn expire(&self, reason: Option<String>) {
        store_token(None);
        self.0.dispatch(SessionAction::Expire(reason));
    }

    /// Leaves a notice for the sign-in page.
    pub fn notify(&self, notice: impl Into<AttrValue>) {
        self.0.dispatch(SessionAction::Notify(notice.into()));
    }
}

/// Props of [`SessionProvider`].
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The part of the app that can use the session.
    pub children: Html,
}

/// Restores the session from `localStorage` and provides it to its children.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let session = use_reducer(|| {
        let session = Session::restore(load_token(), token::unix_now());
        if session.token.is_none() {
            store_token(None);
        }
        session
    });
    html! {
        <ContextProvider<SessionHandle> context={SessionHandle(session)}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}

/// The session of the enclosing [`SessionProvider`].
///
/// # Panics
/// When called outside a [`SessionProvider`].
#[hook]
pub fn use_session() -> SessionHandle {
    use_context::<SessionHandle>().expect("use_session() needs a <SessionProvider> above it")
}
