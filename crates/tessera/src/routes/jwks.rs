//! The public signing keys, for services that verify Tessera's tokens themselves.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::paths;
use utoipa::ToSchema;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::JWKS, get(jwks_show))
}

/// `GET /.well-known/jwks.json`: every public verification key by `kid`
/// (`{"keys": []}` for HS256, whose key is secret). Cacheable briefly: after a
/// rotation verifiers see the new key within minutes, and should re-fetch on an
/// unknown `kid` anyway.
#[utoipa::path(
    get,
    path = paths::JWKS,
    tag = "keys",
    responses(
        (status = 200, description = "The public verification keys (empty for HS256)", body = JwkSet, headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
    )
)]
async fn jwks_show(State(state): State<AppState>) -> Response {
    let ring = state.tokens.keys().current();
    let mut response = Json(ring.jwks()).into_response();
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// A JSON Web Key Set (RFC 7517 §5), as `GET /.well-known/jwks.json` serves it.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes jsonwebtoken's `JwkSet`; never built.
struct JwkSet {
    /// One entry per verification key.
    keys: Vec<Jwk>,
}

/// A public key (RFC 7517 §4): `RSA` (`n`, `e`), `EC` (`crv`, `x`, `y`) or `OKP` (`crv`, `x`).
#[derive(ToSchema)]
#[allow(dead_code)] // Describes jsonwebtoken's `Jwk`; never built.
struct Jwk {
    /// Key type: `RSA`, `EC` or `OKP`.
    kty: String,
    /// Key id, as in the token header's `kid`.
    kid: Option<String>,
    /// Intended use, `sig`.
    r#use: Option<String>,
    /// The algorithm the key signs with (e.g. `RS256`, `ES256`, `EdDSA`).
    alg: Option<String>,
    /// RSA modulus, base64url.
    n: Option<String>,
    /// RSA exponent, base64url.
    e: Option<String>,
    /// Curve (`P-256`, `Ed25519`).
    crv: Option<String>,
    /// Curve point x, base64url.
    x: Option<String>,
    /// Curve point y, base64url.
    y: Option<String>,
}
