//! Checks on how the frontend and the separate backend fit together: SQLite-only `connect_args`,
//! issuer/audience, the JWKS URL, the CORS origin. Pure functions of env values and file contents.

use super::finding::{Finding, Severity};

pub const JWKS_PATH: &str = "/api/auth/jwks";

/// Lines (1-based) of a Python file that pass `check_same_thread` without a SQLite condition nearby.
pub fn unguarded_connect_args(source: &str) -> Vec<usize> {
    let lines: Vec<&str> = source.lines().collect();
    (0..lines.len())
        .filter(|&i| {
            lines[i].contains("check_same_thread") && !lines[i].trim_start().starts_with('#')
        })
        // The same line (`... if url.startswith("sqlite") else {}`) or one of the three above
        // (`if url.startswith("sqlite"):`) must mention sqlite.
        .filter(|&i| {
            !lines[i.saturating_sub(3)..=i]
                .iter()
                .any(|l| l.to_ascii_lowercase().contains("sqlite"))
        })
        .map(|i| i + 1)
        .collect()
}

pub fn connect_args(database_url: &str, files: &[(String, String)]) -> Vec<Finding> {
    if database_url.starts_with("file:") || database_url.starts_with("sqlite") {
        return Vec::new();
    }
    files
        .iter()
        .flat_map(|(path, text)| unguarded_connect_args(text).into_iter().map(move |line| (path, line)))
        .map(|(path, line)| {
            Finding::new(
                "sqlite-connect-args",
                Severity::Error,
                format!("{path}:{line} passes connect_args={{\"check_same_thread\": False}} while DATABASE_URL is not SQLite"),
                "only SQLite's driver accepts check_same_thread: psycopg and PyMySQL fail at the first connection",
                "pass connect_args only when the URL starts with \"sqlite\"",
            )
        })
        .collect()
}

/// The iss/aud the frontend signs with vs what the backend accepts. Both sides reduce an http(s) value to
/// its origin (so `http://localhost:3000/` and `HTTP://LOCALHOST:3000` are one issuer) and default to the
/// origin of BETTER_AUTH_URL; compare them the same way.
pub fn claims(frontend: &Claims, backend: &Claims) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (claim, signed, expected, key) in [
        (
            "issuer (iss)",
            &frontend.issuer,
            &backend.issuer,
            "JWT_ISSUER",
        ),
        (
            "audience (aud)",
            &frontend.audience,
            &backend.audience,
            "JWT_AUDIENCE",
        ),
    ] {
        let (signed, expected) = (claim_value(signed), claim_value(expected));
        if signed != expected {
            findings.push(Finding::new(
                "jwt-claim-mismatch",
                Severity::Error,
                format!("the frontend signs tokens with {claim} `{signed}` but the backend expects `{expected}`"),
                "the backend rejects every token: signed-in users get 401",
                format!("set the same {key} in frontend/.env and backend/.env, or remove it from both (both then use the origin of BETTER_AUTH_URL)"),
            ));
        }
    }
    findings
}

/// An issuer/audience as the frontend and the backends use it: an http(s) URL becomes its origin, any
/// other string is taken as it is.
fn claim_value(value: &str) -> String {
    let lower = value.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        origin(value)
    } else {
        value.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub issuer: String,
    pub audience: String,
}

/// A static look at the JWKS URL the backend fetches; `None` when it has the right shape.
pub fn jwks_path(jwks_url: &str) -> Option<Finding> {
    let path = jwks_url.split_once("://").map_or(jwks_url, |(_, rest)| {
        rest.find('/').map_or("", |i| &rest[i..])
    });
    if path.trim_end_matches('/') == JWKS_PATH {
        return None;
    }
    Some(Finding::new(
        "jwks-path",
        Severity::Error,
        format!(
            "the backend fetches its keys from {jwks_url}, but Better Auth serves them at {JWKS_PATH}"
        ),
        "the backend finds no keys (404) and answers 503 or 401 to every request",
        format!(
            "remove JWKS_URL from backend/.env (it defaults to BETTER_AUTH_URL + {JWKS_PATH}) or end it with {JWKS_PATH}"
        ),
    ))
}

/// What a GET of the JWKS URL showed, when the frontend may be running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksProbe {
    /// HTTP status and body.
    Answered(u16, String),
    /// Nothing listens there: the frontend is not running.
    Unreachable,
    /// Not a plain http URL on this machine.
    NotChecked(&'static str),
}

pub fn jwks_probe(jwks_url: &str, probe: &JwksProbe) -> Option<Finding> {
    match probe {
        JwksProbe::Answered(200, body) if body.contains("\"keys\"") => None,
        JwksProbe::Answered(404, _) => Some(Finding::new(
            "jwks-not-found",
            Severity::Error,
            format!("{jwks_url} answers 404"),
            "the backend cannot fetch the signing keys and rejects every token",
            format!(
                "point BETTER_AUTH_URL (or JWKS_URL) in backend/.env at the frontend; the path is {JWKS_PATH}"
            ),
        )),
        JwksProbe::Answered(status, _) => Some(Finding::new(
            "jwks-error",
            Severity::Error,
            format!("{jwks_url} answers {status} instead of a key set"),
            "the backend cannot fetch the signing keys; a 500 usually means the jwks table is missing or BETTER_AUTH_SECRET changed",
            "run `cargo xtask verify`, then see the frontend's log",
        )),
        JwksProbe::Unreachable => Some(Finding::new(
            "jwks-unreachable",
            Severity::Info,
            format!(
                "nothing answers at {jwks_url}: the frontend is not running, so the JWKS was not fetched"
            ),
            "the backend needs the frontend running to verify tokens",
            "start both with `cargo xtask dev`, then run `cargo xtask doctor` again",
        )),
        JwksProbe::NotChecked(reason) => Some(Finding::new(
            "jwks-not-checked",
            Severity::Info,
            format!("{jwks_url} was not fetched: {reason}"),
            "the doctor only fetches plain-http URLs on this machine",
            format!("open {jwks_url} in a browser: it must show {{\"keys\": [...]}}"),
        )),
    }
}

