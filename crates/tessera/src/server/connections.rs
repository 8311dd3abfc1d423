//! Accepting and serving connections, with explicit limits.
//!
//! `axum::serve` takes every connection the kernel hands it and waits on each
//! forever: a client that opens connections and sends nothing (or a header a
//! byte a minute) holds a socket and a task per connection until the process
//! runs out of file descriptors. This accept loop bounds the open connections
//! (past the bound, new ones wait in the kernel's backlog) and each client
//! address's share of them (past it, new ones are closed at once), gives every
//! request head a deadline, closes connections that have had nothing in flight
//! for as long (HTTP/1.1 keep-alive and HTTP/2 alike), and caps the head's size.
//! Otherwise it serves as `axum::serve` does: HTTP/1.1 and HTTP/2, the peer
//! address as `ConnectInfo`, and a graceful shutdown.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt as _;

use super::idle::Activity;
use super::per_address::PerAddress;

/// Largest request head (request line and headers) accepted, in bytes; a larger
/// one gets 431. Generous for cookies and an 8 KiB `Authorization`.
pub(super) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Limits on the connections of a running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnectionLimits {
    /// Most connections open at once; more wait in the listen backlog until one closes.
    pub(crate) max_connections: usize,
    /// Most connections open at once from one client address (IPv6: one
    /// `ipv6_prefix`); more are closed at once. Trusted proxies are exempt.
    pub(crate) max_connections_per_address: usize,
    /// How many leading bits of an IPv6 address name one client (a host is
    /// usually given a whole /64).
    pub(crate) ipv6_prefix: u8,
    /// Longest wait for a complete request head, and longest time a connection
    /// may stay open with no request in flight; then the connection is closed.
    pub(crate) header_timeout: Duration,
}

/// Serves `router` on `listener` within `limits` (from which the addresses of
/// `trusted_proxies` are exempt per address) until `shutdown` completes, then
/// lets the requests in flight finish.
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    trusted_proxies: Vec<IpAddr>,
    shutdown: impl Future<Output = ()>,
) {
    let builder = connection_builder(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = PerAddress::new(
        limits.max_connections_per_address,
        trusted_proxies,
        limits.ipv6_prefix,
    );
    // Connections watch `stop` to begin a graceful close; each holds a `running`
    // receiver, so `all_done` resolves once every one has finished.
    let (stop, stopping) = watch::channel(());
    let (all_done, running) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    pause_after(&err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(address_slot) = per_address.admit(peer.ip()) else {
            tracing::debug!(%peer, "closed a connection: its address has its share open");
            continue; // dropping the stream closes it, and frees the slot
        };
        // Responses are written whole; waiting to coalesce them only adds latency.
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        let tracked = activity.clone();
        let service = router
            .clone()
            .map_request(move |mut request: Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            })
            .map_future(move |response| {
                let in_flight = tracked.begin();
                async move {
                    response
                        .await
                        .map(|response| in_flight.until_sent(response))
                }
            });
        let hyper_service = TowerToHyperService::new(service);
        let (builder, stop, running) = (builder.clone(), stop.clone(), running.clone());
        tokio::spawn(async move {
            // hyper reads the first bytes itself, to tell HTTP/1.1 from HTTP/2,
            // and waits for them with no deadline: that wait gets the head's (and
            // ends at shutdown, when a silent client has nothing in flight).
            let mut first = [0u8; 1];
            let spoke = tokio::select! {
                peeked = tokio::time::timeout(limits.header_timeout, stream.peek(&mut first)) => {
                    matches!(peeked, Ok(Ok(1)))
                }
                () = stop.closed() => false,
            };
            if !spoke {
                return drop((slot, address_slot, running));
            }
            let connection = builder.serve_connection(TokioIo::new(stream), hyper_service);
            tokio::pin!(connection);
            tokio::select! {
                served = connection.as_mut() => log_failure(served, peer),
                () = stop.closed() => {
                    connection.as_mut().graceful_shutdown();
                    log_failure(connection.await, peer);
                }
                () = activity.idle_for(limits.header_timeout) => {
                    // Say goodbye (HTTP/2: GOAWAY, which a client may leave
                    // unanswered); if the connection is still open after as
                    // long again with nothing in flight, drop it.
                    connection.as_mut().graceful_shutdown();
                    tokio::select! {
                        served = connection.as_mut() => log_failure(served, peer),
                        () = activity.idle_for(limits.header_timeout) => {}
                    }
                }
            }
            drop((slot, address_slot, running));
        });
    }
    drop(listener); // new connections are refused from here on
    drop((stopping, running));
    all_done.closed().await;
}

/// HTTP/1.1 and HTTP/2 with the head limits. No upgrades and no extended
/// CONNECT (RFC 8441): nothing here speaks WebSockets or tunnels.
fn connection_builder(header_timeout: Duration) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEADER_BYTES);
    // HTTP/2 has no head deadline: idle connections are closed by the accept
    // loop's idle timer, and pings find the dead ones sooner.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(20))
        .max_header_list_size(MAX_HEADER_BYTES as u32);
    builder
}

/// After a failed accept: nothing for a client that gave up; otherwise (out of
/// file descriptors, most likely) a pause, so the loop does not spin while
/// connections close.
async fn pause_after(err: &io::Error) {
    let client_gave_up = matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    );
    if !client_gave_up {
        tracing::error!(error = %err, "cannot accept connections; retrying in 1 s");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Lifts this process's soft limit on open files to its hard limit (each
/// connection is a file descriptor; distributions often default the soft limit
/// to 1024) and returns the limit now in force.
pub(super) fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum) {
        if current < maximum {
            limit.current = Some(maximum);
            if let Err(err) = setrlimit(Resource::Nofile, limit) {
                tracing::warn!(error = %err, "cannot raise the open-files limit");
            }
        }
    }
    getrlimit(Resource::Nofile).current
}

/// The default for `--max-connections`: 10,000, or what the open-files limit
/// leaves after room for the database, key files and logs.
pub(super) fn default_max_connections() -> usize {
    const OTHER_FILES: u64 = 256;
    let open_files = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let room = open_files.map_or(u64::MAX, |limit| limit.saturating_sub(OTHER_FILES));
    usize::try_from(room.clamp(16, 10_000)).unwrap_or(10_000)
}

fn log_failure(served: Result<(), Box<dyn std::error::Error + Send + Sync>>, peer: SocketAddr) {
    if let Err(err) = served {
        tracing::debug!(%peer, error = %err, "connection ended with an error");
    }
}
