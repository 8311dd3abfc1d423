//! `RequireAuth`: the children while signed in, the fallback otherwise; and
//! `LocationRedirect` as that fallback.

use tessera_yew::storage::store_tokens;
use tessera_yew::{LocationRedirect, RequireAuth, SessionProvider, StorageKeys};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;
use yew::prelude::*;

use crate::page::{pair, settle, A1, F1, R1};

#[component]
fn Guarded() -> Html {
    html! {
        <SessionProvider>
            // A same-page URL: leaving it changes only the hash, so the test page stays.
            <RequireAuth fallback={html! {
                <><p id="fallback">{ "Please sign in" }</p><LocationRedirect url="#signed-out" /></>
            }}>
                <p id="secret">{ "For signed-in users" }</p>
            </RequireAuth>
        </SessionProvider>
    }
}

/// Renders [`Guarded`] and reports which of its parts are shown and the hash.
async fn render_guarded() -> (bool, bool, String) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: Element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<Guarded>::with_root(root.clone()).render();
    settle().await;
    let shown = |id: &str| root.query_selector(id).unwrap().is_some();
    let seen = (
        shown("#secret"),
        shown("#fallback"),
        web_sys::window().unwrap().location().hash().unwrap(),
    );
    app.destroy();
    seen
}

#[wasm_bindgen_test]
async fn signed_out_users_get_the_fallback_and_the_redirect() {
    web_sys::window().unwrap().location().set_hash("").unwrap();
    store_tokens(&StorageKeys::default(), None);
    assert_eq!(
        render_guarded().await,
        (false, true, "#signed-out".to_owned())
    );
}

#[wasm_bindgen_test]
async fn signed_in_users_get_the_children_and_stay() {
    web_sys::window().unwrap().location().set_hash("").unwrap();
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    assert_eq!(render_guarded().await, (true, false, String::new()));
    store_tokens(&StorageKeys::default(), None);
}

#[wasm_bindgen_test]
async fn a_first_step_gets_the_fallback_until_its_second_factor() {
    web_sys::window().unwrap().location().set_hash("").unwrap();
    store_tokens(&StorageKeys::default(), Some(&pair(F1, R1)));
    assert_eq!(
        render_guarded().await,
        (false, true, "#signed-out".to_owned())
    );
    store_tokens(&StorageKeys::default(), None);
}
