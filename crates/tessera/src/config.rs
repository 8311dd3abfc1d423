//! What a [`Tessera`](crate::Tessera) is made of: one plain struct, every default
//! written once in [`Config::default`]. The `tessera` binary's flags take their
//! defaults from it; an embedding app sets the fields it cares about.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::keys::SigningAlg;
use crate::limits::{LimitSettings, Rate, DEFAULT_IPV6_PREFIX};
use crate::mail::Mailer;
use crate::secret::JwtSecret;
use crate::session::SessionSettings;
use crate::token::TokenSettings;

mod checks;
mod mail;
mod redact;

pub use checks::{ConfigError, MAX_LEEWAY};

/// Everything a [`Tessera`](crate::Tessera) needs, with safe defaults.
///
/// ```
/// use std::time::Duration;
/// let config = tessera::Config {
///     access_ttl: Duration::from_secs(5 * 60),
///     issuer: Some("https://auth.example".into()),
///     ..tessera::Config::default()
/// };
/// assert_eq!(config.refresh_ttl, Duration::from_secs(14 * 24 * 3600));
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub store: StoreConfig,
    /// Access-token lifetime. Default: 15 minutes; allowed: 1 s to 24 h.
    pub access_ttl: Duration,
    /// Refresh-token lifetime. Default: 14 days; allowed: 1 min to 365 days, and
    /// at least `access_ttl`.
    pub refresh_ttl: Duration,
    /// How long a just-used refresh token may be replayed for the same new pair
    /// (browser tabs racing), and only by the client (address and user agent)
    /// that used it; any other replay is theft. Default: 10 s; at most 60 s.
    pub refresh_grace: Duration,
    /// Absolute session lifetime: a session ends this long after its password
    /// sign-in however often it is refreshed. Default: 30 days; allowed: 1 s to 365 days.
    pub session_max_age: Duration,
    /// The public base URL clients and other services reach Tessera at, such
    /// as `https://auth.example` (an absolute http(s) URL without query or
    /// fragment; a trailing slash is dropped). When Tessera is nested under a
    /// prefix in an embedding app, the URL includes that prefix
    /// (`https://app.example/api`). It turns on
    /// `GET /.well-known/openid-configuration`, whose `jwks_uri` is
    /// `<public_url>/.well-known/jwks.json`, and is the default `issuer` (an
    /// `issuer` set too must equal it), so tokens' `iss` always matches the
    /// discovery document. Turning it on where no issuer was set makes tokens
    /// issued before lack the now required `iss`: their users sign in again.
    /// Default: none (no discovery unless `issuer` is such a URL).
    pub public_url: Option<String>,
    /// `iss` claim to issue and require. Default: none, meaning `public_url`
    /// if that is set, else not issued and not checked.
    pub issuer: Option<String>,
    /// `aud` claim to issue and require. Default: none (not issued, not checked).
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`. Default: 5 s; at most 60 s.
    pub leeway: Duration,
    /// Whether `POST /register` is open. Default: [`Signup::Open`].
    pub signup: Signup,
    /// Algorithm that signs new tokens; keys live in `<data_dir>/keys`, public
    /// ones are served at `/.well-known/jwks.json`. Default: HS256.
    pub signing_alg: SigningAlg,
    /// HS256 signing secret from the embedding program (32+ bytes; never a
    /// flag of `tessera serve`). Default: none, meaning `TESSERA_JWT_SECRET` if
    /// that is set, else a secret generated once into the key ring in the data dir.
    pub jwt_secret: Option<JwtSecret>,
    /// Password hashes computed at once. Default: none, meaning one per CPU core.
    pub hash_concurrency: Option<usize>,
    /// Password checks allowed to wait for a free hasher, at most; more get 503
    /// at once. Default: none, meaning 512 per concurrent hash (a memory bound;
    /// `hash_queue_wait` is what normally decides).
    pub hash_queue: Option<usize>,
    /// How long a sign-in may expect to wait for a hasher (the hashes queued
    /// ahead of it times the measured time per hash); longer gets 503 at once.
    /// Default: 5 s.
    pub hash_queue_wait: Duration,
    /// Verified access tokens remembered, so a client's next request with the
    /// same token skips decoding and the signature (lifetime and revocation
    /// are still checked); 0 turns it off. Default: 4096.
    pub token_cache: usize,
    /// Requests per client address to `/auth`, `/login`, `/register` and
    /// `/refresh`; over it: 429 with `Retry-After`. Default: 30 a minute.
    pub rate_limit: Rate,
    /// Sign-in attempts per username from one client address, and per device
    /// cookie; also `POST /password` attempts per account. [`Rate::Off`] turns
    /// off every per-username limit, the global one included. Default: 10 a minute.
    pub rate_limit_user: Rate,
    /// Sign-in attempts per username from all client addresses together (but
    /// clients showing a device cookie for it). Default: 100 an hour.
    pub rate_limit_user_global: Rate,
    /// Proxies whose `X-Forwarded-For` is believed for rate limits. Default:
    /// none, so the socket's peer address counts.
    pub trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 client address that count as one client (a host
    /// usually owns a whole /64); IPv4 addresses count one by one. Default: 64;
    /// allowed: 1 to 128.
    pub ipv6_prefix: u8,
    /// Mail asked for (verification resends, password reset links) per
    /// account and per email address or username named; over it: 429 (or,
    /// where answering would reveal the account, silently no mail).
    /// Default: 5 an hour.
    pub rate_limit_mail: Rate,
    /// Where mail (email verification, password reset, notices) goes.
    /// Default: [`Mailer::Log`], which writes each message to the log; an SMTP
    /// mailer needs `public_url`, the origin of the links it sends.
    pub mailer: Mailer,
    /// The `From:` of every message, `Name <address>` or a bare address.
    /// Default: `Tessera <tessera@localhost>`.
    pub mail_from: String,
    /// The product name in every message. Default: `Tessera`.
    pub product_name: String,
    /// How long the outbox retries a message before giving it up (with an
    /// audit event). Default: 24 h; allowed: 1 s to 7 days.
    pub mail_retry_for: Duration,
    /// Whether an account with an unverified email address is refused
    /// sign-in (403). Accounts without an address are not affected.
    /// Default: false.
    pub require_verified_email: bool,
}

impl Default for Config {
    fn default() -> Self {
        // The token and session defaults are `TokenSettings`'s and
        // `SessionSettings`'s own: written there, once.
        let tokens = TokenSettings::default();
        let sessions = SessionSettings::default();
        Self {
            store: StoreConfig::default(),
            access_ttl: tokens.access_ttl,
            refresh_ttl: sessions.refresh_ttl,
            refresh_grace: sessions.refresh_grace,
            session_max_age: sessions.session_max_age,
            public_url: None,
            issuer: tokens.issuer,
            audience: tokens.audience,
            leeway: tokens.leeway,
            signup: Signup::Open,
            signing_alg: SigningAlg::Hs256,
            jwt_secret: None,
            hash_concurrency: None,
            hash_queue: None,
            hash_queue_wait: crate::Passwords::DEFAULT_MAX_WAIT,
            token_cache: tokens.token_cache,
            rate_limit: Rate::per_minute(30),
            rate_limit_user: Rate::per_minute(10),
            rate_limit_user_global: Rate::per_hour(100),
            trusted_proxies: Vec::new(),
            ipv6_prefix: DEFAULT_IPV6_PREFIX,
            rate_limit_mail: Rate::per_hour(5),
            mailer: Mailer::Log,
            mail_from: "Tessera <tessera@localhost>".to_owned(),
            product_name: "Tessera".to_owned(),
            mail_retry_for: Duration::from_secs(24 * 3600),
            require_verified_email: false,
        }
    }
}

impl Config {
    /// The rate limits and how clients are told apart.
    pub(crate) fn limit_settings(&self) -> LimitSettings {
        LimitSettings {
            per_address: self.rate_limit,
            per_username: self.rate_limit_user,
            per_username_global: self.rate_limit_user_global,
            trusted_proxies: self.trusted_proxies.clone(),
            ipv6_prefix: self.ipv6_prefix,
            mail_requests: self.rate_limit_mail,
        }
    }

    /// Password checks that may wait for a hasher.
    pub(crate) fn hash_queue(&self) -> usize {
        self.hash_queue.unwrap_or_else(|| {
            self.hash_concurrency().max(1) * crate::Passwords::DEFAULT_QUEUE_PER_HASHER
        })
    }

    /// Concurrent password hashes in effect.
    pub(crate) fn hash_concurrency(&self) -> usize {
        self.hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

/// Whether anyone may create an account with `POST /register`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    /// Anyone may register.
    Open,
    /// Registration answers 403; accounts come from `tessera user add` (or the app).
    Closed,
}

impl std::str::FromStr for Signup {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            _ => Err(format!("{value:?} is not `open` or `closed`")),
        }
    }
}

impl std::fmt::Display for Signup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "open",
            Self::Closed => "closed",
        })
    }
}

/// Where the data lives: shared by the server and the `user`/`keys` commands.
#[derive(Clone)]
pub struct StoreConfig {
    /// Directory for the embedded database and the key ring. Default: `tessera-data`.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` (embedded) or `postgres://USER@HOST/DB` (shared by many
    /// instances). Default: none, meaning `sqlite://<data_dir>/tessera.db`.
    pub database_url: Option<String>,
    /// Most database connections per process. Default: 10.
    pub db_pool_size: u32,
    /// Longest wait for a database connection, lock or (Postgres) statement
    /// before the request fails with 503. Default: 5 s.
    pub db_timeout: Duration,
}

// By hand, so that a logged configuration never shows a database password.
impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact::mask_url_passwords),
            )
            .field("db_pool_size", &self.db_pool_size)
            .field("db_timeout", &self.db_timeout)
            .finish()
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("tessera-data"),
            database_url: None,
            db_pool_size: 10,
            db_timeout: Duration::from_secs(5),
        }
    }
}

impl StoreConfig {
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
