//! Building blocks shared by the pages.

pub mod credentials_form;
pub mod nav;
pub mod page;
pub mod route_link;
pub mod token_panel;

pub use credentials_form::CredentialsForm;
pub use nav::Nav;
pub use page::Page;
pub use route_link::RouteLink;
pub use token_panel::TokenPanel;
