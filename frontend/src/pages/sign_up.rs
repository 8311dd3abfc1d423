//! `/sign-up`: create an account, then sign straight in.

use tessera_shared::{Credentials, RegisterRequest};
use tessera_yew::{use_session, Error, Session};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{field, CredentialsForm, FieldSpec, Page, RouteLink};
use crate::route::{Replace, Route};

/// The optional email address, for password reset links.
const EMAIL: FieldSpec = FieldSpec {
    id: "email",
    label: "Email address (optional, for password resets)",
    kind: "email",
    autocomplete: "email",
    required: false,
};

/// Registers, then signs in with the same credentials.
///
/// Should the sign-in fail after the account was made, the user is sent to the
/// sign-in page with a notice instead.
async fn register_and_sign_in(
    credentials: Credentials,
    email: Option<String>,
    session: Session,
    navigator: Option<Navigator>,
) -> Result<(), Error> {
    let request = RegisterRequest {
        username: credentials.username.clone(),
        password: credentials.password.clone(),
        email,
    };
    let profile = session.sign_up(&request).await?;
    if session.sign_in(&credentials).await.is_err() {
        let notice = format!("Account “{}” created. Please sign in.", profile.username);
        if let Some(navigator) = navigator {
            navigator.push_with_state(&Route::SignIn, AttrValue::from(notice));
        }
    }
    Ok(())
}

/// The sign-up page; shows the server's reason when it refuses (name taken,
/// invalid input, or sign-up closed).
#[component]
pub fn SignUp() -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let busy = use_state(|| false);
    let error = use_state(|| None::<AttrValue>);
    let email = use_state(String::new);

    let on_email = {
        let email = email.clone();
        Callback::from(move |value: String| email.set(value))
    };
    let onsubmit = {
        let email = email.clone();
        let (session, busy, error) = (session.clone(), busy.clone(), error.clone());
        Callback::from(move |credentials: Credentials| {
            let (session, navigator) = (session.clone(), navigator.clone());
            let email = Some(email.trim().to_owned()).filter(|email| !email.is_empty());
            let (busy, error) = (busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                if let Err(err) = register_and_sign_in(credentials, email, session, navigator).await
                {
                    error.set(Some(err.to_string().into()));
                }
                busy.set(false);
            });
        })
    };

    if session.is_signed_in() {
        return html! { <Replace to={Route::Account} /> };
    }
    html! {
        <Page title="Create an account" class="narrow">
            <CredentialsForm submit_label="Create account" busy_label="Creating account…"
                busy={*busy} error={(*error).clone()} new_account=true {onsubmit}>
                { field(&EMAIL, &email, error.is_some(), "form-error", on_email) }
            </CredentialsForm>
            <p class="aside">
                { "Already registered? " }
                <RouteLink to={Route::SignIn}>{ "Sign in" }</RouteLink>
            </p>
        </Page>
    }
}
