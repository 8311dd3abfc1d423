//! Wire types of the Tessera HTTP API, shared by the server and the browser app.
//!
//! Everything here is plain serde data with no server dependencies, so the crate
//! builds for `wasm32-unknown-unknown`. The JSON shapes follow the two classic
//! Flask tutorials Tessera replaces: `POST /auth` answers `{"access_token": ..}`
//! (Flask-JWT), `POST /login` answers `{"jwt": ..}` (Flask-JWT-Simple), and every
//! error is `{"msg": ..}`.

pub mod account;
pub mod auth;
pub mod error;
pub mod mfa;
pub mod passkeys;
pub mod paths;
pub mod sessions;
pub mod status;
pub mod user;

pub use account::{EmailChangeRequest, ForgotPasswordRequest, PasswordResetRequest, TokenRequest};
pub use auth::{
    AuthResponse, Credentials, LoginResponse, LogoutRequest, PasswordChangeRequest, RefreshRequest,
    RegisterRequest,
};
pub use error::ErrorBody;
pub use mfa::{RecoveryCodes, SecondFactorProof, TotpCode, TotpEnrollment, TotpStatus};
pub use passkeys::{
    PasskeyAssertion, PasskeyChallenge, PasskeyInfo, PasskeyList, PasskeyName, PasskeyRegistration,
};
pub use sessions::{SessionInfo, SessionList};
pub use status::HealthResponse;
pub use user::{ProtectedResponse, UserProfile};
