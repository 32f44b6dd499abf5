//! Token verification: pinned algorithms, key by `kid`, signature, `exp` (required, 30 s
//! leeway), `nbf`, `iss`, `aud`, and a non-empty string `sub`.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde::Deserialize;

use super::cache::VerifiedTokens;
use super::jwks::{KeyError, KeySet};
use super::{AuthError, AuthUser};
use crate::Config;

const LEEWAY_SECONDS: u64 = 30;
const VERIFIED_TOKEN_CAPACITY: usize = 10_000;

pub struct TokenVerifier {
    keys: KeySet,
    /// One rule set per allowed algorithm: jsonwebtoken rejects a token when its allow-list
    /// mixes key families (EdDSA + RS256), so each token is checked against its own.
    validations: HashMap<Algorithm, Validation>,
    verified: VerifiedTokens,
}

/// The claims we use. `default` lets a missing `sub`/`exp` reach jsonwebtoken's
/// required-claim check (a precise reason) instead of failing as malformed JSON.
#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: String,
    email: Option<String>,
    #[serde(default)]
    exp: u64,
}

const fn reject(reason: &'static str) -> AuthError {
    AuthError::InvalidToken(reason)
}

impl TokenVerifier {
    pub fn new(config: &Config) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .build()?;
        let validations = config
            .algorithms
            .iter()
            .map(|&algorithm| (algorithm, validation(config, algorithm)))
            .collect();
        Ok(Self {
            keys: KeySet::new(config.jwks_url.clone(), http, config.jwks_min_refetch),
            validations,
            verified: VerifiedTokens::new(VERIFIED_TOKEN_CAPACITY),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<AuthUser, AuthError> {
        if let Some(user) = self.verified.get(token) {
            return Ok(user);
        }
        // Only the header is read before the signature check, to pick the rules and the key.
        let header = decode_header(token).map_err(|_| reject("malformed token"))?;
        let validation = self
            .validations
            .get(&header.alg)
            .ok_or(reject("token algorithm not allowed"))?;
        let kid = header.kid.as_deref().ok_or(reject("token has no key id"))?;
        let key = self.keys.get(kid).await.map_err(|error| match error {
            KeyError::UnknownKid => reject("unknown signing key"),
            KeyError::Unavailable => AuthError::KeysUnavailable,
        })?;
        if key
            .algorithm
            .is_some_and(|algorithm| algorithm != header.alg)
        {
            return Err(reject("token algorithm does not match its key"));
        }
        let claims = decode::<Claims>(token, &key.decoding, validation)
            .map_err(|error| reject(reason(error.kind())))?
            .claims;
        if claims.sub.is_empty() {
            return Err(reject("token has an empty subject"));
        }
        let user = AuthUser {
            id: claims.sub,
            email: claims.email,
        };
        self.verified.insert(token, user.clone(), claims.exp);
        Ok(user)
    }
}

fn validation(config: &Config, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    // Some libraries accept a token without `exp` unless told otherwise; we never do.
    validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation
}

fn reason(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "token expired",
        ErrorKind::ImmatureSignature => "token not yet valid",
        ErrorKind::InvalidIssuer => "wrong token issuer",
        ErrorKind::InvalidAudience => "wrong token audience",
        ErrorKind::InvalidSignature => "invalid token signature",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
            "token algorithm does not match its key"
        }
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "token has no expiry",
            "sub" => "token has no subject",
            "iss" => "token has no issuer",
            _ => "token has no audience",
        },
        _ => "malformed token",
    }
}
