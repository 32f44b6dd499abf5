//! `GET /api/me`: who the token says the caller is.

use axum::Json;
use serde_json::{Value, json};

use crate::auth::AuthUser;

pub async fn me(user: AuthUser) -> Json<Value> {
    Json(json!({ "id": user.id, "email": user.email }))
}
