//! The token inspector: the session's access and refresh tokens decoded, like
//! jwt.io, each with a live countdown to its `exp`.

use gloo_timers::callback::Interval;
use tessera_yew::token::{self, DecodedToken};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::notice::describe_expiry;

/// Props of [`TokenPanel`].
#[derive(Properties, PartialEq)]
pub struct TokenPanelProps {
    /// The compact access JWT.
    pub access: AttrValue,
    /// The compact refresh JWT, if the session has one.
    #[prop_or_default]
    pub refresh: Option<AttrValue>,
}

/// Which token a part of the panel shows: its title, its use, and the ids of
/// its elements (`[heading, countdown, encoded, header, claims]`).
#[derive(Clone, Copy)]
struct Kind {
    title: &'static str,
    about: &'static str,
    ids: [&'static str; 5],
}

const ACCESS: Kind = Kind {
    ids: [
        "access-heading",
        "access-countdown",
        "access-encoded",
        "access-header",
        "access-claims",
    ],
    title: "Access token",
    about: "Sent as “Authorization: Bearer …” with every protected call. It is short-lived: \
            the app swaps it for a new one shortly before it expires.",
};

const REFRESH: Kind = Kind {
    ids: [
        "refresh-heading",
        "refresh-countdown",
        "refresh-encoded",
        "refresh-header",
        "refresh-claims",
    ],
    title: "Refresh token",
    about: "Sent only to POST /refresh, for a new pair of tokens. Each refresh token works once: \
            the refresh replaces it (rotation), and reusing an old one ends the session.",
};

/// Shows each token's decoded header and claims, its dates and the time left
/// until `exp`, ticking every second.
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
    html! {
        <section class="card token-panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{ "Your tokens" }</h2>
            <p class="muted">
                { "Decoded here in your browser, without checking the signatures: \
                   only the server holds the key, and it checks them on every request." }
            </p>
            { view_token(ACCESS, &props.access, *now) }
            if let Some(refresh) = &props.refresh {
                { view_token(REFRESH, refresh, *now) }
            }
        </section>
    }
}

fn view_token(kind: Kind, raw: &str, now: i64) -> Html {
    let body = match token::decode(raw) {
        Ok(decoded) => view_decoded(kind.ids, raw, &decoded, now),
        Err(err) => html! {
            <p class="form-error">{ format!("This token cannot be decoded: {err}.") }</p>
        },
    };
    html! {
        <section class="token" aria-labelledby={kind.ids[0]}>
            <h3 id={kind.ids[0]}>{ kind.title }</h3>
            <p class="muted">{ kind.about }</p>
            { body }
        </section>
    }
}

fn view_decoded(ids: [&'static str; 5], raw: &str, decoded: &DecodedToken, now: i64) -> Html {
    let [_, countdown_id, encoded_id, header_id, claims_id] = ids;
    let claims = &decoded.known;
    let (countdown, expired) = match claims.exp {
        Some(exp) => (describe_expiry(exp, now), token::is_expired(exp, now)),
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
            <p id={countdown_id} class={classes!("countdown", expired.then_some("expired"))}>
                { countdown }
            </p>
            <dl class="facts">
                { for dates.map(|(label, secs)| html! {
                    <><dt>{ label }</dt><dd>{ local_time(secs) }</dd></>
                }) }
            </dl>
            <details class="encoded">
                <summary>{ "Encoded token" }</summary>
                <code id={encoded_id} class="jwt">{ colored_parts(raw) }</code>
            </details>
            // Focusable (`tabindex="0"`): on a phone the JSON scrolls sideways,
            // and keyboard users scroll it by focusing it.
            <div class="token-parts">
                <div>
                    <h4>{ "Header" }</h4>
                    <pre id={header_id} class="json jwt-header" tabindex="0">{ &decoded.header }</pre>
                </div>
                <div>
                    <h4>{ "Claims" }</h4>
                    <pre id={claims_id} class="json jwt-claims" tabindex="0">{ &decoded.claims }</pre>
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
