//! `/account`: the protected data, the user's profile, their email address,
//! devices, two-step sign-in and passkeys, and the token panel.

use tessera_shared::paths::{ME, PASSKEYS, PROTECTED, SESSIONS};
use tessera_shared::{
    PasskeyInfo, PasskeyList, ProtectedResponse, SessionInfo, SessionList, TotpStatus, UserProfile,
};
use tessera_yew::{use_session, Error, RequireAuth, Session};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::account_sections::{devices_section, email_section};
use crate::components::passkeys_section::passkeys_section;
use crate::components::two_step_section::{two_step_section, Setup};
use crate::components::{Page, TokenPanel};
use crate::route::{Replace, Route};

/// The account page; without a session it sends the user to sign in.
#[component]
pub fn Account() -> Html {
    html! {
        <RequireAuth fallback={html! { <Replace to={Route::SignIn} /> }}>
            <AccountView />
        </RequireAuth>
    }
}

/// What the protected calls returned.
#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    protected: ProtectedResponse,
    profile: UserProfile,
    /// The signed-in devices, or why they could not be listed (the rest of
    /// the page still shows).
    devices: Result<Vec<SessionInfo>, AttrValue>,
    /// Whether sign-ins ask for a code, or why that could not be read.
    totp: Result<TotpStatus, AttrValue>,
    /// The user's passkeys, or why they could not be listed; `None` when
    /// the server or the browser has no passkeys.
    passkeys: Option<Result<Vec<PasskeyInfo>, AttrValue>>,
}

/// Fetches `GET /protected`, `GET /me`, `GET /sessions`, `GET /mfa/totp` and
/// `GET /passkeys` on load, on "Reload" and after a change in a section, and
/// shows them with the email, devices, two-step and passkeys sections.
///
/// A refused session ends inside the [`Session`] (the sign-in page then
/// shows why); other failures are shown in place, with a button to try again.
/// New tokens from a refresh do not refetch.
#[component]
pub fn AccountView() -> Html {
    let session = use_session();
    let tokens = session.tokens().cloned();
    let loaded = use_state(|| None::<Loaded>);
    let error = use_state(|| None::<AttrValue>);
    let loading = use_state(|| true);
    let reloads = use_state(|| 0u32);
    let renaming = use_state(|| None::<AttrValue>);
    let setup = use_reducer(Setup::default);
    let totp_heading = use_node_ref();
    {
        // The button pressed in the two-step section is gone once it turns
        // to another view: the focus goes to its heading (not on load).
        let (heading, loaded_once) = (totp_heading.clone(), use_mut_ref(|| false));
        use_effect_with(std::mem::discriminant(&*setup), move |_| {
            if std::mem::replace(&mut *loaded_once.borrow_mut(), true) {
                if let Some(heading) = heading.cast::<web_sys::HtmlElement>() {
                    drop(heading.focus());
                }
            }
        });
    }

    {
        let (session, loaded) = (session.clone(), loaded.clone());
        let (error, loading) = (error.clone(), loading.clone());
        use_effect_with(*reloads, move |_| {
            loading.set(true);
            spawn_local(async move {
                let result = fetch(&session).await;
                loading.set(false);
                match result {
                    Ok(data) => {
                        error.set(None);
                        loaded.set(Some(data));
                    }
                    Err(err) => error.set(Some(err.to_string().into())),
                }
            });
        });
    }
    let sections = loaded.as_ref().map(|current| {
        let reloads = reloads.clone();
        let onchange = Callback::from(move |()| reloads.set(reloads.wrapping_add(1)));
        html! {
            <div class="grid">
                { email_section(&session, &current.profile, onchange.clone()) }
                { devices_section(&session, &current.devices, &onchange) }
                { two_step_section(&session, &current.totp, &setup, &totp_heading, &onchange) }
                if let Some(passkeys) = &current.passkeys {
                    { passkeys_section(&session, passkeys, &renaming, &onchange) }
                }
            </div>
        }
    });
    let on_reload = Callback::from(move |_: MouseEvent| reloads.set(reloads.wrapping_add(1)));
    let on_sign_out_everywhere = {
        let (error, loading) = (error.clone(), loading.clone());
        Callback::from(move |_: MouseEvent| {
            let (session, error, loading) = (session.clone(), error.clone(), loading.clone());
            loading.set(true);
            spawn_local(async move {
                if let Err(err) = session.sign_out_everywhere().await {
                    loading.set(false);
                    error.set(Some(err.to_string().into()));
                }
            });
        })
    };

    let actions = html! {
        <div class="toolbar">
            <button id="sign-out-everywhere" type="button" class="button secondary"
                onclick={on_sign_out_everywhere} disabled={*loading}>
                { "Sign out everywhere" }
            </button>
            <button id="reload" type="button" class="button secondary"
                onclick={on_reload} disabled={*loading}>
                { if *loading { "Loading…" } else { "Reload" } }
            </button>
        </div>
    };
    html! {
        <Page title="Your account" actions={actions}>
            <p id="account-error" class="form-error" role="alert" aria-live="assertive">
                { (*error).clone().unwrap_or_default() }
            </p>
            <div class="grid" aria-busy={loading.then_some("true")}>
                { view_loaded(loaded.as_ref()) }
            </div>
            { sections }
            if let Some(tokens) = tokens {
                <TokenPanel access={tokens.access} refresh={tokens.refresh} />
            }
        </Page>
    }
}

