//! The browser side of [Tessera](https://github.com/tessera-auth/tessera) for
//! [Yew](https://yew.rs) apps: sign-in, tokens kept in `localStorage`,
//! refreshed before they expire and after a 401, shared between tabs, and
//! guarded routes.
//!
//! Put a [`SessionProvider`] around the app; below it, [`use_session`] gives
//! the [`Session`]: its [`SessionState`] and the actions (sign in, sign up,
//! sign out, sign out everywhere, refresh), plus [`Session::get`] and
//! [`Session::send`] for the app's own protected calls. [`RequireAuth`] shows
//! a part of the page only to signed-in users; [`SignInForm`] is an optional,
//! unstyled sign-in form.
//!
//! # Example
//!
//! A complete app: a sign-in form, the answer of `GET /protected`, sign-out.
//!
//! ```no_run
//! use tessera_yew::shared::{paths::PROTECTED, ProtectedResponse};
//! use tessera_yew::{use_session, RequireAuth, SessionProvider, SignInForm};
//! use yew::platform::spawn_local;
//! use yew::prelude::*;
//!
//! /// What only a signed-in user sees: the answer of `GET /protected`.
//! #[component]
//! fn Protected() -> Html {
//!     let session = use_session();
//!     let answer = use_state(|| "Loading…".to_owned());
//!     {
//!         let (session, answer) = (session.clone(), answer.clone());
//!         use_effect_with((), move |()| {
//!             spawn_local(async move {
//!                 // Sends the token; refreshes it when due, and once after a 401.
//!                 answer.set(match session.get::<ProtectedResponse>(PROTECTED).await {
//!                     Ok(data) => format!("Hello from {} ({} items)", data.hello_from, data.data.len()),
//!                     Err(err) => err.to_string(), // the server's `msg`
//!                 });
//!             });
//!         });
//!     }
//!     // The access token's claims, decoded for display.
//!     let user = session.claims().and_then(|claims| claims.username.clone());
//!     let sign_out = Callback::from(move |_| session.sign_out());
//!     html! {
//!         <>
//!             <p>{ "Signed in as " }{ user.unwrap_or_default() }</p>
//!             <p aria-live="polite">{ (*answer).clone() }</p>
//!             <button onclick={sign_out}>{ "Sign out" }</button>
//!         </>
//!     }
//! }
//!
//! #[component]
//! fn App() -> Html {
//!     html! {
//!         // Same origin, Tessera's routes, the token in localStorage["access_token"];
//!         // each is a prop: `base_url`, `paths`, `keys`.
//!         <SessionProvider>
//!             <RequireAuth fallback={html! { <SignInForm /> }}>
//!                 <Protected />
//!             </RequireAuth>
//!         </SessionProvider>
//!     }
//! }
//!
//! fn main() {
//!     yew::Renderer::<App>::new().render();
//! }
//! ```
//!
//! With yew-router, a guarded route redirects instead:
//! `<RequireAuth fallback={html! { <Redirect<Route> to={Route::SignIn} /> }}>`;
//! without it, [`LocationRedirect`] as the fallback leaves for another page.
//! A form of your own calls [`Session::sign_in`]; the other actions are
//! [`Session::sign_up`], [`Session::sign_out`], [`Session::sign_out_everywhere`]
//! and [`Session::refresh`], and [`SessionState`] tells a component where the
//! session stands (signed out, signed in, refreshing, expired and why).
//!
//! # The rules the session follows
//! - The tokens live in `localStorage` as raw JWTs ([`StorageKeys`]), so a
//!   reload keeps the session and every tab shares it.
//! - Each access token is refreshed shortly before it expires; a call made
//!   with an expired one refreshes first; a 401 refreshes once and retries
//!   once. One refresh runs at a time per tab, and every call waiting for a
//!   token waits for it.
//! - A refresh or sign-out in another tab reaches this one through the
//!   `storage` event; a refresh it has not heard of yet is found in
//!   `localStorage` before this tab would refresh itself.
//! - A refused refresh ends the session as [`SessionState::Expired`] with the
//!   server's reason; a failed one (offline) keeps it for a later try.
//!
//! Tokens are decoded here for display and timing only ([`token`]); only the
//! server checks signatures.

mod config;
mod error;
mod form;
mod guard;
mod handle;
mod http;
pub mod json;
mod json_value;
mod keeper;
mod method;
pub mod passkey;
mod provider;
mod state;
pub mod storage;
pub mod token;
mod totp;

pub use config::{Config, Paths, StorageKeys};
pub use error::Error;
pub use form::{SignInForm, SignInFormProps};
pub use guard::{LocationRedirect, LocationRedirectProps, RequireAuth, RequireAuthProps};
pub use handle::Session;
pub use method::Method;
pub use provider::{use_session, SessionProvider, SessionProviderProps};
pub use state::{ExpiredReason, SessionState, SignOut, Tokens};
/// The wire types of the Tessera API (the `tessera-shared` crate).
pub use tessera_shared as shared;
