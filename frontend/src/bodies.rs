//! The JSON bodies of the account pages' requests, written field by field
//! with [`tessera_yew::json::object`] from the `shared` request types, so the
//! app carries no serializer (one would cost several KB of its size budget).

use tessera_shared::{
    EmailChangeRequest, ForgotPasswordRequest, PasswordResetRequest, TokenRequest,
};
use tessera_yew::json::object;

/// `POST /password/forgot`.
pub fn forgot(request: &ForgotPasswordRequest) -> Option<String> {
    object(&[
        ("email", request.email.as_deref()),
        ("username", request.username.as_deref()),
    ])
}

/// `POST /password/reset`.
pub fn reset(request: &PasswordResetRequest) -> Option<String> {
    object(&[
        ("token", Some(&request.token)),
        ("new_password", Some(&request.new_password)),
    ])
}

/// `POST /email/verify`.
pub fn verify(request: &TokenRequest) -> Option<String> {
    object(&[("token", Some(&request.token))])
}

/// `PUT /me/email`.
pub fn email_change(request: &EmailChangeRequest) -> Option<String> {
    object(&[("email", Some(&request.email))])
}
