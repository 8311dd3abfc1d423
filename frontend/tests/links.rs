//! The account pages' pure parts: the token of a mailed link, the forgot
//! request, and the hand-written request bodies, read back as the `shared`
//! types the server parses. Runs under node
//! (`cargo test -p frontend --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use frontend::bodies;
use frontend::pages::link::forgot_request;
use frontend::route::link_token;
use tessera_shared::{
    EmailChangeRequest, ForgotPasswordRequest, PasswordResetRequest, TokenRequest,
};
use tessera_yew::json;
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn the_token_is_read_from_the_fragment_only() {
    assert_eq!(link_token("#token=7.abc").as_deref(), Some("7.abc"));
    assert_eq!(link_token("#token="), None);
    assert_eq!(link_token(""), None);
    assert_eq!(link_token("#other=7.abc"), None);
    assert_eq!(link_token("token=7.abc"), None);
}

#[test]
fn an_at_sign_makes_it_an_email_address() {
    let by_email = forgot_request("  Ann@Example.org ");
    assert_eq!(by_email.email.as_deref(), Some("Ann@Example.org"));
    assert_eq!(by_email.username, None);
    let by_name = forgot_request("ann");
    assert_eq!(by_name.username.as_deref(), Some("ann"));
    assert_eq!(by_name.email, None);
}

#[test]
fn the_bodies_read_back_as_the_shared_types() {
    let forgot = ForgotPasswordRequest {
        email: None,
        username: Some("ann \"the\" first".to_owned()),
    };
    let text = bodies::forgot(&forgot).unwrap();
    assert_eq!(json::parse::<ForgotPasswordRequest>(&text), Some(forgot));

    let reset = PasswordResetRequest {
        token: "7.abc".to_owned(),
        new_password: "a new pass\\word é".to_owned(),
    };
    let text = bodies::reset(&reset).unwrap();
    assert_eq!(json::parse::<PasswordResetRequest>(&text), Some(reset));

    let verify = TokenRequest {
        token: "9.xyz".to_owned(),
    };
    let text = bodies::verify(&verify).unwrap();
    assert_eq!(json::parse::<TokenRequest>(&text), Some(verify));

    let email = EmailChangeRequest {
        email: "ann@example.org".to_owned(),
    };
    let text = bodies::email_change(&email).unwrap();
    assert_eq!(json::parse::<EmailChangeRequest>(&text), Some(email));
}
