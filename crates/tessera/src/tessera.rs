//! The front door: [`Tessera`] is built once from a [`Config`] and gives the app
//! its routes, what the extractors need, and the background maintenance.

use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use webauthn_rs::Webauthn;

mod builder;
mod secrets_key;

use crate::accounts::Accounts;
use crate::config::Config;
use crate::keys::{self, Keys, SigningAlg};
use crate::limits::Limits;
use crate::mfa::SecretsKey;
use crate::passkey::relying_party;
use crate::password::Passwords;
use crate::secret;
use crate::startup::StartupError;
use crate::state::AppState;
use crate::token::TokenService;
use crate::users::{StoreUsers, UserSource, Users};

pub use builder::TesseraBuilder;

/// Tessera inside an axum app: the routes, the token checks the extractors
/// use, and the background work that keeps an instance correct.
///
/// Cheap to clone (every part is shared). See the crate docs for an example.
#[derive(Clone)]
pub struct Tessera {
    state: AppState,
}

impl Tessera {
    /// Checks `config`, makes the data dir private, opens and migrates the
    /// store, loads (or creates) the key ring, checks its second-factor key
    /// against the one the database records, and loads the revocations made
    /// so far.
    /// Users are Tessera's own (the built-in store); [`Self::builder`] plugs in
    /// the app's, or adds claims to tokens.
    pub async fn open(config: Config) -> Result<Self, StartupError> {
        Self::builder(config).open().await
    }

    /// A Tessera from `config` with the app's own users
    /// ([`TesseraBuilder::users`]) or claims ([`TesseraBuilder::claims`]).
    pub fn builder(config: Config) -> TesseraBuilder {
        TesseraBuilder::new(config)
    }

    async fn open_with(config: Config, parts: builder::Parts) -> Result<Self, StartupError> {
        let settings = config.token_settings()?;
        let session_settings = config.session_settings()?;
        let mail = Arc::new(config.mail_settings()?);
        let store = config.store.open().await?;
        let secret = secret::configured(config.jwt_secret.clone())?;
        let secret_source = match (secret.is_some(), config.jwt_secret.is_some()) {
            (true, true) => "provided by the embedding program",
            (true, false) => "from TESSERA_JWT_SECRET",
            (false, _) => "from the key ring in the data dir",
        };
        let dir = config.store.data_dir.join(keys::Keys::DIR);
        let alg = config.signing_alg;
        let recorded = secrets_key::recorded(&store).await?;
        let from_secret = matches!((&secret, alg), (Some(_), SigningAlg::Hs256));
        let ring_dir = dir.clone();
        let (keys, secrets_key) = tokio::task::spawn_blocking(move || {
            // With a configured HS256 secret the ring is that secret (no disk).
            let found = match (&secret, alg) {
                (Some(secret), SigningAlg::Hs256) => Some(SecretsKey::from_secret(secret)),
                _ => secrets_key::existing(&dir, recorded)?,
            };
            let keys = Keys::open(&dir, alg, secret)?;
            let secrets_key = match found {
                Some(key) => key,
                None => secrets_key::create(&dir)?,
            };
            Ok::<_, StartupError>((keys, secrets_key))
        })
        .await
        .map_err(|err| StartupError::DataDir {
            path: config.store.data_dir.clone(),
            source: io::Error::other(err),
        })??;
        secrets_key::check(&store, &secrets_key, from_secret, &ring_dir).await?;
        let tokens = Arc::new(TokenService::with_keys(keys, settings));
        // Revocations made before this start (or by other processes) apply from the first request.
        tokens.revocations().sync(&store).await?;
        let passwords = Passwords::with_queue(
            config.hash_concurrency(),
            config.hash_queue(),
            config.hash_queue_wait,
        );
        let app_owned = parts.users.is_some();
        let builtin =
            || -> Arc<dyn Users> { Arc::new(StoreUsers::new(store.clone(), passwords.clone())) };
        let users = parts.users.unwrap_or_else(builtin);
        let passkeys = passkey_relying_party(&config)?;
        let state = AppState {
            store,
            tokens,
            passwords,
            accounts: UserSource::new(users, app_owned, parts.claims),
            session_settings,
            signup: config.signup,
            limits: Arc::new(Limits::new(config.limit_settings())),
            public_url: config.discovery_base(),
            mail,
            require_verified_email: config.require_verified_email,
            secrets_key: Arc::new(secrets_key),
            passkeys,
        };
        tracing::info!(
            data_dir = %config.store.data_dir.display(),
            database = %config.store.database_url_for_log(),
            access_ttl = ?config.access_ttl,
            refresh_ttl = ?config.refresh_ttl,
            refresh_grace = ?config.refresh_grace,
            session_max_age = ?config.session_max_age,
            public_url = ?config.public_url,
            issuer = ?state.tokens.settings().issuer,
            audience = ?config.audience,
            leeway = ?config.leeway,
            signup = %config.signup,
            users = if app_owned { "the application's" } else { "built-in" },
            hash_concurrency = config.hash_concurrency(),
            token_cache = config.token_cache,
            rate_limit = %config.rate_limit,
            rate_limit_user = %config.rate_limit_user,
            rate_limit_user_global = %config.rate_limit_user_global,
            trusted_proxies = ?config.trusted_proxies,
            signing_alg = %config.signing_alg,
            mailer = %config.mailer,
            mail_from = %config.mail_from,
            rate_limit_mail = %config.rate_limit_mail,
            require_verified_email = config.require_verified_email,
            kid = %state.tokens.keys().current().signing_kid(),
            secret = %secret_source,
            "tessera configured"
        );
        Ok(Self { state })
    }

