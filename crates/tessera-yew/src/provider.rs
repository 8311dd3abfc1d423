//! [`SessionProvider`]: restores the session, keeps it fresh, follows the other
//! tabs and hands it to [`use_session`].

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::StorageEvent;
use yew::prelude::*;

use crate::keeper::Keeper;
use crate::storage::{load_tokens, store_tokens};
use crate::{token, Config, Paths, Session, SessionState, StorageKeys};

/// Props of [`SessionProvider`]; every setting has the seeds' default.
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// Prefixed to every API path, e.g. `https://auth.example.com`. Defaults to
    /// empty: the page's own origin.
    #[prop_or_default]
    pub base_url: AttrValue,
    /// The API routes. Defaults to Tessera's (`/auth`, `/register`, `/refresh`,
    /// `/logout`, `/logout/all`).
    #[prop_or_default]
    pub paths: Paths,
    /// The `localStorage` keys. Defaults to `access_token` and `refresh_token`.
    #[prop_or_default]
    pub keys: StorageKeys,
    /// The part of the app that can use the session.
    pub children: Html,
}

/// Restores the session from `localStorage`, keeps it fresh and provides it to
/// its children through [`use_session`].
///
/// - On load, a session whose access token expired but whose refresh token did
///   not is refreshed at once; one that cannot be refreshed becomes
///   [`SessionState::Expired`].
/// - Each access token is refreshed shortly before it expires
///   ([`token::refresh_delay_ms`]); the timer goes with the token.
/// - A `storage` event from another tab (a refresh, a sign-in or a sign-out)
///   replaces this tab's tokens, so it does not refresh them again.
///
/// The settings are read once, when the provider is first rendered.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let config = use_memo((), |()| Config {
        base_url: props.base_url.clone(),
        paths: props.paths.clone(),
        keys: props.keys.clone(),
    });
    let state = {
        let keys = config.keys.clone();
        use_reducer(move || {
            let state = SessionState::restore(load_tokens(&keys), token::unix_now());
            if state.tokens().is_none() {
                store_tokens(&keys, None);
            }
            state
        })
    };
    let keeper = {
        let (config, tokens) = ((*config).clone(), state.tokens().cloned());
        let refreshing = matches!(*state, SessionState::Refreshing(_));
        let dispatch = state.dispatcher();
        let keeper = use_memo((), move |()| {
            let keeper = Rc::new(Keeper::new(config, tokens, dispatch));
            if refreshing {
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
            .tokens()
            .filter(|tokens| tokens.refresh.is_some())
            .cloned();
        use_effect_with(refreshable, move |tokens| {
            let timer = tokens.as_ref().and_then(|tokens| {
                let delay = token::refresh_delay_ms(&tokens.claims, token::unix_now_ms())?;
                let access = tokens.access.clone();
                Some(Timeout::new(delay, move || keeper.refresh_soon(access)))
            });
            move || drop(timer)
        });
    }

    let session = Session { state, keeper };
    html! {
        <ContextProvider<Session> context={session}>
            { props.children.clone() }
        </ContextProvider<Session>>
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
            if event
                .key()
                .is_none_or(|key| key == keeper.config.keys.access.as_str())
            {
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
pub fn use_session() -> Session {
    use_context::<Session>().expect("use_session() needs a <SessionProvider> above it")
}
