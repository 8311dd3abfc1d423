//! Starting and stopping the HTTP server.

mod connections;
mod idle;
mod per_address;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::config::{ConfigError, ServeArgs};
use crate::error::ApiError;
use crate::keys::{self, KeyError, Keys};
use crate::limits::Limits;
use crate::password::Passwords;
use crate::revocation;
use crate::secret::{self, SecretError};
use crate::site::{MissingIndex, Site};
use crate::state::AppState;
use crate::store::{RevocationFeed, RevocationRow, Store, StoreError};
use crate::token::{unix_now, TokenService};

pub use connections::{
    default_max_connections, raise_open_files_limit, ConnectionLimits, MAX_HEADER_BYTES,
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is out of its safe range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No usable signing secret.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The key ring could not be loaded or created.
    #[error("cannot load the signing keys: {0}")]
    Keys(#[from] KeyError),
    /// The data dir could not be created.
    #[error("cannot create the data dir {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O failure.
        source: io::Error,
    },
    /// The data dir or the database is open to other accounts, and Tessera may
    /// not (or will not) change that.
    #[error(
        "{} can be read by other accounts (mode {mode:04o}, owner uid {owner}) and is not this \
         account's to make private (or is a shared dir); run `chmod go= {}` as its owner or \
         choose another --data-dir",
        path.display(),
        path.display()
    )]
    NotPrivate {
        /// The dir or file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// Its owner's uid.
        owner: u32,
    },
    /// The user store could not be opened.
    #[error("cannot open the user store: {0}")]
    Store(#[from] StoreError),
    /// `--static-dir` holds no built app.
    #[error(transparent)]
    Site(#[from] MissingIndex),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O failure.
        source: io::Error,
    },
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    router: Router,
    store: Store,
    tokens: Arc<TokenService>,
    limits: Arc<Limits>,
    connection_limits: ConnectionLimits,
    trusted_proxies: Vec<std::net::IpAddr>,
}

impl Server {
    /// Checks the configuration, loads the secret, opens and migrates the store and binds the address.
    pub async fn bind(args: ServeArgs) -> Result<Self, StartupError> {
        let settings = args.token_settings()?;
        let cors_origins = args.cors_origins()?;
        let connection_limits = args.connection_limits()?;
        let limits = Arc::new(Limits::new(args.limit_settings()));
        let site = args.static_dir.as_deref().map(Site::new).transpose()?;
        crate::data_dir::prepare(&args.store)?;
        let secret_from_env = secret::configured(args.jwt_secret.clone())?;
        let secret_source = describe(secret_from_env.is_some(), args.jwt_secret.is_some());
        let (dir, alg) = (args.store.data_dir.join(keys::KEYS_DIR), args.signing_alg);
        let keys = tokio::task::spawn_blocking(move || Keys::open(&dir, alg, secret_from_env))
            .await
            .map_err(|err| StartupError::DataDir {
                path: args.store.data_dir.clone(),
                source: io::Error::other(err),
            })??;
        let store = args.store.open().await?;
        let tokens = Arc::new(TokenService::with_keys(keys, settings));
        // Revocations made before this start (or by other processes) apply from the first request.
        tokens.revocations().sync(&store).await?;
        let state = AppState {
            store: store.clone(),
            tokens: tokens.clone(),
            passwords: Passwords::with_queue(
                args.hash_concurrency(),
                args.hash_queue(),
                args.hash_queue_wait,
            ),
            signup: args.signup,
            limits: limits.clone(),
        };
        let listener = TcpListener::bind(args.addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: args.addr,
                source,
            })?;
        tracing::info!(
            addr = %listener.local_addr().map_err(|source| StartupError::Bind { addr: args.addr, source })?,
            data_dir = %args.store.data_dir.display(),
            database = %args.store.database_url_for_log(),
            access_ttl = ?args.access_ttl,
            refresh_ttl = ?args.refresh_ttl,
            refresh_grace = ?args.refresh_grace,
            session_max_age = ?args.session_max_age,
            issuer = ?args.issuer,
            audience = ?args.audience,
            leeway = ?args.leeway,
            signup = ?args.signup,
            static_dir = ?args.static_dir,
            hash_concurrency = args.hash_concurrency(),
            token_cache = args.token_cache,
            max_connections = connection_limits.max_connections,
            max_connections_per_address = connection_limits.max_connections_per_address,
            header_timeout = ?connection_limits.header_timeout,
            rate_limit = %args.rate_limit,
            rate_limit_user = %args.rate_limit_user,
            trusted_proxies = ?args.trusted_proxies,
            cors_origins = ?args.cors_origins,
            signing_alg = %args.signing_alg,
            kid = %tokens.keys().current().signing_kid(),
            secret = %secret_source,
            "tessera configured"
        );
        let router = match site {
            Some(site) => crate::app_with_site(state, site),
            None => crate::app(state),
        };
        let router = with_operational_layers(router, &cors_origins, args.request_timeout);
        Ok(Self {
            listener,
            router,
            limits,
            store,
            tokens,
            connection_limits,
            trusted_proxies: args.trusted_proxies,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish
    /// and closes the store.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let follower = tokio::spawn(follow_revocations(self.store.clone(), self.tokens.clone()));
        let key_watcher = tokio::spawn(follow_keys(self.tokens.clone()));
        let limits = self.limits.clone();
        let forgetter = tokio::spawn(async move {
            let mut tick = tokio::time::interval(revocation::PURGE_INTERVAL);
            loop {
                tick.tick().await;
                limits.forget_idle();
            }
        });
        connections::serve(
            self.listener,
            self.router,
            self.connection_limits,
            self.trusted_proxies,
            shutdown,
        )
        .await;
        follower.abort();
        key_watcher.abort();
        forgetter.abort();
        self.store.close().await;
        tracing::info!("tessera stopped");
        Ok(())
    }
}

/// Keeps the in-memory deny list in step with the store and purges what has
/// expired. Revocations by the CLI or other instances arrive through Postgres
/// notifications at once where there are any, and through polling (every
/// second, re-reading a window of ids below the cursor for rows committed out
/// of id order, plus a full re-read with each purge) always, which also covers
/// notifications missed while the feed reconnected.
async fn follow_revocations(store: Store, tokens: Arc<TokenService>) {
    let mut feed = match store.revocation_feed().await {
        Ok(feed) => feed,
        Err(err) => {
            tracing::warn!(error = %err, "no revocation feed; polling only");
            None
        }
    };
    let mut sync = tokio::time::interval(revocation::SYNC_INTERVAL);
    sync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut purge = tokio::time::interval(revocation::PURGE_INTERVAL);
    purge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let session_horizon =
        tokens.settings().refresh_ttl.as_secs() + tokens.settings().access_ttl.as_secs();
    loop {
        tokio::select! {
            announced = next_announced(&mut feed) => match announced {
                Ok(Some(row)) => tokens.revocations().apply(&[row]),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "revocation feed interrupted; it reconnects by itself"),
            },
            _ = sync.tick() => {
                if let Err(err) = tokens.revocations().sync(&store).await {
                    tracing::warn!(error = %err, "cannot read revocations; keeping the current list");
                }
            }
            _ = purge.tick() => {
                let now = unix_now();
                tokens.revocations().purge(now);
                if let Err(err) = tokens.revocations().reload(&store).await {
                    tracing::warn!(error = %err, "cannot re-read revocations");
                }
                // Rows must outlive the tokens they deny by the leeway too, or a
                // server starting meanwhile would not load them.
                let horizon = tokens.revocations().horizon(now);
                if let Err(err) = store.purge_expired(horizon, session_horizon).await {
                    tracing::warn!(error = %err, "cannot purge expired sessions");
                }
            }
        }
    }
}

