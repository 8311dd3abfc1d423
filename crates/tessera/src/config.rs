//! Command-line and environment configuration. Every flag also reads `TESSERA_<NAME>`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::keys::SigningAlg;
use crate::limits::{LimitSettings, Rate, DEFAULT_IPV6_PREFIX};
use crate::secret::JwtSecret;
use crate::server::ConnectionLimits;
use crate::store::{Store, StoreError, StoreOptions};
use crate::token::TokenSettings;

mod redact;

/// Tessera: a JWT authentication server.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `tessera` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Manage the signing keys (works while servers run; they pick changes up within seconds).
    Keys {
        /// Which key operation.
        #[command(subcommand)]
        command: KeysCommand,
        /// Which data dir.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage user accounts in the store (works while a server runs).
    User {
        /// Which user operation.
        #[command(subcommand)]
        command: UserCommand,
        /// Which store.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `tessera user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; asks for the password twice without echo.
    Add {
        /// The new username (1-64 letters, digits, '.', '_', '-').
        name: String,
        /// Read the password as one line from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// Grant a role (repeatable), e.g. `--role admin`. Default: none.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// List every user.
    List,
    /// Delete a user.
    Delete {
        /// The username to delete.
        name: String,
    },
}

/// `tessera keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key; older keys keep verifying until pruned.
    Rotate {
        /// Algorithm of the new key. Default: `HS256`.
        #[arg(long, env = "TESSERA_SIGNING_ALG", value_enum, ignore_case = true, default_value_t = SigningAlg::Hs256)]
        signing_alg: SigningAlg,
    },
    /// Add a PKCS#8 PEM private key (for HS256: a secret file) as the new signing key.
    Import {
        /// The key file.
        file: PathBuf,
        /// The key's algorithm. Default: `HS256`.
        #[arg(long, env = "TESSERA_SIGNING_ALG", value_enum, ignore_case = true, default_value_t = SigningAlg::Hs256)]
        signing_alg: SigningAlg,
    },
    /// Remove keys that no valid token can carry any more.
    Prune {
        /// How long a replaced key keeps verifying after its successor took over: at
        /// least the refresh TTL plus leeway plus the servers' 2 s reload. Default: `14d 2m`.
        #[arg(long, value_parser = parse_duration, default_value = "14d 2m")]
        retire_after: Duration,
    },
    /// List the keys, oldest first.
    List,
}

/// Where the data lives; shared by `serve`, `user` and `keys`.
///
/// The flags are global so that `tessera user add alice --data-dir d` works as
/// well as `tessera user --data-dir d add alice`.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory for the embedded database and the generated secret. Default: `./tessera-data`.
    #[arg(
        long,
        global = true,
        env = "TESSERA_DATA_DIR",
        default_value = "tessera-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite://PATH` (embedded) or `postgres://USER@HOST/DB` (shared by
    /// many instances). Default: `sqlite://<data-dir>/tessera.db`.
    #[arg(long, global = true, env = "TESSERA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Most database connections per process. Default: `10`.
    #[arg(
        long,
        global = true,
        env = "TESSERA_DB_POOL_SIZE",
        default_value_t = 10
    )]
    pub db_pool_size: u32,
    /// Longest wait for a database connection, lock or (Postgres) statement before the
    /// request fails with 503. Default: `5s`.
    #[arg(long, global = true, env = "TESSERA_DB_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub db_timeout: Duration,
}

impl StoreArgs {
    /// Opens the store these arguments name.
    pub async fn open(&self) -> Result<Store, StoreError> {
        let options = StoreOptions {
            max_connections: self.db_pool_size.max(1),
            timeout: self.db_timeout,
        };
        Store::open_with(&self.database_url(), &options).await
    }

    /// The database URL with any password masked, for logs.
    pub fn database_url_for_log(&self) -> String {
        redact::mask_url_passwords(&self.database_url())
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("tessera.db").display()))
    }
}

/// Whether anyone may create an account with `POST /register`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signup {
    /// Anyone may register.
    Open,
    /// Registration answers 403; accounts come from `tessera user add`.
    Closed,
}

