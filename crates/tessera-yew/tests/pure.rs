//! Logic that needs no JavaScript engine: base64url, pretty-printing, the header
//! value, expiry, countdown text and refresh scheduling, and the session states.
//! Runs under node (`cargo test -p tessera-yew --target wasm32-unknown-unknown`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::time::Duration;

use tessera_yew::json::pretty;
use tessera_yew::token::{
    base64url_decode, bearer, format_duration, is_expired, refresh_delay_ms, time_left, Claims,
};
use tessera_yew::{ExpiredReason, SessionState, SignOut, Tokens};

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
}

/// Claims issued at `iat` expiring at `exp` (Unix seconds).
fn life(iat: i64, exp: i64) -> Claims {
    Claims {
        iat: Some(iat),
        nbf: Some(iat),
        exp: Some(exp),
        ..Claims::default()
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
    let no_exp = Claims {
        iat: Some(T0),
        ..Claims::default()
    };
    assert_eq!(refresh_delay_ms(&no_exp, T0_MS), None);
    // Without iat the life counts from now.
    let no_iat = Claims {
        exp: Some(T0 + 900),
        ..Claims::default()
    };
    assert_eq!(refresh_delay_ms(&no_iat, T0_MS), Some(870_000));
    // An exp far away is capped at what setTimeout takes (2^31 - 1 ms).
    let far = Claims {
        exp: Some(4_102_444_800),
        ..Claims::default()
    };
    assert_eq!(refresh_delay_ms(&far, T0_MS), Some(2_147_483_647));
}

#[test]
fn time_left_counts_down_to_zero() {
    let claims = life(T0, T0 + 900);
    assert_eq!(time_left(&claims, T0), Some(Duration::from_secs(900)));
    assert_eq!(time_left(&claims, T0 + 899), Some(Duration::from_secs(1)));
    assert_eq!(time_left(&claims, T0 + 5_000), Some(Duration::ZERO));
    assert_eq!(time_left(&Claims::default(), T0), None);
}

#[test]
fn only_a_live_session_has_tokens() {
    // "a" is no JWT: its claims stay empty, which is all this test needs.
    let tokens = Tokens::new("a", Some("r".into()));
    assert!(tokens.claims.exp.is_none());
    assert_eq!(
        SessionState::SignedIn(tokens.clone()).tokens(),
        Some(&tokens)
    );
    assert_eq!(
        SessionState::Refreshing(tokens.clone()).tokens(),
        Some(&tokens)
    );
    assert!(SessionState::Refreshing(tokens).is_signed_in());
    let ended = [
        SessionState::default(),
        SessionState::SignedOut(Some(SignOut::Everywhere)),
        SessionState::Expired(ExpiredReason::TimedOut),
    ];
    for state in ended {
        assert_eq!(state.tokens(), None, "{state:?}");
        assert_eq!(state.claims(), None, "{state:?}");
    }
}
