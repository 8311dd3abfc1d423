//! DOM tests; they run in headless Chromium through `wasm-bindgen-test-runner`
//! (chromedriver on PATH, `webdriver.json` beside this crate). The session's own
//! browser tests are in `tessera-yew`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use frontend::components::CredentialsForm;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

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
