//! The API's OpenAPI 3.1 contract, generated from the handlers and wire types,
//! served at `GET /openapi.json`.

use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::paths;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::{Modify, OpenApi, ToSchema};

use crate::state::AppState;

/// Where the document is served.
pub(crate) const OPENAPI_JSON: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera",
        description = "JWT authentication server. Every error body is `{\"msg\": \"...\"}`; \
                       an unknown route answers 404 and a known route with another method 405."
    ),
    paths(
        super::auth::auth_create,
        super::auth::login_create,
        super::auth::register_create,
        super::session::refresh_create,
        super::session::logout_create,
        super::session::logout_all_create,
        super::session::password_update,
        super::account::protected_show,
        super::account::me_show,
        super::admin::users_index,
        super::admin::users_destroy,
        super::jwks::jwks_show,
        super::discovery::discovery_show,
        super::health::healthz_show,
        super::health::readyz_show,
        openapi_show,
    ),
    modifiers(&BearerScheme, &OptionalLogoutBody)
)]
struct ApiDoc;

/// Adds the `bearer` scheme the protected routes name: a Tessera access token
/// as `Authorization: Bearer <token>` (`JWT <token>` is accepted too).
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `POST /logout` may come without a body; with one, it must be a `LogoutRequest`
/// (a JSON `null` is refused), which `#[utoipa::path]` alone cannot say.
struct OptionalLogoutBody;

impl Modify for OptionalLogoutBody {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let body = openapi
            .paths
            .paths
            .get_mut(paths::LOGOUT)
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.request_body.as_mut());
        if let Some(body) = body {
            body.required = Some(Required::False);
        }
    }
}

/// A JSON Web Key Set (RFC 7517 §5), as `GET /.well-known/jwks.json` serves it.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes jsonwebtoken's `JwkSet`; never built.
pub(super) struct JwkSet {
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

pub(super) fn router() -> Router<AppState> {
    Router::new().route(OPENAPI_JSON, get(openapi_show))
}

/// `GET /openapi.json`: this document.
#[utoipa::path(
    get,
    path = OPENAPI_JSON,
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object))
)]
async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
