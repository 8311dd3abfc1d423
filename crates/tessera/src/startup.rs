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
    /// This instance's second-factor secrets key is not the one the shared
    /// database's second-factor secrets are sealed with.
    #[error(transparent)]
    SecondFactorKey(#[from] SecondFactorKeyError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The I/O failure.
        source: io::Error,
    },
}

/// Why this instance's second-factor secrets key was refused: the database
/// records (as a check value) the key its TOTP secrets and recovery codes are
/// sealed with, and this instance's key is missing or another one. Starting
/// anyway would lock users out whenever their requests reach this instance.
#[derive(Debug, thiserror::Error)]
pub enum SecondFactorKeyError {
    /// The key ring has no key file, but the database records a key: this
    /// instance must not create its own.
    #[error(
        "the database's second-factor secrets are sealed with a key this instance does not have \
         ({} is missing); copy {} from an instance that works (do not let this instance \
         create its own), then start again",
        path.display(),
        path.display()
    )]
    Missing {
        /// Where the key file belongs.
        path: PathBuf,
    },
    /// The key file holds another key than the database records.
    #[error(
        "{} is not the key the database's second-factor secrets are sealed with; replace it \
         with a copy of {} from an instance that works, then start again",
        path.display(),
        path.display()
    )]
    FileDiffers {
        /// The key file.
        path: PathBuf,
    },
    /// The key derived from the configured HS256 secret differs from the one
    /// the database records.
    #[error(
        "the second-factor key derived from this instance's TESSERA_JWT_SECRET is not the key \
         the database's second-factor secrets are sealed with; give every instance the same \
         TESSERA_JWT_SECRET (the one the instances that work have), then start again"
    )]
    SecretDiffers,
}
