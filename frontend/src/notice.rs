//! What the sign-in page says about how the last session ended, and the
//! token panel's countdown text: the app's words for the session's states.

use tessera_yew::token::{format_duration, is_expired};
use tessera_yew::{ExpiredReason, SessionState, SignOut};

/// The notice after a session ran out.
pub const EXPIRED_NOTICE: &str = "Your session has expired. Please sign in again.";

/// The notice after signing out (here or in another tab).
pub const SIGNED_OUT_NOTICE: &str = "You have signed out.";

/// The notice after signing out of every session.
pub const SIGNED_OUT_EVERYWHERE_NOTICE: &str = "You have signed out everywhere.";

/// The sign-in page's notice for `state`; `None` when there is nothing to say.
pub fn session_notice(state: &SessionState) -> Option<String> {
    let notice = match state {
        SessionState::SignedOut(Some(SignOut::Here | SignOut::OtherTab)) => SIGNED_OUT_NOTICE,
        SessionState::SignedOut(Some(SignOut::Everywhere)) => SIGNED_OUT_EVERYWHERE_NOTICE,
        SessionState::Expired(ExpiredReason::TimedOut) => EXPIRED_NOTICE,
        SessionState::Expired(ExpiredReason::Refused(reason)) => {
            return Some(format!(
                "Your session has expired ({reason}). Please sign in again."
            ))
        }
        SessionState::SignedOut(None) | SessionState::SignedIn(_) | SessionState::Refreshing(_) => {
            return None
        }
    };
    Some(notice.to_owned())
}

/// `Expires in 3m 04s`, or `Expired 5s ago` once `now` has reached `exp`.
pub fn describe_expiry(exp: i64, now: i64) -> String {
    if is_expired(exp, now) {
        format!("Expired {} ago", format_duration(now.abs_diff(exp)))
    } else {
        format!("Expires in {}", format_duration(exp.abs_diff(now)))
    }
}
