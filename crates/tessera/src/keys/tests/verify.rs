//! The verification rules token.rs relies on, for every algorithm.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::AlgorithmParameters;
use jsonwebtoken::{decode, decode_header, encode, Algorithm, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};

use super::{claims, sign, verify};
use crate::keys::material::Material;
use crate::keys::{KeyRing, SigningAlg};
use crate::secret::JwtSecret;

const ALL: [SigningAlg; 4] = [
    SigningAlg::Hs256,
    SigningAlg::EdDsa,
    SigningAlg::Es256,
    SigningAlg::Rs256,
];

fn ring(alg: SigningAlg) -> KeyRing {
    KeyRing::assemble(Material::generate(alg).unwrap(), Vec::new(), None)
}

#[test]
fn every_algorithm_signs_and_verifies_by_kid() {
    for alg in ALL {
        let ring = ring(alg);
        assert_eq!(ring.signing_algorithm(), alg.algorithm());
        let token = sign(&ring);
        assert_eq!(verify(&ring, &token).unwrap()["sub"], "7", "{alg}");
        let key = ring.verifying_key(ring.signing_kid()).unwrap();
        assert_eq!(key.algorithm, alg.algorithm());
        // Another key of the same algorithm does not verify it.
        let other = self::ring(alg);
        let decoded = decode::<Value>(
            &token,
            &other.verifying_keys()[0].decoding,
            &Validation::new(key.algorithm),
        );
        assert!(
            matches!(
                decoded.unwrap_err().into_kind(),
                ErrorKind::InvalidSignature
            ),
            "{alg}"
        );
    }
}

#[test]
fn the_jwks_lists_public_keys_only() {
    assert!(ring(SigningAlg::Hs256).jwks().keys.is_empty());
    let ring = ring(SigningAlg::Es256);
    let jwks = serde_json::to_value(ring.jwks()).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(key["kid"], ring.signing_kid());
    assert_eq!(
        (key["alg"].as_str(), key["use"].as_str()),
        (Some("ES256"), Some("sig"))
    );
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    assert!(key.get("d").is_none(), "no private part: {key}");
}

#[test]
fn a_header_alg_other_than_the_keys_is_refused() {
    let ed = ring(SigningAlg::EdDsa);
    let es = ring(SigningAlg::Es256);
    // Signed by the ES256 key but naming the EdDSA key's kid.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(ed.signing_kid().to_owned());
    let token = encode(&header, &claims(), es.encoding_key()).unwrap();
    assert!(ed.key_for(&decode_header(&token).unwrap()).is_none());
    let key = ed.verifying_key(ed.signing_kid()).unwrap();
    let decoded = decode::<Value>(&token, &key.decoding, &Validation::new(key.algorithm));
    assert!(matches!(
        decoded.unwrap_err().kind(),
        ErrorKind::InvalidAlgorithm
    ));
}

#[test]
fn an_hs256_token_keyed_with_the_rsa_public_key_is_refused() {
    let ring = ring(SigningAlg::Rs256);
    let AlgorithmParameters::RSA(params) = &ring.jwks().keys[0].algorithm else {
        panic!("not an RSA JWK");
    };
    let component = |b64: &str| rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(b64).unwrap());
    let public = rsa::RsaPublicKey::new(component(&params.n), component(&params.e)).unwrap();
    let spki = public.to_public_key_pem(LineEnding::LF).unwrap();
    let pkcs1 = public.to_pkcs1_pem(LineEnding::LF).unwrap();
    for pem in [spki.as_bytes(), pkcs1.as_bytes()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(ring.signing_kid().to_owned());
        let token = encode(&header, &claims(), &EncodingKey::from_secret(pem)).unwrap();
        assert_eq!(verify(&ring, &token), Err(ErrorKind::InvalidToken));
        // Even a caller that trusted the header's alg gets no HMAC out of an RSA key.
        let key = ring.verifying_key(ring.signing_kid()).unwrap();
        let trusting = Validation::new(Algorithm::HS256);
        assert!(decode::<Value>(&token, &key.decoding, &trusting).is_err());
    }
}

