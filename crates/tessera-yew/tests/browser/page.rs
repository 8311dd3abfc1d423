//! A mounted [`SessionProvider`], the session it provides, and fixture tokens.

use std::cell::RefCell;
use std::time::Duration;

use tessera_yew::{use_session, Session, SessionProvider, StorageKeys, Tokens};
use web_sys::Storage;
use yew::prelude::*;
use yew::AppHandle;

/// `{"iat":1,"exp":4102444800}`: valid until 2100.
pub(crate) const A1: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEsImV4cCI6NDEwMjQ0NDgwMH0.c2ln";
/// `{"iat":2,"exp":4102444800}`: issued after [`A1`].
pub(crate) const A2: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln";
/// The refresh token issued with [`A1`].
pub(crate) const R1: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEsImV4cCI6NDEwMjQ0NDgwMCwianRpIjoicjEifQ.c2ln";
/// The refresh token issued with [`A2`].
pub(crate) const R2: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjIsImV4cCI6NDEwMjQ0NDgwMCwianRpIjoicjIifQ.c2ln";
/// `{"iat":1,"exp":4102444800,"acr":"0"}`: a first step, waiting for its second factor.
pub(crate) const F1: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEsImV4cCI6NDEwMjQ0NDgwMCwiYWNyIjoiMCJ9.c2ln";
/// `{"iat":1,"exp":1000}`: expired since 1970.
pub(crate) const OLD: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjEsImV4cCI6MTAwMH0.c2ln";

/// A pair of raw tokens.
pub(crate) fn pair(access: &str, refresh: &str) -> Tokens {
    Tokens::new(access.to_owned(), Some(refresh.to_owned().into()))
}

/// The page's `localStorage`.
pub(crate) fn local_storage() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

thread_local! {
    /// The session as last rendered by the mounted [`Probe`].
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

#[component]
fn Probe() -> Html {
    let session = use_session();
    SESSION.with(|slot| slot.replace(Some(session)));
    Html::default()
}

/// Props of [`Provided`].
#[derive(Properties, PartialEq)]
pub(crate) struct ProvidedProps {
    /// The provider's storage keys.
    pub(crate) keys: StorageKeys,
}

#[component]
fn Provided(props: &ProvidedProps) -> Html {
    html! { <SessionProvider keys={props.keys.clone()}><Probe /></SessionProvider> }
}

/// A provider mounted on its own element; unmounted when dropped.
pub(crate) struct Mounted(Option<AppHandle<Provided>>);

impl Mounted {
    /// Mounts a provider with the default storage keys, and lets it render.
    pub(crate) async fn new() -> Self {
        Self::with_keys(StorageKeys::default()).await
    }

    /// Mounts a provider with `keys`, and lets it render.
    pub(crate) async fn with_keys(keys: StorageKeys) -> Self {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let app =
            yew::Renderer::<Provided>::with_root_and_props(root, ProvidedProps { keys }).render();
        settle().await;
        Self(Some(app))
    }

    /// The session as last rendered.
    pub(crate) fn session(&self) -> Session {
        SESSION
            .with(|slot| slot.borrow().clone())
            .expect("rendered")
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(app) = self.0.take() {
            app.destroy();
        }
        SESSION.with(|slot| slot.replace(None));
    }
}

/// Lets Yew's scheduler render what was dispatched (a render, not a wait for
/// some outcome: every test awaits the futures it checks).
pub(crate) async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(50)).await;
}
