//! The app's client-side routes, and a redirect that replaces the history entry.
//!
//! The paths avoid the API's (`/login` and `/register` are `POST` routes of the
//! server), so a reload on any page reaches the app, never an API handler.

use yew::prelude::*;
use yew_router::prelude::*;

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
    /// `/forgot-password`: ask for a password reset link.
    #[at("/forgot-password")]
    ForgotPassword,
    /// `/reset-password#token=…`: a mailed reset link; set a new password.
    #[at("/reset-password")]
    ResetPassword,
    /// `/verify-email#token=…`: a mailed verification link.
    #[at("/verify-email")]
    VerifyEmail,
    /// `/account`: the protected view and the token panel; needs a session.
    #[at("/account")]
    Account,
    /// Any other path.
    #[not_found]
    #[at("/404")]
    NotFound,
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

/// The token of a mailed link, from the page's fragment (`#token=…`): the
/// fragment never reaches a server, so the token stays out of access logs.
pub fn link_token(fragment: &str) -> Option<String> {
    let token = fragment.strip_prefix('#')?.strip_prefix("token=")?;
    (!token.is_empty()).then(|| token.to_owned())
}
