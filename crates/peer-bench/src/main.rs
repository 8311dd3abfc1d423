//! `peer-bench`: serves the three apps for HS256 and for EdDSA on loopback
//! ports of their own, prints one line per app, then serves until stdin closes
//! or SIGTERM/Ctrl-C arrives. `bench/run --peers` reads the lines and points
//! wrk at each URL in turn, with the line's token.
//!
//! A line reads `app ALG NAME URL TOKEN`, e.g.
//! `app HS256 tessera http://127.0.0.1:40123/protected eyJ...`. Tessera is
//! served twice: as `tessera serve` runs (`tessera`, verified-token cache on)
//! and with the cache off (`tessera-uncached`, every request checked in full).
//! One process serves all six, so they share one runtime (a worker thread per
//! core, as `#[tokio::main]` gives) and only the one under load is busy.

use std::net::SocketAddr;

use peer_bench::{Alg, Fixture, PROTECTED};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The fixtures hold the EdDSA key ring: keep them until the end.
    let mut fixtures = Vec::new();
    for alg in Alg::ALL {
        let fixture = Fixture::new(alg, tessera::TokenSettings::default().token_cache)?;
        let tessera = peer_bench::tessera_app(fixture.tokens.clone());
        announce(&fixture, "tessera", serve(tessera).await?);
        // The same with the verified-token cache off: every request checked in
        // full, as the peers check it.
        let uncached = peer_bench::tessera_app(std::sync::Arc::new(fixture.service(0)?));
        announce(&fixture, "tessera-uncached", serve(uncached).await?);
        let authorizer = peer_bench::jwt_authorizer(&fixture).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let app = peer_bench::jwt_authorizer_app(authorizer);
        tokio::spawn(async move { axum07::serve(listener, app).await });
        announce(&fixture, "jwt-authorizer", address);
        let decoder = peer_bench::axum_jwt_auth_decoder(&fixture)?;
        let app = peer_bench::axum_jwt_auth_app(decoder);
        announce(&fixture, "axum-jwt-auth", serve(app).await?);
        fixtures.push(fixture);
    }
    println!("ready");
    tokio::select! {
        _ = stdin_closed() => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated() => {}
    }
    Ok(())
}

async fn serve(app: axum::Router) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

fn announce(fixture: &Fixture, name: &str, address: SocketAddr) {
    let (alg, token) = (fixture.alg.name(), &fixture.token);
    println!("app {alg} {name} http://{address}{PROTECTED} {token}");
}

/// Resolves when stdin reaches its end: the driving script has gone.
async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0u8; 64];
    while matches!(stdin.read(&mut buffer).await, Ok(read) if read > 0) {}
}

#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}
