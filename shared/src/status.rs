//! Health-check bodies for load balancers and orchestrators.

use serde::{Deserialize, Serialize};

/// Body of `GET /healthz` and of a ready `GET /readyz`: `{"status": "ok"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    /// `"ok"` when healthy.
    pub status: String,
}

impl HealthResponse {
    /// The healthy answer, `{"status": "ok"}`.
    pub fn ok() -> Self {
        Self {
            status: "ok".into(),
        }
    }
}
