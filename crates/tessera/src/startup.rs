//! Why Tessera could not start: one error for everything [`Tessera::open`](crate::Tessera::open)
//! and [`Server::bind`](crate::Server::bind) check, each message saying what to fix.

use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;
use crate::keys::KeyError;
use crate::secret::SecretError;
use crate::site::MissingIndex;
use crate::store::StoreError;

/// Why a [`Tessera`](crate::Tessera) (or a [`Server`](crate::Server)) could not be built; each
/// message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is out of its safe range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The signing secret is unusable (too short, for one).
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The key ring could not be loaded or created.
    #[error("cannot load the signing keys: {0}")]
    Keys(#[from] KeyError),
    /// The data dir could not be created.
    #[error("cannot create the data dir {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O failure.
        source: io::Error,
    },
    /// The data dir or the database is open to other accounts, and Tessera may
    /// not (or will not) change that.
    #[error(
        "{} can be read by other accounts (mode {mode:04o}, owner uid {owner}) and is not this \
         account's to make private (or is a shared dir); run `chmod go= {}` as its owner or \
         choose another data dir",
        path.display(),
        path.display()
    )]
    NotPrivate {
        /// The dir or file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// Its owner's uid.
        owner: u32,
    },
    /// The database could not be opened or migrated (unreachable, refused, ...).
    #[error("cannot open the user store: {0}")]
    Store(#[from] StoreError),
    /// The browser app's directory holds no built app.
    #[error(transparent)]
    Site(#[from] MissingIndex),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The I/O failure.
        source: io::Error,
    },
}
