//! Tokens Tessera signs verify with an independent JOSE implementation, PyJWT, that is
//! given nothing but the published JWKS. Needs `python3` with `pip install 'pyjwt[crypto]'`.

use std::io::Write;
use std::process::{Command, Stdio};

use jsonwebtoken::{encode, Header};
use serde_json::Value;
use tessera::{KeyRing, Keys, SigningAlg};

use crate::helpers::valid_claims;

/// Exit status of [`VERIFIER`] when PyJWT or its `cryptography` backend is missing.
const MISSING: i32 = 3;

/// Reads `{"jwks": "<JWKS JSON text>", "token": ".."}` and prints the claims, or exits 1 with
/// PyJWT's reason. The key is picked by the token's kid; PyJWT binds the algorithm to the
/// JWK's `alg` and refuses a token whose header says otherwise.
const VERIFIER: &str = r#"
import json, sys

def missing(reason):
    print(reason, file=sys.stderr)
    sys.exit(3)

try:
    import jwt
    from jwt.algorithms import has_crypto
except ImportError as err:
    missing(err)
if not has_crypto:
    missing("PyJWT has no 'cryptography' backend")
request = json.load(sys.stdin)
try:
    jwks = jwt.PyJWKSet.from_json(request["jwks"])
    kid = jwt.get_unverified_header(request["token"]).get("kid")
    key = next((key for key in jwks.keys if key.key_id == kid), None)
    if key is None:
        sys.exit(f"no key {kid!r} in the JWKS")
    claims = jwt.decode(request["token"], key=key, options={"require": ["exp", "sub"]})
except jwt.PyJWTError as err:
    sys.exit(f"refused: {type(err).__name__}: {err}")
print(json.dumps(claims))
"#;

