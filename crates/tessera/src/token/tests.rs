//! Unit tests of token verification: the header rules, the recognised-header
//! shortcut, and the registered-claim checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;

use super::*;
use crate::keys::SigningAlg;

const SECRET: &[u8] = b"unit-test-secret-0123456789abcdef";

fn service(settings: TokenSettings) -> TokenService {
    TokenService::new(&JwtSecret::new(SECRET.to_vec()).unwrap(), settings)
}

fn kid(service: &TokenService) -> String {
    service.keys().current().signing_kid().to_owned()
}

/// Valid access-token claims for user 7, as the server would issue them.
fn claims() -> Value {
    let now = unix_now();
    json!({
        "sub": "7", "username": "alice", "roles": [], "sid": "s1", "fresh": true,
        "iat": now, "nbf": now, "exp": now + 60, "jti": "t1",
    })
}

/// A token with exactly this header JSON and these claims, HS256-signed under [`SECRET`].
fn forge(header: &str, claims: &Value) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(message.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{message}.{signature}")
}

fn verify(service: &TokenService, token: &str) -> Result<Claims, AuthError> {
    service.verify_access::<NoExtraClaims>(token)
}

#[test]
fn issued_tokens_of_every_algorithm_have_a_recognised_header() {
    let dir = tempfile::tempdir().unwrap();
    for alg in [
        SigningAlg::Hs256,
        SigningAlg::EdDsa,
        SigningAlg::Es256,
        SigningAlg::Rs256,
    ] {
        let keys = Keys::open(&dir.path().join(alg.name()), alg, None).unwrap();
        let service = TokenService::with_keys(keys, TokenSettings::default());
        let access = service.issue(7, "alice").unwrap().token;
        let refresh = service.refresh_at(7, "s1", unix_now(), unix_now() + 60, "r1".into());
        let refresh = refresh.unwrap().token;
        let ring = service.keys().current();
        let header = |token: &str| token.split('.').next().unwrap().to_owned();
        assert!(
            ring.key_for_own_header(&header(&access), ACCESS_TYP)
                .is_some(),
            "{alg}"
        );
        assert!(
            ring.key_for_own_header(&header(&refresh), REFRESH_TYP)
                .is_some(),
            "{alg}"
        );
        assert!(
            ring.key_for_own_header(&header(&access), REFRESH_TYP)
                .is_none(),
            "{alg}"
        );
        assert_eq!(verify(&service, &access).unwrap().username, "alice");
        assert_eq!(verify(&service, &refresh), Err(AuthError::NotAccessToken));
        assert_eq!(service.verify_refresh(&refresh).unwrap().jti, "r1");
    }
}

