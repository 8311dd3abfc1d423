//! The frame of every page: its heading and the document title.

use yew::prelude::*;

/// Props of [`Page`].
#[derive(Properties, PartialEq)]
pub struct PageProps {
    /// The page's `<h1>`, also used in the browser tab as "`title` · Tessera".
    pub title: AttrValue,
    /// Extra classes for the page's `<section>`, e.g. `narrow` for forms.
    #[prop_or_default]
    pub class: Classes,
    /// The page body.
    #[prop_or_default]
    pub children: Html,
}

/// A titled page; sets `document.title` so tabs and history entries read well.
#[component]
pub fn Page(props: &PageProps) -> Html {
    use_effect_with(props.title.clone(), |title| {
        if let Some(document) = web_sys::window().and_then(|window| window.document()) {
            document.set_title(&format!("{title} · Tessera"));
        }
    });
    html! {
        <section class={classes!("page", props.class.clone())} aria-labelledby="page-title">
            <h1 id="page-title">{ props.title.clone() }</h1>
            { props.children.clone() }
        </section>
    }
}
