//! A labelled input, as the forms beyond sign-in lay it out.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What a form field is: its id (also its name), label, input type and the
/// browser's autofill hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The input's id and name; the label points at it.
    pub id: &'static str,
    /// The visible label.
    pub label: &'static str,
    /// The input type: `text`, `email` or `password`.
    pub kind: &'static str,
    /// The autofill hint, e.g. `new-password`.
    pub autocomplete: &'static str,
    /// Whether the form cannot be sent without it.
    pub required: bool,
}

/// The username field of sign-in and sign-up.
pub const USERNAME: FieldSpec = FieldSpec {
    id: "username",
    label: "Username",
    kind: "text",
    autocomplete: "username",
    required: true,
};

/// The label and input of `spec` showing `value`; `described_by` names the
/// texts that describe it (the form's rules and error line).
pub fn field(
    spec: &FieldSpec,
    value: &str,
    invalid: bool,
    described_by: &str,
    oninput: Callback<String>,
) -> Html {
    let oninput = oninput
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class="field">
            <label for={spec.id}>{ spec.label }</label>
            <input id={spec.id} name={spec.id} type={spec.kind} required={spec.required}
                autocomplete={spec.autocomplete} autocapitalize="none" spellcheck="false"
                aria-invalid={invalid.then_some("true")}
                aria-describedby={described_by.to_owned()}
                value={value.to_owned()} {oninput} />
        </div>
    }
}
