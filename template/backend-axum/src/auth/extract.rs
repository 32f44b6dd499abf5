//! `AuthUser` as a handler argument: reads `Authorization: Bearer <token>` and nothing else
//! (the session cookie is never a token here).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::{AuthError, AuthUser};
use crate::AppState;

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let token = bearer_token(&parts.headers)?;
        state.verifier.verify(token).await
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let missing = AuthError::InvalidToken("missing bearer token");
    let value = headers.get(AUTHORIZATION).ok_or(missing)?;
    let value = value
        .to_str()
        .map_err(|_| AuthError::InvalidToken("malformed authorization header"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::InvalidToken(
            "authorization scheme must be Bearer",
        ));
    }
    match token.trim() {
        "" => Err(missing),
        token => Ok(token),
    }
}
