//! `/api/notes`: the caller's own notes. Every query is scoped by the token's `sub`, so
//! another user's note is indistinguishable from a missing one (404, not 403).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::AuthUser;
use crate::db::{self, Note};
use crate::error::ApiError;

const MAX_TEXT_CHARS: usize = 1000;
const NOT_A_NOTE: &str = "body must be a JSON object with a string field \"text\"";

pub async fn list(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<Note>>, ApiError> {
    Ok(Json(db::list_notes(&state.db, &user.id).await?))
}

pub async fn create(
    user: AuthUser,
    State(state): State<AppState>,
    // A JSON object, not a struct: serde would also build a struct from `["..."]`.
    body: Result<Json<Map<String, Value>>, JsonRejection>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let Some(Value::String(text)) = body.get("text") else {
        return Err(ApiError::Rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            NOT_A_NOTE,
        ));
    };
    let length = text.chars().count();
    if text.trim().is_empty() || length > MAX_TEXT_CHARS {
        return Err(ApiError::Rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            "text must be 1 to 1000 characters",
        ));
    }
    let note = db::insert_note(&state.db, &user.id, text).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

pub async fn delete(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if db::delete_note(&state.db, &user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// axum's own rejections are plain text; answer in JSON with our own wording instead.
fn json_rejection(rejection: JsonRejection) -> ApiError {
    let reason = match rejection {
        JsonRejection::JsonDataError(_) => {
            "body must be a JSON object with a string field \"text\""
        }
        JsonRejection::JsonSyntaxError(_) => "body is not valid JSON",
        JsonRejection::MissingJsonContentType(_) => "Content-Type must be application/json",
        _ => "cannot read the request body",
    };
    ApiError::Rejected(rejection.status(), reason)
}
