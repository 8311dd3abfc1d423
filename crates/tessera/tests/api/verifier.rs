//! `tessera::Verifier` against a live server, as another service would use it:
//! given only the server's URL.

use std::time::Duration;

use jsonwebtoken::{encode, Algorithm, Header};
use serde_json::{json, Value};
use tessera::VerifyError;
use tessera::{AuthError, Claims, NoExtraClaims, Verifier};
use tessera::{KeyRing, Keys, SigningAlg};

use crate::helpers::{now, valid_claims, TestApp};

const ISSUER: &str = "https://auth.example";

/// A server signing with `alg` that states [`ISSUER`], with extra flags.
async fn server(alg: &str, flags: &[&str]) -> TestApp {
    let flags = [&["--public-url", ISSUER, "--signing-alg", alg][..], flags].concat();
    TestApp::spawn_listening(&flags).await
}

/// A verifier of `app` reached at its loopback address, which is not the
/// public URL (as for a service inside the same network).
pub(crate) fn verifier_for(app: &TestApp, audience: Option<&str>) -> Verifier {
    let client = crate::helpers::test_client();
    let builder = Verifier::builder(&app.url("")).http_client(client);
    match audience {
        Some(audience) => builder.audience(audience),
        None => builder,
    }
    .build()
    .unwrap()
}

async fn verify(verifier: &Verifier, token: &str) -> Result<Claims, VerifyError> {
    verifier.verify::<NoExtraClaims>(token).await
}

fn refused(reason: AuthError) -> Result<Claims, VerifyError> {
    Err(VerifyError::Token(reason))
}

/// The key ring `app` signs with, read from its data dir.
fn ring_of(app: &TestApp, alg: SigningAlg) -> std::sync::Arc<KeyRing> {
    Keys::open(&app.data_dir().join(Keys::DIR), alg, None)
        .unwrap()
        .current()
}

/// A token of type `typ` with `claims`, signed by `ring`'s signing key and naming `kid`.
fn sign(ring: &KeyRing, kid: &str, typ: &str, claims: &Value) -> String {
    let mut header = Header::new(ring.signing_algorithm());
    header.typ = Some(typ.to_owned());
    header.kid = Some(kid.to_owned());
    encode(&header, claims, ring.encoding_key()).unwrap()
}

/// What a server with [`ISSUER`] and `--audience shop` adds to [`valid_claims`].
fn good_claims() -> Value {
    json!({ "iss": ISSUER, "aud": "shop" })
}

