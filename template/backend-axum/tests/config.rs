//! Startup configuration: defaults, validation messages, and the real binary refusing to
//! start without BETTER_AUTH_URL.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use backend::Config;
use backend::auth::AuthUser;
use backend::auth::cache::VerifiedTokens;
use backend::db::Family;
use jsonwebtoken::{Algorithm, get_current_timestamp};

fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(
        |name| vars.get(name).cloned(),
        PathBuf::from("/srv/backend"),
    )
    .map_err(|e| e.to_string())
}

fn url_of(family: Family) -> &'static str {
    match family {
        Family::Sqlite => "file:./notes.db",
        Family::Postgres => "postgresql://postgres@127.0.0.1:5432/notes",
        Family::Mysql => "mysql://root@127.0.0.1:3306/notes",
    }
}

/// A URL of a family this build was compiled for.
fn database_url() -> &'static str {
    let family = Family::ALL.into_iter().find(|f| f.is_compiled()).unwrap();
    url_of(family)
}

#[test]
fn defaults_follow_better_auth_url() {
    let config = config(&[
        ("BETTER_AUTH_URL", "http://localhost:3000/"),
        ("DATABASE_URL", database_url()),
    ])
    .unwrap();
    assert_eq!(config.jwks_url, "http://localhost:3000/api/auth/jwks");
    assert_eq!(config.issuer, "http://localhost:3000");
    assert_eq!(config.audience, "http://localhost:3000");
    assert_eq!(config.algorithms, vec![Algorithm::EdDSA]);
    assert_eq!(config.jwks_min_refetch, Duration::from_secs(5));
    assert_eq!(config.jwks_max_age, Duration::from_secs(600));
    assert_eq!(config.frontend_url, "http://localhost:3000");
    assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 8000));
}

/// Issue 13 item 11: BETTER_AUTH_URL as people type it gives the origin Better Auth signs.
#[test]
fn issuer_and_audience_are_the_normalised_origin_of_better_auth_url() {
    for (better_auth_url, origin) in [
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://localhost:3000/", "http://localhost:3000"),
        ("HTTP://LOCALHOST:3000/", "http://localhost:3000"),
        (
            "http://LocalHost:3000/some/path?x=1#y",
            "http://localhost:3000",
        ),
        ("http://localhost:80/", "http://localhost"),
        ("https://App.Example.com:443", "https://app.example.com"),
        (
            "https://app.example.com:8443/",
            "https://app.example.com:8443",
        ),
    ] {
        let config = config(&[
            ("BETTER_AUTH_URL", better_auth_url),
            ("DATABASE_URL", database_url()),
        ])
        .unwrap();
        assert_eq!(config.issuer, origin, "{better_auth_url}");
        assert_eq!(config.audience, origin, "{better_auth_url}");
    }
}

#[test]
fn issuer_and_audience_overrides_are_normalised_only_when_urls() {
    let config = config(&[
        ("BETTER_AUTH_URL", "http://localhost:3000"),
        ("DATABASE_URL", database_url()),
        ("JWT_ISSUER", "HTTPS://Auth.Example.com:443/"),
        ("JWT_AUDIENCE", "urn:Notes-API"),
    ])
    .unwrap();
    assert_eq!(config.issuer, "https://auth.example.com");
    assert_eq!(config.audience, "urn:Notes-API");
}

#[test]
fn explicit_values_win() {
    let config = config(&[
        ("BETTER_AUTH_URL", "https://app.example.com"),
        ("JWKS_URL", "https://keys.example.com/jwks.json"),
        ("JWT_ISSUER", "https://issuer.example.com"),
        ("JWT_AUDIENCE", "api"),
        ("JWT_ALGORITHMS", "ES256,EdDSA"),
        ("JWKS_MIN_REFETCH_SECONDS", "2.5"),
        ("FRONTEND_URL", "https://app.example.com/"),
        ("DATABASE_URL", database_url()),
        ("HOST", "0.0.0.0"),
        ("PORT", "9000"),
    ])
    .unwrap();
    assert_eq!(config.jwks_url, "https://keys.example.com/jwks.json");
    assert_eq!(config.issuer, "https://issuer.example.com");
    assert_eq!(config.audience, "api");
    assert_eq!(config.algorithms, vec![Algorithm::ES256, Algorithm::EdDSA]);
    assert_eq!(config.jwks_min_refetch, Duration::from_millis(2500));
    assert_eq!(config.frontend_url, "https://app.example.com");
    assert_eq!((config.host.as_str(), config.port), ("0.0.0.0", 9000));
}

