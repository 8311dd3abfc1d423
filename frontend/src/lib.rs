//! Tessera's browser app: sign in, sign up, see the protected data and inspect the token.
//!
//! A Yew single-page app built with Trunk and served by the Tessera server from
//! the same origin as its API. The pieces:
//! - [`app`]: the root component, and which page each route shows;
//! - [`route`]: the client-side routes and an in-place redirect;
//! - [`api`]: the HTTP calls, over one request helper;
//! - [`session`]: the signed-in session: access and refresh tokens in a
//!   context and `localStorage`, refreshed before the access token expires;
//! - [`token`]: JWT decoding (no verification), expiry and refresh timing;
//! - [`json`]: JSON through the browser's `JSON.parse`, and pretty-printing;
//! - [`pages`] (one per route) built from [`components`].

pub mod api;
pub mod app;
pub mod components;
pub mod json;
pub mod pages;
pub mod route;
pub mod session;
pub mod token;

pub use app::App;
