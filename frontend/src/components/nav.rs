//! The top bar: the brand, and the links that fit the session.

use tessera_yew::use_session;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::RouteLink;
use crate::route::Route;

/// The navigation bar. Signing out forgets the tokens, ends the session on the
/// server and goes to the sign-in page.
#[component]
pub fn Nav() -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let signed_in = session.is_signed_in();
    let on_sign_out = Callback::from(move |_: MouseEvent| {
        session.sign_out();
        if let Some(navigator) = &navigator {
            navigator.replace(&Route::SignIn);
        }
    });
    html! {
        <header class="topbar">
            <nav class="container nav" aria-label="Main">
                <RouteLink to={Route::Home} classes="brand">
                    <span class="brand-mark" aria-hidden="true">{ "◆" }</span>
                    { "Tessera" }
                </RouteLink>
                <ul class="nav-links">
                    if signed_in {
                        <li><RouteLink to={Route::Account}>{ "Account" }</RouteLink></li>
                        <li>
                            <button id="sign-out" type="button" class="button-link" onclick={on_sign_out}>
                                { "Sign out" }
                            </button>
                        </li>
                    } else {
                        <li><RouteLink to={Route::SignIn}>{ "Sign in" }</RouteLink></li>
                        <li><RouteLink to={Route::SignUp}>{ "Create account" }</RouteLink></li>
                    }
                </ul>
            </nav>
        </header>
    }
}
