//! The routes and the root component.
//!
//! The paths avoid the API's (`/login` and `/register` are `POST` routes of the
//! server), so a reload on any page reaches the app, never an API handler.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Nav;
use crate::pages::{Account, NotFound, SignIn, SignUp};
use crate::session::SessionProvider;

/// The app's client-side routes.
#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum Route {
    /// `/`: sends the user on to [`Route::Account`] (or to sign in).
    #[at("/")]
    Home,
    /// `/sign-in`: the sign-in form.
    #[at("/sign-in")]
    SignIn,
    /// `/sign-up`: the registration form.
    #[at("/sign-up")]
    SignUp,
    /// `/account`: the protected view and the token panel; needs a session.
    #[at("/account")]
    Account,
    /// Any other path.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// Renders the page for `route`.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Replace to={Route::Account} /> },
        Route::SignIn => html! { <SignIn /> },
        Route::SignUp => html! { <SignUp /> },
        Route::Account => html! { <Account /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// Props of [`Replace`].
#[derive(Properties, PartialEq)]
pub struct ReplaceProps {
    /// Where to go instead.
    pub to: Route,
}

/// Goes to `to` in place of the current history entry, so Back skips the
/// page that redirected (yew-router's `Redirect` pushes a new entry instead).
#[component]
pub fn Replace(props: &ReplaceProps) -> Html {
    let navigator = use_navigator();
    use_effect_with(props.to.clone(), move |to| {
        if let Some(navigator) = navigator {
            navigator.replace(to);
        }
    });
    Html::default()
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
