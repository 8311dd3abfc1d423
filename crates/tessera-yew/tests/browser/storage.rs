//! Storage and the other tabs: the tokens in `localStorage`, restored on load,
//! and followed through the `storage` event.

use tessera_yew::storage::{load_tokens, store_tokens};
use tessera_yew::{ExpiredReason, SessionState, SignOut, StorageKeys};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{StorageEvent, StorageEventInit};

use crate::page::{local_storage, pair, settle, Mounted, A1, A2, OLD, R1, R2};

#[wasm_bindgen_test]
fn the_tokens_are_stored_raw_and_removed() {
    let keys = StorageKeys::default();
    store_tokens(&keys, Some(&pair(A1, R1)));
    let stored = |key| local_storage().get_item(key).unwrap();
    assert_eq!(stored("access_token").as_deref(), Some(A1));
    assert_eq!(stored("refresh_token").as_deref(), Some(R1));
    assert_eq!(load_tokens(&keys), Some(pair(A1, R1)));

    store_tokens(&keys, None);
    assert_eq!(
        (stored("access_token"), stored("refresh_token")),
        (None, None)
    );
    assert_eq!(load_tokens(&keys), None);
}

#[wasm_bindgen_test]
async fn a_stored_valid_session_survives_a_reload() {
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    let page = Mounted::new().await;
    assert_eq!(*page.session(), SessionState::SignedIn(pair(A1, R1)));
    assert_eq!(
        page.session().claims().and_then(|claims| claims.iat),
        Some(1)
    );
    store_tokens(&StorageKeys::default(), None);
}

#[wasm_bindgen_test]
async fn a_stored_session_that_cannot_be_refreshed_expires() {
    store_tokens(&StorageKeys::default(), Some(&pair(OLD, OLD)));
    let page = Mounted::new().await;
    assert_eq!(
        *page.session(),
        SessionState::Expired(ExpiredReason::TimedOut)
    );
    assert_eq!(load_tokens(&StorageKeys::default()), None);
}

#[wasm_bindgen_test]
async fn the_storage_keys_are_the_apps_choice() {
    let keys = StorageKeys {
        access: "my_app.access".into(),
        refresh: "my_app.refresh".into(),
    };
    store_tokens(&StorageKeys::default(), None);
    store_tokens(&keys, Some(&pair(A1, R1)));
    let page = Mounted::with_keys(keys.clone()).await;
    assert_eq!(*page.session(), SessionState::SignedIn(pair(A1, R1)));
    page.session().sign_out();
    settle().await;
    assert_eq!(local_storage().get_item("my_app.access").unwrap(), None);
}

/// What the browser fires in the other tabs when one changes `localStorage`.
fn storage_event(key: &str) {
    let init = StorageEventInit::new();
    init.set_key(Some(key));
    let event = StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn tokens_another_tab_stores_replace_this_tabs() {
    let keys = StorageKeys::default();
    store_tokens(&keys, Some(&pair(A1, R1)));
    let page = Mounted::new().await;

    // Another tab refreshed: this one takes the new pair instead of refreshing.
    store_tokens(&keys, Some(&pair(A2, R2)));
    storage_event("access_token");
    settle().await;
    assert_eq!(*page.session(), SessionState::SignedIn(pair(A2, R2)));

    // Another tab signed out.
    store_tokens(&keys, None);
    storage_event("access_token");
    settle().await;
    assert_eq!(
        *page.session(),
        SessionState::SignedOut(Some(SignOut::OtherTab))
    );
}
