//! `/sign-in`: exchange a username and password for a token, then, for a
//! user with a second factor, its code or a passkey; or sign in with a
//! passkey and no username: with its button, or picked from the username
//! field's autofill where the browser offers passkeys there.

use tessera_shared::{Credentials, SecondFactorProof};
use tessera_yew::passkey::PasskeyAutofill;
use tessera_yew::use_session;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::field::USERNAME;
use crate::components::{Action, ActionForm, FieldSpec, Page, RouteLink};
use crate::notice::session_notice;
use crate::route::{Replace, Route};

const FIELDS: &[FieldSpec] = &[
    // `webauthn`: the browser may suggest passkeys here too (autofill).
    FieldSpec {
        autocomplete: "username webauthn",
        ..USERNAME
    },
    FieldSpec {
        id: "password",
        label: "Password",
        kind: "password",
        autocomplete: "current-password",
        required: true,
    },
];

const SECOND_STEP: &[FieldSpec] = &[FieldSpec {
    id: "second-factor",
    label: "Code from your authenticator app, or a recovery code",
    kind: "text",
    autocomplete: "one-time-code",
    required: true,
}];

/// Recovery codes look like `k7m2q-9xw4t`; an authenticator's code is digits.
fn proof(entered: &str) -> SecondFactorProof {
    let entered = Some(entered.trim().to_owned());
    if entered.as_deref().is_some_and(|code| code.contains('-')) {
        SecondFactorProof {
            code: None,
            recovery_code: entered,
        }
    } else {
        SecondFactorProof {
            code: entered,
            recovery_code: None,
        }
    }
}

/// The sign-in page. Once signed in (or when already), it goes on to the
/// account page; a first step ([`tessera_yew::SessionState::needs_second_factor`])
/// is asked for its second factor first, in the same form.
///
/// Its notice says how the last session ended, or what the page that sent the
/// user here left in the history entry's state (an [`AttrValue`]).
#[component]
pub fn SignIn() -> Html {
    let session = use_session();
    let second_step = session.needs_second_factor();
    let passkeys = tessera_yew::passkey::supported();
    // Passkeys offered in the username field's autofill while the first
    // form shows; withdrawn when it goes, and before the passkey button's
    // own request (a browser runs one at a time), then offered again
    // (`round`) if that request fails.
    let autofill = use_mut_ref(|| None::<PasskeyAutofill>);
    let autofill_error = use_state(AttrValue::default);
    let round = use_state(|| 0u32);
    {
        let (session, autofill) = (session.clone(), autofill.clone());
        let error = autofill_error.clone();
        let offer = passkeys && !second_step && !session.is_signed_in();
        use_effect_with((offer, *round), move |&(offer, _)| {
            if offer {
                let done = Callback::from(move |outcome: Result<(), tessera_yew::Error>| {
                    if let Err(err) = outcome {
                        error.set(err.to_string().into());
                    }
                });
                *autofill.borrow_mut() = Some(session.offer_passkey_autofill(done));
            }
            move || drop(autofill.borrow_mut().take())
        });
    }
    let action = {
        let (session, autofill_error) = (session.clone(), autofill_error.clone());
        Action::from(move |values: Vec<String>| {
            autofill_error.set(AttrValue::default());
            let session = session.clone();
            Box::pin(async move {
                let done = if second_step {
                    session.verify_second_factor(&proof(&values[0])).await
                } else {
                    let credentials = Credentials {
                        username: values[0].trim().to_owned(),
                        password: values[1].clone(),
                    };
                    session.sign_in(&credentials).await
                };
                match done {
                    Ok(()) => Ok(AttrValue::default()),
                    Err(err) => Err(err.to_string().into()),
                }
            }) as _
        })
    };

    let with_passkey = {
        let (session, autofill) = (session.clone(), autofill);
        let autofill_error = autofill_error.clone();
        Action::from(move |_| {
            drop(autofill.borrow_mut().take());
            autofill_error.set(AttrValue::default());
            let (session, round) = (session.clone(), round.clone());
            Box::pin(async move {
                let done = if second_step {
                    session.verify_with_passkey().await
                } else {
                    session.sign_in_with_passkey().await
                };
                if done.is_err() {
                    round.set(round.wrapping_add(1));
                }
                done.map(|()| AttrValue::default())
                    .map_err(|err| err.to_string().into())
            }) as _
        })
    };

    let left = use_location().and_then(|location| location.state::<AttrValue>());
    if second_step {
        return html! {
            <Page title="Second step" class="narrow">
                <ActionForm name="form" fields={SECOND_STEP} labels={("Verify", "Verifying…")} {action} />
                if passkeys {
                    <ActionForm name="passkey" labels={("Use a passkey instead", "Waiting for your passkey…")}
                        action={with_passkey} />
                }
            </Page>
        };
    }
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
            <p id="autofill-error" class="form-error" role="alert" aria-live="assertive">
                { (*autofill_error).clone() }
            </p>
            if passkeys {
                <ActionForm name="passkey" labels={("Sign in with a passkey", "Waiting for your passkey…")}
                    action={with_passkey} />
            }
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
