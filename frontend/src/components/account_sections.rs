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
        (None, _) => AttrValue::Static("No address yet"),
        (Some(address), verified) => format!(
            "{address} ({})",
            if verified {
                "verified"
            } else {
                "not verified yet"
            }
        )
        .into(),
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

/// "Sign out this device": the current device signs out here (which ends
/// its session on the server too); another one's session ends at once, its
/// tokens included, and `onchange` reloads the list.
fn end_device(session: &Session, device: &SessionInfo, onchange: &Callback<()>) -> Action {
    let (session, onchange) = (session.clone(), onchange.clone());
    let (current, path) = (device.current, format!("{SESSIONS}/{}", device.id));
    Action::from(move |_| {
        let (session, onchange, path) = (session.clone(), onchange.clone(), path.clone());
        Box::pin(async move {
            if current {
                session.sign_out();
                return Ok(AttrValue::default());
            }
            match session.call(Method::Delete, &path, None).await {
                Ok(_) => {
                    onchange.emit(());
                    Ok(AttrValue::default())
                }
                Err(err) => Err(err.to_string().into()),
            }
        }) as _
    })
}

/// The devices section: each live session, the current one marked, each
/// with "Sign out this device"; `onchange` reloads the list.
pub fn devices_section(
    session: &Session,
    devices: &Result<Vec<SessionInfo>, AttrValue>,
    onchange: &Callback<()>,
) -> Html {
    let (error, rows) = match devices {
        Err(error) => (error.clone(), Html::default()),
        Ok(devices) => (
            AttrValue::default(),
            html! {
                <ul class="devices">
                    { for devices.iter().map(|device| view_device(device, end_device(session, device, onchange))) }
                </ul>
            },
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

fn view_device(device: &SessionInfo, action: Action) -> Html {
    let seen = device.refreshed_at.as_ref().unwrap_or(&device.created_at);
    let from = device.address.as_deref().unwrap_or("?");
    html! {
        <li class="device">
            <strong>{ &device.device }</strong>
            if device.current {
                <span class="badge">{ "This device" }</span>
            }
            <p class="muted">
                { format!("Signed in {}, last seen {seen}, from {from}", device.created_at) }
            </p>
            <ActionForm name={format!("device-{}", device.id)} {action}
                labels={("Sign out this device", "Signing out…")} />
        </li>
    }
}
