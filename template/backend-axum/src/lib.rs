//! A small API that trusts Better Auth's JWTs (verified against its JWKS) and stores
//! per-user notes. `app` builds the whole router so tests can call it without a socket.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod routes;
pub mod server;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, header};
use axum::routing::{delete, get};
use tower_http::LatencyUnit;
use tower_http::cors::CorsLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use auth::verify::TokenVerifier;
pub use config::Config;

/// Everything a request handler needs; cheap to clone (all shared).
#[derive(Clone)]
pub struct AppState {
    pub verifier: Arc<TokenVerifier>,
    pub db: db::Pool,
    frontend_origin: HeaderValue,
}

impl AppState {
    pub fn new(config: &Config, db: db::Pool) -> Result<Self, reqwest::Error> {
        let frontend_origin = HeaderValue::from_str(&config.frontend_url)
            .expect("config validated FRONTEND_URL as an ASCII origin");
        Ok(Self {
            verifier: Arc::new(TokenVerifier::new(config)?),
            db,
            frontend_origin,
        })
    }
}

pub fn app(state: AppState) -> Router {
    let cors = cors(state.frontend_origin.clone());
    Router::new()
        .route("/health", get(routes::health::health))
        .route("/api/me", get(routes::me::me))
        .route(
            "/api/notes",
            get(routes::notes::list).post(routes::notes::create),
        )
        .route("/api/notes/{id}", delete(routes::notes::delete))
        .fallback(error::not_found)
        .layer(cors)
        // One line per request when it is answered: method, path (no query), status and
        // duration. Headers are never logged, so neither is a token.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    tracing::info_span!("request", method = %request.method(), path = request.uri().path())
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                )
                .on_failure(()),
        )
        .with_state(state)
}

/// The browser calls us from the frontend's origin with a Bearer header; no cookies, so no
/// credentials mode, and nothing else is allowed.
fn cors(frontend_origin: HeaderValue) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(frontend_origin)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}