async fn fetch(session: &Session) -> Result<Loaded, Error> {
    let protected = session.get(PROTECTED).await?;
    let profile = session.get(ME).await?;
    let devices = session.get::<SessionList>(SESSIONS).await;
    let devices = devices
        .map(|list| list.sessions)
        .map_err(|err| err.to_string().into());
    let totp = session.totp_status().await;
    let totp = totp.map_err(|err| err.to_string().into());
    let passkeys = if tessera_yew::passkey::supported() {
        match session.get::<PasskeyList>(PASSKEYS).await {
            Ok(list) => Some(Ok(list.passkeys)),
            // Off on this server (it has no public URL).
            Err(Error::Status { status: 404, .. }) => None,
            Err(err) => Some(Err(err.to_string().into())),
        }
    } else {
        None
    };
    Ok(Loaded {
        protected,
        profile,
        devices,
        totp,
        passkeys,
    })
}

fn view_loaded(loaded: Option<&Loaded>) -> Html {
    let Some(Loaded {
        protected, profile, ..
    }) = loaded
    else {
        return html! { <p class="card muted">{ "Loading your data…" }</p> };
    };
    let data = protected
        .data
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <>
            <section class="card" aria-labelledby="protected-heading">
                <h2 id="protected-heading">{ "Protected data" }</h2>
                <p class="muted">{ "GET /protected, sent with your token." }</p>
                <dl class="facts">
                    <dt>{ "Hello from" }</dt>
                    <dd id="hello-from">{ &protected.hello_from }</dd>
                    <dt>{ "Data" }</dt>
                    <dd id="protected-data">{ data }</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{ "Profile" }</h2>
                <p class="muted">{ "GET /me: who the server says you are." }</p>
                <dl class="facts">
                    <dt>{ "Username" }</dt>
                    <dd id="profile-username">{ &profile.username }</dd>
                    <dt>{ "User id" }</dt>
                    <dd id="profile-id">{ profile.id }</dd>
                    <dt>{ "Roles" }</dt>
                    <dd id="profile-roles">
                        { if profile.roles.is_empty() { "none".to_owned() } else { profile.roles.join(", ") } }
                    </dd>
                    <dt>{ "Member since" }</dt>
                    <dd id="profile-created"><time datetime={profile.created_at.clone()}>
                        { &profile.created_at }
                    </time></dd>
                </dl>
            </section>
        </>
    }
}
