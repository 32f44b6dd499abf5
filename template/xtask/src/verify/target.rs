//! Where the live schema is: DATABASE_URL from frontend/.env, read the way the app reads it.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::project::DbFamily;
use crate::project::url::redact;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// SQLite, or a local libSQL `file:` database (same file format).
    SqliteFile(PathBuf),
    Postgres(String),
    Mysql(String),
    /// A remote libSQL/Turso database: sqlx cannot speak its HTTP protocol, so it is not checked.
    RemoteLibsql(String),
}

impl Target {
    /// `frontend_dir` anchors relative `file:` paths, as the app runs from frontend/.
    pub fn from_url(url: &str, frontend_dir: &Path) -> anyhow::Result<Target> {
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        Ok(match scheme.as_str() {
            "file" | "sqlite" => Target::SqliteFile(sqlite_path(url, frontend_dir)),
            "postgres" | "postgresql" => Target::Postgres(url.to_string()),
            "mysql" | "mariadb" => Target::Mysql(url.to_string()),
            "libsql" | "http" | "https" | "ws" | "wss" => Target::RemoteLibsql(url.to_string()),
            _ => bail!(
                "DATABASE_URL `{}` is not a database URL this project uses (file:, postgresql://, mysql://, libsql://)",
                redact(url)
            ),
        })
    }

    pub fn family(&self) -> Option<DbFamily> {
        match self {
            Target::SqliteFile(_) => Some(DbFamily::Sqlite),
            Target::Postgres(_) => Some(DbFamily::Postgres),
            Target::Mysql(_) => Some(DbFamily::Mysql),
            Target::RemoteLibsql(_) => None,
        }
    }

    /// Names the database for reports without leaking a password.
    pub fn describe(&self) -> String {
        match self {
            Target::SqliteFile(path) => path.display().to_string(),
            Target::Postgres(url) | Target::Mysql(url) | Target::RemoteLibsql(url) => redact(url),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::SqliteFile(_) => "sqlite",
            Target::Postgres(_) => "postgres",
            Target::Mysql(_) => "mysql",
            Target::RemoteLibsql(_) => "libsql-remote",
        }
    }
}

/// `file:./auth.db`, `file:///abs/auth.db`, `sqlite://auth.db?mode=rwc` → a path.
fn sqlite_path(url: &str, frontend_dir: &Path) -> PathBuf {
    let rest = url.split_once(':').map_or(url, |(_, rest)| rest);
    let rest = rest.split('?').next().unwrap_or_default();
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = Path::new(rest);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        frontend_dir.join(path.strip_prefix("./").unwrap_or(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_each_url_form() {
        let frontend = Path::new("/p/frontend");
        assert_eq!(
            Target::from_url("file:./auth.db", frontend).unwrap(),
            Target::SqliteFile("/p/frontend/auth.db".into())
        );
        assert_eq!(
            Target::from_url("file:///data/auth.db", frontend).unwrap(),
            Target::SqliteFile("/data/auth.db".into())
        );
        assert_eq!(
            Target::from_url("postgres://u@h/db", frontend)
                .unwrap()
                .family(),
            Some(DbFamily::Postgres)
        );
        assert_eq!(
            Target::from_url("mysql://root@127.0.0.1:3306/x", frontend)
                .unwrap()
                .family(),
            Some(DbFamily::Mysql)
        );
        assert_eq!(
            Target::from_url("libsql://db.turso.io", frontend)
                .unwrap()
                .family(),
            None
        );
        assert!(Target::from_url("oracle://x", frontend).is_err());
    }
}
