//! The safe ranges of the settings, checked once when a [`Tessera`](crate::Tessera) or a
//! [`Server`](crate::Server) is built.

use std::time::Duration;

use super::Config;
use crate::session::SessionSettings;
use crate::token::TokenSettings;

const DAY: u64 = 24 * 3600;

/// The most clock skew [`Config::leeway`] may tolerate: more and expired
/// tokens would linger.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

/// A setting out of its safe range; the message names the field (and the
/// `tessera serve` flag) and the range.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The access TTL is outside 1 s ..= 24 h.
    #[error("access_ttl (--access-ttl) must be between 1s and 24h (got {0:?})")]
    AccessTtl(Duration),
    /// The leeway is over a minute: expired tokens would linger.
    #[error("leeway (--leeway) must be at most 60s (got {0:?})")]
    Leeway(Duration),
    /// The refresh TTL is outside 1 min ..= 365 d, or shorter than the access TTL.
    #[error(
        "refresh_ttl (--refresh-ttl) must be between 1m and 365d and at least the access TTL (got {0:?})"
    )]
    RefreshTtl(Duration),
    /// The refresh grace window is over a minute: a stolen token could be replayed that long.
    #[error("refresh_grace (--refresh-grace) must be at most 60s (got {0:?})")]
    RefreshGrace(Duration),
    /// The absolute session lifetime is outside 1 s ..= 365 d.
    #[error("session_max_age (--session-max-age) must be between 1s and 365d (got {0:?})")]
    SessionMaxAge(Duration),
    /// The IPv6 prefix is not 1 ..= 128 bits.
    #[error("ipv6_prefix (--ipv6-prefix) must be between 1 and 128 (got {0})")]
    Ipv6Prefix(u8),
    /// A CORS origin is not `scheme://host[:port]`.
    #[error(
        "cors_origins (--cors-origin) {0:?} must be an origin such as https://app.example (no path, no wildcard)"
    )]
    CorsOrigin(String),
    /// The header timeout is outside 1 s ..= 5 min.
    #[error("header_timeout (--header-timeout) must be between 1s and 5m (got {0:?})")]
    HeaderTimeout(Duration),
    /// No connection at all would be accepted.
    #[error("max_connections (--max-connections) must be at least 1")]
    MaxConnections,
    /// No client could open a connection.
    #[error("max_connections_per_address (--max-connections-per-address) must be at least 1")]
    MaxConnectionsPerAddress,
    /// The public URL is not an absolute http(s) URL, or has a query, a
    /// fragment or credentials.
    #[error(
        "public_url (--public-url) {0:?} must be an absolute http(s) URL such as https://auth.example \
         (no query, fragment or user:password@)"
    )]
    PublicUrl(String),
    /// An issuer other than the public URL: discovery, served at the public
    /// URL, would name another issuer, which OpenID clients refuse.
    #[error(
        "issuer (--issuer) {issuer:?} differs from public_url (--public-url) {public_url:?}: \
         the discovery document must name its own URL as the issuer (OpenID Discovery 1.0 \
         section 4.3); set only --public-url (it becomes the issuer) or make them equal"
    )]
    IssuerIsNotPublicUrl {
        /// The configured issuer.
        issuer: String,
        /// The configured public URL, trailing slashes removed.
        public_url: String,
    },
    /// An SMTP mailer without a public URL: its links would lead nowhere.
    #[error(
        "mailer (--mailer) smtp://... needs public_url (--public-url): the origin of the links in the mail it sends"
    )]
    MailNeedsPublicUrl,
    /// The sender address does not parse as `Name <address>` or `address`.
    #[error(
        "mail_from (--mail-from) {0:?} must be an address such as `Example <auth@example.org>`"
    )]
    MailFrom(String),
    /// The retry period is outside 1 s ..= 7 d.
    #[error("mail_retry_for (--mail-retry-for) must be between 1s and 7d (got {0:?})")]
    MailRetryFor(Duration),
}

