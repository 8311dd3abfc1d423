//! OpenID Provider Metadata (OpenID Connect Discovery 1.0), so services that
//! verify Tessera's tokens need one URL: the document names the issuer their
//! `iss` must equal and where the public keys are.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tessera_shared::{paths, ErrorBody};
use utoipa::ToSchema;

use crate::state::AppState;

/// Why there is no document: discovery must not guess its own address.
const NO_PUBLIC_URL: &str = "Discovery needs the public URL Tessera is reached at: set \
                             --public-url (TESSERA_PUBLIC_URL, Config::public_url)";

pub(super) fn router() -> Router<AppState> {
    Router::new().route(paths::OPENID_CONFIGURATION, get(discovery_show))
}

/// What Tessera really does, and nothing it does not. It is not an OAuth
/// authorization server: `POST /auth` takes a JSON username and password, not
/// an OAuth grant, so there is no `token_endpoint`, no `authorization_endpoint`
/// (which OpenID requires), no `userinfo_endpoint` and no scopes. The fields
/// OpenID requires that Tessera can answer truthfully are present; the ones
/// whose absence would mean a default it does not do (`grant_types_supported`
/// defaults to the authorization code and implicit grants) are present and empty.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ProviderMetadata {
    /// The `iss` of every token, byte for byte.
    issuer: String,
    /// The public verification keys: `<public_url>/.well-known/jwks.json`.
    jwks_uri: String,
    /// The algorithms of the keys in `jwks_uri`. Tessera signs no ID tokens:
    /// these sign its access tokens, and generic verifiers read them here.
    /// Empty when it signs with HS256, whose key is secret.
    id_token_signing_alg_values_supported: Vec<String>,
    /// `public`: a user's `sub` is the same for every service.
    subject_types_supported: Vec<&'static str>,
    /// Empty: there is no authorization endpoint to ask for a response type.
    response_types_supported: Vec<&'static str>,
    /// Empty: Tessera implements no OAuth grant.
    grant_types_supported: Vec<&'static str>,
    /// The claims of an access token.
    claims_supported: Vec<&'static str>,
    /// The assurance levels a token's `acr` can name: `0` a sign-in still
    /// waiting for its second factor (grants nothing), `1` a password,
    /// `2` a password and a second factor.
    acr_values_supported: Vec<&'static str>,
}

/// `GET /.well-known/openid-configuration`: the issuer and the keys, for
/// verifiers that are given only Tessera's URL. Needs the public URL
/// (`--public-url`, or an `--issuer` that is a URL): the request's `Host` is
/// chosen by the client and never trusted to name Tessera.
#[utoipa::path(
    get,
    path = paths::OPENID_CONFIGURATION,
    tag = "keys",
    responses(
        (status = 200, description = "The OpenID Provider Metadata", body = ProviderMetadata, headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 404, description = "No public URL is configured", body = ErrorBody),
    )
)]
async fn discovery_show(State(state): State<AppState>) -> Response {
    let issuer = state.tokens.settings().issuer.clone();
    let (Some(base), Some(issuer)) = (state.public_url.as_deref(), issuer) else {
        return (StatusCode::NOT_FOUND, Json(ErrorBody::new(NO_PUBLIC_URL))).into_response();
    };
    let ring = state.tokens.keys().current();
    let mut algorithms: Vec<String> = Vec::new();
    for alg in ring
        .jwks()
        .keys
        .iter()
        .filter_map(|jwk| jwk.common.key_algorithm)
    {
        if !algorithms.contains(&alg.to_string()) {
            algorithms.push(alg.to_string());
        }
    }
    let mut claims = vec!["sub", "username", "roles", "sid", "fresh", "iss"];
    if state.tokens.settings().audience.is_some() {
        claims.push("aud");
    }
    claims.extend(["iat", "nbf", "exp", "jti", "amr", "acr"]);
    let metadata = ProviderMetadata {
        issuer,
        jwks_uri: format!("{base}{}", paths::JWKS),
        id_token_signing_alg_values_supported: algorithms,
        subject_types_supported: vec!["public"],
        response_types_supported: Vec::new(),
        grant_types_supported: Vec::new(),
        claims_supported: claims,
        acr_values_supported: vec!["0", "1", "2"],
    };
    let mut response = Json(metadata).into_response();
    // Like the JWKS it points to: the algorithms change with the key ring.
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
