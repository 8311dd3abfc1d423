//! Abuse limits on the sign-in routes: requests per client address and sign-in
//! attempts per username, with `governor`'s keyed GCRA rate limiters.
//!
//! A username's strict limit counts per client address, so guesses from one
//! address cannot lock the user out everywhere; a looser budget per username
//! bounds guesses spread over many addresses. A client showing a device cookie
//! for the username (see `device`) counts against its device's limit instead.

mod client;
mod failures;
mod rate;

pub(crate) use self::client::Client;
pub(crate) use self::failures::MAX_WRONG_CURRENT_PASSWORDS;
pub use self::rate::Rate;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::DefaultKeyedRateLimiter;
use governor::NotUntil;

pub(crate) use self::client::client_unit;
use self::client::ClientRules;
use self::failures::WrongPasswords;
use self::rate::{limiter, wait_secs};
use crate::clock::unix_now;
use crate::error::ApiError;

/// Default of `--ipv6-prefix`: IPv6 hosts are usually given a whole /64.
pub(crate) const DEFAULT_IPV6_PREFIX: u8 = 64;

/// How a server's [`Limits`] are set; [`Default`]: no limits at all.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Requests per client address to the limited routes.
    pub per_address: Rate,
    /// Sign-in attempts per username and client address, and per device cookie;
    /// also password changes per account. `Off` turns every per-username limit off.
    pub per_username: Rate,
    /// Sign-in attempts per username from every client together (but those
    /// showing a device cookie for it).
    pub per_username_global: Rate,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 address that name one client (at most 128).
    pub ipv6_prefix: u8,
    /// Messages asked for (verification resends, password resets) per
    /// account and per email address or username typed.
    pub mail_requests: Rate,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            per_address: Rate::Off,
            per_username: Rate::Off,
            per_username_global: Rate::Off,
            trusted_proxies: Vec::new(),
            ipv6_prefix: DEFAULT_IPV6_PREFIX,
            mail_requests: Rate::Off,
        }
    }
}

/// How many addresses it takes to spend a username's global budget.
const GLOBAL_SHARES: u32 = 10;

