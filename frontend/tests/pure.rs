//! The app's words for the session's states: the sign-in page's notices and the
//! token panel's countdown. Runs under node
//! (`cargo test -p frontend --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use frontend::notice::{
    describe_expiry, session_notice, EXPIRED_NOTICE, SIGNED_OUT_EVERYWHERE_NOTICE,
    SIGNED_OUT_NOTICE,
};
use tessera_yew::{ExpiredReason, SessionState, SignOut, Tokens};
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn countdown_text() {
    assert_eq!(describe_expiry(1_000, 1_000 - 65), "Expires in 1m 05s");
    assert_eq!(describe_expiry(1_000, 1_000), "Expired 0s ago");
    assert_eq!(describe_expiry(1_000, 1_012), "Expired 12s ago");
}

#[test]
fn each_way_a_session_ends_has_its_notice() {
    let notice = |state: SessionState| session_notice(&state);
    assert_eq!(
        notice(SessionState::SignedOut(Some(SignOut::Here))).as_deref(),
        Some(SIGNED_OUT_NOTICE)
    );
    assert_eq!(
        notice(SessionState::SignedOut(Some(SignOut::OtherTab))).as_deref(),
        Some(SIGNED_OUT_NOTICE)
    );
    assert_eq!(
        notice(SessionState::SignedOut(Some(SignOut::Everywhere))).as_deref(),
        Some(SIGNED_OUT_EVERYWHERE_NOTICE)
    );
    assert_eq!(
        notice(SessionState::Expired(ExpiredReason::TimedOut)).as_deref(),
        Some(EXPIRED_NOTICE)
    );
    let refused = ExpiredReason::Refused("Token has been revoked".to_owned());
    assert_eq!(
        notice(SessionState::Expired(refused)).as_deref(),
        Some("Your session has expired (Token has been revoked). Please sign in again.")
    );
    assert_eq!(notice(SessionState::SignedOut(None)), None);
    let tokens = Tokens::new("a.b.c", None);
    assert_eq!(notice(SessionState::SignedIn(tokens)), None);
}
