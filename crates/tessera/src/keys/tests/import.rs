//! `import`: user-provided PEM private keys join the ring as its signer.

use std::fs;

use argon2::password_hash::rand_core::OsRng;
use jsonwebtoken::Algorithm;
use p256::pkcs8::{EncodePrivateKey, LineEnding};

use super::{sign, verify};
use crate::keys::{KeyError, Keys, SigningAlg};

#[test]
fn pkcs8_pem_keys_of_every_asymmetric_algorithm_import_as_the_signer() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let before = Keys::open(&dir, SigningAlg::Hs256, None).unwrap();
    let old_token = sign(&before.current());
    let pems = [
        // Includes the optional public key (PKCS#8 v2), which jsonwebtoken cannot take as is.
        (
            SigningAlg::EdDsa,
            ed25519_dalek::SigningKey::generate(&mut OsRng)
                .to_pkcs8_pem(LineEnding::LF)
                .unwrap(),
        ),
        (
            SigningAlg::Es256,
            p256::SecretKey::random(&mut OsRng)
                .to_pkcs8_pem(LineEnding::LF)
                .unwrap(),
        ),
        (
            SigningAlg::Rs256,
            rsa::RsaPrivateKey::new(&mut OsRng, 2048)
                .unwrap()
                .to_pkcs8_pem(LineEnding::LF)
                .unwrap(),
        ),
    ];
    for (alg, pem) in pems {
        let file = data.path().join(format!("{alg}.pem"));
        fs::write(&file, pem.as_bytes()).unwrap();
        let added = Keys::import(&dir, &file, alg).unwrap();
        assert!(added.signing);
        // An RFC 7638 thumbprint: 32 bytes of SHA-256, base64url without padding.
        assert_eq!(added.kid.len(), 43, "{}", added.kid);

        let ring = Keys::open(&dir, alg, None).unwrap().current();
        assert_eq!(ring.signing_kid(), added.kid, "the imported key signs");
        assert_eq!(ring.signing_algorithm(), alg.algorithm());
        assert!(verify(&ring, &sign(&ring)).is_ok(), "{alg}");
        assert!(verify(&ring, &old_token).is_ok());
        assert_eq!(Keys::list(&dir).unwrap().last().unwrap().kid, added.kid);

        let again = Keys::import(&dir, &file, alg).unwrap_err();
        assert!(
            matches!(again, KeyError::Duplicate(ref kid) if *kid == added.kid),
            "{again}"
        );
    }
    assert_eq!(Keys::list(&dir).unwrap().len(), 4);
    assert!(before.reload_if_changed().unwrap());
    assert_eq!(before.current().signing_algorithm(), Algorithm::RS256);
}

#[test]
fn unusable_files_are_refused_with_the_reason_and_the_ring_is_untouched() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let ed_pem = ed25519_dalek::SigningKey::generate(&mut OsRng)
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    let small_rsa = rsa::RsaPrivateKey::new(&mut OsRng, 1024)
        .unwrap()
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    let cases: [(&str, &[u8], SigningAlg, &str); 5] = [
        (
            "garbage.pem",
            b"not a key at all\n",
            SigningAlg::EdDsa,
            "expected an unencrypted PKCS#8 PEM",
        ),
        (
            "binary.pem",
            &[0xff, 0xfe, 0x00],
            SigningAlg::Es256,
            "not a PEM file",
        ),
        (
            "ed.pem",
            ed_pem.as_bytes(),
            SigningAlg::Es256,
            "it is an EdDSA key, not an ES256 one",
        ),
        (
            "small.pem",
            small_rsa.as_bytes(),
            SigningAlg::Rs256,
            "1024 bits; at least 2048",
        ),
        (
            "short.secret",
            b"too short\n",
            SigningAlg::Hs256,
            "at least 32 are required",
        ),
    ];
    for (name, content, alg, reason) in cases {
        let file = data.path().join(name);
        fs::write(&file, content).unwrap();
        let err = Keys::import(&dir, &file, alg).unwrap_err();
        assert!(matches!(err, KeyError::InvalidKey { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{} is not a usable {alg} key: ", file.display())),
            "{shown}"
        );
        assert!(shown.contains(reason), "{shown}");
    }
    let missing =
        Keys::import(&dir, &data.path().join("nowhere.pem"), SigningAlg::EdDsa).unwrap_err();
    assert!(missing.to_string().contains("nowhere.pem"), "{missing}");
    assert!(!dir.exists(), "nothing was written");
}