/// [`valid_claims`] with `changes` on top.
fn claims_with(changes: Value) -> Value {
    let mut claims = valid_claims();
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

#[tokio::test]
async fn tokens_of_every_asymmetric_algorithm_are_accepted() {
    for alg in ["EdDSA", "ES256", "RS256"] {
        let app = server(alg, &[]).await;
        app.register("alice").await;
        let token = app.token_for("alice").await;
        let claims = verify(&verifier_for(&app, None), &token)
            .await
            .unwrap_or_else(|err| panic!("{alg}: {err}"));
        assert_eq!(claims.username, "alice", "{alg}");
        assert_eq!(claims.iss.as_deref(), Some(ISSUER), "{alg}");
    }
}

#[tokio::test]
async fn forged_and_misdirected_tokens_are_refused() {
    let app = server("EdDSA", &["--audience", "shop"]).await;
    app.register("alice").await;
    let signed_in = app.sign_in("alice").await;
    let access = signed_in["access_token"].as_str().unwrap();
    let verifier = verifier_for(&app, Some("shop"));
    assert!(verify(&verifier, access).await.is_ok());

    let ring = ring_of(&app, SigningAlg::EdDsa);
    let kid = ring.signing_kid();
    let valid = sign(&ring, kid, "at+jwt", &claims_with(good_claims()));
    assert!(verify(&verifier, &valid).await.is_ok());

    // Another key claiming the server's kid.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = Keys::open(&elsewhere.path().join(Keys::DIR), SigningAlg::EdDsa, None)
        .unwrap()
        .current();
    let forged = sign(&other, kid, "at+jwt", &claims_with(good_claims()));
    assert_eq!(
        verify(&verifier, &forged).await,
        refused(AuthError::BadSignature)
    );

    // HS256, even with the server's own secret: a remote service has no secret to check it.
    let hs256 = app.forge(Algorithm::HS256, &claims_with(good_claims()));
    assert_eq!(
        verify(&verifier, &hs256).await,
        refused(AuthError::WrongAlgorithm)
    );

    let cases = [
        (
            "at+jwt",
            json!({ "iss": "https://evil.example", "aud": "shop" }),
            AuthError::WrongAudience,
        ),
        (
            "at+jwt",
            json!({ "iss": ISSUER, "aud": "other" }),
            AuthError::WrongAudience,
        ),
        // valid_claims() has no `iss`.
        ("at+jwt", json!({ "aud": "shop" }), AuthError::MissingClaim),
        (
            "refresh+jwt",
            json!({ "iss": ISSUER, "aud": "shop" }),
            AuthError::NotAccessToken,
        ),
        (
            "at+jwt",
            json!({ "iss": ISSUER, "aud": "shop", "iat": now() - 7200, "nbf": now() - 7200, "exp": now() - 3600 }),
            AuthError::Expired,
        ),
        (
            "at+jwt",
            json!({ "iss": ISSUER, "aud": "shop", "nbf": now() + 3600 }),
            AuthError::NotYetValid,
        ),
    ];
    for (typ, changes, reason) in cases {
        let token = sign(&ring, kid, typ, &claims_with(changes.clone()));
        assert_eq!(
            verify(&verifier, &token).await,
            refused(reason),
            "{typ} {changes}"
        );
    }

    // The server's own refresh token is not an access token.
    let refresh = signed_in["refresh_token"].as_str().unwrap();
    assert_eq!(
        verify(&verifier, refresh).await,
        refused(AuthError::NotAccessToken)
    );
    // A verifier for another audience refuses the server's real tokens.
    let orders = verifier_for(&app, Some("orders"));
    assert_eq!(
        verify(&orders, access).await,
        refused(AuthError::WrongAudience)
    );
    // A key the server never had.
    let unknown = sign(&ring, "no-such-kid", "at+jwt", &claims_with(good_claims()));
    assert_eq!(
        verify(&verifier, &unknown).await,
        refused(AuthError::UnknownKey)
    );
    assert_eq!(
        verify(&verifier, "not.a.token").await,
        refused(AuthError::MalformedToken)
    );
}

#[tokio::test]
async fn a_rotated_key_is_picked_up() {
    let app = server("EdDSA", &[]).await;
    app.register("alice").await;
    let old = app.token_for("alice").await;
    let verifier = verifier_for(&app, None);
    assert!(verify(&verifier, &old).await.is_ok());

    let added = Keys::rotate(&app.data_dir().join(Keys::DIR), SigningAlg::EdDsa).unwrap();
    // Wait on the server publishing the key, as in the key tests.
    let published = async {
        while !app
            .get("/.well-known/jwks.json")
            .await
            .text()
            .await
            .unwrap()
            .contains(&added.kid)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), published)
        .await
        .expect("the server publishes the new key");
    let new = app.token_for("alice").await;
    let kid = jsonwebtoken::decode_header(&new).unwrap().kid.unwrap();
    assert_eq!(kid, added.kid);

    // The verifier reads the keys again on the unknown kid, at most once a
    // second: until then the only refusal is the unknown key.
    let accepted = async {
        loop {
            match verify(&verifier, &new).await {
                Ok(claims) => break claims,
                Err(VerifyError::Token(AuthError::UnknownKey)) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(other) => panic!("the new key's token was refused: {other}"),
            }
        }
    };
    let claims = tokio::time::timeout(Duration::from_secs(60), accepted)
        .await
        .expect("the verifier picks up the new key");
    assert_eq!(claims.username, "alice");
    assert!(
        verify(&verifier, &old).await.is_ok(),
        "old keys keep verifying"
    );
}

#[tokio::test]
async fn a_server_without_discovery_gives_no_keys() {
    let app = TestApp::spawn_listening(&["--signing-alg", "EdDSA"]).await;
    app.register("alice").await;
    let token = app.token_for("alice").await;
    let verifier = verifier_for(&app, None);
    let Err(VerifyError::Unavailable(reason)) = verifier.refresh().await else {
        panic!("keys without an issuer");
    };
    assert!(reason.contains("404"), "{reason}");
    assert!(matches!(
        verify(&verifier, &token).await,
        Err(VerifyError::Unavailable(_))
    ));
}
