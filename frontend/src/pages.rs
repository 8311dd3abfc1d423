//! One component per route of [`crate::route::Route`].

pub mod account;
pub mod link;
pub mod not_found;
pub mod sign_in;
pub mod sign_up;

pub use account::Account;
pub use link::{LinkKind, LinkPage};
pub use not_found::NotFound;
pub use sign_in::SignIn;
pub use sign_up::SignUp;
