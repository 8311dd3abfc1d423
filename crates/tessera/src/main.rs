//! The `tessera` command: `serve` runs the server, `user` manages accounts.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tessera::config::{Cli, Command};
use tessera::server::{shutdown_signal, Server};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Whatever this process creates (the database and its journals, keys, the
    // data dir) is for this account only; the paths that matter also get
    // explicit modes, this covers any file SQLite adds.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    // Logs go to stderr; stdout carries only results (the listen address, CLI output).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tessera=info,tower_http=info".into()),
        )
        .init();
    let outcome = match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Keys { command, store } => tessera::cli::keys(command, &store).map_err(Into::into),
        Command::User { command, store } => {
            tessera::cli::run(command, &store).await.map_err(Into::into)
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: tessera::ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Every connection is a file descriptor: allow as many as the system lets us.
    let open_files = tessera::server::raise_open_files_limit();
    tracing::debug!(?open_files, "open-files limit");
    let server = Server::bind(args).await?;
    // Scripts and tests read this line to find the port when binding port 0.
    println!("listening on http://{}", server.local_addr()?);
    server.run(shutdown_signal()).await?;
    Ok(())
}
