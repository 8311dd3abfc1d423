//! `/sign-in`: exchange a username and password for a token.

use tessera_shared::Credentials;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{CredentialsForm, Page, RouteLink};
use crate::route::{Replace, Route};
use crate::session::use_session;

/// The sign-in page. Once signed in (or when already), it goes on to the account page.
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
                match api::auth(&credentials).await {
                    Ok(issued) => session.login(issued),
                    Err(err) => error.set(Some(err.to_string().into())),
                }
                busy.set(false);
            });
        })
    };

    if session.tokens.is_some() {
        return html! { <Replace to={Route::Account} /> };
    }
    html! {
        <Page title="Sign in" class="narrow">
            if let Some(notice) = session.notice.clone() {
                <p id="notice" class="notice" role="status">{ notice }</p>
            }
            <CredentialsForm submit_label="Sign in" busy_label="Signing in…" busy={*busy}
                error={(*error).clone()} {onsubmit} />
            <p class="aside">
                { "New here? " }
                <RouteLink to={Route::SignUp}>{ "Create an account" }</RouteLink>
            </p>
        </Page>
    }
}
