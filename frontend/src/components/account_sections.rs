//! The account page's email and devices sections: views and actions as plain
//! functions, run inside the page's own component (each component costs
//! the app's download more than the same markup in a function).

use tessera_shared::paths::{EMAIL_RESEND, ME_EMAIL, SESSIONS};
use tessera_shared::{Credentials, EmailChangeRequest, SessionInfo, UserProfile};
use tessera_yew::{Error, Method, Session};
use yew::prelude::*;

use crate::bodies;
use crate::components::{Action, ActionForm, FieldSpec};

const EMAIL_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: "email",
        label: "New email address",
        kind: "email",
        autocomplete: "email",
        required: true,
    },
    FieldSpec {
        id: "email-password",
        label: "Your password",
        kind: "password",
        autocomplete: "current-password",
        required: true,
    },
];

/// Sets the address. `PUT /me/email` needs a fresh token (one from a
/// password sign-in), so the form asks for the password and signs in again
/// first: the token of a session refreshed since would be refused.
async fn change_email(
    session: Session,
    credentials: Credentials,
    email: String,
) -> Result<(), Error> {
    session.confirm_password(&credentials).await?;
    let body = bodies::email_change(&EmailChangeRequest { email });
    session.call(Method::Put, ME_EMAIL, body).await.map(drop)
}

/// The email section: the address and whether it is verified, "Resend the
/// link" while it is not, and the form that sets or changes it; `onchange`
/// is told of a change (the page then reloads the profile).
pub fn email_section(session: &Session, profile: &UserProfile, onchange: Callback<()>) -> Html {
    let change = {
        let (session, username) = (session.clone(), profile.username.clone());
        Action::from(move |values: Vec<String>| {
            let credentials = Credentials {
                username: username.clone(),
                password: values[1].clone(),
            };
            let work = change_email(session.clone(), credentials, values[0].trim().to_owned());
            let onchange = onchange.clone();
            Box::pin(async move {
                work.await.map_err(|err| AttrValue::from(err.to_string()))?;
                onchange.emit(());
                Ok(AttrValue::Static(
                    "Saved. A verification link is on its way to the new address.",
                ))
            }) as _
        })
    };
    let resend = {
        let session = session.clone();
        Action::from(move |_| {
            let session = session.clone();
            Box::pin(async move {
                match session.call(Method::Post, EMAIL_RESEND, None).await {
                    Ok(_) => Ok(AttrValue::Static("A new verification link is on its way.")),
                    Err(err) => Err(err.to_string().into()),
                }
            }) as _
        })
    };
    let state = match (&profile.email, profile.email_verified) {
        (None, _) => "No address yet".to_owned(),
        (Some(address), true) => format!("{address} (verified)"),
        (Some(address), false) => format!("{address} (not verified yet)"),
    };
    html! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">{ "Email address" }</h2>
            <p id="email-state">{ state }</p>
            if profile.email.is_some() && !profile.email_verified {
                <ActionForm name="resend" labels={("Resend the link", "Sending…")} action={resend} />
            }
            <ActionForm name="email" fields={EMAIL_FIELDS} hint="email-hint"
                labels={("Save the address", "Saving…")} action={change}>
                <p id="email-hint" class="hint">
                    { "For password reset links. Changing it asks for your password." }
                </p>
            </ActionForm>
        </section>
    }
}

/// `DELETE /sessions/{id}`: ends one of the user's sessions at once.
pub async fn end_session(session: &Session, id: &str) -> Result<(), Error> {
    session
        .call(Method::Delete, &format!("{SESSIONS}/{id}"), None)
        .await
        .map(drop)
}

/// The devices section: each live session, the current one marked, each
/// with "Sign out this device", which emits it to `end`.
pub fn devices_section(
    devices: &Result<Vec<SessionInfo>, AttrValue>,
    end: &Callback<SessionInfo>,
) -> Html {
    let (error, rows) = match devices {
        Err(error) => (error.clone(), Html::default()),
        Ok(devices) => (
            AttrValue::default(),
            html! { <ul class="devices">{ for devices.iter().map(|device| view_device(device, end)) }</ul> },
        ),
    };
    html! {
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">{ "Signed-in devices" }</h2>
            <p id="devices-error" class="form-error" role="alert" aria-live="assertive">{ error }</p>
            { rows }
        </section>
    }
}

fn view_device(device: &SessionInfo, end: &Callback<SessionInfo>) -> Html {
    let onclick = {
        let (end, device) = (end.clone(), device.clone());
        Callback::from(move |_: MouseEvent| end.emit(device.clone()))
    };
    let seen = device.refreshed_at.as_ref().unwrap_or(&device.created_at);
    let from = device
        .address
        .as_deref()
        .map(|address| format!(", from {address}"));
    html! {
        <li class="device">
            <div>
                <strong>{ &device.device }</strong>
                if device.current {
                    <span class="badge">{ "This device" }</span>
                }
                <p class="muted">
                    { format!("Signed in {}, last seen {seen}", device.created_at) }{ from }
                </p>
            </div>
            <button type="button" class="button secondary small" {onclick}
                aria-label={format!("Sign out this device: {}", device.device)}>
                { "Sign out this device" }
            </button>
        </li>
    }
}
