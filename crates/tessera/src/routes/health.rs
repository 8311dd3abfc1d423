//! Liveness and readiness probes.

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tessera_shared::{paths, ErrorBody, HealthResponse};

use crate::error::{ApiError, Result};
use crate::state::AppState;

/// How long readiness waits for the store before calling it down.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTHZ, get(healthz_show))
        .route(paths::READYZ, get(readyz_show))
}

/// `GET /healthz`: the process is up. Touches nothing, so a slow database
/// never gets a live server restarted.
#[utoipa::path(
    get,
    path = paths::HEALTHZ,
    tag = "health",
    responses(
        (status = 200, description = "The process is up", body = HealthResponse),
    )
)]
async fn healthz_show() -> Json<HealthResponse> {
    Json(HealthResponse::ok())
}

/// `GET /readyz`: 200 when the store answers within [`READY_TIMEOUT`], else 503.
#[utoipa::path(
    get,
    path = paths::READYZ,
    tag = "health",
    responses(
        (status = 200, description = "The user store answers", body = HealthResponse),
        (status = 503, description = "User store unavailable, or server busy or out of time", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn readyz_show(State(state): State<AppState>) -> Result<Json<HealthResponse>> {
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => Ok(Json(HealthResponse::ok())),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "store not ready");
            Err(ApiError::Unavailable)
        }
        Err(_) => {
            tracing::warn!("store did not answer in time");
            Err(ApiError::Unavailable)
        }
    }
}
