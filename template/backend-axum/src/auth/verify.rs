//! Token verification: pinned algorithms, key by `kid`, signature, `exp` (required, 30 s
//! leeway), `nbf`, `iss`, `aud`, and a non-empty string `sub`.
//!
//! EdDSA (Better Auth's default) is checked here directly, with the Ed25519 key parsed once
//! per JWKS fetch and each part decoded once; the other algorithms go through jsonwebtoken.
//! Both apply the same rules and give the same reasons.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation, decode, get_current_timestamp};
use serde::{Deserialize, Deserializer};

use super::cache::VerifiedTokens;
use super::jwks::{KeyError, KeyMaterial, KeySet};
use super::{AuthError, AuthUser};
use crate::Config;

const LEEWAY_SECONDS: u64 = 30;
const VERIFIED_TOKEN_CAPACITY: usize = 10_000;

pub struct TokenVerifier {
    keys: KeySet,
    /// One rule set per allowed algorithm: jsonwebtoken rejects a token when its allow-list
    /// mixes key families (EdDSA + RS256), so each token is checked against its own.
    validations: HashMap<Algorithm, Validation>,
    /// `JWT_ISSUER` and `JWT_AUDIENCE`, for the EdDSA path.
    issuer: String,
    audience: String,
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
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            verified: VerifiedTokens::new(VERIFIED_TOKEN_CAPACITY),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<AuthUser, AuthError> {
        if let Some(user) = self.verified.get(token) {
            return Ok(user);
        }
        let malformed = reject("malformed token");
        // Exactly `header.payload.signature` (base64url has no '.', so a fourth part could
        // never decode anyway).
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed);
        };
        // Only the header is read before the signature check, to pick the rules and the key.
        // jsonwebtoken's own `Header`, so the same headers parse (`alg: none` does not).
        let header: Header = decode_json(header_b64).ok_or(malformed)?;
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
        let claims = match (header.alg, &key.material) {
            (Algorithm::EdDSA, KeyMaterial::Ed25519(public_key)) => {
                let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
                self.verify_eddsa(public_key, signed, payload_b64, signature_b64)?
            }
            (_, KeyMaterial::Other(decoding)) if header.alg != Algorithm::EdDSA => {
                decode::<Claims>(token, decoding, validation)
                    .map_err(|error| reject(reason(error.kind())))?
                    .claims
            }
            _ => return Err(reject("token algorithm does not match its key")),
        };
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

    /// The EdDSA path: signature over `header.payload` first, then the payload decoded once
    /// and checked as jsonwebtoken would with [`validation`] (same order, same reasons).
    fn verify_eddsa(
        &self,
        public_key: &VerifyingKey,
        signed: &str,
        payload_b64: &str,
        signature_b64: &str,
    ) -> Result<Claims, AuthError> {
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| reject("malformed token"))?;
        let signature =
            Signature::from_slice(&signature).map_err(|_| reject("invalid token signature"))?;
        // RFC 8032 verification, as jsonwebtoken's own EdDSA check does (`verify_strict` also
        // decompresses R for every token, ~18% more; its other check, a weak key, is made once
        // when the JWKS is read).
        public_key
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| reject("invalid token signature"))?;
        let payload: Payload = decode_json(payload_b64).ok_or(reject("malformed token"))?;
        self.check(payload)
    }

    fn check(&self, payload: Payload) -> Result<Claims, AuthError> {
        let Some(exp) = payload.exp else {
            return Err(reject("token has no expiry"));
        };
        let Some(sub) = payload.sub else {
            return Err(reject("token has no subject"));
        };
        let Claim::Present(iss) = payload.iss else {
            return Err(reject("token has no issuer"));
        };
        let Claim::Present(aud) = payload.aud else {
            return Err(reject("token has no audience"));
        };
        let nbf = match payload.nbf {
            None => None,
            Some(nbf) => Some(nbf.as_u64().ok_or(reject("malformed token"))?),
        };
        let now = get_current_timestamp();
        if exp < now.saturating_sub(LEEWAY_SECONDS) {
            return Err(reject("token expired"));
        }
        if nbf.is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECONDS)) {
            return Err(reject("token not yet valid"));
        }
        if !iss.contains(&self.issuer) {
            return Err(reject("wrong token issuer"));
        }
        if !aud.contains(&self.audience) {
            return Err(reject("wrong token audience"));
        }
        Ok(Claims {
            sub,
            email: payload.email,
            exp,
        })
    }
}

/// base64url (no padding, strict, as jsonwebtoken decodes), UTF-8 (all of it, ignored
/// members included), then a JSON object; `None` if any of these fails.
fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    // serde would also read a struct from a JSON array, by position.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// An EdDSA token's payload, read once, with jsonwebtoken's typing: `sub`, `email` and `exp`
/// must have their type when present (else "malformed token"; `null` included), an
/// `iss`/`aud` of another type counts as missing, and an `nbf` that is present but not a
/// number is malformed.
#[derive(Deserialize)]
struct Payload {
    #[serde(default, deserialize_with = "not_null")]
    sub: Option<String>,
    email: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    exp: Option<u64>,
    #[serde(default, deserialize_with = "not_null")]
    nbf: Option<NumericDate>,
    #[serde(default)]
    iss: Claim<OneOrMany>,
    #[serde(default)]
    aud: Claim<OneOrMany>,
}

fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A claim that may be absent (or `null`), or present with a value of the wrong type.
#[derive(Default)]
enum Claim<T> {
    #[default]
    Missing,
    Invalid,
    Present(T),
}

/// `T` must buffer the whole value before it can fail (an untagged enum does), so a wrong
/// type is skipped entirely and the rest of the payload still parses as JSON.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Claim<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer) {
            Ok(Some(value)) => Self::Present(value),
            Ok(None) => Self::Missing,
            Err(_) => Self::Invalid,
        })
    }
}

/// A string, or an array of strings (RFC 7519 allows both for `aud`; jsonwebtoken for `iss`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(HashSet<String>),
}

impl OneOrMany {
    fn contains(&self, expected: &str) -> bool {
        match self {
            Self::One(value) => value == expected,
            Self::Many(values) => values.contains(expected),
        }
    }
}

/// A JSON number; a float counts when jsonwebtoken would round it to a `u64`. Anything else
/// (`null` included) is `Other`, so it is read whole and then refused.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumericDate {
    Integer(u64),
    Float(f64),
    Other(serde::de::IgnoredAny),
}

impl NumericDate {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Self::Integer(value) => Some(value),
            Self::Float(value) if value.is_finite() && value >= 0.0 && value < u64::MAX as f64 => {
                Some(value.round() as u64)
            }
            Self::Float(_) | Self::Other(_) => None,
        }
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