/// `tessera serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. Default: `127.0.0.1:3000`.
    #[arg(long, env = "TESSERA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Where the data lives.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Access-token lifetime (e.g. `15m`, `1h`). Default: `15m`; allowed: 1s to 24h.
    #[arg(long, env = "TESSERA_ACCESS_TTL", default_value = "15m", value_parser = parse_duration)]
    pub access_ttl: Duration,
    /// Refresh-token lifetime. Default: `14d`; allowed: 1m to 365d.
    #[arg(long, env = "TESSERA_REFRESH_TTL", default_value = "14d", value_parser = parse_duration)]
    pub refresh_ttl: Duration,
    /// How long a just-used refresh token may be replayed for the same new pair
    /// (browser tabs racing) before a replay counts as theft; only by the client
    /// (address and user agent) that used it, anyone else's replay is theft at
    /// once. Default: `10s`; at most `60s`.
    #[arg(long, env = "TESSERA_REFRESH_GRACE", default_value = "10s", value_parser = parse_duration)]
    pub refresh_grace: Duration,
    /// Absolute session lifetime: a session ends this long after its password
    /// sign-in however often it is refreshed (refresh tokens' `exp` is capped to
    /// it). Default: `30d`; allowed: 1s to 365d.
    #[arg(long, env = "TESSERA_SESSION_MAX_AGE", default_value = "30d", value_parser = parse_duration)]
    pub session_max_age: Duration,
    /// `iss` claim to issue and require. Default: none (not issued, not checked).
    #[arg(long, env = "TESSERA_ISSUER")]
    pub issuer: Option<String>,
    /// `aud` claim to issue and require. Default: none (not issued, not checked).
    #[arg(long, env = "TESSERA_AUDIENCE")]
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`. Default: `5s`; at most `60s`.
    #[arg(long, env = "TESSERA_LEEWAY", default_value = "5s", value_parser = parse_duration)]
    pub leeway: Duration,
    /// Whether `POST /register` is open. Default: `open`.
    #[arg(long, env = "TESSERA_SIGNUP", value_enum, default_value_t = Signup::Open)]
    pub signup: Signup,
    /// Built browser app (trunk's `dist/`) to serve at `/`. Default: none (API only).
    #[arg(long, env = "TESSERA_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Password hashes computed at once. Default: the number of CPU cores.
    #[arg(long, env = "TESSERA_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,
    /// Password checks allowed to wait for a free hasher, at most; more get 503 at
    /// once. Default: 512 per concurrent hash (a memory bound; `--hash-queue-wait`
    /// is what normally decides).
    #[arg(long, env = "TESSERA_HASH_QUEUE")]
    pub hash_queue: Option<usize>,
    /// How long a sign-in may expect to wait for a hasher (the hashes queued ahead of
    /// it times the measured time per hash); when it would wait longer it gets 503 at
    /// once. Default: `5s`.
    #[arg(long, env = "TESSERA_HASH_QUEUE_WAIT", default_value = "5s", value_parser = parse_duration)]
    pub hash_queue_wait: Duration,
    /// Verified access tokens remembered, so a client's next request with the same
    /// token skips decoding and the signature (lifetime and revocation are still
    /// checked); a few hundred bytes each, 0 turns it off. Default: `4096`.
    #[arg(long, env = "TESSERA_TOKEN_CACHE", default_value_t = 4096)]
    pub token_cache: usize,
    /// Requests per client address to `/auth`, `/login`, `/register` and `/refresh`
    /// (`N/s`, `N/min`, `N/h` or `off`); over it: 429 with `Retry-After`. Default: `30/min`.
    #[arg(long, env = "TESSERA_RATE_LIMIT", default_value = "30/min")]
    pub rate_limit: Rate,
    /// Sign-in attempts per username from one client address, and per device cookie;
    /// also `POST /password` attempts per account. `off` turns off every per-username
    /// limit, `--rate-limit-user-global` included. Default: `10/min`.
    #[arg(long, env = "TESSERA_RATE_LIMIT_USER", default_value = "10/min")]
    pub rate_limit_user: Rate,
    /// Sign-in attempts per username from all client addresses together, which
    /// bounds guessing spread over many addresses; clients showing a device cookie
    /// for the username (from an earlier successful sign-in) are not counted.
    /// Default: `100/h`.
    #[arg(long, env = "TESSERA_RATE_LIMIT_USER_GLOBAL", default_value = "100/h")]
    pub rate_limit_user_global: Rate,
    /// Proxy address whose `X-Forwarded-For` is believed for rate limits (repeatable;
    /// comma-separated in the env). Default: none, so the socket's peer address counts.
    #[arg(
        long = "trusted-proxy",
        env = "TESSERA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 client address that count as one client for the
    /// per-address limits (a host usually owns a whole /64); IPv4 addresses, and
    /// IPv4-mapped IPv6 ones, count one by one. Default: `64`; allowed: 1 to 128.
    #[arg(long, env = "TESSERA_IPV6_PREFIX", default_value_t = DEFAULT_IPV6_PREFIX,
          value_parser = clap::value_parser!(u8).range(1..=128))]
    pub ipv6_prefix: u8,
    /// Browser origin allowed to call the API cross-origin, e.g. `https://app.example`
    /// (repeatable; comma-separated in the env). Default: none (CORS off).
    #[arg(
        long = "cors-origin",
        env = "TESSERA_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Longest a request may take before it is answered 503. Default: `30s`.
    #[arg(long, env = "TESSERA_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Most client connections open at once; more wait in the listen backlog until
    /// one closes. Default: 10000, fewer if the open-files limit (raised to its hard
    /// maximum at start) is lower.
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Most connections open at once from one client address (IPv6: one /64); more
    /// are closed at once, so one client cannot take every slot. `--trusted-proxy`
    /// addresses are exempt. Default: `64`.
    #[arg(
        long,
        env = "TESSERA_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 64
    )]
    pub max_connections_per_address: usize,
    /// Longest wait for a request's headers, and longest a connection (HTTP/1.1 or
    /// HTTP/2) may stay open with no request in flight; then it is closed.
    /// Default: `10s`; allowed: 1s to 5m.
    #[arg(long, env = "TESSERA_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Algorithm that signs new tokens: `HS256`, `EdDSA`, `ES256` or `RS256`. Default: `HS256`.
    /// Keys live in `<data-dir>/keys`; public ones are served at `/.well-known/jwks.json`.
    #[arg(long, env = "TESSERA_SIGNING_ALG", value_enum, ignore_case = true, default_value_t = SigningAlg::Hs256)]
    pub signing_alg: SigningAlg,
    /// Signing secret. Only ever from the environment (`TESSERA_JWT_SECRET`) or the
    /// embedding program, never a flag. Default: generated once into the key ring in `<data-dir>/keys`.
    #[arg(skip)]
    pub jwt_secret: Option<JwtSecret>,
}

