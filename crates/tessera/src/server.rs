//! Tessera as a service of its own: binding, serving, stopping.

mod config;
mod connections;
mod idle;
mod layers;
mod per_address;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::site::Site;
use crate::startup::StartupError;
use crate::tessera::Tessera;
use connections::ConnectionLimits;
use layers::with_operational_layers;

pub use config::ServerConfig;

/// Tessera as its own service, the way `tessera serve` runs it: a [`Tessera`]
/// behind a socket, with the browser app, CORS, request deadlines, a request
/// log and explicit connection limits.
pub struct Server {
    listener: TcpListener,
    router: Router,
    tessera: Tessera,
    connection_limits: ConnectionLimits,
    trusted_proxies: Vec<std::net::IpAddr>,
}

impl Server {
    /// Opens a [`Tessera`] from `config`, then binds `server.addr`.
    ///
    /// Every connection is a file descriptor, so this first raises the
    /// process's open-files limit to its hard maximum (the default
    /// `max_connections` is sized from it).
    pub async fn bind(config: Config, server: ServerConfig) -> Result<Self, StartupError> {
        let open_files = connections::raise_open_files_limit();
        tracing::debug!(?open_files, "open-files limit");
        let connection_limits = server.connection_limits(config.ipv6_prefix)?;
        let cors_origins = server.cors_origins()?;
        let site = server.static_dir.as_deref().map(Site::new).transpose()?;
        let trusted_proxies = config.trusted_proxies.clone();
        let tessera = Tessera::open(config).await?;
        let listener =
            TcpListener::bind(server.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: server.addr,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: server.addr,
            source,
        })?;
        tracing::info!(
            %addr,
            static_dir = ?server.static_dir,
            cors_origins = ?server.cors_origins,
            request_timeout = ?server.request_timeout,
            max_connections = connection_limits.max_connections,
            max_connections_per_address = connection_limits.max_connections_per_address,
            header_timeout = ?connection_limits.header_timeout,
            "tessera listening"
        );
        let router = match site {
            Some(site) => crate::app_with_site(tessera.state().clone(), site),
            None => crate::app(tessera.state().clone()),
        };
        let router = with_operational_layers(router, &cors_origins, server.request_timeout);
        Ok(Self {
            listener,
            router,
            tessera,
            connection_limits,
            trusted_proxies,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The service this server runs on its socket (the API, the browser app,
    /// CORS, deadlines and the request log), e.g. to call it in-process with
    /// `tower::ServiceExt::oneshot` in tests.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The [`Tessera`] this server serves.
    pub fn tessera(&self) -> &Tessera {
        &self.tessera
    }

    /// Serves (with [`Tessera::maintenance`] running) until `shutdown`
    /// completes, then lets in-flight requests finish and closes the store.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let mut maintenance = tokio::spawn(self.tessera.maintenance());
        let serving = connections::serve(
            self.listener,
            self.router,
            self.connection_limits,
            self.trusted_proxies,
            shutdown,
        );
        tokio::pin!(serving);
        tokio::select! {
            () = &mut serving => {}
            ended = &mut maintenance => {
                // It loops forever: ending means a panic, and without it revocations
                // made elsewhere and key rotations would go unseen. Stop serving.
                tracing::error!(error = ?ended.err(), "background maintenance stopped; shutting down");
                return Err(io::Error::other("background maintenance stopped"));
            }
        }
        maintenance.abort();
        self.tessera.close().await;
        tracing::info!("tessera stopped");
        Ok(())
    }
}
