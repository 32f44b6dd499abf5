//! Better Auth's public keys: fetched on the first token, then kept.
//!
//! - An unknown `kid` (key rotation) triggers a refetch, at most once per `min_refetch`: random
//!   `kid`s cannot turn us into a JWKS flooder, yet a newly published key is accepted within two
//!   intervals. Concurrent misses share one download.
//! - Keys older than `max_age` are refetched in the background, so a key removed from the JWKS
//!   stops being trusted without waiting for an unknown `kid`.
//! - A failed fetch keeps the keys we already have.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use ed25519_dalek::VerifyingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// One JWKS entry, turned into jsonwebtoken's key once per fetch.
pub struct PublicKey {
    pub decoding: DecodingKey,
    /// The JWK's own `alg`, when it states one; the token's `alg` must then match it.
    pub algorithm: Option<Algorithm>,
    /// As published, to tell whether a refetch changed the key behind a `kid`.
    jwk: Jwk,
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
    max_age: Duration,
    current: RwLock<Current>,
    /// Held while fetching, so concurrent misses share one download.
    fetch: tokio::sync::Mutex<FetchState>,
    /// A background refresh is already on its way.
    refreshing: AtomicBool,
    /// Bumped when a fetch removes or replaces a key: tokens verified before are checked again.
    generation: AtomicU64,
}

#[derive(Default)]
struct Current {
    keys: HashMap<String, Arc<PublicKey>>,
    /// The last successful fetch.
    fetched_at: Option<Instant>,
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
    pub fn new(
        url: String,
        http: reqwest::Client,
        min_refetch: Duration,
        max_age: Duration,
    ) -> Self {
        Self {
            url,
            http,
            min_refetch,
            max_age,
            current: RwLock::default(),
            fetch: tokio::sync::Mutex::default(),
            refreshing: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    /// Changes whenever a key we trusted is gone or replaced.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
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
        if self.may_fetch(&fetch) {
            self.fetch_now(&mut fetch).await;
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

    /// Starts a background refetch when the keys are older than `max_age` (at most one at a
    /// time, and at most one attempt per `min_refetch` while the JWKS is down). Needs a tokio
    /// runtime, as every request has.
    pub fn refresh_if_stale(self: &Arc<Self>) {
        if !self.is_stale() || self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let keys = Arc::clone(self);
        tokio::spawn(async move {
            let mut fetch = keys.fetch.lock().await;
            if keys.is_stale() && keys.may_fetch(&fetch) {
                keys.fetch_now(&mut fetch).await;
            }
            drop(fetch);
            keys.refreshing.store(false, Ordering::Release);
        });
    }

    fn is_stale(&self) -> bool {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .fetched_at
            .is_some_and(|at| at.elapsed() >= self.max_age)
    }

    fn may_fetch(&self, fetch: &FetchState) -> bool {
        fetch
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.min_refetch)
    }

    async fn fetch_now(&self, fetch: &mut FetchState) {
        fetch.last_attempt = Some(Instant::now());
        fetch.last_succeeded = match self.download().await {
            Ok(keys) => {
                self.replace(keys);
                true
            }
            Err(error) => {
                tracing::warn!(url = %self.url, error = %error_chain(&*error), "JWKS fetch failed");
                false
            }
        };
    }

    fn replace(&self, keys: HashMap<String, Arc<PublicKey>>) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let withdrawn = current
            .keys
            .iter()
            .any(|(kid, old)| keys.get(kid).is_none_or(|new| new.jwk != old.jwk));
        if withdrawn {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        tracing::debug!(keys = keys.len(), withdrawn, "JWKS fetched");
        *current = Current {
            keys,
            fetched_at: Some(Instant::now()),
        };
    }

    fn cached(&self, kid: &str) -> Option<Arc<PublicKey>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.keys.get(kid).cloned()
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

/// Signing keys with a `kid` that we can use; anything else is skipped, including an Ed25519
/// `x` that is not a valid 32-byte point, or a weak one.
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
    let decoding = DecodingKey::from_jwk(&jwk).ok()?;
    if let AlgorithmParameters::OctetKeyPair(okp) = &jwk.algorithm {
        // jsonwebtoken checks neither (a short key even panics there): a small-order key
        // "verifies" signatures nobody made.
        let x: &[u8; 32] = decoding.as_bytes().try_into().ok()?;
        let usable = okp.curve == EllipticCurve::Ed25519
            && VerifyingKey::from_bytes(x).is_ok_and(|key| !key.is_weak());
        if !usable {
            return None;
        }
    }
    let kid = jwk.common.key_id.clone()?;
    Some((
        kid,
        Arc::new(PublicKey {
            decoding,
            algorithm,
            jwk,
        }),
    ))
}
