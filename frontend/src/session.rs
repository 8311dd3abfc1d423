//! The signed-in session: the access and refresh tokens, kept in a Yew context
//! and in `localStorage`, and refreshed before the access token runs out.
//!
//! [`SessionProvider`] restores the tokens on load, schedules each refresh,
//! and follows the other tabs; [`use_session`] gives components a
//! [`SessionHandle`] to sign in and out and to call the protected routes.

mod authed;
mod keeper;
mod state;
mod storage;

use std::ops::Deref;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use tessera_shared::AuthResponse;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::StorageEvent;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::ApiError;
use crate::token;
use keeper::{end_on_server, Keeper};
pub use state::{
    Session, SessionAction, Tokens, EXPIRED_NOTICE, SIGNED_OUT_EVERYWHERE_NOTICE, SIGNED_OUT_NOTICE,
};
pub use storage::{load_tokens, store_tokens, ACCESS_KEY, REFRESH_KEY};

/// What [`use_session`] returns: the rendered [`Session`] plus the ways to change it.
#[derive(Clone)]
pub struct SessionHandle {
    state: UseReducerHandle<Session>,
    keeper: Rc<Keeper>,
}

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.keeper, &other.keeper)
    }
}

impl Deref for SessionHandle {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.state
    }
}

impl SessionHandle {
    /// Signs in with freshly issued tokens and stores them.
    pub fn login(&self, issued: AuthResponse) {
        self.keeper.apply(SessionAction::SignIn(issued.into()));
    }

    /// Signs out: forgets the tokens at once, then ends the session on the server
    /// in the background (`POST /logout`), so signing out works offline too.
    pub fn logout(&self) {
        let tokens = self.keeper.tokens();
        self.keeper
            .apply(SessionAction::SignOut(SIGNED_OUT_NOTICE.into()));
        if let Some(tokens) = tokens {
            spawn_local(end_on_server(tokens));
        }
    }

    /// Drops a session the server refused, keeping its reason for the sign-in page.
    pub fn expire(&self, reason: Option<String>) {
        self.keeper.apply(SessionAction::Expire(reason));
    }

    /// Leaves a notice for the sign-in page.
    pub fn notify(&self, notice: impl Into<AttrValue>) {
        self.keeper.apply(SessionAction::Notify(notice.into()));
    }

    /// The access token to send now (after any refresh in flight); `None` when signed out.
    pub async fn access_token(&self) -> Option<AttrValue> {
        self.keeper.access().await
    }

    /// A new access token after the server refused `stale`: a refresh (one
    /// per tab at a time), unless the tokens changed since `stale` was read.
    /// When the refresh is refused, the session ends with the server's reason.
    pub async fn refreshed(&self, stale: &str) -> Result<AttrValue, ApiError> {
        self.keeper.refreshed(stale).await
    }
}

/// Props of [`SessionProvider`].
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The part of the app that can use the session.
    pub children: Html,
}

/// Restores the session from `localStorage`, keeps it fresh and provides it to
/// its children.
///
/// - On load, a session whose access token expired but whose refresh token did
///   not is refreshed at once.
/// - Each access token is refreshed shortly before it expires
///   ([`token::refresh_delay_ms`]); the timer goes with the token.
/// - A `storage` event from another tab (a refresh, a sign-in or a sign-out)
///   replaces this tab's tokens, so it does not refresh them again.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let state = use_reducer(|| {
        let session = Session::restore(load_tokens(), token::unix_now());
        if session.tokens.is_none() {
            store_tokens(None);
        }
        session
    });
    let keeper = {
        let (tokens, dispatch) = (state.tokens.clone(), state.dispatcher());
        let keeper = use_memo((), move |()| {
            let expired = tokens
                .as_ref()
                .map(|tokens| tokens.access_expired(token::unix_now()));
            let keeper = Rc::new(Keeper::new(tokens, dispatch));
            if expired == Some(true) {
                // Before the first render: the pages' first calls wait for it.
                keeper.start_refresh();
            }
            keeper
        });
        Rc::clone(&*keeper)
    };
    {
        let keeper = Rc::clone(&keeper);
        use_effect_with((), move |()| {
            let listener = StorageListener::new(keeper);
            move || drop(listener)
        });
    }
    {
        let keeper = Rc::clone(&keeper);
        let refreshable = state
            .tokens
            .as_ref()
            .filter(|tokens| tokens.refresh.is_some());
        use_effect_with(
            refreshable.map(|tokens| tokens.access.clone()),
            move |access| {
                let timer = access.clone().and_then(|access| {
                    let claims = token::decode(&access).ok()?.known;
                    let delay = token::refresh_delay_ms(&claims, token::unix_now_ms())?;
                    Some(Timeout::new(delay, move || keeper.refresh_soon(access)))
                });
                move || drop(timer)
            },
        );
    }

    let handle = SessionHandle { state, keeper };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}

/// Follows the tokens other tabs store, until dropped.
struct StorageListener(Option<Closure<dyn Fn(StorageEvent)>>);

impl StorageListener {
    fn new(keeper: Rc<Keeper>) -> Self {
        let Some(window) = web_sys::window() else {
            return Self(None);
        };
        let listener = Closure::<dyn Fn(StorageEvent)>::new(move |event: StorageEvent| {
            // `key` is null after `localStorage.clear()`.
            if event.key().is_none_or(|key| key == ACCESS_KEY) {
                keeper.adopt_stored();
            }
        });
        let added = window
            .add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref())
            .is_ok();
        Self(added.then_some(listener))
    }
}

impl Drop for StorageListener {
    fn drop(&mut self) {
        if let (Some(window), Some(listener)) = (web_sys::window(), &self.0) {
            let callback = listener.as_ref().unchecked_ref();
            drop(window.remove_event_listener_with_callback("storage", callback));
        }
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
