//! Settings from the process environment, then `.env`; validated once at startup so a
//! mistake is a clear message naming the variable, not a 500 at the first request.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jsonwebtoken::Algorithm;
use reqwest::Url;
use tracing_subscriber::EnvFilter;

use crate::db;

#[derive(Clone, Debug)]
pub struct Config {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    pub algorithms: Vec<Algorithm>,
    /// Shortest gap between two JWKS downloads triggered by unknown `kid`s.
    pub jwks_min_refetch: Duration,
    /// Keys older than this are refetched in the background.
    pub jwks_max_age: Duration,
    /// The single CORS origin, normalised (no trailing slash).
    pub frontend_url: String,
    pub database_url: String,
    /// The family DATABASE_URL names (one this build has).
    pub database_family: db::Family,
    pub host: String,
    pub port: u16,
    /// RUST_LOG, when set (also read from `.env`, unlike most programs).
    pub log_filter: Option<String>,
    /// Relative SQLite paths are resolved here: the folder holding the `.env` we read.
    pub base_dir: PathBuf,
}

#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

impl Config {
    /// Process environment first, then `./.env`, or `./backend/.env` when started from the
    /// project root (`cargo run -p backend` keeps the caller's working directory).
    pub fn from_env() -> Result<Self, ConfigError> {
        let cwd =
            std::env::current_dir().map_err(|e| invalid(format!("no working directory: {e}")))?;
        let env_file = [cwd.join(".env"), cwd.join("backend").join(".env")]
            .into_iter()
            .find(|path| path.is_file());
        let file_values = match &env_file {
            Some(path) => read_env_file(path)?,
            None => HashMap::new(),
        };
        let base_dir = env_file
            .as_deref()
            .and_then(Path::parent)
            .map_or(cwd, Path::to_path_buf);
        Self::from_lookup(
            |name| {
                let from_process = std::env::var(name).ok().filter(|v| !v.trim().is_empty());
                from_process.or_else(|| file_values.get(name).cloned())
            },
            base_dir,
        )
    }

    /// Builds the configuration from any source of variables (tests pass a map).
    /// Empty values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        base_dir: PathBuf,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let better_auth_url = get("BETTER_AUTH_URL").ok_or_else(|| {
            invalid(
                "BETTER_AUTH_URL is not set. Set it (in the environment or backend/.env) to the URL \
                 of the Next.js app that runs Better Auth, e.g. BETTER_AUTH_URL=http://localhost:3000",
            )
        })?;
        let better_auth_url = http_url("BETTER_AUTH_URL", &better_auth_url)?;
        let base = better_auth_url.as_str().trim_end_matches('/').to_owned();
        // What Better Auth's jwt() signs as `iss` and `aud` (the frontend uses the same rule).
        let origin = better_auth_url.origin().ascii_serialization();

        let jwks_url = match get("JWKS_URL") {
            Some(url) => http_url("JWKS_URL", &url)?.to_string(),
            None => format!("{base}/api/auth/jwks"),
        };
        let frontend_url = match get("FRONTEND_URL") {
            Some(url) => http_url("FRONTEND_URL", &url)?
                .origin()
                .ascii_serialization(),
            None => "http://localhost:3000".to_owned(),
        };
        let database_url = match get("DATABASE_URL") {
            Some(url) => url,
            None => db::DEFAULT_URL.map(str::to_owned).ok_or_else(|| {
                invalid(format!(
                    "DATABASE_URL is not set (a {} URL)",
                    db::Family::compiled()
                ))
            })?,
        };
        let database_family = db::check_url(&database_url)
            .map_err(|reason| invalid(format!("DATABASE_URL: {reason}")))?;

        Ok(Self {
            jwks_url,
            issuer: get("JWT_ISSUER").map_or_else(|| origin.clone(), normalise_if_url),
            audience: get("JWT_AUDIENCE").map_or_else(|| origin.clone(), normalise_if_url),
            algorithms: algorithms(get("JWT_ALGORITHMS").as_deref().unwrap_or("EdDSA"))?,
            jwks_min_refetch: seconds(
                "JWKS_MIN_REFETCH_SECONDS",
                get("JWKS_MIN_REFETCH_SECONDS").as_deref().unwrap_or("5"),
            )?,
            jwks_max_age: seconds(
                "JWKS_MAX_AGE_SECONDS",
                get("JWKS_MAX_AGE_SECONDS").as_deref().unwrap_or("600"),
            )?,
            frontend_url,
            database_url,
            database_family,
            host: get("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: get("PORT")
                .as_deref()
                .unwrap_or("8000")
                .parse()
                .map_err(|_| invalid("PORT must be a number between 0 and 65535"))?,
            log_filter: match get("RUST_LOG") {
                Some(filter) => match EnvFilter::try_new(&filter) {
                    Ok(_) => Some(filter),
                    Err(e) => return Err(invalid(format!("RUST_LOG {filter:?}: {e}"))),
                },
                None => None,
            },
            base_dir,
        })
    }
}

fn read_env_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let unreadable = |e: dotenvy::Error| invalid(format!("cannot read {}: {e}", path.display()));
    dotenvy::from_path_iter(path)
        .map_err(unreadable)?
        .map(|item| item.map_err(unreadable))
        .collect()
}

fn http_url(name: &str, value: &str) -> Result<Url, ConfigError> {
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
        _ => Err(invalid(format!(
            "{name} must be an http:// or https:// URL, got {value:?}"
        ))),
    }
}

/// An http(s) URL becomes its origin (WHATWG: scheme and host lower-case, default port and
/// path dropped), as for BETTER_AUTH_URL; any other value (`api`, `urn:…`) is kept as given.
fn normalise_if_url(value: String) -> String {
    match Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            url.origin().ascii_serialization()
        }
        _ => value,
    }
}

/// Asymmetric algorithms only: an HMAC entry would let anyone holding the public key sign
/// tokens (algorithm confusion). ES512 is Better Auth-compatible but jsonwebtoken lacks it.
fn algorithms(list: &str) -> Result<Vec<Algorithm>, ConfigError> {
    let parse = |name: &str| match name {
        "EdDSA" => Ok(Algorithm::EdDSA),
        "ES256" => Ok(Algorithm::ES256),
        "RS256" => Ok(Algorithm::RS256),
        "PS256" => Ok(Algorithm::PS256),
        "ES512" => Err(invalid(
            "JWT_ALGORITHMS: ES512 is not supported by the axum backend (jsonwebtoken); \
             configure Better Auth's jwt() plugin with EdDSA, ES256, RS256 or PS256",
        )),
        other => Err(invalid(format!(
            "JWT_ALGORITHMS: {other:?} is not allowed; use a comma-separated list of EdDSA, ES256, RS256, PS256"
        ))),
    };
    let algorithms = list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(parse)
        .collect::<Result<Vec<_>, _>>()?;
    if algorithms.is_empty() {
        return Err(invalid("JWT_ALGORITHMS is empty"));
    }
    Ok(algorithms)
}

fn seconds(name: &str, value: &str) -> Result<Duration, ConfigError> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            invalid(format!(
                "{name} must be a number of seconds >= 0, got {value:?}"
            ))
        })
}
