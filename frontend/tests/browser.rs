//! DOM tests; they run in headless Chromium through `wasm-bindgen-test-runner`
//! (chromedriver on PATH, `webdriver.json` beside this crate). The session's own
//! browser tests are in `tessera-yew`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use frontend::components::{Action, ActionForm, FieldSpec};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};
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

const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: "username",
        label: "Username",
        kind: "text",
        autocomplete: "username",
        required: false,
    },
    FieldSpec {
        id: "password",
        label: "Password",
        kind: "password",
        autocomplete: "current-password",
        required: false,
    },
];

/// A sign-in form whose action fails, or (`pending`) never ends.
#[derive(Properties, PartialEq)]
struct FormProps {
    pending: bool,
}

#[component]
fn TestForm(props: &FormProps) -> Html {
    let pending = props.pending;
    let action = Action::from(move |_| {
        Box::pin(async move {
            if pending {
                std::future::pending::<()>().await;
            }
            Err(AttrValue::Static("Bad username or password"))
        }) as _
    });
    html! {
        <ActionForm name="form" fields={FIELDS} labels={("Sign in", "Signing in…")} {action} />
    }
}

async fn submitted(pending: bool) -> Element {
    let root = mount_point();
    yew::Renderer::<TestForm>::with_root_and_props(root.clone(), FormProps { pending }).render();
    settle().await;
    let button: HtmlElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    button.click();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn the_form_is_labelled_and_announces_and_focuses_its_error() {
    let root = submitted(false).await;
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
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element();
    assert_eq!(
        focused.map(|element| element.id()),
        Some("form-error".to_owned())
    );
    let button = find("button[type=submit]").unwrap();
    assert!(!button.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn the_button_is_disabled_while_the_action_runs() {
    let root = submitted(true).await;
    let button = root.query_selector("button[type=submit]").unwrap().unwrap();
    assert!(button.has_attribute("disabled"));
    assert_eq!(button.text_content().unwrap().trim(), "Signing in…");
}
