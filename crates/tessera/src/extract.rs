//! Request extractors: the authenticated user, the client, and JSON bodies in the API's error format.

pub(crate) mod assurance;
pub(crate) mod auth_user;
pub(crate) mod client_digest;
pub(crate) mod json;
pub(crate) mod remote_user;
pub(crate) mod seen_from;
