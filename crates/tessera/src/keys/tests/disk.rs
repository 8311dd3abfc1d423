//! The on-disk ring: creation, reuse, rotation, reloading, pruning, legacy secrets.

use std::fs;
use std::path::Path;
use std::time::Duration;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};

use super::{claims, sign, verify};
use crate::clock::unix_now;
use crate::keys::disk::prune_at;
use crate::keys::manifest::{self, MANIFEST};
use crate::keys::{KeyRing, Keys, SigningAlg};
use crate::secret::{JwtSecret, SECRET_FILE};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

pub(super) fn kids(dir: &Path) -> Vec<String> {
    Keys::list(dir)
        .unwrap()
        .into_iter()
        .map(|key| key.kid)
        .collect()
}

#[test]
fn the_first_open_creates_a_private_key_and_later_opens_reuse_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let ring = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap().current();
    assert_eq!(ring.signing_algorithm(), Algorithm::EdDSA);
    let pem = dir.join(format!("{}.pem", ring.signing_kid()));
    assert!(fs::read_to_string(&pem)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    #[cfg(unix)]
    {
        assert_eq!(super::mode(&dir), 0o700);
        assert_eq!(super::mode(&pem), 0o600);
        assert_eq!(super::mode(&dir.join(MANIFEST)), 0o600);
    }
    let again = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap().current();
    assert_eq!(again.signing_kid(), ring.signing_kid());
    assert!(verify(&again, &sign(&ring)).is_ok());
    assert_eq!(kids(&dir), [ring.signing_kid()]);
}

#[test]
fn opening_with_another_algorithm_adds_a_signer_and_keeps_the_old_key() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let es = Keys::open(&dir, SigningAlg::Es256, None).unwrap().current();
    let ed = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap().current();
    assert_eq!(ed.signing_algorithm(), Algorithm::EdDSA);
    assert!(verify(&ed, &sign(&es)).is_ok());
    assert_eq!(kids(&dir), [es.signing_kid(), ed.signing_kid()]);
    assert_eq!(ed.jwks().keys.len(), 2);
}

#[test]
fn a_rotation_by_another_process_is_picked_up_and_old_tokens_still_verify() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let keys = Keys::open(&dir, SigningAlg::Es256, None).unwrap();
    let before = keys.current();
    let old_token = sign(&before);
    assert!(!keys.reload_if_changed().unwrap());

    let added = Keys::rotate(&dir, SigningAlg::Es256).unwrap();
    assert!(added.signing);
    assert_ne!(added.kid, before.signing_kid());
    // Servers reload from a background task: another thread.
    let reloaded = std::thread::scope(|scope| {
        scope
            .spawn(|| keys.reload_if_changed().unwrap())
            .join()
            .unwrap()
    });
    assert!(reloaded);
    let after = keys.current();
    assert_eq!(after.signing_kid(), added.kid);
    assert!(verify(&after, &old_token).is_ok());
    assert!(verify(&after, &sign(&after)).is_ok());
    assert!(
        verify(&before, &sign(&after)).is_err(),
        "snapshots never change"
    );
    assert!(!keys.reload_if_changed().unwrap());

    let listed = Keys::list(&dir).unwrap();
    assert_eq!(
        listed.iter().map(|key| key.signing).collect::<Vec<_>>(),
        [false, true]
    );
}

