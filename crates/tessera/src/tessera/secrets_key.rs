//! The second-factor secrets key at start. Every instance of a deployment
//! must hold the same key, or secrets sealed at one do not open at another;
//! the database records a check value of the key (never the key), written by
//! the first instance and compared by every later start.

use std::io;
use std::path::Path;

use crate::mfa::{SecretsKey, SECRETS_KEY_CHECK, SECRETS_KEY_FILE};
use crate::startup::{SecondFactorKeyError, StartupError};
use crate::store::Store;

/// Whether the database already records a secrets key (read before the key
/// ring is touched, so that a refused instance creates nothing).
pub(super) async fn recorded(store: &Store) -> Result<bool, StartupError> {
    Ok(store.key_check(SECRETS_KEY_CHECK).await?.is_some())
}

/// The key file in ring directory `dir` if it exists; refused when it does not
/// but the database records a key (`recorded`): a key created here would be
/// another key.
pub(super) fn existing(dir: &Path, recorded: bool) -> Result<Option<SecretsKey>, StartupError> {
    let found = SecretsKey::load(dir).map_err(|source| data_dir_error(dir, source))?;
    if found.is_none() && recorded {
        return Err(SecondFactorKeyError::Missing {
            path: dir.join(SECRETS_KEY_FILE),
        }
        .into());
    }
    Ok(found)
}

/// The key file in ring directory `dir`, created if absent (only reached when
/// the database records no key yet).
pub(super) fn create(dir: &Path) -> Result<SecretsKey, StartupError> {
    SecretsKey::load_or_create(dir).map_err(|source| data_dir_error(dir, source))
}

/// Records `key`'s check value unless one is recorded (of instances starting
/// together, the first wins), then refuses `key` if the recorded value is
/// another key's. `from_secret`: the key was derived from the configured
/// secret, not read from the file in `dir`.
pub(super) async fn check(
    store: &Store,
    key: &SecretsKey,
    from_secret: bool,
    dir: &Path,
) -> Result<(), StartupError> {
    let recorded = store
        .record_key_check(SECRETS_KEY_CHECK, key.check_value())
        .await?;
    if recorded == key.check_value() {
        return Ok(());
    }
    Err(if from_secret {
        SecondFactorKeyError::SecretDiffers
    } else {
        SecondFactorKeyError::FileDiffers {
            path: dir.join(SECRETS_KEY_FILE),
        }
    }
    .into())
}

fn data_dir_error(dir: &Path, source: io::Error) -> StartupError {
    StartupError::DataDir {
        path: dir.to_path_buf(),
        source,
    }
}
