//! The usual axum + jsonwebtoken setup: the key set fetched once at start (`DecodingKey::from_jwk`),
//! `decode` with `Validation::new(Algorithm::EdDSA)` in an extractor. `cargo xtask bench --only auth`
//! measures it beside the generated axum backend, built and started the same way (release binary):
//!
//!     JWKS_URL=... JWT_ISSUER=... JWT_AUDIENCE=... HOST=127.0.0.1 PORT=8000 axum-jsonwebtoken-peer

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::{Value, json};

struct Keys {
    by_kid: HashMap<String, DecodingKey>,
    validation: Validation,
}

#[derive(Clone)]
struct AppState {
    keys: Arc<Keys>,
}

impl FromRef<AppState> for Arc<Keys> {
    fn from_ref(state: &AppState) -> Self {
        state.keys.clone()
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    email: Option<String>,
}

impl<S> FromRequestParts<S> for Claims
where
    Arc<Keys>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(Unauthorized)?;
        let keys = Arc::<Keys>::from_ref(state);
        let kid = decode_header(token)
            .ok()
            .and_then(|header| header.kid)
            .ok_or(Unauthorized)?;
        let key = keys.by_kid.get(&kid).ok_or(Unauthorized)?;
        decode::<Claims>(token, key, &keys.validation)
            .map(|data| data.claims)
            .map_err(|_| Unauthorized)
    }
}

#[derive(Clone, Copy)]
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let challenge = [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")];
        (StatusCode::UNAUTHORIZED, challenge).into_response()
    }
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn me(claims: Claims) -> Json<Value> {
    Json(json!({"id": claims.sub, "email": claims.email}))
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

#[tokio::main]
async fn main() {
    let body = reqwest::get(env("JWKS_URL"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the JWKS can be fetched")
        .bytes()
        .await
        .expect("the JWKS can be read");
    let jwks: JwkSet = serde_json::from_slice(&body).expect("the JWKS is a key set");
    let by_kid = jwks
        .keys
        .iter()
        .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
        .collect();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[env("JWT_ISSUER")]);
    validation.set_audience(&[env("JWT_AUDIENCE")]);
    // The same claims the generated backend requires.
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let state = AppState {
        keys: Arc::new(Keys { by_kid, validation }),
    };

    let app = Router::new()
        .route("/health", get(health))
        .route("/api/me", get(me))
        .with_state(state);
    let address = format!("{}:{}", env("HOST"), env("PORT"));
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .expect("the address is free");
    axum::serve(listener, app).await.expect("the server runs");
}
