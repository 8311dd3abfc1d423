//! `tessera user ...` and `tessera keys ...`: account and key management from the shell.

use std::io::{self, BufRead, IsTerminal};
use std::time::{Duration, UNIX_EPOCH};

use tessera::{Accounts, AccountsError, StartupError, StoreConfig};
use tessera::{KeyError, Keys};

use crate::args::{KeysCommand, UserCommand};

/// A user command that failed; its message is meant for the terminal.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UserCommandError {
    /// The store could not be opened.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The accounts refused or failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// Input was refused; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The password could not be read.
    #[error("cannot read the password: {0}")]
    Input(#[from] io::Error),
}

/// Runs one user command, writing its result to standard output.
pub(crate) async fn users(
    command: UserCommand,
    store: &StoreConfig,
) -> Result<(), UserCommandError> {
    let accounts = Accounts::open(store).await?;
    let result = match command {
        UserCommand::Add {
            name,
            password_stdin,
            roles,
        } => add(&accounts, &name, password_stdin, &roles).await,
        UserCommand::List => list(&accounts).await,
        UserCommand::Delete { name } => delete(&accounts, &name).await,
        UserCommand::SetPassword {
            name,
            password_stdin,
        } => set_password(&accounts, &name, password_stdin).await,
        UserCommand::ResetLink { name, public_url } => {
            reset_link(&accounts, &name, &public_url).await
        }
    };
    accounts.close().await;
    result
}

async fn set_password(
    accounts: &Accounts,
    name: &str,
    password_stdin: bool,
) -> Result<(), UserCommandError> {
    if accounts.find(name).await?.is_none() {
        return Err(AccountsError::NoSuchUser(name.to_owned()).into());
    }
    let password = read_password_off_thread(password_stdin).await?;
    // Servers follow the store's revocations: every session ends everywhere.
    let ended = accounts.set_password(name, password).await?;
    println!("set the password of '{name}'; {ended} session(s) signed out");
    Ok(())
}

async fn reset_link(
    accounts: &Accounts,
    name: &str,
    public_url: &str,
) -> Result<(), UserCommandError> {
    let origin = url::Url::parse(public_url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .map(|url| url.origin().ascii_serialization())
        .ok_or_else(|| {
            UserCommandError::Invalid(format!(
                "--public-url {public_url:?} must be an absolute http(s) URL such as https://auth.example"
            ))
        })?;
    println!("{}", accounts.reset_link(name, &origin).await?);
    let minutes = tessera::RESET_PASSWORD_TTL.as_secs() / 60;
    eprintln!("valid for {minutes} minutes, once; a newer link replaces it");
    Ok(())
}

/// The new password, read without blocking the runtime.
async fn read_password_off_thread(password_stdin: bool) -> Result<String, UserCommandError> {
    tokio::task::spawn_blocking(move || read_password(password_stdin))
        .await
        .map_err(io::Error::other)?
}

async fn add(
    accounts: &Accounts,
    name: &str,
    password_stdin: bool,
    roles: &[String],
) -> Result<(), UserCommandError> {
    if accounts.find(name).await?.is_some() {
        return Err(AccountsError::Taken(name.to_owned()).into());
    }
    let password = read_password_off_thread(password_stdin).await?;
    let profile = accounts.create(name, password, roles).await?;
    println!("created user '{}' (id {})", profile.username, profile.id);
    Ok(())
}

async fn list(accounts: &Accounts) -> Result<(), UserCommandError> {
    let all = accounts.list().await?;
    println!("{:>6}  {:<20}  {:<24}  USERNAME", "ID", "CREATED", "ROLES");
    for user in &all {
        let roles = if user.roles.is_empty() {
            "-".to_owned()
        } else {
            user.roles.join(",")
        };
        println!(
            "{:>6}  {:<20}  {:<24}  {}",
            user.id, user.created_at, roles, user.username
        );
    }
    eprintln!("{} user(s)", all.len());
    Ok(())
}

async fn delete(accounts: &Accounts, name: &str) -> Result<(), UserCommandError> {
    accounts.delete(name).await?;
    println!("deleted user '{name}'");
    Ok(())
}

/// One line from stdin, or a no-echo prompt asked twice.
fn read_password(from_stdin: bool) -> Result<String, UserCommandError> {
    if from_stdin {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        let password = line.strip_suffix('\n').unwrap_or(&line);
        return Ok(password.strip_suffix('\r').unwrap_or(password).to_owned());
    }
    if !io::stdin().is_terminal() {
        return Err(UserCommandError::Invalid(
            "no terminal to prompt on; pass --password-stdin and pipe the password in".to_owned(),
        ));
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Repeat password: ")?;
    if first != second {
        return Err(UserCommandError::Invalid(
            "the passwords do not match".to_owned(),
        ));
    }
    Ok(first)
}

/// Runs one key command on the ring in the data dir, writing its result to standard output.
pub(crate) fn keys(command: KeysCommand, store: &StoreConfig) -> Result<(), KeyError> {
    let dir = store.data_dir.join(Keys::DIR);
    match command {
        KeysCommand::Rotate { signing_alg } => {
            let key = Keys::rotate(&dir, signing_alg)?;
            println!(
                "added {} key {}; it signs new tokens from now on",
                key.alg, key.kid
            );
        }
        KeysCommand::Import { file, signing_alg } => {
            let key = Keys::import(&dir, &file, signing_alg)?;
            println!(
                "imported {} key {}; it signs new tokens from now on",
                key.alg, key.kid
            );
        }
        KeysCommand::Prune { retire_after } => {
            let removed = Keys::prune(&dir, retire_after.0)?;
            for key in &removed {
                println!("removed {} key {}", key.alg, key.kid);
            }
            eprintln!("{} key(s) removed", removed.len());
        }
        KeysCommand::List => {
            println!("{:<43}  {:<5}  {:<20}  SIGNS", "KID", "ALG", "CREATED");
            for key in Keys::list(&dir)? {
                let created = humantime::format_rfc3339_seconds(
                    UNIX_EPOCH + Duration::from_secs(key.created_at),
                );
                let signs = if key.signing { "yes" } else { "" };
                println!(
                    "{:<43}  {:<5}  {:<20}  {signs}",
                    key.kid,
                    key.alg,
                    created.to_string()
                );
            }
        }
    }
    Ok(())
}
