//! Logic that reads JSON, which the app parses with the JavaScript engine's
//! `JSON.parse`: token decoding, API error mapping, restoring a stored session.
//! Runs under node: `cargo test -p tessera-yew --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use tessera_shared::{AuthResponse, Credentials, UserProfile};
use tessera_yew::json::{parse, quote, stringify};
use tessera_yew::token::{decode, Claims, TokenError};
use tessera_yew::{Error as ApiError, ExpiredReason, SessionState, Tokens};
use wasm_bindgen_test::wasm_bindgen_test as test;

/// An HS256 token shaped like Tessera's. Its claims segment is 170 characters:
/// base64url without the two `=` of padding.
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.\
    eyJzdWIiOiI0MiIsInVzZXJuYW1lIjoiYWxpY2UiLCJpYXQiOjE3OTU1MTI2MDAsIm5iZiI6MTc5NTUxMjYwMCwiZXhwI\
    joxNzk1NTEzNTAwLCJqdGkiOiI1ZjBjN2EzZS04YjFkLTRjMmUtOWE2Zi0xZDJlM2Y0YTViNmMifQ.\
    nd1qi24isyA7OGblIAjwLoKC6lNeR4PDJM0_MMDztKY";

/// `{"alg":"HS256"}.{"exp":1000}.sig`, unsigned: the session only reads claims.
const EXP_1000: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEwMDB9.c2ln";

/// `{"alg":"HS256"}.{"exp":2000}.sig`: a refresh token outliving [`EXP_1000`].
const EXP_2000: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDB9.c2ln";

fn stored(access: &str, refresh: Option<&str>) -> Option<Tokens> {
    Some(Tokens::new(
        access.to_owned(),
        refresh.map(|refresh| refresh.to_owned().into()),
    ))
}

#[test]
fn decodes_header_and_claims_of_a_real_looking_token() {
    assert_eq!(
        TOKEN.split('.').nth(1).unwrap().len() % 4,
        2,
        "the fixture must need padding"
    );

    let decoded = decode(TOKEN).unwrap();
    assert_eq!(
        decoded.header,
        "{\n  \"typ\": \"JWT\",\n  \"alg\": \"HS256\"\n}"
    );
    assert_eq!(
        decoded.claims,
        r#"{
  "sub": "42",
  "username": "alice",
  "iat": 1795512600,
  "nbf": 1795512600,
  "exp": 1795513500,
  "jti": "5f0c7a3e-8b1d-4c2e-9a6f-1d2e3f4a5b6c"
}"#
    );
    assert_eq!(
        decoded.known,
        Claims {
            sub: Some("42".to_owned()),
            username: Some("alice".to_owned()),
            iat: Some(1_795_512_600),
            nbf: Some(1_795_512_600),
            exp: Some(1_795_513_500),
            acr: None,
            fresh: None,
        }
    );
}

#[test]
fn a_token_without_the_known_claims_still_decodes() {
    // {} . {"sub":"7"} . (no signature)
    let decoded = decode("e30.eyJzdWIiOiI3In0.").unwrap();
    let seven = Claims {
        sub: Some("7".to_owned()),
        ..Claims::default()
    };
    assert_eq!(decoded.known, seven);
    assert_eq!(decoded.header, "{}");
}

#[test]
fn rejects_what_is_not_a_jwt() {
    assert_eq!(decode(""), Err(TokenError::Shape));
    assert_eq!(decode("abc.def"), Err(TokenError::Shape));
    assert_eq!(decode("a.b.c.d"), Err(TokenError::Shape));
    assert_eq!(decode(".e30.sig"), Err(TokenError::Shape));
    assert_eq!(decode("e30.e30!.sig"), Err(TokenError::Base64("claims")));
    // "bm90IGpzb24" is "not json"; "WzFd" is "[1]": JSON, but no object.
    assert_eq!(
        decode("bm90IGpzb24.e30.sig"),
        Err(TokenError::Json("header"))
    );
    assert_eq!(decode("e30.WzFd.sig"), Err(TokenError::Json("claims")));
    // {"exp":"soon"}: exp must be a number.
    assert_eq!(
        decode("e30.eyJleHAiOiJzb29uIn0.sig"),
        Err(TokenError::Json("claims"))
    );
    assert_eq!(
        TokenError::Base64("claims").to_string(),
        "the claims is not valid base64url"
    );
}

