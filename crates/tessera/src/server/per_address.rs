//! Open connections per client address, capped.
//!
//! The global connection limit alone lets one client take every slot (four
//! idle connections took a server limited to four). Each client address may
//! hold at most a share; its connections past that are closed at once. IPv6
//! clients count per /64, the block one subscriber usually gets. Trusted
//! proxies are exempt: every client behind one shares its address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::limits::client_unit;

/// The open connections of every client address.
#[derive(Debug)]
pub(super) struct PerAddress {
    cap: usize,
    exempt: Vec<IpAddr>,
    ipv6_prefix: u8,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl PerAddress {
    /// At most `cap` connections per client (an IPv6 client is its first
    /// `ipv6_prefix` bits), none counted for `exempt` addresses.
    pub(super) fn new(cap: usize, exempt: Vec<IpAddr>, ipv6_prefix: u8) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            exempt: exempt.into_iter().map(|ip| ip.to_canonical()).collect(),
            ipv6_prefix,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more connection from `peer`, held until dropped; `None`
    /// when that address already has its share open.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<AddressSlot> {
        let peer = peer.to_canonical();
        if self.exempt.contains(&peer) {
            return Some(AddressSlot {
                owner: self.clone(),
                client: None,
            });
        }
        let client = client_unit(peer, self.ipv6_prefix);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            owner: self.clone(),
            client: Some(client),
        })
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// One connection's place in its address's share.
#[derive(Debug)]
pub(super) struct AddressSlot {
    owner: Arc<PerAddress>,
    /// `None` for an exempt address.
    client: Option<IpAddr>,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let Some(client) = self.client else { return };
        let mut open = self
            .owner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                // Forgotten at once, so the map holds only addresses with open connections.
                open.remove(&client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn each_address_gets_its_share_and_slots_come_back() {
        let limits = PerAddress::new(2, vec![ip("10.0.0.9")], 64);
        let first = limits.admit(ip("10.0.0.1")).unwrap();
        let _second = limits.admit(ip("::ffff:10.0.0.1")).unwrap();
        assert!(limits.admit(ip("10.0.0.1")).is_none(), "a third is refused");
        assert!(
            limits.admit(ip("10.0.0.2")).is_some(),
            "others still get in"
        );
        drop(first);
        assert!(
            limits.admit(ip("10.0.0.1")).is_some(),
            "a closed one frees a place"
        );
        let proxied: Vec<_> = (0..5).map(|_| limits.admit(ip("10.0.0.9"))).collect();
        assert!(
            proxied.iter().all(Option::is_some),
            "a trusted proxy is exempt"
        );
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let limits = PerAddress::new(1, Vec::new(), 64);
        let _held = limits.admit(ip("2001:db8:1:2::1")).unwrap();
        assert!(limits.admit(ip("2001:db8:1:2:ffff::7")).is_none());
        assert!(limits.admit(ip("2001:db8:1:3::1")).is_some());
    }

    #[test]
    fn addresses_without_connections_are_forgotten() {
        let limits = PerAddress::new(3, Vec::new(), 64);
        let slots: Vec<_> = (1..=50)
            .map(|n| limits.admit(IpAddr::from([10, 0, 0, n])))
            .collect();
        assert_eq!(limits.tracked(), 50);
        drop(slots);
        assert_eq!(limits.tracked(), 0);
    }
}