#[test]
fn missing_better_auth_url_is_named() {
    let error = config(&[("DATABASE_URL", database_url())]).unwrap_err();
    assert!(error.contains("BETTER_AUTH_URL is not set"), "{error}");
    let error = config(&[("BETTER_AUTH_URL", "  "), ("DATABASE_URL", database_url())]).unwrap_err();
    assert!(error.contains("BETTER_AUTH_URL is not set"), "{error}");
    let error = config(&[("BETTER_AUTH_URL", "localhost:3000")]).unwrap_err();
    assert!(error.contains("BETTER_AUTH_URL must be an http"), "{error}");
}

#[test]
fn unsafe_or_unsupported_algorithms_are_refused() {
    for (list, expected) in [
        ("HS256", "not allowed"),
        ("EdDSA,none", "not allowed"),
        ("ES512", "ES512 is not supported"),
        (" , ", "JWT_ALGORITHMS is empty"),
    ] {
        let error = config(&[
            ("BETTER_AUTH_URL", "http://localhost:3000"),
            ("DATABASE_URL", database_url()),
            ("JWT_ALGORITHMS", list),
        ])
        .unwrap_err();
        assert!(error.contains(expected), "{list}: {error}");
    }
}

#[test]
fn database_url_must_match_the_build() {
    let with_db = |url: &str| {
        config(&[
            ("BETTER_AUTH_URL", "http://localhost:3000"),
            ("DATABASE_URL", url),
        ])
    };
    let error = with_db("libsql://my-db.turso.io").unwrap_err();
    assert!(
        error.contains("Turso") && error.contains("embedded replica"),
        "{error}"
    );
    // Each compiled family is picked by its URL; the others are named with the fix.
    for family in Family::ALL {
        let url = url_of(family);
        match with_db(url) {
            Ok(config) => {
                assert!(family.is_compiled(), "{url} accepted");
                assert_eq!(config.database_family, family);
            }
            Err(error) => {
                assert!(!family.is_compiled(), "{url}: {error}");
                let fix = format!("rebuild with --features {}", family.name());
                assert!(error.contains(&fix), "{error}");
            }
        }
    }
    let error = with_db("redis://localhost").unwrap_err();
    assert!(error.contains("must start with"), "{error}");
    assert!(with_db(database_url()).is_ok());
}

#[test]
fn bad_numbers_are_named() {
    let base = [
        ("BETTER_AUTH_URL", "http://localhost:3000"),
        ("DATABASE_URL", database_url()),
    ];
    let error = config(&[base[0], base[1], ("PORT", "eighty")]).unwrap_err();
    assert!(error.contains("PORT"), "{error}");
    let error = config(&[base[0], base[1], ("JWKS_MIN_REFETCH_SECONDS", "-1")]).unwrap_err();
    assert!(error.contains("JWKS_MIN_REFETCH_SECONDS"), "{error}");
    let error = config(&[base[0], base[1], ("JWKS_MAX_AGE_SECONDS", "soon")]).unwrap_err();
    assert!(error.contains("JWKS_MAX_AGE_SECONDS"), "{error}");
    let error = config(&[base[0], base[1], ("RUST_LOG", "backend=loud")]).unwrap_err();
    assert!(error.contains("RUST_LOG"), "{error}");
    let config = config(&[base[0], base[1], ("RUST_LOG", "backend=debug")]).unwrap();
    assert_eq!(config.log_filter.as_deref(), Some("backend=debug"));
}

