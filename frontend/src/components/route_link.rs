//! In-app links: real `<a href>` elements that navigate without a page load.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;

/// Props of [`RouteLink`].
#[derive(Properties, PartialEq)]
pub struct RouteLinkProps {
    /// Where the link goes.
    pub to: Route,
    /// Extra classes for the `<a>`.
    #[prop_or_default]
    pub classes: Classes,
    /// The link content.
    pub children: Html,
}

/// A link to an app route, marked `aria-current="page"` while on that route.
///
/// A plain click navigates in place; modified clicks (new tab or window) are
/// left to the browser. Lighter than yew-router's `Link`, which also carries
/// query strings and history state the app does not use.
#[component]
pub fn RouteLink(props: &RouteLinkProps) -> Html {
    let current = use_route::<Route>().as_ref() == Some(&props.to);
    let navigator = use_navigator();
    let onclick = {
        let to = props.to.clone();
        Callback::from(move |event: MouseEvent| {
            let modified = event.ctrl_key() || event.meta_key() || event.shift_key();
            if modified || event.button() != 0 {
                return;
            }
            event.prevent_default();
            if let Some(navigator) = &navigator {
                navigator.push(&to);
            }
        })
    };
    html! {
        <a href={props.to.to_path()} class={props.classes.clone()} {onclick}
            aria-current={current.then_some("page")}>
            { props.children.clone() }
        </a>
    }
}
