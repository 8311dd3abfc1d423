//! What a running server adds around the app, in one stack: the request log,
//! CORS for the configured origins, and a deadline per request.

use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::error::ApiError;

/// What a running server adds around the app, in one stack (see `crate::api`):
/// one log line per request, CORS for the configured origins, and a deadline
/// per request.
pub(super) fn with_operational_layers(
    router: Router,
    cors_origins: &[HeaderValue],
    timeout: Duration,
) -> Router {
    let cors = (!cors_origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(cors_origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE])
            .max_age(Duration::from_secs(600))
    });
    let deadline = axum::middleware::from_fn(move |request: Request, next: Next| async move {
        match tokio::time::timeout(timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::Timeout.into_response(),
        }
    });
    router.layer(
        ServiceBuilder::new()
            .layer(request_log())
            .option_layer(cors)
            .layer(deadline),
    )
}

/// One log line per request: method, path (never the query, which could hold a
/// token), status and latency. Headers and bodies are never logged.
fn request_log() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request) -> tracing::Span + Clone,
    tower_http::trace::DefaultOnRequest,
    DefaultOnResponse,
> {
    TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        })
        .on_response(
            DefaultOnResponse::new()
                .level(Level::INFO)
                .latency_unit(LatencyUnit::Micros),
        )
}
