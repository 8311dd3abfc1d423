//! A first step (`acr` "0"): completed with a code at `/mfa/verify`, which
//! the stand-in for the server answers; a wrong code leaves it as it was.

use js_sys::Function;
use tessera_yew::shared::SecondFactorProof;
use tessera_yew::storage::{load_tokens, store_tokens};
use tessera_yew::{SessionState, StorageKeys};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::page::{pair, settle, Mounted, A2, F1, R1, R2};

/// `/mfa/verify` answers the pair `A2`/`R2` to `Bearer F1` with the code
/// `123456`, and 403 to anything else; the body it got goes to `fakeLastBody`.
fn fake_verifier() {
    let script = r#"
        const json = (status, body) => new Response(JSON.stringify(body),
            { status, headers: { "Content-Type": "application/json" } });
        window.fetch = async (input, init) => {
            const request = new Request(input, init);
            const body = await request.text();
            window.fakeLastBody = body;
            const right = new URL(request.url).pathname === "/mfa/verify"
                && request.headers.get("Authorization") === "Bearer " + first
                && JSON.parse(body).code === "123456";
            return right
                ? json(200, { access_token: pair[0], token_type: "Bearer", expires_in: 900,
                              refresh_token: pair[1], refresh_expires_in: 1209600 })
                : json(403, { msg: "Invalid code" });
        };
    "#;
    let install = Function::new_with_args("first, pair", script);
    let pair = js_sys::Array::of2(&A2.into(), &R2.into());
    install.call2(&JsValue::NULL, &F1.into(), &pair).unwrap();
}

fn code(code: &str) -> SecondFactorProof {
    SecondFactorProof {
        code: Some(code.to_owned()),
        recovery_code: None,
    }
}

#[wasm_bindgen_test]
async fn a_code_completes_a_first_step_and_a_wrong_one_leaves_it() {
    fake_verifier();
    store_tokens(&StorageKeys::default(), Some(&pair(F1, R1)));
    let page = Mounted::new().await;
    assert!(page.session().needs_second_factor());

    let wrong = page.session().verify_second_factor(&code("000000")).await;
    assert_eq!(wrong.unwrap_err().msg(), Some("Invalid code"));
    assert_eq!(*page.session(), SessionState::SignedIn(pair(F1, R1)));

    page.session()
        .verify_second_factor(&code("123456"))
        .await
        .unwrap();
    let sent = js_sys::Reflect::get(&web_sys::window().unwrap(), &"fakeLastBody".into()).unwrap();
    assert_eq!(
        sent.as_string().unwrap(),
        r#"{"code":"123456","recovery_code":null}"#
    );
    settle().await;
    assert_eq!(*page.session(), SessionState::SignedIn(pair(A2, R2)));
    assert!(!page.session().needs_second_factor());
    assert_eq!(load_tokens(&StorageKeys::default()), Some(pair(A2, R2)));
    store_tokens(&StorageKeys::default(), None);
}
