//! [`SignInForm`]: an optional, unstyled sign-in form.

use tessera_shared::Credentials;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::use_session;

/// Props of [`SignInForm`]; the texts default to English.
#[derive(Properties, PartialEq)]
pub struct SignInFormProps {
    /// The username field's label. Defaults to "Username".
    #[prop_or(AttrValue::Static("Username"))]
    pub username_label: AttrValue,
    /// The password field's label. Defaults to "Password".
    #[prop_or(AttrValue::Static("Password"))]
    pub password_label: AttrValue,
    /// The submit button's text. Defaults to "Sign in".
    #[prop_or(AttrValue::Static("Sign in"))]
    pub submit_label: AttrValue,
}

/// A sign-in form for the session of the enclosing [`crate::SessionProvider`]:
/// labelled `#username` and `#password` fields, a submit button, and an
/// `#error` line that announces the server's refusal and takes the focus.
///
/// It has no classes or styles; style it through its element ids, or write
/// your own form around [`crate::Session::sign_in`].
#[component]
pub fn SignInForm(props: &SignInFormProps) -> Html {
    let session = use_session();
    let (username, password, error_line) = (use_node_ref(), use_node_ref(), use_node_ref());
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let error_line = error_line.clone();
        use_effect_with((*error).clone(), move |error| {
            if let (Some(_), Some(line)) = (error, error_line.cast::<HtmlElement>()) {
                drop(line.focus());
            }
        });
    }
    let onsubmit = {
        let (username, password) = (username.clone(), password.clone());
        let (error, busy) = (error.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = |input: &NodeRef| {
                input
                    .cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let credentials = Credentials {
                username: value(&username).trim().to_owned(),
                password: value(&password),
            };
            let (session, error, busy) = (session.clone(), error.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                let outcome = session.sign_in(&credentials).await;
                busy.set(false);
                error.set(outcome.err().map(|err| err.to_string()));
            });
        })
    };
    html! {
        <form {onsubmit} aria-busy={busy.then_some("true")}>
            <p>
                <label for="username">{ &props.username_label }</label>
                <input id="username" ref={username} required=true autocomplete="username"
                    autocapitalize="none" spellcheck="false" aria-describedby="error" />
            </p>
            <p>
                <label for="password">{ &props.password_label }</label>
                <input id="password" ref={password} type="password" required=true
                    autocomplete="current-password" aria-describedby="error" />
            </p>
            <button type="submit" disabled={*busy}>{ &props.submit_label }</button>
            <p id="error" role="alert" aria-live="assertive" tabindex="-1" ref={error_line}>
                { (*error).clone().unwrap_or_default() }
            </p>
        </form>
    }
}
