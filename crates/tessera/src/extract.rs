//! Request extractors: the authenticated user and JSON bodies in the API's error format.

pub mod auth_user;
pub mod json;
