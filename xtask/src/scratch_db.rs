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
    Some(
        std::env::var(variable)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string()),
    )
    .map(|url| url.trim_end_matches('/').to_string())
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
