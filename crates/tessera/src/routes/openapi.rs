//! `GET /openapi.json`: the API's OpenAPI 3.1 contract, which `super::ApiDoc`
//! generates from the handlers and wire types, plus what their attributes
//! cannot say.

use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::paths;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Required};
use utoipa::Modify;

use crate::state::AppState;

/// Where the document is served.
pub(crate) const OPENAPI_JSON: &str = "/openapi.json";

/// Serves `document`, built once by the caller, which knows every route.
pub(super) fn router(document: OpenApi) -> Router<AppState> {
    Router::new().route(OPENAPI_JSON, get(move || openapi_show(document.clone())))
}

/// `GET /openapi.json`: this document.
#[utoipa::path(
    get,
    path = OPENAPI_JSON,
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object))
)]
async fn openapi_show(document: OpenApi) -> Json<OpenApi> {
    Json(document)
}

/// Adds the `bearer` scheme the protected routes name: a Tessera access token
/// as `Authorization: Bearer <token>` (`JWT <token>` is accepted too).
pub(super) struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
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
pub(super) struct OptionalLogoutBody;

impl Modify for OptionalLogoutBody {
    fn modify(&self, openapi: &mut OpenApi) {
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
