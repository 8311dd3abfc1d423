//! Time and ids: the Unix clock every stored and signed time is read from, and
//! the random ids of tokens and sessions.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Unix time `secs` as clients are shown it: RFC 3339, UTC, whole seconds
/// (`2026-11-24T09:30:00Z`).
pub(crate) fn utc_text(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_text_is_rfc3339_in_whole_seconds() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(1_795_512_600), "2026-11-24T09:30:00Z");
        // A leap day.
        assert_eq!(utc_text(1_709_164_800), "2024-02-29T00:00:00Z");
    }
}
