//! Logic that needs no JavaScript engine: base64url, pretty-printing, the header
//! value, expiry and countdown text, and the session's state changes.
//! Runs natively (`cargo test -p frontend`) and under node
//! (`cargo test -p frontend --target wasm32-unknown-unknown`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use frontend::json::pretty;
use frontend::session::{Session, SessionAction, EXPIRED_NOTICE, SIGNED_OUT_NOTICE};
use frontend::token::{base64url_decode, bearer, describe_expiry, format_duration, is_expired};
use yew::Reducible;

#[test]
fn base64url_uses_the_url_safe_alphabet_with_or_without_padding() {
    assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
    assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
    assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
    assert_eq!(base64url_decode("aGVsbG8gd29ybGQ").unwrap(), b"hello world");
    assert_eq!(base64url_decode("").unwrap(), b"");
    assert_eq!(
        base64url_decode("+/8"),
        None,
        "standard alphabet is not base64url"
    );
    assert_eq!(base64url_decode("aGk!"), None);
    assert_eq!(
        base64url_decode("aGkhx"),
        None,
        "5 characters cannot encode whole bytes"
    );
}

#[test]
fn pretty_indents_like_serde_json_and_keeps_key_order() {
    let compact = r#"{"sub":"42","data":[1,2],"empty":{},"none":[ ],"nested":{"a":true}}"#;
    let expected = r#"{
  "sub": "42",
  "data": [
    1,
    2
  ],
  "empty": {},
  "none": [],
  "nested": {
    "a": true
  }
}"#;
    assert_eq!(pretty(compact), expected);
}

#[test]
fn pretty_leaves_strings_alone() {
    let tricky = r#"{"k":"a, {b}: [c] \"d\" \\","l":"é ✓"}"#;
    let expected = "{\n  \"k\": \"a, {b}: [c] \\\"d\\\" \\\\\",\n  \"l\": \"é ✓\"\n}";
    assert_eq!(pretty(tricky), expected);
    assert_eq!(
        pretty(" { \"a\" : 1 } "),
        "{\n  \"a\": 1\n}",
        "existing whitespace is dropped"
    );
}

#[test]
fn bearer_header_value() {
    assert_eq!(bearer("abc.def.ghi"), "Bearer abc.def.ghi");
}

#[test]
fn a_token_is_expired_from_its_exp_second_on() {
    assert!(!is_expired(100, 99));
    assert!(is_expired(100, 100));
    assert!(is_expired(100, 101));
}

#[test]
fn countdown_formatting() {
    assert_eq!(format_duration(0), "0s");
    assert_eq!(format_duration(59), "59s");
    assert_eq!(format_duration(60), "1m 00s");
    assert_eq!(format_duration(14 * 60 + 5), "14m 05s");
    assert_eq!(format_duration(3_600 + 2 * 60 + 3), "1h 02m 03s");
    assert_eq!(format_duration(2 * 86_400 + 3_600 + 60 + 1), "2d 01h 01m");
    assert_eq!(describe_expiry(1_000, 1_000 - 65), "Expires in 1m 05s");
    assert_eq!(describe_expiry(1_000, 1_000), "Expired 0s ago");
    assert_eq!(describe_expiry(1_000, 1_012), "Expired 12s ago");
}

#[test]
fn session_actions() {
    let start = Rc::new(Session::default());
    let signed_in = start.reduce(SessionAction::SignIn("t".into()));
    assert_eq!(signed_in.token.as_deref(), Some("t"));
    assert_eq!(signed_in.notice, None);

    let noted = signed_in.clone().reduce(SessionAction::Notify("hi".into()));
    assert_eq!(
        noted.token.as_deref(),
        Some("t"),
        "a notice keeps the token"
    );
    assert_eq!(noted.notice.as_deref(), Some("hi"));

    let out = signed_in.clone().reduce(SessionAction::SignOut);
    assert_eq!(out.token, None);
    assert_eq!(out.notice.as_deref(), Some(SIGNED_OUT_NOTICE));

    let expired = signed_in
        .clone()
        .reduce(SessionAction::Expire(Some("Token has expired".to_owned())));
    assert_eq!(expired.token, None);
    assert_eq!(
        expired.notice.as_deref(),
        Some("Your session has expired (Token has expired). Please sign in again.")
    );
    let expired = signed_in.reduce(SessionAction::Expire(None));
    assert_eq!(expired.notice.as_deref(), Some(EXPIRED_NOTICE));
}
