//! Logic that needs no JavaScript engine: base64url, pretty-printing, the header
//! value, expiry and countdown text, refresh scheduling, and the session's
//! state changes.
//! Runs natively (`cargo test -p frontend`) and under node
//! (`cargo test -p frontend --target wasm32-unknown-unknown`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use frontend::json::pretty;
use frontend::session::{Session, SessionAction, Tokens, EXPIRED_NOTICE, SIGNED_OUT_NOTICE};
use frontend::token::{
    base64url_decode, bearer, describe_expiry, format_duration, is_expired, refresh_delay_ms,
    KnownClaims,
};
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

/// Claims issued at `iat` expiring at `exp` (Unix seconds).
fn life(iat: i64, exp: i64) -> KnownClaims {
    KnownClaims {
        iat: Some(iat),
        nbf: Some(iat),
        exp: Some(exp),
    }
}

const T0: i64 = 1_795_512_600;
const T0_MS: i64 = T0 * 1000;

#[test]
fn a_long_lived_token_is_refreshed_30_seconds_before_it_expires() {
    // 15 min: 80 % of the life is 12 min, 30 s before exp is 14 min 30 s: the later wins.
    let claims = life(T0, T0 + 900);
    assert_eq!(refresh_delay_ms(&claims, T0_MS), Some(870_000));
    assert_eq!(refresh_delay_ms(&claims, T0_MS + 600_000), Some(270_000));
}

#[test]
fn a_short_lived_token_is_refreshed_at_80_percent_of_its_life() {
    // 3 s: 30 s before exp lies before iat, so 80 % (2.4 s) it is.
    let claims = life(T0, T0 + 3);
    assert_eq!(refresh_delay_ms(&claims, T0_MS), Some(2_400));
    assert_eq!(refresh_delay_ms(&claims, T0_MS + 900), Some(1_500));
    // 100 s: 80 s after iat is later than 70 s.
    assert_eq!(refresh_delay_ms(&life(T0, T0 + 100), T0_MS), Some(80_000));
    // 5 min: 30 s before exp (270 s) is later than 240 s.
    assert_eq!(refresh_delay_ms(&life(T0, T0 + 300), T0_MS), Some(270_000));
}

#[test]
fn a_due_or_expired_token_waits_a_tenth_of_its_life_and_at_least_a_second() {
    // Past its refresh point, or already expired (or the browser clock runs
    // ahead): never a loop.
    let claims = life(T0, T0 + 900);
    assert_eq!(refresh_delay_ms(&claims, T0_MS + 880_000), Some(90_000));
    assert_eq!(refresh_delay_ms(&claims, T0_MS + 5_000_000), Some(90_000));
    let short = life(T0, T0 + 3);
    assert_eq!(refresh_delay_ms(&short, T0_MS + 2_900), Some(1_000));
    assert_eq!(refresh_delay_ms(&short, T0_MS + 60_000), Some(1_000));
    // Nonsense claims still give a sane wait.
    assert_eq!(refresh_delay_ms(&life(T0, T0 - 10), T0_MS), Some(1_000));
}

#[test]
fn a_browser_clock_behind_the_server_waits_longer() {
    let claims = life(T0, T0 + 900);
    assert_eq!(refresh_delay_ms(&claims, T0_MS - 60_000), Some(930_000));
}

#[test]
fn refresh_scheduling_without_iat_or_exp() {
    let no_exp = KnownClaims {
        iat: Some(T0),
        ..KnownClaims::default()
    };
    assert_eq!(refresh_delay_ms(&no_exp, T0_MS), None);
    // Without iat the life counts from now.
    let no_iat = KnownClaims {
        exp: Some(T0 + 900),
        ..KnownClaims::default()
    };
    assert_eq!(refresh_delay_ms(&no_iat, T0_MS), Some(870_000));
    // An exp far away is capped at what setTimeout takes (2^31 - 1 ms).
    let far = KnownClaims {
        exp: Some(4_102_444_800),
        ..KnownClaims::default()
    };
    assert_eq!(refresh_delay_ms(&far, T0_MS), Some(2_147_483_647));
}

fn tokens(access: &str, refresh: &str) -> Tokens {
    Tokens {
        access: access.to_owned().into(),
        refresh: Some(refresh.to_owned().into()),
    }
}

#[test]
fn session_actions() {
    let start = Rc::new(Session::default());
    let signed_in = start.reduce(SessionAction::SignIn(tokens("a", "r")));
    assert_eq!(signed_in.tokens, Some(tokens("a", "r")));
    assert_eq!(signed_in.notice, None);

    let refreshed = signed_in
        .clone()
        .reduce(SessionAction::SignIn(tokens("a2", "r2")));
    assert_eq!(refreshed.tokens, Some(tokens("a2", "r2")));

    let noted = signed_in.clone().reduce(SessionAction::Notify("hi".into()));
    assert_eq!(
        noted.tokens,
        Some(tokens("a", "r")),
        "a notice keeps the tokens"
    );
    assert_eq!(noted.notice.as_deref(), Some("hi"));

    let out = signed_in
        .clone()
        .reduce(SessionAction::SignOut(SIGNED_OUT_NOTICE.into()));
    assert_eq!(out.tokens, None);
    assert_eq!(out.notice.as_deref(), Some(SIGNED_OUT_NOTICE));

    let expired = signed_in.clone().reduce(SessionAction::Expire(Some(
        "Token has been revoked".to_owned(),
    )));
    assert_eq!(expired.tokens, None);
    assert_eq!(
        expired.notice.as_deref(),
        Some("Your session has expired (Token has been revoked). Please sign in again.")
    );
    let expired = signed_in.reduce(SessionAction::Expire(None));
    assert_eq!(expired.notice.as_deref(), Some(EXPIRED_NOTICE));
}
