//! The ring under stress: concurrent writers, and damaged files.

use std::fs;
use std::time::Duration;

use super::disk::kids;
use crate::keys::manifest::MANIFEST;
use crate::keys::{KeyError, Keys, SigningAlg};

#[test]
fn concurrent_rotations_all_land() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    let added: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| Keys::rotate(&dir, SigningAlg::EdDsa).unwrap().kid))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap())
            .collect()
    });
    let mut listed = kids(&dir);
    listed.sort();
    let mut added = added;
    added.sort();
    assert_eq!(listed, added);
}

#[test]
fn a_damaged_ring_is_an_error_naming_the_file_and_the_old_ring_stays() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(Keys::DIR);
    assert!(matches!(Keys::list(&dir), Err(KeyError::NoRing(_))));
    assert!(matches!(
        Keys::prune(&dir, Duration::ZERO),
        Err(KeyError::NoRing(_))
    ));
    assert!(!dir.exists());

    let keys = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap();
    let kid = keys.current().signing_kid().to_owned();
    let good = fs::read(dir.join(MANIFEST)).unwrap();
    let damaged: [(&[u8], &str); 4] = [
        (b"{not json", "keyring.json is invalid"),
        (br#"{"version":1,"keys":[]}"#, "lists no key"),
        (br#"{"version":9,"keys":[]}"#, "version 9"),
        (
            br#"{"version":1,"keys":[{"kid":"../x","alg":"EdDSA","created_at":1}]}"#,
            "not a plain key id",
        ),
    ];
    for (manifest, complaint) in damaged {
        fs::write(dir.join(MANIFEST), manifest).unwrap();
        let err = keys.reload_if_changed().unwrap_err();
        assert!(err.to_string().contains(complaint), "{err}");
        assert_eq!(keys.current().signing_kid(), kid);
    }

    // A key file holding some other key than its name says.
    fs::write(dir.join(MANIFEST), &good).unwrap();
    let other = Keys::rotate(&data.path().join("other"), SigningAlg::EdDsa).unwrap();
    fs::copy(
        data.path().join("other").join(format!("{}.pem", other.kid)),
        dir.join(format!("{kid}.pem")),
    )
    .unwrap();
    let err = Keys::open(&dir, SigningAlg::EdDsa, None).unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "{kid}.pem is not a usable EdDSA key: it holds key {}",
            other.kid
        )),
        "{err}"
    );
}
