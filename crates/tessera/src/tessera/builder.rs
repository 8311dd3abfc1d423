//! [`TesseraBuilder`]: a [`Tessera`] with the app's own users or claims.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::Tessera;
use crate::config::Config;
use crate::startup::StartupError;
use crate::users::{ClaimsFn, Identity, Users};

/// Builds a [`Tessera`]: from [`Tessera::builder`], then [`Self::open`].
///
/// ```no_run
/// # use tessera::{Config, Identity, Tessera, Users};
/// # async fn start(my_users: impl Users) -> Result<(), tessera::StartupError> {
/// #[derive(serde::Serialize)]
/// struct Tenant {
///     tenant: String,
/// }
///
/// let tessera = Tessera::builder(Config::default())
///     .users(my_users)
///     .claims(|user: &Identity| Tenant { tenant: format!("tenant-of-{}", user.id) })
///     .open()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until opened"]
pub struct TesseraBuilder {
    config: Config,
    parts: Parts,
}

/// What the builder adds to the configuration.
#[derive(Default)]
pub(super) struct Parts {
    pub(super) users: Option<Arc<dyn Users>>,
    pub(super) claims: Option<Arc<ClaimsFn>>,
}

impl TesseraBuilder {
    pub(super) fn new(config: Config) -> Self {
        Self {
            config,
            parts: Parts::default(),
        }
    }

    /// Signs people in against the app's own users (see [`Users`]) instead of
    /// Tessera's built-in store. Then the app owns accounts: `POST /register`
    /// and the password change answer 403, and the admin routes list and
    /// delete Tessera's rows of the app's users who signed in (deleting one ends
    /// their sessions; disable them in the app's store to keep them out).
    pub fn users(mut self, users: impl Users) -> Self {
        self.parts.users = Some(Arc::new(users));
        self
    }

    /// Adds the app's own claims to every access token Tessera's routes issue,
    /// at sign-in and at each refresh (Flask-JWT's `jwt_payload_handler`);
    /// read them back with [`AuthUser<E>`](crate::AuthUser). `claims` gets the
    /// user as the users hook answered; it must serialize to a struct or map
    /// and may not use the names of [`RESERVED_CLAIMS`](crate::RESERVED_CLAIMS):
    /// a sign-in or refresh whose claims do is refused with a 500 and the
    /// reason logged.
    pub fn claims<E, F>(mut self, claims: F) -> Self
    where
        E: Serialize,
        F: Fn(&Identity) -> E + Send + Sync + 'static,
    {
        let claims = move |user: &Identity| -> Result<Map<String, Value>, serde_json::Error> {
            match serde_json::to_value(claims(user))? {
                Value::Object(map) => Ok(map),
                Value::Null => Ok(Map::new()),
                _ => Err(serde::ser::Error::custom("must be a struct or map")),
            }
        };
        self.parts.claims = Some(Arc::new(claims));
        self
    }

    /// Opens the Tessera, as [`Tessera::open`] describes.
    pub async fn open(self) -> Result<Tessera, StartupError> {
        Tessera::open_with(self.config, self.parts).await
    }
}
