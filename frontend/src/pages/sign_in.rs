//! `/sign-in`: exchange a username and password for a token.

use tessera_shared::Credentials;
use tessera_yew::use_session;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{CredentialsForm, Page, RouteLink};
use crate::notice::session_notice;
use crate::route::{Replace, Route};

/// The sign-in page. Once signed in (or when already), it goes on to the account page.
///
/// Its notice says how the last session ended, or what the page that sent the
/// user here left in the history entry's state (an [`AttrValue`]).
#[component]
pub fn SignIn() -> Html {
    let session = use_session();
    let busy = use_state(|| false);
    let error = use_state(|| None::<AttrValue>);

    let onsubmit = {
        let (session, busy, error) = (session.clone(), busy.clone(), error.clone());
        Callback::from(move |credentials: Credentials| {
            let (session, busy, error) = (session.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                if let Err(err) = session.sign_in(&credentials).await {
                    error.set(Some(err.to_string().into()));
                }
                busy.set(false);
            });
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
            <CredentialsForm submit_label="Sign in" busy_label="Signing in…" busy={*busy}
                error={(*error).clone()} {onsubmit} />
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
