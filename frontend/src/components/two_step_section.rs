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

/// A change of [`Setup`]: a new one, or "these codes were copied" (applied
/// only while those very codes show: a copy ending after "I have saved
/// them" must not bring them back).
pub enum SetupChange {
    /// Show this.
    To(Setup),
    /// The clipboard now holds these codes.
    Copied(Rc<Vec<String>>),
}

impl Reducible for Setup {
    type Action = SetupChange;

    fn reduce(self: Rc<Self>, change: SetupChange) -> Rc<Self> {
        match (change, &*self) {
            (SetupChange::To(next), _) => Rc::new(next),
            (SetupChange::Copied(copied), Setup::Codes(codes, false))
                if Rc::ptr_eq(&copied, codes) =>
            {
                Rc::new(Setup::Codes(copied, true))
            }
            (SetupChange::Copied(_), _) => self,
        }
    }
}

impl Setup {
    /// What a screen reader announces when the section turns to this.
    fn announcement(&self) -> &'static str {
        match self {
            Self::Idle => "",
            Self::Pending(_) => "Scan the QR code, then enter a code from the app.",
            Self::Codes(_, false) => "New recovery codes: save them now.",
            Self::Codes(_, true) => "Copied.",
        }
    }
}

const fn code_field(id: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        id,
        label,
        kind: "text",
        autocomplete: "one-time-code",
        required: true,
    }
}

const CONFIRM: &[FieldSpec] = &[code_field(
    "totp-confirm-code",
    "Code from your authenticator app",
)];
const NEW_CODES: &[FieldSpec] = &[code_field(
    "totp-codes-code",
    "Code from your app, for new recovery codes",
)];
const REMOVE: &[FieldSpec] = &[code_field(
    "totp-remove-code",
    "Code from your app, to turn it off",
)];

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
        Step::Start => Setup::Pending(Rc::new(session.start_totp().await?)),
        Step::Confirm => Setup::Codes(Rc::new(session.confirm_totp(&code).await?), false),
        Step::NewCodes => Setup::Codes(Rc::new(session.new_recovery_codes(&code).await?), false),
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
    setup: &UseReducerHandle<Setup>,
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
            setup.dispatch(SetupChange::To(next));
            onchange.emit(());
            Ok(AttrValue::default())
        }) as _
    })
}

/// The section for a user whose authenticator status is `status` (or why
/// it could not be read); `onchange` reloads it.
///
/// `heading` is its heading, which the page focuses when the section turns
/// to another view (the button pressed is gone).
pub fn two_step_section(
    session: &Session,
    status: &Result<TotpStatus, AttrValue>,
    setup: &UseReducerHandle<Setup>,
    heading: &NodeRef,
    onchange: &Callback<()>,
) -> Html {
    let body = match (&**setup, status) {
        (Setup::Codes(codes, copied), _) => view_codes(codes, *copied, setup),
        (_, Err(error)) => {
            html! { <p id="totp-error" class="form-error" role="alert">{ error }</p> }
        }
        (_, Ok(status)) if status.enabled => view_on(session, status, setup, onchange),
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
            <h2 id="totp-heading" tabindex="-1" ref={heading.clone()}>{ "Two-step sign-in" }</h2>
            <p id="totp-announce" class="visually-hidden" role="status" aria-live="polite">
                { setup.announcement() }
            </p>
            { body }
        </section>
    }
}

/// Two-step sign-in on: the codes left, and new codes or turning it off,
/// which need a sign-in that used the second factor.
fn view_on(
    session: &Session,
    status: &TotpStatus,
    setup: &UseReducerHandle<Setup>,
    onchange: &Callback<()>,
) -> Html {
    let left = match status.recovery_codes_left {
        1 => "1 recovery code left".to_owned(),
        n => format!("{n} recovery codes left"),
    };
    let second_factor = session.claims().and_then(|claims| claims.acr.as_deref()) == Some("2");
    let changes = if second_factor {
        let renew = action(session, setup, onchange, Step::NewCodes);
        let remove = action(session, setup, onchange, Step::Remove);
        html! {
            <>
                <ActionForm key="totp-codes" name="totp-codes" fields={NEW_CODES} action={renew}
                    labels={("Get new recovery codes", "Checking…")} />
                <ActionForm key="totp-remove" name="totp-remove" fields={REMOVE} action={remove}
                    labels={("Turn off two-step sign-in", "Checking…")} />
            </>
        }
    } else {
        html! {
            <p id="totp-sign-in-again" class="hint">
                { "To get new recovery codes or turn this off, sign out and sign in again with a code." }
            </p>
        }
    };
    html! {
        <>
            <p id="totp-state">{ format!("On: signing in asks for a code from your authenticator app. {left}.") }</p>
            { changes }
        </>
    }
}

/// The new recovery codes, with copy (where the page may use the
/// clipboard), download and "Done".
fn view_codes(codes: &Rc<Vec<String>>, copied: bool, setup: &UseReducerHandle<Setup>) -> Html {
    let text = codes.join("\n") + "\n";
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        encode_uri_component(&text)
    );
    let window = web_sys::window().filter(web_sys::Window::is_secure_context);
    let copy = window.map(|window| {
        let (codes, setup) = (codes.clone(), setup.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let written = JsFuture::from(window.navigator().clipboard().write_text(&text));
            let (codes, setup) = (codes.clone(), setup.clone());
            spawn_local(async move {
                // A refusal (no permission) leaves Download and the list.
                if written.await.is_ok() {
                    setup.dispatch(SetupChange::Copied(codes));
                }
            });
        });
        html! { <button id="copy-codes" type="button" class="button secondary" {onclick}>{ if copied { "Copied" } else { "Copy" } }</button> }
    });
    let done = {
        let setup = setup.clone();
        Callback::from(move |_: MouseEvent| setup.dispatch(SetupChange::To(Setup::Idle)))
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
                { copy.unwrap_or_default() }
                <a id="download-codes" class="button secondary" href={download}
                    download="tessera-recovery-codes.txt">{ "Download" }</a>
                <button id="codes-saved" type="button" class="button" onclick={done}>{ "I have saved them" }</button>
            </div>
        </>
    }
}
