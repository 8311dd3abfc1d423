//! The data dir and the embedded database in it, kept private to the account
//! that runs Tessera.
//!
//! The database holds argon2 hashes and the key ring holds signing keys: other
//! local accounts must not read either. A dir Tessera creates is 0700 from the
//! start, but an operator may have made it beforehand (`mkdir` gives 0755), and
//! SQLite creates its files with the process's umask (typically 0644). So at
//! every start the dir's group/other permissions are removed when this account
//! owns it (with a warning) and refused otherwise (and for shared dirs), and the SQLite database is
//! created 0600 before SQLite opens it (its `-wal` and `-shm` files take the
//! database's permissions).

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use crate::config::StoreConfig;
use crate::startup::StartupError;
use crate::store::{Store, StoreOptions};

/// Mode of the data dir (and of any dir Tessera creates for its data).
const PRIVATE_DIR: u32 = 0o700;
/// Mode of the database files.
const PRIVATE_FILE: u32 = 0o600;

/// What to do about a path's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Only the owner has access.
    Private,
    /// Group or others have access, and the path is ours: remove it.
    Tighten,
    /// Group or others have access, and another account owns the path, or it
    /// is a shared one (world-writable or sticky, like `/tmp`) that changing
    /// would break for others.
    Refuse,
}

fn verdict(mode: u32, owner: u32, us: u32) -> Verdict {
    const SHARED: u32 = 0o1002; // sticky, or writable by others
    if mode & 0o077 == 0 {
        Verdict::Private
    } else if owner == us && mode & SHARED == 0 {
        Verdict::Tighten
    } else {
        Verdict::Refuse
    }
}

// `open` is written here, beside what it does first, so that the
// configuration does not depend on the store or on the startup errors.
impl StoreConfig {
    /// Makes the data dir private (creating it if needed), then opens and
    /// migrates the store this configuration names.
    pub(crate) async fn open(&self) -> Result<Store, StartupError> {
        prepare(self)?;
        let options = StoreOptions {
            max_connections: self.db_pool_size.max(1),
            timeout: self.db_timeout,
        };
        let store = Store::open_with(&self.database_url(), &options).await?;
        Ok(store)
    }
}

/// Creates the data dir if needed and makes it and the embedded database
/// private (see the module docs); refuses a dir or file other accounts can
/// read that this account may not fix.
pub(crate) fn prepare(store: &StoreConfig) -> Result<(), StartupError> {
    let dir = &store.data_dir;
    let failed = |source| StartupError::DataDir {
        path: dir.clone(),
        source,
    };
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR);
    builder.create(dir).map_err(failed)?;
    make_private(dir, PRIVATE_DIR)?;
    if let Some(database) = sqlite_file(&store.database_url()) {
        create_private_file(&database).map_err(|source| StartupError::DataDir {
            path: database.clone(),
            source,
        })?;
        for suffix in ["", "-wal", "-shm"] {
            let mut path = database.clone().into_os_string();
            path.push(suffix);
            let path = PathBuf::from(path);
            if path.exists() {
                make_private(&path, PRIVATE_FILE)?;
            }
        }
    }
    Ok(())
}

/// The file behind a SQLite URL; `None` for other engines and in-memory databases.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_owned())
}

/// Creates `path` empty with mode 0600 unless it exists (SQLite takes an empty
/// file for an empty database).
fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE);
    options.open(path).map(drop)
}

/// Removes group/other permissions from `path` (setting `private`) if this
/// account owns it; refuses it if another account does.
#[cfg(unix)]
fn make_private(path: &Path, private: u32) -> Result<(), StartupError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let failed = |source| StartupError::DataDir {
        path: path.to_owned(),
        source,
    };
    let metadata = fs::metadata(path).map_err(failed)?;
    let mode = metadata.mode() & 0o7777;
    let us = rustix::process::geteuid().as_raw();
    match verdict(mode, metadata.uid(), us) {
        Verdict::Private => Ok(()),
        Verdict::Tighten => {
            fs::set_permissions(path, fs::Permissions::from_mode(private)).map_err(failed)?;
            tracing::warn!(
                path = %path.display(),
                "{} was readable by other accounts (mode {mode:04o}); changed it to {private:04o}",
                path.display()
            );
            Ok(())
        }
        Verdict::Refuse => Err(StartupError::NotPrivate {
            path: path.to_owned(),
            mode,
            owner: metadata.uid(),
        }),
    }
}

#[cfg(not(unix))]
fn make_private(_path: &Path, _private: u32) -> Result<(), StartupError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_or_other_access_is_removed_from_our_paths_and_refused_on_others() {
        assert_eq!(verdict(0o700, 1000, 1000), Verdict::Private);
        assert_eq!(verdict(0o600, 0, 1000), Verdict::Private);
        assert_eq!(verdict(0o755, 1000, 1000), Verdict::Tighten);
        assert_eq!(verdict(0o640, 1000, 1000), Verdict::Tighten);
        assert_eq!(verdict(0o701, 1000, 1000), Verdict::Tighten);
        assert_eq!(verdict(0o755, 0, 1000), Verdict::Refuse);
        assert_eq!(verdict(0o644, 1000, 0), Verdict::Refuse);
        assert_eq!(
            verdict(0o1777, 0, 0),
            Verdict::Refuse,
            "/tmp stays as it is"
        );
        assert_eq!(verdict(0o777, 1000, 1000), Verdict::Refuse);
    }

    #[test]
    fn only_sqlite_files_are_managed() {
        assert_eq!(
            sqlite_file("sqlite://data/tessera.db"),
            Some(PathBuf::from("data/tessera.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
