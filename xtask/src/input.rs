//! `cargo xtask new`'s input, checked before anything is copied: each problem is one line naming the expected
//! form. The cargo-generate CLI path makes the same checks in `hooks/pre.rhai` (and `hooks/url.rhai`).

use anyhow::bail;
use project_xtask::project::Database;
use project_xtask::project::url::redact;

/// The longest name whose database name (`my-app` → `my_app`) PostgreSQL and MySQL both accept.
const MAX_NAME_LEN: usize = 63;

/// A project name must be a valid npm package name, Python project name (uv) and Rust crate name, and a plain
/// folder name: lower-case ASCII letters, digits, `-` and `_`, starting with a letter.
pub fn check_project_name(name: &str) -> anyhow::Result<()> {
    const RULE: &str = "use lower-case ASCII letters, digits, - and _, starting with a letter";
    if name.is_empty() {
        bail!("the project name is empty: {RULE}, e.g. my-app");
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        bail!(
            "project name `{name}` is a path: name the project (e.g. my-app) and choose its folder with --dest"
        );
    }
    if name.len() > MAX_NAME_LEN {
        bail!(
            "project name `{name}` is longer than {MAX_NAME_LEN} characters (its database name must fit PostgreSQL and MySQL)"
        );
    }
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(valid) {
        return Ok(());
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with(|c: char| c.is_ascii_lowercase()) && lower.chars().all(valid) {
        bail!(
            "project name `{name}` has upper-case letters (npm refuses them): {RULE}, e.g. {lower}"
        );
    }
    bail!("project name `{name}`: {RULE}, e.g. my-app");
}

/// An app URL in the form `http(s)://HOST[:PORT]`; a trailing slash is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUrl {
    pub url: String,
    host: String,
    port: u32,
}

impl AppUrl {
    /// Parses the value of `flag`, naming the expected form when it does not fit.
    pub fn parse(flag: &str, value: &str) -> anyhow::Result<AppUrl> {
        let form = "expected http(s)://HOST[:PORT], e.g. http://localhost:3000";
        let url = value.strip_suffix('/').unwrap_or(value);
        let (default_port, authority) = if let Some(rest) = url.strip_prefix("http://") {
            (80, rest)
        } else if let Some(rest) = url.strip_prefix("https://") {
            (443, rest)
        } else {
            bail!("{flag} {value}: {form}");
        };
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => {
                let Ok(port) = port.parse::<u32>() else {
                    bail!("{flag} {value}: the port is not a number; {form}");
                };
                (host, port)
            }
            None => (authority, default_port),
        };
        let host_ok = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
        if host.is_empty() || !host.chars().all(host_ok) {
            bail!("{flag} {value}: no path, user or query, only a host name or IP; {form}");
        }
        if !(1..=65535).contains(&port) {
            bail!("{flag} {value}: the port must be 1-65535; {form}");
        }
        Ok(AppUrl {
            url: url.to_string(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// True when both would listen on one port of this machine (localhost, 127.0.0.1 and 0.0.0.0 are one).
    pub fn same_listener(&self, other: &AppUrl) -> bool {
        let local = |host: &str| matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0");
        let same_host = self.host == other.host || (local(&self.host) && local(&other.host));
        same_host && self.port == other.port
    }
}

/// The URL forms each database accepts, as shown in errors.
pub fn database_url_form(database: Database) -> &'static str {
    match database {
        Database::Sqlite => "file:PATH, e.g. file:./auth.db",
        Database::Postgres | Database::Neon | Database::Supabase => {
            "postgresql://USER[:PASSWORD]@HOST[:PORT][/DB]"
        }
        Database::Mysql => "mysql://USER[:PASSWORD]@HOST[:PORT][/DB]",
        Database::Turso => "file:PATH, libsql://HOST or https://HOST",
    }
}

/// Checks that `url` is a URL `database` can use; the error shows the URL redacted, never its secret.
pub fn check_database_url(database: Database, url: &str) -> anyhow::Result<()> {
    let schemes: &[&str] = match database {
        Database::Sqlite => &["file:"],
        Database::Postgres | Database::Neon | Database::Supabase => {
            &["postgresql://", "postgres://"]
        }
        Database::Mysql => &["mysql://"],
        Database::Turso => &["file:", "libsql://", "https://", "http://"],
    };
    let after_scheme = schemes.iter().find_map(|scheme| url.strip_prefix(scheme));
    match after_scheme {
        Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => Ok(()),
        _ => bail!(
            "--database-url {}: {} needs {}",
            redact(url),
            database.name(),
            database_url_form(database)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_language_accepts_pass_and_others_are_refused_with_the_rule() {
        for good in ["my-app", "app2", "my_app", "a"] {
            check_project_name(good).unwrap();
        }
        for (bad, says) in [
            ("", "empty"),
            ("../x", "--dest"),
            ("a/b", "--dest"),
            ("appé", "lower-case ASCII"),
            ("MyApp", "e.g. myapp"),
            ("1app", "starting with a letter"),
            ("-x", "starting with a letter"),
        ] {
            let err = check_project_name(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    #[test]
    fn app_urls_need_a_real_port_and_lose_a_trailing_slash() {
        let url = AppUrl::parse("--frontend-url", "http://localhost:3000/").unwrap();
        assert_eq!(url.url, "http://localhost:3000");
        for bad in [
            "http://localhost:0",
            "http://localhost:99999",
            "localhost:3000",
            "http://x/y",
        ] {
            let err = AppUrl::parse("--frontend-url", bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("http(s)://HOST[:PORT]"), "{bad}: {err}");
        }
        let a = AppUrl::parse("a", "http://localhost:8000").unwrap();
        let b = AppUrl::parse("b", "http://127.0.0.1:8000/").unwrap();
        assert!(a.same_listener(&b));
        assert!(!a.same_listener(&AppUrl::parse("c", "http://localhost:3000").unwrap()));
    }

    #[test]
    fn a_database_url_of_another_database_names_the_form_and_hides_the_password() {
        let err = check_database_url(Database::Postgres, "mysql://root:pw@h/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("postgres needs postgresql://USER[:PASSWORD]@HOST[:PORT][/DB]"),
            "{err}"
        );
        assert!(!err.contains("pw@"), "{err}");
        check_database_url(Database::Turso, "libsql://db.turso.io?authToken=x").unwrap();
        check_database_url(Database::Mysql, "mysql://root@127.0.0.1:3306").unwrap();
    }
}
