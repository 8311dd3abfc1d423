//! Instances sharing one Postgres never seal second-factor secrets with
//! different keys: a start whose key is missing or another one fails with a
//! typed error saying what to copy, and creates nothing.

use std::path::Path;

use tessera::{Config, JwtSecret, SecondFactorKeyError, StartupError, StoreConfig, Tessera};

use crate::database::TestSchema;

const KEY_FILE: &str = "second-factor.key";

fn config(schema: &TestSchema, dir: &Path, secret: Option<&JwtSecret>) -> Config {
    Config {
        store: StoreConfig {
            data_dir: dir.to_owned(),
            database_url: Some(schema.url()),
            ..StoreConfig::default()
        },
        jwt_secret: secret.cloned(),
        ..Config::default()
    }
}

async fn refused(config: Config) -> StartupError {
    match Tessera::open(config).await {
        Ok(_) => panic!("the instance must not start"),
        Err(err) => err,
    }
}

#[tokio::test]
async fn an_instance_with_another_key_file_or_none_is_refused_and_a_copy_opens() {
    let schema = TestSchema::create().await;
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    Tessera::open(config(&schema, first.path(), None))
        .await
        .expect("the first instance creates and records its key");
    let first_key = first.path().join("keys").join(KEY_FILE);
    let second_keys = second.path().join("keys");

    // A ring copied before the key file existed: no key file, a recorded key.
    let err = refused(config(&schema, second.path(), None)).await;
    let StartupError::SecondFactorKey(SecondFactorKeyError::Missing { path }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, &second_keys.join(KEY_FILE));
    let message = err.to_string();
    assert!(
        message.contains("copy") && message.contains(KEY_FILE),
        "{message}"
    );
    assert!(!second_keys.join(KEY_FILE).exists(), "no key of its own");
    assert!(!second_keys.exists(), "nor a key ring: {second_keys:?}");

    // An instance that made its own key (an upgrade with per-instance rings).
    std::fs::create_dir_all(&second_keys).unwrap();
    std::fs::write(second_keys.join(KEY_FILE), "ab".repeat(32)).unwrap();
    let err = refused(config(&schema, second.path(), None)).await;
    assert!(
        matches!(
            &err,
            StartupError::SecondFactorKey(SecondFactorKeyError::FileDiffers { path })
                if *path == second_keys.join(KEY_FILE)
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("from an instance that works"),
        "{err}"
    );

    std::fs::copy(&first_key, second_keys.join(KEY_FILE)).unwrap();
    Tessera::open(config(&schema, second.path(), None))
        .await
        .expect("the same key opens");
}

#[tokio::test]
async fn instances_deriving_the_key_from_different_secrets_are_refused() {
    let schema = TestSchema::create().await;
    let secret = JwtSecret::generate();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    Tessera::open(config(&schema, first.path(), Some(&secret)))
        .await
        .expect("the first instance records the derived key");

    let err = refused(config(&schema, second.path(), Some(&JwtSecret::generate()))).await;
    assert!(
        matches!(
            err,
            StartupError::SecondFactorKey(SecondFactorKeyError::SecretDiffers)
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("same TESSERA_JWT_SECRET"), "{err}");

    Tessera::open(config(&schema, second.path(), Some(&secret)))
        .await
        .expect("the same secret opens, whatever its data dir");
}

#[tokio::test]
async fn of_instances_first_starting_together_with_their_own_keys_one_starts() {
    let schema = TestSchema::create().await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let (a, b) = futures::future::join(
        Tessera::open(config(&schema, dirs[0].path(), None)),
        Tessera::open(config(&schema, dirs[1].path(), None)),
    )
    .await;
    let refused = match (a, b) {
        (Ok(_), Err(err)) | (Err(err), Ok(_)) => err,
        (Ok(_), Ok(_)) => panic!("two different keys both started"),
        (Err(a), Err(b)) => panic!("neither started: {a}; {b}"),
    };
    // Which one depends on timing: the loser either recorded nothing yet and
    // lost the insert (another key), or found the winner's value first.
    assert!(
        matches!(
            refused,
            StartupError::SecondFactorKey(
                SecondFactorKeyError::FileDiffers { .. } | SecondFactorKeyError::Missing { .. }
            )
        ),
        "{refused:?}"
    );
}
