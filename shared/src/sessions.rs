//! The signed-in devices list: the caller's live sessions.

use serde::{Deserialize, Serialize};

/// One live session of the caller, as `GET /sessions` lists it: one password
/// sign-in and the refreshes that followed it, on one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The session's id (its tokens' `sid` claim); `DELETE /sessions/{id}` ends it.
    pub id: String,
    /// When the user signed in, RFC 3339 in UTC.
    pub created_at: String,
    /// When the session was last refreshed, RFC 3339 in UTC; `null` if never.
    pub refreshed_at: Option<String>,
    /// A readable name for the device, from its user agent (e.g. `Firefox on
    /// Linux`); `Unknown device` when it sent none.
    pub device: String,
    /// The network the device was last seen in, shortened (an IPv4 /24 such as
    /// `203.0.113.0/24`, an IPv6 /48); `null` when unknown.
    pub address: Option<String>,
    /// Whether this is the session of the token that asked.
    pub current: bool,
}

/// Body of `GET /sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    /// The live sessions, newest first.
    pub sessions: Vec<SessionInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_round_trips_with_nulls_for_what_is_unknown() {
        let list = SessionList {
            sessions: vec![SessionInfo {
                id: "s1".into(),
                created_at: "2026-12-07T05:00:00Z".into(),
                refreshed_at: None,
                device: "Unknown device".into(),
                address: None,
                current: true,
            }],
        };
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["sessions"][0]["refreshed_at"], serde_json::Value::Null);
        assert_eq!(json["sessions"][0]["current"], true);
        assert_eq!(serde_json::from_value::<SessionList>(json).unwrap(), list);
    }
}
