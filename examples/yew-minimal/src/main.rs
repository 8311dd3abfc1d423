//! The smallest Yew app on `tessera-yew`: sign in, call `GET /protected`, sign out.
//! Build it with `trunk build --release` here, then serve it beside the API:
//! `tessera serve --static-dir examples/yew-minimal/dist`.

use tessera_yew::shared::{paths::PROTECTED, ProtectedResponse};
use tessera_yew::{use_session, RequireAuth, SessionProvider, SignInForm};
use yew::platform::spawn_local;
use yew::prelude::*;

/// What only a signed-in user sees: the answer of `GET /protected`.
#[component]
fn Protected() -> Html {
    let session = use_session();
    let answer = use_state(|| "Loading…".to_owned());
    {
        let (session, answer) = (session.clone(), answer.clone());
        use_effect_with((), move |()| {
            spawn_local(async move {
                // Sends the token; refreshes it when due, and once after a 401.
                answer.set(match session.get::<ProtectedResponse>(PROTECTED).await {
                    Ok(data) => {
                        format!("Hello from {} ({} items)", data.hello_from, data.data.len())
                    }
                    Err(err) => err.to_string(), // the server's `msg`
                });
            });
        });
    }
    let user = session.claims().and_then(|claims| claims.username.clone());
    let sign_out = Callback::from(move |_| session.sign_out());
    html! {
        <>
            <p>{ "Signed in as " }<b id="user">{ user.unwrap_or_default() }</b></p>
            <p id="answer" aria-live="polite">{ (*answer).clone() }</p>
            <button id="sign-out" onclick={sign_out}>{ "Sign out" }</button>
        </>
    }
}

#[component]
fn App() -> Html {
    html! {
        <main>
            <h1>{ "Tessera + Yew" }</h1>
            // Same origin, Tessera's routes, the token in localStorage["access_token"].
            <SessionProvider>
                <RequireAuth fallback={html! { <SignInForm /> }}>
                    <Protected />
                </RequireAuth>
            </SessionProvider>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
