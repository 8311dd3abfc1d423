//! [`RequireAuth`]: a part of the page only for signed-in users.

use yew::prelude::*;

use crate::use_session;

/// Props of [`RequireAuth`].
#[derive(Properties, PartialEq)]
pub struct RequireAuthProps {
    /// Shown instead of the children while there is no session. Defaults to nothing.
    ///
    /// With yew-router, a redirect goes here:
    /// `fallback={html! { <Redirect<Route> to={Route::SignIn} /> }}`. Without
    /// it, anything: a sign-in form, a link, a notice.
    #[prop_or_default]
    pub fallback: Html,
    /// Shown while signed in (also while a refresh runs).
    pub children: Html,
}

/// Renders its children while signed in, and `fallback` otherwise (signed
/// out, or the session expired).
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
    if session.is_signed_in() {
        props.children.clone()
    } else {
        props.fallback.clone()
    }
}
