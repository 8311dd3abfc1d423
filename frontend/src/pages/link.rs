//! The password and email pages outside the account: `/forgot-password`,
//! and `/reset-password#token=…` and `/verify-email#token=…`, which the
//! mailed links open. One component for the three (each component costs the
//! app's download): the link pages read the token from the fragment, drop
//! the fragment from the address bar (so the token is not left in the
//! history), and send it with a form.

use tessera_shared::paths::{EMAIL_VERIFY, PASSWORD_FORGOT, PASSWORD_RESET};
use tessera_shared::{ForgotPasswordRequest, PasswordResetRequest, TokenRequest};
use tessera_yew::{use_session, Method, Session};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::bodies;
use crate::components::{Action, ActionForm, FieldSpec, Page, RouteLink};
use crate::route::{link_token, Route};

/// The sign-in page's notice after a reset.
pub const RESET_NOTICE: &str =
    "Your password was changed and every session ended. Sign in with your new password.";

const RESET_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: "new-password",
        label: "New password",
        kind: "password",
        autocomplete: "new-password",
        required: true,
    },
    FieldSpec {
        id: "new-password-again",
        label: "New password, again",
        kind: "password",
        autocomplete: "new-password",
        required: true,
    },
];

/// What the page says once the request was taken, account or not: the server
/// answers the same either way, so the page does too.
pub const SENT_NOTICE: &str = "If an account with that email address or username exists, \
     a link to reset its password is on its way. It works for 30 minutes.";

const FORGOT_FIELDS: &[FieldSpec] = &[FieldSpec {
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

/// Asks for a reset link; the answer is the same whether or not the account exists.
fn forgot(session: Session) -> Action {
    Action::from(move |values: Vec<String>| {
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
    })
}

/// Which page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// No link yet: ask for a reset link by email address or username.
    Forgot,
    /// A password reset link: the new password, twice; then on to sign in.
    Reset,
    /// An email verification link: one button confirms the address.
    Verify,
}

/// Props of [`LinkPage`].
#[derive(Properties, PartialEq)]
pub struct LinkPageProps {
    /// Which link.
    pub kind: LinkKind,
}

/// The reset: the server's refusals say what went wrong (password rules, or
/// a used, expired or replaced link). It ends every session, this tab's too.
fn reset(session: Session, navigator: Option<Navigator>, token: String) -> Action {
    Action::from(move |values: Vec<String>| {
        let (session, navigator) = (session.clone(), navigator.clone());
        let differ = values[0] != values[1];
        let body = bodies::reset(&PasswordResetRequest {
            token: token.clone(),
            new_password: values[0].clone(),
        });
        Box::pin(async move {
            if differ {
                return Err(AttrValue::Static("The two passwords differ."));
            }
            let answer = session
                .call_public(Method::Post, PASSWORD_RESET, body)
                .await;
            answer.map_err(|err| AttrValue::from(err.to_string()))?;
            if session.is_signed_in() {
                session.sign_out();
            }
            if let Some(navigator) = navigator {
                navigator.push_with_state(&Route::SignIn, AttrValue::Static(RESET_NOTICE));
            }
            Ok(AttrValue::default())
        }) as _
    })
}

/// The verification.
fn verify(session: Session, token: String) -> Action {
    Action::from(move |_| {
        let session = session.clone();
        let body = bodies::verify(&TokenRequest {
            token: token.clone(),
        });
        Box::pin(async move {
            match session.call_public(Method::Post, EMAIL_VERIFY, body).await {
                Ok(_) => Ok(AttrValue::Static("Your email address is verified.")),
                Err(err) => Err(err.to_string().into()),
            }
        }) as _
    })
}

/// The page of `kind`.
#[component]
pub fn LinkPage(props: &LinkPageProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let location = use_location();
    let token = use_state(|| location.and_then(|location| link_token(location.hash())));
    {
        let (navigator, kind) = (navigator.clone(), props.kind);
        use_effect_with((), move |()| {
            if let Some(navigator) = navigator {
                match kind {
                    LinkKind::Forgot => {}
                    LinkKind::Reset => navigator.replace(&Route::ResetPassword),
                    LinkKind::Verify => navigator.replace(&Route::VerifyEmail),
                }
            }
        });
    }
    let (title, form, again) = match ((*token).clone(), props.kind) {
        (_, LinkKind::Forgot) => (
            "Reset your password",
            html! {
                <ActionForm name="forgot" fields={FORGOT_FIELDS} hint="forgot-hint"
                    labels={("Send the link", "Sending…")} action={forgot(session)}>
                    <p id="forgot-hint" class="hint">
                        { "Enter your account's email address or username; we will mail you a link." }
                    </p>
                </ActionForm>
            },
            html! { <RouteLink to={Route::SignIn}>{ "Back to sign in" }</RouteLink> },
        ),
        (None, _) => (
            "Open the link from the mail",
            html! {
                <p id="link-error" class="form-error" role="alert">
                    { "This page needs the whole link from the mail; this one carries no token." }
                </p>
            },
            html! {},
        ),
        (Some(token), LinkKind::Reset) => (
            "Choose a new password",
            html! {
                <ActionForm name="reset" fields={RESET_FIELDS} hint="reset-rules"
                    labels={("Set the password", "Saving…")}
                    action={reset(session, navigator, token)}>
                    <p id="reset-rules" class="hint">{ "At least 8 characters." }</p>
                </ActionForm>
            },
            html! { <RouteLink to={Route::ForgotPassword}>{ "Ask for a new link" }</RouteLink> },
        ),
        (Some(token), LinkKind::Verify) => (
            "Verify your email address",
            html! {
                <ActionForm name="verify" labels={("Verify my address", "Verifying…")}
                    action={verify(session, token)} />
            },
            html! { <RouteLink to={Route::Account}>{ "Your account (a new link is sent from there)" }</RouteLink> },
        ),
    };
    html! {
        <Page title={title} class="narrow">
            { form }
            <p class="aside">{ again }</p>
        </Page>
    }
}
