//! The refresh and retry rules, against a stand-in for the server: this page's
//! `fetch` replaced by a script that accepts one access token, answers
//! `/refresh` as told, and records every call.

use std::future::Future;

use js_sys::{Array, Function};
use tessera_yew::shared::ProtectedResponse;
use tessera_yew::storage::{load_tokens, store_tokens};
use tessera_yew::{Error, ExpiredReason, SessionState, StorageKeys};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use yew::platform::pinned::oneshot;
use yew::platform::spawn_local;

use crate::page::{pair, settle, Mounted, A1, A2, OLD, R1, R2};

/// Installs the stand-in: `/protected` answers 200 to `Bearer <valid>` and
/// 401 `{"msg": <msg>}` otherwise; `/refresh` answers `refresh` (the new
/// pair) or, when it is null, 401 `{"msg": <refresh_msg>}`. Returns the list
/// of calls, each `<path> <token or "-">`.
fn fake_server(valid: &str, msg: &str, refresh: Option<(&str, &str)>, refresh_msg: &str) -> Array {
    let script = r#"
        const calls = [];
        const json = (status, body) => new Response(JSON.stringify(body),
            { status, headers: { "Content-Type": "application/json" } });
        window.fetch = async (input, init) => {
            const request = new Request(input, init);
            const path = new URL(request.url).pathname;
            const auth = request.headers.get("Authorization");
            calls.push(path + " " + (auth ? auth.replace("Bearer ", "") : "-"));
            if (request.method === "POST") window.fakeLastBody = await request.text();
            if (path === "/refresh") {
                return refresh
                    ? json(200, { access_token: refresh[0], token_type: "Bearer", expires_in: 900,
                                  refresh_token: refresh[1], refresh_expires_in: 1209600 })
                    : json(401, { msg: refreshMsg });
            }
            return auth === "Bearer " + valid
                ? json(200, { hello_from: "fake", data: [1, 2] })
                : json(401, { msg });
        };
        return calls;
    "#;
    let install = Function::new_with_args("valid, msg, refresh, refreshMsg", script);
    let refresh = refresh.map_or(JsValue::NULL, |(access, refresh)| {
        Array::of2(&access.into(), &refresh.into()).into()
    });
    let args = Array::of4(&valid.into(), &msg.into(), &refresh, &refresh_msg.into());
    let calls = install.apply(&JsValue::NULL, &args).unwrap();
    calls.into()
}

/// The body of the last `POST` the stand-in received.
fn last_body() -> String {
    let window = web_sys::window().unwrap();
    let body = js_sys::Reflect::get(&window, &"fakeLastBody".into()).unwrap();
    body.as_string().unwrap_or_default()
}

/// The recorded calls, tokens replaced by their fixture names.
fn calls(recorded: &Array) -> Vec<String> {
    let names = [(A1, "A1"), (A2, "A2"), (R1, "R1"), (R2, "R2"), (OLD, "OLD")];
    recorded
        .iter()
        .map(|call| {
            let mut call = call.as_string().unwrap();
            for (token, name) in names {
                call = call.replace(token, name);
            }
            call
        })
        .collect()
}

/// Runs `future` on its own task and hands back a receiver for its output.
fn start<T: 'static>(future: impl Future<Output = T> + 'static) -> oneshot::Receiver<T> {
    let (sender, receiver) = oneshot::channel();
    spawn_local(async move { drop(sender.send(future.await)) });
    receiver
}

async fn protected(page: &Mounted) -> Result<ProtectedResponse, Error> {
    page.session().get::<ProtectedResponse>("/protected").await
}

