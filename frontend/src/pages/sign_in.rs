//! `/sign-in`: exchange a username and password for a token.

use tessera_shared::Credentials;
use tessera_yew::use_session;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::field::USERNAME;
use crate::components::{Action, ActionForm, FieldSpec, Page, RouteLink};
use crate::notice::session_notice;
use crate::route::{Replace, Route};

const FIELDS: &[FieldSpec] = &[
    USERNAME,
    FieldSpec {
        id: "password",
        label: "Password",
        kind: "password",
        autocomplete: "current-password",
        required: true,
    },
];

/// The sign-in page. Once signed in (or when already), it goes on to the account page.
///
/// Its notice says how the last session ended, or what the page that sent the
/// user here left in the history entry's state (an [`AttrValue`]).
#[component]
pub fn SignIn() -> Html {
    let session = use_session();
    let action = {
        let session = session.clone();
        Action::from(move |values: Vec<String>| {
            let session = session.clone();
            let credentials = Credentials {
                username: values[0].trim().to_owned(),
                password: values[1].clone(),
            };
            Box::pin(async move {
                match session.sign_in(&credentials).await {
                    Ok(()) => Ok(AttrValue::default()),
                    Err(err) => Err(err.to_string().into()),
                }
            }) as _
        })
    };

    let left = use_location().and_then(|location| location.state::<AttrValue>());
    if session.is_signed_in() {
        return html! { <Replace to={Route::Account} /> };
    }
    let notice = left
        .map(|notice| (*notice).clone())
        .or_else(|| session_notice(&session).map(AttrValue::from));
    html! {
        <Page title="Sign in" class="narrow">
            if let Some(notice) = notice {
                <p id="notice" class="notice" role="status" aria-live="polite">{ notice }</p>
            }
            <ActionForm name="form" fields={FIELDS} labels={("Sign in", "Signing in…")} {action} />
            <p class="aside">
                <RouteLink to={Route::ForgotPassword}>{ "Forgot password?" }</RouteLink>
            </p>
            <p class="aside">
                { "New here? " }
                <RouteLink to={Route::SignUp}>{ "Create an account" }</RouteLink>
            </p>
        </Page>
    }
}