/// The browser's origin (frontend BETTER_AUTH_URL) must be the backend's allowed FRONTEND_URL.
pub fn cors(frontend_url: &str, backend_frontend_url: &str) -> Option<Finding> {
    let (a, b) = (origin(frontend_url), origin(backend_frontend_url));
    (a != b).then(|| {
        Finding::new(
            "cors-origin",
            Severity::Error,
            format!("the frontend runs at {a} but the backend allows the origin {b} (FRONTEND_URL in backend/.env)"),
            "the browser blocks every backend call from the dashboard (CORS), even with a valid token",
            format!("set FRONTEND_URL={a} in backend/.env"),
        )
    })
}

/// `http://localhost:3000/` → `http://localhost:3000`: scheme, host and port, as browsers compare them.
pub fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.trim().split_once("://") else {
        return url.trim().to_string();
    };
    // Lower-cased first, so `HTTPS://host:443` loses its default port like `https://host:443`.
    let scheme = scheme.to_ascii_lowercase();
    let host = rest.split('/').next().unwrap_or_default();
    let host = match (
        scheme.as_str(),
        host.strip_suffix(":80"),
        host.strip_suffix(":443"),
    ) {
        ("http", Some(bare), _) | ("https", _, Some(bare)) => bare,
        _ => host,
    };
    format!("{scheme}://{}", host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_like_browsers_whatever_the_case_of_the_scheme() {
        assert_eq!(
            origin("HTTPS://App.Example.com:443/x"),
            "https://app.example.com"
        );
        assert_eq!(origin("http://localhost:80/"), "http://localhost");
        assert_eq!(origin("http://localhost:3000/"), "http://localhost:3000");
        assert_eq!(origin("https://host:80"), "https://host:80");
    }

    #[test]
    fn connect_args_are_fine_only_when_guarded_by_sqlite() {
        let guarded = "    if url.startswith(\"sqlite\"):\n        # comment\n        return create_engine(url, connect_args={\"check_same_thread\": False})\n";
        assert!(unguarded_connect_args(guarded).is_empty());
        let inline = "args = {\"check_same_thread\": False} if is_sqlite else {}\n";
        assert!(unguarded_connect_args(inline).is_empty());
        let bad = "import x\n\n\n\nengine = create_engine(url, connect_args={\"check_same_thread\": False})\n";
        assert_eq!(unguarded_connect_args(bad), [5]);
        let files = [("backend/app/db.py".to_string(), bad.to_string())];
        assert_eq!(connect_args("postgresql://x", &files).len(), 1);
        assert!(connect_args("file:./notes.db", &files).is_empty());
    }

    #[test]
    fn issuer_and_audience_must_match() {
        let frontend = Claims {
            issuer: "http://localhost:3000".into(),
            audience: "http://localhost:3000".into(),
        };
        assert!(claims(&frontend, &frontend.clone()).is_empty());
        // Spelled differently, the same origin: the backends accept it (issue 13 item 11).
        let same_origin = Claims {
            issuer: "HTTP://LOCALHOST:3000/".into(),
            audience: "http://localhost:3000/dashboard".into(),
        };
        assert!(claims(&frontend, &same_origin).is_empty());
        let backend = Claims {
            issuer: "http://localhost:3001".into(),
            audience: "api".into(),
        };
        let findings = claims(&frontend, &backend);
        assert_eq!(findings.len(), 2);
        assert!(findings[0].what.contains("http://localhost:3001"));
    }

    #[test]
    fn the_jwks_path_is_api_auth_jwks() {
        assert!(jwks_path("http://localhost:3000/api/auth/jwks").is_none());
        assert!(jwks_path("http://localhost:3000/.well-known/jwks.json").is_some());
        assert!(jwks_path("http://localhost:3000").is_some());
    }

    #[test]
    fn jwks_answers_are_judged() {
        let url = "http://localhost:3000/api/auth/jwks";
        assert!(jwks_probe(url, &JwksProbe::Answered(200, "{\"keys\":[]}".into())).is_none());
        assert_eq!(
            jwks_probe(url, &JwksProbe::Answered(404, String::new()))
                .unwrap()
                .severity,
            Severity::Error
        );
        assert_eq!(
            jwks_probe(url, &JwksProbe::Unreachable).unwrap().severity,
            Severity::Info
        );
        assert!(
            jwks_probe(url, &JwksProbe::Unreachable)
                .unwrap()
                .fix
                .contains("cargo xtask dev")
        );
    }

    #[test]
    fn cors_compares_origins() {
        assert!(cors("http://localhost:3000", "http://localhost:3000/").is_none());
        assert!(cors("http://localhost:80", "http://localhost").is_none());
        assert!(cors("http://localhost:3000", "http://127.0.0.1:3000").is_some());
    }
}