#[wasm_bindgen_test]
async fn concurrent_401s_share_one_refresh_and_each_call_is_retried_once() {
    let recorded = fake_server(A2, "Token has expired", Some((A2, R2)), "");
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    let page = Mounted::new().await;

    let (first, second) = (page.session(), page.session());
    let first = start(async move { first.get::<ProtectedResponse>("/protected").await });
    let second = start(async move { second.get::<ProtectedResponse>("/protected").await });
    for answer in [first.await.unwrap(), second.await.unwrap()] {
        assert_eq!(answer.unwrap().hello_from, "fake");
    }

    let calls = calls(&recorded);
    assert_eq!(
        calls.iter().filter(|call| *call == "/refresh -").count(),
        1,
        "{calls:?}"
    );
    let with = |token| {
        calls
            .iter()
            .filter(|call| **call == format!("/protected {token}"))
            .count()
    };
    assert_eq!((with("A1"), with("A2")), (2, 2), "{calls:?}");
    settle().await;
    assert_eq!(*page.session(), SessionState::SignedIn(pair(A2, R2)));
    assert_eq!(load_tokens(&StorageKeys::default()), Some(pair(A2, R2)));
    store_tokens(&StorageKeys::default(), None);
}

#[wasm_bindgen_test]
async fn a_second_401_ends_the_session_with_the_servers_msg() {
    let recorded = fake_server("none", "Token has been revoked", Some((A2, R2)), "");
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    let page = Mounted::new().await;

    let err = protected(&page).await.unwrap_err();
    assert_eq!(err.msg(), Some("Token has been revoked"));
    assert_eq!(
        calls(&recorded),
        ["/protected A1", "/refresh -", "/protected A2"]
    );
    settle().await;
    let reason = ExpiredReason::Refused("Token has been revoked".to_owned());
    assert_eq!(*page.session(), SessionState::Expired(reason));
    assert_eq!(load_tokens(&StorageKeys::default()), None);
}

#[wasm_bindgen_test]
async fn a_refused_refresh_ends_the_session_with_the_servers_msg() {
    let recorded = fake_server(A2, "Token has expired", None, "Refresh token reused");
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    let page = Mounted::new().await;

    let err = protected(&page).await.unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(err.msg(), Some("Refresh token reused"));
    assert_eq!(calls(&recorded), ["/protected A1", "/refresh -"]);
    assert_eq!(last_body(), format!(r#"{{"refresh_token":"{R1}"}}"#));
    settle().await;
    let reason = ExpiredReason::Refused("Refresh token reused".to_owned());
    assert_eq!(*page.session(), SessionState::Expired(reason));
}

#[wasm_bindgen_test]
async fn an_expired_access_token_is_refreshed_before_the_call() {
    let recorded = fake_server(A2, "Token has expired", Some((A2, R2)), "");
    store_tokens(&StorageKeys::default(), Some(&pair(OLD, R1)));
    let page = Mounted::new().await;

    assert_eq!(protected(&page).await.unwrap().data, [1, 2]);
    assert_eq!(calls(&recorded), ["/refresh -", "/protected A2"]);
    store_tokens(&StorageKeys::default(), None);
}

#[wasm_bindgen_test]
async fn a_refresh_another_tab_made_is_taken_instead_of_refreshing_again() {
    let recorded = fake_server(A2, "Token has expired", Some((A2, R2)), "");
    store_tokens(&StorageKeys::default(), Some(&pair(A1, R1)));
    let page = Mounted::new().await;
    // Another tab refreshed; its `storage` event has not arrived yet.
    store_tokens(&StorageKeys::default(), Some(&pair(A2, R2)));

    assert_eq!(protected(&page).await.unwrap().data, [1, 2]);
    assert_eq!(calls(&recorded), ["/protected A1", "/protected A2"]);
    store_tokens(&StorageKeys::default(), None);
}

#[wasm_bindgen_test]
async fn a_call_without_a_session_is_not_sent() {
    let recorded = fake_server(A2, "", None, "");
    store_tokens(&StorageKeys::default(), None);
    let page = Mounted::new().await;
    assert_eq!(protected(&page).await.unwrap_err(), Error::SignedOut);
    assert_eq!(recorded.length(), 0);
}
