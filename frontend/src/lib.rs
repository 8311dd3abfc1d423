//! Tessera's browser app: sign in, sign up, see the protected data and inspect
//! the token, reset a forgotten password, manage the email address and devices.
//!
//! A Yew single-page app built with Trunk and served by the Tessera server from
//! the same origin as its API. The session (tokens, refresh, other tabs, the
//! protected calls) is [`tessera_yew`]'s; the pieces here:
//! - [`app`]: the root component, and which page each route shows;
//! - [`route`]: the client-side routes and an in-place redirect;
//! - [`bodies`]: the JSON bodies of the account requests;
//! - [`notice`]: what the sign-in page says about how the last session ended;
//! - [`pages`] (one per route) built from [`components`].

pub mod app;
pub mod bodies;
pub mod components;
pub mod notice;
pub mod pages;
pub mod route;

pub use app::App;
