//! `AuthUser` as a handler argument: reads `Authorization: Bearer <token>` and nothing else
//! (the session cookie is never a token here).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::{AuthError, AuthUser};
use crate::AppState;

/// Better Auth's tokens are well under 1 KiB; anything this long is refused unread.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let result = match bearer_token(&parts.headers) {
            Ok(token) => state.verifier.verify(token).await,
            Err(error) => Err(error),
        };
        if let Err(error) = &result {
            // Why, never what: the reason is a fixed string, the token is not logged.
            tracing::debug!(reason = error.reason(), "token refused");
        }
        result
    }
}

/// Exactly one `Authorization` header holding `Bearer <token>` (scheme case-insensitive,
/// RFC 6750 §2.1), the token one run of token68 characters (so `Bearer a, Bearer b` and
/// `Bearer a b` are refused), at most [`MAX_TOKEN_BYTES`].
fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let missing = AuthError::InvalidToken("missing bearer token");
    let malformed = AuthError::InvalidToken("malformed authorization header");
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(missing)?;
    if values.next().is_some() {
        return Err(malformed);
    }
    let value = value.to_str().map_err(|_| malformed)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::InvalidToken(
            "authorization scheme must be Bearer",
        ));
    }
    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Err(missing);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::InvalidToken("token too long"));
    }
    if !is_token68(token) {
        return Err(malformed);
    }
    Ok(token)
}

/// RFC 7235 §2.1: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}
