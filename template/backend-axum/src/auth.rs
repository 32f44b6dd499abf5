//! Bearer-token authentication against Better Auth's JWKS.

pub mod cache;
pub mod error;
pub mod extract;
pub mod jwks;
pub mod verify;

pub use error::AuthError;

/// The caller, as stated by a verified token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    /// The token's `sub`: Better Auth's user id.
    pub id: String,
    pub email: Option<String>,
}
