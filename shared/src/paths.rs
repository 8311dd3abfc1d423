//! The API's route paths, so the server and its clients cannot drift apart.

/// `POST`: exchange credentials for `{"access_token": ..}` (Flask-JWT shape).
pub const AUTH: &str = "/auth";
/// `POST`: exchange credentials for `{"jwt": ..}` (Flask-JWT-Simple shape).
pub const LOGIN: &str = "/login";
/// `POST`: create an account; answers `201` with the new [`crate::UserProfile`].
pub const REGISTER: &str = "/register";
/// `GET`, token required: the demo protected resource.
pub const PROTECTED: &str = "/protected";
/// `GET`, token required: the caller's [`crate::UserProfile`].
pub const ME: &str = "/me";
/// `GET`: liveness; never touches the user store.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness; `200` when the user store answers, `503` otherwise.
pub const READYZ: &str = "/readyz";

/// Every API path. A browser app served by the same server must never shadow these.
pub const ALL: [&str; 7] = [AUTH, LOGIN, REGISTER, PROTECTED, ME, HEALTHZ, READYZ];
