//! One form for every request the pages send (sign-in and sign-up included): fields described as
//! data, one asynchronous action, and its outcome shown in place.
//!
//! The pages share this one component rather than each keeping its own
//! state, callbacks and request future: in a Yew app every component and
//! future type is code in the download, and the size budget is tight.

use std::future::Future;
use std::pin::Pin;

use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::field::{field, FieldSpec};

/// What an action ends with: a status to announce (may be empty), or the
/// failure to show.
pub type Outcome = Result<AttrValue, AttrValue>;

/// An action: the entered values, in the order of the fields, to its outcome.
pub type Action = Callback<Vec<String>, Pin<Box<dyn Future<Output = Outcome>>>>;

/// Props of [`ActionForm`].
#[derive(Properties, PartialEq)]
pub struct ActionFormProps {
    /// Prefix of the ids of its error (`{name}-error`) and status lines.
    pub name: AttrValue,
    /// The fields, in order; may be empty (a single button).
    #[prop_or_default]
    pub fields: &'static [FieldSpec],
    /// The id of a text describing every field (e.g. the password rules).
    #[prop_or_default]
    pub hint: Option<&'static str>,
    /// The button's text, and its text while the action runs.
    pub labels: (&'static str, &'static str),
    /// Runs on submit; the form is busy until it ends.
    pub action: Action,
    /// Shown between the fields and the button (hints).
    #[prop_or_default]
    pub children: Html,
}

/// The form. A failure is announced (`role="alert"`) and takes the focus; a
/// success clears the fields and announces its status (`role="status"`).
#[component]
pub fn ActionForm(props: &ActionFormProps) -> Html {
    let values = use_state(|| vec![String::new(); props.fields.len()]);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Outcome>);
    let error_line = use_node_ref();
    {
        let error_line = error_line.clone();
        use_effect_with(outcome.clone(), move |outcome| {
            if let (Some(Err(_)), Some(line)) = (&**outcome, error_line.cast::<HtmlElement>()) {
                drop(line.focus());
            }
        });
    }

    let onsubmit = {
        let (values, busy, outcome) = (values.clone(), busy.clone(), outcome.clone());
        let action = props.action.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *busy {
                return;
            }
            let work = action.emit((*values).clone());
            let (values, busy, outcome) = (values.clone(), busy.clone(), outcome.clone());
            busy.set(true);
            outcome.set(None);
            spawn_local(async move {
                let ended = work.await;
                if ended.is_ok() {
                    values.set(vec![String::new(); values.len()]);
                }
                outcome.set(Some(ended));
                busy.set(false);
            });
        })
    };

    let error_id = format!("{}-error", props.name);
    let described_by = match props.hint {
        Some(hint) => format!("{hint} {error_id}"),
        None => error_id.clone(),
    };
    let (error, status) = match &*outcome {
        Some(Err(error)) => (Some(error.clone()), None),
        Some(Ok(status)) if !status.is_empty() => (None, Some(status.clone())),
        _ => (None, None),
    };
    let fields = props.fields.iter().enumerate().map(|(index, spec)| {
        let value = values.get(index).cloned().unwrap_or_default();
        let values = values.clone();
        let oninput = Callback::from(move |value: String| {
            let mut next = (*values).clone();
            next[index] = value;
            values.set(next);
        });
        field(spec, &value, error.is_some(), &described_by, oninput)
    });
    let (label, busy_label) = props.labels;
    html! {
        <form class="form" {onsubmit} aria-busy={busy.then_some("true")}>
            { for fields }
            { props.children.clone() }
            <p id={error_id} class="form-error" role="alert" aria-live="assertive"
                tabindex="-1" ref={error_line}>
                { error.unwrap_or_default() }
            </p>
            <p id={format!("{}-status", props.name)} class="notice" role="status"
                aria-live="polite" hidden={status.is_none()}>
                { status.unwrap_or_default() }
            </p>
            <button type="submit" class="button" disabled={*busy}>
                { if *busy { busy_label } else { label } }
            </button>
        </form>
    }
}
