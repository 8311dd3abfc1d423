//! What a [`Server`](super::Server) adds to a [`Tessera`](crate::Tessera): the
//! socket, the browser app, CORS, deadlines and connection limits. Defaults are
//! written once, in [`ServerConfig::default`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderValue;

use super::connections::{default_max_connections, ConnectionLimits};
use crate::config::ConfigError;

/// How [`Server`](super::Server) listens and guards its connections.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free one. Default: `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// Built browser app (trunk's `dist/`) to serve at `/`. Default: none (API only).
    pub static_dir: Option<PathBuf>,
    /// Browser origins allowed to call the API cross-origin, e.g.
    /// `https://app.example`. Default: none (CORS off).
    pub cors_origins: Vec<String>,
    /// Longest a request may take before it is answered 503. Default: 30 s.
    pub request_timeout: Duration,
    /// Most client connections open at once; more wait in the listen backlog.
    /// Default: none, meaning 10,000, fewer if the open-files limit is lower.
    pub max_connections: Option<usize>,
    /// Most connections open at once from one client address (IPv6: one
    /// `ipv6_prefix`); more are closed at once. Trusted proxies are exempt. Default: 64.
    pub max_connections_per_address: usize,
    /// Longest wait for a request's headers, and longest a connection may stay
    /// open with no request in flight. Default: 10 s; allowed: 1 s to 5 min.
    pub header_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            static_dir: None,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(30),
            max_connections: None,
            max_connections_per_address: 64,
            header_timeout: Duration::from_secs(10),
        }
    }
}

impl ServerConfig {
    /// The connection limits, checked.
    pub(crate) fn connection_limits(
        &self,
        ipv6_prefix: u8,
    ) -> Result<ConnectionLimits, ConfigError> {
        let allowed = Duration::from_secs(1)..=Duration::from_secs(300);
        if !allowed.contains(&self.header_timeout) {
            return Err(ConfigError::HeaderTimeout(self.header_timeout));
        }
        let max_connections = self.max_connections.unwrap_or_else(default_max_connections);
        if max_connections == 0 {
            return Err(ConfigError::MaxConnections);
        }
        if self.max_connections_per_address == 0 {
            return Err(ConfigError::MaxConnectionsPerAddress);
        }
        Ok(ConnectionLimits {
            max_connections,
            max_connections_per_address: self.max_connections_per_address,
            ipv6_prefix,
            header_timeout: self.header_timeout,
        })
    }

    /// The CORS origins, checked: `scheme://host[:port]`, no path, no wildcard.
    pub(crate) fn cors_origins(&self) -> Result<Vec<HeaderValue>, ConfigError> {
        self.cors_origins
            .iter()
            .map(|origin| {
                let trimmed = origin.trim_end_matches('/');
                let shaped = (origin.starts_with("https://") || origin.starts_with("http://"))
                    && !trimmed.split("://").nth(1).unwrap_or("/").contains('/')
                    && !origin.contains('*');
                match HeaderValue::from_str(trimmed) {
                    Ok(value) if shaped => Ok(value),
                    _ => Err(ConfigError::CorsOrigin(origin.clone())),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_limits_are_checked() {
        let limits = ServerConfig::default().connection_limits(64).unwrap();
        assert_eq!(limits.header_timeout, Duration::from_secs(10));
        assert!((16..=10_000).contains(&limits.max_connections));
        assert_eq!(limits.max_connections_per_address, 64);
        let chosen = ServerConfig {
            max_connections: Some(50),
            max_connections_per_address: 5,
            header_timeout: Duration::from_secs(2),
            ..ServerConfig::default()
        };
        assert_eq!(
            chosen.connection_limits(48).unwrap(),
            ConnectionLimits {
                max_connections: 50,
                max_connections_per_address: 5,
                ipv6_prefix: 48,
                header_timeout: Duration::from_secs(2),
            }
        );
        let refused: [fn(&mut ServerConfig); 4] = [
            |c| c.max_connections = Some(0),
            |c| c.max_connections_per_address = 0,
            |c| c.header_timeout = Duration::ZERO,
            |c| c.header_timeout = Duration::from_secs(600),
        ];
        for change in refused {
            let mut config = ServerConfig::default();
            change(&mut config);
            assert!(config.connection_limits(64).is_err(), "{config:?}");
        }
    }

    #[test]
    fn cors_origins_must_be_plain_origins() {
        let with = |origin: &str| ServerConfig {
            cors_origins: vec![origin.to_owned()],
            ..ServerConfig::default()
        };
        assert!(with("https://app.example").cors_origins().is_ok());
        assert!(with("http://localhost:8080/").cors_origins().is_ok());
        for bad in [
            "*",
            "https://app.example/path",
            "app.example",
            "https://*.example",
        ] {
            assert!(with(bad).cors_origins().is_err(), "{bad}");
        }
    }
}