/// Refused configurations.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The access TTL is outside 1 s ..= 24 h.
    #[error("--access-ttl must be between 1s and 24h (got {0:?})")]
    AccessTtl(Duration),
    /// The leeway is over a minute: expired tokens would linger.
    #[error("--leeway must be at most 60s (got {0:?})")]
    Leeway(Duration),
    /// The refresh TTL is outside 1 min ..= 365 d, or shorter than the access TTL.
    #[error("--refresh-ttl must be between 1m and 365d and at least --access-ttl (got {0:?})")]
    RefreshTtl(Duration),
    /// A CORS origin is not `scheme://host[:port]`.
    #[error(
        "--cors-origin {0:?} must be an origin such as https://app.example (no path, no wildcard)"
    )]
    CorsOrigin(String),
    /// The refresh grace window is over a minute: a stolen token could be replayed that long.
    #[error("--refresh-grace must be at most 60s (got {0:?})")]
    RefreshGrace(Duration),
    /// The absolute session lifetime is outside 1 s ..= 365 d.
    #[error("--session-max-age must be between 1s and 365d (got {0:?})")]
    SessionMaxAge(Duration),
    /// The header timeout is outside 1 s ..= 5 min.
    #[error("--header-timeout must be between 1s and 5m (got {0:?})")]
    HeaderTimeout(Duration),
    /// No connection at all would be accepted.
    #[error("--max-connections must be at least 1")]
    MaxConnections,
    /// No client could open a connection.
    #[error("--max-connections-per-address must be at least 1")]
    MaxConnectionsPerAddress,
}

impl ServeArgs {
    /// The token lifetimes, after checking they are sane.
    pub fn token_settings(&self) -> Result<TokenSettings, ConfigError> {
        if self.access_ttl < Duration::from_secs(1)
            || self.access_ttl > Duration::from_secs(24 * 3600)
        {
            return Err(ConfigError::AccessTtl(self.access_ttl));
        }
        if self.leeway > Duration::from_secs(60) {
            return Err(ConfigError::Leeway(self.leeway));
        }
        let refresh_range = Duration::from_secs(60)..=Duration::from_secs(365 * 24 * 3600);
        if !refresh_range.contains(&self.refresh_ttl) || self.refresh_ttl < self.access_ttl {
            return Err(ConfigError::RefreshTtl(self.refresh_ttl));
        }
        if self.refresh_grace > Duration::from_secs(60) {
            return Err(ConfigError::RefreshGrace(self.refresh_grace));
        }
        let max_age_range = Duration::from_secs(1)..=Duration::from_secs(365 * 24 * 3600);
        if !max_age_range.contains(&self.session_max_age) {
            return Err(ConfigError::SessionMaxAge(self.session_max_age));
        }
        Ok(TokenSettings {
            access_ttl: self.access_ttl,
            refresh_ttl: self.refresh_ttl,
            refresh_grace: self.refresh_grace,
            session_max_age: self.session_max_age,
            leeway: self.leeway,
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            token_cache: self.token_cache,
        })
    }

