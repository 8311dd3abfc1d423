//! The frame of every page: its heading and the document title.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Props of [`Page`].
#[derive(Properties, PartialEq)]
pub struct PageProps {
    /// The page's `<h1>`, also used in the browser tab as "`title` · Tessera".
    pub title: AttrValue,
    /// Extra classes for the page's `<section>`, e.g. `narrow` for forms.
    #[prop_or_default]
    pub class: Classes,
    /// Buttons beside the heading (they wrap below it on narrow screens).
    #[prop_or_default]
    pub actions: Html,
    /// The page body.
    #[prop_or_default]
    pub children: Html,
}

/// A titled page; sets `document.title` so tabs and history entries read well.
///
/// A new page takes the focus to its heading, the next step after a link or
/// a form sent the user here, so screen readers announce where they landed
/// and the next Tab starts from the page's content.
#[component]
pub fn Page(props: &PageProps) -> Html {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with(props.title.clone(), move |title| {
            let document = web_sys::window().and_then(|window| window.document());
            if let Some(document) = document {
                document.set_title(&format!("{title} · Tessera"));
                if let Some(heading) = heading.cast::<HtmlElement>() {
                    drop(heading.focus());
                }
            }
        });
    }
    html! {
        <section class={classes!("page", props.class.clone())} aria-labelledby="page-title">
            <div class="page-head">
                <h1 id="page-title" tabindex="-1" ref={heading}>{ props.title.clone() }</h1>
                { props.actions.clone() }
            </div>
            { props.children.clone() }
        </section>
    }
}
