//! `/forgot-password`: ask for a password reset link by email address or username.

use tessera_shared::paths::PASSWORD_FORGOT;
use tessera_shared::ForgotPasswordRequest;
use tessera_yew::{use_session, Method};
use yew::prelude::*;

use crate::bodies;
use crate::components::{Action, ActionForm, FieldSpec, Page, RouteLink};
use crate::route::Route;

/// What the page says once the request was taken, account or not: the server
/// answers the same either way, so the page does too.
pub const SENT_NOTICE: &str = "If an account with that email address or username exists, \
     a link to reset its password is on its way. It works for 30 minutes.";

const FIELDS: &[FieldSpec] = &[FieldSpec {
    id: "account",
    label: "Email address or username",
    kind: "text",
    autocomplete: "username",
    required: true,
}];

/// The request for `entered`: an email address when it has an `@`, a username otherwise.
pub fn forgot_request(entered: &str) -> ForgotPasswordRequest {
    let entered = entered.trim().to_owned();
    if entered.contains('@') {
        ForgotPasswordRequest {
            email: Some(entered),
            username: None,
        }
    } else {
        ForgotPasswordRequest {
            email: None,
            username: Some(entered),
        }
    }
}

/// One field (email address or username) and the same answer for every account.
#[component]
pub fn ForgotPassword() -> Html {
    let session = use_session();
    let action = Action::from(move |values: Vec<String>| {
        let session = session.clone();
        let body = bodies::forgot(&forgot_request(&values[0]));
        Box::pin(async move {
            match session
                .call_public(Method::Post, PASSWORD_FORGOT, body)
                .await
            {
                Ok(_) => Ok(AttrValue::Static(SENT_NOTICE)),
                Err(err) => Err(err.to_string().into()),
            }
        }) as _
    });
    html! {
        <Page title="Reset your password" class="narrow">
            <p id="forgot-hint" class="hint">
                { "Enter your account's email address or username; we will mail you a link." }
            </p>
            <ActionForm name="forgot" fields={FIELDS} hint="forgot-hint"
                labels={("Send the link", "Sending…")} {action} />
            <p class="aside">
                <RouteLink to={Route::SignIn}>{ "Back to sign in" }</RouteLink>
            </p>
        </Page>
    }
}
