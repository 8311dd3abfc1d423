//! The username + password form behind both sign-in and sign-up.

use tessera_shared::Credentials;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// Props of [`CredentialsForm`].
#[derive(Properties, PartialEq)]
pub struct CredentialsFormProps {
    /// The submit button's text, e.g. "Sign in".
    pub submit_label: AttrValue,
    /// The submit button's text while `busy`, e.g. "Signing in…".
    pub busy_label: AttrValue,
    /// A request is running: the button is disabled and a second submit ignored.
    pub busy: bool,
    /// The last failure, shown under the fields and announced to screen readers.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// A sign-up form: the browser may suggest a new password, and the rules are shown.
    #[prop_or_default]
    pub new_account: bool,
    /// More fields, shown after the password (e.g. sign-up's email address).
    #[prop_or_default]
    pub children: Html,
    /// Receives the entered credentials on submit (button or Enter).
    pub onsubmit: Callback<Credentials>,
}

/// Labelled username and password fields with a submit button and an error line.
///
/// A new error is announced (`role="alert"`) and takes the focus, so keyboard
/// and screen-reader users land on it rather than on a disabled button.
#[component]
pub fn CredentialsForm(props: &CredentialsFormProps) -> Html {
    let username = use_state(String::new);
    let password = use_state(String::new);
    let error_line = use_node_ref();
    {
        let error_line = error_line.clone();
        use_effect_with(props.error.clone(), move |error| {
            if let (Some(_), Some(line)) = (error, error_line.cast::<HtmlElement>()) {
                drop(line.focus());
            }
        });
    }

    let on_username = {
        let username = username.clone();
        Callback::from(move |event: InputEvent| {
            username.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |event: InputEvent| {
            password.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let onsubmit = {
        let (username, password) = (username.clone(), password.clone());
        let (busy, onsubmit) = (props.busy, props.onsubmit.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !busy {
                onsubmit.emit(Credentials {
                    username: username.trim().to_owned(),
                    password: (*password).clone(),
                });
            }
        })
    };

    let (password_autocomplete, described_by) = if props.new_account {
        ("new-password", "form-error form-rules")
    } else {
        ("current-password", "form-error")
    };
    let invalid = props.error.is_some().then_some("true");
    html! {
        <form class="form" {onsubmit} aria-busy={props.busy.then_some("true")}>
            <div class="field">
                <label for="username">{ "Username" }</label>
                <input id="username" name="username" type="text" required=true
                    autocomplete="username" autocapitalize="none" spellcheck="false"
                    aria-invalid={invalid} aria-describedby={described_by}
                    value={(*username).clone()} oninput={on_username} />
            </div>
            <div class="field">
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" required=true
                    autocomplete={password_autocomplete}
                    aria-invalid={invalid} aria-describedby={described_by}
                    value={(*password).clone()} oninput={on_password} />
            </div>
            { props.children.clone() }
            if props.new_account {
                <p id="form-rules" class="hint">
                    { "Usernames are 1–64 letters, digits, dots, dashes or underscores. \
                       Passwords need at least 8 characters." }
                </p>
            }
            <p id="form-error" class="form-error" role="alert" aria-live="assertive"
                tabindex="-1" ref={error_line}>
                { props.error.clone().unwrap_or_default() }
            </p>
            <button type="submit" class="button" disabled={props.busy}>
                { if props.busy { &props.busy_label } else { &props.submit_label } }
            </button>
        </form>
    }
}
