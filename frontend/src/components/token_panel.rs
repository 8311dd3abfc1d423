//! The token inspector: the stored JWT decoded, like jwt.io, with a live countdown.

use gloo_timers::callback::Interval;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::token::{self, DecodedToken};

/// Props of [`TokenPanel`].
#[derive(Properties, PartialEq)]
pub struct TokenPanelProps {
    /// The compact JWT to show.
    pub token: AttrValue,
}

/// Shows the token's three parts, its decoded header and claims, its dates and
/// the time left until `exp`, ticking every second.
#[component]
pub fn TokenPanel(props: &TokenPanelProps) -> Html {
    let now = use_state(token::unix_now);
    {
        let now = now.clone();
        use_effect_with((), move |()| {
            let ticker = Interval::new(1_000, move || now.set(token::unix_now()));
            move || drop(ticker)
        });
    }

    let body = match token::decode(&props.token) {
        Ok(decoded) => view_decoded(&props.token, &decoded, *now),
        Err(err) => html! {
            <p class="form-error">{ format!("This token cannot be decoded: {err}.") }</p>
        },
    };
    html! {
        <section class="card token-panel" aria-labelledby="token-heading">
            <h2 id="token-heading">{ "Your access token" }</h2>
            <p class="muted">
                { "Decoded here in your browser, without checking the signature: \
                   only the server holds the secret, and it checks the signature on every request." }
            </p>
            { body }
        </section>
    }
}

fn view_decoded(raw: &str, decoded: &DecodedToken, now: i64) -> Html {
    let claims = &decoded.known;
    let (countdown, expired) = match claims.exp {
        Some(exp) => (
            token::describe_expiry(exp, now),
            token::is_expired(exp, now),
        ),
        None => ("No expiry claim".to_owned(), false),
    };
    let dates = [
        ("Issued", claims.iat),
        ("Valid from", claims.nbf),
        ("Expires", claims.exp),
    ]
    .into_iter()
    .filter_map(|(label, secs)| Some((label, secs?)));
    html! {
        <>
            <p id="countdown" class={classes!("countdown", expired.then_some("expired"))}>
                { countdown }
            </p>
            <dl class="facts">
                { for dates.map(|(label, secs)| html! {
                    <><dt>{ label }</dt><dd>{ local_time(secs) }</dd></>
                }) }
            </dl>
            <details class="encoded">
                <summary>{ "Encoded token" }</summary>
                <code id="token-encoded" class="jwt">{ colored_parts(raw) }</code>
            </details>
            <div class="token-parts">
                <div>
                    <h3>{ "Header" }</h3>
                    <pre id="token-header" class="json jwt-header">{ &decoded.header }</pre>
                </div>
                <div>
                    <h3>{ "Claims" }</h3>
                    <pre id="token-claims" class="json jwt-claims">{ &decoded.claims }</pre>
                </div>
            </div>
        </>
    }
}

/// The token with its header, claims and signature each in their own colour.
fn colored_parts(raw: &str) -> Html {
    let classes = ["jwt-header", "jwt-claims", "jwt-signature"];
    let parts = raw.splitn(3, '.').zip(classes).enumerate();
    html! {
        { for parts.map(|(index, (part, class))| html! {
            <>
                if index > 0 { { "." } }
                <span class={class}>{ part.to_owned() }</span>
            </>
        }) }
    }
}

/// Unix seconds as a date and time in the browser's locale and time zone.
fn local_time(secs: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    date.to_locale_string("default", &JsValue::UNDEFINED).into()
}
