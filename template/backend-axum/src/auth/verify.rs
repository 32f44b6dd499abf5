//! Token verification with `jsonwebtoken::decode`: pinned algorithms, the key chosen by `kid`,
//! signature, `exp` (required, 30 s leeway), `nbf`, `iss`, `aud` and `sub` (required).
//! Here only the rules the library leaves to us: a `kid` is required, `typ` is absent or
//! `JWT`, `crit` is refused, `sub` is a non-empty string, `iat` is not in the future and
//! `email` is a string when present.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, get_current_timestamp};
use serde::Deserialize;

use super::cache::{SeenTokens, VerifiedTokens};
use super::jwks::{KeyError, KeySet};
use super::{AuthError, AuthUser};
use crate::Config;

const LEEWAY_SECONDS: u64 = 30;
/// How far in the future `iat` may be (clock skew) before the token is refused.
const MAX_IAT_SKEW_SECONDS: f64 = 60.0;
const VERIFIED_TOKEN_CAPACITY: usize = 10_000;
const SEEN_TOKEN_SLOTS: usize = 16_384;

pub struct TokenVerifier {
    keys: Arc<KeySet>,
    /// One rule set per allowed algorithm: jsonwebtoken rejects a token when its allow-list
    /// mixes key families (EdDSA + RS256), so each token is checked against its own.
    validations: HashMap<Algorithm, Validation>,
    verified: VerifiedTokens,
    /// Tokens verified once: the cache takes a token at its second verification.
    seen: SeenTokens,
}

/// The claims we use beyond what `Validation` checks. `default` lets a missing `sub`/`exp`
/// reach jsonwebtoken's required-claim check (a precise reason) instead of failing as
/// malformed JSON; a present claim of the wrong type is malformed.
#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: String,
    #[serde(default, deserialize_with = "string_when_present")]
    email: Option<String>,
    #[serde(default)]
    exp: u64,
    iat: Option<f64>,
}

/// Absent → `None` (serde's default); present, it must be a string: `null` is malformed too, as in
/// the other backends (an `Option` alone would read `null` as absent).
fn string_when_present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
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
            keys: Arc::new(KeySet::new(
                config.jwks_url.clone(),
                http,
                config.jwks_min_refetch,
                config.jwks_max_age,
            )),
            validations,
            verified: VerifiedTokens::new(VERIFIED_TOKEN_CAPACITY),
            seen: SeenTokens::new(SEEN_TOKEN_SLOTS),
        })
    }

    /// How many verified tokens are cached (tests, diagnostics).
    pub fn cached_tokens(&self) -> usize {
        self.verified.len()
    }

    pub async fn verify(&self, token: &str) -> Result<AuthUser, AuthError> {
        self.keys.refresh_if_stale();
        let generation = self.keys.generation();
        if let Some(user) = self.verified.get(token, generation) {
            return Ok(user);
        }
        // The header is read before the signature check only to pick the rules and the key.
        let header = decode_header(token).map_err(|_| reject("malformed token"))?;
        check_header(&header)?;
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
        #[allow(clippy::cast_precision_loss)] // seconds since 1970 fit an f64 exactly
        let latest_iat = get_current_timestamp() as f64 + MAX_IAT_SKEW_SECONDS;
        if claims.iat.is_some_and(|iat| iat > latest_iat) {
            return Err(reject("token issued in the future"));
        }
        let user = AuthUser {
            id: claims.sub,
            email: claims.email,
        };
        if self.seen.seen_before(token) {
            self.verified
                .insert(token, user.clone(), claims.exp, generation);
        }
        Ok(user)
    }
}

/// RFC 7515 §4.1.11: a `crit` header names extensions the recipient must understand, and we
/// understand none. RFC 7519 §5.1: `typ`, when present, says "JWT" (case-insensitive).
fn check_header(header: &Header) -> Result<(), AuthError> {
    if header.crit.is_some() {
        return Err(reject("token has critical header extensions"));
    }
    if header
        .typ
        .as_deref()
        .is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT"))
    {
        return Err(reject("token type is not JWT"));
    }
    Ok(())
}

fn validation(config: &Config, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
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
