//! Shared test fixtures: real Ed25519 keys, a local JWKS server the test controls, the app
//! wired to it, and assertions that a rejection leaks nothing.
#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backend::{AppState, Config, app, db};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};
use tower::ServiceExt;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An Ed25519 key pair as Better Auth's jwt() plugin makes them.
pub struct TestKey {
    pub kid: String,
    pub public_key: [u8; 32],
    encoding: EncodingKey,
}

impl TestKey {
    /// Deterministic from `seed`: tests need distinct keys, not secret ones.
    pub fn ed25519(seed: u8, kid: &str) -> Self {
        let secret = [seed; 32];
        // PKCS#8 v1 wrapping of a raw Ed25519 seed (RFC 8410): fixed 16-byte prefix.
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&secret);
        Self {
            kid: kid.to_owned(),
            public_key: SigningKey::from_bytes(&secret).verifying_key().to_bytes(),
            encoding: EncodingKey::from_ed_der(&pkcs8),
        }
    }

    pub fn jwk(&self) -> Value {
        json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(&self.public_key), "kid": self.kid, "alg": "EdDSA" })
    }

    pub fn sign(&self, claims: &Value) -> String {
        sign_with(&self.encoding, Algorithm::EdDSA, &self.kid, claims)
    }
}

pub fn sign_with(key: &EncodingKey, alg: Algorithm, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.typ = None; // Better Auth sends `{alg, kid}` only
    header.kid = Some(kid.to_owned());
    encode(&header, claims, key).expect("sign test token")
}

/// A JWKS endpoint at `/api/auth/jwks` (where Better Auth serves it) whose keys and
/// availability the test changes, and which counts every request.
pub struct Jwks {
    pub base_url: String,
    control: Arc<JwksControl>,
}

struct JwksControl {
    keys: Mutex<Vec<Value>>,
    up: AtomicBool,
    fetches: AtomicUsize,
}

impl Jwks {
    pub async fn start(keys: Vec<Value>) -> Self {
        let control = Arc::new(JwksControl {
            keys: Mutex::new(keys),
            up: AtomicBool::new(true),
            fetches: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/api/auth/jwks", axum::routing::get(serve_jwks))
            .with_state(control.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { base_url, control }
    }

    pub fn set_keys(&self, keys: Vec<Value>) {
        *self.control.keys.lock().unwrap() = keys;
    }

    pub fn set_up(&self, up: bool) {
        self.control.up.store(up, Ordering::SeqCst);
    }

    pub fn fetches(&self) -> usize {
        self.control.fetches.load(Ordering::SeqCst)
    }
}

async fn serve_jwks(State(control): State<Arc<JwksControl>>) -> Response {
    control.fetches.fetch_add(1, Ordering::SeqCst);
    if !control.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let keys = control.keys.lock().unwrap().clone();
    axum::Json(json!({ "keys": keys })).into_response()
}

/// Claims as Better Auth issues them, for a fresh user; `iss` = `aud` = the base URL.
pub fn claims(base_url: &str) -> Value {
    let now = get_current_timestamp();
    let user = uuid::Uuid::now_v7().simple().to_string();
    json!({
        "sub": format!("user{user}"),
        "email": format!("{user}@example.com"),
        "name": "Test User",
        "iss": base_url,
        "aud": base_url,
        "iat": now,
        "exp": now + 900,
    })
}

/// Where the notes live during tests: DATABASE_URL (CI: PostgreSQL, MariaDB), else a temp
/// SQLite file for the sqlite build. A server database must be given; never skip silently.
pub fn test_database() -> (String, Option<tempfile::TempDir>) {
    if let Some(url) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        return (url, None);
    }
    if db::Family::Sqlite.is_compiled() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file:{}", dir.path().join("notes.db").display());
        return (url, Some(dir));
    }
    let env_file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".env");
    if let Some(url) = dotenvy::from_path_iter(&env_file)
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|(name, value)| (name == "DATABASE_URL" && !value.is_empty()).then_some(value))
    {
        return (url, None);
    }
    panic!(
        "the {} tests need a database: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/backend_test \
         or mysql://root@127.0.0.1:3306/backend_test)",
        db::Family::compiled()
    );
}

