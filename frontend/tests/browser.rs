//! DOM and `localStorage` tests; they run in headless Chromium through
//! `wasm-bindgen-test-runner` (chromedriver on PATH, `webdriver.json` beside this crate).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use frontend::components::CredentialsForm;
use frontend::session::{load_token, store_token, use_session, SessionProvider, TOKEN_KEY};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Storage};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `{"exp": 1000}`: expired since 1970.
const EXPIRED: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEwMDB9.c2ln";
/// `{"exp": 4102444800}`: valid until 2100.
const VALID: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";

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
fn the_token_is_stored_raw_and_removed() {
    store_token(Some(VALID));
    assert_eq!(
        local_storage().get_item(TOKEN_KEY).unwrap().as_deref(),
        Some(VALID)
    );
    assert_eq!(load_token().as_deref(), Some(VALID));

    store_token(None);
    assert_eq!(local_storage().get_item(TOKEN_KEY).unwrap(), None);
    assert_eq!(load_token(), None);
}

#[component]
fn SessionProbe() -> Html {
    let session = use_session();
    html! {
        <p id="probe">
            { format!("{:?}|{}", session.token.as_deref(), session.notice.clone().unwrap_or_default()) }
        </p>
    }
}

#[component]
fn ProbeApp() -> Html {
    html! { <SessionProvider><SessionProbe /></SessionProvider> }
}

async fn render_probe() -> String {
    let root = mount_point();
    yew::Renderer::<ProbeApp>::with_root(root.clone()).render();
    settle().await;
    root.query_selector("#probe")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_stored_valid_token_survives_a_reload() {
    store_token(Some(VALID));
    assert_eq!(render_probe().await, format!("Some({VALID:?})|"));
    assert_eq!(load_token().as_deref(), Some(VALID));
    store_token(None);
}

#[wasm_bindgen_test]
async fn a_stored_expired_token_is_dropped_with_a_notice() {
    store_token(Some(EXPIRED));
    assert_eq!(
        render_probe().await,
        "None|Your session has expired. Please sign in again."
    );
    assert_eq!(load_token(), None);
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
