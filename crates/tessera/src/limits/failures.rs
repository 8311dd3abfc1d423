//! Consecutive wrong current passwords on `POST /password`, per session.

use std::collections::HashMap;
use std::sync::Mutex;

/// Wrong current passwords in a row that end the session: someone holding a
/// stolen fresh token gets this many guesses, then must sign in again.
pub(crate) const MAX_WRONG_CURRENT_PASSWORDS: u32 = 5;

/// Current-password checks since the last right answer, per session id, each
/// with the Unix time after which the session's fresh token has expired and
/// the count can be forgotten.
#[derive(Debug, Default)]
pub(super) struct WrongPasswords {
    sessions: Mutex<HashMap<String, (u32, u64)>>,
}

impl WrongPasswords {
    /// Counts a check of the current password in `session`, whose fresh token
    /// expires at `expires_at`; returns the checks since the last right answer.
    pub(super) fn count(&self, session: &str, expires_at: u64) -> u32 {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let entry = sessions
            .entry(session.to_owned())
            .or_insert((0, expires_at));
        entry.0 += 1;
        entry.1 = entry.1.max(expires_at);
        entry.0
    }

    /// A counted check of `session` that could not run (store or hashers
    /// unavailable) does not count after all.
    pub(super) fn uncount(&self, session: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((count, _)) = sessions.get_mut(session) {
            *count = count.saturating_sub(1);
        }
    }

    /// The right password starts the count over.
    pub(super) fn succeeded(&self, session: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(session);
    }

    /// Forgets sessions whose fresh token expired before `now`: it can no
    /// longer change the password, so its count no longer matters.
    pub(super) fn forget_expired(&self, now: u64) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, (_, expires_at)| *expires_at >= now);
        sessions.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_in_a_row_per_session() {
        let wrong = WrongPasswords::default();
        assert_eq!(wrong.count("a", 100), 1);
        assert_eq!(wrong.count("a", 100), 2);
        assert_eq!(wrong.count("b", 100), 1, "per session");
        wrong.uncount("a");
        assert_eq!(wrong.count("a", 100), 2, "a check that did not run");
        wrong.succeeded("a");
        assert_eq!(wrong.count("a", 100), 1, "a success starts over");
        wrong.forget_expired(101);
        assert_eq!(wrong.count("b", 200), 1, "expired counts are forgotten");
    }
}