#[test]
fn equivalent_headers_written_differently_take_the_full_path() {
    let service = service(TokenSettings::default());
    let kid = kid(&service);
    for header in [
        format!(r#"{{"kid":"{kid}","alg":"HS256","typ":"at+jwt"}}"#),
        format!(r#"{{"typ":"application/AT+JWT","alg":"HS256","kid":"{kid}"}}"#),
        format!(r#"{{"typ":"at\u002bjwt","alg":"HS\u0032\u0035\u0036","kid":"{kid}"}}"#),
        format!(r#"{{"typ":"at+jwt","alg":"HS256","kid":"{kid}","cty":null,"jku":null}}"#),
    ] {
        let token = forge(&header, &claims());
        assert_eq!(verify(&service, &token).unwrap().sub, "7", "{header}");
    }
}

#[test]
fn headers_are_held_to_the_rules() {
    let service = service(TokenSettings::default());
    let kid = kid(&service);
    let cases = [
        (
            r#"{"alg":"HS256","typ":"JWT","kid":"K"}"#,
            AuthError::NotAccessToken,
        ),
        (r#"{"alg":"HS256","kid":"K"}"#, AuthError::NotAccessToken),
        (
            r#"{"alg":"HS256","typ":"refresh+jwt","kid":"K"}"#,
            AuthError::NotAccessToken,
        ),
        (
            r#"{"alg":"none","typ":"at+jwt","kid":"K"}"#,
            AuthError::WrongAlgorithm,
        ),
        (
            r#"{"alg":"HS512","typ":"at+jwt","kid":"K"}"#,
            AuthError::WrongAlgorithm,
        ),
        (
            r#"{"alg":"EdDSA","typ":"at+jwt","kid":"K"}"#,
            AuthError::WrongAlgorithm,
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt","kid":"other"}"#,
            AuthError::UnknownKey,
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt","kid":"K","jku":"https://x"}"#,
            AuthError::ForbiddenHeader,
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt","kid":"K","jwk":{"kty":"oct"}}"#,
            AuthError::ForbiddenHeader,
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt","kid":"K","x5c":[]}"#,
            AuthError::ForbiddenHeader,
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt","kid":"K","crit":["exp"]}"#,
            AuthError::ForbiddenHeader,
        ),
        (
            r#"{"alg":"HS256","alg":"none","typ":"at+jwt","kid":"K"}"#,
            AuthError::MalformedToken,
        ),
        (r#"{"typ":"at+jwt","kid":"K"}"#, AuthError::MalformedToken),
        (r#"["HS256"]"#, AuthError::MalformedToken),
    ];
    for (header, expected) in cases {
        let header = header.replace("\"K\"", &format!("\"{kid}\""));
        assert_eq!(
            verify(&service, &forge(&header, &claims())).map(|_| ()),
            Err(expected),
            "{header}"
        );
    }
}

#[test]
fn signatures_must_match_and_be_base64url() {
    let service = service(TokenSettings::default());
    let token = service.issue(7, "alice").unwrap().token;
    let (message, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let cases = [
        (
            format!("{message}.{flipped}{}", &signature[1..]),
            AuthError::BadSignature,
        ),
        (format!("{message}."), AuthError::BadSignature),
        (
            format!("{message}.{}", "A".repeat(200)),
            AuthError::BadSignature,
        ),
        (format!("{message}.{signature}="), AuthError::MalformedToken),
        (
            format!(
                "{message}.{}",
                signature.replace(|c: char| c.is_ascii_alphabetic(), "+")
            ),
            AuthError::MalformedToken,
        ),
        (
            format!("{message}.x.{signature}"),
            AuthError::MalformedToken,
        ),
        (message.to_owned(), AuthError::MalformedToken),
    ];
    for (token, expected) in cases {
        assert_eq!(
            verify(&service, &token).map(|_| ()),
            Err(expected),
            "{token}"
        );
    }
}

#[test]
fn times_are_checked_with_the_leeway() {
    let service = service(TokenSettings::default());
    let header = format!(
        r#"{{"alg":"HS256","typ":"at+jwt","kid":"{}"}}"#,
        kid(&service)
    );
    let now = unix_now();
    let at = |exp: u64, nbf: u64| {
        let mut claims = claims();
        claims["exp"] = json!(exp);
        claims["nbf"] = json!(nbf);
        verify(&service, &forge(&header, &claims)).map(|_| ())
    };
    assert_eq!(
        at(now - 3, now - 60),
        Ok(()),
        "expired within the 5 s leeway"
    );
    assert_eq!(at(now - 30, now - 60), Err(AuthError::Expired));
    assert_eq!(
        at(now + 60, now + 3),
        Ok(()),
        "not yet valid within the leeway"
    );
    assert_eq!(at(now + 60, now + 30), Err(AuthError::NotYetValid));
}

#[test]
fn claims_must_be_present_and_typed() {
    let service = service(TokenSettings::default());
    let header = format!(
        r#"{{"alg":"HS256","typ":"at+jwt","kid":"{}"}}"#,
        kid(&service)
    );
    for field in ["sub", "username", "sid", "iat", "nbf", "exp", "jti"] {
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove(field);
        let refused = verify(&service, &forge(&header, &claims)).map(|_| ());
        assert_eq!(refused, Err(AuthError::MissingClaim), "without {field}");
    }
    let mut claims = claims();
    claims["exp"] = json!("tomorrow");
    let refused = verify(&service, &forge(&header, &claims)).map(|_| ());
    assert_eq!(refused, Err(AuthError::MalformedToken));
    // serde would read a struct from an array too; a claims set is an object.
    let now = unix_now();
    let listed = json!([
        "7",
        "alice",
        [],
        "s1",
        true,
        null,
        null,
        now,
        now,
        now + 60,
        "t1"
    ]);
    let refused = verify(&service, &forge(&header, &listed)).map(|_| ());
    assert_eq!(refused, Err(AuthError::MalformedToken));
}

#[test]
fn issuer_and_audience_must_be_present_and_equal_when_configured() {
    let settings = TokenSettings {
        issuer: Some("https://auth.example".into()),
        audience: Some("shop".into()),
        ..TokenSettings::default()
    };
    let service = service(settings);
    let header = format!(
        r#"{{"alg":"HS256","typ":"at+jwt","kid":"{}"}}"#,
        kid(&service)
    );
    let with = |iss: Option<&str>, aud: Option<&str>| {
        let mut claims = claims();
        claims["iss"] = json!(iss);
        claims["aud"] = json!(aud);
        verify(&service, &forge(&header, &claims)).map(|_| ())
    };
    assert_eq!(with(Some("https://auth.example"), Some("shop")), Ok(()));
    for (iss, aud) in [
        (Some("https://auth.example"), Some("blog")),
        (Some("https://evil.example"), Some("shop")),
        (Some("https://auth.example"), None),
        (None, Some("shop")),
        (None, None),
    ] {
        assert_eq!(
            with(iss, aud),
            Err(AuthError::WrongAudience),
            "{iss:?} {aud:?}"
        );
    }
    // Unconfigured, neither is checked.
    let open = self::service(TokenSettings::default());
    let mut claims = claims();
    claims["aud"] = json!("anything");
    assert!(verify(&open, &forge(&header, &claims)).is_ok());
}

#[test]
fn a_cached_token_is_still_checked_against_the_deny_list_and_the_clock() {
    let settings = TokenSettings {
        leeway: Duration::ZERO,
        ..TokenSettings::default()
    };
    let service = service(settings);
    let header = format!(
        r#"{{"alg":"HS256","typ":"at+jwt","kid":"{}"}}"#,
        kid(&service)
    );
    let mut short = claims();
    short["exp"] = json!(unix_now() + 1);
    let token = forge(&header, &short);
    assert!(verify(&service, &token).is_ok());
    assert!(verify(&service, &token).is_ok(), "again, from the cache");
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(verify(&service, &token), Err(AuthError::Expired));

    let token = service.issue(7, "alice").unwrap().token;
    let claims = verify(&service, &token).unwrap();
    service.revocations().revoke_token(&claims.jti, claims.exp);
    assert_eq!(verify(&service, &token), Err(AuthError::Revoked));
    let other = service.issue(7, "alice").unwrap().token;
    let claims = verify(&service, &other).unwrap();
    service
        .revocations()
        .revoke_session(&claims.sid, claims.exp);
    assert_eq!(verify(&service, &other), Err(AuthError::Revoked));
}

#[test]
fn a_cached_token_fails_once_its_key_leaves_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::open(dir.path(), SigningAlg::EdDsa, None).unwrap();
    let service = TokenService::with_keys(keys, TokenSettings::default());
    let token = service.issue(7, "alice").unwrap().token;
    assert!(verify(&service, &token).is_ok());
    crate::keys::Keys::rotate(dir.path(), SigningAlg::EdDsa).unwrap();
    assert!(service.keys().reload_if_changed().unwrap());
    assert!(
        verify(&service, &token).is_ok(),
        "the old key still verifies"
    );
    // A key goes once its successor has signed for longer than the retirement.
    std::thread::sleep(Duration::from_millis(1100));
    let pruned = crate::keys::Keys::prune(dir.path(), Duration::ZERO).unwrap();
    assert_eq!(pruned.len(), 1);
    assert!(service.keys().reload_if_changed().unwrap());
    assert_eq!(verify(&service, &token), Err(AuthError::UnknownKey));
}

#[test]
fn claims_read_as_another_type_are_not_served_from_the_cache() {
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    struct Tenant {
        tenant: String,
    }
    let service = service(TokenSettings::default());
    let grant = Grant {
        user_id: 7,
        username: "alice".into(),
        roles: vec![],
        session_id: "s1".into(),
        fresh: true,
        email_verified: None,
    };
    let extra = json!({ "tenant": "acme" });
    let token = service.issue_access(&grant, extra).unwrap().token;
    assert!(verify(&service, &token).is_ok());
    let typed = service.verify_access::<Tenant>(&token).unwrap();
    assert_eq!(typed.extra.tenant, "acme");
    assert!(verify(&service, &token).is_ok());
}

#[test]
fn the_apps_claims_cannot_override_tesseras_own() {
    let service = service(TokenSettings::default());
    let grant = Grant {
        user_id: 7,
        username: "alice".into(),
        roles: vec![],
        session_id: "s1".into(),
        fresh: true,
        email_verified: None,
    };
    for name in RESERVED_CLAIMS {
        let refused = service.issue_access(&grant, json!({ *name: "mine" }));
        assert!(refused.is_err(), "{name}");
    }
    assert!(service
        .issue_access(&grant, json!(["not", "an", "object"]))
        .is_err());
    let token = service
        .issue_access(&grant, json!({ "tenant": "acme" }))
        .unwrap()
        .token;
    let claims = service.verify_access::<Value>(&token).unwrap();
    assert_eq!(
        (claims.sub.as_str(), &claims.extra["tenant"]),
        ("7", &json!("acme"))
    );
}
