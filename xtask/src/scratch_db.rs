//! Throwaway databases on a running server, for tests that need a fresh one: created with a unique name,
//! dropped afterwards.

use anyhow::{Context, bail};
use project_xtask::project::DbFamily;

/// The servers CI and developers run locally; override with E2E_POSTGRES_URL / E2E_MYSQL_URL.
pub fn server_url(family: DbFamily) -> Option<String> {
    let (variable, default) = match family {
        DbFamily::Postgres => ("E2E_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"),
        DbFamily::Mysql => ("E2E_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
        DbFamily::Sqlite => return None,
    };
    let url = std::env::var(variable)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string());
    Some(server_of(&url).unwrap_or(url))
}

/// The server part of a PostgreSQL/MySQL URL, `scheme://[user[:password]@]host[:port]`: a database path and
/// trailing slash are dropped, so `…:5432` and `…:5432/postgres` name the same server (each scratch
/// database is made on it). Options (`?…`) are refused: the scratch databases' URLs could not carry them.
pub fn server_of(url: &str) -> Result<String, String> {
    let url = url.trim();
    let shown = project_xtask::project::url::redact(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not shown: without a scheme, the redaction cannot tell a password from the rest.
        return Err("not a server URL; expected scheme://user@host:port".to_string());
    };
    let (userinfo, after) = match rest.rsplit_once('@') {
        Some((userinfo, after)) => (Some(userinfo), after),
        None => (None, rest),
    };
    if after.contains('?') {
        return Err(format!(
            "{shown}: options (?…) are not supported here; give scheme://user@host:port"
        ));
    }
    let host = after.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!(
            "{shown} names no host; expected scheme://user@host:port"
        ));
    }
    Ok(match userinfo {
        Some(userinfo) => format!("{scheme}://{userinfo}@{host}"),
        None => format!("{scheme}://{host}"),
    })
}

/// A database that exists until this value is dropped.
pub struct ScratchDb {
    family: DbFamily,
    server: String,
    pub name: String,
}

impl ScratchDb {
    pub fn create(family: DbFamily, server: &str, label: &str) -> anyhow::Result<ScratchDb> {
        let name = format!("{}_{}", label.replace(['-', '.'], "_"), std::process::id());
        execute(family, server, &format!("DROP DATABASE IF EXISTS {name}"))?;
        execute(family, server, &format!("CREATE DATABASE {name}"))
            .with_context(|| format!("cannot create database {name} on {server}"))?;
        Ok(ScratchDb {
            family,
            server: server.to_string(),
            name,
        })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let sql = match self.family {
            DbFamily::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        if let Err(err) = execute(self.family, &self.server, &sql) {
            eprintln!("warning: cannot drop database {}: {err:#}", self.name);
        }
    }
}

/// Runs one statement on the server's maintenance database.
pub fn execute(family: DbFamily, server: &str, sql: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        use sqlx::Connection;
        match family {
            DbFamily::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
            DbFamily::Mysql => {
                let mut conn = sqlx::MySqlConnection::connect(server).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
            DbFamily::Sqlite => bail!("SQLite needs no server"),
        }
        Ok(())
    })
}

#[cfg(test)]
mod server_of_tests {
    use super::server_of;

    #[test]
    fn a_server_url_is_accepted_with_or_without_a_database_path() {
        for (url, server) in [
            (
                "postgresql://postgres@127.0.0.1:5432",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                "postgresql://postgres@127.0.0.1:5432/",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                "postgresql://postgres@127.0.0.1:5432/postgres",
                "postgresql://postgres@127.0.0.1:5432",
            ),
            (
                "postgres://u:p%2Fw@db.example/app/",
                "postgres://u:p%2Fw@db.example",
            ),
            (
                "mysql://root@127.0.0.1:3306/mysql",
                "mysql://root@127.0.0.1:3306",
            ),
            ("mysql://root@127.0.0.1:3306", "mysql://root@127.0.0.1:3306"),
            (
                "postgresql://127.0.0.1:5432/x",
                "postgresql://127.0.0.1:5432",
            ),
        ] {
            assert_eq!(server_of(url).as_deref(), Ok(server), "{url}");
        }
    }

    #[test]
    fn options_a_missing_host_and_non_urls_are_refused_without_the_password() {
        for url in [
            "postgresql://u:hunter2@db:5432/app?sslmode=require",
            "postgresql://u:hunter2@/app",
            "u:hunter2@db:5432",
        ] {
            let why = server_of(url).unwrap_err();
            assert!(!why.contains("hunter2"), "{why}");
        }
    }
}
