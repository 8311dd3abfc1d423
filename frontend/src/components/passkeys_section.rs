//! The account page's passkeys section: the list, adding one, renaming and
//! removing. Views and actions as plain functions, like the other sections.

use tessera_shared::paths::PASSKEYS;
use tessera_shared::PasskeyInfo;
use tessera_yew::{Method, Session};
use yew::prelude::*;

use crate::components::{Action, ActionForm, FieldSpec};

const NEW_PASSKEY: &[FieldSpec] = &[FieldSpec {
    id: "passkey-name",
    label: "Name for the new passkey",
    kind: "text",
    autocomplete: "off",
    required: true,
}];

const RENAME: &[FieldSpec] = &[FieldSpec {
    id: "passkey-new-name",
    label: "New name",
    kind: "text",
    autocomplete: "off",
    required: true,
}];

/// An action that runs `work` with the form's first value, then tells
/// `onchange`; `done` is the status it announces.
fn action<F>(session: &Session, onchange: &Callback<()>, done: &'static str, work: F) -> Action
where
    F: Fn(
            Session,
            String,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), tessera_yew::Error>>>>
        + 'static,
{
    let (session, onchange) = (session.clone(), onchange.clone());
    Action::from(move |values: Vec<String>| {
        let first = values.first().cloned().unwrap_or_default();
        let work = work(session.clone(), first.trim().to_owned());
        let onchange = onchange.clone();
        Box::pin(async move {
            work.await.map_err(|err| AttrValue::from(err.to_string()))?;
            onchange.emit(());
            Ok(AttrValue::Static(done))
        }) as _
    })
}

/// The passkeys section; `renaming` is the passkey whose name is being
/// edited (one at a time, so the form's field ids stay unique), and
/// `onchange` reloads the list.
pub fn passkeys_section(
    session: &Session,
    passkeys: &Result<Vec<PasskeyInfo>, AttrValue>,
    renaming: &UseStateHandle<Option<AttrValue>>,
    onchange: &Callback<()>,
) -> Html {
    let add = action(session, onchange, "Passkey added.", |session, name| {
        Box::pin(async move { session.add_passkey(&name).await })
    });
    let (error, rows) = match passkeys {
        Err(error) => (error.clone(), Html::default()),
        Ok(passkeys) => (
            AttrValue::default(),
            html! {
                <ul class="devices">
                    { for passkeys.iter().map(|passkey| view_passkey(session, passkey, renaming, onchange)) }
                </ul>
            },
        ),
    };
    html! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{ "Passkeys" }</h2>
            <p id="passkeys-error" class="form-error" role="alert" aria-live="assertive">{ error }</p>
            { rows }
            <ActionForm name="passkey-add" fields={NEW_PASSKEY} hint="passkey-hint"
                labels={("Add a passkey", "Waiting for your passkey…")} action={add}>
                <p id="passkey-hint" class="hint">
                    { "Sign in with your fingerprint, face or device PIN instead of a password." }
                </p>
            </ActionForm>
        </section>
    }
}

fn view_passkey(
    session: &Session,
    passkey: &PasskeyInfo,
    renaming: &UseStateHandle<Option<AttrValue>>,
    onchange: &Callback<()>,
) -> Html {
    let path = format!("{PASSKEYS}/{}", passkey.id);
    let remove = {
        let id = passkey.id.clone();
        action(session, onchange, "", move |session, _| {
            let id = id.clone();
            Box::pin(async move { session.remove_passkey(&id).await })
        })
    };
    let used = passkey.last_used_at.as_deref().unwrap_or("never");
    let editing = renaming.as_deref() == Some(passkey.id.as_str());
    let rename_form = editing.then(|| {
        let renaming = renaming.clone();
        let onchange = onchange.clone();
        let done = Callback::from(move |()| {
            renaming.set(None);
            onchange.emit(());
        });
        let rename = action(session, &done, "Renamed.", move |session, name| {
            let path = path.clone();
            Box::pin(async move {
                let body = tessera_yew::json::object(&[("name", Some(&name))]);
                session.call(Method::Patch, &path, body).await.map(drop)
            })
        });
        html! {
            <ActionForm name="passkey-rename" fields={RENAME} labels={("Save the name", "Saving…")} action={rename} />
        }
    });
    let start_rename = {
        let (renaming, id) = (renaming.clone(), AttrValue::from(passkey.id.clone()));
        Callback::from(move |_: MouseEvent| renaming.set(Some(id.clone())))
    };
    html! {
        <li class="device passkey">
            <strong>{ &passkey.name }</strong>
            <p class="muted">{ format!("Added {}, last used {used}", passkey.created_at) }</p>
            { rename_form.unwrap_or_default() }
            if !editing {
                <button type="button" class="button secondary" onclick={start_rename}
                    aria-label={format!("Rename {}", passkey.name)}>{ "Rename" }</button>
            }
            <ActionForm name={format!("passkey-{}", passkey.id)} action={remove}
                labels={("Remove", "Removing…")} />
        </li>
    }
}
