//! `tessera serve`'s flags: one per field of [`Config`] and [`ServerConfig`],
//! each defaulting to that field's `Default`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Args;
use tessera::Rate;
use tessera::SigningAlg;
use tessera::{Config, Mailer, ServerConfig, Signup};

use crate::args::{Human, StoreArgs};

/// `tessera serve`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "TESSERA_ADDR", default_value_t = ServerConfig::default().addr)]
    addr: SocketAddr,
    /// Where the data lives.
    #[command(flatten)]
    store: StoreArgs,
    /// Access-token lifetime (e.g. `15m`, `1h`); allowed: 1s to 24h.
    #[arg(long, env = "TESSERA_ACCESS_TTL", default_value_t = Human(Config::default().access_ttl))]
    access_ttl: Human,
    /// Refresh-token lifetime; allowed: 1m to 365d.
    #[arg(long, env = "TESSERA_REFRESH_TTL", default_value_t = Human(Config::default().refresh_ttl))]
    refresh_ttl: Human,
    /// How long a just-used refresh token may be replayed for the same new pair
    /// (browser tabs racing) before a replay counts as theft; only by the client
    /// (address and user agent) that used it, anyone else's replay is theft at
    /// once. At most `60s`.
    #[arg(long, env = "TESSERA_REFRESH_GRACE", default_value_t = Human(Config::default().refresh_grace))]
    refresh_grace: Human,
    /// Absolute session lifetime: a session ends this long after its password
    /// sign-in however often it is refreshed (refresh tokens' `exp` is capped to
    /// it); allowed: 1s to 365d.
    #[arg(long, env = "TESSERA_SESSION_MAX_AGE", default_value_t = Human(Config::default().session_max_age))]
    session_max_age: Human,
    /// Public base URL clients and other services reach Tessera at, e.g.
    /// `https://auth.example` (including any path prefix a proxy adds). Turns on
    /// `GET /.well-known/openid-configuration` and is the default `--issuer`
    /// (an `--issuer` must equal it). Setting it on a running deployment without
    /// an issuer makes tokens issued before lack the now required `iss`: their
    /// users sign in again. Default: none (no discovery unless `--issuer` is such a URL).
    #[arg(long, env = "TESSERA_PUBLIC_URL")]
    public_url: Option<String>,
    /// `iss` claim to issue and require. Default: `--public-url` if set, else
    /// none (not issued, not checked).
    #[arg(long, env = "TESSERA_ISSUER")]
    issuer: Option<String>,
    /// `aud` claim to issue and require. Default: none (not issued, not checked).
    #[arg(long, env = "TESSERA_AUDIENCE")]
    audience: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`; at most `60s`.
    #[arg(long, env = "TESSERA_LEEWAY", default_value_t = Human(Config::default().leeway))]
    leeway: Human,
    /// Whether `POST /register` is open: `open` or `closed`.
    #[arg(long, env = "TESSERA_SIGNUP", default_value_t = Config::default().signup)]
    signup: Signup,
    /// Built browser app (trunk's `dist/`) to serve at `/`. Default: none (API only).
    #[arg(long, env = "TESSERA_STATIC_DIR")]
    static_dir: Option<PathBuf>,
    /// Password hashes computed at once. Default: the number of CPU cores.
    #[arg(long, env = "TESSERA_HASH_CONCURRENCY")]
    hash_concurrency: Option<usize>,
    /// Password checks allowed to wait for a free hasher, at most; more get 503 at
    /// once. Default: 512 per concurrent hash (a memory bound; `--hash-queue-wait`
    /// is what normally decides).
    #[arg(long, env = "TESSERA_HASH_QUEUE")]
    hash_queue: Option<usize>,
    /// How long a sign-in may expect to wait for a hasher (the hashes queued ahead of
    /// it times the measured time per hash); when it would wait longer it gets 503 at
    /// once.
    #[arg(long, env = "TESSERA_HASH_QUEUE_WAIT", default_value_t = Human(Config::default().hash_queue_wait))]
    hash_queue_wait: Human,
    /// Verified access tokens remembered, so a client's next request with the same
    /// token skips decoding and the signature (lifetime and revocation are still
    /// checked); a few hundred bytes each, 0 turns it off.
    #[arg(long, env = "TESSERA_TOKEN_CACHE", default_value_t = Config::default().token_cache)]
    token_cache: usize,
    /// Requests per client address to `/auth`, `/login`, `/register` and `/refresh`
    /// (`N/s`, `N/min`, `N/h` or `off`); over it: 429 with `Retry-After`.
    #[arg(long, env = "TESSERA_RATE_LIMIT", default_value_t = Config::default().rate_limit)]
    rate_limit: Rate,
    /// Sign-in attempts per username from one client address, and per device cookie;
    /// also `POST /password` attempts per account. `off` turns off every per-username
    /// limit, `--rate-limit-user-global` included.
    #[arg(long, env = "TESSERA_RATE_LIMIT_USER", default_value_t = Config::default().rate_limit_user)]
    rate_limit_user: Rate,
    /// Sign-in attempts per username from all client addresses together, which
    /// bounds guessing spread over many addresses; clients showing a device cookie
    /// for the username (from an earlier successful sign-in) are not counted.
    #[arg(long, env = "TESSERA_RATE_LIMIT_USER_GLOBAL", default_value_t = Config::default().rate_limit_user_global)]
    rate_limit_user_global: Rate,
    /// Proxy address whose `X-Forwarded-For` is believed for rate limits (repeatable;
    /// comma-separated in the env). Default: none, so the socket's peer address counts.
    #[arg(
        long = "trusted-proxy",
        env = "TESSERA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,
    /// Leading bits of an IPv6 client address that count as one client for the
    /// per-address limits (a host usually owns a whole /64); IPv4 addresses, and
    /// IPv4-mapped IPv6 ones, count one by one. Allowed: 1 to 128.
    #[arg(long, env = "TESSERA_IPV6_PREFIX", default_value_t = Config::default().ipv6_prefix,
          value_parser = clap::value_parser!(u8).range(1..=128))]
    ipv6_prefix: u8,
    /// Browser origin allowed to call the API cross-origin, e.g. `https://app.example`
    /// (repeatable; comma-separated in the env). Default: none (CORS off).
    #[arg(
        long = "cors-origin",
        env = "TESSERA_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Longest a request may take before it is answered 503.
    #[arg(long, env = "TESSERA_REQUEST_TIMEOUT", default_value_t = Human(ServerConfig::default().request_timeout))]
    request_timeout: Human,
    /// Most client connections open at once; more wait in the listen backlog until
    /// one closes. Default: 10000, fewer if the open-files limit (raised to its hard
    /// maximum at start) is lower.
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Most connections open at once from one client address (IPv6: one /64); more
    /// are closed at once, so one client cannot take every slot. `--trusted-proxy`
    /// addresses are exempt.
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS_PER_ADDRESS",
          default_value_t = ServerConfig::default().max_connections_per_address)]
    max_connections_per_address: usize,
    /// Longest wait for a request's headers, and longest a connection (HTTP/1.1 or
    /// HTTP/2) may stay open with no request in flight; then it is closed.
    /// Allowed: 1s to 5m.
    #[arg(long, env = "TESSERA_HEADER_TIMEOUT", default_value_t = Human(ServerConfig::default().header_timeout))]
    header_timeout: Human,
    /// Algorithm that signs new tokens: `HS256`, `EdDSA`, `ES256` or `RS256`.
    /// Keys live in `<data-dir>/keys`; public ones are served at `/.well-known/jwks.json`.
    /// The HS256 secret comes from `TESSERA_JWT_SECRET` (never a flag) or is
    /// generated once into the key ring.
    #[arg(long, env = "TESSERA_SIGNING_ALG", default_value_t = Config::default().signing_alg)]
    signing_alg: SigningAlg,
    /// Where mail goes: `log` (each message, link included, to the log: for
    /// development) or `smtp://[user:password@]host[:port][?tls=starttls|tls|none]`
    /// (port default 587, 465 with `tls=tls`, 25 with `tls=none`; percent-encode
    /// `@` and `:` in the user and password). SMTP needs `--public-url`, the
    /// origin of the links mailed. The password is never logged.
    #[arg(long, env = "TESSERA_MAILER", default_value_t = Config::default().mailer,
          value_parser = MailerParser)]
    mailer: Mailer,
    /// The `From:` of every message: `Name <address>` or a bare address.
    #[arg(long, env = "TESSERA_MAIL_FROM", default_value_t = Config::default().mail_from)]
    mail_from: String,
    /// The product name in every message.
    #[arg(long, env = "TESSERA_PRODUCT_NAME", default_value_t = Config::default().product_name)]
    product_name: String,
    /// How long an undelivered message is retried (with growing pauses) before it
    /// is given up, with an audit event; allowed: 1s to 7d.
    #[arg(long, env = "TESSERA_MAIL_RETRY_FOR", default_value_t = Human(Config::default().mail_retry_for))]
    mail_retry_for: Human,
    /// Mail asked for (verification resends, password reset links) per account and
    /// per email address or username named; `off` turns it off.
    #[arg(long, env = "TESSERA_RATE_LIMIT_MAIL", default_value_t = Config::default().rate_limit_mail)]
    rate_limit_mail: Rate,
    /// Refuse sign-in (403) to accounts whose email address is not verified yet
    /// (accounts without an address are not affected).
    #[arg(long, env = "TESSERA_REQUIRE_VERIFIED_EMAIL")]
    require_verified_email: bool,
}