#[test]
fn json_round_trip_with_the_shared_types() {
    let body = stringify(&Credentials {
        username: "alice".to_owned(),
        password: "p\"w".to_owned(),
    });
    assert_eq!(
        body.as_deref(),
        Some(r#"{"username":"alice","password":"p\"w"}"#)
    );

    let profile: UserProfile =
        parse(r#"{"id":7,"username":"bob","created_at":"2026-11-24T09:30:00Z"}"#).unwrap();
    assert_eq!((profile.id, profile.username.as_str()), (7, "bob"));
    assert_eq!(parse::<UserProfile>(r#"{"id":"7"}"#), None, "wrong shape");
    assert_eq!(parse::<UserProfile>("<html>"), None, "not JSON");
}

#[test]
fn parse_maps_json_values_onto_serde_types() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Kind {
        Plain,
        Tagged { n: u8 },
    }
    let items: Vec<Option<i64>> = parse("[1, null, -3]").unwrap();
    assert_eq!(items, [Some(1), None, Some(-3)]);
    assert_eq!(
        parse::<(String, f64)>(r#"["a", 1.5]"#),
        Some(("a".to_owned(), 1.5))
    );
    assert_eq!(parse::<i64>("1.5"), None, "a fraction is no integer");
    assert_eq!(parse::<u8>("-1"), None, "out of range");
    assert_eq!(
        parse::<Vec<Kind>>(r#"["Plain", {"Tagged": {"n": 2}}]"#),
        Some(vec![Kind::Plain, Kind::Tagged { n: 2 }])
    );
    assert_eq!(parse::<Kind>(r#""Other""#), None, "unknown variant");
}

#[test]
fn api_errors_keep_the_servers_msg() {
    let err = ApiError::from_response(401, "Unauthorized", r#"{"msg":"Token has expired"}"#);
    let status = ApiError::Status {
        status: 401,
        msg: "Token has expired".to_owned(),
    };
    assert_eq!(err, status);
    assert!(err.is_unauthorized());
    assert_eq!(err.to_string(), "Token has expired");

    let taken = ApiError::from_response(409, "Conflict", r#"{"msg":"Username already taken"}"#);
    assert!(!taken.is_unauthorized());
    assert_eq!(taken.to_string(), "Username already taken");
}

#[test]
fn api_errors_without_a_msg_name_the_status() {
    let err = ApiError::from_response(500, "Internal Server Error", "oops");
    assert_eq!(
        err.to_string(),
        "The server answered 500 Internal Server Error"
    );
    // HTTP/2 has no reason phrase.
    assert_eq!(
        ApiError::from_response(418, "", "").to_string(),
        "The server answered 418"
    );
}

#[test]
fn a_gateway_error_without_a_msg_means_unreachable() {
    for status in [502, 503, 504] {
        assert_eq!(
            ApiError::from_response(status, "Bad Gateway", ""),
            ApiError::Unreachable
        );
    }
    // ...but a 503 from Tessera itself carries its msg.
    let own = ApiError::from_response(503, "", r#"{"msg":"user store unavailable"}"#);
    assert_eq!(own.to_string(), "user store unavailable");
    assert!(ApiError::Unreachable
        .to_string()
        .contains("cannot be reached"));
}

#[test]
fn restore_keeps_an_unexpired_access_token() {
    let session = SessionState::restore(stored(EXP_1000, Some(EXP_2000)), 999);
    assert_eq!(
        session,
        SessionState::SignedIn(stored(EXP_1000, Some(EXP_2000)).unwrap())
    );
    assert_eq!(session.claims().and_then(|claims| claims.exp), Some(1000));
    assert!(!session.tokens().unwrap().access_expired(999));
    // A session stored by an older client, without a refresh token.
    let legacy = SessionState::restore(stored(EXP_1000, None), 999);
    assert_eq!(legacy.tokens(), stored(EXP_1000, None).as_ref());
}

#[test]
fn restore_refreshes_an_expired_access_token_while_the_refresh_token_lasts() {
    let session = SessionState::restore(stored(EXP_1000, Some(EXP_2000)), 1_500);
    assert_eq!(
        session,
        SessionState::Refreshing(stored(EXP_1000, Some(EXP_2000)).unwrap())
    );
    assert!(session.tokens().unwrap().access_expired(1_500));
}

#[test]
fn restore_expires_a_session_that_cannot_be_refreshed() {
    for tokens in [
        stored(EXP_1000, Some(EXP_2000)),
        stored(EXP_1000, None),
        stored(EXP_1000, Some("garbage")),
    ] {
        let session = SessionState::restore(tokens, 2_000);
        assert_eq!(session, SessionState::Expired(ExpiredReason::TimedOut));
    }
}

#[test]
fn restore_drops_garbage_silently() {
    assert_eq!(
        SessionState::restore(stored("garbage", Some(EXP_2000)), 0),
        SessionState::default()
    );
    assert_eq!(SessionState::restore(None, 0), SessionState::default());
}

#[test]
fn issued_tokens_become_the_session_tokens() {
    let issued: AuthResponse = parse(
        r#"{"access_token":"a.b.c","token_type":"Bearer","expires_in":900,
            "refresh_token":"r.s.t","refresh_expires_in":1209600}"#,
    )
    .unwrap();
    assert_eq!(
        Tokens::from(issued),
        stored("a.b.c", Some("r.s.t")).unwrap()
    );
}

#[test]
fn quote_escapes_like_json() {
    assert_eq!(quote("alice").as_deref(), Some(r#""alice""#));
    assert_eq!(quote("a\"b\\c\nd é").as_deref(), Some(r#""a\"b\\c\nd é""#));
    let back: String = parse(&quote("tab\there \u{1}").unwrap()).unwrap();
    assert_eq!(back, "tab\there \u{1}");
}