/// Verifies `token` with PyJWT using only `jwks_json`, the JWKS document as served; returns the
/// claims, or PyJWT's reason for refusing. Panics, never skips, when PyJWT cannot run.
pub(crate) fn verify_with_jwks(jwks_json: &str, token: &str) -> Result<Value, String> {
    let mut python = Command::new("python3")
        .args(["-c", VERIFIER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (the key tests need python3 with PyJWT)");
    let request = serde_json::json!({ "jwks": jwks_json, "token": token });
    python
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = python.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    match output.status.code() {
        Some(0) => Ok(serde_json::from_slice(&output.stdout).expect("PyJWT prints the claims")),
        Some(MISSING) => panic!("PyJWT is missing ({stderr}): pip install 'pyjwt[crypto]'"),
        _ => Err(stderr),
    }
}

/// A token for user 1 signed by the ring's signing key, naming it by kid.
fn sign(ring: &KeyRing) -> String {
    let mut header = Header::new(ring.signing_algorithm());
    header.kid = Some(ring.signing_kid().to_owned());
    encode(&header, &valid_claims(), ring.encoding_key()).unwrap()
}

fn jwks_json(ring: &KeyRing) -> String {
    serde_json::to_string(ring.jwks()).unwrap()
}

#[test]
fn pyjwt_verifies_every_asymmetric_algorithm_from_the_jwks_alone() {
    for alg in [SigningAlg::EdDsa, SigningAlg::Es256, SigningAlg::Rs256] {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join(Keys::DIR);
        let keys = Keys::open(&dir, alg, None).unwrap();
        let first = keys.current();
        let old_token = sign(&first);
        let claims = verify_with_jwks(&jwks_json(&first), &old_token).unwrap();
        assert_eq!(
            (&claims["sub"], &claims["username"]),
            (&"1".into(), &"alice".into()),
            "{alg}"
        );

        // After a rotation the JWKS carries both keys, and both generations verify.
        Keys::rotate(&dir, alg).unwrap();
        assert!(keys.reload_if_changed().unwrap());
        let second = keys.current();
        let jwks = jwks_json(&second);
        assert!(verify_with_jwks(&jwks, &old_token).is_ok(), "{alg}");
        assert!(verify_with_jwks(&jwks, &sign(&second)).is_ok(), "{alg}");

        // The new key is unknown to a verifier holding the old JWKS.
        let refused = verify_with_jwks(&jwks_json(&first), &sign(&second)).unwrap_err();
        assert!(refused.contains("no key"), "{alg}: {refused}");
    }
}

#[test]
fn pyjwt_refuses_a_tampered_token() {
    let data = tempfile::tempdir().unwrap();
    let ring = Keys::open(&data.path().join(Keys::DIR), SigningAlg::EdDsa, None)
        .unwrap()
        .current();
    let token = sign(&ring);
    let (rest, signature) = token.rsplit_once('.').unwrap();
    // Flip one signature bit: still valid base64url, no longer a valid signature.
    let mut bytes = signature.as_bytes().to_vec();
    bytes[0] = if bytes[0] == b'A' { b'B' } else { b'A' };
    let forged = format!("{rest}.{}", String::from_utf8(bytes).unwrap());
    let refused = verify_with_jwks(&jwks_json(&ring), &forged).unwrap_err();
    assert!(refused.contains("InvalidSignatureError"), "{refused}");
}

#[test]
fn an_hs256_ring_publishes_an_empty_jwks() {
    let data = tempfile::tempdir().unwrap();
    let ring = Keys::open(&data.path().join(Keys::DIR), SigningAlg::Hs256, None)
        .unwrap()
        .current();
    assert_eq!(jwks_json(&ring), r#"{"keys":[]}"#);
    let refused = verify_with_jwks(&jwks_json(&ring), &sign(&ring)).unwrap_err();
    assert!(refused.contains("did not contain any keys"), "{refused}");
}

/// A live server signing with `alg`: its tokens verify with PyJWT given only the
/// served JWKS, and a rotation through the ring is picked up while it runs.
async fn live_server_round_trip(alg: &str) {
    use crate::helpers::TestApp;
    use reqwest::StatusCode;

    let app = TestApp::spawn_with(&["--signing-alg", alg]).await;
    app.register("alice").await;
    let old = app.token_for("alice").await;
    let jwks = app
        .get("/.well-known/jwks.json")
        .await
        .text()
        .await
        .unwrap();
    let claims = verify_with_jwks(&jwks, &old).unwrap_or_else(|err| panic!("{alg}: {err}"));
    assert_eq!(
        (claims["username"].as_str(), claims["sub"].as_str()),
        (Some("alice"), Some("1"))
    );
    let header = jsonwebtoken::decode_header(&old).unwrap();
    assert_eq!(format!("{:?}", header.alg), alg);

    let signing_alg: SigningAlg = alg.parse().unwrap();
    let added = Keys::rotate(&app.data_dir().join(Keys::DIR), signing_alg).unwrap();
    // Wait on what the reload changes (the published keys), not on sign-ins:
    // polling sign-ins spends the per-username limit while a busy machine
    // delays the reload.
    let wait_for_new_key = async {
        while !app
            .get("/.well-known/jwks.json")
            .await
            .text()
            .await
            .unwrap()
            .contains(&added.kid)
        {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), wait_for_new_key)
        .await
        .unwrap_or_else(|_| panic!("{alg}: the server did not publish the new key"));
    let new = app.token_for("alice").await;
    assert_eq!(
        jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
        Some(added.kid.as_str()),
        "{alg}: once published, the new key signs"
    );
    assert_eq!(
        app.get_bearer("/protected", &old).await.status(),
        StatusCode::OK,
        "old keys keep verifying"
    );
    assert_eq!(
        app.get_bearer("/protected", &new).await.status(),
        StatusCode::OK
    );
    let jwks = app
        .get("/.well-known/jwks.json")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        verify_with_jwks(&jwks, &old).is_ok() && verify_with_jwks(&jwks, &new).is_ok(),
        "{alg}"
    );
}

#[tokio::test]
async fn a_live_eddsa_server_is_verifiable_from_its_jwks_and_rotates() {
    live_server_round_trip("EdDSA").await;
}

#[tokio::test]
async fn a_live_es256_server_is_verifiable_from_its_jwks_and_rotates() {
    live_server_round_trip("ES256").await;
}

#[tokio::test]
async fn a_live_rs256_server_is_verifiable_from_its_jwks_and_rotates() {
    live_server_round_trip("RS256").await;
}

/// The classic confusion attack: an HS256 token "signed" with the server's RSA
/// public key as the HMAC secret, naming the RSA key's kid.
#[tokio::test]
async fn rs_hs_confusion_and_key_urls_are_refused() {
    use crate::helpers::{assert_token_refused, TestApp};

    let app = TestApp::spawn_with(&["--signing-alg", "RS256"]).await;
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    let public_n = jwks["keys"][0]["n"].as_str().unwrap().to_owned();
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(kid.clone());
    let secret = jsonwebtoken::EncodingKey::from_secret(public_n.as_bytes());
    let confused = encode(&header, &valid_claims(), &secret).unwrap();
    assert_token_refused(
        app.get_bearer("/protected", &confused).await,
        "Token algorithm is not accepted",
    )
    .await;

    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some("no-such-key".to_owned());
    let unknown = encode(&header, &valid_claims(), &secret).unwrap();
    assert_token_refused(
        app.get_bearer("/protected", &unknown).await,
        "Token signing key is unknown",
    )
    .await;

    header.kid = Some(kid);
    header.jku = Some("https://attacker.example/jwks.json".to_owned());
    let pointing = encode(&header, &valid_claims(), &secret).unwrap();
    assert_token_refused(
        app.get_bearer("/protected", &pointing).await,
        "Token header must not reference or embed keys",
    )
    .await;
}
