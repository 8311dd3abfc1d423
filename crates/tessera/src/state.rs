//! What every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::limits::Limits;
use crate::password::Passwords;
use crate::store::Store;
use crate::token::TokenService;

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

/// The application state behind [`crate::app`]; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The user database.
    pub store: Store,
    /// Signs and verifies tokens.
    pub tokens: Arc<TokenService>,
    /// Hashes and verifies passwords.
    pub passwords: Passwords,
    /// Whether `POST /register` is open.
    pub signup: Signup,
    /// Rate limits on the sign-in routes ([`Limits::default`]: none).
    pub limits: Arc<Limits>,
    /// Where clients reach this Tessera, no trailing slash: the base of the
    /// discovery document's `jwks_uri`. `None` turns discovery off.
    pub public_url: Option<String>,
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