#[test]
fn alg_none_unknown_kids_and_foreign_keys_are_refused() {
    let ring = ring(SigningAlg::EdDsa);
    let token = sign(&ring);
    let b64 = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let payload = token.split('.').nth(1).unwrap();
    let unsigned = format!(
        "{}.{payload}.",
        b64(json!({ "alg": "none", "kid": ring.signing_kid() }))
    );
    assert!(verify(&ring, &unsigned).is_err());

    let mut header = decode_header(&token).unwrap();
    assert!(ring.key_for(&header).is_some());
    header.kid = Some("someone-else".to_owned());
    assert!(ring.key_for(&header).is_none());
    header.kid = None;
    assert!(
        ring.key_for(&header).is_none(),
        "no legacy key in this ring"
    );
    let foreign = self::ring(SigningAlg::EdDsa).jwks().keys[0].clone();
    let pristine = decode_header(&token).unwrap();
    let tweaked = [
        Header {
            jku: Some("https://evil.example/jwks.json".to_owned()),
            ..pristine.clone()
        },
        Header {
            x5u: Some("https://evil.example/cert.pem".to_owned()),
            ..pristine.clone()
        },
        Header {
            jwk: Some(foreign),
            ..pristine.clone()
        },
        Header {
            x5c: Some(vec!["MIIB".to_owned()]),
            ..pristine.clone()
        },
        Header {
            crit: Some(vec!["exp".to_owned()]),
            ..pristine
        },
    ];
    for header in tweaked {
        assert!(ring.key_for(&header).is_none(), "{header:?}");
    }
}

#[test]
fn a_secret_ring_has_a_stable_kid_and_takes_kidless_tokens() {
    let secret = JwtSecret::new(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
    let ring = KeyRing::from_secret(&secret);
    assert_eq!(ring.signing_kid(), "hs-3eb1bd439947eb76");
    assert_eq!(
        ring.signing_kid(),
        KeyRing::from_secret(&secret).signing_kid()
    );
    assert!(ring.jwks().keys.is_empty());
    let kidless = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        ring.encoding_key(),
    )
    .unwrap();
    assert_eq!(verify(&ring, &kidless).unwrap()["sub"], "7");
    assert_eq!(verify(&ring, &sign(&ring)).unwrap()["sub"], "7");
}

#[test]
fn signatures_get_the_same_answer_from_every_key_as_from_jsonwebtoken() {
    use crate::keys::SignatureError;
    for alg in ALL {
        let ring = ring(alg);
        let token = sign(&ring);
        let (message, signature) = token.rsplit_once('.').unwrap();
        let key = ring.verifying_key(ring.signing_kid()).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let mut flipped = bytes.clone();
        flipped[0] ^= 1;
        let flipped = URL_SAFE_NO_PAD.encode(flipped);
        let long = URL_SAFE_NO_PAD.encode([bytes.as_slice(), &[0; 3]].concat());
        let short = URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() - 1]);
        let cases: [(&str, &[u8], Result<(), SignatureError>); 6] = [
            (signature, message.as_bytes(), Ok(())),
            (signature, b"another message", Err(SignatureError::Mismatch)),
            (&flipped, message.as_bytes(), Err(SignatureError::Mismatch)),
            (&long, message.as_bytes(), Err(SignatureError::Mismatch)),
            (&short, message.as_bytes(), Err(SignatureError::Mismatch)),
            (
                "not base64!",
                message.as_bytes(),
                Err(SignatureError::Encoding),
            ),
        ];
        for (signature, message, expected) in cases {
            assert_eq!(
                key.check_signature(message, signature),
                expected,
                "{alg:?}: {signature}"
            );
            let reference =
                jsonwebtoken::crypto::verify(signature, message, &key.decoding, key.algorithm);
            let reference = match reference {
                Ok(true) => Ok(()),
                Ok(false) => Err(SignatureError::Mismatch),
                Err(_) => Err(SignatureError::Encoding),
            };
            assert_eq!(reference, expected, "{alg:?}: jsonwebtoken on {signature}");
        }
    }
}
