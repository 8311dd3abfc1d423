//! Property tests of token checking: whatever bytes arrive, a token is either
//! exactly one that was issued or refused with 401, in the library and over HTTP.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use jsonwebtoken::Header;
use proptest::prelude::*;
use proptest::test_runner::Config;
use tessera::KeyRing;
use tessera::{AuthError, Claims, Grant, JwtSecret, NoExtraClaims, RefreshClaims};
use tessera::{TokenService, TokenSettings};

use crate::helpers::now;
use edits::{apply, edit};

mod edits;
mod http;

const SECRET: &str = "property-test-secret-0123456789abcdef";

/// An access and a refresh token of one session, signed as the server signs them.
struct Issued {
    tokens: TokenService,
    kid: String,
    access: String,
    access_claims: Claims,
    refresh: String,
    refresh_claims: RefreshClaims,
}

/// Tokens of user 7, alice, with role admin, in session `session-1`.
fn issue() -> Issued {
    let secret = JwtSecret::new(SECRET).unwrap();
    let tokens = TokenService::new(&secret, TokenSettings::default());
    let grant = Grant {
        user_id: 7,
        username: "alice".to_owned(),
        roles: vec!["admin".to_owned()],
        session_id: "session-1".to_owned(),
        fresh: true,
        email_verified: None,
    };
    let access = tokens.issue_access(&grant, NoExtraClaims {}).unwrap().token;
    let access_claims = tokens.verify_access(&access).unwrap();
    let now = now();
    let refresh_claims = RefreshClaims {
        sub: "7".to_owned(),
        sid: grant.session_id,
        iss: None,
        aud: None,
        iat: now,
        nbf: now,
        exp: now + 3600,
        jti: "refresh-1".to_owned(),
        stateless: false,
    };
    let ring = KeyRing::from_secret(&secret);
    let refresh = sign_refresh(&ring, &refresh_claims);
    assert_eq!(tokens.verify_refresh(&refresh), Ok(refresh_claims.clone()));
    let kid = ring.signing_kid().to_owned();
    Issued {
        tokens,
        kid,
        access,
        access_claims,
        refresh,
        refresh_claims,
    }
}

/// A refresh token exactly as `TokenService` signs one (its signer is crate-private).
fn sign_refresh(ring: &KeyRing, claims: &RefreshClaims) -> String {
    let mut header = Header::new(ring.signing_algorithm());
    header.typ = Some("refresh+jwt".to_owned());
    header.kid = Some(ring.signing_kid().to_owned());
    jsonwebtoken::encode(&header, claims, ring.encoding_key()).unwrap()
}

fn refused(err: AuthError) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        err.into_response().status(),
        StatusCode::UNAUTHORIZED,
        "{:?}",
        err
    );
    Ok(())
}

/// The property itself: `candidate` verifies as the issued token of its kind, or not at all.
fn verifies_as_issued_or_401(issued: &Issued, candidate: &str) -> Result<(), TestCaseError> {
    match issued.tokens.verify_access::<NoExtraClaims>(candidate) {
        Ok(claims) => prop_assert_eq!(&claims, &issued.access_claims),
        Err(err) => refused(err)?,
    }
    match issued.tokens.verify_refresh(candidate) {
        Ok(claims) => prop_assert_eq!(&claims, &issued.refresh_claims),
        Err(err) => refused(err)?,
    }
    Ok(())
}

fn grant() -> impl Strategy<Value = Grant> {
    let roles = prop::collection::vec(any::<String>(), 0..4);
    (
        any::<i64>(),
        any::<String>(),
        roles,
        any::<String>(),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(user_id, username, roles, session_id, fresh, email_verified)| Grant {
                user_id,
                username,
                roles,
                session_id,
                fresh,
                email_verified,
            },
        )
}

proptest! {
    #![proptest_config(Config::with_cases(256))]

    #[test]
    fn issued_access_tokens_verify_to_exactly_their_claims(
        grant in grant(),
        issuer in any::<Option<String>>(),
        audience in any::<Option<String>>(),
    ) {
        let settings = TokenSettings { issuer, audience, ..TokenSettings::default() };
        let tokens = TokenService::new(&JwtSecret::new(SECRET).unwrap(), settings.clone());
        let before = now();
        let issued = tokens.issue_access(&grant, NoExtraClaims {}).unwrap();
        let iat = issued.exp - settings.access_ttl.as_secs();
        prop_assert!((before..=now()).contains(&iat));
        let expected = Claims {
            sub: grant.user_id.to_string(),
            username: grant.username,
            roles: grant.roles,
            sid: grant.session_id,
            fresh: grant.fresh,
            email_verified: grant.email_verified,
            iss: settings.issuer,
            aud: settings.audience,
            iat,
            nbf: iat,
            exp: issued.exp,
            jti: issued.jti,
            // A library-issued token: a password sign-in, no second factor.
            amr: vec!["pwd".to_owned()],
            acr: Some("1".to_owned()),
            extra: NoExtraClaims {},
        };
        prop_assert_eq!(tokens.verify_access::<NoExtraClaims>(&issued.token), Ok(expected));
        // Never the other kind.
        let as_refresh = tokens.verify_refresh(&issued.token);
        prop_assert_eq!(as_refresh, Err(AuthError::NotRefreshToken));
    }

    #[test]
    fn signed_refresh_tokens_verify_to_exactly_their_claims(
        user_id in any::<i64>(), sid in any::<String>(), jti in any::<String>(),
    ) {
        let secret = JwtSecret::new(SECRET).unwrap();
        let tokens = TokenService::new(&secret, TokenSettings::default());
        let now = now();
        let sub = user_id.to_string();
        let (iss, aud, iat, nbf, exp) = (None, None, now, now, now + 60);
        let stateless = false;
        let claims = RefreshClaims { sub, sid, iss, aud, iat, nbf, exp, jti, stateless };
        let token = sign_refresh(&KeyRing::from_secret(&secret), &claims);
        prop_assert_eq!(tokens.verify_refresh(&token), Ok(claims));
        let as_access = tokens.verify_access::<NoExtraClaims>(&token).map(|_| ());
        prop_assert_eq!(as_access, Err(AuthError::NotAccessToken));
    }
}

proptest! {
    #![proptest_config(Config::with_cases(2000))]

    #[test]
    fn edited_tokens_verify_as_issued_or_get_401(
        refresh_kind in any::<bool>(), edits in prop::collection::vec(edit(), 1..4),
    ) {
        let issued = issue();
        let (mut candidate, other) = match refresh_kind {
            true => (issued.refresh.clone(), &issued.access),
            false => (issued.access.clone(), &issued.refresh),
        };
        for edit in &edits {
            candidate = apply(&candidate, other, &issued.kid, edit);
        }
        verifies_as_issued_or_401(&issued, &candidate)?;
    }

    #[test]
    fn arbitrary_strings_get_401(
        candidate in prop_oneof![
            any::<String>(),
            "[A-Za-z0-9_=+/-]{0,40}(\\.[A-Za-z0-9_=+/-]{0,60}){0,4}",
        ],
    ) {
        let issued = issue();
        refused(issued.tokens.verify_access::<NoExtraClaims>(&candidate).unwrap_err())?;
        refused(issued.tokens.verify_refresh(&candidate).unwrap_err())?;
    }
}
