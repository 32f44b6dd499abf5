//! The shared JWT contract (`conformance/jwt-cases.json`, the same file the FastAPI and
//! Express backends run): every case through the real router, against a local JWKS.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backend::{AppState, Config, app};
use common::Jwks;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;

#[derive(Deserialize)]
struct CaseFile {
    version: u32,
    issuer: String,
    jwks: HashMap<String, JwkSet>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Value>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    better_auth_url: Option<String>,
    /// A key of `jwks`, or none: the JWKS endpoint is unreachable.
    jwks: Option<String>,
    authorization: Option<String>,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    status: u16,
    sub: Option<String>,
    #[serde(default)]
    email: Value,
}

fn load() -> CaseFile {
    // Beside `backend/` in a generated project, beside `backend-axum/` in the template.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/jwt-cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JWKS URL where nothing listens.
fn unreachable_jwks_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/api/auth/jwks", listener.local_addr().unwrap())
}

/// What is wrong with the answer to `case`, if anything.
async fn run(case: &Case, file: &CaseFile, database_url: &str) -> Result<(), String> {
    let (jwks_url, _server) = match &case.jwks {
        Some(set) => {
            let keys = file.jwks.get(set).ok_or(format!("no JWKS named {set}"))?;
            let server = Jwks::start(keys.keys.clone()).await;
            (format!("{}/api/auth/jwks", server.base_url), Some(server))
        }
        None => (unreachable_jwks_url(), None),
    };
    let better_auth_url = case.better_auth_url.as_deref().unwrap_or(&file.issuer);
    let vars = HashMap::from([
        ("BETTER_AUTH_URL", better_auth_url),
        ("JWKS_URL", jwks_url.as_str()),
        ("DATABASE_URL", database_url),
    ]);
    let config = Config::from_lookup(
        |name| vars.get(name).map(|v| (*v).to_owned()),
        std::env::temp_dir(),
    )
    .map_err(|e| e.to_string())?;
    let router = app(AppState::new(&config, common::connect(&config).await).unwrap());

    let mut request = Request::get("/api/me");
    if let Some(value) = &case.authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = router
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|value| value.to_str().unwrap_or_default().to_owned());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);

    if status.as_u16() != case.expect.status {
        return Err(format!(
            "status {status}, expected {} ({body})",
            case.expect.status
        ));
    }
    let ok_body =
        body["id"].as_str() == case.expect.sub.as_deref() && body["email"] == case.expect.email;
    if status == StatusCode::OK && !ok_body {
        return Err(format!("answered {body}"));
    }
    let challenge = challenge.unwrap_or_default();
    let bearer_challenge =
        challenge.starts_with("Bearer") && challenge.contains(r#"error="invalid_token""#);
    if status == StatusCode::UNAUTHORIZED && !bearer_challenge {
        return Err(format!("WWW-Authenticate: {challenge:?}"));
    }
    Ok(())
}

#[tokio::test]
async fn every_shared_case_gets_the_agreed_verdict() {
    let file = load();
    assert_eq!(file.version, 1, "unknown conformance file version");
    assert!(!file.cases.is_empty());
    let (database_url, _database_dir) = common::test_database();
    let mut failures = Vec::new();
    for case in &file.cases {
        if let Err(problem) = run(case, &file, &database_url).await {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
}
