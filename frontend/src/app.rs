//! The root component, and which page each route shows.

use tessera_yew::SessionProvider;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Nav;
use crate::pages::{Account, LinkKind, LinkPage, NotFound, SignIn, SignUp};
use crate::route::{Replace, Route};

/// Renders the page for `route`.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Replace to={Route::Account} /> },
        Route::SignIn => html! { <SignIn /> },
        Route::SignUp => html! { <SignUp /> },
        Route::ForgotPassword => html! { <LinkPage kind={LinkKind::Forgot} /> },
        Route::ResetPassword => html! { <LinkPage kind={LinkKind::Reset} /> },
        Route::VerifyEmail => html! { <LinkPage kind={LinkKind::Verify} /> },
        Route::Account => html! { <Account /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// The whole app: router, session, navigation bar and the current page.
#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <a class="skip-link" href="#main">{ "Skip to content" }</a>
                <Nav />
                <main id="main" class="container">
                    <Switch<Route> render={switch} />
                </main>
                <footer class="container footer">
                    { "Tessera: JSON Web Tokens for Rust apps." }
                </footer>
            </SessionProvider>
        </BrowserRouter>
    }
}
