//! [`RequireAuth`]: a part of the page only for signed-in users.

use yew::prelude::*;

use crate::use_session;

/// Props of [`RequireAuth`].
#[derive(Properties, PartialEq)]
pub struct RequireAuthProps {
    /// Shown instead of the children while there is no session, or only a
    /// first step ([`crate::SessionState::needs_second_factor`]), which the
    /// protected routes refuse. Defaults to nothing.
    ///
    /// With yew-router, a redirect goes here:
    /// `fallback={html! { <Redirect<Route> to={Route::SignIn} /> }}`; without
    /// it, [`LocationRedirect`] leaves for another page. Or anything else: a
    /// sign-in form, a link, a notice.
    #[prop_or_default]
    pub fallback: Html,
    /// Shown while signed in (also while a refresh runs).
    pub children: Html,
}

/// Renders its children while signed in, and `fallback` otherwise (signed
/// out, the session expired, or its second factor not given yet).
///
/// Needs a [`crate::SessionProvider`] above it.
///
/// ```
/// use tessera_yew::RequireAuth;
/// use yew::prelude::*;
///
/// #[component]
/// fn Dashboard() -> Html {
///     html! {
///         <RequireAuth fallback={html! { <p>{ "Please sign in." }</p> }}>
///             <p>{ "Only for signed-in users." }</p>
///         </RequireAuth>
///     }
/// }
/// ```
#[component]
pub fn RequireAuth(props: &RequireAuthProps) -> Html {
    let session = use_session();
    if session.is_signed_in() && !session.needs_second_factor() {
        props.children.clone()
    } else {
        props.fallback.clone()
    }
}

/// Props of [`LocationRedirect`].
#[derive(Properties, PartialEq)]
pub struct LocationRedirectProps {
    /// The URL to load, e.g. `/sign-in.html`.
    pub url: AttrValue,
}

/// Loads `url` in place of the current page once rendered
/// (`location.replace`, so Back skips the page that redirected): the redirect
/// of an app without yew-router, e.g. as [`RequireAuth`]'s fallback:
/// `<RequireAuth fallback={html! { <LocationRedirect url="/sign-in.html" /> }}>`.
#[component]
pub fn LocationRedirect(props: &LocationRedirectProps) -> Html {
    use_effect_with(props.url.clone(), |url| {
        if let Some(window) = web_sys::window() {
            drop(window.location().replace(url));
        }
    });
    Html::default()
}
