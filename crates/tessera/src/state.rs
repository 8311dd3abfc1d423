//! What every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::account::SelfService;
use crate::config::Signup;
use crate::limits::Limits;
use crate::mail::MailSettings;
use crate::password::Passwords;
use crate::session::{SessionSettings, Sessions};
use crate::store::Store;
use crate::token::TokenService;
use crate::users::Accounts;

/// The application state behind [`crate::app`]; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The user database.
    pub store: Store,
    /// Signs and verifies tokens.
    pub tokens: Arc<TokenService>,
    /// Hashes and verifies passwords.
    pub passwords: Passwords,
    /// Whose users sign in (the built-in store's or the app's), and the app's claims.
    pub(crate) accounts: Accounts,
    /// How sessions and refresh rotation behave.
    pub session_settings: SessionSettings,
    /// Whether `POST /register` is open.
    pub signup: Signup,
    /// Rate limits on the sign-in routes ([`Limits::default`]: none).
    pub limits: Arc<Limits>,
    /// Where clients reach this Tessera, no trailing slash: the base of the
    /// discovery document's `jwks_uri`. `None` turns discovery off.
    pub public_url: Option<String>,
    /// Where mail goes and how it reads.
    pub(crate) mail: Arc<MailSettings>,
    /// Whether an unverified email address keeps its account from signing in.
    pub require_verified_email: bool,
}

impl AppState {
    /// The session rules over this state's store, tokens and settings.
    pub(crate) fn sessions(&self) -> Sessions<'_> {
        Sessions::new(
            &self.store,
            &self.tokens,
            &self.accounts,
            self.session_settings,
            self.require_verified_email,
        )
    }

    /// The self-service rules over this state's store and mail settings.
    pub(crate) fn self_service(&self) -> SelfService<'_> {
        SelfService::new(&self.store, &self.mail)
    }
}

impl FromRef<AppState> for Arc<Limits> {
    fn from_ref(state: &AppState) -> Self {
        state.limits.clone()
    }
}

impl FromRef<AppState> for Arc<TokenService> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}
