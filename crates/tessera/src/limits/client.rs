//! Who the client is: the socket peer, or, behind a trusted proxy, the address
//! that proxy saw, taken from `X-Forwarded-For`.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The client of a request, as the limits see it. The limited routes' middleware
/// puts it in the request; take it as a handler argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// Its address (see [`crate::limits::Limits::client_address`]).
    pub address: IpAddr,
    /// What its per-address limits count under: the address, or its IPv6 prefix.
    pub key: IpAddr,
    /// Whether a trusted proxy says the request came over HTTPS.
    pub https: bool,
}

impl Client {
    /// A request served without connection info (e.g. `oneshot` in tests):
    /// every such request is the same, unknown client.
    const UNKNOWN: Self = Self {
        address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        key: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        https: false,
    };
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<Self>()
            .copied()
            .unwrap_or(Self::UNKNOWN))
    }
}

/// How client addresses are worked out.
#[derive(Debug, Clone, Default)]
pub(super) struct ClientRules {
    /// Peers whose `X-Forwarded-For` is believed, in canonical form.
    trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 address that name one client.
    ipv6_prefix: u8,
}

impl ClientRules {
    pub(super) fn new(trusted_proxies: &[IpAddr], ipv6_prefix: u8) -> Self {
        Self {
            trusted_proxies: trusted_proxies.iter().map(IpAddr::to_canonical).collect(),
            ipv6_prefix: ipv6_prefix.min(128),
        }
    }

    /// The key a client's per-address limits count under. An IPv6 host is
    /// usually given a whole /64 and can pick any address in it, so IPv6
    /// addresses count by their first `ipv6_prefix` bits; IPv4 addresses (and
    /// IPv4-mapped IPv6 ones) as they are.
    pub(super) fn limit_key(&self, address: IpAddr) -> IpAddr {
        client_unit(address, self.ipv6_prefix)
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted_proxies.contains(&address)
    }

    /// The client's address: the socket peer, or, when the peer is a trusted
    /// proxy, the right-most hop of `X-Forwarded-For` that is not itself a
    /// trusted proxy. `forwarded_for` holds every line of the header in the order
    /// received: proxies that append a line of their own (HAProxy's `option
    /// forwardfor`) leave the client's own line first, so only the right-most
    /// hops, the ones our proxies wrote, can be believed.
    pub(super) fn client_address(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut nearest = peer.to_canonical();
        if !self.is_trusted(nearest) {
            return nearest;
        }
        let hops = forwarded_for.iter().rev().flat_map(|line| line.rsplit(','));
        for hop in hops {
            match parse_hop(hop) {
                Some(hop) if self.is_trusted(hop) => nearest = hop,
                Some(hop) => return hop,
                // Not an address: whatever stands left of it was not written by
                // a proxy we trust, so the last trusted hop is all we know.
                None => return nearest,
            }
        }
        nearest
    }

    /// The client of a request from `peer` with `headers`.
    pub(super) fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        let lines: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            // A line that is not text counts as a hop that is not an address.
            .map(|line| line.to_str().unwrap_or(""))
            .collect();
        let address = self.client_address(peer, &lines);
        // The scheme the nearest proxy saw, when that proxy is trusted.
        let https = self.is_trusted(peer.to_canonical())
            && headers
                .get_all("x-forwarded-proto")
                .iter()
                .next_back()
                .and_then(|proto| proto.to_str().ok())
                .and_then(|proto| proto.rsplit(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        Client {
            address,
            key: self.limit_key(address),
            https,
        }
    }
}

/// The unit a client is counted by: its IPv4 address (IPv4-mapped IPv6 ones
/// included), or the first `ipv6_prefix` bits of its IPv6 address, since a host
/// is usually given a whole /64 and can pick any address in it.
pub(crate) fn client_unit(address: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let host_bits = 128 - u32::from(ipv6_prefix.min(128));
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// One `X-Forwarded-For` hop: an address, possibly with a port (`[v6]:port`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(|address| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy = address("10.0.0.1");
        let rules = ClientRules::new(&[proxy], 64);
        let spoofed = ["198.51.100.1, 203.0.113.7"];
        assert_eq!(
            rules.client_address(proxy, &spoofed),
            address("203.0.113.7"),
            "right-most untrusted hop"
        );
        let stranger = address("192.0.2.9");
        assert_eq!(
            rules.client_address(stranger, &spoofed),
            stranger,
            "untrusted peers cannot claim an address"
        );
        assert_eq!(rules.client_address(proxy, &["garbage"]), proxy);
        assert_eq!(rules.client_address(proxy, &[]), proxy);
    }

    #[test]
    fn every_forwarded_for_line_counts_in_order() {
        let proxy = address("10.0.0.1");
        let rules = ClientRules::new(&[proxy, address("10.0.0.2")], 64);
        // The client sent the first line; the proxy appended the second.
        let lines = ["198.51.100.1", "203.0.113.7"];
        assert_eq!(rules.client_address(proxy, &lines), address("203.0.113.7"));
        let chained = ["198.51.100.1, 203.0.113.7", "10.0.0.2"];
        assert_eq!(
            rules.client_address(proxy, &chained),
            address("203.0.113.7"),
            "trusted hops are skipped across lines"
        );
    }

    #[test]
    fn a_hop_that_is_not_an_address_ends_the_walk() {
        let proxy = address("10.0.0.1");
        let rules = ClientRules::new(&[proxy, address("10.0.0.2")], 64);
        assert_eq!(
            rules.client_address(proxy, &["203.0.113.7, nonsense, 10.0.0.2"]),
            address("10.0.0.2"),
            "nothing left of an unreadable hop is believed"
        );
        assert_eq!(
            rules.client_address(proxy, &["[2001:db8::1]:4711", "203.0.113.7:80"]),
            address("203.0.113.7"),
            "hops with ports"
        );
    }

    #[test]
    fn mapped_addresses_match_trusted_proxies() {
        let rules = ClientRules::new(&[address("127.0.0.1")], 64);
        assert_eq!(
            rules.client_address(address("::ffff:127.0.0.1"), &["::ffff:203.0.113.7"]),
            address("203.0.113.7")
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_prefix() {
        let rules = ClientRules::new(&[], 64);
        let key = |text| rules.limit_key(address(text));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), address("2001:db8:1:2::"));
        assert_eq!(
            key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            key("2001:db8:1:2::7")
        );
        assert_ne!(
            key("2001:db8:1:3::1"),
            key("2001:db8:1:2::1"),
            "another /64"
        );
        assert_eq!(key("203.0.113.7"), address("203.0.113.7"), "IPv4 as it is");
        assert_eq!(
            key("::ffff:203.0.113.7"),
            address("203.0.113.7"),
            "IPv4-mapped counts as IPv4"
        );
        let exact = ClientRules::new(&[], 128);
        assert_eq!(
            exact.limit_key(address("2001:db8::1")),
            address("2001:db8::1")
        );
        let wide = ClientRules::new(&[], 48);
        assert_eq!(
            wide.limit_key(address("2001:db8:1:2::1")),
            address("2001:db8:1::")
        );
    }
}
