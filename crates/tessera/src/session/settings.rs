//! The session policy: how long a session and its refresh tokens live, and how
//! long a used refresh token is forgiven for racing tabs. Defaults written once,
//! in [`SessionSettings::default`].

use std::time::Duration;

/// How sessions and refresh rotation behave; part of [`Config`](crate::Config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// How long a refresh token stays valid. Default: 14 days.
    pub refresh_ttl: Duration,
    /// How long a just-used refresh token may be presented again, by the client
    /// that used it, and get the same new pair (tabs racing). Default: 10 s.
    pub refresh_grace: Duration,
    /// Absolute session lifetime: refreshing never extends a session (nor its
    /// refresh tokens' `exp`) past its sign-in plus this. Default: 30 days.
    pub session_max_age: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
            refresh_grace: Duration::from_secs(10),
            session_max_age: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

impl SessionSettings {
    /// How long after its last refresh a session can still be alive: the
    /// refresh token's lifetime plus that of the access token it came with.
    pub(crate) fn horizon(&self, access_ttl: Duration) -> u64 {
        self.refresh_ttl.as_secs() + access_ttl.as_secs()
    }
}