/// Parses `--mailer` without ever repeating the value, which may hold a
/// password, in the error clap prints.
#[derive(Clone)]
struct MailerParser;

impl clap::builder::TypedValueParser for MailerParser {
    type Value = Mailer;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Mailer, clap::Error> {
        let invalid = |msg: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--mailer: {msg}\n"),
            )
        };
        value
            .to_str()
            .ok_or_else(|| invalid("not UTF-8".to_owned()))?
            .parse()
            .map_err(invalid)
    }
}

impl ServeArgs {
    /// The library's configuration and the server's, as the flags set them.
    pub(crate) fn into_configs(self) -> (Config, ServerConfig) {
        let config = Config {
            store: self.store.into(),
            access_ttl: self.access_ttl.0,
            refresh_ttl: self.refresh_ttl.0,
            refresh_grace: self.refresh_grace.0,
            session_max_age: self.session_max_age.0,
            public_url: self.public_url,
            issuer: self.issuer,
            audience: self.audience,
            leeway: self.leeway.0,
            signup: self.signup,
            signing_alg: self.signing_alg,
            jwt_secret: None,
            hash_concurrency: self.hash_concurrency,
            hash_queue: self.hash_queue,
            hash_queue_wait: self.hash_queue_wait.0,
            token_cache: self.token_cache,
            rate_limit: self.rate_limit,
            rate_limit_user: self.rate_limit_user,
            rate_limit_user_global: self.rate_limit_user_global,
            trusted_proxies: self.trusted_proxies,
            ipv6_prefix: self.ipv6_prefix,
            rate_limit_mail: self.rate_limit_mail,
            mailer: self.mailer,
            mail_from: self.mail_from,
            product_name: self.product_name,
            mail_retry_for: self.mail_retry_for.0,
            require_verified_email: self.require_verified_email,
        };
        let server = ServerConfig {
            addr: self.addr,
            static_dir: self.static_dir,
            cors_origins: self.cors_origins,
            request_timeout: self.request_timeout.0,
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
            header_timeout: self.header_timeout.0,
        };
        (config, server)
    }
}