async fn next_announced(
    feed: &mut Option<RevocationFeed>,
) -> Result<Option<RevocationRow>, StoreError> {
    let Some(feed) = feed else {
        return std::future::pending().await;
    };
    let next = feed.next().await;
    if next.is_err() {
        // While the database is down every reconnect fails at once: pace them.
        tokio::time::sleep(revocation::SYNC_INTERVAL).await;
    }
    next
}

/// Swaps in the on-disk key ring when `tessera keys` (or another instance
/// sharing the data dir) changed it.
async fn follow_keys(tokens: Arc<TokenService>) {
    let mut tick = tokio::time::interval(KEY_RELOAD_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let reloading = tokens.clone();
        match tokio::task::spawn_blocking(move || reloading.keys().reload_if_changed()).await {
            Ok(Ok(true)) => {
                tracing::info!(target: "tessera::audit", event = "keys_reloaded", kid = %tokens.keys().current().signing_kid(), "signing keys reloaded");
            }
            Ok(Ok(false)) => {}
            Ok(Err(err)) => {
                tracing::error!(error = %err, "cannot reload the signing keys; keeping the current ones");
            }
            Err(err) => tracing::error!(error = %err, "key reload task failed"),
        }
    }
}

/// How often servers look for a changed key ring.
pub const KEY_RELOAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// What a running server adds around the app, in one stack (see `crate::api`):
/// one log line per request, CORS for the configured origins, and a deadline
/// per request.
fn with_operational_layers(
    router: Router,
    cors_origins: &[HeaderValue],
    timeout: Duration,
) -> Router {
    let cors = (!cors_origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(cors_origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE])
            .max_age(Duration::from_secs(600))
    });
    let deadline = axum::middleware::from_fn(move |request: Request, next: Next| async move {
        match tokio::time::timeout(timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::Timeout.into_response(),
        }
    });
    router.layer(
        ServiceBuilder::new()
            .layer(request_log())
            .option_layer(cors)
            .layer(deadline),
    )
}

/// One log line per request: method, path (never the query, which could hold a
/// token), status and latency. Headers and bodies are never logged.
fn request_log() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request) -> tracing::Span + Clone,
    tower_http::trace::DefaultOnRequest,
    DefaultOnResponse,
> {
    TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        })
        .on_response(
            DefaultOnResponse::new()
                .level(Level::INFO)
                .latency_unit(LatencyUnit::Micros),
        )
}

fn describe(configured: bool, explicit: bool) -> &'static str {
    match (configured, explicit) {
        (true, true) => "provided by the embedding program",
        (true, false) => "from TESSERA_JWT_SECRET",
        (false, _) => "from the key ring in the data dir",
    }
}