/// The limiters of one server.
pub struct Limits {
    /// Keyed by [`ClientRules::limit_key`].
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Keyed by lower-cased username and [`Client::key`].
    per_user_and_address: Option<DefaultKeyedRateLimiter<(String, IpAddr)>>,
    /// The same key's share of the global budget: one address may spend at
    /// most a [`GLOBAL_SHARES`]th of it, so locking a username out of
    /// cookie-less sign-ins takes that many addresses, not one.
    global_share: Option<DefaultKeyedRateLimiter<(String, IpAddr)>>,
    /// Keyed by lower-cased username.
    per_username: Option<DefaultKeyedRateLimiter<String>>,
    /// Keyed by the device cookie's id.
    per_device: Option<DefaultKeyedRateLimiter<String>>,
    /// `POST /password` attempts per user id.
    password_changes: Option<DefaultKeyedRateLimiter<i64>>,
    /// Mail asked for, keyed by what asked: `account:<id>` or the address or name typed.
    mail_requests: Option<DefaultKeyedRateLimiter<String>>,
    wrong_passwords: WrongPasswords,
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
            per_user_and_address: limiter(settings.per_username),
            global_share: limiter::<(String, IpAddr)>(settings.per_username)
                .and_then(|_| limiter(settings.per_username_global.share(GLOBAL_SHARES))),
            // The global budget is a per-username limit too: off with the others.
            per_username: limiter::<String>(settings.per_username)
                .and_then(|_| limiter(settings.per_username_global)),
            per_device: limiter(settings.per_username),
            password_changes: limiter(settings.per_username),
            mail_requests: limiter(settings.mail_requests),
            wrong_passwords: WrongPasswords::default(),
            clients: ClientRules::new(&settings.trusted_proxies, settings.ipv6_prefix),
        }
    }

    /// Counts one sign-in attempt for `username` (letter case aside) from
    /// `client`. With `device`, the id of a device cookie this server issued for
    /// that username, it counts against that device only; without, against the
    /// username from this client's address and the username's global budget.
    pub fn check_sign_in(
        &self,
        username: &str,
        client: &Client,
        device: Option<&str>,
    ) -> Result<(), ApiError> {
        let username = username.to_ascii_lowercase();
        let checked = match device {
            Some(device) => check(&self.per_device, &device.to_owned()),
            None => {
                let key = (username.clone(), client.key);
                check(&self.per_user_and_address, &key)
                    .and_then(|()| check(&self.global_share, &key))
                    .and_then(|()| check(&self.per_username, &username))
            }
        };
        checked.inspect_err(|_| {
            tracing::warn!(target: "tessera::audit", event = "rate_limited", %username, client = %client.address, device = device.is_some(), "too many sign-in attempts");
        })
    }

    /// Counts one `POST /password` attempt of account `user_id` from `client`.
    pub fn check_password_change(&self, user_id: i64, client: &Client) -> Result<(), ApiError> {
        let Some(limiter) = &self.password_changes else {
            return Ok(());
        };
        limiter.check_key(&user_id).map_err(|not_until| {
            tracing::warn!(target: "tessera::audit", event = "rate_limited", user_id, client = %client.address, "too many password changes");
            too_many(not_until)
        })
    }

    /// Counts one message asked for under `key` (`account:<id>`, the email
    /// address or username a `POST /password/forgot` named, or `set:` and
    /// the address a `PUT /me/email` sets).
    pub(crate) fn check_mail_request(&self, key: &str) -> Result<(), ApiError> {
        check(&self.mail_requests, &key.to_owned()).inspect_err(|_| {
            tracing::warn!(target: "tessera::audit", event = "rate_limited", key, "too many mail requests");
        })
    }

    /// Counts a current-password check in `session` (whose fresh token is good
    /// until `valid_until`) before it runs, so checks in flight count too;
    /// returns the checks counted since the session's last right answer.
    pub(crate) fn current_password_check(&self, session: &str, valid_until: u64) -> u32 {
        self.wrong_passwords.count(session, valid_until)
    }

    /// A counted current-password check of `session` could not run (a 503).
    pub(crate) fn current_password_unchecked(&self, session: &str) {
        self.wrong_passwords.uncount(session);
    }

    /// The current password of `session` was right: its count starts over.
    pub(crate) fn current_password_right(&self, session: &str) {
        self.wrong_passwords.succeeded(session);
    }

    /// Forgets clients whose limits have fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_address {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        for limiter in [&self.per_user_and_address, &self.global_share]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.per_username {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.mail_requests {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.per_device {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.password_changes {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.wrong_passwords.forget_expired(unix_now());
    }

    /// The client's address: the socket peer, or, behind a trusted proxy, the
    /// right-most hop of `X-Forwarded-For` that is not itself a trusted proxy.
    /// `forwarded_for` holds every line of that header, in the order received.
    pub fn client_address(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        self.clients.client_address(peer, forwarded_for)
    }
}

/// Middleware for the limited routes: works out the [`Client`] (handlers take
/// it as an argument), then answers 429 with `Retry-After` once its address is
/// over its rate.
pub(crate) async fn per_address(
    State(limits): State<Arc<Limits>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        // Served without the peer's address (`axum::serve(listener, app)` instead of
        // `app.into_make_service_with_connect_info::<SocketAddr>()`): every client
        // would share one key, so a stranger's guesses would lock everyone out.
        // Refuse rather than limit the wrong thing; with no limits there is nothing to key.
        if limits.per_address.is_none() && limits.per_user_and_address.is_none() {
            return next.run(request).await;
        }
        return ApiError::internal(
            "the rate-limited routes were served without the client's address; serve the \
             router with `into_make_service_with_connect_info::<SocketAddr>()`",
        )
        .into_response();
    };
    let client = limits.clients.client_of(peer.ip(), request.headers());
    request.extensions_mut().insert(client);
    let Some(limiter) = &limits.per_address else {
        return next.run(request).await;
    };
    match limiter.check_key(&client.key) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            tracing::warn!(target: "tessera::audit", event = "rate_limited", client = %client.address, "too many requests from one client");
            too_many(not_until).into_response()
        }
    }
}

/// Counts one request under `key`, if there is a limit.
fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &Option<DefaultKeyedRateLimiter<K>>,
    key: &K,
) -> Result<(), ApiError> {
    limiter
        .as_ref()
        .map_or(Ok(()), |limiter| limiter.check_key(key).map_err(too_many))
}

/// The 429 for a limiter that said no.
fn too_many(not_until: NotUntil<<DefaultClock as Clock>::Instant>) -> ApiError {
    ApiError::TooManyRequests(wait_secs(
        not_until.wait_time_from(DefaultClock::default().now()),
    ))
}

#[cfg(test)]
mod tests;