impl Config {
    /// The token settings, after checking every lifetime is in its safe range
    /// and the public URL (the default issuer) is a plain http(s) URL.
    pub fn token_settings(&self) -> Result<TokenSettings, ConfigError> {
        let public_url = self.checked_public_url()?;
        if let (Some(issuer), Some(public_url)) = (&self.issuer, &public_url) {
            if issuer.trim_end_matches('/') != public_url {
                return Err(ConfigError::IssuerIsNotPublicUrl {
                    issuer: issuer.clone(),
                    public_url: public_url.clone(),
                });
            }
        }
        if !(Duration::from_secs(1)..=Duration::from_secs(DAY)).contains(&self.access_ttl) {
            return Err(ConfigError::AccessTtl(self.access_ttl));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::Leeway(self.leeway));
        }
        if !(1..=128).contains(&self.ipv6_prefix) {
            return Err(ConfigError::Ipv6Prefix(self.ipv6_prefix));
        }
        Ok(TokenSettings {
            access_ttl: self.access_ttl,
            leeway: self.leeway,
            // Discovery states `public_url` as the issuer unless one is set.
            issuer: self.issuer.clone().or(public_url),
            audience: self.audience.clone(),
            token_cache: self.token_cache,
        })
    }

    /// The session policy, after checking every lifetime is in its safe range
    /// (a refresh token outliving its access token, for one).
    pub fn session_settings(&self) -> Result<SessionSettings, ConfigError> {
        let refresh_range = Duration::from_secs(60)..=Duration::from_secs(365 * DAY);
        if !refresh_range.contains(&self.refresh_ttl) || self.refresh_ttl < self.access_ttl {
            return Err(ConfigError::RefreshTtl(self.refresh_ttl));
        }
        if self.refresh_grace > Duration::from_secs(60) {
            return Err(ConfigError::RefreshGrace(self.refresh_grace));
        }
        let max_age_range = Duration::from_secs(1)..=Duration::from_secs(365 * DAY);
        if !max_age_range.contains(&self.session_max_age) {
            return Err(ConfigError::SessionMaxAge(self.session_max_age));
        }
        Ok(SessionSettings {
            refresh_ttl: self.refresh_ttl,
            refresh_grace: self.refresh_grace,
            session_max_age: self.session_max_age,
        })
    }

    /// `public_url` checked, without its trailing slashes (a verifier compares
    /// `iss` byte for byte, and `<public_url>/.well-known/...` must not hold `//`).
    pub(crate) fn checked_public_url(&self) -> Result<Option<String>, ConfigError> {
        self.public_url.as_deref().map(base_url).transpose()
    }

    /// Where discovery says Tessera is: `public_url`, else an `issuer` that
    /// is itself such a URL (OpenID issuers are), else nowhere: then
    /// discovery is off, as it cannot name a `jwks_uri`. Never the request's
    /// `Host`, which the client chooses.
    pub(crate) fn discovery_base(&self) -> Option<String> {
        match self.checked_public_url() {
            Ok(Some(url)) => Some(url),
            _ => self
                .issuer
                .as_deref()
                .and_then(|issuer| base_url(issuer).ok()),
        }
    }
}

