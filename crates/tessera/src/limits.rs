//! Abuse limits on the sign-in routes: requests per client address and sign-in
//! attempts per username, with `governor`'s keyed GCRA rate limiters.

mod client;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use self::client::ClientRules;
use crate::error::ApiError;

/// A rate as `N/s`, `N/min` or `N/h`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// No limit.
    Off,
    /// At most `count` per `period`, all of them allowed in a burst.
    Every {
        /// Requests allowed per period.
        count: NonZeroU32,
        /// The period.
        period: Duration,
    },
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        if value.eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        let (count, unit) = value
            .split_once('/')
            .ok_or_else(|| format!("{value:?} is not a rate such as 20/min, 5/s or off"))?;
        let count = count
            .trim()
            .parse::<NonZeroU32>()
            .map_err(|err| format!("{value:?}: {err}"))?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            other => {
                return Err(format!(
                    "{value:?}: unknown period {other:?} (use s, min or h)"
                ))
            }
        };
        Ok(Self::Every { count, period })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            Self::Every { count, period } => write!(f, "{count}/{}s", period.as_secs()),
        }
    }
}

fn limiter<K: std::hash::Hash + Eq + Clone>(rate: Rate) -> Option<DefaultKeyedRateLimiter<K>> {
    let Rate::Every { count, period } = rate else {
        return None;
    };
    let quota = Quota::with_period(period / count.get())?.allow_burst(count);
    Some(RateLimiter::keyed(quota))
}

/// Default of `--ipv6-prefix`: IPv6 hosts are usually given a whole /64.
pub const DEFAULT_IPV6_PREFIX: u8 = 64;

/// How a server's [`Limits`] are set; [`Default`]: no limits at all.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Requests per client address to the limited routes.
    pub per_address: Rate,
    /// Sign-in attempts per username.
    pub per_username: Rate,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 address that name one client (at most 128).
    pub ipv6_prefix: u8,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            per_address: Rate::Off,
            per_username: Rate::Off,
            trusted_proxies: Vec::new(),
            ipv6_prefix: DEFAULT_IPV6_PREFIX,
        }
    }
}

/// The limiters of one server.
pub struct Limits {
    /// Keyed by [`ClientRules::limit_key`].
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_username: Option<DefaultKeyedRateLimiter<String>>,
    clients: ClientRules,
}

impl Default for Limits {
    /// No limits at all (library use, tests).
    fn default() -> Self {
        Self::new(LimitSettings::default())
    }
}

impl Limits {
    /// The limits `settings` describe. `X-Forwarded-For` is believed only when
    /// the connection comes from one of the trusted proxies.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            per_address: limiter(settings.per_address),
            per_username: limiter(settings.per_username),
            clients: ClientRules::new(&settings.trusted_proxies, settings.ipv6_prefix),
        }
    }

    /// Counts one sign-in attempt for `username` (case-folded).
    pub fn check_username(&self, username: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_username else {
            return Ok(());
        };
        limiter
            .check_key(&username.to_ascii_lowercase())
            .map_err(|not_until| {
                ApiError::TooManyRequests(wait_secs(
                    not_until.wait_time_from(DefaultClock::default().now()),
                ))
            })
    }

    /// Forgets clients whose limits have fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_address {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.per_username {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// The client's address: the socket peer, or, behind a trusted proxy, the
    /// right-most hop of `X-Forwarded-For` that is not itself a trusted proxy.
    /// `forwarded_for` holds every line of that header, in the order received.
    pub fn client_address(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        self.clients.client_address(peer, forwarded_for)
    }
}

/// Middleware for the sign-in routes: 429 with `Retry-After` once a client
/// address is over its rate.
pub(crate) async fn per_address(
    State(limits): State<Arc<Limits>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &limits.per_address else {
        return next.run(request).await;
    };
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        // Served without connection info (e.g. `oneshot` in tests): nothing to key on.
        return next.run(request).await;
    };
    let client = limits.clients.client_of(peer.ip(), request.headers());
    match limiter.check_key(&limits.clients.limit_key(client)) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = wait_secs(not_until.wait_time_from(DefaultClock::default().now()));
            tracing::warn!(target: "tessera::audit", event = "rate_limited", %client, "too many sign-in requests");
            ApiError::TooManyRequests(wait).into_response()
        }
    }
}

fn wait_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!("off".parse::<Rate>(), Ok(Rate::Off));
        let Rate::Every { count, period } = "20/min".parse::<Rate>().unwrap() else {
            panic!()
        };
        assert_eq!((count.get(), period), (20, Duration::from_secs(60)));
        for bad in ["20", "0/min", "x/min", "5/fortnight"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_run_out_then_refill() {
        let limits = Limits::new(LimitSettings {
            per_username: "2/h".parse().unwrap(),
            ..LimitSettings::default()
        });
        assert!(limits.check_username("alice").is_ok());
        assert!(limits.check_username("ALICE").is_ok());
        let Err(ApiError::TooManyRequests(wait)) = limits.check_username("alice") else {
            panic!()
        };
        assert!((1..=1800).contains(&wait), "{wait}");
        assert!(
            limits.check_username("bob").is_ok(),
            "limits are per username"
        );
    }
}
