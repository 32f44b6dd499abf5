//! How an authentication failure is answered. Reasons are fixed strings: nothing from the
//! token (claims, header, the token itself) ever reaches the response or the logs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::detail;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// 401: no usable token, or a token we do not accept.
    InvalidToken(&'static str),
    /// 503: the JWKS cannot be fetched and no cached key fits the token.
    KeysUnavailable,
}

impl AuthError {
    /// The fixed reason, for the answer and the debug log.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::InvalidToken(reason) => reason,
            Self::KeysUnavailable => "authentication keys unavailable",
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        match self {
            Self::InvalidToken(reason) => {
                let mut response = detail(StatusCode::UNAUTHORIZED, reason);
                // The same challenge for every 401, as the backend contract specifies.
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
                response
            }
            Self::KeysUnavailable => detail(StatusCode::SERVICE_UNAVAILABLE, self.reason()),
        }
    }
}