    /// The connection limits, checked.
    pub fn connection_limits(&self) -> Result<ConnectionLimits, ConfigError> {
        let allowed = Duration::from_secs(1)..=Duration::from_secs(300);
        if !allowed.contains(&self.header_timeout) {
            return Err(ConfigError::HeaderTimeout(self.header_timeout));
        }
        let max_connections = self
            .max_connections
            .unwrap_or_else(crate::server::default_max_connections);
        if max_connections == 0 {
            return Err(ConfigError::MaxConnections);
        }
        if self.max_connections_per_address == 0 {
            return Err(ConfigError::MaxConnectionsPerAddress);
        }
        Ok(ConnectionLimits {
            max_connections,
            max_connections_per_address: self.max_connections_per_address,
            ipv6_prefix: self.ipv6_prefix,
            header_timeout: self.header_timeout,
        })
    }

    /// The CORS origins, checked.
    pub fn cors_origins(&self) -> Result<Vec<axum::http::HeaderValue>, ConfigError> {
        self.cors_origins
            .iter()
            .map(|origin| {
                let shaped = (origin.starts_with("https://") || origin.starts_with("http://"))
                    && !origin
                        .trim_end_matches('/')
                        .split("://")
                        .nth(1)
                        .unwrap_or("/")
                        .contains('/')
                    && !origin.contains('*');
                let value = axum::http::HeaderValue::from_str(origin.trim_end_matches('/'));
                match value {
                    Ok(value) if shaped => Ok(value),
                    _ => Err(ConfigError::CorsOrigin(origin.clone())),
                }
            })
            .collect()
    }

    /// The rate limits and how clients are told apart.
    pub fn limit_settings(&self) -> LimitSettings {
        LimitSettings {
            per_address: self.rate_limit,
            per_username: self.rate_limit_user,
            per_username_global: self.rate_limit_user_global,
            trusted_proxies: self.trusted_proxies.clone(),
            ipv6_prefix: self.ipv6_prefix,
        }
    }

    /// Password checks that may wait for a hasher.
    pub fn hash_queue(&self) -> usize {
        self.hash_queue.unwrap_or_else(|| {
            self.hash_concurrency().max(1) * crate::password::DEFAULT_QUEUE_PER_HASHER
        })
    }

