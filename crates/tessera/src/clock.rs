//! Time and ids: the Unix clock every stored and signed time is read from, and
//! the random ids of tokens and sessions.

use std::time::{SystemTime, UNIX_EPOCH};

/// A random 128-bit id, hex-encoded: token ids and session ids.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
