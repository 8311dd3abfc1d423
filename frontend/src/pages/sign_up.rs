//! `/sign-up`: create an account, then sign straight in.

use tessera_shared::{Credentials, RegisterRequest};
use tessera_yew::{use_session, Error, Session};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::field::USERNAME;
use crate::components::{Action, ActionForm, FieldSpec, Page, RouteLink};
use crate::route::{Replace, Route};

const FIELDS: &[FieldSpec] = &[
    USERNAME,
    FieldSpec {
        id: "password",
        label: "Password",
        kind: "password",
        autocomplete: "new-password",
        required: true,
    },
    FieldSpec {
        id: "email",
        label: "Email address (optional, for password resets)",
        kind: "email",
        autocomplete: "email",
        required: false,
    },
];

/// Registers, then signs in with the same credentials.
///
/// Should the sign-in fail after the account was made, the user is sent to the
/// sign-in page with a notice instead.
async fn register_and_sign_in(
    request: RegisterRequest,
    session: Session,
    navigator: Option<Navigator>,
) -> Result<(), Error> {
    let profile = session.sign_up(&request).await?;
    let credentials = Credentials {
        username: request.username,
        password: request.password,
    };
    if session.sign_in(&credentials).await.is_err() {
        let notice = format!("Account “{}” created. Please sign in.", profile.username);
        if let Some(navigator) = navigator {
            navigator.push_with_state(&Route::SignIn, AttrValue::from(notice));
        }
    }
    Ok(())
}

/// The sign-up page; shows the server's reason when it refuses (name or
/// address taken, invalid input, or sign-up closed).
#[component]
pub fn SignUp() -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let action = {
        let session = session.clone();
        Action::from(move |values: Vec<String>| {
            let email = values[2].trim();
            let request = RegisterRequest {
                username: values[0].trim().to_owned(),
                password: values[1].clone(),
                email: (!email.is_empty()).then(|| email.to_owned()),
            };
            let work = register_and_sign_in(request, session.clone(), navigator.clone());
            Box::pin(async move {
                match work.await {
                    Ok(()) => Ok(AttrValue::default()),
                    Err(err) => Err(err.to_string().into()),
                }
            }) as _
        })
    };

    if session.is_signed_in() {
        return html! { <Replace to={Route::Account} /> };
    }
    html! {
        <Page title="Create an account" class="narrow">
            <ActionForm name="form" fields={FIELDS} hint="form-rules"
                labels={("Create account", "Creating account…")} {action}>
                <p id="form-rules" class="hint">
                    { "Usernames are 1–64 letters, digits, dots, dashes or underscores. \
                       Passwords need at least 8 characters." }
                </p>
            </ActionForm>
            <p class="aside">
                { "Already registered? " }
                <RouteLink to={Route::SignIn}>{ "Sign in" }</RouteLink>
            </p>
        </Page>
    }
}
