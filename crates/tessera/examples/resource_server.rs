//! A separate service that trusts Tessera's tokens, knowing nothing but
//! Tessera's URL: the `Verifier` reads the issuer from Tessera's discovery
//! document and the public keys from its JWKS, and `RemoteUser` guards the
//! routes. Tessera must sign with a published key (EdDSA, ES256 or RS256) and
//! serve discovery (`--public-url`).
//!
//! ```sh
//! tessera serve --signing-alg EdDSA --public-url http://127.0.0.1:3000   # the Tessera it trusts
//! cargo run -p tessera --example resource_server    # PORT=5000, TESSERA_URL=http://127.0.0.1:3000
//! curl -s localhost:5000/protected -H "Authorization: Bearer $TOKEN"   # {"hello_from":"alice"}
//! ```

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tessera::{RemoteUser, Verifier};

/// 401 with `WWW-Authenticate` for a missing or bad token, 503 (never a pass)
/// while Tessera cannot be reached and no key already read verifies it.
async fn protected(user: RemoteUser) -> Json<Value> {
    Json(json!({ "hello_from": user.username }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // An unreachable Tessera is logged, on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let tessera_url =
        std::env::var("TESSERA_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".to_owned());
    let verifier = Verifier::new(&tessera_url)?;
    // Optional: reads the keys now rather than on the first token, so an
    // unreachable Tessera shows in the log at start (the verifier logs it).
    // The service starts either way and answers 503 until Tessera is back.
    let _ = verifier.refresh().await;

    let app = Router::new()
        .route("/protected", get(protected))
        .with_state(verifier);
    let port: u16 = std::env::var("PORT").as_deref().unwrap_or("5000").parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
