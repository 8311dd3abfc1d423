//! Any path the app does not know.

use yew::prelude::*;

use crate::components::{Page, RouteLink};
use crate::route::Route;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> Html {
    html! {
        <Page title="Page not found" class="narrow">
            <p>{ "There is no page at this address." }</p>
            <p><RouteLink to={Route::Home}>{ "Go to the start page" }</RouteLink></p>
        </Page>
    }
}