    /// Tessera's routes (the seeds' paths: `/auth`, `/login`, `/refresh`, ...)
    /// with their body limit and security headers, ready to `merge` into the
    /// app's router or `nest` under a prefix. The app keeps its own fallback.
    /// To answer one of these paths itself (the Flask-JWT tutorial's own
    /// `/protected`, say), the app puts them behind its routes instead:
    /// `.fallback_service(tessera.router::<()>())`.
    ///
    /// Serve the app with the client's address
    /// (`app.into_make_service_with_connect_info::<SocketAddr>()`): the sign-in
    /// rate limits key on it, and while any is on, a sign-in route served
    /// without it answers 500 (and logs why) rather than count every client as one.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        // Route layers only: the app's own routes and fallback keep their headers.
        crate::api(self.state.clone()).route_layer(crate::security_headers())
    }

    /// The background work every instance runs, until dropped or aborted:
    /// following revocations made elsewhere (other instances, the CLI),
    /// purging what expired, reloading a changed key ring, forgetting idle
    /// rate-limit entries and delivering the mail outbox. Spawn it once per process:
    /// `let maintenance = tokio::spawn(tessera.maintenance());`.
    pub fn maintenance(&self) -> impl Future<Output = ()> + Send + 'static {
        crate::maintenance::run(self.state.clone())
    }

    /// Signs and verifies tokens (for [`TokenService::issue`] in the app's own
    /// routes, and for the extractors through [`FromRef`]).
    pub fn tokens(&self) -> Arc<TokenService> {
        self.state.tokens.clone()
    }

    /// The password hasher Tessera's routes use (argon2id on threads of its
    /// own), for an app that creates accounts itself.
    pub fn passwords(&self) -> &Passwords {
        &self.state.passwords
    }

    /// The built-in accounts, to manage outside HTTP (seed an administrator,
    /// count users): deletions and new passwords end sessions here at once.
    pub fn accounts(&self) -> Accounts {
        Accounts::of_server(
            self.state.store.clone(),
            self.state.passwords.clone(),
            self.state.tokens.clone(),
        )
    }

    /// Closes the store's connections (after the server stopped).
    pub async fn close(&self) {
        self.state.store.close().await;
    }

    /// The shared state behind the routes.
    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }
}

impl FromRef<Tessera> for Arc<TokenService> {
    fn from_ref(tessera: &Tessera) -> Self {
        tessera.tokens()
    }
}

/// The passkeys' relying party, from the public URL. Without one passkeys
/// stay off; a URL whose host cannot be a relying-party id turns them off
/// with a warning, as they would fail in every browser.
fn passkey_relying_party(config: &Config) -> Result<Option<Arc<Webauthn>>, StartupError> {
    let Some(public_url) = config.checked_public_url()? else {
        return Ok(None);
    };
    match relying_party(&public_url) {
        Ok(rp) => Ok(Some(Arc::new(rp))),
        Err(cause) => {
            tracing::warn!(%cause, "passkeys are off: the public URL cannot be a WebAuthn relying party");
            Ok(None)
        }
    }
}
