//! `/reset-password#token=…` and `/verify-email#token=…`: the pages the
//! mailed links open. One component for both, as they share their steps:
//! read the token from the fragment, drop the fragment from the address bar
//! (so the token is not left in the history), and send it with a form.

use tessera_shared::paths::{EMAIL_VERIFY, PASSWORD_RESET};
use tessera_shared::{PasswordResetRequest, TokenRequest};
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

/// Which mailed link the page serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
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

/// The page of a mailed link.
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
                navigator.replace(&match kind {
                    LinkKind::Reset => Route::ResetPassword,
                    LinkKind::Verify => Route::VerifyEmail,
                });
            }
        });
    }
    let (title, form, again) = match ((*token).clone(), props.kind) {
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
