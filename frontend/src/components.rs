//! Building blocks shared by the pages.

pub mod account_sections;
pub mod action_form;
pub mod field;
pub mod nav;
pub mod page;
pub mod passkeys_section;
pub mod route_link;
pub mod token_panel;
pub mod two_step_section;

pub use action_form::{Action, ActionForm, Outcome};
pub use field::{field, FieldSpec};
pub use nav::Nav;
pub use page::Page;
pub use route_link::RouteLink;
pub use token_panel::TokenPanel;
