//! A small cache of access tokens that passed full verification.
//!
//! A client presents the same access token on every request until it expires,
//! and checking it from scratch (base64, HMAC, claims JSON) cost more than
//! everything else a protected request does. A token found here with the exact
//! same text, verified under the same key ring, skips those steps: its claims
//! were derived from those bytes alone. Its lifetime, audience and the deny list
//! are still checked on every use, and a changed key ring (a rotation, a pruned
//! key) misses every entry made under the previous one.
//!
//! Entries live in a fixed number of slots picked by the signature's last bytes
//! (uniform: a MAC or signature), so memory is bounded and a flood of distinct
//! tokens only evicts, never grows. Only verified tokens are stored; reading a
//! slot writes nothing shared, so workers on different cores never contend.

use std::any::Any;

use arc_swap::ArcSwapOption;
use std::sync::Arc;

use super::Claims;

/// Verified access tokens and their claims: the token cache (`--token-cache`).
pub(super) struct TokenCache {
    slots: Box<[ArcSwapOption<Entry>]>,
}

struct Entry {
    token: Box<str>,
    /// The key ring it was verified under ([`crate::keys::KeyRing::id`]).
    ring: u64,
    /// `Claims<E>` for the `E` it was read as.
    claims: Box<dyn Any + Send + Sync>,
}

impl TokenCache {
    /// A cache of `slots` entries, rounded up to a power of two; none at all for 0.
    pub(super) fn new(slots: usize) -> Self {
        let slots = if slots == 0 {
            0
        } else {
            slots.next_power_of_two()
        };
        Self {
            slots: (0..slots).map(|_| ArcSwapOption::empty()).collect(),
        }
    }

    /// The claims of `token` if it was verified under ring `ring` and read as `Claims<E>`.
    pub(super) fn get<E: Clone + 'static>(&self, token: &str, ring: u64) -> Option<Claims<E>> {
        let slot = self.slots.get(self.slot_of(token))?.load();
        let entry = slot.as_ref()?;
        if entry.ring != ring || *entry.token != *token {
            return None;
        }
        entry.claims.downcast_ref::<Claims<E>>().cloned()
    }

    /// Remembers that `token` verified under ring `ring` with `claims`.
    pub(super) fn put<E: Clone + Send + Sync + 'static>(
        &self,
        token: &str,
        ring: u64,
        claims: &Claims<E>,
    ) {
        let Some(slot) = self.slots.get(self.slot_of(token)) else {
            return; // no cache
        };
        let entry = Entry {
            token: token.into(),
            ring,
            claims: Box::new(claims.clone()),
        };
        slot.store(Some(Arc::new(entry)));
    }

    /// The slot for `token`: its last 8 bytes (the end of the signature) scrambled
    /// by a Fibonacci multiplier, then as many top bits as the slots need.
    fn slot_of(&self, token: &str) -> usize {
        let bits = self.slots.len().trailing_zeros();
        if bits == 0 {
            return 0;
        }
        let mut tail = [0u8; 8];
        let bytes = token.as_bytes();
        let take = bytes.len().min(8);
        tail[..take].copy_from_slice(&bytes[bytes.len() - take..]);
        let mixed = u64::from_le_bytes(tail).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - bits)) as usize
    }
}
