//! The command line: flags and `TESSERA_<NAME>` variables, turned into the
//! library's [`Config`] and [`ServerConfig`]. Every default shown in `--help`
//! is read from those structs' `Default`, so it is written once, there.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tessera::SigningAlg;
use tessera::{Config, StoreConfig};

/// Tessera: a JWT authentication server.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The `tessera` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Manage the signing keys (works while servers run; they pick changes up within seconds).
    Keys {
        /// Which key operation.
        #[command(subcommand)]
        command: KeysCommand,
        /// Which data dir.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage user accounts in the store (works while a server runs).
    User {
        /// Which user operation.
        #[command(subcommand)]
        command: UserCommand,
        /// Which store.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `tessera user ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user; asks for the password twice without echo.
    Add {
        /// The new username (1-64 letters, digits, '.', '_', '-').
        name: String,
        /// Read the password as one line from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// Grant a role (repeatable), e.g. `--role admin`. Default: none.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// List every user.
    List,
    /// Delete a user.
    Delete {
        /// The username to delete.
        name: String,
    },
    /// Set a user's password (asks twice without echo) and sign out every
    /// device signed in to the account.
    SetPassword {
        /// The username.
        name: String,
        /// Read the password as one line from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a one-time password reset link for a user (valid 30 minutes), to
    /// hand over by other means than mail.
    ResetLink {
        /// The username.
        name: String,
        /// Where the browser app is served, e.g. `https://auth.example`: the
        /// link's origin.
        #[arg(long, env = "TESSERA_PUBLIC_URL")]
        public_url: String,
    },
}

/// `tessera keys ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Add a new signing key; older keys keep verifying until pruned.
    Rotate {
        /// Algorithm of the new key: HS256, EdDSA, ES256 or RS256.
        #[arg(long, env = "TESSERA_SIGNING_ALG", default_value_t = Config::default().signing_alg)]
        signing_alg: SigningAlg,
    },
    /// Add a PKCS#8 PEM private key (for HS256: a secret file) as the new signing key.
    Import {
        /// The key file.
        file: PathBuf,
        /// The key's algorithm: HS256, EdDSA, ES256 or RS256.
        #[arg(long, env = "TESSERA_SIGNING_ALG", default_value_t = Config::default().signing_alg)]
        signing_alg: SigningAlg,
    },
    /// Remove keys that no valid token can carry any more.
    Prune {
        /// How long a replaced key keeps verifying after its successor took over: at
        /// least the refresh TTL plus leeway plus the servers' 2 s key reload.
        #[arg(long, default_value_t = Human(retire_after_default()))]
        retire_after: Human,
    },
    /// List the keys, oldest first.
    List,
}

/// The default refresh TTL, the largest leeway any server may allow and the key
/// reload, rounded up to whole minutes.
fn retire_after_default() -> Duration {
    let config = Config::default();
    let needed = config.refresh_ttl + tessera::MAX_LEEWAY + tessera::KEY_RELOAD_INTERVAL;
    Duration::from_secs(needed.as_secs().div_ceil(60) * 60)
}

/// Where the data lives; shared by `serve`, `user` and `keys`.
///
/// The flags are global so that `tessera user add alice --data-dir d` works as
/// well as `tessera user --data-dir d add alice`.
#[derive(Debug, Clone, Args)]
pub(crate) struct StoreArgs {
    /// Directory for the embedded database and the key ring.
    #[arg(long, global = true, env = "TESSERA_DATA_DIR",
          default_value_os_t = StoreConfig::default().data_dir)]
    data_dir: PathBuf,
    /// Database URL: `sqlite://PATH` (embedded) or `postgres://USER@HOST/DB` (shared by
    /// many instances). Default: `sqlite://<data-dir>/tessera.db`.
    #[arg(long, global = true, env = "TESSERA_DATABASE_URL")]
    database_url: Option<String>,
    /// Most database connections per process.
    #[arg(long, global = true, env = "TESSERA_DB_POOL_SIZE",
          default_value_t = StoreConfig::default().db_pool_size)]
    db_pool_size: u32,
    /// Longest wait for a database connection, lock or (Postgres) statement before the
    /// request fails with 503.
    #[arg(long, global = true, env = "TESSERA_DB_TIMEOUT",
          default_value_t = Human(StoreConfig::default().db_timeout))]
    db_timeout: Human,
}

impl From<StoreArgs> for StoreConfig {
    fn from(args: StoreArgs) -> Self {
        Self {
            data_dir: args.data_dir,
            database_url: args.database_url,
            db_pool_size: args.db_pool_size,
            db_timeout: args.db_timeout.0,
        }
    }
}

/// A duration as people write it (`15m`, `14d 2m`), printed the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Human(pub(crate) Duration);

impl FromStr for Human {
    type Err = humantime::DurationError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        humantime::parse_duration(value).map(Self)
    }
}

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        humantime::format_duration(self.0).fmt(f)
    }
}

impl From<Human> for OsString {
    fn from(value: Human) -> Self {
        value.to_string().into()
    }
}

pub(crate) use crate::serve_args::ServeArgs;