#[test]
fn prune_removes_retired_keys_only_and_never_the_signer() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    for _ in 0..3 {
        Keys::rotate(&dir, SigningAlg::EdDsa).unwrap();
    }
    let hour = Duration::from_secs(3600);
    assert_eq!(
        Keys::prune(&dir, hour).unwrap(),
        [],
        "every successor is seconds old"
    );
    let [a, b, c] = <[String; 3]>::try_from(kids(&dir)).unwrap();

    // Backdate: b has signed since 2 h ago, c (the signer) since 10 min ago.
    let now = unix_now();
    let bytes = manifest::read_manifest(&dir).unwrap().unwrap();
    let mut ring = manifest::parse_manifest(&dir, &bytes).unwrap();
    for (entry, age) in ring.keys.iter_mut().zip([3 * 3600, 2 * 3600, 600]) {
        entry.created_at = now - age;
    }
    fs::write(dir.join(MANIFEST), serde_json::to_vec(&ring).unwrap()).unwrap();
    let keys = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap();
    let token_of_a = {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(a.clone());
        let pem = fs::read(dir.join(format!("{a}.pem"))).unwrap();
        let a_key = crate::keys::material::Material::parse(SigningAlg::EdDsa, &pem).unwrap();
        encode(&header, &claims(), &a_key.encoding).unwrap()
    };
    assert!(verify(&keys.current(), &token_of_a).is_ok());

    let removed = prune_at(&dir, hour, now).unwrap();
    assert_eq!(removed.iter().map(|key| &key.kid).collect::<Vec<_>>(), [&a]);
    assert!(!dir.join(format!("{a}.pem")).exists());
    assert_eq!(kids(&dir), [b.clone(), c.clone()]);
    assert!(keys.reload_if_changed().unwrap());
    assert!(verify(&keys.current(), &token_of_a).is_err());

    // Hours later only the signer is left, however short the retirement.
    assert_eq!(prune_at(&dir, hour, now + 2 * 3600).unwrap()[0].kid, b);
    assert_eq!(prune_at(&dir, Duration::ZERO, now + 9 * 3600).unwrap(), []);
    assert_eq!(kids(&dir), [c]);
}

#[test]
fn the_legacy_jwt_secret_is_adopted_so_kidless_tokens_keep_verifying() {
    let old_token = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let expected_kid = KeyRing::from_secret(&JwtSecret::new(SECRET).unwrap())
        .signing_kid()
        .to_owned();
    for alg in [SigningAlg::Hs256, SigningAlg::EdDsa] {
        let data = tempfile::tempdir().unwrap();
        // Hand-edited files end in a newline; it is not part of the key.
        fs::write(data.path().join(SECRET_FILE), [SECRET, b"\n"].concat()).unwrap();
        let dir = data.path().join(Keys::DIR);
        let ring = Keys::open(&dir, alg, None).unwrap().current();
        assert_eq!(ring.signing_algorithm(), alg.algorithm());
        assert!(verify(&ring, &old_token).is_ok(), "{alg}");
        assert_eq!(ring.legacy_key().unwrap().kid, expected_kid);
        let copy = dir.join(format!("{expected_kid}.secret"));
        assert_eq!(fs::read(&copy).unwrap(), SECRET);
        #[cfg(unix)]
        assert_eq!(super::mode(&copy), 0o600);
        assert_eq!(kids(&dir)[0], expected_kid);
        // No public part to publish for an HMAC key.
        assert_eq!(
            ring.jwks().keys.len(),
            usize::from(alg != SigningAlg::Hs256)
        );
    }
}

#[test]
fn a_configured_secret_is_the_whole_hs256_ring_and_still_verifies_after_a_switch() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let secret = JwtSecret::new(SECRET).unwrap();
    let keys = Keys::open(&dir, SigningAlg::Hs256, Some(secret.clone())).unwrap();
    let ring = keys.current();
    assert_eq!(ring.signing_kid(), "hs-3eb1bd439947eb76");
    assert!(!dir.exists(), "no disk ring for a configured secret");
    assert!(!keys.reload_if_changed().unwrap());
    let hs_token = sign(&ring);

    let keys = Keys::open(&dir, SigningAlg::Es256, Some(secret)).unwrap();
    Keys::rotate(&dir, SigningAlg::Es256).unwrap();
    assert!(keys.reload_if_changed().unwrap());
    let ring = keys.current();
    assert_eq!(ring.signing_algorithm(), Algorithm::ES256);
    let kidless = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    assert!(verify(&ring, &hs_token).is_ok());
    assert!(verify(&ring, &kidless).is_ok());
    assert_eq!(ring.jwks().keys.len(), 2, "the secret is never published");
}
