//! The account page's two-step sign-in section: set up an authenticator app
//! (QR code or key, then a code to confirm), the recovery codes shown once
//! with copy and download, new codes, and turning it off. A view and its
//! actions as plain functions, like the other sections; the page keeps the
//! [`Setup`] state.

use std::rc::Rc;

use js_sys::encode_uri_component;
use tessera_shared::{TotpEnrollment, TotpStatus};
use tessera_yew::{Error, Session};
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::{Action, ActionForm, FieldSpec};

/// What the section shows besides the status.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Setup {
    /// Nothing under way.
    #[default]
    Idle,
    /// An enrolment waiting for its first code.
    Pending(Rc<TotpEnrollment>),
    /// Recovery codes just issued, shown this once, and whether they were
    /// copied.
    Codes(Rc<Vec<String>>, bool),
}

const fn code_field(id: &'static str) -> FieldSpec {
    FieldSpec {
        id,
        label: "Code from your authenticator app",
        kind: "text",
        autocomplete: "one-time-code",
        required: true,
    }
}

const CONFIRM: &[FieldSpec] = &[code_field("totp-confirm-code")];
const NEW_CODES: &[FieldSpec] = &[code_field("totp-codes-code")];
const REMOVE: &[FieldSpec] = &[code_field("totp-remove-code")];

// Each form has a key: unkeyed, Yew could hand one form's state (its
// values, sized for its fields) to the form that replaces it.

/// What a form of the section asks the server.
#[derive(Clone, Copy)]
enum Step {
    Start,
    Confirm,
    NewCodes,
    Remove,
}

/// Runs `step` with the form's `code`: what the section shows next.
async fn run(session: Session, step: Step, code: String) -> Result<Setup, Error> {
    Ok(match step {
        Step::Start => session.start_totp().await?.into(),
        Step::Confirm => session.confirm_totp(&code).await?.into(),
        Step::NewCodes => session.new_recovery_codes(&code).await?.into(),
        Step::Remove => {
            session.remove_totp(&code).await?;
            Setup::Idle
        }
    })
}

/// The action of `step`'s form: its result goes to `setup`, then
/// `onchange` reloads the status.
fn action(
    session: &Session,
    setup: &UseStateHandle<Setup>,
    onchange: &Callback<()>,
    step: Step,
) -> Action {
    let (session, setup, onchange) = (session.clone(), setup.clone(), onchange.clone());
    Action::from(move |values: Vec<String>| {
        let work = run(
            session.clone(),
            step,
            values.first().cloned().unwrap_or_default(),
        );
        let (setup, onchange) = (setup.clone(), onchange.clone());
        Box::pin(async move {
            let next = work.await.map_err(|err| AttrValue::from(err.to_string()))?;
            setup.set(next);
            onchange.emit(());
            Ok(AttrValue::default())
        }) as _
    })
}

impl From<TotpEnrollment> for Setup {
    fn from(enrollment: TotpEnrollment) -> Self {
        Self::Pending(Rc::new(enrollment))
    }
}

impl From<Vec<String>> for Setup {
    fn from(codes: Vec<String>) -> Self {
        Self::Codes(Rc::new(codes), false)
    }
}

/// The section for a user whose authenticator status is `status` (or why
/// it could not be read); `onchange` reloads it.
pub fn two_step_section(
    session: &Session,
    status: &Result<TotpStatus, AttrValue>,
    setup: &UseStateHandle<Setup>,
    onchange: &Callback<()>,
) -> Html {
    let body = match (&**setup, status) {
        (Setup::Codes(codes, copied), _) => view_codes(codes, *copied, setup),
        (_, Err(error)) => {
            html! { <p id="totp-error" class="form-error" role="alert">{ error }</p> }
        }
        (_, Ok(status)) if status.enabled => {
            let renew = action(session, setup, onchange, Step::NewCodes);
            let remove = action(session, setup, onchange, Step::Remove);
            html! {
                <>
                    <p id="totp-state">{ format!(
                        "On: signing in asks for a code from your authenticator app. {} recovery codes left.",
                        status.recovery_codes_left
                    ) }</p>
                    <ActionForm key="totp-codes" name="totp-codes" fields={NEW_CODES} action={renew}
                        labels={("Get new recovery codes", "Checking…")} />
                    <ActionForm key="totp-remove" name="totp-remove" fields={REMOVE} action={remove}
                        labels={("Turn off two-step sign-in", "Checking…")} />
                </>
            }
        }
        (Setup::Pending(enrollment), Ok(_)) => {
            let confirm = action(session, setup, onchange, Step::Confirm);
            let qr = format!(
                "data:image/svg+xml,{}",
                encode_uri_component(&enrollment.qr_svg)
            );
            html! {
                <>
                    <p>{ "Scan this QR code with your authenticator app, or type in the key." }</p>
                    <img id="totp-qr" class="qr" src={qr} alt="QR code for your authenticator app" />
                    <p>{ "Key: " }<code id="totp-secret">{ &enrollment.secret }</code></p>
                    <ActionForm key="totp-confirm" name="totp-confirm" fields={CONFIRM} action={confirm}
                        labels={("Turn on", "Checking…")} />
                </>
            }
        }
        (Setup::Idle, Ok(_)) => {
            let start = action(session, setup, onchange, Step::Start);
            html! {
                <>
                    <p id="totp-state">{ "Off: your password alone signs you in." }</p>
                    <ActionForm key="totp-start" name="totp-start" action={start}
                        labels={("Set up an authenticator app", "Starting…")} />
                </>
            }
        }
    };
    html! {
        <section class="card" aria-labelledby="totp-heading">
            <h2 id="totp-heading">{ "Two-step sign-in" }</h2>
            { body }
        </section>
    }
}

/// The new recovery codes, with copy, download and "Done".
fn view_codes(codes: &Rc<Vec<String>>, copied: bool, setup: &UseStateHandle<Setup>) -> Html {
    let text = codes.join("\n") + "\n";
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        encode_uri_component(&text)
    );
    let copy = {
        let (codes, setup) = (codes.clone(), setup.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let written = JsFuture::from(window.navigator().clipboard().write_text(&text));
            let (codes, setup) = (codes.clone(), setup.clone());
            spawn_local(async move {
                // A refusal (no permission) leaves Download and the list.
                if written.await.is_ok() {
                    setup.set(Setup::Codes(codes, true));
                }
            });
        })
    };
    let done = {
        let setup = setup.clone();
        Callback::from(move |_: MouseEvent| setup.set(Setup::Idle))
    };
    html! {
        <>
            <p id="recovery-hint">
                { "Save these recovery codes somewhere safe. Each signs you in once without your app; \
                   they are shown only now." }
            </p>
            <ol id="recovery-codes" class="codes" aria-describedby="recovery-hint">
                { for codes.iter().map(|code| html! { <li><code>{ code }</code></li> }) }
            </ol>
            <div class="toolbar">
                <button id="copy-codes" type="button" class="button secondary" onclick={copy}>{ "Copy" }</button>
                <a id="download-codes" class="button secondary" href={download}
                    download="tessera-recovery-codes.txt">{ "Download" }</a>
                <button id="codes-saved" type="button" class="button" onclick={done}>{ "I have saved them" }</button>
            </div>
            <p class="notice" role="status" hidden={!copied}>{ "Copied." }</p>
        </>
    }
}