/// Serialises table creation: concurrent `CREATE TABLE IF NOT EXISTS` can race on PostgreSQL.
static SCHEMA_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The test database of `config`, with the note table.
pub async fn connect(config: &Config) -> db::Pool {
    let _guard = SCHEMA_LOCK.lock().await;
    let pool = db::connect(&config.database_url, &config.base_dir)
        .await
        .expect("connect to the test database");
    db::create_schema(&pool)
        .await
        .expect("create the note table");
    pool
}

pub struct TestApp {
    pub router: Router,
    pub jwks: Jwks,
    pub key: TestKey,
    pub config: Config,
    pub pool: db::Pool,
    _database_dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// `env` overrides the defaults (BETTER_AUTH_URL = the local JWKS server).
    pub async fn start_with(env: &[(&str, &str)]) -> Self {
        let key = TestKey::ed25519(1, "key-1");
        let jwks = Jwks::start(vec![key.jwk()]).await;
        let (database_url, database_dir) = test_database();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("BETTER_AUTH_URL".into(), jwks.base_url.clone()),
            // Explicit, so a test may set BETTER_AUTH_URL to another origin.
            (
                "JWKS_URL".into(),
                format!("{}/api/auth/jwks", jwks.base_url),
            ),
            ("FRONTEND_URL".into(), "http://localhost:3000".into()),
            ("DATABASE_URL".into(), database_url),
        ]);
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_lookup(|name| vars.get(name).cloned(), std::env::temp_dir())
            .expect("test configuration");
        let pool = connect(&config).await;
        let router = app(AppState::new(&config, pool.clone()).unwrap());
        Self {
            router,
            jwks,
            key,
            config,
            pool,
            _database_dir: database_dir,
        }
    }

    pub fn claims(&self) -> Value {
        claims(&self.jwks.base_url)
    }

    pub fn token(&self) -> String {
        self.key.sign(&self.claims())
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// `GET path` with `Authorization: <authorization>` when given.
    pub async fn get(&self, path: &str, authorization: Option<&str>) -> Reply {
        let mut request = Request::get(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn me(&self, token: &str) -> Reply {
        self.get("/api/me", Some(&format!("Bearer {token}"))).await
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// A JSON `{"detail": "..."}` and nothing else.
    pub fn detail(&self) -> String {
        let json = self.json();
        let object = json.as_object().expect("JSON object");
        assert_eq!(object.len(), 1, "only `detail` expected: {json}");
        object["detail"].as_str().expect("string detail").to_owned()
    }
}

/// 401 with the Bearer challenge and a short reason that repeats nothing from the token.
pub fn assert_invalid_token(reply: &Reply, token: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "body: {}",
        reply.body
    );
    assert_eq!(
        reply.headers[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
    let detail = reply.detail();
    assert!(detail.len() < 80, "reason should be short: {detail}");
    assert_no_leak(reply, token);
}

/// Neither the token, any of its parts, nor a decoded claim appears in the answer.
pub fn assert_no_leak(reply: &Reply, token: &str) {
    let headers = format!("{:?}", reply.headers);
    let mut secrets: Vec<String> = token
        .split('.')
        .filter(|part| part.len() >= 8)
        .map(str::to_owned)
        .collect();
    for part in token.split('.') {
        if let Ok(decoded) = URL_SAFE_NO_PAD.decode(part)
            && let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&decoded)
        {
            secrets.extend(fields.values().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !reply.body.contains(secret.as_str()),
            "body leaks {secret:?}: {}",
            reply.body
        );
        assert!(
            !headers.contains(secret.as_str()),
            "headers leak {secret:?}"
        );
    }
}