    /// Concurrent password hashes in effect.
    pub fn hash_concurrency(&self) -> usize {
        self.hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

fn parse_duration(value: &str) -> Result<Duration, humantime::DurationError> {
    humantime::parse_duration(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from([&["tessera", "serve"], args].concat()).unwrap();
        match cli.command {
            Command::Serve(serve) => *serve,
            Command::User { .. } | Command::Keys { .. } => unreachable!("parsed a serve command"),
        }
    }

    #[test]
    fn defaults() {
        let args = serve(&[]);
        assert_eq!(args.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(args.access_ttl, Duration::from_secs(900));
        assert_eq!(args.leeway, Duration::from_secs(5));
        assert_eq!(args.refresh_ttl, Duration::from_secs(14 * 24 * 3600));
        assert_eq!(args.refresh_grace, Duration::from_secs(10));
        assert_eq!(args.session_max_age, Duration::from_secs(30 * 24 * 3600));
        assert_eq!(
            args.token_settings().unwrap().session_max_age,
            TokenSettings::default().session_max_age
        );
        assert_eq!(args.rate_limit, "30/min".parse().unwrap());
        assert_eq!(args.ipv6_prefix, 64);
        assert_eq!(args.rate_limit_user_global, "100/h".parse().unwrap());
        assert!(Cli::try_parse_from(["tessera", "serve", "--ipv6-prefix", "129"]).is_err());
        assert!(args.cors_origins.is_empty());
        assert_eq!(args.signup, Signup::Open);
        assert_eq!(
            args.store.database_url(),
            "sqlite://tessera-data/tessera.db"
        );
    }

    #[test]
    fn unsafe_lifetimes_are_refused() {
        assert!(serve(&["--access-ttl", "2d"]).token_settings().is_err());
        assert!(serve(&["--access-ttl", "0s"]).token_settings().is_err());
        assert!(serve(&["--leeway", "5m"]).token_settings().is_err());
        assert!(serve(&["--refresh-ttl", "10m", "--access-ttl", "1h"])
            .token_settings()
            .is_err());
        assert!(serve(&["--refresh-grace", "2m"]).token_settings().is_err());
        assert!(serve(&["--session-max-age", "0s"])
            .token_settings()
            .is_err());
        assert!(serve(&["--session-max-age", "400d"])
            .token_settings()
            .is_err());
        assert!(serve(&["--access-ttl", "1h", "--leeway", "0s"])
            .token_settings()
            .is_ok());
    }

    #[test]
    fn connection_limits_are_checked() {
        let limits = serve(&[]).connection_limits().unwrap();
        assert_eq!(limits.header_timeout, Duration::from_secs(10));
        assert!((16..=10_000).contains(&limits.max_connections));
        assert_eq!(limits.max_connections_per_address, 64);
        let chosen = serve(&[
            "--max-connections",
            "50",
            "--max-connections-per-address",
            "5",
            "--header-timeout",
            "2s",
        ]);
        assert_eq!(
            chosen.connection_limits().unwrap(),
            ConnectionLimits {
                max_connections: 50,
                max_connections_per_address: 5,
                ipv6_prefix: 64,
                header_timeout: Duration::from_secs(2),
            }
        );
        for refused in [
            &["--max-connections", "0"][..],
            &["--max-connections-per-address", "0"],
            &["--header-timeout", "0s"],
            &["--header-timeout", "10m"],
        ] {
            assert!(serve(refused).connection_limits().is_err(), "{refused:?}");
        }
    }

    #[test]
    fn cors_origins_must_be_plain_origins() {
        assert!(serve(&["--cors-origin", "https://app.example"])
            .cors_origins()
            .is_ok());
        for bad in [
            "*",
            "https://app.example/path",
            "app.example",
            "https://*.example",
        ] {
            assert!(
                serve(&["--cors-origin", bad]).cors_origins().is_err(),
                "{bad}"
            );
        }
    }

    fn store_of(args: &[&str]) -> StoreArgs {
        let cli = Cli::try_parse_from([&["tessera"], args].concat()).unwrap();
        match cli.command {
            Command::User { store, .. } | Command::Keys { store, .. } => store,
            Command::Serve(serve) => serve.store,
        }
    }

    #[test]
    fn store_flags_go_before_or_after_the_subcommand() {
        for args in [
            &[
                "user",
                "--data-dir",
                "d",
                "--db-pool-size",
                "3",
                "add",
                "alice",
            ][..],
            &[
                "user",
                "add",
                "alice",
                "--data-dir",
                "d",
                "--db-pool-size",
                "3",
            ],
            &["user", "list", "--data-dir", "d", "--db-pool-size", "3"],
            &[
                "user",
                "delete",
                "--data-dir",
                "d",
                "alice",
                "--db-pool-size",
                "3",
            ],
            &["keys", "--data-dir", "d", "--db-pool-size", "3", "list"],
            &["keys", "list", "--data-dir", "d", "--db-pool-size", "3"],
            &[
                "keys",
                "rotate",
                "--data-dir",
                "d",
                "--signing-alg",
                "EdDSA",
                "--db-pool-size",
                "3",
            ],
        ] {
            let store = store_of(args);
            assert_eq!(store.data_dir, PathBuf::from("d"), "{args:?}");
            assert_eq!(store.db_pool_size, 3, "{args:?}");
        }
        let url = ["--database-url", "postgres://u@h/db"];
        let user = store_of(&[&["user", "add", "bob"][..], &url].concat());
        assert_eq!(user.database_url(), "postgres://u@h/db");
        let defaults = store_of(&["keys", "list"]);
        assert_eq!(defaults.data_dir, PathBuf::from("tessera-data"));
        assert_eq!(defaults.db_pool_size, 10);
    }

    #[test]
    fn there_is_no_secret_flag() {
        let parsed = Cli::try_parse_from(["tessera", "serve", "--jwt-secret", "x"]);
        assert!(parsed.is_err());
    }
}
