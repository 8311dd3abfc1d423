//! The `tessera` command: `serve` runs the server, `user` and `keys` manage
//! accounts and signing keys.

mod args;
mod cli;
mod serve_args;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tessera::Server;
use tracing_subscriber::EnvFilter;

use crate::args::{Cli, Command, ServeArgs};

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
        Command::Keys { command, store } => cli::keys(command, &store.into()).map_err(Into::into),
        Command::User { command, store } => {
            cli::users(command, &store.into()).await.map_err(Into::into)
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

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    let (config, server) = args.into_configs();
    let server = Server::bind(config, server).await?;
    // Scripts and tests read this line to find the port when binding port 0.
    println!("listening on http://{}", server.local_addr()?);
    server.run(shutdown_signal()).await?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

#[cfg(test)]
mod tests;
