//! DOM and `localStorage` tests; they run in headless Chromium through
//! `wasm-bindgen-test-runner` (chromedriver on PATH, `webdriver.json` beside this crate).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use frontend::components::CredentialsForm;
use frontend::session::{
    load_tokens, store_tokens, use_session, SessionProvider, Tokens, ACCESS_KEY, REFRESH_KEY,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Storage, StorageEvent, StorageEventInit};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `{"exp": 1000}`: expired since 1970.
const EXPIRED: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEwMDB9.c2ln";
/// `{"exp": 4102444800}`: valid until 2100.
const VALID: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";
/// `{"exp": 4102444801}`: another token, valid until 2100.
const OTHER: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDF9.c2ln";

fn pair(access: &str, refresh: &str) -> Tokens {
    Tokens {
        access: access.to_owned().into(),
        refresh: Some(refresh.to_owned().into()),
    }
}

fn local_storage() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A fresh element to render into.
fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew's scheduler render.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(50)).await;
}

#[wasm_bindgen_test]
fn the_tokens_are_stored_raw_and_removed() {
    store_tokens(Some(&pair(VALID, OTHER)));
    let stored = |key| local_storage().get_item(key).unwrap();
    assert_eq!(stored(ACCESS_KEY).as_deref(), Some(VALID));
    assert_eq!(stored(REFRESH_KEY).as_deref(), Some(OTHER));
    assert_eq!(load_tokens(), Some(pair(VALID, OTHER)));

    store_tokens(None);
    assert_eq!((stored(ACCESS_KEY), stored(REFRESH_KEY)), (None, None));
    assert_eq!(load_tokens(), None);
}

#[component]
fn SessionProbe() -> Html {
    let session = use_session();
    let tokens = session.tokens.as_ref();
    let access = tokens.map(|tokens| tokens.access.to_string());
    let refresh = tokens.and_then(|tokens| tokens.refresh.as_deref().map(str::to_owned));
    html! {
        <p id="probe">
            { format!("{access:?}|{refresh:?}|{}", session.notice.clone().unwrap_or_default()) }
        </p>
    }
}

#[component]
fn ProbeApp() -> Html {
    html! { <SessionProvider><SessionProbe /></SessionProvider> }
}

fn probe_text(root: &Element) -> String {
    root.query_selector("#probe")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
}

async fn render_probe() -> Element {
    let root = mount_point();
    yew::Renderer::<ProbeApp>::with_root(root.clone()).render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn a_stored_valid_session_survives_a_reload() {
    store_tokens(Some(&pair(VALID, OTHER)));
    let root = render_probe().await;
    assert_eq!(
        probe_text(&root),
        format!("Some({VALID:?})|Some({OTHER:?})|")
    );
    assert_eq!(load_tokens(), Some(pair(VALID, OTHER)));
    store_tokens(None);
}

#[wasm_bindgen_test]
async fn a_stored_session_that_cannot_be_refreshed_is_dropped_with_a_notice() {
    store_tokens(Some(&pair(EXPIRED, EXPIRED)));
    let root = render_probe().await;
    assert_eq!(
        probe_text(&root),
        "None|None|Your session has expired. Please sign in again."
    );
    assert_eq!(load_tokens(), None);
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
    store_tokens(Some(&pair(VALID, VALID)));
    let root = render_probe().await;

    // Another tab refreshed: this one takes the new pair instead of refreshing.
    store_tokens(Some(&pair(OTHER, OTHER)));
    storage_event(ACCESS_KEY);
    settle().await;
    assert_eq!(
        probe_text(&root),
        format!("Some({OTHER:?})|Some({OTHER:?})|")
    );

    // Another tab signed out.
    store_tokens(None);
    storage_event(ACCESS_KEY);
    settle().await;
    assert_eq!(probe_text(&root), "None|None|You have signed out.");
}

#[component]
fn BusyForm() -> Html {
    html! {
        <CredentialsForm submit_label="Sign in" busy_label="Signing in…" busy=true
            error={Some(AttrValue::from("Bad username or password"))}
            onsubmit={Callback::noop()} />
    }
}

#[wasm_bindgen_test]
async fn the_form_is_labelled_and_shows_errors_while_busy() {
    let root = mount_point();
    yew::Renderer::<BusyForm>::with_root(root.clone()).render();
    settle().await;

    let find = |selector: &str| root.query_selector(selector).unwrap();
    assert!(find("label[for=username]").is_some() && find("input#username").is_some());
    assert!(
        find("label[for=password]").is_some() && find("input#password[type=password]").is_some()
    );

    let error = find("#form-error[role=alert]").expect("an alert region");
    assert_eq!(
        error.text_content().unwrap().trim(),
        "Bad username or password"
    );

    let button = find("button[type=submit]").unwrap();
    assert!(button.has_attribute("disabled"));
    assert_eq!(button.text_content().unwrap().trim(), "Signing in…");
}
