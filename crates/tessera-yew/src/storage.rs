//! The tokens in `localStorage`, as raw JWTs under the configured keys
//! ([`StorageKeys`]: `access_token` and `refresh_token` by default).
//!
//! Every tab of the app shares them, so a refresh or sign-out in one tab
//! reaches the others through the `storage` event (see [`crate::SessionProvider`]).

use web_sys::Storage;

use crate::{StorageKeys, Tokens};

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads the stored tokens; `None` without an access token.
pub fn load_tokens(keys: &StorageKeys) -> Option<Tokens> {
    let storage = local_storage()?;
    let access = storage.get_item(&keys.access).ok().flatten()?;
    let refresh = storage.get_item(&keys.refresh).ok().flatten();
    Some(Tokens::new(access, refresh.map(Into::into)))
}

/// Stores the tokens, or removes them for `None`.
///
/// Other tabs act on the access token's key, so it is written after the
/// refresh token and removed before it: when they see it change, the refresh
/// token already matches.
pub fn store_tokens(keys: &StorageKeys, tokens: Option<&Tokens>) {
    // A full or disabled storage only costs the user a sign-in after reload;
    // the session itself lives on in memory.
    let Some(storage) = local_storage() else {
        return;
    };
    match tokens {
        Some(tokens) => {
            match &tokens.refresh {
                Some(refresh) => drop(storage.set_item(&keys.refresh, refresh)),
                None => drop(storage.remove_item(&keys.refresh)),
            }
            drop(storage.set_item(&keys.access, &tokens.access));
        }
        None => {
            drop(storage.remove_item(&keys.access));
            drop(storage.remove_item(&keys.refresh));
        }
    }
}
