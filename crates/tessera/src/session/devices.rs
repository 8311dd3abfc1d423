//! Signed-in devices: the user's live sessions, each with where it was last
//! used from, and ending one of them from another.

use std::net::IpAddr;

use tessera_shared::SessionInfo;

use super::{Result, Revoke, SessionError, Sessions};
use crate::clock::{unix_now, utc_text};
use crate::store::{LiveSessions, SessionClient};

/// Longest user agent kept; real ones are a few hundred bytes at most.
const MAX_USER_AGENT_LEN: usize = 512;

/// Longest label made from a user agent that names no known browser.
const MAX_LABEL_LEN: usize = 40;

/// Where a request came from, as a session records it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeenFrom {
    /// The `User-Agent`, cut to [`MAX_USER_AGENT_LEN`] bytes.
    user_agent: Option<String>,
    /// The client's network (see [`network`]).
    network: Option<String>,
}

impl SeenFrom {
    /// A client at `address` (if known) sending `user_agent` (if any, as bytes).
    pub(crate) fn new(address: Option<IpAddr>, user_agent: Option<&[u8]>) -> Self {
        let user_agent = user_agent
            .map(|agent| {
                let agent = String::from_utf8_lossy(agent);
                let mut end = agent.len().min(MAX_USER_AGENT_LEN);
                while !agent.is_char_boundary(end) {
                    end -= 1;
                }
                agent[..end].to_owned()
            })
            .filter(|agent| !agent.trim().is_empty());
        Self {
            user_agent,
            network: address.and_then(network),
        }
    }

    pub(super) fn client(&self, refreshed_at: Option<u64>) -> SessionClient<'_> {
        SessionClient {
            user_agent: self.user_agent.as_deref(),
            network: self.network.as_deref(),
            refreshed_at,
        }
    }
}

impl Sessions<'_> {
    /// The live sessions of user `user_id`, newest first; `current` is the
    /// session of the token asking.
    pub(crate) async fn list(self, user_id: i64, current: &str) -> Result<Vec<SessionInfo>> {
        let rows = self
            .store
            .live_sessions(user_id, &self.live(unix_now()))
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| SessionInfo {
                current: row.id == current,
                created_at: utc_text(super::secs(row.created_at)),
                refreshed_at: row.refreshed_at.map(|at| utc_text(super::secs(at))),
                device: device_label(row.user_agent.as_deref().unwrap_or_default()),
                address: row.client_network,
                id: row.id,
            })
            .collect())
    }

    /// Ends live session `sid` of user `user_id`, its access tokens included,
    /// at once. Another user's session, or one not live, is not found: its
    /// existence is not revealed.
    pub(crate) async fn end_one(self, user_id: i64, sid: &str) -> Result<()> {
        let live = self
            .store
            .live_sessions(user_id, &self.live(unix_now()))
            .await?;
        if !live.iter().any(|session| session.id == sid) {
            return Err(SessionError::NoSuchSession);
        }
        self.revoke(Revoke::Session { sid, user_id }).await?;
        tracing::info!(target: "tessera::audit", event = "session_ended", user_id, session = %sid, "session ended from the devices list");
        Ok(())
    }

    fn live(self, now: u64) -> LiveSessions {
        let tokens = self.tokens.settings();
        LiveSessions {
            now,
            access_horizon: (tokens.access_ttl + tokens.leeway).as_secs(),
            session_max_age: self.settings.session_max_age.as_secs(),
        }
    }
}

/// The network of `address`, as much as a devices list needs: an IPv4 /24
/// (`203.0.113.0/24`) or an IPv6 /48 (`2001:db8:1::/48`). `None` for the
/// unspecified address (the client is unknown).
pub(crate) fn network(address: IpAddr) -> Option<String> {
    match address.to_canonical() {
        address if address.is_unspecified() => None,
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 80);
            Some(format!("{}/48", std::net::Ipv6Addr::from(prefix)))
        }
    }
}

/// A short, readable name for the device behind `user_agent`: "Firefox on
/// Linux", "Safari on iPhone", or for other clients their first product name
/// ("curl"). Order matters: Edge and Opera also say Chrome, Chrome also says
/// Safari, Android also says Linux.
pub(crate) fn device_label(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 9] = [
        ("Edg", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 8] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => product(user_agent).unwrap_or_else(|| "Unknown device".to_owned()),
    }
}

/// The first product name of a user agent (`curl/8.5.0` → `curl`), printable
/// ASCII only and at most [`MAX_LABEL_LEN`] characters.
fn product(user_agent: &str) -> Option<String> {
    let name: String = user_agent
        .split(['/', ' '])
        .next()?
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(MAX_LABEL_LEN)
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_and_systems_are_named() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("curl/8.5.0", "curl"),
            ("", "Unknown device"),
        ];
        for (agent, label) in cases {
            assert_eq!(device_label(agent), label, "{agent}");
        }
    }

    #[test]
    fn addresses_are_shortened_to_their_network() {
        let network = |text: &str| network(text.parse().unwrap());
        assert_eq!(network("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(
            network("::ffff:198.51.100.9").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(
            network("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(network("0.0.0.0"), None);
    }

    #[test]
    fn long_user_agents_are_cut_on_a_character_boundary() {
        let agent = "é".repeat(MAX_USER_AGENT_LEN);
        let seen = SeenFrom::new(None, Some(agent.as_bytes()));
        let kept = seen.user_agent.unwrap();
        assert!(kept.len() <= MAX_USER_AGENT_LEN && kept.chars().all(|c| c == 'é'));
        assert_eq!(SeenFrom::new(None, Some(b"  ")).user_agent, None);
    }
}
