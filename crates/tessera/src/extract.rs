//! Request extractors: the authenticated user, the client, and JSON bodies in the API's error format.

pub mod auth_user;
pub mod client_digest;
pub mod json;
pub mod remote_user;
