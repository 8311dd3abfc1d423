//! The tokens in `localStorage`: raw JWTs under `access_token` (where the old
//! jQuery page kept its token) and `refresh_token`.
//!
//! Every tab of the app shares them, so a refresh or sign-out in one tab reaches
//! the others through the `storage` event (see [`super::SessionProvider`]).

use gloo_storage::{LocalStorage, Storage};

use super::Tokens;

/// The `localStorage` key holding the raw access token.
pub const ACCESS_KEY: &str = "access_token";

/// The `localStorage` key holding the raw refresh token.
pub const REFRESH_KEY: &str = "refresh_token";

/// Reads the stored tokens; `None` without an access token.
pub fn load_tokens() -> Option<Tokens> {
    let storage = LocalStorage::raw();
    let access = storage.get_item(ACCESS_KEY).ok().flatten()?;
    let refresh = storage.get_item(REFRESH_KEY).ok().flatten();
    Some(Tokens {
        access: access.into(),
        refresh: refresh.map(Into::into),
    })
}

/// Stores the tokens, or removes them for `None`.
///
/// Other tabs act on the `access_token` key, so it is written after the
/// refresh token and removed before it: when they see it change, the refresh
/// token already matches.
pub fn store_tokens(tokens: Option<&Tokens>) {
    // A full or disabled storage only costs the user a sign-in after reload;
    // the session itself lives on in memory.
    let storage = LocalStorage::raw();
    match tokens {
        Some(tokens) => {
            match &tokens.refresh {
                Some(refresh) => drop(storage.set_item(REFRESH_KEY, refresh)),
                None => drop(storage.remove_item(REFRESH_KEY)),
            }
            drop(storage.set_item(ACCESS_KEY, &tokens.access));
        }
        None => {
            drop(storage.remove_item(ACCESS_KEY));
            drop(storage.remove_item(REFRESH_KEY));
        }
    }
}
