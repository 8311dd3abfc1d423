//! The three apps: the same handler body behind each library's own way of
//! requiring a token, set up as its documentation shows.

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_auth::{Claims, Decoder, LocalDecoder};
use jsonwebtoken10::jwk::JwkSet;
use jsonwebtoken10::{Algorithm, DecodingKey, Validation};
use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims};
use serde::Deserialize;
use tessera::{AuthUser, TokenService};
use tessera_shared::ProtectedResponse;

use crate::{Fixture, AUDIENCE, ISSUER, LEEWAY_SECS, PROTECTED};

/// What the peers read from the token. Requiring `username`, a claim only
/// access tokens carry, keeps Tessera's refresh tokens out, since neither peer
/// checks `typ`.
#[derive(Debug, Clone, Deserialize)]
pub struct PeerClaims {
    /// The user's name.
    pub username: String,
}

fn answer(username: String) -> ProtectedResponse {
    ProtectedResponse {
        hello_from: username,
        data: vec![1, 2, 3],
    }
}

/// Tessera: the [`AuthUser`] extractor over the fixture's token service.
pub fn tessera_app(tokens: Arc<TokenService>) -> Router {
    async fn protected(user: AuthUser) -> Json<ProtectedResponse> {
        Json(answer(user.username))
    }
    Router::new()
        .route(PROTECTED, get(protected))
        .with_state(tokens)
}

/// jwt-authorizer's checker for the fixture's keys: the secret, or the JWK Set.
pub async fn jwt_authorizer(
    fixture: &Fixture,
) -> Result<Authorizer<PeerClaims>, jwt_authorizer::error::InitError> {
    let builder = match &fixture.secret {
        Some(secret) => JwtAuthorizer::from_secret(secret),
        None => JwtAuthorizer::from_jwks_text(&fixture.jwks),
    };
    builder
        .validation(
            jwt_authorizer::Validation::new()
                .iss(&[ISSUER])
                .aud(&[AUDIENCE])
                .leeway(LEEWAY_SECS)
                .nbf(true),
        )
        .build()
        .await
}

/// jwt-authorizer: its layer checks the token, `JwtClaims` hands the claims over.
pub fn jwt_authorizer_app(authorizer: Authorizer<PeerClaims>) -> axum07::Router {
    async fn protected(
        JwtClaims(claims): JwtClaims<PeerClaims>,
    ) -> axum07::Json<ProtectedResponse> {
        axum07::Json(answer(claims.username))
    }
    axum07::Router::new()
        .route(PROTECTED, axum07::routing::get(protected))
        .layer(authorizer.into_layer())
}

/// axum-jwt-auth's decoder for the fixture's keys, with the algorithm pinned.
pub fn axum_jwt_auth_decoder(fixture: &Fixture) -> Result<Decoder<PeerClaims>, String> {
    let (algorithm, key) = match &fixture.secret {
        Some(secret) => (
            Algorithm::HS256,
            DecodingKey::from_secret(secret.as_bytes()),
        ),
        None => {
            let set: JwkSet = serde_json::from_str(&fixture.jwks).map_err(|e| e.to_string())?;
            let jwk = set.keys.first().ok_or("an empty JWK Set")?;
            (
                Algorithm::EdDSA,
                DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?,
            )
        }
    };
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    let decoder = LocalDecoder::builder()
        .keys(vec![key])
        .validation(validation)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(decoder))
}

/// axum-jwt-auth: its `Claims` extractor over a decoder in the state.
pub fn axum_jwt_auth_app(decoder: Decoder<PeerClaims>) -> Router {
    async fn protected(claims: Claims<PeerClaims>) -> Json<ProtectedResponse> {
        Json(answer(claims.claims.username))
    }
    Router::new()
        .route(PROTECTED, get(protected))
        .with_state(decoder)
}
