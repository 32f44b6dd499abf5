//! Better Auth's public keys, fetched lazily and kept for the life of the process.
//!
//! An unknown `kid` (key rotation) triggers a refetch, but at most once per
//! `min_refetch`: random `kid`s cannot turn us into a JWKS flooder, yet a newly published
//! key is accepted within two intervals. A failed fetch keeps the keys we already have.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

pub struct PublicKey {
    pub material: KeyMaterial,
    /// The JWK's own `alg`, when it states one; the token's `alg` must then match it.
    pub algorithm: Option<Algorithm>,
}

pub enum KeyMaterial {
    /// An OKP/Ed25519 key, decompressed once here: EdDSA tokens are verified with it
    /// directly (jsonwebtoken would rebuild it from bytes for every token).
    Ed25519(VerifyingKey),
    /// Any other key (RSA, EC), for jsonwebtoken.
    Other(DecodingKey),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The JWKS answered and has no such key.
    UnknownKid,
    /// The JWKS cannot be fetched and no cached key has that `kid`.
    Unavailable,
}

pub struct KeySet {
    url: String,
    http: reqwest::Client,
    min_refetch: Duration,
    keys: RwLock<HashMap<String, Arc<PublicKey>>>,
    /// Held while fetching, so concurrent misses share one download.
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_succeeded: bool,
}

#[derive(Deserialize)]
struct JwksDocument {
    // Parsed one by one, so a key we cannot use does not hide the others.
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    pub fn new(url: String, http: reqwest::Client, min_refetch: Duration) -> Self {
        Self {
            url,
            http,
            min_refetch,
            keys: RwLock::default(),
            fetch: tokio::sync::Mutex::default(),
        }
    }

    pub async fn get(&self, kid: &str) -> Result<Arc<PublicKey>, KeyError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let mut fetch = self.fetch.lock().await;
        // Another request may have fetched while we waited for the lock.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let may_fetch = fetch
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.min_refetch);
        if may_fetch {
            fetch.last_attempt = Some(Instant::now());
            fetch.last_succeeded = match self.download().await {
                Ok(keys) => {
                    *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
                    true
                }
                Err(error) => {
                    eprintln!(
                        "JWKS fetch from {} failed: {}",
                        self.url,
                        error_chain(&*error)
                    );
                    false
                }
            };
            if let Some(key) = self.cached(kid) {
                return Ok(key);
            }
        }
        Err(if fetch.last_succeeded {
            KeyError::UnknownKid
        } else {
            KeyError::Unavailable
        })
    }

    fn cached(&self, kid: &str) -> Option<Arc<PublicKey>> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.get(kid).cloned()
    }

    async fn download(
        &self,
    ) -> Result<HashMap<String, Arc<PublicKey>>, Box<dyn std::error::Error>> {
        let response = self.http.get(&self.url).send().await?.error_for_status()?;
        let document: JwksDocument = serde_json::from_slice(&response.bytes().await?)?;
        Ok(document.keys.into_iter().filter_map(public_key).collect())
    }
}

/// "error sending request" alone does not say why; the sources do ("Connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

/// Signing keys with a `kid` that we can use; anything else (including an Ed25519 `x` that is
/// not a valid 32-byte point, or a weak one) is skipped.
fn public_key(value: serde_json::Value) -> Option<(String, Arc<PublicKey>)> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if matches!(jwk.common.public_key_use, Some(ref usage) if *usage != PublicKeyUse::Signature) {
        return None;
    }
    let algorithm = match jwk.common.key_algorithm {
        // Same names on both sides; encryption algorithms (RSA-OAEP…) do not parse and are skipped.
        Some(algorithm) => Some(algorithm.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    let material = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            let x: [u8; 32] = URL_SAFE_NO_PAD.decode(&okp.x).ok()?.try_into().ok()?;
            let key = VerifyingKey::from_bytes(&x).ok()?;
            // A small-order key "verifies" signatures nobody made.
            if key.is_weak() {
                return None;
            }
            KeyMaterial::Ed25519(key)
        }
        AlgorithmParameters::OctetKeyPair(_) => return None,
        _ => KeyMaterial::Other(DecodingKey::from_jwk(&jwk).ok()?),
    };
    let kid = jwk.common.key_id?;
    Some((
        kid,
        Arc::new(PublicKey {
            material,
            algorithm,
        }),
    ))
}
