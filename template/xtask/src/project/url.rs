//! URLs as they may be shown (the one place that decides which parts of a database URL are secret), and
//! the file a SQLite URL names.
//!
//! Every message and log line that shows a URL goes through [`redact`]. Rendered files cannot call Rust:
//! the cargo-generate hooks apply the same rule from `hooks/url.rhai`, and xtask/tests/redaction.rs renders
//! every entry of [`REDACTION_CASES`] through the real template so the two cannot drift.

/// Query parameters whose values are credentials (compared case-insensitively).
const SECRET_PARAMS: &[&str] = &[
    "authtoken",
    "auth_token",
    "token",
    "password",
    "pass",
    "secret",
    "apikey",
    "api_key",
    "sslpassword",
    "access_token",
];

/// The replacement for every secret part.
pub const MASK: &str = "***";

/// `postgresql://user:pw@host/db?sslmode=require&password=x` → `postgresql://user:***@host/db?sslmode=require&password=***`.
///
/// The password in the user info and the value of every credential-like query parameter are replaced by
/// `***`; everything else (user, host, port, database, other parameters) is kept so the URL still says
/// where it points.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            // The user info ends at the last '@' before the path: a password may itself contain '@'.
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:{MASK}@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_string(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _)) if is_secret_param(name) => format!("{name}={MASK}"),
                _ => param.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// Input → expected output, shared by this module's tests and the template's rendering test.
pub const REDACTION_CASES: &[(&str, &str)] = &[
    (
        "postgresql://postgres:S3cretPW@127.0.0.1:5432/app",
        "postgresql://postgres:***@127.0.0.1:5432/app",
    ),
    (
        "postgresql://postgres:hunter2@db.example.com:5432/app?sslmode=require",
        "postgresql://postgres:***@db.example.com:5432/app?sslmode=require",
    ),
    ("postgres://u:p%40ss@w@host/db", "postgres://u:***@host/db"),
    (
        "mysql://root@127.0.0.1:3306/better_auth",
        "mysql://root@127.0.0.1:3306/better_auth",
    ),
    (
        "libsql://db.example.turso.io?authToken=eyJhbGciOi.x.y",
        "libsql://db.example.turso.io?authToken=***",
    ),
    (
        "https://db.example.turso.io?tls=1&authToken=abc",
        "https://db.example.turso.io?tls=1&authToken=***",
    ),
    ("file:./auth.db", "file:./auth.db"),
    ("file:./auth.db?mode=rwc", "file:./auth.db?mode=rwc"),
    (
        "postgresql://neondb_owner:npg_abc@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require&password=again",
        "postgresql://neondb_owner:***@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require&password=***",
    ),
];

/// The file path of a SQLite URL (`file:./auth.db`, `sqlite:///./notes.db`, `sqlite:notes.db`);
/// `None` for a remote libSQL URL.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let without_query = url.split('?').next().unwrap_or(url);
    ["sqlite:///", "sqlite://", "sqlite:", "file:"]
        .iter()
        .find_map(|prefix| without_query.strip_prefix(prefix))
        .or_else(|| (!without_query.contains("://")).then_some(without_query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sqlite_paths_and_remote_urls() {
        assert_eq!(sqlite_path("file:./auth.db"), Some("./auth.db"));
        assert_eq!(
            sqlite_path("file:data/auth.db?mode=rwc"),
            Some("data/auth.db")
        );
        assert_eq!(sqlite_path("sqlite:///./notes.db"), Some("./notes.db"));
        assert_eq!(sqlite_path("libsql://my-db.turso.io"), None);
    }

    #[test]
    fn every_case_is_redacted_as_expected() {
        for (input, expected) in REDACTION_CASES {
            assert_eq!(redact(input), *expected, "redact({input})");
        }
    }

    #[test]
    fn no_case_keeps_a_secret() {
        for secret in [
            "S3cretPW",
            "hunter2",
            "p%40ss",
            "eyJhbGciOi",
            "npg_abc",
            "again",
        ] {
            for (input, _) in REDACTION_CASES {
                assert!(!redact(input).contains(secret), "{input} leaks {secret}");
            }
        }
    }
}
