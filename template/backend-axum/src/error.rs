//! JSON error answers shared by every route: `{"detail": "<short reason>"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A failed request that is not about authentication (that is `auth::AuthError`).
#[derive(Debug)]
pub enum ApiError {
    /// The client sent something we cannot accept; the reason is safe to show.
    Rejected(StatusCode, &'static str),
    NotFound,
    /// The database failed; logged here, answered without details.
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Rejected(status, reason) => detail(status, reason),
            Self::NotFound => detail(StatusCode::NOT_FOUND, "not found"),
            Self::Database(error) => {
                tracing::error!("database error: {error}");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

pub fn detail(status: StatusCode, reason: &str) -> Response {
    (status, Json(json!({ "detail": reason }))).into_response()
}

/// Unknown routes answer in the same JSON shape as everything else.
pub async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}