#[test]
fn verified_token_cache_is_bounded_and_drops_expired_tokens() {
    let cache = VerifiedTokens::new(2);
    let user = AuthUser {
        id: "u".into(),
        email: None,
    };
    let later = get_current_timestamp() + 600;
    for token in ["a", "b", "c"] {
        cache.insert(token, user.clone(), later, 0);
    }
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.get("c", 0), Some(user.clone()));
    cache.insert("expired", user.clone(), get_current_timestamp(), 0);
    assert_eq!(cache.get("expired", 0), None);
}

/// Runs the real binary in an empty folder, with only the given variables set.
fn backend_command(vars: &[(&str, &str)]) -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_backend"));
    command
        .current_dir(dir.path())
        .env_clear()
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (command, dir)
}

#[test]
fn binary_exits_with_a_clear_message_without_better_auth_url() {
    let (mut command, _dir) = backend_command(&[]);
    let output = command.output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("BETTER_AUTH_URL is not set"), "{stderr}");
}

/// The running binary, its address, and every stderr line it writes (read by a thread, so
/// the pipe never fills up or closes while it runs).
struct RunningBackend {
    child: Child,
    address: String,
    stderr: mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl RunningBackend {
    fn start(vars: &[(&str, &str)]) -> Self {
        let (mut command, dir) = backend_command(vars);
        let mut child = command.spawn().unwrap();
        let (lines, stderr) = mpsc::channel();
        let reader = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let listening = loop {
            let line = stderr.recv_timeout(Duration::from_secs(30)).unwrap();
            if line.contains("listening on") {
                break line;
            }
        };
        let address = listening
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {listening:?}"))
            .to_owned();
        Self {
            child,
            address,
            stderr,
            _dir: dir,
        }
    }

    /// Stops the backend and returns what it wrote after the "listening" line.
    fn stop(&mut self) -> Vec<String> {
        let _ = self.child.kill();
        self.child.wait().unwrap();
        self.stderr.iter().collect()
    }
}

impl Drop for RunningBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn binary_starts_and_serves_health() {
    let (database_url, _database_dir) = common::test_database();
    let mut backend = RunningBackend::start(&[
        ("BETTER_AUTH_URL", "http://127.0.0.1:9"),
        ("DATABASE_URL", &database_url),
        ("PORT", "0"),
    ]);
    let reply = reqwest::get(format!("{}/health", backend.address)).await;
    backend.stop();
    let reply = reply.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap(), r#"{"status":"ok"}"#);
}

/// One line per request (method, path, status, duration) and, at debug level, why a token
/// was refused; never the token.
#[tokio::test]
async fn requests_are_logged_without_tokens() {
    let (database_url, _database_dir) = common::test_database();
    let key = common::TestKey::ed25519(1, "key-1");
    let jwks = common::Jwks::start(vec![key.jwk()]).await;
    let mut backend = RunningBackend::start(&[
        ("BETTER_AUTH_URL", &jwks.base_url),
        ("DATABASE_URL", &database_url),
        ("PORT", "0"),
        ("RUST_LOG", "backend=debug,tower_http=info"),
    ]);
    let http = reqwest::Client::new();
    let valid = key.sign(&common::claims(&jwks.base_url));
    let mut expired_claims = common::claims(&jwks.base_url);
    expired_claims["exp"] = 946_684_800.into();
    let expired = key.sign(&expired_claims);
    let mut statuses = Vec::new();
    for token in [&valid, &expired] {
        let reply = http
            .get(format!("{}/api/me?tab=1", backend.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        statuses.push(reply.status().as_u16());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = backend.stop();
    assert_eq!(statuses, [200, 401]);
    let requests: Vec<&String> = log
        .iter()
        .filter(|line| line.contains("finished processing request"))
        .collect();
    assert_eq!(requests.len(), 2, "{log:#?}");
    for (line, status) in requests.iter().zip(["200", "401"]) {
        assert!(line.contains("method=GET"), "{line}");
        assert!(line.contains(r#"path="/api/me""#), "{line}");
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("latency="), "{line}");
    }
    assert!(
        log.iter()
            .any(|line| line.contains("token refused") && line.contains("token expired")),
        "{log:#?}"
    );
    for token in [&valid, &expired] {
        for part in token.split('.') {
            assert!(!log.iter().any(|line| line.contains(part)), "{log:#?}");
        }
    }
}