/// `url` if it is an absolute http(s) URL with a host and no query, fragment
/// or credentials, as written but for trailing slashes.
fn base_url(url: &str) -> Result<String, ConfigError> {
    let refused = || ConfigError::PublicUrl(url.to_owned());
    let parsed = url::Url::parse(url).map_err(|_| refused())?;
    let plain = matches!(parsed.scheme(), "http" | "https")
        && parsed.host().is_some()
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if !plain {
        return Err(refused());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Rate;

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let config = Config::default();
        assert_eq!(config.access_ttl, Duration::from_secs(900));
        assert_eq!(config.leeway, Duration::from_secs(5));
        assert_eq!(config.refresh_ttl, Duration::from_secs(14 * DAY));
        assert_eq!(config.refresh_grace, Duration::from_secs(10));
        assert_eq!(config.session_max_age, Duration::from_secs(30 * DAY));
        assert_eq!(config.token_settings().unwrap(), TokenSettings::default());
        assert_eq!(
            config.session_settings().unwrap(),
            SessionSettings::default()
        );
        assert_eq!(config.rate_limit, "30/min".parse().unwrap());
        assert_eq!(config.rate_limit_user, "10/min".parse().unwrap());
        assert_eq!(config.rate_limit_user_global, "100/h".parse().unwrap());
        assert_eq!(config.ipv6_prefix, 64);
        assert_eq!(config.signup, crate::Signup::Open);
        assert_eq!(
            config.store.database_url(),
            "sqlite://tessera-data/tessera.db"
        );
    }

    #[test]
    fn rates_print_as_they_parse() {
        for text in ["off", "30/min", "5/s", "100/h"] {
            assert_eq!(text.parse::<Rate>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn unsafe_lifetimes_are_refused() {
        let with = |change: fn(&mut Config)| {
            let mut config = Config::default();
            change(&mut config);
            config.token_settings().and(config.session_settings())
        };
        assert!(with(|c| c.access_ttl = Duration::from_secs(2 * DAY)).is_err());
        assert!(with(|c| c.access_ttl = Duration::ZERO).is_err());
        assert!(with(|c| c.leeway = Duration::from_secs(300)).is_err());
        assert!(with(|c| {
            c.refresh_ttl = Duration::from_secs(600);
            c.access_ttl = Duration::from_secs(3600);
        })
        .is_err());
        assert!(with(|c| c.refresh_grace = Duration::from_secs(120)).is_err());
        assert!(with(|c| c.session_max_age = Duration::ZERO).is_err());
        assert!(with(|c| c.session_max_age = Duration::from_secs(400 * DAY)).is_err());
        assert!(with(|c| c.ipv6_prefix = 129).is_err());
        assert!(with(|c| c.ipv6_prefix = 0).is_err());
        assert!(with(|c| {
            c.access_ttl = Duration::from_secs(3600);
            c.leeway = Duration::ZERO;
        })
        .is_ok());
    }

    #[test]
    fn the_public_url_is_a_plain_http_url_and_the_default_issuer() {
        let with = |url: &str, issuer: Option<&str>| Config {
            public_url: Some(url.to_owned()),
            issuer: issuer.map(str::to_owned),
            ..Config::default()
        };
        for (url, trimmed) in [
            ("https://auth.example", "https://auth.example"),
            ("https://auth.example/", "https://auth.example"),
            ("http://127.0.0.1:8080/api//", "http://127.0.0.1:8080/api"),
        ] {
            let settings = with(url, None).token_settings().unwrap();
            assert_eq!(settings.issuer.as_deref(), Some(trimmed), "{url}");
            assert_eq!(with(url, None).discovery_base().as_deref(), Some(trimmed));
        }
        // Discovery served at one URL must not name another issuer.
        let named = with("https://auth.example", Some("tessera")).token_settings();
        assert!(matches!(
            named,
            Err(ConfigError::IssuerIsNotPublicUrl { .. })
        ));
        let same = with("https://auth.example/", Some("https://auth.example")).token_settings();
        assert_eq!(
            same.unwrap().issuer.as_deref(),
            Some("https://auth.example")
        );
        for bad in [
            "auth.example",
            "/api",
            "ftp://auth.example",
            "https://auth.example/?tenant=1",
            "https://auth.example/#top",
            "https://user:pw@auth.example",
            "mailto:a@example.com",
        ] {
            let refused = with(bad, None).token_settings();
            assert!(matches!(refused, Err(ConfigError::PublicUrl(_))), "{bad}");
        }
    }

    #[test]
    fn discovery_needs_a_url_to_name() {
        let with = |issuer: Option<&str>| {
            Config {
                issuer: issuer.map(str::to_owned),
                ..Config::default()
            }
            .discovery_base()
        };
        assert_eq!(with(None), None);
        assert_eq!(with(Some("tessera")), None);
        assert_eq!(
            with(Some("https://auth.example/")).as_deref(),
            Some("https://auth.example")
        );
    }
}
